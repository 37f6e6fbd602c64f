"""Grade-mix indicators: the share of graded businesses in each risk grade, by town."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal

from shian.core.indicators import Indicator, IndicatorResult, Period, register
from shian.core.models import Region, RegionLevel

from .models import RiskGrade
from .rules import GRADES


def _mix(grade: str) -> Callable[[Period, frozenset[str] | None], IndicatorResult]:
    def compute(period: Period, regions: frozenset[str] | None) -> IndicatorResult:
        qs = RiskGrade.objects.all()
        if regions is not None:
            qs = qs.filter(region_id__in=regions)
        num: dict[str, int] = defaultdict(int)
        den: dict[str, int] = defaultdict(int)
        for region, g in qs.values_list("region_id", "grade").iterator(chunk_size=50_000):
            den[region] += 1
            num[region] += g == grade
        if not den:
            return IndicatorResult(Decimal(0), None, Decimal(100), missing=True, note="尚未评定风险等级")
        towns = Region.objects.exclude(level=RegionLevel.DISTRICT)
        if regions is not None:
            towns = towns.filter(code__in=regions)
        by_region = {
            c: (Decimal(num.get(c, 0)), Decimal(den.get(c, 0))) for c in towns.values_list("code", flat=True)
        }
        return IndicatorResult(
            Decimal(sum(num.values())), Decimal(sum(den.values())), Decimal(100), by_region=by_region
        )

    return compute


for _g in GRADES:
    register(
        Indicator(
            code=f"risk.grade_share.{_g}",
            name=f"{_g}级风险主体占比",
            unit="%",
            module="risk",
            description=f"当前风险等级为{_g}级的主体 ÷ 已评定主体 × 100（食品安全风险等级，非信用分类）",
            compute=_mix(_g),
            factor=Decimal(100),
            records_url="risk:grade_list",
        )
    )


def producers_graded(period: Period, regions: frozenset[str] | None) -> IndicatorResult:
    """Food producers (production and special-food) active at the period's end that hold a risk
    grade ÷ those producers, by town: the records behind plan target T09. The grade is the current
    one (grades keep no history apart from the audit trail), as for the grade-mix indicators."""
    from django.db.models import Q

    from shian.registry.models import Business

    producers = (
        Business.objects.filter(business_type__in=["production", "special_food"])
        .filter(Q(opened_on__isnull=True) | Q(opened_on__lte=period.end))
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=period.end))
        .exclude(status="closed", closed_on__isnull=True)
    )
    if regions is not None:
        producers = producers.filter(region_id__in=regions)
    if not RiskGrade.objects.exists():
        return IndicatorResult(Decimal(0), None, Decimal(100), missing=True, note="尚未评定风险等级")
    graded = set(RiskGrade.objects.filter(business__in=producers).values_list("business_id", flat=True))
    num: dict[str, int] = defaultdict(int)
    den: dict[str, int] = defaultdict(int)
    for bid, region in producers.values_list("id", "region_id").iterator(chunk_size=20_000):
        den[region] += 1
        num[region] += bid in graded
    towns = Region.objects.exclude(level=RegionLevel.DISTRICT)
    if regions is not None:
        towns = towns.filter(code__in=regions)
    by_region = {
        c: (Decimal(num.get(c, 0)), Decimal(den.get(c, 0))) for c in towns.values_list("code", flat=True)
    }
    return IndicatorResult(
        Decimal(sum(num.values())), Decimal(sum(den.values())), Decimal(100), by_region=by_region
    )


register(
    Indicator(
        code="risk.producers_graded",
        name="食品生产企业风险分级覆盖率",
        unit="%",
        module="risk",
        description="期末在营食品生产企业（含特殊食品）中已有风险等级的 ÷ 期末在营食品生产企业 × 100",
        compute=producers_graded,
        factor=Decimal(100),
        records_url="risk:grade_list",
    )
)
