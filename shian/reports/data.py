"""What a report says, as plain data: the lines read from the records (`ReportData`) and the Chinese
words the documents print for the platform's enumerations. No database, no rendering."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from shian.planning import rules as plan_rules

Kind = Literal["quarterly", "yearly", "whitepaper"]
KINDS: dict[str, str] = {"quarterly": "季度报告", "yearly": "年度报告", "whitepaper": "食品安全白皮书"}
NO_DATA = "暂无数据"
STATUS_ORDER = (
    plan_rules.Status.DONE,
    plan_rules.Status.ON_TRACK,
    plan_rules.Status.LAGGING,
    plan_rules.Status.LATE,
    plan_rules.Status.NO_DATA,
)
BEHIND = (plan_rules.Status.LAGGING, plan_rules.Status.LATE)
CN_NUMERALS = "一二三四五六七八九十"
PERIODS = ("Q1", "Q2", "Q3", "Q4", "Y")
PERIOD_LABELS = {"Q1": "第1季度", "Q2": "第2季度", "Q3": "第3季度", "Q4": "第4季度", "Y": "年终"}
# The planning and core enumerations' Chinese words as the documents print them (the documents are
# Chinese whatever the reader's language).
LEVEL_LABELS = {"street": "街道", "town": "镇", "township": "乡", "zone": "开发区", "farm": "农场"}
REPORT_STATUS_LABELS = {
    "draft": "未提交",
    "submitted": "已提交",
    "returned": "已退回修改",
    "accepted": "已通过",
}
INTERVIEW_STATUS_LABELS = {"listed": "待约谈", "held": "已约谈", "closed": "已办结"}
TREND_LABELS = {"up": "上升", "down": "下降", "flat": "持平", "new": "首次评分", "none": "—"}
# The plan's target statuses as the white paper prints them: plain words for the public, not the
# platform's supervision labels (逾期未完成, 滞后).
PUBLIC_STATUS_LABELS = {
    plan_rules.Status.DONE: "已完成",
    plan_rules.Status.ON_TRACK: "按计划推进",
    plan_rules.Status.LAGGING: "进度偏慢",
    plan_rules.Status.LATE: "未完成",
    plan_rules.Status.NO_DATA: "暂无统计",
}
GRADES = ("A", "B", "C", "D")
UNCLASSIFIED = "未归类"


class Timeliness:
    ON_TIME = "on_time"
    LATE = "late"
    MISSING = "missing"
    NOT_DUE = "not_due"


TIMELINESS_LABELS = {
    Timeliness.ON_TIME: "按时报送",
    Timeliness.LATE: "逾期报送",
    Timeliness.MISSING: "逾期未报",
    Timeliness.NOT_DUE: "未到截止日期",
}


class ReportError(ValueError):
    """A report that cannot be made as asked (no plan for the year, a bad quarter, kind or
    format), with a message for the person who asked."""


# ------------------------------------------------------------------------------------- the data


@dataclass(frozen=True)
class SectionLine:
    no: int
    title: str


@dataclass(frozen=True)
class TaskLine:
    no: int
    section_no: int
    title: str
    leads: tuple[str, ...]
    due: dt.date


@dataclass(frozen=True)
class TargetLine:
    task_no: int
    code: str
    description: str
    comparator: str
    value: Decimal
    unit: str
    due: dt.date
    figure: Decimal | None
    progress: Decimal | None
    expected: Decimal
    status: str
    owners: tuple[str, ...]
    flag: str = ""


@dataclass(frozen=True)
class NoticeLine:
    issued_on: dt.date
    task_no: int
    task_title: str
    unit: str
    reason: str
    response_due: dt.date
    status: str
    responded_on: dt.date | None
    response: str = ""


@dataclass(frozen=True)
class InterviewLine:
    listed_on: dt.date
    unit: str
    reason: str
    status: str
    held_on: dt.date | None


@dataclass(frozen=True)
class FilingLine:
    period: str
    unit: str
    is_town: bool
    due: dt.date
    submitted_on: dt.date | None
    status: str
    timeliness: str


@dataclass(frozen=True)
class EvaluationLine:
    as_of: dt.date
    notices: int
    interviews: int


@dataclass(frozen=True)
class CommendationLine:
    awarded_on: dt.date
    recipient: str
    reason: str


@dataclass(frozen=True)
class TownLine:
    code: str
    name: str
    level: str
    population: int
    businesses: int | None  # None: the register holds no data
    coordinators: int | None  # None: no coordinator roster


@dataclass(frozen=True)
class IndexRow:
    rank: int | None
    town: str
    score: Decimal | None
    coverage: Decimal
    previous: Decimal | None
    trend: str


@dataclass(frozen=True)
class IndexQuarter:
    year: int
    quarter: int
    edition: str
    rows: tuple[IndexRow, ...]
    missing_components: tuple[str, ...]

    @property
    def scored(self) -> list[IndexRow]:
        return [r for r in self.rows if r.score is not None]


def share(part: int, whole: int) -> Decimal | None:
    """part ÷ whole, None when there is nothing to divide."""
    return None if whole == 0 else Decimal(part) / Decimal(whole)


@dataclass(frozen=True)
class CategoryLine:
    """One big food category's batches in the period."""

    category: str  # "" when the sampling category matches no edition's big category
    batches: int  # taken
    judged: int  # of those, with a conclusion
    unqualified: int

    @property
    def name(self) -> str:
        return self.category or UNCLASSIFIED

    @property
    def pass_rate(self) -> Decimal | None:
        return share(self.judged - self.unqualified, self.judged)


@dataclass(frozen=True)
class TownResults:
    """One town's core results in the period (its disposal and rectification work as it stood at
    the date of the data)."""

    code: str
    name: str
    businesses: int | None = None  # active in the register; None: no register
    batches: int = 0
    judged: int = 0
    unqualified: int = 0
    disposals: int = 0
    disposals_on_time: int = 0
    disposals_late: int = 0  # done after the working-day due date
    disposals_overdue: int = 0  # not done, past the due date
    inspections: int = 0
    inspected: int = 0  # distinct businesses inspected
    findings: int = 0
    rectifications: int = 0
    rectified_on_time: int = 0
    rectified_late: int = 0
    rectification_overdue: int = 0
    grades: tuple[int, int, int, int] = (0, 0, 0, 0)  # A, B, C, D
    quick_tests: int = 0
    quick_positive: int = 0

    @property
    def pass_rate(self) -> Decimal | None:
        return share(self.judged - self.unqualified, self.judged)

    @property
    def coverage(self) -> Decimal | None:
        return None if not self.businesses else share(self.inspected, self.businesses)

    @property
    def graded(self) -> int:
        return sum(self.grades)

    @property
    def risky_share(self) -> Decimal | None:
        """C and D grades ÷ graded businesses."""
        return share(self.grades[2] + self.grades[3], self.graded)


@dataclass(frozen=True)
class CoreResults:
    """The regulator's core results of the period, district-wide and per town."""

    towns: tuple[TownResults, ...]
    categories: tuple[CategoryLine, ...]
    inspected: int  # distinct businesses inspected in the district
    results: tuple[int, int, int] = (0, 0, 0)  # inspections 符合, 基本符合, 不符合
    corrected_on_spot: int = 0
    quick_confirmed: int = 0  # positives that stand
    quick_followed: int = 0  # of those, followed by a supervisory sample
    disposals_in_progress: int = 0
    rectification_in_progress: int = 0

    def total(self, attr: str) -> int:
        return sum(getattr(t, attr) for t in self.towns)

    @property
    def pass_rate(self) -> Decimal | None:
        return share(self.total("judged") - self.total("unqualified"), self.total("judged"))

    @property
    def grades(self) -> tuple[int, int, int, int]:
        a, b, c, d = (sum(t.grades[i] for t in self.towns) for i in range(4))
        return (a, b, c, d)

    @property
    def businesses(self) -> int | None:
        known = [t.businesses for t in self.towns if t.businesses is not None]
        return sum(known) if known else None


@dataclass(frozen=True)
class ReportData:
    kind: str
    year: int
    quarter: int | None
    period_start: dt.date
    as_of: dt.date
    period_end: dt.date
    today: dt.date
    plan_starts: dt.date
    plan_ends: dt.date
    district: str
    plan_title: str
    sections: tuple[SectionLine, ...]
    tasks: tuple[TaskLine, ...]
    targets: tuple[TargetLine, ...]
    notices: tuple[NoticeLine, ...] = ()
    interviews: tuple[InterviewLine, ...] = ()
    evaluations: tuple[EvaluationLine, ...] = ()
    commendations: tuple[CommendationLine, ...] = ()
    filings: tuple[FilingLine, ...] = ()
    towns: tuple[TownLine, ...] = ()
    businesses_by_type: tuple[tuple[str, int], ...] = ()  # empty: the register holds no data
    coordinator_target: tuple[str, Decimal, str] | None = None  # (comparator, value, unit) from the plan
    index_available: bool = False  # the metrics module is installed
    index: tuple[IndexQuarter, ...] = ()  # published runs within the period, oldest first
    index_quarters_due: tuple[int, ...] = ()  # quarters of the period that have ended
    results: CoreResults | None = None  # sampling, inspections, grades, quick tests; None: not read

    @property
    def title(self) -> str:
        if self.kind == "quarterly":
            return f"{self.district}{self.year}年第{self.quarter}季度食品安全工作报告"
        if self.kind == "yearly":
            return f"{self.district}{self.year}年度食品安全工作报告"
        return f"{self.district}{self.year}年食品安全白皮书"

    @property
    def author_org(self) -> str:
        return f"{self.district}食品安全委员会办公室"

    @property
    def register_known(self) -> bool:
        return any(t.businesses for t in self.towns)

    @property
    def roster_known(self) -> bool:
        return any(t.coordinators is not None for t in self.towns)

    @property
    def complete(self) -> bool:
        """Whether the period is over at the date of the data."""
        return self.as_of >= self.period_end
