"""The district's reports assembled from its records: the quarterly report (季度报告), the year-end
report (年度报告) and the annual food-safety white paper (食品安全白皮书), in Chinese.

Two steps, so that the wording is tested without a database:

    data = gather_report(kind="whitepaper", year=2022)    # every read, through the selectors
    doc = build_document(data)                             # pure: ReportData -> Document

`report_file` does both and renders the format asked for; the command and the page call it.
Every figure comes from a record; where there is none the text says "暂无数据".
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.utils import timezone, translation

from shian.core import indicators
from shian.core.audit import AuditEvent, audit_record
from shian.core.models import AuditAction, AuditSource, Department, Region, RegionLevel, Role, User
from shian.core.permissions import Cap, require_cap
from shian.planning import rules as plan_rules
from shian.planning.models import AnnualPlan, PlanStatus, ProgressReport
from shian.planning.selectors import (
    STATUS_LABELS,
    fmt,
    interviews_for_user,
    notices_for_user,
    plan_for_year,
    plan_status,
    plan_tasks_for_user,
    reports_for_user,
)
from shian.planning.services import target_owners

from . import document as d
from .document import (
    Block,
    BulletList,
    Chart,
    Document,
    Heading,
    KeyFigures,
    Paragraph,
    Series,
    Table,
)
from .render_docx import render_docx
from .render_pdf import render_pdf
from .xlsx import tables_to_xlsx

Kind = Literal["quarterly", "yearly", "whitepaper"]
KINDS: dict[str, str] = {"quarterly": "季度报告", "yearly": "年度报告", "whitepaper": "食品安全白皮书"}
FORMATS: dict[str, tuple[str, Callable[[Document], bytes]]] = {
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", render_docx),
    "pdf": ("application/pdf", render_pdf),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", tables_to_xlsx),
}
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


def filename(data: ReportData, fmt_: str) -> str:
    return f"{data.title}.{fmt_}"


# ------------------------------------------------------------------------------------ gathering


class _DistrictReader:
    """Whom a district-wide report is read as: the committee's observer (Role.VIEWER) sees every
    unit's and town's plan records and only the published index, which is what a report that may
    be published can show. Whoever asks for a report must hold Cap.PLAN_VIEW (the page checks)."""

    is_authenticated = True
    is_active = True
    is_superuser = False
    role = Role.VIEWER
    region_id = None
    region = None  # attached to the district, not to a town: scope_for gives it everything
    department_id = None
    pk = None


READER = _DistrictReader()


def quarter_period(year: int, quarter: int) -> indicators.Period:
    return indicators.Period.quarter(year, quarter)


def check_request(*, kind: str, year: int, quarter: int | None) -> None:
    """Refuse a request that cannot make sense before anything is read."""
    if kind not in KINDS:
        raise ReportError(f"未知的报告类型“{kind}”，应为 quarterly、yearly 或 whitepaper")
    if kind == "quarterly":
        if quarter is None:
            raise ReportError("季度报告须指定季度（1–4）")
        if quarter not in (1, 2, 3, 4):
            raise ReportError(f"季度须为 1、2、3 或 4，而不是 {quarter}")
    elif quarter is not None:
        raise ReportError("只有季度报告需要指定季度")
    if not 2000 <= year <= 2100:
        raise ReportError(f"年份 {year} 超出范围")


def plan_years() -> list[int]:
    """Years with a plan in force, newest first (the page offers these)."""
    return sorted(
        set(AnnualPlan.objects.filter(status=PlanStatus.ACTIVE).values_list("year", flat=True)), reverse=True
    )


def gather_report(
    *, kind: str, year: int, quarter: int | None = None, today: dt.date | None = None
) -> ReportData:
    """Everything a report says, read from the records at `today` (default: the local date)."""
    check_request(kind=kind, year=year, quarter=quarter)
    today = today or timezone.localdate()
    try:
        plan = plan_for_year(year=year, region=settings.SHIAN_DISTRICT_CODE)
    except Http404:
        raise ReportError(f"没有 {year} 年的现行食品安全监督管理计划，无法生成报告") from None
    if quarter is not None:
        period = quarter_period(year, quarter)
        start, end = max(period.start, plan.starts), min(period.end, plan.ends)
    else:
        start, end = plan.starts, plan.ends
    if today < start:
        raise ReportError(f"报告期自{d.format_date(start)}开始，尚无数据")
    as_of = min(end, today)

    rows = plan_status(plan=plan, as_of=as_of)
    # Units by their short names (区食安办, 区市场监管局), as the district's own papers write them.
    units = dict(Department.objects.values_list("code", "short_name"))
    regions = {r.code: r for r in Region.objects.all()}

    tasks = []
    for task in plan_tasks_for_user(user=READER, plan=plan).order_by("no"):
        assignments = list(task.assignments.all())
        tasks.append(
            TaskLine(
                no=task.no,
                section_no=task.section.no,
                title=task.title,
                leads=tuple(units.get(a.department_id or "", "") for a in assignments if a.role == "lead"),
                due=task.due,
            )
        )
    targets = tuple(
        TargetLine(
            task_no=row.target.task.no,
            code=row.target.code,
            description=row.target.description,
            comparator=row.target.comparator,
            value=row.target.value,
            unit=row.target.unit,
            due=row.target.due,
            figure=row.figure,
            progress=row.progress,
            expected=row.expected,
            status=row.status,
            owners=tuple(units.get(code, code) for code in target_owners(row.target)),
            flag=row.flag,
        )
        for row in rows
    )
    coordinator_target = next(
        (
            (r.target.comparator, r.target.value, r.target.unit)
            for r in rows
            if r.target.indicator_code == "core.coordinators_per_10k"
        ),
        None,
    )

    def unit_name(department_id: str | None, region_id: str | None) -> str:
        if department_id:
            return units.get(department_id, department_id)
        return regions[region_id].name if region_id in regions else (region_id or "")

    notices = tuple(
        NoticeLine(
            issued_on=n.issued_on,
            task_no=n.task.no,
            task_title=n.task.title,
            unit=unit_name(n.department_id, n.region_id),
            reason=n.reason,
            response_due=n.response_due,
            status=n.status,
            responded_on=n.responded_on,
            response=n.response,
        )
        for n in notices_for_user(user=READER, plan=plan)
        .filter(issued_on__gte=start, issued_on__lte=as_of)
        .order_by("issued_on", "task__no", "department_id", "id")
    )
    interviews = tuple(
        InterviewLine(
            listed_on=i.listed_on,
            unit=unit_name(i.department_id, i.region_id),
            reason=i.reason,
            status=i.status,
            held_on=i.held_on,
        )
        for i in interviews_for_user(user=READER, plan=plan)
        .filter(listed_on__gte=start, listed_on__lte=as_of)
        .order_by("listed_on", "id")
    )
    evaluations = tuple(
        EvaluationLine(e.as_of, e.notices, e.interviews)
        for e in plan.evaluations.filter(as_of__gte=start, as_of__lte=as_of).order_by("as_of")
    )
    commendations = tuple(
        CommendationLine(c.awarded_on, c.person or unit_name(c.department_id, c.region_id), c.reason)
        for c in plan.commendations.filter(awarded_on__gte=start, awarded_on__lte=as_of).order_by(
            "awarded_on"
        )
    )
    periods = [f"Q{quarter}"] if quarter is not None else list(PERIODS)
    filings = tuple(
        _filing(r, unit_name(r.department_id, r.region_id), today)
        for r in reports_for_user(user=READER, plan=plan)
        .filter(period__in=periods)
        .order_by("period", "region_id", "department__sort_order", "department_id")
    )

    towns, by_type = _register_and_roster(as_of, regions)
    quarters_due = tuple(
        q
        for q in (1, 2, 3, 4)
        if start <= quarter_period(year, q).start and quarter_period(year, q).end <= today
    )
    wanted = [quarter] if quarter is not None else [1, 2, 3, 4]
    index_available, index = _index_quarters(year, wanted)
    return ReportData(
        kind=kind,
        year=year,
        quarter=quarter,
        period_start=start,
        as_of=as_of,
        period_end=end,
        today=today,
        plan_starts=plan.starts,
        plan_ends=plan.ends,
        district=plan.region.name,
        plan_title=plan.title,
        sections=tuple(SectionLine(s.no, s.title) for s in plan.sections.order_by("no")),
        tasks=tuple(tasks),
        targets=targets,
        notices=notices,
        interviews=interviews,
        evaluations=evaluations,
        commendations=commendations,
        filings=filings,
        towns=towns,
        businesses_by_type=by_type,
        coordinator_target=coordinator_target,
        index_available=index_available,
        index=tuple(index),
        index_quarters_due=quarters_due,
    )


def _filing(report: ProgressReport, unit: str, today: dt.date) -> FilingLine:
    # The due date speaks of the local (Asia/Shanghai) day.
    submitted_on = timezone.localtime(report.submitted_at).date() if report.submitted_at else None
    if submitted_on is not None:
        timeliness = Timeliness.ON_TIME if submitted_on <= report.due else Timeliness.LATE
    else:
        timeliness = Timeliness.MISSING if today > report.due else Timeliness.NOT_DUE
    return FilingLine(
        period=report.period,
        unit=unit,
        is_town=report.region_id is not None,
        due=report.due,
        submitted_on=submitted_on,
        status=report.status,
        timeliness=timeliness,
    )


def _register_and_roster(
    as_of: dt.date, regions: dict[str, Region]
) -> tuple[tuple[TownLine, ...], tuple[tuple[str, int], ...]]:
    """Active businesses per town and per type at `as_of`, and coordinators per town, through the
    indicators the register and core declare (so the report never reads their tables itself)."""
    period = indicators.Period(dt.date(as_of.year, 1, 1), as_of)
    businesses: dict[str, int] = {}
    by_type: list[tuple[str, int]] = []
    if indicators.get("registry.businesses_active") is not None:
        result = indicators.compute("registry.businesses_active", period)
        businesses = {code: int(num) for code, (num, _den) in result.by_region.items()}
        from shian.registry.models import BusinessType  # the enumeration's labels only

        with translation.override("zh-hans"):
            for value, label in BusinessType.choices:
                code = f"registry.businesses_active.{value}"
                if indicators.get(code) is None:
                    continue
                n = int(indicators.compute(code, period).numerator)
                if n:
                    by_type.append((str(label), n))
        by_type.sort(key=lambda item: -item[1])
    roster = indicators.compute("core.coordinators_per_10k", period)
    towns = tuple(
        TownLine(
            code=r.code,
            name=r.name,
            level=r.level,
            population=r.population,
            businesses=businesses.get(r.code) if businesses else None,
            coordinators=None
            if roster.missing or r.code not in roster.by_region
            else int(roster.by_region[r.code][0]),
        )
        for r in sorted(regions.values(), key=lambda r: r.code)
        if r.level != RegionLevel.DISTRICT
    )
    return towns, tuple(by_type)


def _index_quarters(year: int, quarters: Sequence[int]) -> tuple[bool, list[IndexQuarter]]:
    """The published town index of the quarters asked for, if the metrics module is there."""
    try:
        from shian.metrics import selectors as metrics
    except ImportError:
        return False, []
    out: list[IndexQuarter] = []
    try:
        runs = (
            metrics.runs_for_user(user=READER)
            .filter(year=year, quarter__in=list(quarters))
            .order_by("quarter")
        )
        for run in runs:
            table = metrics.index_table(run=run)
            out.append(
                IndexQuarter(
                    year=run.year,
                    quarter=run.quarter,
                    edition=run.edition_id,
                    rows=tuple(
                        IndexRow(
                            rank=row.rank,
                            town=row.region.name,
                            score=row.score,
                            coverage=row.coverage,
                            previous=row.previous_score,
                            trend=row.trend,
                        )
                        for row in table.rows
                    ),
                    missing_components=tuple(m.name for m in table.missing),
                )
            )
    except (AttributeError, LookupError):  # the metrics module still being built: no index yet
        return False, []
    return True, out


# ------------------------------------------------------------------------------- small helpers


def cn_number(n: int) -> str:
    """1..99 in Chinese numerals (一, 十, 十三, 二十七), as the plan numbers its parts and tasks."""
    if not 1 <= n <= 99:
        return str(n)
    tens, ones = divmod(n, 10)
    text = ("" if tens <= 1 else CN_NUMERALS[tens - 1]) + ("十" if tens else "")
    return text + (CN_NUMERALS[ones - 1] if ones else "")


def task_label(no: int, title: str = "") -> str:
    return f"（{cn_number(no)}）{title}"


def number(value: Decimal | int | None) -> int | float | None:
    """A figure as a table cell: whole numbers as int, others to at most 2 decimals."""
    if value is None:
        return None
    dec = Decimal(value)
    if dec == dec.to_integral_value():
        return int(dec)
    return float(fmt(dec))


def percent(share: Decimal | None, places: int = 0) -> str:
    if share is None:
        return NO_DATA
    return f"{fmt(share * 100, places)}%"


def comparator_sign(comparator: str) -> str:
    return plan_rules.comparator_symbol(comparator)


def figure_text(line: TargetLine) -> str:
    return NO_DATA if line.figure is None else f"{fmt(line.figure)}{line.unit}"


def goal_text(line: TargetLine) -> str:
    return f"{comparator_sign(line.comparator)}{fmt(line.value)}{line.unit}"


def achieved_text(line: TargetLine) -> str:
    """ "全年食品安全监督抽检批次：6675批次（目标≥6570批次），已完成"."""
    return f"{line.description}：{figure_text(line)}（目标{goal_text(line)}），{STATUS_LABELS[line.status]}"


def status_counts(targets: Iterable[TargetLine]) -> Counter[str]:
    return Counter(t.status for t in targets)


def counts_sentence(counts: Counter[str], unit: str = "个") -> str:
    """ "已完成3个，按进度推进22个，滞后3个" — the statuses present, in a fixed order."""
    parts = [f"{STATUS_LABELS[s]}{counts[s]}{unit}" for s in STATUS_ORDER if counts[s]]
    return "，".join(parts) if parts else NO_DATA


def date_text(day: dt.date | None) -> str:
    return d.format_date(day) if day else "—"


def short_date(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def population_wan(population: int) -> float:
    return float(fmt(Decimal(population) / 10000))


def per_10k(n: int | None, population: int) -> float | None:
    if n is None or not population:
        return None
    return float(fmt(Decimal(n) * 10000 / Decimal(population)))


def meets(value: float | None, comparator: str, goal: Decimal) -> str:
    if value is None:
        return NO_DATA
    v = Decimal(str(value))
    ok = v >= goal if comparator == ">=" else v <= goal if comparator == "<=" else v == goal
    return "达标" if ok else "未达标"


def task_status(targets: Sequence[TargetLine]) -> str | None:
    """A task's status from its targets: done when all are; else the most pressing one; None for
    a task the plan gives no target."""
    if not targets:
        return None
    statuses = {t.status for t in targets}
    if statuses == {plan_rules.Status.DONE}:
        return plan_rules.Status.DONE
    for status in (plan_rules.Status.LATE, plan_rules.Status.LAGGING, plan_rules.Status.ON_TRACK):
        if status in statuses:
            return status
    if plan_rules.Status.DONE in statuses:  # done and no data: partly known
        return plan_rules.Status.ON_TRACK
    return plan_rules.Status.NO_DATA


def _period_phrase(data: ReportData) -> str:
    return f"截至{d.format_date(data.as_of)}"


# ---------------------------------------------------------------------------------- assembling


def build_document(data: ReportData) -> Document:
    builders = {"quarterly": build_quarterly, "yearly": build_yearly, "whitepaper": build_whitepaper}
    return builders[data.kind](data)


def _document(data: ReportData, subtitle: str, blocks: list[Block]) -> Document:
    return Document(
        title=data.title, subtitle=subtitle, author_org=data.author_org, date=data.today, blocks=blocks
    )


def build_quarterly(data: ReportData) -> Document:
    n = _Numbering()
    blocks: list[Block] = [
        Paragraph(
            f"本报告根据食品安全监管平台的记录，汇总{_period_phrase(data)}《{data.plan_title}》的执行进度、"
            "督查督办和约谈、各单位和镇街工作报告报送、监管对象登记、专职协管员配备和镇街食品安全指数情况。"
            f"平台没有记录的项目标注“{NO_DATA}”。"
        )
    ]
    blocks += _plan_overview(data, n)
    blocks += _behind(data, n)
    blocks += _supervision(data, n, public=False)
    blocks += _filings(data, n)
    blocks += _register(data, n)
    blocks += _roster(data, n)
    blocks += _index_quarter(data, n)
    subtitle = f"（数据{_period_phrase(data)}）"
    return _document(data, subtitle, blocks)


def build_yearly(data: ReportData) -> Document:
    n = _Numbering()
    blocks: list[Block] = [
        Paragraph(
            f"本报告根据食品安全监管平台的记录，总结{data.year}年《{data.plan_title}》的执行情况"
            f"（数据{_period_phrase(data)}）：计划目标完成情况、计划九个部分各项任务的进展、督查督办和约谈、"
            f"各单位和镇街季度及年终工作报告、监管对象登记、专职协管员配备和镇街食品安全指数。"
            f"平台没有记录的项目标注“{NO_DATA}”。"
        )
    ]
    blocks += _plan_overview(data, n)
    blocks += _sections(data, n, public=False)
    blocks += _behind(data, n)
    blocks += _supervision(data, n, public=False)
    blocks += _filings(data, n)
    blocks += _register(data, n)
    blocks += _roster(data, n)
    blocks += _index_year(data, n)
    subtitle = f"（数据{_period_phrase(data)}）"
    return _document(data, subtitle, blocks)


def build_whitepaper(data: ReportData) -> Document:
    n = _Numbering()
    counts = status_counts(data.targets)
    not_done = [t for t in data.targets if t.status != plan_rules.Status.DONE]
    blocks: list[Block] = [
        Heading("前言", 1),
        Paragraph(
            f"食品安全关系人民群众身体健康和生命安全。{data.year}年，{data.district}依据《{data.plan_title}》，"
            f"围绕{len(data.sections)}个方面、{len(data.tasks)}项重点任务推进食品安全工作。为便于社会各界了解"
            f"全区食品安全工作、参与和监督食品安全社会共治，{data.author_org}根据食品安全监管平台的记录编制本白皮书，"
            "公开辖区概况、计划目标完成情况、各项重点工作进展、督查督办和责任追究以及镇街食品安全指数等情况。"
        ),
        Paragraph(
            f"本白皮书所列数字均取自平台记录，数据{_period_phrase(data)}；平台尚无记录的项目注明“{NO_DATA}”。"
        ),
    ]
    blocks += _jurisdiction(data, n)
    blocks += _achievements(data, n, counts)
    blocks += _sections(data, n, public=True)
    blocks += _supervision(data, n, public=True)
    blocks += _index_year(data, n)
    blocks.append(Heading(n.next("工作展望"), 1))
    if not_done:
        blocks.append(
            Paragraph(
                f"{data.year}年计划的{len(data.targets)}个量化目标中，{counts_sentence(counts)}。"
                f"尚未完成的{len(not_done)}个目标及其责任单位如下，将纳入下一年度督查督办，督促责任单位补齐短板："
            )
        )
        blocks.append(
            BulletList(
                [
                    f"{task_label(t.task_no)}{t.description}：{figure_text(t)}（目标{goal_text(t)}，"
                    f"{STATUS_LABELS[t.status]}；责任单位：{'、'.join(t.owners) or '—'}）"
                    for t in not_done
                ]
            )
        )
    else:
        blocks.append(Paragraph(f"{data.year}年计划的{len(data.targets)}个量化目标均已完成。"))
    blocks.append(
        Paragraph(
            f"{data.year + 1}年，{data.district}将继续压实食品安全党政同责和属地管理责任，按季度发布镇街食品安全指数，"
            "以平台记录跟踪年度计划每一项目标的进度，及时向社会公开食品安全工作情况，接受社会监督。"
        )
    )
    return _document(data, f"（{data.year}年度）", blocks)


class _Numbering:
    """Chapter numbers 一、二、三… in the order chapters are written."""

    def __init__(self) -> None:
        self.n = 0

    def next(self, title: str) -> str:
        self.n += 1
        return f"{cn_number(self.n)}、{title}"


# ---------------------------------------------------------------------------- the plan's targets


def target_text(t: TargetLine) -> str:
    """ "（十三）全年食品安全监督抽检批次（目标≥6570批次）": the task, the target and its value."""
    return f"{task_label(t.task_no)}{t.description}（目标{goal_text(t)}）"


def _target_rows(targets: Iterable[TargetLine], *, expected: bool = True) -> list[list[d.Cell]]:
    rows: list[list[d.Cell]] = []
    for t in targets:
        row: list[d.Cell] = [
            target_text(t),
            number(t.figure),
            None if t.progress is None else percent(t.progress),
        ]
        if expected:
            row.append(percent(t.expected))
        row.append(STATUS_LABELS[t.status])
        rows.append(row)
    return rows


# Tables are laid out in proportion to their widest cells: one long text column (the target) and
# short ones, so that figures and status words never break across lines in the PDF.
TARGET_HEADERS = ["目标", "完成值", "进度", "应达", "状态"]
TARGET_NOTE = (
    "完成值的单位同目标值；进度为完成值占目标值的比例，应达为截至统计日按时间应完成的比例；"
    "“—”表示平台暂无数据。"
)


def _plan_overview(data: ReportData, n: _Numbering) -> list[Block]:
    counts = status_counts(data.targets)
    blocks: list[Block] = [Heading(n.next("计划执行总体情况"), 1)]
    if not data.targets:
        return [*blocks, Paragraph(f"计划未设量化目标，{NO_DATA}。")]
    elapsed = plan_rules.year_elapsed(data.as_of, data.plan_starts, data.plan_ends)
    blocks.append(
        Paragraph(
            f"《{data.plan_title}》共{len(data.sections)}个部分、{len(data.tasks)}项任务、{len(data.targets)}个量化目标。"
            f"{_period_phrase(data)}，全年时间进度为{percent(elapsed)}；量化目标中{counts_sentence(counts)}。"
        )
    )
    blocks.append(
        KeyFigures(
            [
                ("计划任务", len(data.tasks), "项"),
                ("量化目标", len(data.targets), "个"),
                *[(STATUS_LABELS[s], counts[s], "个") for s in STATUS_ORDER],
                ("全年时间进度", percent(elapsed), ""),
            ],
        )
    )
    blocks.append(
        Chart(
            "bar",
            "各状态量化目标数",
            [STATUS_LABELS[s] for s in STATUS_ORDER],
            [Series("目标数", [float(counts[s]) for s in STATUS_ORDER])],
            unit="个",
            width_cm=12,
        )
    )
    blocks.append(Table("计划目标完成情况", TARGET_HEADERS, _target_rows(data.targets), note=TARGET_NOTE))
    flagged = [t for t in data.targets if t.flag]
    if flagged:
        blocks.append(Paragraph("以下上报数字与平台记录不符，已提示责任单位核实："))
        blocks.append(BulletList([f"{task_label(t.task_no)}{t.description}：{t.flag}" for t in flagged]))
    return blocks


def _behind(data: ReportData, n: _Numbering) -> list[Block]:
    behind = [t for t in data.targets if t.status in BEHIND]
    no_data = [t for t in data.targets if t.status == plan_rules.Status.NO_DATA]
    blocks: list[Block] = [Heading(n.next("滞后和逾期目标"), 1)]
    if not behind:
        blocks.append(Paragraph(f"{_period_phrase(data)}，没有滞后或逾期未完成的量化目标。"))
    else:
        units = Counter(u for t in behind for u in t.owners)
        blocks.append(
            Paragraph(
                f"{_period_phrase(data)}，{len(behind)}个量化目标滞后或逾期未完成，涉及"
                + "、".join(f"{u}（{k}个）" for u, k in units.most_common())
                + "。按计划任务（一）的督查督办规则，季度末评估时向责任单位发出督办通知。"
            )
        )
        blocks.append(
            Table(
                "滞后和逾期目标及责任单位",
                ["目标", "完成值", "进度", "状态", "责任单位"],
                [
                    [
                        target_text(t),
                        number(t.figure),
                        None if t.progress is None else percent(t.progress),
                        STATUS_LABELS[t.status],
                        "、".join(t.owners) or None,
                    ]
                    for t in behind
                ],
                note="完成值的单位同目标值。",
            )
        )
    if no_data:
        blocks.append(
            Paragraph(f"以下{len(no_data)}个量化目标平台暂无数据，需责任单位报送完成情况及佐证材料：")
        )
        blocks.append(
            BulletList(
                [
                    f"{task_label(t.task_no)}{t.description}（目标{goal_text(t)}，"
                    f"{d.format_date(t.due)}前；责任单位：{'、'.join(t.owners) or '—'}）"
                    for t in no_data
                ]
            )
        )
    return blocks


# ------------------------------------------------------------------------------- the nine parts


def _sections(data: ReportData, n: _Numbering, *, public: bool) -> list[Block]:
    title = "重点工作进展" if public else "各部分任务完成情况"
    blocks: list[Block] = [Heading(n.next(title), 1)]
    by_task: dict[int, list[TargetLine]] = {}
    for t in data.targets:
        by_task.setdefault(t.task_no, []).append(t)
    section_counts: list[Counter[str]] = []
    for section in data.sections:
        tasks = [t for t in data.tasks if t.section_no == section.no]
        targets = [t for task in tasks for t in by_task.get(task.no, [])]
        counts = status_counts(targets)
        section_counts.append(counts)
        blocks.append(Heading(f"（{cn_number(section.no)}）{section.title}", 2))
        if targets:
            text = f"本部分共{len(tasks)}项任务、{len(targets)}个量化目标，{_period_phrase(data)}{counts_sentence(counts)}。"
        else:
            text = f"本部分共{len(tasks)}项任务，计划未设量化目标，平台{NO_DATA}。"
        unmeasured = [task for task in tasks if task.no not in by_task]
        if targets and unmeasured:
            text += "其中" + "、".join(task_label(t.no, t.title) for t in unmeasured) + "计划未设量化目标。"
        by_status: dict[str, list[str]] = {}
        for task in tasks:
            status = task_status(by_task.get(task.no, []))
            if status is not None:
                by_status.setdefault(status, []).append(task_label(task.no))
        if by_status:
            text += (
                "按任务看，"
                + "；".join(
                    f"{STATUS_LABELS[s]}的{'、'.join(by_status[s])}" for s in STATUS_ORDER if s in by_status
                )
                + "。"
            )
        blocks.append(Paragraph(text))
        rows: list[list[d.Cell]] = [
            [
                task_label(task.no, task.title) + (f"\n牵头：{'、'.join(task.leads)}" if task.leads else ""),
                _achieved_lines(by_task[task.no]) if task.no in by_task else "计划未设量化目标",
            ]
            for task in tasks
        ]
        blocks.append(Table(f"{section.title}：任务及完成情况", ["任务", "量化目标及完成情况"], rows))
    if data.targets:
        blocks.append(
            Chart(
                "stacked_bar",
                "计划各部分量化目标完成情况",
                [f"{cn_number(s.no)}、{s.title}" for s in data.sections],
                [
                    Series(STATUS_LABELS[s], [float(c[s]) for c in section_counts])
                    for s in STATUS_ORDER
                    if any(c[s] for c in section_counts)
                ],
                unit="个",
            )
        )
    return blocks


# ------------------------------------------------------------------------- supervision, reports


def _supervision(data: ReportData, n: _Numbering, *, public: bool) -> list[Block]:
    title = "督查督办和责任追究" if public else "督查督办和约谈"
    blocks: list[Block] = [Heading(n.next(title), 1)]
    notices = data.notices
    responded = [x for x in notices if x.responded_on is not None]
    on_time = [x for x in responded if x.responded_on is not None and x.responded_on <= x.response_due]
    overdue = [x for x in notices if x.responded_on is None and x.response_due < data.today]
    if data.evaluations:
        rounds = "、".join(d.format_date(e.as_of) for e in data.evaluations)
        blocks.append(
            Paragraph(f"本期区食安办开展季度末督查督办评估{len(data.evaluations)}次，评估日为{rounds}。")
        )
    else:
        blocks.append(Paragraph(f"本期平台暂无督查督办评估记录（{NO_DATA}）。"))
    if notices:
        blocks.append(
            Paragraph(
                f"本期共发出督办通知{len(notices)}份，已回复{len(responded)}份（其中按期回复{len(on_time)}份），"
                f"逾期未回复{len(overdue)}份。"
            )
        )
        if public:
            units = sorted({x.unit for x in notices})
            blocks.append(
                Table(
                    "督办通知及回复情况（按单位）",
                    ["单位", "督办通知（份）", "已回复（份）", "按期回复（份）", "逾期未回复（份）"],
                    [
                        [
                            u,
                            sum(1 for x in notices if x.unit == u),
                            sum(1 for x in responded if x.unit == u),
                            sum(1 for x in on_time if x.unit == u),
                            sum(1 for x in overdue if x.unit == u),
                        ]
                        for u in units
                    ],
                )
            )
        else:
            blocks.append(
                Table(
                    "督办通知及回复情况",
                    ["下发日期", "单位", "督办事由及回复", "回复情况"],
                    [
                        [
                            short_date(x.issued_on),
                            x.unit,
                            f"{task_label(x.task_no, x.task_title)}：{x.reason}"
                            + (f"\n回复：{x.response}" if x.response else ""),
                            response_state(x, data.today),
                        ]
                        for x in notices
                    ],
                )
            )
    else:
        blocks.append(Paragraph("本期没有发出督办通知。"))
    if data.interviews:
        blocks.append(
            Paragraph(
                f"按计划任务（三）的约谈机制，本期{len(data.interviews)}个单位列入约谈名单："
                + "、".join(sorted({i.unit for i in data.interviews}))
                + "。"
            )
        )
        blocks.append(
            Table(
                "约谈名单",
                ["列入日期", "单位", "事由", "状态", "约谈日期"],
                [
                    [
                        short_date(i.listed_on),
                        i.unit,
                        i.reason,
                        INTERVIEW_STATUS_LABELS.get(i.status, i.status),
                        short_date(i.held_on),
                    ]
                    for i in data.interviews
                ],
            )
        )
    else:
        blocks.append(Paragraph("本期没有单位列入约谈名单。"))
    if data.kind != "quarterly":
        if data.commendations:
            blocks.append(Paragraph(f"本年度表彰奖励{len(data.commendations)}个单位或个人："))
            blocks.append(
                BulletList(
                    [f"{c.recipient}：{c.reason}（{date_text(c.awarded_on)}）" for c in data.commendations]
                )
            )
        else:
            blocks.append(Paragraph(f"表彰奖励：平台{NO_DATA}。"))
    return blocks


def response_state(notice: NoticeLine, today: dt.date) -> str:
    if notice.responded_on is not None:
        return "按期回复" if notice.responded_on <= notice.response_due else "逾期回复"
    return "逾期未回复" if today > notice.response_due else "待回复"


def _achieved_lines(targets: Sequence[TargetLine]) -> str:
    if len(targets) == 1:
        return achieved_text(targets[0])
    return "\n".join(f"{i}. {achieved_text(t)}" for i, t in enumerate(targets, start=1))


def _filing_counts(filings: Iterable[FilingLine]) -> Counter[str]:
    return Counter(f.timeliness for f in filings)


def _filing_sentence(counts: Counter[str], total: int) -> str:
    parts = [
        f"{TIMELINESS_LABELS[k]}{counts[k]}份"
        for k in (Timeliness.ON_TIME, Timeliness.LATE, Timeliness.MISSING, Timeliness.NOT_DUE)
        if counts[k]
    ]
    return f"应报{total}份，" + "，".join(parts) if parts else f"应报{total}份"


def _filing_table(caption: str, filings: Sequence[FilingLine]) -> Table:
    return Table(
        caption,
        ["单位或镇街", "类别", "截止日期", "报送日期", "报送情况", "审核状态"],
        [
            [
                f.unit,
                "镇街" if f.is_town else "部门",
                short_date(f.due),
                short_date(f.submitted_on),
                TIMELINESS_LABELS[f.timeliness],
                REPORT_STATUS_LABELS.get(f.status, f.status),
            ]
            for f in filings
        ],
    )


def _filings(data: ReportData, n: _Numbering) -> list[Block]:
    blocks: list[Block] = [Heading(n.next("工作报告报送情况"), 1)]
    if not data.filings:
        return [*blocks, Paragraph(f"本期没有应报送的工作报告（{NO_DATA}）。")]
    if data.kind == "quarterly":
        counts = _filing_counts(data.filings)
        blocks.append(
            Paragraph(
                f"第{data.quarter}季度工作报告由各成员单位和镇街报送，{_filing_sentence(counts, len(data.filings))}。"
                "报送日期以平台记录的提交时间为准。"
            )
        )
        blocks.append(_filing_table(f"第{data.quarter}季度工作报告报送情况", data.filings))
        return blocks
    blocks.append(
        Paragraph(
            "按计划任务（一），各成员单位和镇街按季度报送工作报告，年底前向区食品安全委员会报告全年食品安全工作情况。"
            "报送日期以平台记录的提交时间为准。"
        )
    )
    periods = [p for p in PERIODS if any(f.period == p for f in data.filings)]
    kinds = (Timeliness.ON_TIME, Timeliness.LATE, Timeliness.MISSING, Timeliness.NOT_DUE)
    per_period = {p: _filing_counts(f for f in data.filings if f.period == p) for p in periods}
    blocks.append(
        Table(
            "各期工作报告报送情况",
            ["报告期", "应报（份）", *(TIMELINESS_LABELS[k] for k in kinds)],
            [
                [PERIOD_LABELS[p], sum(per_period[p].values()), *(per_period[p][k] for k in kinds)]
                for p in periods
            ],
        )
    )
    blocks.append(
        Chart(
            "stacked_bar",
            "各期工作报告报送情况",
            [PERIOD_LABELS[p] for p in periods],
            [
                Series(TIMELINESS_LABELS[k], [float(per_period[p][k]) for p in periods])
                for k in kinds
                if any(per_period[p][k] for p in periods)
            ],
            unit="份",
            width_cm=13,
        )
    )
    year_end = [f for f in data.filings if f.period == "Y"]
    if year_end:
        c = _filing_counts(year_end)
        blocks.append(Heading("年终工作报告", 2))
        blocks.append(Paragraph(f"各成员单位和镇街年终工作报告{_filing_sentence(c, len(year_end))}。"))
        blocks.append(_filing_table("年终工作报告报送情况", year_end))
    return blocks


# --------------------------------------------------------------------- register and coordinators


def _register(data: ReportData, n: _Numbering) -> list[Block]:
    blocks: list[Block] = [Heading(n.next("监管对象登记情况"), 1)]
    if not data.register_known:
        return [*blocks, Paragraph(f"食品生产经营主体登记簿{NO_DATA}。")]
    total = sum(t.businesses or 0 for t in data.towns)
    population = sum(t.population for t in data.towns)
    densest = max(data.towns, key=lambda t: per_10k(t.businesses, t.population) or 0)
    blocks.append(
        Paragraph(
            f"{_period_phrase(data)}，全区在营食品生产经营主体{total}户，每万名常住人口{fmt(Decimal(total) * 10000 / population) if population else NO_DATA}户；"
            f"每万人主体数最多的是{densest.name}（{fmt(Decimal(per_10k(densest.businesses, densest.population) or 0))}户）。"
        )
    )
    blocks.append(
        Table(
            "各镇街在营食品生产经营主体",
            ["镇街", "类别", "常住人口（万人）", "在营主体（户）", "每万人主体数（户）"],
            [
                [
                    t.name,
                    LEVEL_LABELS.get(t.level, t.level),
                    population_wan(t.population),
                    t.businesses,
                    per_10k(t.businesses, t.population),
                ]
                for t in data.towns
            ],
            note="常住人口为平台登记的各镇街人口数。",
        )
    )
    if data.businesses_by_type:
        blocks.append(
            Table(
                "在营食品生产经营主体业态构成",
                ["业态", "在营主体（户）", "占比"],
                [[label, k, percent(Decimal(k) / total, 1)] for label, k in data.businesses_by_type],
            )
        )
        blocks.append(
            Chart(
                "hbar",
                "在营食品生产经营主体业态构成",
                [label for label, _ in data.businesses_by_type],
                [Series("在营主体", [float(k) for _, k in data.businesses_by_type])],
                unit="户",
            )
        )
    return blocks


def _roster(data: ReportData, n: _Numbering) -> list[Block]:
    blocks: list[Block] = [Heading(n.next("食品安全专职协管员配备情况"), 1)]
    if not data.roster_known:
        return [*blocks, Paragraph(f"专职协管员花名册{NO_DATA}。")]
    total = sum(t.coordinators or 0 for t in data.towns)
    population = sum(t.population for t in data.towns)
    goal = data.coordinator_target
    rates = [(t, per_10k(t.coordinators, t.population)) for t in data.towns]
    text = (
        f"{_period_phrase(data)}，全区在岗专职食品安全协管员{total}人，"
        f"每万名常住人口{fmt(Decimal(total) * 10000 / population) if population else NO_DATA}人。"
    )
    if goal is not None:
        comparator, value, unit = goal
        short = [t.name for t, r in rates if meets(r, comparator, value) == "未达标"]
        text += f"计划任务（二十二）要求按常住人口{comparator_sign(comparator)}{fmt(value)}{unit}配备；"
        text += f"{len(short)}个镇街未达标：{'、'.join(short)}。" if short else "各镇街均已达标。"
    blocks.append(Paragraph(text))
    headers = ["镇街", "常住人口（万人）", "专职协管员（人）", "每万人协管员（人）"]
    if goal is not None:
        headers.append("是否达标")
    rows: list[list[d.Cell]] = []
    for t, rate in rates:
        row: list[d.Cell] = [t.name, population_wan(t.population), t.coordinators, rate]
        if goal is not None:
            row.append(meets(rate, goal[0], goal[1]))
        rows.append(row)
    blocks.append(Table("各镇街专职食品安全协管员配备情况", headers, rows))
    blocks.append(
        Chart(
            "hbar",
            "各镇街每万名常住人口专职协管员数",
            [t.name for t, _ in rates],
            [Series("每万人协管员", [r for _, r in rates])],
            unit="人/万人",
        )
    )
    return blocks


def _jurisdiction(data: ReportData, n: _Numbering) -> list[Block]:
    blocks: list[Block] = [Heading(n.next("辖区概况"), 1)]
    levels = Counter(t.level for t in data.towns)
    population = sum(t.population for t in data.towns)
    businesses = sum(t.businesses or 0 for t in data.towns)
    coordinators = sum(t.coordinators or 0 for t in data.towns)
    parts = "、".join(
        f"{LEVEL_LABELS.get(k, k)}{v}个" for k, v in sorted(levels.items(), key=lambda kv: -kv[1])
    )
    blocks.append(
        Paragraph(
            f"{data.district}下辖{len(data.towns)}个镇街和功能区（{parts}），"
            f"平台登记常住人口合计{fmt(Decimal(population) / 10000)}万人。"
            + (
                f"{_period_phrase(data)}，全区在营食品生产经营主体{businesses}户。"
                if data.register_known
                else f"食品生产经营主体登记簿{NO_DATA}。"
            )
        )
    )
    blocks.append(
        KeyFigures(
            [
                ("镇街和功能区", len(data.towns), "个"),
                ("常住人口", fmt(Decimal(population) / 10000), "万人"),
                (
                    "在营食品生产经营主体",
                    businesses if data.register_known else NO_DATA,
                    "户" if data.register_known else "",
                ),
                (
                    "专职协管员",
                    coordinators if data.roster_known else NO_DATA,
                    "人" if data.roster_known else "",
                ),
            ]
        )
    )
    blocks.append(
        Table(
            "各镇街人口、食品生产经营主体和协管员",
            ["镇街", "类别", "常住人口（万人）", "在营主体（户）", "每万人主体数（户）", "专职协管员（人）"],
            [
                [
                    t.name,
                    LEVEL_LABELS.get(t.level, t.level),
                    population_wan(t.population),
                    t.businesses,
                    per_10k(t.businesses, t.population),
                    t.coordinators,
                ]
                for t in data.towns
            ],
            note="“—”表示平台暂无数据。",
        )
    )
    if data.businesses_by_type:
        top = list(data.businesses_by_type[:7])
        rest = sum(k for _, k in data.businesses_by_type[7:])
        if rest:
            top.append(("其他业态", rest))
        blocks.append(
            Chart(
                "pie",
                "在营食品生产经营主体业态构成",
                [label for label, _ in top],
                [Series("在营主体", [float(k) for _, k in top])],
                unit="户",
            )
        )
        blocks.append(
            Table(
                "在营食品生产经营主体业态构成",
                ["业态", "在营主体（户）", "占比"],
                [[label, k, percent(Decimal(k) / businesses, 1)] for label, k in data.businesses_by_type],
            )
        )
    if data.register_known:
        ranked = sorted(data.towns, key=lambda t: -(t.businesses or 0))
        blocks.append(
            Chart(
                "hbar",
                "各镇街在营食品生产经营主体数",
                [t.name for t in ranked],
                [Series("在营主体", [float(t.businesses or 0) for t in ranked])],
                unit="户",
            )
        )
    return blocks


def _achievements(data: ReportData, n: _Numbering, counts: Counter[str]) -> list[Block]:
    blocks: list[Block] = [Heading(n.next("主要目标完成情况"), 1)]
    if not data.targets:
        return [*blocks, Paragraph(f"计划未设量化目标，{NO_DATA}。")]
    done = counts[plan_rules.Status.DONE]
    blocks.append(
        Paragraph(
            f"{data.year}年计划设定量化目标{len(data.targets)}个，{_period_phrase(data)}{counts_sentence(counts)}，"
            f"完成率{percent(Decimal(done) / len(data.targets))}。"
        )
    )
    blocks.append(
        KeyFigures(
            [
                ("量化目标", len(data.targets), "个"),
                ("已完成", done, "个"),
                ("目标完成率", percent(Decimal(done) / len(data.targets)), ""),
                ("督办通知", len(data.notices), "份"),
            ]
        )
    )
    # The headline numbers: the largest counts achieved (批次, 次, 项 …), not rates, in the plan's order.
    counted = [t for t in data.targets if t.figure and t.unit != "%" and "/" not in t.unit]
    largest = sorted(counted, key=lambda t: -(t.figure or 0))[:8]
    headline = [t for t in counted if t in largest]
    if headline:
        blocks.append(Paragraph("全年主要工作量："))
        blocks.append(KeyFigures([(t.description, fmt(t.figure), t.unit) for t in headline]))
    present = [s for s in STATUS_ORDER if counts[s]]
    blocks.append(
        Chart(
            "pie",
            "量化目标完成状态",
            [STATUS_LABELS[s] for s in present],
            [Series("目标数", [float(counts[s]) for s in present])],
            unit="个",
            width_cm=13,
        )
    )
    blocks.append(Table("计划量化目标完成情况", TARGET_HEADERS, _target_rows(data.targets), note=TARGET_NOTE))
    return blocks


# -------------------------------------------------------------------------------- the town index


def _index_rows(q: IndexQuarter) -> list[list[d.Cell]]:
    return [
        [
            r.rank,
            r.town,
            number(r.score) if r.score is not None else "数据不足",
            percent(r.coverage),
            number(r.previous),
            TREND_LABELS.get(r.trend, r.trend),
        ]
        for r in q.rows
    ]


def _index_quarter(data: ReportData, n: _Numbering) -> list[Block]:
    blocks: list[Block] = [Heading(n.next("镇街食品安全指数"), 1)]
    if not data.index_available:
        return [*blocks, Paragraph(f"镇街食品安全指数模块尚未启用，本季度指数尚未计算（{NO_DATA}）。")]
    if not data.index:
        return [*blocks, Paragraph(f"第{data.quarter}季度镇街食品安全指数尚未计算或尚未发布（{NO_DATA}）。")]
    q = data.index[0]
    blocks += _index_ranking(q)
    return blocks


def _index_ranking(q: IndexQuarter) -> list[Block]:
    scored = q.scored
    blocks: list[Block] = []
    if scored:
        best, worst = scored[0], scored[-1]
        text = (
            f"第{q.quarter}季度镇街食品安全指数对{len(q.rows)}个镇街评分，{len(scored)}个镇街得分，"
            f"最高为{best.town}（{fmt(best.score)}分），最低为{worst.town}（{fmt(worst.score)}分）。"
        )
        if len(scored) < len(q.rows):
            text += f"{len(q.rows) - len(scored)}个镇街数据不足，未予评分。"
    else:
        text = f"第{q.quarter}季度镇街食品安全指数已发布，但各镇街均数据不足，未予评分。"
    if q.missing_components:
        text += f"以下指标平台暂无数据，未计入本期指数：{'、'.join(q.missing_components)}。"
    blocks.append(Paragraph(text))
    blocks.append(
        Table(
            f"第{q.quarter}季度镇街食品安全指数排名",
            ["名次", "镇街", "得分", "数据覆盖率", "上期得分", "变化"],
            _index_rows(q),
            note="数据覆盖率为有数据的指标权重之和；覆盖率不足的镇街不予评分。",
        )
    )
    if scored:
        blocks.append(
            Chart(
                "hbar",
                f"第{q.quarter}季度镇街食品安全指数",
                [r.town for r in scored],
                [Series("得分", [float(r.score) for r in scored if r.score is not None])],
                unit="分",
            )
        )
    return blocks


def _index_year(data: ReportData, n: _Numbering) -> list[Block]:
    blocks: list[Block] = [Heading(n.next("镇街食品安全指数"), 1)]
    if not data.index_available:
        return [*blocks, Paragraph(f"镇街食品安全指数模块尚未启用，指数尚未计算（{NO_DATA}）。")]
    published = [q for q in data.index if q.scored]
    if not published:
        due = len(data.index_quarters_due)
        return [
            *blocks,
            Paragraph(
                f"{data.year}年已结束的{due}个季度中，{len(data.index)}个季度发布了镇街食品安全指数，"
                f"均无镇街得分，指数趋势{NO_DATA}。"
                if data.index
                else f"{data.year}年镇街食品安全指数尚未发布（{NO_DATA}）。"
            ),
        ]
    blocks.append(
        Paragraph(
            f"按计划任务（二），区食安办每季度发布镇街食品安全指数，综合评价各镇街食品安全工作。"
            f"{data.year}年已发布{len(data.index)}期（"
            + "、".join(f"第{q.quarter}季度" for q in data.index)
            + "）。"
        )
    )
    labels = [f"第{q.quarter}季度" for q in data.index]

    def stat(fn: Callable[[list[Decimal]], Decimal]) -> list[float | None]:
        out: list[float | None] = []
        for q in data.index:
            scores = [r.score for r in q.scored if r.score is not None]
            out.append(float(fmt(fn(scores))) if scores else None)
        return out

    def mean(values: list[Decimal]) -> Decimal:
        return sum(values, Decimal(0)) / len(values)

    blocks.append(
        Chart(
            "line",
            f"{data.year}年镇街食品安全指数走势",
            labels,
            [Series("最高分", stat(max)), Series("平均分", stat(mean)), Series("最低分", stat(min))],
            unit="分",
            width_cm=14,
        )
    )
    towns = sorted({r.town for q in data.index for r in q.rows}, key=lambda name: _town_order(data, name))
    scores = {(q.quarter, r.town): r.score for q in data.index for r in q.rows}
    blocks.append(
        Table(
            f"{data.year}年各镇街食品安全指数得分",
            ["镇街", *labels],
            [[town, *(number(scores.get((q.quarter, town))) for q in data.index)] for town in towns],
            note="“—”表示该季度数据不足，未予评分。",
        )
    )
    blocks += _index_ranking(data.index[-1])
    return blocks


def _town_order(data: ReportData, name: str) -> str:
    for t in data.towns:
        if t.name == name:
            return t.code
    return name


# ------------------------------------------------------------------------------------ the files


def render(doc: Document, fmt_: str) -> bytes:
    if fmt_ not in FORMATS:
        raise ReportError(f"不支持的格式“{fmt_}”，应为 docx、pdf 或 xlsx")
    return FORMATS[fmt_][1](doc)


@dataclass(frozen=True)
class ReportFile:
    filename: str
    content: bytes
    content_type: str
    data: ReportData


def report_file(
    *, kind: str, year: int, quarter: int | None = None, fmt_: str, today: dt.date | None = None
) -> ReportFile:
    """Gather, assemble and render one report: what the command and the page both call."""
    if fmt_ not in FORMATS:
        raise ReportError(f"不支持的格式“{fmt_}”，应为 docx、pdf 或 xlsx")
    data = gather_report(kind=kind, year=year, quarter=quarter, today=today)
    content = render(build_document(data), fmt_)
    return ReportFile(filename(data, fmt_), content, FORMATS[fmt_][0], data)


EXPORT_OBJECT_TYPE = "reports.document"


def report_export(
    *,
    actor: User,
    kind: str,
    year: int,
    quarter: int | None = None,
    fmt_: str,
    source: str = AuditSource.WEB,
) -> ReportFile:
    """A report downloaded by a person: made like any other, then its download recorded in the
    audit trail (what was published, by whom), in its own short transaction once the file exists."""
    require_cap(actor, Cap.PLAN_VIEW)
    made = report_file(kind=kind, year=year, quarter=quarter, fmt_=fmt_)
    with transaction.atomic():
        audit_record(
            actor=actor,
            source=source,
            event=AuditEvent(
                action=AuditAction.EXPORT,
                object_type=EXPORT_OBJECT_TYPE,
                object_id=f"{kind}-{year}" + (f"-Q{quarter}" if quarter else "") + f".{fmt_}",
                object_repr=made.filename,
                after={
                    "kind": kind,
                    "year": year,
                    "quarter": quarter,
                    "format": fmt_,
                    "as_of": made.data.as_of.isoformat(),
                    "bytes": len(made.content),
                },
            ),
        )
    return made
