"""Pure rules of an inspection: checklist templates, the result by rule, the inspectors needed,
the publication deadline, the higher-level repeat window, campaign scope. No Django import; rule
values come from data/*.toml, each edition with its source and verification label."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import struct
import tomllib
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

DATA = Path(__file__).resolve().parent / "data"


class InspectionRuleError(ValueError):
    """Bad input to a rule; the message is a sentence a user can act on."""


@dataclass(frozen=True)
class InspectionRules:
    id: str
    valid_from: dt.date
    source: str
    verification: str
    min_inspectors: int
    publish_working_days: int
    full_check_every_years: int
    higher_level_repeat_months: int
    basic_max_general_failures: int
    rectification_working_days: int


@cache
def load_rules() -> tuple[InspectionRules, ...]:
    data = tomllib.loads((DATA / "inspection-rules.toml").read_text(encoding="utf-8"))
    fields = InspectionRules.__dataclass_fields__
    eds = [InspectionRules(**{k: e[k] for k in fields}) for e in data["edition"]]
    return tuple(sorted(eds, key=lambda r: r.valid_from))


def rules_in_force(on: dt.date, editions: Sequence[InspectionRules] | None = None) -> InspectionRules:
    editions = editions or load_rules()
    applicable = [r for r in editions if r.valid_from <= on]
    if not applicable:
        raise LookupError(
            _("%(on)s 没有施行中的监督检查规则（最早版本 %(id)s 自 %(valid_from)s 起施行）")
            % {"on": on, "id": editions[0].id, "valid_from": editions[0].valid_from}
        )
    return applicable[-1]


# ---------------------------------------------------------------------------------------------
# Checklist templates (第十三条: 一般项目 and 重点项目).


@dataclass(frozen=True)
class ChecklistItem:
    code: str
    key: bool
    text: str


@dataclass(frozen=True)
class Checklist:
    code: str
    sector: str
    name: str
    valid_from: dt.date
    source: str
    verification: str
    items: tuple[ChecklistItem, ...]

    @property
    def item_codes(self) -> tuple[str, ...]:
        return tuple(i.code for i in self.items)


@cache
def load_checklists() -> dict[str, Checklist]:
    data = tomllib.loads((DATA / "checklists.toml").read_text(encoding="utf-8"))
    out = {}
    for t in data["template"]:
        items = tuple(ChecklistItem(code=i["code"], key=bool(i["key"]), text=i["text"]) for i in t["items"])
        out[t["code"]] = Checklist(
            code=t["code"],
            sector=t["sector"],
            name=t["name"],
            valid_from=t["valid_from"],
            source=t["source"],
            verification=t["verification"],
            items=items,
        )
    return out


# Business type (registry.BusinessType value) -> checklist sector.
SECTOR_OF_TYPE = {
    "production": "production",
    "special_food": "production",
    "small_workshop": "production",
    "wholesale_retail": "sale",
    "agri_market": "sale",
    "cold_store": "sale",
    "online_platform": "sale",
    "catering": "catering",
    "unit_canteen": "catering",
    "school_canteen": "catering",
    "central_kitchen": "catering",
}


def checklist_for(business_type: str, on: dt.date) -> Checklist:
    """The checklist of the business's sector in force on the inspection date."""
    sector = SECTOR_OF_TYPE.get(business_type)
    if sector is None:
        raise InspectionRuleError(
            _("业态“%(business_type)s”没有对应的检查要点表") % {"business_type": business_type}
        )
    found = [c for c in load_checklists().values() if c.sector == sector and c.valid_from <= on]
    if not found:
        raise InspectionRuleError(_("%(on)s 没有施行中的%(sector)s检查要点表") % {"on": on, "sector": sector})
    return max(found, key=lambda c: c.valid_from)


class Answer:
    PASS = "pass"  # noqa: S105 - a checklist answer, not a password
    FAIL = "fail"
    NA = "na"  # not applicable (e.g. no import cold-chain food sold)
    VALUES = (PASS, FAIL, NA)


class Result:
    PASS = "pass"  # noqa: S105 - 符合, not a password
    BASIC = "basic"  # 基本符合
    FAIL = "fail"  # 不符合


def validate_answers(checklist: Checklist, answers: Mapping[str, str], *, full: bool) -> None:
    """Every key item answered (pass, fail or not applicable); a full-checklist inspection answers
    every item; no unknown item or answer. Raises InspectionRuleError naming the items."""
    unknown = sorted(set(answers) - set(checklist.item_codes))
    if unknown:
        raise InspectionRuleError(_("检查要点表中没有这些项目：%(value)s") % {"value": "、".join(unknown)})
    bad = sorted(code for code, a in answers.items() if a not in Answer.VALUES)
    if bad:
        raise InspectionRuleError(_("这些项目的检查结论无效：%(value)s") % {"value": "、".join(bad)})
    needed = [i for i in checklist.items if i.key or full]
    missing = [i.code for i in needed if i.code not in answers]
    if missing:
        what = "全项检查须填写全部项目" if full else "重点项目必须填写"
        raise InspectionRuleError(
            _("%(what)s，尚未填写：%(value)s") % {"what": what, "value": "、".join(missing)}
        )


def inspection_result(checklist: Checklist, answers: Mapping[str, str], rules: InspectionRules) -> str:
    """符合 / 基本符合 / 不符合 by rule (49号令 第十三条、第三十二条、第三十三条 [M]): a failed key item
    makes the result 不符合; only general failures, up to `basic_max_general_failures`, make it
    基本符合; no failure is 符合."""
    failed = [i for i in checklist.items if answers.get(i.code) == Answer.FAIL]
    if any(i.key for i in failed):
        return Result.FAIL
    if not failed:
        return Result.PASS
    return Result.BASIC if len(failed) <= rules.basic_max_general_failures else Result.FAIL


def check_inspectors(inspector_ids: Iterable[int], rules: InspectionRules) -> None:
    """49号令 第二十三条: an inspection is carried out by at least two inspectors."""
    n = len(set(inspector_ids))
    if n < rules.min_inspectors:
        raise InspectionRuleError(
            _("监督检查应由不少于%(min_inspectors)s名检查人员进行，目前为%(n)s名")
            % {"min_inspectors": rules.min_inspectors, "n": n}
        )


def add_months(day: dt.date, months: int) -> dt.date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def higher_level_conflict(
    *,
    on: dt.date,
    items: Iterable[str],
    higher_level: Sequence[tuple[dt.date, Iterable[str]]],
    rules: InspectionRules,
    suspected_violation: bool = False,
) -> list[str]:
    """49号令 第四十二条: items already inspected by a higher-level authority within the repeat
    window before `on`, which the lower level may not inspect again (unless a violation or an
    obvious hazard is suspected). Returns those items, sorted."""
    if suspected_violation:
        return []
    wanted = set(items)
    clash: set[str] = set()
    for when, done in higher_level:
        if when <= on < add_months(when, rules.higher_level_repeat_months):
            clash |= wanted & set(done)
    return sorted(clash)


def full_check_due(last_full: dt.date | None, on: dt.date, rules: InspectionRules) -> dt.date:
    """49号令 第二十二条: the date by which the next full-checklist inspection is due (every two
    years); a business never fully inspected is due at once (`on`)."""
    if last_full is None:
        return on
    return add_months(last_full, 12 * rules.full_check_every_years)


# ---------------------------------------------------------------------------------------------
# Special campaigns.


@dataclass(frozen=True)
class Campaign:
    code: str
    name: str
    task: str
    starts: dt.date
    ends: dt.date
    business_types: frozenset[str]
    categories: frozenset[str]
    towns: frozenset[str]  # region codes, or "rural" for towns and townships (not streets)
    coverage_target: int
    checklist: str
    rural_first: bool = False

    def covers(
        self, *, business_type: str, categories: Iterable[str], region_code: str, region_level: str
    ) -> bool:
        """A business is in scope when its type or one of its categories is named, and its town is
        in the campaign's towns (all towns when none is named)."""
        in_kind = business_type in self.business_types or bool(self.categories & set(categories))
        if not in_kind:
            return False
        if not self.towns:
            return True
        return region_code in self.towns or ("rural" in self.towns and region_level in ("town", "township"))


def campaign_problem(
    campaign: Campaign | None,
    *,
    code: str,
    on: dt.date,
    business_type: str,
    categories: Iterable[str],
    region_code: str,
    region_level: str,
) -> str | None:
    """Why an inspection cannot be recorded under a campaign (data/campaigns.toml), or None: the
    campaign must exist, run on the inspection date and have the business in its scope."""
    if campaign is None:
        return f"没有代码为“{code}”的专项行动"
    if not campaign.starts <= on <= campaign.ends:
        return f"{campaign.name}的时间为 {campaign.starts} 至 {campaign.ends}，不含检查日期 {on}"
    if not campaign.covers(
        business_type=business_type, categories=categories, region_code=region_code, region_level=region_level
    ):
        return f"该主体不在{campaign.name}（{campaign.task}）的范围内"
    return None


@cache
def load_campaigns() -> dict[str, Campaign]:
    data = tomllib.loads((DATA / "campaigns.toml").read_text(encoding="utf-8"))
    out = {}
    for c in data["campaign"]:
        out[c["code"]] = Campaign(
            code=c["code"],
            name=c["name"],
            task=c["task"],
            starts=c["starts"],
            ends=c["ends"],
            business_types=frozenset(c["business_types"]),
            categories=frozenset(c["categories"]),
            towns=frozenset(c["towns"]),
            coverage_target=int(c["coverage_target"]),
            checklist=c["checklist"],
            rural_first=bool(c.get("rural_first", False)),
        )
    return out


def campaigns_for_year(year: int) -> list[Campaign]:
    return [c for c in load_campaigns().values() if c.starts.year <= year <= c.ends.year]


def campaigns_in_force(
    on: dt.date, *, business_type: str, categories: Iterable[str], region_code: str, region_level: str
) -> list[Campaign]:
    """The campaigns under way on a day that cover a business (an inspection can be recorded as
    part of one of these only)."""
    cats = list(categories)
    return [
        c
        for c in sorted(load_campaigns().values(), key=lambda c: (c.starts, c.code))
        if c.starts <= on <= c.ends
        and c.covers(
            business_type=business_type, categories=cats, region_code=region_code, region_level=region_level
        )
    ]


# ---------------------------------------------------------------------------------------------
# Evidence media: photos of a finding and the representative's drawn signature. Limits are local
# technical rules (data/evidence-media.toml), not legal ones.


@dataclass(frozen=True)
class MediaLimits:
    id: str
    valid_from: dt.date
    source: str
    verification: str
    photo_types: tuple[str, ...]
    photo_max_bytes: int
    photo_max_pixels: int
    photos_per_finding: int
    signature_max_bytes: int
    signature_max_pixels: int
    signature_min_ink_pixels: int
    # The data says whether the first edition also governs dates before it (a technical limit does).
    applies_before_valid_from: bool = False


@cache
def load_media_limits() -> tuple[MediaLimits, ...]:
    data = tomllib.loads((DATA / "evidence-media.toml").read_text(encoding="utf-8"))
    fields = MediaLimits.__dataclass_fields__
    eds = []
    for e in data["edition"]:
        values: dict[str, Any] = {k: e[k] for k in fields if k in e}
        values["photo_types"] = tuple(values["photo_types"])
        eds.append(MediaLimits(**values))
    return tuple(sorted(eds, key=lambda r: r.valid_from))


def media_limits_in_force(on: dt.date, editions: Sequence[MediaLimits] | None = None) -> MediaLimits:
    """The limits in force on a day; before the first edition, that edition when its data says it
    governs earlier dates too (else LookupError naming the date)."""
    editions = editions if editions is not None else load_media_limits()
    applicable = [m for m in editions if m.valid_from <= on]
    if applicable:
        return applicable[-1]
    if editions and editions[0].applies_before_valid_from:
        return editions[0]
    raise LookupError(
        _("%(on)s 没有施行中的照片与签名限制（最早版本自 %(value)s 起）")
        % {"on": on, "value": editions[0].valid_from if editions else "—"}
    )


PHOTO_TYPE_NAMES = {"jpeg": "JPEG", "png": "PNG", "webp": "WebP"}
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def image_kind(head: bytes) -> str | None:
    """The image format named by a file's first bytes (its magic number), or None. The file's
    name and declared content type are never trusted."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(PNG_MAGIC):
        return "png"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    return None


def _mb(n: int) -> str:
    return f"{n / 1_048_576:.0f} MB" if n >= 1_048_576 else f"{n // 1024} KB"


def check_photo(*, name: str, size: int, head: bytes, limits: MediaLimits) -> str:
    """A finding's photo: not empty, within the size limit, and by its content a JPEG, PNG or WebP
    image. Returns its kind; raises InspectionRuleError naming the file."""
    label = f"照片“{name}”" if name else "照片"
    if size <= 0:
        raise InspectionRuleError(_("%(label)s是空文件") % {"label": label})
    if size > limits.photo_max_bytes:
        raise InspectionRuleError(
            _("%(label)s大小 %(value)s，超过上限 %(value2)s，请降低分辨率后重新拍摄")
            % {"label": label, "value": _mb(size), "value2": _mb(limits.photo_max_bytes)}
        )
    kind = image_kind(head)
    allowed = "、".join(PHOTO_TYPE_NAMES[t] for t in limits.photo_types)
    if kind not in limits.photo_types:
        raise InspectionRuleError(
            _("%(label)s不是有效的图片文件（仅限 %(allowed)s）") % {"label": label, "allowed": allowed}
        )
    return kind


def check_photo_pixels(*, name: str, width: int, height: int, limits: MediaLimits) -> None:
    """Refuse an image whose pixel count would exhaust memory when shown (a decompression bomb)."""
    if width <= 0 or height <= 0 or width * height > limits.photo_max_pixels:
        raise InspectionRuleError(
            _("照片“%(name)s”的尺寸 %(width)s×%(height)s 无效或过大")
            % {"name": name, "width": width, "height": height}
        )


SIGNATURE_PREFIX = "data:image/png;base64,"


def decode_signature(data_url: str, limits: MediaLimits) -> bytes:
    """The drawn signature as sent by the form's canvas: a PNG data URL within the size limit.
    Returns the PNG bytes; raises InspectionRuleError."""
    if not data_url.startswith(SIGNATURE_PREFIX):
        raise InspectionRuleError(_("签名须为在签名框内手写的 PNG 图像"))
    body = data_url[len(SIGNATURE_PREFIX) :]
    if len(body) > limits.signature_max_bytes * 4 // 3 + 4:
        raise InspectionRuleError(
            _("签名图像超过上限 %(value)s") % {"value": _mb(limits.signature_max_bytes)}
        )
    try:
        png = base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        raise InspectionRuleError(_("签名图像数据已损坏，请清除后重新签名")) from None
    if len(png) > limits.signature_max_bytes:
        raise InspectionRuleError(
            _("签名图像超过上限 %(value)s") % {"value": _mb(limits.signature_max_bytes)}
        )
    if not png.startswith(PNG_MAGIC):
        raise InspectionRuleError(_("签名须为在签名框内手写的 PNG 图像"))
    return png


def check_signature_ink(ink_pixels: int, limits: MediaLimits) -> None:
    """A signature with (almost) nothing drawn is blank and refused."""
    if ink_pixels < limits.signature_min_ink_pixels:
        raise InspectionRuleError(_("签名为空白，请被检查单位负责人在签名框内手写签名"))


def png_ink_pixels(png: bytes, *, max_pixels: int) -> int:
    """Count the inked pixels (opaque and dark) of an 8-bit, non-interlaced PNG, the format a
    browser canvas produces, in plain Python (used when Pillow is not installed). Raises
    InspectionRuleError for a PNG it cannot read."""
    bad = InspectionRuleError(_("签名图像无法识别，请清除后重新签名"))
    if not png.startswith(PNG_MAGIC):
        raise bad
    pos, idat, header = 8, [], None
    while pos + 8 <= len(png):
        length, ctype = struct.unpack(">I4s", png[pos : pos + 8])
        chunk = png[pos + 8 : pos + 8 + length]
        if ctype == b"IHDR":
            header = struct.unpack(">IIBBBBB", chunk)
        elif ctype == b"IDAT":
            idat.append(chunk)
        elif ctype == b"IEND":
            break
        pos += 12 + length
    if header is None:
        raise bad
    width, height, depth, color, _comp, _filt, interlace = header
    channels = {0: 1, 2: 3, 4: 2, 6: 4}.get(color)
    if channels is None or depth != 8 or interlace != 0:
        raise bad
    if width * height > max_pixels or width == 0 or height == 0:
        raise InspectionRuleError(
            _("签名图像尺寸 %(width)s×%(height)s 无效或过大") % {"width": width, "height": height}
        )
    stride = width * channels
    try:
        raw = zlib.decompressobj().decompress(b"".join(idat), (stride + 1) * height)
    except zlib.error:
        raise bad from None
    if len(raw) < (stride + 1) * height:
        raise bad
    prev = bytearray(stride)
    ink = 0
    for y in range(height):
        ftype = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b = prev[i]
            if ftype == 1:
                line[i] = (line[i] + a) & 0xFF
            elif ftype == 2:
                line[i] = (line[i] + b) & 0xFF
            elif ftype == 3:
                line[i] = (line[i] + ((a + b) >> 1)) & 0xFF
            elif ftype == 4:
                c = prev[i - channels] if i >= channels else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 0xFF
            elif ftype != 0:
                raise bad
        for x in range(0, stride, channels):
            px = line[x : x + channels]
            grey = px[0] if channels <= 2 else (px[0] * 299 + px[1] * 587 + px[2] * 114) // 1000
            alpha = px[-1] if channels in (2, 4) else 255
            if alpha >= 64 and grey < 160:
                ink += 1
        prev = line
    return ink
