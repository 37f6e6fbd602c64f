"""Pure rules for a register entry: what makes a business record valid.

No Django import: the caller passes the lookup tables (regions, categories, choice labels).
Used by the form, the API and the importer alike, so a record is judged the same way everywhere.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from shian.core.rules import (
    CodeError,
    text_problem,
    validate_business_licence,
    validate_credit_code,
    validate_production_licence,
)

# 《食品安全法》第三十五条: producing food requires a food production licence (SC).
TYPES_REQUIRING_PRODUCTION_LICENCE = frozenset({"production", "special_food"})

CATEGORY_SEPARATORS = re.compile(r"[、,，;；/|\s]+")


@dataclass
class BusinessInput:
    name: str = ""
    credit_code: str | None = None
    production_licence: str | None = None
    business_licence: str | None = None
    business_type: str = ""
    categories: list[str] = field(default_factory=list)
    scale: str = "small"
    region_code: str = ""
    address: str = ""
    legal_representative: str = ""
    longitude: Decimal | None = None
    latitude: Decimal | None = None
    status: str = "active"
    opened_on: dt.date | None = None
    licence_valid_until: dt.date | None = None
    closed_on: dt.date | None = None


@dataclass(frozen=True)
class Lookups:
    """Everything the validator needs to know about the world, passed in by the caller."""

    regions: Mapping[str, str]  # code or name -> region code (towns and streets in scope)
    categories: Mapping[str, str]  # code or name -> category code
    business_types: Mapping[str, str]  # value or label (any language) -> value
    scales: Mapping[str, str]
    statuses: Mapping[str, str]


FIELDS = (
    "name",
    "credit_code",
    "production_licence",
    "business_licence",
    "business_type",
    "categories",
    "scale",
    "region_code",
    "address",
    "legal_representative",
    "longitude",
    "latitude",
    "status",
    "opened_on",
    "licence_valid_until",
    "closed_on",
)


def _text(value: object) -> str:
    if type(value) is str:  # the common case first: an import calls this for every cell
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


_DATE_TYPED = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?")
_DATE_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")


def parse_date(value: object) -> dt.date | None:
    """Dates as people type them in Excel: a date cell, 2022-03-01, 2022/3/1, 2022.3.1, 20220301,
    2022年3月1日."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    match = _DATE_TYPED.fullmatch(text) or _DATE_COMPACT.fullmatch(text)
    if not match:
        raise ValueError(_("日期格式应为 2022-03-01"))
    year, month, day = (int(g) for g in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError(_("日期“%(text)s”不存在") % {"text": text}) from None


def _decimal(value: object, low: int, high: int, what: str) -> Decimal | None:
    text = _text(value)
    if not text:
        return None
    try:
        number = Decimal(text).quantize(Decimal("0.000001"))
    except InvalidOperation:
        raise ValueError(_("%(what)s应为数字") % {"what": what}) from None
    if not low <= number <= high:
        raise ValueError(_("%(what)s应在%(low)s到%(high)s之间") % {"what": what, "low": low, "high": high})
    return number


def clean_business(raw: Mapping[str, object], lookups: Lookups) -> tuple[BusinessInput, dict[str, str]]:
    """Validate one record. Returns the canonical input and {field: reason} for every bad field."""
    out = BusinessInput()
    errors: dict[str, str] = {}

    name = _text(raw.get("name"))
    if not name:
        errors["name"] = "名称不能为空"
    elif problem := text_problem(name, max_length=200):
        errors["name"] = f"名称{problem}"
    out.name = name

    for fname, validator in (
        ("credit_code", validate_credit_code),
        ("production_licence", validate_production_licence),
        ("business_licence", validate_business_licence),
    ):
        text = _text(raw.get(fname))
        if text:
            try:
                setattr(out, fname, validator(text))
            except CodeError as exc:
                errors[fname] = exc.message

    def pick(fname: str, table: Mapping[str, str], what: str, default: str | None = None) -> str:
        text = _text(raw.get(fname))
        if text == "":
            if default is not None:
                return default
            errors[fname] = f"{what}不能为空"
            return ""
        found = table.get(text.lower())
        if found is not None:
            return found
        errors[fname] = f"{what}“{text}”不在可选范围内"
        return ""

    out.business_type = pick("business_type", lookups.business_types, "业态")
    out.scale = pick("scale", lookups.scales, "规模", default="small")
    out.status = pick("status", lookups.statuses, "状态", default="active")
    out.region_code = pick("region_code", lookups.regions, "所属镇街")

    categories: list[str] = []
    raw_categories = raw.get("categories")
    if isinstance(raw_categories, list | tuple):
        parts = [_text(p) for p in raw_categories]
    else:
        parts = CATEGORY_SEPARATORS.split(_text(raw_categories))
    for part in (p for p in parts if p):
        code = lookups.categories.get(part.lower())
        if code is None:
            errors["categories"] = f"食品类别“{part}”不在抽检实施细则的大类中"
            break
        if code not in categories:
            categories.append(code)
    out.categories = categories

    for fname, what, limit in (("address", "地址", 200), ("legal_representative", "法定代表人", 50)):
        text = _text(raw.get(fname))
        if problem := text_problem(text, max_length=limit):
            errors[fname] = f"{what}{problem}"
        setattr(out, fname, text)
    try:
        out.longitude = _decimal(raw.get("longitude"), 73, 136, "经度")
    except ValueError as exc:
        errors["longitude"] = str(exc)
    try:
        out.latitude = _decimal(raw.get("latitude"), 3, 54, "纬度")
    except ValueError as exc:
        errors["latitude"] = str(exc)
    for fname in ("opened_on", "licence_valid_until", "closed_on"):
        try:
            setattr(out, fname, parse_date(raw.get(fname)))
        except ValueError as exc:
            errors[fname] = str(exc)

    if not (out.credit_code or out.production_licence or out.business_licence) and not any(
        f in errors for f in ("credit_code", "production_licence", "business_licence")
    ):
        errors["credit_code"] = "统一社会信用代码与许可证编号至少填写一项"
    if (
        out.business_type in TYPES_REQUIRING_PRODUCTION_LICENCE
        and not out.production_licence
        and "production_licence" not in errors
    ):
        # 《食品安全法》第三十五条第一款: 从事食品生产……应当依法取得许可。
        errors["production_licence"] = "食品生产者应当持有食品生产许可证（SC）"
    if out.closed_on and out.opened_on and out.closed_on < out.opened_on:
        errors["closed_on"] = "注销日期不能早于开业日期"
    return out, errors


# -- licence applications (食品生产经营许可) ------------------------------------------------------
# Rule data, one edition per `valid_from`; an application is judged with the edition in force on
# the day it was accepted. "V": read in the official text in shared/reference/laws/; "M": not in
# that folder, taken from the document as commonly cited and to be checked against its text.


@dataclass(frozen=True)
class LicensingEdition:
    valid_from: dt.date
    decision_working_days: int
    decision_source: str
    decision_verified: str
    validity_years: int
    validity_source: str
    validity_verified: str
    ban_source: str


_VALIDITY = "《食品安全法实施条例》（2019）第十五条：“食品生产经营许可的有效期为5年。”"
_BAN = (
    "《食品安全法》（2021）第一百三十五条：被吊销许可证的食品生产经营者及其法定代表人、直接负责的主管"
    "人员和其他直接责任人员“自处罚决定作出之日起五年内不得申请食品生产经营许可”；"
    "因食品安全犯罪被判处有期徒刑以上刑罚的，“终身不得从事食品生产经营管理工作”"
)
LICENSING_EDITIONS: tuple[LicensingEdition, ...] = (
    # 《食品安全法》第三十五条第二款 (V) sends the procedure to 《行政许可法》: its 第四十二条 gives
    # twenty days from acceptance, counted in working days (第八十二条) — not in the laws folder (M).
    LicensingEdition(
        valid_from=dt.date(2015, 10, 1),
        decision_working_days=20,
        decision_source="《食品安全法》第三十五条第二款（依照《行政许可法》）；《行政许可法》第四十二条"
        "“应当自受理行政许可申请之日起二十日内作出行政许可决定”、第八十二条（以工作日计算）",
        decision_verified="M",
        validity_years=5,
        validity_source=_VALIDITY,
        validity_verified="V",
        ban_source=_BAN,
    ),
    # 《食品经营许可和备案管理办法》（市场监管总局令第78号，2023-12-01 施行）: ten working days from
    # acceptance for the decision (M: the text is not in the laws folder).
    LicensingEdition(
        valid_from=dt.date(2023, 12, 1),
        decision_working_days=10,
        decision_source="《食品经营许可和备案管理办法》（市场监管总局令第78号）：自受理申请之日起10个工作日内"
        "作出是否准予行政许可的决定",
        decision_verified="M",
        validity_years=5,
        validity_source=_VALIDITY,
        validity_verified="V",
        ban_source=_BAN,
    ),
)


def licensing_edition(on: dt.date) -> LicensingEdition:
    """The licensing rules in force on `on` (the day of acceptance)."""
    found = [e for e in LICENSING_EDITIONS if e.valid_from <= on]
    if not found:
        raise LookupError(
            _("%(on)s 无适用的许可规则（最早自 %(valid_from)s 起）")
            % {"on": on, "valid_from": LICENSING_EDITIONS[0].valid_from}
        )
    return max(found, key=lambda e: e.valid_from)


def _plus_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)


def licence_valid_until(*, granted_on: dt.date, current_until: dt.date | None, renewal: bool) -> dt.date:
    """The last day of a licence granted on `granted_on` (条例第十五条: five years). A renewal
    (延续) runs on from the day after the current licence ends when that is still ahead."""
    years = licensing_edition(granted_on).validity_years
    start = granted_on
    if renewal and current_until is not None and current_until >= granted_on:
        start = current_until + dt.timedelta(days=1)
    return _plus_years(start, years) - dt.timedelta(days=1)


@dataclass(frozen=True)
class BanRecord:
    """A ban on a person (法第一百三十五条) as the enforcement module recorded it. `id_key` is the
    keyed hash of the person's id number ("" when the decision named the person only)."""

    person_name: str
    id_key: str
    decided_on: dt.date
    until: dt.date | None  # None: for life (第二款)
    case_id: int
    case_number: str
    case_region: str


@dataclass(frozen=True)
class NamedPerson:
    name: str
    id_key: str


def ban_applies(ban: BanRecord, person: NamedPerson, *, on: dt.date) -> bool:
    """Whether `ban` bars `person` on `on` (《食品安全法》第一百三十五条): the same person — by id
    number when both carry one, else by name — and a ban decided by then and not yet ended
    (five years from the decision, or for life)."""
    if ban.id_key and person.id_key:
        same = ban.id_key == person.id_key
    else:
        same = ban.person_name.strip() == person.name.strip()
    in_force = ban.decided_on <= on and (ban.until is None or on <= ban.until)
    return same and in_force


def bans_blocking(
    persons: list[NamedPerson], bans: list[BanRecord], *, on: dt.date
) -> list[tuple[NamedPerson, BanRecord]]:
    """Every (person, ban) pair that bars a person the application names on `on`."""
    return [(p, b) for p in persons for b in bans if ban_applies(b, p, on=on)]


def mask_id(number: str) -> str:
    """An id number as shown: the first four and last four characters (45号令第六条 practice)."""
    number = number.strip()
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def business_licence_number(*, business_type: str, region_code: str, serial: int, production: bool) -> str:
    """A licence number in the register's format (core.rules validators): SC + category 101 +
    the county code + 4-digit serial + check; JY + kind + the county code + 6-digit serial + check.
    The check digit's algorithm is not published: 0 is written and never verified."""
    county = region_code[:6]
    if production:
        return f"SC101{county}{serial % 10000:04d}0"
    kind = {"catering": "2", "unit_canteen": "3", "school_canteen": "3", "central_kitchen": "2"}.get(
        business_type, "1"
    )
    return f"JY{kind}{county}{serial % 1000000:06d}0"
