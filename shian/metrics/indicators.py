"""Indicators the index holds or needs: quarters whose index was published (the plan's target
T02-index), and each town's plan reports submitted on time (a component of the index, read from
planning's reports; metrics sits on planning's layer and only reads them)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, F, Q
from django.utils import timezone

from shian.core.indicators import Indicator, IndicatorResult, Period, register
from shian.planning.models import PlanStatus, ProgressReport

from .models import IndexRun, RunStatus


def town_reports_on_time(period: Period, regions: frozenset[str] | None) -> IndicatorResult:
    """Per town: of its plan reports due within the period, the share submitted by the due date.
    A report not yet due and not yet submitted is not counted: it is not late yet."""
    reports = ProgressReport.objects.filter(
        region__isnull=False,
        plan__status=PlanStatus.ACTIVE,
        due__gte=period.start,
        due__lte=period.end,
    ).filter(Q(due__lt=timezone.localdate()) | Q(submitted_at__isnull=False))
    if regions is not None:
        reports = reports.filter(region_id__in=regions)
    # submitted_at__date is the date in Asia/Shanghai (TIME_ZONE), the one the due date speaks of.
    rows = (
        reports.values("region_id")
        .annotate(n=Count("id"), on_time=Count("id", filter=Q(submitted_at__date__lte=F("due"))))
        .values_list("region_id", "on_time", "n")
    )
    by_region: dict[str, tuple[Decimal, Decimal | None]] = {
        code: (Decimal(on_time), Decimal(n)) for code, on_time, n in rows
    }
    if not by_region:
        return IndicatorResult(
            Decimal(0), None, Decimal(100), missing=True, note="本期没有到期的镇街工作报告"
        )
    num = sum((v[0] for v in by_region.values()), Decimal(0))
    den = sum((v[1] for v in by_region.values() if v[1] is not None), Decimal(0))
    return IndicatorResult(num, den, Decimal(100), by_region=by_region)


def index_quarters_published(period: Period, regions: frozenset[str] | None) -> IndicatorResult:
    """Quarters lying within the period whose index has been published. A quarter counts once its
    run is published, even after the quarter ended: the fourth quarter's index can only be computed
    and published in January."""
    runs = IndexRun.objects.filter(
        status=RunStatus.PUBLISHED, year__gte=period.start.year, year__lte=period.end.year
    ).values_list("year", "quarter")
    inside = {
        (y, q)
        for y, q in runs
        if period.start <= Period.quarter(y, q).start and Period.quarter(y, q).end <= period.end
    }
    return IndicatorResult(Decimal(len(inside)), None, Decimal(1))


register(
    Indicator(
        code="metrics.town_reports_on_time",
        name="镇街工作报告按时报送率",
        unit="%",
        module="metrics",
        description="本期到期的镇街季度和年终工作报告中，在截止日期前报送的比例 × 100（计划任务（一））",
        compute=town_reports_on_time,
        factor=Decimal(100),
    )
)
register(
    Indicator(
        code="metrics.index_quarters_published",
        name="发布食品安全指数期数",
        unit="期",
        module="metrics",
        description="期内各季度中已发布镇街食品安全指数的季度数（计划任务（二））",
        compute=index_quarters_published,
    )
)
