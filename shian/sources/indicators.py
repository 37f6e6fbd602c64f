"""The figures of plan tasks 六, 七 and 八, computed from the sources records (core.indicators).
Each returns its numerator and denominator overall and per town; with no records at all it is
reported missing, never zero."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Exists, OuterRef, QuerySet, Sum

from shian.core.indicators import Indicator, IndicatorResult, Period, register

from . import rules
from .models import (
    CertificateCheck,
    CertificateIssue,
    FarmlandPlot,
    GrainLot,
    GrainSample,
    GrainTest,
    PhaseOut,
    Producer,
    SafeUseMeasure,
)

D0 = Decimal(0)
Pairs = dict[str, tuple[Decimal, Decimal | None]]


def _in(qs: QuerySet, regions: frozenset[str] | None, field: str = "region") -> QuerySet:
    return qs if regions is None else qs.filter(**{f"{field}__in": sorted(regions)})


def _result(
    num: dict[str, Decimal], den: dict[str, Decimal] | None, factor: Decimal, note: str = ""
) -> IndicatorResult:
    codes = set(num) | set(den or {})
    by_region: Pairs = {c: (num.get(c, D0), None if den is None else den.get(c, D0)) for c in sorted(codes)}
    total_num = sum(num.values(), D0)
    total_den = None if den is None else sum(den.values(), D0)
    return IndicatorResult(total_num, total_den, factor, by_region=by_region, note=note)


def _missing(factor: Decimal, note: str) -> IndicatorResult:
    return IndicatorResult(D0, None, factor, missing=True, note=note)


def certificate_producer_coverage(period: Period, regions: frozenset[str] | None) -> IndicatorResult:
    """T07: producers obliged to issue 承诺达标合格证 (第三十九条) that issued at least one in the
    period ÷ those producers in production × 100."""
    producers = _in(Producer.objects.filter(active=True), regions)
    if not Producer.objects.exists():
        return _missing(Decimal(100), "农产品生产主体名录尚未录入")
    required = [
        k
        for k in ("enterprise", "cooperative", "family_farm", "farmer", "purchaser")
        if rules.certificate_required(k, on=period.end)
    ]
    obliged = producers.filter(kind__in=required)
    issued = CertificateIssue.objects.filter(
        producer=OuterRef("pk"), issued_on__gte=period.start, issued_on__lte=period.end
    )
    num: dict[str, Decimal] = defaultdict(lambda: D0)
    den: dict[str, Decimal] = defaultdict(lambda: D0)
    for region, did in obliged.annotate(did=Exists(issued)).values_list("region_id", "did"):
        den[region] += 1
        if did:
            num[region] += 1
    return _result(dict(num), dict(den), Decimal(100))


def certificate_match_rate(period: Period, regions: frozenset[str] | None) -> IndicatorResult:
    """Batches carrying a certificate ÷ batches checked at markets × 100 (第三十九条第三款)."""
    checks = _in(
        CertificateCheck.objects.filter(checked_on__gte=period.start, checked_on__lte=period.end), regions
    )
    if not CertificateCheck.objects.exists():
        return _missing(Decimal(100), "市场合格证查验尚未录入")
    rows = checks.values("region_id").annotate(n=Sum("batches_with_certificate"), d=Sum("batches_checked"))
    return _result(
        {r["region_id"]: Decimal(r["n"]) for r in rows},
        {r["region_id"]: Decimal(r["d"]) for r in rows},
        Decimal(100),
    )


def pesticides_phased_out(period: Period, regions: frozenset[str] | None) -> IndicatorResult:
    """T07: how many of the highly toxic pesticides of 公告第536号 the district has phased out (a
    substance counts once its phase-out is recorded complete by the period's end)."""
    if not PhaseOut.objects.exists():
        return _missing(Decimal(1), "高毒农药淘汰记录尚未录入")
    listed = rules.phase_out_substances()
    done = _in(
        PhaseOut.objects.filter(
            substance__in=listed, completed_on__isnull=False, completed_on__lte=period.end
        ),
        regions,
    )
    by_region: dict[str, set[str]] = defaultdict(set)
    for region, substance in done.values_list("region_id", "substance"):
        by_region[region].add(substance)
    total = {s for subs in by_region.values() for s in subs}
    result = _result({r: Decimal(len(s)) for r, s in by_region.items()}, None, Decimal(1))
    return IndicatorResult(Decimal(len(total)), None, Decimal(1), by_region=result.by_region)


def _lots_received(period: Period, regions: frozenset[str] | None) -> QuerySet[GrainLot]:
    return _in(GrainLot.objects.filter(received_on__gte=period.start, received_on__lte=period.end), regions)


def grain_samples_per_10k(period: Period, regions: frozenset[str] | None) -> IndicatorResult:
    """T08: monitoring samples taken in the period ÷ tonnes of grain taken in × 10,000
    ("每万吨粮食产量不少于1个监测样品")."""
    if not GrainLot.objects.exists():
        return _missing(Decimal(10000), "粮食批次尚未录入")
    tonnes = {
        r["region_id"]: r["t"] or D0
        for r in _lots_received(period, regions).values("region_id").annotate(t=Sum("tonnes"))
    }
    samples: dict[str, Decimal] = defaultdict(lambda: D0)
    qs = _in(GrainSample.objects.filter(sampled_on__gte=period.start, sampled_on__lte=period.end), regions)
    for region in qs.values_list("region_id", flat=True):
        samples[region] += 1
    return _result(dict(samples), tonnes, Decimal(10000))


def rice_cadmium_coverage(period: Period, regions: frozenset[str] | None) -> IndicatorResult:
    """T08: rice lots taken in during the period with an intake test that measured cadmium ÷ rice
    lots taken in × 100 (镉列入稻谷出入库必检项目)."""
    if not GrainLot.objects.exists():
        return _missing(Decimal(100), "粮食批次尚未录入")
    tested = GrainTest.objects.filter(lot=OuterRef("pk"), direction="intake", cadmium_mg_kg__isnull=False)
    rice = _lots_received(period, regions).filter(grain="rice").annotate(cd=Exists(tested))
    num: dict[str, Decimal] = defaultdict(lambda: D0)
    den: dict[str, Decimal] = defaultdict(lambda: D0)
    for region, cd in rice.values_list("region_id", "cd"):
        den[region] += 1
        if cd:
            num[region] += 1
    return _result(dict(num), dict(den), Decimal(100))


def farmland_safe_use_rate(period: Period, regions: frozenset[str] | None) -> IndicatorResult:
    """T06: area of 安全利用类 and 严格管控类 plots with a fitting measure checked and passed in the
    period's year ÷ area of those plots × 100."""
    if not FarmlandPlot.objects.exists():
        return _missing(Decimal(100), "耕地地块尚未录入")
    counted = [c for c in ("priority", "safe_use", "strict_control") if rules.counted_class(c, on=period.end)]
    done = SafeUseMeasure.objects.filter(
        plot=OuterRef("pk"), year=period.end.year, check_passed=True, checked_on__lte=period.end
    )
    plots = _in(FarmlandPlot.objects.filter(soil_class__in=counted), regions).annotate(ok=Exists(done))
    num: dict[str, Decimal] = defaultdict(lambda: D0)
    den: dict[str, Decimal] = defaultdict(lambda: D0)
    for region, area, ok in plots.values_list("region_id", "area_mu", "ok"):
        den[region] += area
        if ok:
            num[region] += area
    return _result(dict(num), dict(den), Decimal(100))


for _ind in (
    Indicator(
        "sources.farmland_safe_use_rate",
        "受污染耕地安全利用率",
        "%",
        "sources",
        "安全利用类和严格管控类耕地中，当年措施核查通过的面积 ÷ 该两类耕地面积 × 100（计划任务六）",
        farmland_safe_use_rate,
        Decimal(100),
        "sources:home",
    ),
    Indicator(
        "sources.certificate_producer_coverage",
        "承诺达标合格证主体覆盖率",
        "%",
        "sources",
        "应开具合格证的在产主体中，期内开具过合格证的主体数 ÷ 应开具主体数 × 100（计划任务七）",
        certificate_producer_coverage,
        Decimal(100),
        "sources:home",
    ),
    Indicator(
        "sources.certificate_match_rate",
        "市场查验附证率",
        "%",
        "sources",
        "市场查验批次中附承诺达标合格证的批次 ÷ 查验批次 × 100（计划任务七）",
        certificate_match_rate,
        Decimal(100),
        "sources:home",
    ),
    Indicator(
        "sources.pesticides_phased_out",
        "完成淘汰的高毒农药种数",
        "种",
        "sources",
        "农业农村部公告第536号所列4种高毒农药中已记录完成淘汰的种数（计划任务七）",
        pesticides_phased_out,
        Decimal(1),
        "sources:home",
    ),
    Indicator(
        "sources.grain_samples_per_10k_tonnes",
        "每万吨粮食监测样品数",
        "个/万吨",
        "sources",
        "期内粮食风险监测样品数 ÷ 期内入库粮食吨数 × 10000（计划任务八）",
        grain_samples_per_10k,
        Decimal(10000),
        "sources:grain",
    ),
    Indicator(
        "sources.rice_cadmium_coverage",
        "稻谷入库镉检测覆盖率",
        "%",
        "sources",
        "期内入库的稻谷批次中，入库检验检测了镉的批次 ÷ 入库稻谷批次 × 100（计划任务八）",
        rice_cadmium_coverage,
        Decimal(100),
        "sources:grain",
    ),
):
    register(_ind)
