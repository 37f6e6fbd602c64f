"""Pure rules of the schools module: the accompanied meals a school owes (陪餐), who counts for the
plan's open-kitchen targets (T10, T20), and certificates' standing (T11). No Django import; values
come from data/schools-rules.toml, each edition with its source and how it was verified."""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from django.utils.translation import gettext as _

DATA = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class MealRule:
    id: str
    valid_from: dt.date
    per_meal: int
    counting_roles: tuple[str, ...]
    levels: tuple[str, ...]
    term_months: tuple[int, ...]
    source: str
    verification: str


@dataclass(frozen=True)
class OpenKitchenRule:
    id: str
    valid_from: dt.date
    t10_business_types: tuple[str, ...]
    t10_scales: tuple[str, ...]
    t20_business_types: tuple[str, ...]
    t20_meal_providers: bool
    counted_level: str
    source: str
    verification: str


@dataclass(frozen=True)
class CertificateRule:
    id: str
    valid_from: dt.date
    t11_kinds: tuple[str, ...]
    expiry_warning_days: int
    source: str
    verification: str


E = TypeVar("E", MealRule, OpenKitchenRule, CertificateRule)


@cache
def _data() -> dict:
    return tomllib.loads((DATA / "schools-rules.toml").read_text(encoding="utf-8"))


def _editions(key: str, cls: type[E]) -> tuple[E, ...]:
    rows: list[dict[str, Any]] = [
        {k: tuple(v) if isinstance(v, list) else v for k, v in e.items()} for e in _data()[key]
    ]
    eds = [cls(**row) for row in rows]
    return tuple(sorted(eds, key=lambda e: e.valid_from))


@cache
def load_meal_rules() -> tuple[MealRule, ...]:
    return _editions("accompanied_meal", MealRule)


@cache
def load_open_kitchen_rules() -> tuple[OpenKitchenRule, ...]:
    return _editions("open_kitchen", OpenKitchenRule)


@cache
def load_certificate_rules() -> tuple[CertificateRule, ...]:
    return _editions("certificate", CertificateRule)


def _in_force(on: dt.date, editions: Sequence[E], what: str) -> E:
    applicable = [e for e in editions if e.valid_from <= on]
    if not applicable:
        raise LookupError(
            _("%(on)s 没有施行中的%(what)s规则（最早版本 %(id)s 自 %(valid_from)s 起）")
            % {"on": on, "what": what, "id": editions[0].id, "valid_from": editions[0].valid_from}
        )
    return applicable[-1]


def meal_rule_in_force(on: dt.date, editions: Sequence[MealRule] | None = None) -> MealRule:
    return _in_force(on, editions or load_meal_rules(), "陪餐")


def open_kitchen_rule_in_force(
    on: dt.date, editions: Sequence[OpenKitchenRule] | None = None
) -> OpenKitchenRule:
    return _in_force(on, editions or load_open_kitchen_rules(), "明厨亮灶统计")


def certificate_rule_in_force(
    on: dt.date, editions: Sequence[CertificateRule] | None = None
) -> CertificateRule:
    return _in_force(on, editions or load_certificate_rules(), "管理体系认证统计")


# ------------------------------------------------------------------ accompanied meals (陪餐)


@dataclass(frozen=True)
class MealShortfall:
    """Meals owed an accompanying leader in a period, those that had one, and the shortfall."""

    owed: int
    accompanied: int

    @property
    def shortfall(self) -> int:
        return max(0, self.owed - self.accompanied)


def meal_days(
    *, start: dt.date, end: dt.date, rule: MealRule, is_workday: Callable[[dt.date], bool]
) -> list[dt.date]:
    """The days meals are expected: working days in term months (第十二条 applies to every meal
    served; the term months are the rule's approximation of the school calendar)."""
    days = []
    day = start
    while day <= end:
        if day.month in rule.term_months and is_workday(day):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def meal_shortfall(
    *,
    level: str,
    meals: Iterable[str],
    days: Sequence[dt.date],
    records: Iterable[tuple[dt.date, str, str]],
    rule: MealRule,
) -> MealShortfall | None:
    """Meals owed and accompanied for one school: each (day, meal) needs `per_meal` records by a
    counting role. `records` are (date, meal, role). None when the rule does not apply to the level."""
    if level not in rule.levels:
        return None
    served = set(meals)
    wanted = {(d, m) for d in days for m in served}
    counts: dict[tuple[dt.date, str], int] = {}
    for on, meal, role in records:
        if role in rule.counting_roles and (on, meal) in wanted:
            counts[(on, meal)] = counts.get((on, meal), 0) + 1
    accompanied = sum(1 for n in counts.values() if n >= rule.per_meal)
    return MealShortfall(owed=len(wanted), accompanied=accompanied)


# ------------------------------------------------------------------ open kitchens (明厨亮灶)


def in_t10(*, business_type: str, scale: str, rule: OpenKitchenRule) -> bool:
    """T10's denominator: medium and larger social caterers (plan task 十)."""
    return business_type in rule.t10_business_types and scale in rule.t10_scales


def in_t20(*, business_type: str, is_meal_provider: bool, rule: OpenKitchenRule) -> bool:
    """T20's denominator: school canteens and schools' off-campus meal providers (plan task 二十)."""
    return business_type in rule.t20_business_types or (rule.t20_meal_providers and is_meal_provider)


def counts_as_built(*, level: str, rule: OpenKitchenRule) -> bool:
    return level == rule.counted_level


def check_open_kitchen(*, level: str, cameras: int, platform: str) -> None:
    """An internet-connected open kitchen names its cameras and its platform."""
    if level == "internet":
        if cameras <= 0:
            raise ValueError(_("“互联网+明厨亮灶”须填写摄像头数量（至少1个）"))
        if not platform.strip():
            raise ValueError(_("“互联网+明厨亮灶”须填写接入的平台"))


# ------------------------------------------------------------------ certificates


def certificate_state(
    *, valid_from: dt.date, valid_until: dt.date, today: dt.date, rule: CertificateRule
) -> str:
    """ "pending" (not yet valid), "valid", "expiring" (within the warning days) or "expired"."""
    if today < valid_from:
        return "pending"
    if today > valid_until:
        return "expired"
    if (valid_until - today).days <= rule.expiry_warning_days:
        return "expiring"
    return "valid"


def counts_for_t11(
    *, kind: str, valid_from: dt.date, valid_until: dt.date, on: dt.date, rule: CertificateRule
) -> bool:
    """A certificate counts for T11 on a day when it is HACCP or ISO 22000 and valid that day."""
    return kind in rule.t11_kinds and valid_from <= on <= valid_until


# ------------------------------------------------------------------ school identifiers


def check_school_code(code: str) -> str:
    """The education ministry's school identifier (学校标识码): 10 digits, starting with 1."""
    code = code.strip()
    if len(code) != 10 or not code.isdigit() or not code.startswith("1"):
        raise ValueError(_("学校标识码“%(code)s”应为以1开头的10位数字") % {"code": code})
    return code
