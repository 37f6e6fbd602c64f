"""Indicators the register can compute: active businesses, by type, per 10,000 residents."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Q

from shian.core.indicators import Indicator, IndicatorResult, Period, register
from shian.core.models import Region, RegionLevel

from .models import Business, BusinessType


def _counts(period: Period, regions: frozenset[str] | None, types: list[str] | None) -> dict[str, int]:
    qs = (
        Business.objects.filter(Q(opened_on__isnull=True) | Q(opened_on__lte=period.end))
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=period.end))
        .exclude(status="closed", closed_on__isnull=True)
    )
    if regions is not None:
        qs = qs.filter(region_id__in=regions)
    if types is not None:
        qs = qs.filter(business_type__in=types)
    return dict(qs.values("region_id").annotate(n=Count("id")).values_list("region_id", "n"))


def _populations(regions: frozenset[str] | None) -> dict[str, int]:
    qs = Region.objects.exclude(level=RegionLevel.DISTRICT)
    if regions is not None:
        qs = qs.filter(code__in=regions)
    return dict(qs.values_list("code", "population"))


def _count_indicator(types: list[str] | None):
    def compute(period: Period, regions: frozenset[str] | None) -> IndicatorResult:
        counts = _counts(period, regions, types)
        by_region = {code: (Decimal(counts.get(code, 0)), None) for code in _populations(regions)}
        return IndicatorResult(Decimal(sum(counts.values())), None, Decimal(1), by_region=by_region)

    return compute


def businesses_per_10k(period: Period, regions: frozenset[str] | None) -> IndicatorResult:
    counts = _counts(period, regions, None)
    pops = _populations(regions)
    by_region = {code: (Decimal(counts.get(code, 0)), Decimal(pop)) for code, pop in pops.items()}
    return IndicatorResult(
        Decimal(sum(counts.values())), Decimal(sum(pops.values())), Decimal(10000), by_region=by_region
    )


register(
    Indicator(
        code="registry.businesses_active",
        name="在营食品经营主体数",
        unit="户",
        module="registry",
        description="期末在营（未注销）的食品生产经营主体数",
        compute=_count_indicator(None),
        records_url="registry:business_list",
    )
)
register(
    Indicator(
        code="registry.businesses_per_10k",
        name="每万人食品经营主体数",
        unit="户/万人",
        module="registry",
        description="期末在营主体数 ÷ 常住人口 × 10000",
        compute=businesses_per_10k,
        factor=Decimal(10000),
        records_url="registry:business_list",
    )
)
for _type in BusinessType:
    register(
        Indicator(
            code=f"registry.businesses_active.{_type.value}",
            name=f"在营主体数（{_type.value}）",
            unit="户",
            module="registry",
            description=f"期末在营的业态为 {_type.value} 的主体数",
            compute=_count_indicator([_type.value]),
            records_url="registry:business_list",
        )
    )
