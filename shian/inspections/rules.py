"""Pure rules of an inspection: checklist templates, the result by rule, the inspectors needed,
the publication deadline, the higher-level repeat window, campaign scope. No Django import; rule
values come from data/*.toml, each edition with its source and verification label."""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

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
    applicable = [r for r in (editions or load_rules()) if r.valid_from <= on]
    if not applicable:
        raise LookupError(f"no inspection rules in force on {on}")
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
        raise InspectionRuleError(f"业态“{business_type}”没有对应的检查要点表")
    found = [c for c in load_checklists().values() if c.sector == sector and c.valid_from <= on]
    if not found:
        raise InspectionRuleError(f"{on} 没有施行中的{sector}检查要点表")
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
        raise InspectionRuleError(f"检查要点表中没有这些项目：{'、'.join(unknown)}")
    bad = sorted(code for code, a in answers.items() if a not in Answer.VALUES)
    if bad:
        raise InspectionRuleError(f"这些项目的检查结论无效：{'、'.join(bad)}")
    needed = [i for i in checklist.items if i.key or full]
    missing = [i.code for i in needed if i.code not in answers]
    if missing:
        what = "全项检查须填写全部项目" if full else "重点项目必须填写"
        raise InspectionRuleError(f"{what}，尚未填写：{'、'.join(missing)}")


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
        raise InspectionRuleError(f"监督检查应由不少于{rules.min_inspectors}名检查人员进行，目前为{n}名")


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
