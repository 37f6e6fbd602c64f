"""Indicators the core layer can compute: coordinators per 10,000 residents."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Q

from .indicators import Indicator, IndicatorResult, Period, register
from .models import Coordinator, Region, RegionLevel


def coordinators_per_10k(period: Period, regions: frozenset[str] | None) -> IndicatorResult:
    towns = Region.objects.exclude(level=RegionLevel.DISTRICT)
    if regions is not None:
        towns = towns.filter(code__in=regions)
    active = Q(coordinators__full_time=True, coordinators__since__lte=period.end) & (
        Q(coordinators__until__isnull=True) | Q(coordinators__until__gte=period.end)
    )
    rows = towns.annotate(n=Count("coordinators", filter=active)).values_list("code", "n", "population")
    by_region: dict[str, tuple[Decimal, Decimal | None]] = {
        code: (Decimal(n), Decimal(pop)) for code, n, pop in rows
    }
    if not Coordinator.objects.exists():
        return IndicatorResult(
            Decimal(0), None, Decimal(10000), by_region={}, missing=True, note="协管员花名册尚未录入"
        )
    num = sum((v[0] for v in by_region.values()), Decimal(0))
    den = sum((v[1] for v in by_region.values() if v[1] is not None), Decimal(0))
    return IndicatorResult(num, den, Decimal(10000), by_region=by_region)


register(
    Indicator(
        code="core.coordinators_per_10k",
        name="每万名常住人口专职协管员数",
        unit="人/万人",
        module="core",
        description="在岗专职食品安全协管员人数 ÷ 常住人口 × 10000（计划任务二十二）",
        compute=coordinators_per_10k,
        factor=Decimal(10000),
    )
)
