"""Indicators of inspections, registered with the core registry (the town index reads
"inspections.coverage" and "inspections.campaign_coverage")."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal

from django.db.models import Q, QuerySet

from shian.core.indicators import Indicator, IndicatorResult, Period, register
from shian.core.models import Region, RegionLevel
from shian.registry.models import Business, BusinessFoodCategory

from . import rules
from .models import Inspection, InspectionStatus, Rectification, RectificationStatus


def _active(period: Period, regions: frozenset[str] | None) -> QuerySet[Business]:
    qs = (
        Business.objects.filter(Q(opened_on__isnull=True) | Q(opened_on__lte=period.end))
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=period.end))
        .exclude(status="closed", closed_on__isnull=True)
    )
    return qs if regions is None else qs.filter(region_id__in=regions)


def _towns(regions: frozenset[str] | None) -> list[str]:
    qs = Region.objects.exclude(level=RegionLevel.DISTRICT)
    if regions is not None:
        qs = qs.filter(code__in=regions)
    return list(qs.values_list("code", flat=True))


def _share(num: dict[str, int], den: dict[str, int], towns: list[str]) -> IndicatorResult:
    by_region = {c: (Decimal(num.get(c, 0)), Decimal(den.get(c, 0))) for c in towns}
    return IndicatorResult(
        Decimal(sum(num.values())), Decimal(sum(den.values())), Decimal(100), by_region=by_region
    )


NO_DATA = "尚无数据来源：平台尚无监督检查记录"


def _no_data() -> IndicatorResult | None:
    """Before the first inspection is recorded the figure is missing, not 0 % (never invented)."""
    if Inspection.objects.filter(status=InspectionStatus.SUBMITTED).exists():
        return None
    return IndicatorResult(Decimal(0), None, Decimal(100), missing=True, note=NO_DATA)


def coverage(period: Period, regions: frozenset[str] | None) -> IndicatorResult:
    """Active businesses inspected at least once in the period ÷ active businesses, by town."""
    if (empty := _no_data()) is not None:
        return empty
    den: dict[str, int] = defaultdict(int)
    for region in _active(period, regions).values_list("region_id", flat=True).iterator(chunk_size=20_000):
        den[region] += 1
    done = (
        Inspection.objects.filter(
            status=InspectionStatus.SUBMITTED,
            inspected_on__gte=period.start,
            inspected_on__lte=period.end,
            business__in=_active(period, regions),
        )
        .values_list("region_id", "business_id")
        # Without order_by() the model's default ordering (-inspected_on, -id) joins the SELECT
        # DISTINCT and a business inspected three times counts three times.
        .order_by()
        .distinct()
    )
    num: dict[str, int] = defaultdict(int)
    for region, _b in done.iterator(chunk_size=20_000):
        num[region] += 1
    return _share(num, den, _towns(regions))


def campaign_coverage(period: Period, regions: frozenset[str] | None, only: str = "") -> IndicatorResult:
    """Businesses in the scope of a campaign running in the period and inspected under it ÷
    businesses in scope, summed over the period's campaigns (or the one campaign `only`), by town."""
    campaigns = [
        c
        for c in rules.load_campaigns().values()
        if c.starts <= period.end and c.ends >= period.start and (not only or c.code == only)
    ]
    if not campaigns:
        return IndicatorResult(Decimal(0), None, Decimal(100), missing=True, note="本期没有专项行动")
    levels = dict(Region.objects.values_list("code", "level"))
    cats: dict[int, list[str]] = defaultdict(list)
    active = _active(period, regions)
    for bid, cat in BusinessFoodCategory.objects.filter(business__in=active).values_list(
        "business_id", "category_id"
    ):
        cats[bid].append(cat)
    rows = list(active.values_list("id", "business_type", "region_id"))
    inspected = set(
        Inspection.objects.filter(
            status=InspectionStatus.SUBMITTED,
            inspected_on__gte=period.start,
            inspected_on__lte=period.end,
            campaign__in=[c.code for c in campaigns],
        ).values_list("campaign", "business_id")
    )
    num: dict[str, int] = defaultdict(int)
    den: dict[str, int] = defaultdict(int)
    for c in campaigns:
        for bid, btype, region in rows:
            if c.covers(
                business_type=btype,
                categories=cats.get(bid, ()),
                region_code=region,
                region_level=levels.get(region, ""),
            ):
                den[region] += 1
                if (c.code, bid) in inspected:
                    num[region] += 1
    return _share(num, den, _towns(regions))


def rectification_on_time(period: Period, regions: frozenset[str] | None) -> IndicatorResult:
    """Rectification orders due in the period closed by their deadline ÷ orders due in the period."""
    qs = Rectification.objects.filter(due__gte=period.start, due__lte=period.end)
    if regions is not None:
        qs = qs.filter(region_id__in=regions)
    num: dict[str, int] = defaultdict(int)
    den: dict[str, int] = defaultdict(int)
    for region, status, due, closed in qs.values_list("region_id", "status", "due", "closed_on"):
        den[region] += 1
        if status == RectificationStatus.DONE and closed is not None and closed <= due:
            num[region] += 1
    return _share(num, den, _towns(regions))


register(
    Indicator(
        code="inspections.coverage",
        name="日常监督检查覆盖率",
        unit="%",
        module="inspections",
        description="期内至少检查一次的在营主体 ÷ 在营主体 × 100",
        compute=coverage,
        factor=Decimal(100),
        records_url="inspections:list",
    )
)
register(
    Indicator(
        code="inspections.campaign_coverage",
        name="专项行动覆盖率",
        unit="%",
        module="inspections",
        description="期内专项行动范围内已按该专项检查的主体 ÷ 专项行动范围内主体 × 100",
        compute=campaign_coverage,
        factor=Decimal(100),
        records_url="inspections:list",
    )
)
register(
    Indicator(
        code="inspections.rectification_on_time",
        name="整改按时完成率",
        unit="%",
        module="inspections",
        description="期内到期的整改通知中按期办结的 ÷ 期内到期的整改通知 × 100",
        compute=rectification_on_time,
        factor=Decimal(100),
        records_url="inspections:list",
    )
)


def _one_campaign(code: str) -> Callable[[Period, frozenset[str] | None], IndicatorResult]:
    def compute(period: Period, regions: frozenset[str] | None) -> IndicatorResult:
        return campaign_coverage(period, regions, only=code)

    return compute


# One coverage per campaign, so a plan target can bind to its own campaign (T04: “守底线、查隐患、
# 保安全”专项行动重点对象检查覆盖率) and read the records rather than a typed figure.
for _c in rules.load_campaigns().values():
    register(
        Indicator(
            code=f"inspections.campaign_coverage.{_c.code}",
            name=f"{_c.name}覆盖率",
            unit="%",
            module="inspections",
            description=f"{_c.name}（{_c.task}）范围内已按该专项检查的主体 ÷ 范围内主体 × 100",
            compute=_one_campaign(_c.code),
            factor=Decimal(100),
            records_url="inspections:list",
        )
    )
