"""Indicators of the portal, registered with the core registry: the plan's task 十二 target
(T12, 特殊食品生产企业自查报告率) binds to "portal.self_inspection_rate"."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Q

from shian.core.indicators import Indicator, IndicatorResult, Period, register
from shian.registry.models import Business

from . import rules
from .models import ReviewStatus, SelfInspectionReport


def self_inspection_rate(period: Period, regions: frozenset[str] | None) -> IndicatorResult:
    """Producers the rule names (active at the period's end) with a standing (not returned)
    self-inspection report for the period's year ÷ those producers, ×100, by town."""
    rule = rules.self_inspection_rule_in_force(period.end)
    producers = (
        Business.objects.filter(business_type__in=rule.business_types)
        .filter(Q(opened_on__isnull=True) | Q(opened_on__lte=period.end))
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=period.end))
        .exclude(status="closed", closed_on__isnull=True)
    )
    if regions is not None:
        producers = producers.filter(region_id__in=regions)
    den: dict[str, int] = defaultdict(int)
    ids: dict[int, str] = {}
    for pk, region in producers.values_list("pk", "region_id"):
        den[region] += 1
        ids[pk] = region
    if not ids:
        return IndicatorResult(
            Decimal(0), None, Decimal(100), missing=True, note="尚无数据来源：登记簿中没有特殊食品生产企业"
        )
    num: dict[str, int] = defaultdict(int)
    filed = (
        SelfInspectionReport.objects.filter(year=period.end.year, business_id__in=list(ids))
        .exclude(status=ReviewStatus.RETURNED)
        .values_list("business_id", flat=True)
        .distinct()
    )
    for pk in filed:
        num[ids[pk]] += 1
    by_region = {c: (Decimal(num.get(c, 0)), Decimal(n)) for c, n in den.items()}
    return IndicatorResult(
        Decimal(sum(num.values())), Decimal(sum(den.values())), Decimal(100), by_region=by_region
    )


register(
    Indicator(
        code="portal.self_inspection_rate",
        name="特殊食品生产企业自查报告率",
        unit="%",
        module="portal",
        description="年末在营的特殊食品生产企业中，已报送当年自查报告（未被退回）的比例（食品安全法 第八十三条）",
        compute=self_inspection_rate,
        factor=Decimal(100),
        records_url="portal:review_self_inspections",
    )
)
