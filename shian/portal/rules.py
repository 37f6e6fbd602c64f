"""Pure rules of the business portal: when a licence's expiry is warned of, and which businesses
owe a yearly self-inspection report by when. No Django import; values come from
data/portal-rules.toml, each edition with its source and how it was verified."""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TypeVar

from django.utils.translation import gettext as _

DATA = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class LicenceWarning:
    id: str
    valid_from: dt.date
    days_before: int
    source: str
    verification: str


@dataclass(frozen=True)
class SelfInspectionRule:
    id: str
    valid_from: dt.date
    business_types: tuple[str, ...]
    due_month: int
    due_day: int
    source: str
    verification: str


E = TypeVar("E", LicenceWarning, SelfInspectionRule)


@cache
def _data() -> dict:
    return tomllib.loads((DATA / "portal-rules.toml").read_text(encoding="utf-8"))


@cache
def load_licence_warnings() -> tuple[LicenceWarning, ...]:
    eds = [LicenceWarning(**e) for e in _data()["licence_warning"]]
    return tuple(sorted(eds, key=lambda e: e.valid_from))


@cache
def load_self_inspection_rules() -> tuple[SelfInspectionRule, ...]:
    eds = [
        SelfInspectionRule(**{**e, "business_types": tuple(e["business_types"])})
        for e in _data()["self_inspection"]
    ]
    return tuple(sorted(eds, key=lambda e: e.valid_from))


def _in_force(on: dt.date, editions: Sequence[E], what: str) -> E:
    applicable = [e for e in editions if e.valid_from <= on]
    if not applicable:
        raise LookupError(
            _("%(on)s 没有施行中的%(what)s规则（最早版本 %(id)s 自 %(valid_from)s 起）")
            % {"on": on, "what": what, "id": editions[0].id, "valid_from": editions[0].valid_from}
        )
    return applicable[-1]


def licence_warning_in_force(on: dt.date, editions: Sequence[LicenceWarning] | None = None) -> LicenceWarning:
    return _in_force(on, editions or load_licence_warnings(), "许可证到期提醒")


def self_inspection_rule_in_force(
    on: dt.date, editions: Sequence[SelfInspectionRule] | None = None
) -> SelfInspectionRule:
    return _in_force(on, editions or load_self_inspection_rules(), "自查报告")


@dataclass(frozen=True)
class LicenceState:
    """A licence's standing on a day: `expired`, `expiring` (within the warning window), `valid`,
    or `unknown` (no expiry date on file); with the days left (negative once expired)."""

    state: str
    days_left: int | None
    message: str


def licence_state(*, valid_until: dt.date | None, today: dt.date, rule: LicenceWarning) -> LicenceState:
    """The licence's standing on `today` (the last valid day is `valid_until` itself)."""
    if valid_until is None:
        return LicenceState("unknown", None, "许可证有效期未登记")
    left = (valid_until - today).days
    if left < 0:
        return LicenceState("expired", left, f"许可证已于 {valid_until} 过期（{-left} 天前），请立即办理")
    if left <= rule.days_before:
        return LicenceState(
            "expiring", left, f"许可证将于 {valid_until} 到期（还有 {left} 天），请及时申请延续"
        )
    return LicenceState("valid", left, f"许可证有效期至 {valid_until}")


def self_inspection_owed(*, business_type: str, rule: SelfInspectionRule) -> bool:
    """Whether a business of this type owes the yearly self-inspection report (第八十三条)."""
    return business_type in rule.business_types


def self_inspection_due(*, year: int, rule: SelfInspectionRule) -> dt.date:
    """The last day to file the report for `year`."""
    return dt.date(year, rule.due_month, rule.due_day)


def check_self_inspection_figures(*, items_checked: int, problems_found: int, problems_fixed: int) -> None:
    """The form's figures must agree: raise ValueError with a sentence naming the field."""
    if min(items_checked, problems_found, problems_fixed) < 0:
        raise ValueError(_("各项数字不能为负数"))
    if items_checked == 0:
        raise ValueError(_("自查项目数不能为 0"))
    if problems_fixed > problems_found:
        raise ValueError(
            _("已整改问题数（%(problems_fixed)s）不能多于发现问题数（%(problems_found)s）")
            % {"problems_fixed": problems_fixed, "problems_found": problems_found}
        )
