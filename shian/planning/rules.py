"""Pure rules of the annual plan: progress against the year elapsed, lagging and late, when a
supervision notice is raised, when a unit goes on the interview list, and when a reported figure
contradicts the records. No Django import; rule values come from data/accountability-rules.toml."""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.utils.translation import gettext_noop

RULES_FILE = Path(__file__).resolve().parent / "data" / "accountability-rules.toml"


@dataclass(frozen=True)
class AccountabilityRules:
    id: str
    valid_from: dt.date
    source: str
    verification: str
    lagging_tolerance_pp: Decimal
    notice_response_working_days: int
    quarterly_report_working_days: int
    interview_unanswered_notices: int
    interview_consecutive_lagging_quarters: int
    contradiction_relative: Decimal
    contradiction_absolute: Decimal
    contradiction_rate_pp: Decimal = Decimal(1)
    rate_units: tuple[str, ...] = ("%",)
    rate_ceiling: Decimal = Decimal(100)


def load_rules(path: Path = RULES_FILE) -> list[AccountabilityRules]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    editions = []
    for e in data["edition"]:
        editions.append(
            AccountabilityRules(
                id=e["id"],
                valid_from=e["valid_from"],
                source=e["source"],
                verification=e["verification"],
                lagging_tolerance_pp=Decimal(str(e["lagging_tolerance_pp"])),
                notice_response_working_days=int(e["notice_response_working_days"]),
                quarterly_report_working_days=int(e["quarterly_report_working_days"]),
                interview_unanswered_notices=int(e["interview_unanswered_notices"]),
                interview_consecutive_lagging_quarters=int(e["interview_consecutive_lagging_quarters"]),
                contradiction_relative=Decimal(str(e["contradiction_relative"])),
                contradiction_absolute=Decimal(str(e["contradiction_absolute"])),
                contradiction_rate_pp=Decimal(str(e.get("contradiction_rate_pp", 1))),
                rate_units=tuple(e.get("rate_units", ["%"])),
                rate_ceiling=Decimal(str(e.get("rate_ceiling", 100))),
            )
        )
    return sorted(editions, key=lambda r: r.valid_from)


def rules_in_force(on: dt.date, editions: Sequence[AccountabilityRules] | None = None) -> AccountabilityRules:
    """The edition whose valid_from is the latest not after `on`."""
    editions = load_rules() if editions is None else editions
    applicable = [r for r in editions if r.valid_from <= on]
    if not applicable:
        raise LookupError(f"no accountability rules in force on {on}")
    return applicable[-1]


def year_elapsed(as_of: dt.date, starts: dt.date, ends: dt.date) -> Decimal:
    """Share of the plan period elapsed at the end of `as_of` (0 before it starts, 1 after it ends)."""
    if as_of < starts:
        return Decimal(0)
    if as_of >= ends:
        return Decimal(1)
    return Decimal((as_of - starts).days + 1) / Decimal((ends - starts).days + 1)


def progress(actual: Decimal | None, target: Decimal, comparator: str) -> Decimal | None:
    """How far a figure is towards its target, 1 meaning met. For "at most" targets the share is
    1 while the figure stays within the limit."""
    if actual is None:
        return None
    if comparator == ">=":
        if target == 0:
            return Decimal(1)
        return max(Decimal(0), actual / target)
    if comparator == "<=":
        return Decimal(1) if actual <= target else (target / actual if actual else Decimal(0))
    return Decimal(1) if actual == target else Decimal(0)


class Status:
    DONE = "done"
    ON_TRACK = "on_track"
    LAGGING = "lagging"
    LATE = "late"
    NO_DATA = "no_data"


# Every status's words, in one place: pages, the API, the command line and the reports use these.
# Marked (gettext_noop leaves them as they are) so that pages show them in the reader's language.
STATUS_LABELS: dict[str, str] = {
    Status.DONE: gettext_noop("已完成"),
    Status.ON_TRACK: gettext_noop("按进度推进"),
    Status.LAGGING: gettext_noop("滞后"),
    Status.LATE: gettext_noop("逾期未完成"),
    Status.NO_DATA: gettext_noop("暂无数据"),
}

# What each status means, shown beside the labels (the plan page's legend and the API).
STATUS_MEANINGS: dict[str, str] = {
    Status.DONE: "数值已达到目标",
    Status.ON_TRACK: "未到期，进度不落后于时间进度（容差内）",
    Status.LAGGING: "未到期，进度落后于时间进度超过容差",
    Status.LATE: "已到完成时限（含时限当日及年末），数值仍未达到目标或没有数值",
    Status.NO_DATA: "未到期，尚无数值",
}

COMPARATOR_SYMBOLS = {">=": "≥", "<=": "≤", "=": "="}


def comparator_symbol(comparator: str) -> str:
    """The comparator as written in Chinese documents: "≥" for ">=", "≤" for "<="."""
    return COMPARATOR_SYMBOLS.get(comparator, comparator)


def target_status(
    *,
    actual: Decimal | None,
    target: Decimal,
    comparator: str,
    as_of: dt.date,
    due: dt.date,
    starts: dt.date,
    rules: AccountabilityRules,
    milestone: bool = False,
) -> str:
    """Done, on track, lagging (behind the year elapsed by more than the tolerance), late (its due
    date reached and not met) or no data. A milestone is judged only by its due date: it is not
    expected to progress evenly through the year.

    On the due date itself the period is complete (时间进度 100%): a figure short of the goal then
    is 逾期未完成, never 按进度推进 — the lagging tolerance applies only while time remains (plan
    task (一): 年底前完成). A target at 95 % as of 12-31 is not on track; it was not done."""
    share = progress(actual, target, comparator)
    if share is not None and share >= 1:
        return Status.DONE
    if as_of >= due:
        return Status.LATE
    if share is None:
        return Status.NO_DATA
    if milestone:
        return Status.ON_TRACK
    expected = year_elapsed(as_of, starts, due)
    if (expected - share) * 100 > rules.lagging_tolerance_pp:
        return Status.LAGGING
    return Status.ON_TRACK


def needs_notice(status: str) -> bool:
    """任务（一）: lagging and late targets are supervised (督查督办) at the quarter-end evaluation."""
    return status in (Status.LAGGING, Status.LATE)


def needs_interview(
    *, unanswered_notices: int, lagging_quarter_ends: Sequence[bool], rules: AccountabilityRules
) -> str | None:
    """任务（三）: the reason a unit goes on the interview list, or None.

    `lagging_quarter_ends` holds, per quarter end evaluated so far in order, whether the unit was
    lagging or late on any target then."""
    if unanswered_notices >= rules.interview_unanswered_notices:
        return f"督办通知逾期未回复 {unanswered_notices} 次（规则：≥{rules.interview_unanswered_notices} 次）"
    run = 0
    for lagging in lagging_quarter_ends:
        run = run + 1 if lagging else 0
        if run >= rules.interview_consecutive_lagging_quarters:
            return (
                f"连续 {run} 个季度末任务滞后（规则：≥{rules.interview_consecutive_lagging_quarters} 个季度）"
            )
    return None


def figure_contradicts(
    reported: Decimal, computed: Decimal | None, rules: AccountabilityRules, unit: str = ""
) -> str | None:
    """A reported figure that the platform's own records contradict, with the reason; else None.
    A rate differs when the gap exceeds `contradiction_rate_pp` percentage points; any other figure
    when it exceeds both the absolute and the relative tolerance."""
    if computed is None:
        return None
    diff = abs(reported - computed)
    if unit in rules.rate_units:
        if diff > rules.contradiction_rate_pp:
            return (
                f"上报值 {fmt_number(reported)}{unit} 与平台记录 {fmt_number(computed)}{unit} 不符"
                f"（相差 {fmt_number(diff)} 个百分点）"
            )
        return None
    relative = diff / abs(computed) if computed else (Decimal(1) if diff else Decimal(0))
    if diff > rules.contradiction_absolute and relative > rules.contradiction_relative:
        return f"上报值 {reported:g} 与平台记录 {computed:g} 不符（相差 {relative:.0%}）"
    return None


def fmt_number(value: Decimal) -> str:
    """At most two decimals, no trailing zeros: 98.87, 95.6, 100."""
    text = f"{value:.2f}"
    return text.rstrip("0").rstrip(".")


def figure_implausible(
    value: Decimal, *, unit: str, may_exceed: bool, rules: AccountabilityRules
) -> str | None:
    """Why a reported figure cannot be true, or None. No figure is negative; a rate (a part of a
    whole: coverage, completion) cannot exceed 100 % unless its target's definition allows it."""
    if value < 0:
        return f"上报值不能为负数：{fmt_number(value)}{unit}"
    if unit in rules.rate_units and not may_exceed and value > rules.rate_ceiling:
        return (
            f"比率不能超过{fmt_number(rules.rate_ceiling)}{unit}：上报值 {fmt_number(value)}{unit}。"
            "覆盖率、完成率是部分占全部的比例，请核对分子和分母；"
            "如该目标的定义允许超过100%（如增长率），请区食安办在计划中注明"
        )
    return None


class FigureReview:
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    RETURNED = "returned"


# A reported figure's review, in words: progress and status count only accepted figures.
FIGURE_STATUS_LABELS: dict[str, str] = {
    FigureReview.SUBMITTED: gettext_noop("待审核"),
    FigureReview.ACCEPTED: gettext_noop("已采纳"),
    FigureReview.RETURNED: gettext_noop("已退回"),
}


def quarter_ends(year: int) -> list[dt.date]:
    return [dt.date(year, 3, 31), dt.date(year, 6, 30), dt.date(year, 9, 30), dt.date(year, 12, 31)]
