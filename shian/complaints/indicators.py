"""Complaint indicators: the share of complaints and reports handled within their legal clocks
(the town index's 投诉举报按时办结率), by the town that handled them."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import F

from shian.core.indicators import Indicator, IndicatorResult, Period, register

from .models import Complaint, ComplaintClock, Survey, SurveyTownResult


def handled_on_time(period: Period, regions: frozenset[str] | None) -> IndicatorResult:
    """Complaints and reports closed in the period whose every clock was met ÷ those closed × 100.
    A clock not done at closing (a notice never sent) counts as late."""
    closed = Complaint.objects.filter(closed_on__gte=period.start, closed_on__lte=period.end)
    if regions is not None:
        closed = closed.filter(region_id__in=regions)
    if not Complaint.objects.exists():
        return IndicatorResult(Decimal(0), None, Decimal(100), missing=True, note="平台尚无投诉举报记录")
    totals: dict[str, int] = defaultdict(int)
    for region in closed.values_list("region_id", flat=True):
        totals[region] += 1
    late_ids = set(
        ComplaintClock.objects.filter(complaint__in=closed)
        .filter(done_on__isnull=True)
        .values_list("complaint_id", flat=True)
    ) | set(
        ComplaintClock.objects.filter(complaint__in=closed, done_on__gt=F("due_on")).values_list(
            "complaint_id", flat=True
        )
    )
    late: dict[str, int] = defaultdict(int)
    for region in closed.filter(pk__in=late_ids).values_list("region_id", flat=True):
        late[region] += 1
    by_region = {code: (Decimal(n - late.get(code, 0)), Decimal(n)) for code, n in totals.items()}
    num = sum((v[0] for v in by_region.values()), Decimal(0))
    den = sum((v[1] for v in by_region.values() if v[1] is not None), Decimal(0))
    return IndicatorResult(num, den if den else Decimal(0), Decimal(100), by_region=by_region)


register(
    Indicator(
        code="complaints.handled_on_time",
        name="投诉举报按时办结率",
        unit="%",
        module="complaints",
        description="期内办结的投诉举报中，各项法定时限（受理决定、调解、立案决定、告知）均按时完成的比例",
        compute=handled_on_time,
        factor=Decimal(100),
        records_url="complaints:list",
    )
)


def surveys_held(period: Period, regions: frozenset[str] | None) -> IndicatorResult:
    """Satisfaction surveys finished in the period (plan task 二: 组织群众食品安全满意度调查)."""
    n = Survey.objects.filter(conducted_to__gte=period.start, conducted_to__lte=period.end).count()
    return IndicatorResult(Decimal(n), None, Decimal(1))


def satisfaction_rate(period: Period, regions: frozenset[str] | None) -> IndicatorResult:
    """Residents satisfied ÷ residents asked × 100, by town, over the surveys finished in the period."""
    rows = SurveyTownResult.objects.filter(
        survey__conducted_to__gte=period.start, survey__conducted_to__lte=period.end
    )
    if regions is not None:
        rows = rows.filter(region_id__in=regions)
    by: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for region, satisfied, sample in rows.values_list("region_id", "satisfied", "sample_size"):
        by[region][0] += satisfied
        by[region][1] += sample
    if not by:
        return IndicatorResult(Decimal(0), None, Decimal(100), missing=True, note="期内没有满意度调查结果")
    by_region = {k: (Decimal(v[0]), Decimal(v[1])) for k, v in by.items()}
    return IndicatorResult(
        Decimal(sum(v[0] for v in by.values())),
        Decimal(sum(v[1] for v in by.values())),
        Decimal(100),
        by_region=by_region,
    )


register(
    Indicator(
        code="complaints.surveys_held",
        name="群众食品安全满意度调查次数",
        unit="次",
        module="complaints",
        description="期内完成的群众食品安全满意度调查次数（计划任务二）",
        compute=surveys_held,
        records_url="complaints:surveys",
    )
)
register(
    Indicator(
        code="complaints.satisfaction_rate",
        name="群众食品安全满意率",
        unit="%",
        module="complaints",
        description="满意人数 ÷ 调查样本量 × 100，按镇街",
        compute=satisfaction_rate,
        factor=Decimal(100),
        records_url="complaints:surveys",
    )
)
