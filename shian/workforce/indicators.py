"""The figures of plan tasks 十八, 二十二, 二十三, 二十四, 二十五 and 二十七, computed from the workforce
records (core.indicators), with numerator and denominator overall and per town; missing, never
zero, before any record of their kind exists. Coordinators per 10,000 residents stays
core.coordinators_per_10k (the roster is core's table)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum

from shian.core.indicators import Indicator, IndicatorResult, Period, register
from shian.registry.models import Business

from . import rules
from .models import (
    Certification,
    GridCell,
    Informant,
    Inspector,
    InsurancePolicy,
    Milestone,
    PublicityEvent,
    ScienceProject,
    TrainingRecord,
    TrainingSession,
)

D0 = Decimal(0)


def _in(qs: QuerySet, regions: frozenset[str] | None, field: str = "region") -> QuerySet:
    return qs if regions is None else qs.filter(**{f"{field}__in": sorted(regions)})


def _ratio(num: dict[str, Decimal], den: dict[str, Decimal], factor: Decimal) -> IndicatorResult:
    codes = sorted(set(num) | set(den))
    by_region = {c: (num.get(c, D0), den.get(c, D0)) for c in codes}
    return IndicatorResult(sum(num.values(), D0), sum(den.values(), D0), factor, by_region=by_region)


def _count(rows: list[str], factor: Decimal = Decimal(1)) -> IndicatorResult:
    by: dict[str, Decimal] = defaultdict(lambda: D0)
    for region in rows:
        by[region] += 1
    return IndicatorResult(Decimal(len(rows)), None, factor, by_region={c: (n, None) for c, n in by.items()})


def _missing(factor: Decimal, note: str) -> IndicatorResult:
    return IndicatorResult(D0, None, factor, missing=True, note=note)


def _active_inspectors(period: Period, regions: frozenset[str] | None) -> QuerySet[Inspector]:
    return _in(Inspector.objects.filter(active=True), regions)


def inspector_training_rate(period: Period, regions: frozenset[str] | None) -> IndicatorResult:
    """T22: inspectors in post who completed the year's required training hours ÷ inspectors in post
    × 100 (《食品安全法》第一百一十六条; hours per year from the rule data)."""
    if not Inspector.objects.exists():
        return _missing(Decimal(100), "检查员名录尚未录入")
    need = rules.training_hours_required(period.end)
    hours = dict(
        TrainingRecord.objects.filter(completed_on__gte=period.start, completed_on__lte=period.end)
        .values("inspector_id")
        .annotate(h=Sum("hours"))
        .values_list("inspector_id", "h")
    )
    num: dict[str, Decimal] = defaultdict(lambda: D0)
    den: dict[str, Decimal] = defaultdict(lambda: D0)
    for pk, region in _active_inspectors(period, regions).values_list("pk", "region_id"):
        den[region] += 1
        if (hours.get(pk) or D0) >= need:
            num[region] += 1
    return _ratio(dict(num), dict(den), Decimal(100))


def inspector_certificates_valid(period: Period, regions: frozenset[str] | None) -> IndicatorResult:
    """Inspectors in post whose law-enforcement certificate is valid on the period's last day ÷
    inspectors in post × 100."""
    if not Inspector.objects.exists():
        return _missing(Decimal(100), "检查员名录尚未录入")
    num: dict[str, Decimal] = defaultdict(lambda: D0)
    den: dict[str, Decimal] = defaultdict(lambda: D0)
    for region, until in _active_inspectors(period, regions).values_list("region_id", "cert_valid_until"):
        den[region] += 1
        if rules.certificate_valid(until, on=period.end):
            num[region] += 1
    return _ratio(dict(num), dict(den), Decimal(100))


def professional_inspectors(period: Period, regions: frozenset[str] | None) -> IndicatorResult:
    if not Inspector.objects.exists():
        return _missing(Decimal(1), "检查员名录尚未录入")
    return _count(
        list(
            _active_inspectors(period, regions).filter(professional=True).values_list("region_id", flat=True)
        )
    )


def grid_informant_coverage(period: Period, regions: frozenset[str] | None) -> IndicatorResult:
    """T22 (网格化管理): agricultural grid cells with an informant in post at the period's end ÷
    agricultural grid cells × 100."""
    if not GridCell.objects.exists():
        return _missing(Decimal(100), "网格尚未录入")
    in_post = Informant.objects.filter(since__lte=period.end).filter(
        Q(until__isnull=True) | Q(until__gte=period.end)
    )
    staffed = set(in_post.values_list("cell_id", flat=True))
    num: dict[str, Decimal] = defaultdict(lambda: D0)
    den: dict[str, Decimal] = defaultdict(lambda: D0)
    for pk, region in _in(GridCell.objects.filter(agricultural=True), regions).values_list("pk", "region_id"):
        den[region] += 1
        if pk in staffed:
            num[region] += 1
    return _ratio(dict(num), dict(den), Decimal(100))


def _sessions(period: Period, regions: frozenset[str] | None, kind: str) -> QuerySet[TrainingSession]:
    return _in(
        TrainingSession.objects.filter(kind=kind, held_on__gte=period.start, held_on__lte=period.end), regions
    )


def standards_training_sessions(period: Period, regions: frozenset[str] | None) -> IndicatorResult:
    """T18: food-safety standards training sessions held in the period."""
    if not TrainingSession.objects.exists():
        return _missing(Decimal(1), "培训尚未录入")
    return _count(list(_sessions(period, regions, "standards").values_list("region_id", flat=True)))


def standards_training_attendance(period: Period, regions: frozenset[str] | None) -> IndicatorResult:
    """T18: people trained on food-safety standards in the period (attendance summed)."""
    if not TrainingSession.objects.exists():
        return _missing(Decimal(1), "培训尚未录入")
    rows = _sessions(period, regions, "standards").values("region_id").annotate(n=Sum("attendance"))
    by = {r["region_id"]: (Decimal(r["n"]), None) for r in rows}
    return IndicatorResult(sum((v[0] for v in by.values()), D0), None, Decimal(1), by_region=by)


def _policies_in_force(period: Period, regions: frozenset[str] | None) -> QuerySet[InsurancePolicy]:
    return _in(InsurancePolicy.objects.filter(starts__lte=period.end, ends__gte=period.end), regions)


def insurance_policies_in_force(period: Period, regions: frozenset[str] | None) -> IndicatorResult:
    """T23: food-safety liability policies in force on the period's last day."""
    if not InsurancePolicy.objects.exists():
        return _missing(Decimal(1), "责任保险保单尚未录入")
    return _count(list(_policies_in_force(period, regions).values_list("region_id", flat=True)))


def _active_businesses(
    period: Period, regions: frozenset[str] | None, types: list[str]
) -> QuerySet[Business]:
    qs = (
        Business.objects.filter(business_type__in=types)
        .filter(Q(opened_on__isnull=True) | Q(opened_on__lte=period.end))
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=period.end))
        .exclude(status="closed", closed_on__isnull=True)
    )
    return _in(qs, regions, "region_id")


def school_insurance_coverage(period: Period, regions: frozenset[str] | None) -> IndicatorResult:
    """T23: school canteens of the register insured on the period's last day ÷ school canteens in
    business × 100 (a policy counts when it names the canteen's credit code)."""
    if not InsurancePolicy.objects.exists():
        return _missing(Decimal(100), "责任保险保单尚未录入")
    insured = set(
        _policies_in_force(period, None).exclude(business=None).values_list("business_id", flat=True)
    )
    num: dict[str, Decimal] = defaultdict(lambda: D0)
    den: dict[str, Decimal] = defaultdict(lambda: D0)
    for pk, region in _active_businesses(period, regions, ["school_canteen"]).values_list("pk", "region_id"):
        den[region] += 1
        if pk in insured:
            num[region] += 1
    return _ratio(dict(num), dict(den), Decimal(100))


def certification_ratio(period: Period, regions: frozenset[str] | None) -> IndicatorResult:
    """T23: food producers of the register holding a management-system certificate valid on the
    period's last day ÷ food producers in business × 100."""
    if not Certification.objects.exists():
        return _missing(Decimal(100), "体系认证尚未录入")
    certified = set(
        Certification.objects.filter(valid_until__gte=period.end)
        .exclude(business=None)
        .values_list("business_id", flat=True)
    )
    num: dict[str, Decimal] = defaultdict(lambda: D0)
    den: dict[str, Decimal] = defaultdict(lambda: D0)
    for pk, region in _active_businesses(period, regions, ["production"]).values_list("pk", "region_id"):
        den[region] += 1
        if pk in certified:
            num[region] += 1
    return _ratio(dict(num), dict(den), Decimal(100))


def science_projects(period: Period, regions: frozenset[str] | None) -> IndicatorResult:
    """T24: food-safety projects of the district science plan started in the period."""
    if not ScienceProject.objects.exists():
        return _missing(Decimal(1), "科技项目尚未录入")
    qs = _in(ScienceProject.objects.filter(started_on__gte=period.start, started_on__lte=period.end), regions)
    return _count(list(qs.values_list("region_id", flat=True)))


def milestones_done(period: Period, regions: frozenset[str] | None) -> IndicatorResult:
    """T25: 双安双创 milestones due by the period's end that are done with evidence ÷ those due × 100."""
    if not Milestone.objects.exists():
        return _missing(Decimal(100), "双安双创里程碑尚未录入")
    due = _in(Milestone.objects.filter(due__gte=period.start, due__lte=period.end), regions)
    num: dict[str, Decimal] = defaultdict(lambda: D0)
    den: dict[str, Decimal] = defaultdict(lambda: D0)
    for region, done_on in due.values_list("region_id", "done_on"):
        den[region] += 1
        if done_on is not None and done_on <= period.end:
            num[region] += 1
    return _ratio(dict(num), dict(den), Decimal(100))


def publicity_week_events(period: Period, regions: frozenset[str] | None) -> IndicatorResult:
    """T27: publicity-week events held in the period (the plan: 组织开展食品安全宣传周活动)."""
    if not PublicityEvent.objects.exists():
        return _missing(Decimal(1), "宣传活动尚未录入")
    qs = _in(
        PublicityEvent.objects.filter(kind="week", held_on__gte=period.start, held_on__lte=period.end),
        regions,
    )
    return _count(list(qs.values_list("region_id", flat=True)))


def publicity_reach(period: Period, regions: frozenset[str] | None) -> IndicatorResult:
    if not PublicityEvent.objects.exists():
        return _missing(Decimal(1), "宣传活动尚未录入")
    qs = _in(PublicityEvent.objects.filter(held_on__gte=period.start, held_on__lte=period.end), regions)
    by = {r["region_id"]: (Decimal(r["n"]), None) for r in qs.values("region_id").annotate(n=Sum("reach"))}
    return IndicatorResult(sum((v[0] for v in by.values()), D0), None, Decimal(1), by_region=by)


INDICATORS = (
    (
        "workforce.inspector_training_rate",
        "检查员年度培训学时达标率",
        "%",
        inspector_training_rate,
        100,
        "在岗检查员中年度培训学时达到规定的人数 ÷ 在岗检查员 × 100（计划任务二十二）",
    ),
    (
        "workforce.inspector_certificates_valid",
        "检查员执法证有效率",
        "%",
        inspector_certificates_valid,
        100,
        "在岗检查员中期末执法证有效的人数 ÷ 在岗检查员 × 100（计划任务二十二）",
    ),
    (
        "workforce.professional_inspectors",
        "职业化检查员人数",
        "人",
        professional_inspectors,
        1,
        "在岗职业化检查员人数（计划任务二十二）",
    ),
    (
        "workforce.grid_informant_coverage",
        "涉农网格信息员配备率",
        "%",
        grid_informant_coverage,
        100,
        "期末有在岗信息员的涉农网格 ÷ 涉农网格 × 100（计划任务二十二）",
    ),
    (
        "workforce.standards_training_sessions",
        "食品安全标准宣贯培训场次",
        "场",
        standards_training_sessions,
        1,
        "期内举办的食品安全标准宣贯培训场次（计划任务十八）",
    ),
    (
        "workforce.standards_training_attendance",
        "食品安全标准宣贯培训人次",
        "人次",
        standards_training_attendance,
        1,
        "期内食品安全标准宣贯培训参训人次（计划任务十八）",
    ),
    (
        "workforce.insurance_policies_in_force",
        "有效食品安全责任保险保单数",
        "份",
        insurance_policies_in_force,
        1,
        "期末有效的食品安全责任保险保单数（计划任务二十三）",
    ),
    (
        "workforce.school_insurance_coverage",
        "学校食堂食品安全责任保险覆盖率",
        "%",
        school_insurance_coverage,
        100,
        "期末在保的学校食堂 ÷ 在营学校食堂 × 100（计划任务二十三）",
    ),
    (
        "workforce.certification_ratio",
        "食品生产企业体系认证比例",
        "%",
        certification_ratio,
        100,
        "期末持有效体系认证的食品生产企业 ÷ 在营食品生产企业 × 100（计划任务二十三）",
    ),
    (
        "workforce.science_projects",
        "食品安全科技项目数",
        "项",
        science_projects,
        1,
        "期内立项的食品安全科技项目数（计划任务二十四）",
    ),
    (
        "workforce.milestones_done",
        "双安双创里程碑完成率",
        "%",
        milestones_done,
        100,
        "期内到期的双安双创里程碑中已完成并附证明的 ÷ 到期里程碑 × 100（计划任务二十五）",
    ),
    (
        "workforce.publicity_week_events",
        "食品安全宣传周活动场次",
        "次",
        publicity_week_events,
        1,
        "期内开展的食品安全宣传周活动场次（计划任务二十七）",
    ),
    (
        "workforce.publicity_reach",
        "宣传活动覆盖人次",
        "人次",
        publicity_reach,
        1,
        "期内宣传活动覆盖人次（计划任务二十七）",
    ),
)
for _code, _name, _unit, _fn, _factor, _desc in INDICATORS:
    register(Indicator(_code, _name, _unit, "workforce", _desc, _fn, Decimal(_factor), "workforce:home"))
