"""Incident indicators: incidents per 100,000 residents by town (the town index) and drills held
(the plan's T02)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count
from django.utils import timezone

from shian.core.indicators import Indicator, IndicatorResult, Period, register
from shian.core.models import Region, RegionLevel

from .models import Drill, Incident


def _bounds(period: Period) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_default_timezone()
    start = dt.datetime.combine(period.start, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


def incidents_per_100k(period: Period, regions: frozenset[str] | None) -> IndicatorResult:
    """Incidents (graded or not) with onset in the period ÷ resident population × 100,000, by town.
    Missing while the platform holds no incident and no drill at all: the incident register is not
    in use yet, and no record is not the same as no incident."""
    if not Incident.objects.exists() and not Drill.objects.exists():
        return IndicatorResult(
            Decimal(0), None, Decimal(100000), missing=True, note="平台尚未启用食品安全事故登记"
        )
    towns = Region.objects.exclude(level=RegionLevel.DISTRICT)
    if regions is not None:
        towns = towns.filter(code__in=regions)
    population = dict(towns.values_list("code", "population"))
    start, end = _bounds(period)
    counts = dict(
        Incident.objects.filter(onset_at__gte=start, onset_at__lt=end, region_id__in=list(population))
        .values("region_id")
        .annotate(n=Count("id"))
        .values_list("region_id", "n")
    )
    by_region: dict[str, tuple[Decimal, Decimal | None]] = {
        code: (Decimal(counts.get(code, 0)), Decimal(pop)) for code, pop in population.items() if pop
    }
    num = sum((v[0] for v in by_region.values()), Decimal(0))
    den = sum((v[1] or Decimal(0) for v in by_region.values()), Decimal(0))
    return IndicatorResult(num, den, Decimal(100000), by_region=by_region)


def drills_held(period: Period, regions: frozenset[str] | None) -> IndicatorResult:
    """Emergency drills held in the period (plan task 二: 组织食品安全应急演练)."""
    qs = Drill.objects.filter(held_on__gte=period.start, held_on__lte=period.end)
    by_region: dict[str, tuple[Decimal, Decimal | None]] = {
        code: (Decimal(n), None)
        for code, n in qs.values("region_id").annotate(n=Count("id")).values_list("region_id", "n")
    }
    if regions is not None:
        by_region = {k: v for k, v in by_region.items() if k in regions}
    return IndicatorResult(Decimal(qs.count()), None, Decimal(1), by_region=by_region)


register(
    Indicator(
        code="incidents.count_per_100k",
        name="每十万人食品安全事件数",
        unit="起/十万人",
        module="incidents",
        description="期内发病的食品安全事故和事件数 ÷ 常住人口 × 100000",
        compute=incidents_per_100k,
        factor=Decimal(100000),
        records_url="incidents:list",
    )
)
register(
    Indicator(
        code="incidents.drills_held",
        name="食品安全应急演练次数",
        unit="次",
        module="incidents",
        description="期内举行并记录的食品安全应急演练次数（计划任务二）",
        compute=drills_held,
        records_url="incidents:drills",
    )
)
