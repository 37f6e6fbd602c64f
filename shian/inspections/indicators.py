"""Indicators of inspections, registered with the core registry (the town index reads
"inspections.coverage" and "inspections.campaign_coverage")."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet

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


def _not_active(period: Period, regions: frozenset[str] | None) -> QuerySet[Business]:
    """Exactly the businesses `_active` leaves out (its conditions negated; the dates compared are
    not null). Few, so "inspected business not among these" reads the inspections of the period
    from their own index, where "among the active ones" would look up every active business."""
    out = (
        Q(opened_on__gt=period.end)
        | Q(closed_on__lte=period.end)
        | Q(status="closed", closed_on__isnull=True)
    )
    if regions is not None:
        out |= ~Q(region_id__in=regions)
    return Business.objects.filter(out).order_by()


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


def _counts(rows: QuerySet[Any]) -> tuple[dict[str, int], dict[str, int]]:
    """({town: numerator}, {town: denominator}) from rows of (region_id, num, den)."""
    num: dict[str, int] = {}
    den: dict[str, int] = {}
    for region, n, d in rows:
        num[region], den[region] = n or 0, d or 0
    return num, den


def coverage(period: Period, regions: frozenset[str] | None) -> IndicatorResult:
    """Active businesses inspected at least once in the period ÷ active businesses, by town.
    Counted in SQL: the active businesses per town, and per town of the inspection the distinct
    businesses inspected (a business inspected three times counts once)."""
    if (empty := _no_data()) is not None:
        return empty
    active = _active(period, regions)
    den = dict(active.order_by().values("region_id").annotate(n=Count("id")).values_list("region_id", "n"))
    num = dict(
        Inspection.objects.filter(
            status=InspectionStatus.SUBMITTED,
            inspected_on__gte=period.start,
            inspected_on__lte=period.end,
        )
        .exclude(business_id__in=_not_active(period, regions).values("id"))
        # order_by(): the model's default ordering (-inspected_on, -id) must not join the grouping.
        .order_by()
        .values("region_id")
        .annotate(n=Count("business_id", distinct=True))
        .values_list("region_id", "n")
    )
    return _share(num, den, _towns(regions))


def _in_scope(campaign: rules.Campaign, levels: dict[str, str]) -> list[Q]:
    """`Campaign.covers` as filters on businesses, in disjoint parts counted apart: its type is
    named; or one of its categories is (and not its type). Each part narrows the businesses read
    through an index (the type, or the category's businesses), where one OR would read them all.
    Its town must be one of the campaign's towns (all towns when none is named; "rural" names the
    towns and townships, not the streets)."""
    by_type = Q(business_type__in=sorted(campaign.business_types))
    parts = [by_type]
    if campaign.categories:
        in_category = BusinessFoodCategory.objects.filter(category_id__in=sorted(campaign.categories))
        parts.append(Q(id__in=in_category.order_by().values("business_id")) & ~by_type)
    if not campaign.towns:
        return parts
    towns = set(campaign.towns) - {"rural"}
    if "rural" in campaign.towns:
        towns |= {code for code, level in levels.items() if level in ("town", "township")}
    return [part & Q(region_id__in=sorted(towns)) for part in parts]


def campaign_coverage(period: Period, regions: frozenset[str] | None, only: str = "") -> IndicatorResult:
    """Businesses in the scope of a campaign running in the period and inspected under it ÷
    businesses in scope, summed over the period's campaigns (or the one campaign `only`), by town.
    One grouped query per campaign: the businesses in scope per town, and those of them with a
    submitted inspection under the campaign in the period."""
    campaigns = [
        c
        for c in rules.load_campaigns().values()
        if c.starts <= period.end and c.ends >= period.start and (not only or c.code == only)
    ]
    if not campaigns:
        return IndicatorResult(Decimal(0), None, Decimal(100), missing=True, note="本期没有专项行动")
    levels = dict(Region.objects.values_list("code", "level"))
    active = _active(period, regions).order_by()
    num: dict[str, int] = defaultdict(int)
    den: dict[str, int] = defaultdict(int)
    for c in campaigns:
        inspected = (
            Inspection.objects.filter(
                campaign=c.code,
                status=InspectionStatus.SUBMITTED,
                inspected_on__gte=period.start,
                inspected_on__lte=period.end,
            )
            .order_by()
            .values("business_id")
        )
        for part in _in_scope(c, levels):
            c_num, c_den = _counts(
                active.filter(part)
                .values("region_id")
                .annotate(k=Count("id", filter=Q(id__in=inspected)), n=Count("id"))
                .values_list("region_id", "k", "n")
            )
            for region, n in c_den.items():
                den[region] += n
                num[region] += c_num[region]
    return _share(num, den, _towns(regions))


def rectification_on_time(period: Period, regions: frozenset[str] | None) -> IndicatorResult:
    """Rectification orders due in the period closed by their deadline ÷ orders due in the period."""
    qs = Rectification.objects.filter(due__gte=period.start, due__lte=period.end).order_by()
    if regions is not None:
        qs = qs.filter(region_id__in=regions)
    num, den = _counts(
        qs.values("region_id")
        .annotate(
            k=Count(
                "id",
                filter=Q(status=RectificationStatus.DONE, closed_on__isnull=False, closed_on__lte=F("due")),
            ),
            n=Count("id"),
        )
        .values_list("region_id", "k", "n")
    )
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
