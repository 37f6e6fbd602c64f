"""Rules of the sources of food: banned and restricted pesticides by date, the 承诺达标合格证
duty, grain monitoring density and cadmium in rice, farmland safe use. Pure Python, no Django:
the data (data/*.toml) is read once and passed in; every answer names the list or edition used.
A date before every edition gets a LookupError in Chinese, never a guess."""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

DATA = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class PesticideList:
    id: str
    status: str  # "banned"
    name: str
    valid_from: dt.date
    valid_to: dt.date | None
    source: str
    article: str
    verification: str
    substances: tuple[str, ...]
    phase_out: bool = False

    def in_force(self, on: dt.date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)


@dataclass(frozen=True)
class Restriction:
    substances: tuple[str, ...]
    crops: tuple[str, ...]
    valid_from: dt.date
    source: str
    article: str
    verification: str


@dataclass(frozen=True)
class PesticideRules:
    lists: tuple[PesticideList, ...]
    restrictions: tuple[Restriction, ...]
    crop_groups: dict[str, tuple[str, ...]]

    @property
    def covers_from(self) -> dt.date:
        return min(pl.valid_from for pl in self.lists)


def parse_pesticides(data: dict[str, Any]) -> PesticideRules:
    lists = tuple(
        PesticideList(
            id=x["id"],
            status=x["status"],
            name=x["name"],
            valid_from=x["valid_from"],
            valid_to=x.get("valid_to"),
            source=x["source"],
            article=x["article"],
            verification=x["verification"],
            substances=tuple(x["substances"]),
            phase_out=bool(x.get("phase_out", False)),
        )
        for x in data["list"]
    )
    restrictions = tuple(
        Restriction(
            substances=tuple(x["substances"]),
            crops=tuple(x["crops"]),
            valid_from=x["valid_from"],
            source=x["source"],
            article=x["article"],
            verification=x["verification"],
        )
        for x in data.get("restricted", [])
    )
    groups = {k: tuple(v) for k, v in data.get("crop_groups", {}).items()}
    return PesticideRules(lists, restrictions, groups)


@cache
def pesticide_rules() -> PesticideRules:
    return parse_pesticides(tomllib.loads((DATA / "pesticides.toml").read_text(encoding="utf-8")))


@cache
def other_rules() -> dict[str, Any]:
    return tomllib.loads((DATA / "sources-rules.toml").read_text(encoding="utf-8"))


def _covered(rules: PesticideRules, on: dt.date) -> None:
    if on < rules.covers_from:
        raise LookupError(
            _("%(value)s 早于平台所载禁限用农药名录的起始日期 %(value2)s，无法判定")
            % {"value": on.isoformat(), "value2": rules.covers_from.isoformat()}
        )


def _normalise(name: str) -> str:
    return name.strip().replace("，", ",").replace(" ", "").removesuffix("及其制剂")


@dataclass(frozen=True)
class PesticideStatus:
    substance: str
    status: str  # "banned", "restricted" (on this crop), "restricted_elsewhere", "not_listed"
    source: str
    article: str
    crops: tuple[str, ...] = ()

    @property
    def flagged(self) -> bool:
        return self.status in ("banned", "restricted")


def banned_on(on: dt.date, rules: PesticideRules | None = None) -> list[tuple[str, PesticideList]]:
    """Every banned substance on a date with the list that bans it (《禁限用农药名录》, 公告第536号)."""
    rules = rules or pesticide_rules()
    _covered(rules, on)
    out: dict[str, PesticideList] = {}
    for pl in rules.lists:
        if pl.status == "banned" and pl.in_force(on):
            for s in pl.substances:
                out.setdefault(s, pl)
    return sorted(out.items())


def restricted_on(on: dt.date, rules: PesticideRules | None = None) -> list[Restriction]:
    rules = rules or pesticide_rules()
    _covered(rules, on)
    return [r for r in rules.restrictions if r.valid_from <= on]


def crop_group_of(product: str, rules: PesticideRules | None = None) -> set[str]:
    """The crop groups a product name falls in ("韭菜" -> 蔬菜), by the words of the rule data."""
    rules = rules or pesticide_rules()
    return {group for group, words in rules.crop_groups.items() if any(w in product for w in words)}


def pesticide_status(
    substance: str, *, on: dt.date, product: str = "", rules: PesticideRules | None = None
) -> PesticideStatus:
    """A substance's status on a date, and on a product when one is named: banned outright
    (名录 "禁止（停止）使用"), restricted on this crop, restricted on other crops only, or not
    listed. Raises LookupError for a date before the lists the platform holds."""
    rules = rules or pesticide_rules()
    name = _normalise(substance)
    for s, pl in banned_on(on, rules):
        if s == name:
            return PesticideStatus(s, "banned", pl.source, pl.article)
    groups = crop_group_of(product, rules) if product else set()
    elsewhere: Restriction | None = None
    for r in restricted_on(on, rules):
        if name in r.substances:
            if groups & set(r.crops):
                return PesticideStatus(name, "restricted", r.source, r.article, r.crops)
            elsewhere = elsewhere or r
    if elsewhere is not None:
        return PesticideStatus(
            name, "restricted_elsewhere", elsewhere.source, elsewhere.article, elsewhere.crops
        )
    return PesticideStatus(name, "not_listed", "", "")


def phase_out_substances(rules: PesticideRules | None = None) -> list[str]:
    """The highly toxic pesticides the plan's task 七 phases out (公告第536号: 4 substances)."""
    rules = rules or pesticide_rules()
    return [s for pl in rules.lists if pl.phase_out for s in pl.substances]


def banned_hits(
    items: list[str], *, on: dt.date, product: str = "", rules: PesticideRules | None = None
) -> list[PesticideStatus]:
    """The test items (or a quick test's item) that name a banned substance, or one restricted on
    this product, on the test date. Quick-test class items (有机磷和氨基甲酸酯类) name no single
    substance and are not judged here: a positive one is confirmed by a quantitative test."""
    out = []
    for item in items:
        st = pesticide_status(item, on=on, product=product, rules=rules)
        if st.flagged:
            out.append(st)
    return out


# --------------------------------------------------------------------------- 合格证 (task 七)
def _edition(editions: list[dict[str, Any]], on: dt.date, what: str) -> dict[str, Any]:
    found = [e for e in editions if e["valid_from"] <= on]
    if not found:
        raise LookupError(_("%(value)s 不在%(what)s规则的适用期内") % {"value": on.isoformat(), "what": what})
    return max(found, key=lambda e: e["valid_from"])


def certificate_required(producer_kind: str, *, on: dt.date, data: dict[str, Any] | None = None) -> bool:
    """《农产品质量安全法》第三十九条: 农产品生产企业、农民专业合作社 (and purchasers who mix or split
    lots) issue 承诺达标合格证; 农户 are encouraged, not obliged."""
    edition = _edition((data or other_rules())["certificate"], on, "承诺达标合格证")
    return producer_kind in edition["required_kinds"]


def match_rate(checked: int, with_certificate: int) -> Decimal | None:
    """Share of batches checked at a market that carried a certificate (×100); None if none checked."""
    if checked <= 0:
        return None
    return Decimal(with_certificate) / Decimal(checked) * 100


# --------------------------------------------------------------------------- grain (task 八)
def grain_edition(on: dt.date, data: dict[str, Any] | None = None) -> dict[str, Any]:
    return _edition((data or other_rules())["grain"], on, "粮食质量监测")


def samples_needed(tonnes: Decimal, *, on: dt.date, data: dict[str, Any] | None = None) -> int:
    """Plan task 八: "每万吨粮食产量不少于1个监测样品" — at least ceil(t / 10,000 × rate) samples,
    and at least one for any tonnage."""
    rate = Decimal(str(grain_edition(on, data)["samples_per_10k_tonnes"]))
    if tonnes <= 0:
        return 0
    need = tonnes / Decimal(10000) * rate
    whole = int(need)
    return max(1, whole if need == whole else whole + 1)


def samples_per_10k(samples: int, tonnes: Decimal) -> Decimal | None:
    if tonnes <= 0:
        return None
    return Decimal(samples) / tonnes * Decimal(10000)


def cadmium_mandatory(grain: str, *, on: dt.date, data: dict[str, Any] | None = None) -> bool:
    """Plan task 八: cadmium is a mandatory item of rice (稻谷) intake and outgoing tests."""
    return grain in grain_edition(on, data)["cadmium_mandatory"]


def cadmium_verdict(grain: str, value: Decimal, *, on: dt.date, data: dict[str, Any] | None = None) -> str:
    """GB 2762 镉: 稻谷、糙米、大米 0.2 mg/kg; other cereals 0.1. "qualified" at or under the limit."""
    limits = grain_edition(on, data)["cadmium_limit_mg_kg"]
    limit = Decimal(limits.get(grain, limits["other"]))
    return "qualified" if value <= limit else "unqualified"


# --------------------------------------------------------------------------- farmland (task 六)
def farmland_edition(on: dt.date, data: dict[str, Any] | None = None) -> dict[str, Any]:
    return _edition((data or other_rules())["farmland"], on, "受污染耕地安全利用")


def measure_fits(soil_class: str, measure: str, *, on: dt.date, data: dict[str, Any] | None = None) -> bool:
    """《土壤污染防治法》第五十三条 (安全利用类: 农艺调控、替代种植 …) and 第五十四条 (严格管控类:
    调整种植结构、退耕还林还草): a measure counts only for the class it is meant for."""
    allowed = farmland_edition(on, data)["measures_for"].get(soil_class, [])
    return measure in allowed


def counted_class(soil_class: str, *, on: dt.date, data: dict[str, Any] | None = None) -> bool:
    """Plots of the classes the safe-use task counts (安全利用类 and 严格管控类)."""
    return soil_class in farmland_edition(on, data)["counted_classes"]
