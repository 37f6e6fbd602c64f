"""The reports' gathering: every read a report makes, through the other modules' selectors (the
plan's, the register's indicators, sampling, inspections, risk grades, the town index), as the
district's observer. `gather_report` returns a `ReportData`; nothing here builds text."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.conf import settings
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from shian.core import indicators
from shian.core.models import Department, Region, RegionLevel, Role
from shian.inspections import selectors as inspections
from shian.planning.models import AnnualPlan, PlanStatus, ProgressReport
from shian.planning.selectors import (
    interviews_for_user,
    notices_for_user,
    plan_for_year,
    plan_status,
    plan_tasks_for_user,
    reports_for_user,
)
from shian.planning.services import target_owners
from shian.risk import selectors as risk
from shian.sampling import selectors as sampling

from . import document as d
from .data import (
    GRADES,
    KINDS,
    PERIODS,
    CategoryLine,
    CommendationLine,
    CoreResults,
    EvaluationLine,
    FilingLine,
    IndexQuarter,
    IndexRow,
    InterviewLine,
    NoticeLine,
    ReportData,
    ReportError,
    SectionLine,
    TargetLine,
    TaskLine,
    Timeliness,
    TownLine,
    TownResults,
)


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
        raise ReportError(
            _("未知的报告类型“%(kind)s”，应为 quarterly、yearly 或 whitepaper") % {"kind": kind}
        )
    if kind == "quarterly":
        if quarter is None:
            raise ReportError(_("季度报告须指定季度（1–4）"))
        if quarter not in (1, 2, 3, 4):
            raise ReportError(_("季度须为 1、2、3 或 4，而不是 %(quarter)s") % {"quarter": quarter})
    elif quarter is not None:
        raise ReportError(_("只有季度报告需要指定季度"))
    if not 2000 <= year <= 2100:
        raise ReportError(_("年份 %(year)s 超出范围") % {"year": year})


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
        raise ReportError(
            _("没有 %(year)s 年的现行食品安全监督管理计划，无法生成报告") % {"year": year}
        ) from None
    if quarter is not None:
        period = quarter_period(year, quarter)
        start, end = max(period.start, plan.starts), min(period.end, plan.ends)
    else:
        start, end = plan.starts, plan.ends
    if today < start:
        raise ReportError(_("报告期自%(start)s开始，尚无数据") % {"start": d.format_date(start)})
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
        results=core_results(start=start, as_of=as_of, towns=towns),
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


def core_results(*, start: dt.date, as_of: dt.date, towns: Sequence[TownLine]) -> CoreResults:
    """The regulator's core results from start to as_of, through the selectors of sampling,
    inspections and risk grading: a fixed number of grouped queries (ten), whatever the records."""
    cells = sampling.sampling_cells_for_user(user=READER, start=start, end=as_of)
    disposals = {
        r.region: r
        for r in sampling.disposal_counts_for_user(user=READER, start=start, end=as_of, as_of=as_of)
    }
    quick = {r.region: r for r in sampling.quick_test_counts_for_user(user=READER, start=start, end=as_of)}
    checks = {
        r.region: r for r in inspections.inspection_counts_for_user(user=READER, start=start, end=as_of)
    }
    orders = {
        r.region: r
        for r in inspections.rectification_counts_for_user(user=READER, start=start, end=as_of, as_of=as_of)
    }
    grades = risk.grade_mix_by_town_for_user(user=READER)

    by_town: dict[str, list[int]] = {}  # batches, judged, unqualified
    by_category: dict[str, list[int]] = {}
    for c in cells:
        for acc in (by_town.setdefault(c.region, [0, 0, 0]), by_category.setdefault(c.category, [0, 0, 0])):
            acc[0] += c.batches
            acc[1] += c.judged
            acc[2] += c.unqualified
    categories = sorted(
        (CategoryLine(k, *v) for k, v in by_category.items()),
        key=lambda c: (c.category == "", -c.batches, c.category),
    )
    lines = []
    for t in towns:
        s = by_town.get(t.code, [0, 0, 0])
        dsp = disposals.get(t.code)
        chk = checks.get(t.code)
        rec = orders.get(t.code)
        qt = quick.get(t.code)
        mix = grades.get(t.code, {})
        grade_a, grade_b, grade_c, grade_d = (mix.get(g, 0) for g in GRADES)
        lines.append(
            TownResults(
                code=t.code,
                name=t.name,
                businesses=t.businesses,
                batches=s[0],
                judged=s[1],
                unqualified=s[2],
                disposals=dsp.opened if dsp else 0,
                disposals_on_time=dsp.on_time if dsp else 0,
                disposals_late=dsp.late if dsp else 0,
                disposals_overdue=dsp.overdue if dsp else 0,
                inspections=chk.inspections if chk else 0,
                inspected=chk.businesses if chk else 0,
                findings=chk.findings if chk else 0,
                rectifications=rec.ordered if rec else 0,
                rectified_on_time=rec.on_time if rec else 0,
                rectified_late=rec.late if rec else 0,
                rectification_overdue=rec.overdue if rec else 0,
                grades=(grade_a, grade_b, grade_c, grade_d),
                quick_tests=qt.tests if qt else 0,
                quick_positive=qt.positive if qt else 0,
            )
        )
    return CoreResults(
        towns=tuple(lines),
        categories=tuple(categories),
        inspected=inspections.inspected_business_count_for_user(user=READER, start=start, end=as_of),
        results=(
            sum(r.compliant for r in checks.values()),
            sum(r.basic for r in checks.values()),
            sum(r.failed for r in checks.values()),
        ),
        corrected_on_spot=sum(r.corrected_on_spot for r in checks.values()),
        quick_confirmed=sum(r.confirmed for r in quick.values()),
        quick_followed=sum(r.followed for r in quick.values()),
        disposals_in_progress=sum(r.in_progress for r in disposals.values()),
        rectification_in_progress=sum(r.in_progress for r in orders.values()),
    )
