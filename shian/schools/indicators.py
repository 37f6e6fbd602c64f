"""Indicators of the schools module, registered with the core registry, so the plan's targets are
computed from records rather than typed in: T10 (medium and larger caterers with an
internet-connected open kitchen), T11 (meal providers with HACCP or ISO 22000; school canteens and
meal providers inspected in the school campaigns) and T20 (school canteens and meal providers with
an internet-connected open kitchen). Denominators are defined in data/schools-rules.toml."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Q, QuerySet

from shian.core.indicators import Indicator, IndicatorResult, Period, register
from shian.inspections.models import Inspection, InspectionStatus
from shian.registry.models import Business

from . import rules
from .models import Certificate, OpenKitchen, School, SchoolSupplier, SupplierRole
from .selectors import SCHOOL_TYPE, school_campaigns


def _active(period: Period, regions: frozenset[str] | None) -> QuerySet[Business]:
    qs = (
        Business.objects.filter(Q(opened_on__isnull=True) | Q(opened_on__lte=period.end))
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=period.end))
        .exclude(status="closed", closed_on__isnull=True)
    )
    return qs if regions is None else qs.filter(region_id__in=regions)


def _ratio(population: dict[int, str], hits: set[int]) -> IndicatorResult:
    num: dict[str, int] = defaultdict(int)
    den: dict[str, int] = defaultdict(int)
    for pk, region in population.items():
        den[region] += 1
        if pk in hits:
            num[region] += 1
    by_region = {c: (Decimal(num.get(c, 0)), Decimal(n)) for c, n in den.items()}
    return IndicatorResult(
        Decimal(sum(num.values())), Decimal(sum(den.values())), Decimal(100), by_region=by_region
    )


def _missing(note: str) -> IndicatorResult:
    return IndicatorResult(Decimal(0), None, Decimal(100), missing=True, note=note)


def _meal_providers() -> set[int]:
    return set(
        SchoolSupplier.objects.filter(role=SupplierRole.MEAL_PROVIDER, school__active=True).values_list(
            "business_id", flat=True
        )
    )


def _built(ids: set[int], rule: rules.OpenKitchenRule, on: object) -> set[int]:
    return set(
        OpenKitchen.objects.filter(
            business_id__in=ids, level=rule.counted_level, verified_on__lte=on
        ).values_list("business_id", flat=True)
    )


def open_kitchen_t10(period: Period, regions: frozenset[str] | None) -> IndicatorResult:
    """Medium and larger social caterers with a verified internet-connected open kitchen ÷ them."""
    if not OpenKitchen.objects.exists():
        return _missing("尚无数据来源：平台尚未登记明厨亮灶状态")
    rule = rules.open_kitchen_rule_in_force(period.end)
    population = dict(
        _active(period, regions)
        .filter(business_type__in=rule.t10_business_types, scale__in=rule.t10_scales)
        .values_list("pk", "region_id")
    )
    return _ratio(population, _built(set(population), rule, period.end))


def open_kitchen_t20(period: Period, regions: frozenset[str] | None) -> IndicatorResult:
    """School canteens and schools' off-campus meal providers with an internet-connected open
    kitchen ÷ them."""
    if not School.objects.exists():
        return _missing("尚无数据来源：平台尚未导入学校名单")
    rule = rules.open_kitchen_rule_in_force(period.end)
    cond = Q(business_type__in=rule.t20_business_types)
    if rule.t20_meal_providers:
        cond |= Q(pk__in=_meal_providers())
    population = dict(_active(period, regions).filter(cond).values_list("pk", "region_id"))
    return _ratio(population, _built(set(population), rule, period.end))


def haccp_t11(period: Period, regions: frozenset[str] | None) -> IndicatorResult:
    """Off-campus meal providers holding a HACCP or ISO 22000 certificate valid at the period's end
    ÷ those providers."""
    providers = _meal_providers()
    if not providers:
        return _missing("尚无数据来源：学校名单中没有校外供餐单位")
    rule = rules.certificate_rule_in_force(period.end)
    population = dict(_active(period, regions).filter(pk__in=providers).values_list("pk", "region_id"))
    certified = set(
        Certificate.objects.filter(
            business_id__in=list(population),
            kind__in=rule.t11_kinds,
            valid_from__lte=period.end,
            valid_until__gte=period.end,
        ).values_list("business_id", flat=True)
    )
    return _ratio(population, certified)


def campaign_coverage_t11(period: Period, regions: frozenset[str] | None) -> IndicatorResult:
    """School canteens and meal providers inspected in every school campaign of the year that has
    started by the period's end ÷ them (春、秋季专项行动全覆盖)."""
    if not School.objects.exists():
        return _missing("尚无数据来源：平台尚未导入学校名单")
    campaigns = [c for c in school_campaigns(period.end.year) if c.starts <= period.end]
    if not campaigns:
        return _missing(f"{period.end.year} 年尚无已开始的学校专项行动")
    population = dict(
        _active(period, regions)
        .filter(Q(business_type=SCHOOL_TYPE) | Q(pk__in=_meal_providers()))
        .values_list("pk", "region_id")
    )
    seen: dict[int, set[str]] = defaultdict(set)
    for business_id, campaign in Inspection.objects.filter(
        business_id__in=list(population),
        campaign__in=[c.code for c in campaigns],
        status=InspectionStatus.SUBMITTED,
        inspected_on__lte=period.end,
    ).values_list("business_id", "campaign"):
        seen[business_id].add(campaign)
    covered = {pk for pk, got in seen.items() if len(got) == len(campaigns)}
    return _ratio(population, covered)


for code, name, description, compute, url in (
    (
        "schools.open_kitchen_t10",
        "中型以上社会餐饮“互联网+明厨亮灶”建设率",
        "在营的中型、大型社会餐饮服务经营者中，经核实为“互联网+明厨亮灶”的比例（计划任务十）",
        open_kitchen_t10,
        "schools:open_kitchen",
    ),
    (
        "schools.open_kitchen_t20",
        "学校食堂和校外供餐单位“互联网+明厨亮灶”覆盖率",
        "学校食堂和学校的校外供餐单位中，经核实为“互联网+明厨亮灶”的比例（计划任务二十）",
        open_kitchen_t20,
        "schools:open_kitchen",
    ),
    (
        "schools.haccp_t11",
        "校外供餐单位HACCP或ISO22000体系比例",
        "学校的校外供餐单位中，持有期末有效的HACCP或ISO 22000认证证书的比例（计划任务十一）",
        haccp_t11,
        "schools:certificates",
    ),
    (
        "schools.campaign_coverage_t11",
        "校园食堂和集中供餐单位专项行动检查覆盖率",
        "学校食堂和校外供餐单位中，在当年已开始的每一次学校专项行动（春季、秋季）中都接受过检查的比例（计划任务十一）",
        campaign_coverage_t11,
        "schools:list",
    ),
):
    register(
        Indicator(
            code=code,
            name=name,
            unit="%",
            module="schools",
            description=description,
            compute=compute,
            factor=Decimal(100),
            records_url=url,
        )
    )
