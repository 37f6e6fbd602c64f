"""Traceability indicators for the plan's targets: consumer queries of infant-formula trace codes
against the year before (T20), 三专三证五不准 check coverage of cold stores and markets (T05), and
the share of businesses expected to record trace events that do."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Sum

from shian.core.indicators import Indicator, IndicatorResult, Period, register
from shian.registry.models import Business, BusinessStatus, BusinessType

from . import rules
from .models import ColdChainCheck, ConsumerQueryCount, ProductLine, TraceEvent

COLD_CHAIN_CHECKED_TYPES = (BusinessType.COLD_STORE, BusinessType.AGRI_MARKET)


def queries_between(line: str, start: object, end: object) -> int:
    total = ConsumerQueryCount.objects.filter(product_line=line, day__gte=start, day__lte=end).aggregate(
        n=Sum("count")
    )["n"]
    return int(total or 0)


def formula_query_growth(period: Period, regions: frozenset[str] | None) -> IndicatorResult:
    """Infant-formula consumer queries in the period against the same span a year before:
    (this − before) ÷ before × 100 (plan task 二十: "比2021年提高50%以上"). Consumer queries are
    not tied to a town, so there is no breakdown by town."""
    current = queries_between(ProductLine.INFANT_FORMULA, period.start, period.end)
    start, end = rules.same_span_a_year_before(period.start, period.end)
    previous = queries_between(ProductLine.INFANT_FORMULA, start, end)
    if previous == 0:
        return IndicatorResult(
            Decimal(current),
            None,
            Decimal(100),
            missing=True,
            note="上年同期没有婴配乳粉追溯查询次数（需录入2021年基数）",
        )
    return IndicatorResult(Decimal(current - previous), Decimal(previous), Decimal(100))


def cold_chain_check_coverage(period: Period, regions: frozenset[str] | None) -> IndicatorResult:
    """Cold stores and markets checked against the 三专三证五不准 list in the period ÷ those active × 100
    (plan task 五, target T05)."""
    population = Business.objects.filter(
        business_type__in=COLD_CHAIN_CHECKED_TYPES, status=BusinessStatus.ACTIVE
    )
    if regions is not None:
        population = population.filter(region_id__in=regions)
    totals = dict(population.values("region_id").annotate(n=Count("id")).values_list("region_id", "n"))
    if not totals:
        return IndicatorResult(
            Decimal(0), None, Decimal(100), missing=True, note="没有在册的冷库和集中交易市场"
        )
    checked = dict(
        ColdChainCheck.objects.filter(
            checked_on__gte=period.start, checked_on__lte=period.end, business__in=population
        )
        .values("region_id")
        .annotate(n=Count("business_id", distinct=True))
        .values_list("region_id", "n")
    )
    by_region = {code: (Decimal(checked.get(code, 0)), Decimal(n)) for code, n in totals.items()}
    return IndicatorResult(
        Decimal(sum(checked.get(c, 0) for c in totals)),
        Decimal(sum(totals.values())),
        Decimal(100),
        by_region=by_region,
    )


def recording_coverage(period: Period, regions: frozenset[str] | None) -> IndicatorResult:
    """Businesses expected to record trace events (data/coverage.toml) that recorded at least one
    in the period ÷ those expected × 100."""
    try:
        _edition, types = rules.recording_types(period.end)
    except rules.NoEditionInForce:
        return IndicatorResult(
            Decimal(0), None, Decimal(100), missing=True, note="期末没有生效的追溯记录主体范围"
        )
    expected = Business.objects.filter(business_type__in=sorted(types), status=BusinessStatus.ACTIVE)
    if regions is not None:
        expected = expected.filter(region_id__in=regions)
    totals = dict(expected.values("region_id").annotate(n=Count("id")).values_list("region_id", "n"))
    if not totals:
        return IndicatorResult(Decimal(0), None, Decimal(100), missing=True, note="没有应记录追溯事件的主体")
    recording = dict(
        TraceEvent.objects.filter(
            event_time__date__gte=period.start, event_time__date__lte=period.end, business__in=expected
        )
        .values("region_id")
        .annotate(n=Count("business_id", distinct=True))
        .values_list("region_id", "n")
    )
    by_region = {code: (Decimal(recording.get(code, 0)), Decimal(n)) for code, n in totals.items()}
    return IndicatorResult(
        Decimal(sum(recording.get(c, 0) for c in totals)),
        Decimal(sum(totals.values())),
        Decimal(100),
        by_region=by_region,
    )


register(
    Indicator(
        code="trace.formula_query_growth",
        name="婴幼儿配方乳粉追溯查询次数比上年同期增长",
        unit="%",
        module="trace",
        description="消费者追溯查询（婴配乳粉）次数 ÷ 上年同期次数 − 1，× 100（计划任务（二十））",
        compute=formula_query_growth,
        factor=Decimal(100),
        records_url="trace:queries",
    )
)
register(
    Indicator(
        code="trace.cold_chain_check_coverage",
        name="冷库、集中交易市场“三专三证五不准”检查覆盖率",
        unit="%",
        module="trace",
        description="期内经“三专、三证、五不准”检查的第三方冷库和集中交易市场 ÷ 在营总数 × 100（计划任务（五））",
        compute=cold_chain_check_coverage,
        factor=Decimal(100),
        records_url="trace:cold_chain",
    )
)
register(
    Indicator(
        code="trace.recording_coverage",
        name="应建立电子追溯的主体记录追溯事件的比例",
        unit="%",
        module="trace",
        description="期内有追溯事件的应记录主体 ÷ 应记录主体 × 100（食品安全法第四十二条）",
        compute=recording_coverage,
        factor=Decimal(100),
        records_url="trace:coverage",
    )
)
