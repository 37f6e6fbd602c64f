"""Sampling indicators for the plan's targets and the town index: pass rate, disposal on time,
batches done. Per town (the sample's region)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Case, CharField, Count, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils import timezone

from shian.core.indicators import Compute, Indicator, IndicatorResult, Period, register
from shian.core.models import Region, RegionLevel

from . import rules
from .models import QuickTest, Sample, SampleDeadline, StatusChange, Verdict
from .workflow import SampleStatus


def _by_region(rows: list[tuple[str, int, int]]) -> dict[str, tuple[Decimal, Decimal | None]]:
    return {code: (Decimal(num), Decimal(den)) for code, num, den in rows}


def pass_rate(period: Period, regions: frozenset[str] | None) -> IndicatorResult:
    """Judged samples sampled in the period: qualified ÷ judged × 100."""
    qs = Sample.objects.filter(
        sampled_on__gte=period.start,
        sampled_on__lte=period.end,
        conclusion__in=[Verdict.QUALIFIED, Verdict.UNQUALIFIED],
    )
    if regions is not None:
        qs = qs.filter(region_id__in=regions)
    rows = list(
        qs.values("region_id")
        .annotate(ok=Count("id", filter=Q(conclusion=Verdict.QUALIFIED)), n=Count("id"))
        .values_list("region_id", "ok", "n")
    )
    if not rows:
        return IndicatorResult(Decimal(0), None, Decimal(100), missing=True, note="本期没有已判定的抽检样品")
    by_region = _by_region(rows)
    return IndicatorResult(
        Decimal(sum(r[1] for r in rows)), Decimal(sum(r[2] for r in rows)), Decimal(100), by_region=by_region
    )


def disposal_on_time(period: Period, regions: frozenset[str] | None) -> IndicatorResult:
    """Disposal deadlines due in the period: met by the due date ÷ due × 100."""
    qs = SampleDeadline.objects.filter(code="disposal", due__gte=period.start, due__lte=period.end)
    if regions is not None:
        qs = qs.filter(sample__region_id__in=regions)
    rows = list(
        qs.values("sample__region_id")
        .annotate(ok=Count("id", filter=Q(met_on__lte=F("due"))), n=Count("id"))
        .values_list("sample__region_id", "ok", "n")
    )
    if not rows:
        return IndicatorResult(Decimal(0), None, Decimal(100), missing=True, note="本期没有到期的核查处置")
    return IndicatorResult(
        Decimal(sum(r[1] for r in rows)),
        Decimal(sum(r[2] for r in rows)),
        Decimal(100),
        by_region=_by_region(rows),
    )


def batches_done(period: Period, regions: frozenset[str] | None) -> IndicatorResult:
    """Samples taken in the period (sampled on site or later, cancelled ones excluded)."""
    return _count_by_region(taken_in_period(period, regions))


def _count_by_region(qs: QuerySet[Sample]) -> IndicatorResult:
    """How many samples, in all and per town."""
    rows = dict(qs.values("region_id").annotate(n=Count("id")).values_list("region_id", "n"))
    return IndicatorResult(
        Decimal(sum(rows.values())),
        None,
        Decimal(1),
        by_region={k: (Decimal(v), None) for k, v in rows.items()},
    )


register(
    Indicator(
        code="sampling.pass_rate",
        name="食品抽检合格率",
        unit="%",
        module="sampling",
        description="期内抽样并已判定的样品中合格样品的比例 × 100",
        compute=pass_rate,
        factor=Decimal(100),
    )
)
register(
    Indicator(
        code="sampling.disposal_on_time",
        name="不合格食品按时核查处置率",
        unit="%",
        module="sampling",
        description="期内到期的核查处置中在时限内完成的比例 × 100（《食品安全抽样检验管理办法》第四十五条）",
        compute=disposal_on_time,
        factor=Decimal(100),
    )
)
register(
    Indicator(
        code="sampling.batches_done",
        name="食品安全监督抽检批次",
        unit="批次",
        module="sampling",
        description="期内完成现场抽样的批次（计划任务（十三））",
        compute=batches_done,
    )
)


# -- per thousand residents, by responsible unit, by category, unqualified batches found ----------


def taken_in_period(period: Period, regions: frozenset[str] | None) -> QuerySet[Sample]:
    """The batches `batches_done` counts: sampled in the period, neither a bare task nor cancelled."""
    qs = Sample.objects.filter(sampled_on__gte=period.start, sampled_on__lte=period.end).exclude(
        status__in=["task", "cancelled"]
    )
    return qs if regions is None else qs.filter(region_id__in=regions)


def batches_per_thousand(period: Period, regions: frozenset[str] | None) -> IndicatorResult:
    """Batches taken ÷ resident population of the towns in scope × 1000 (plan task (十三): 6.92
    per thousand). The population is `core.Region.population` of the towns, streets, zones and
    farms in scope; for the whole district their sum (949,000 in the seed, the plan's figure)."""
    towns = Region.objects.exclude(level=RegionLevel.DISTRICT)
    if regions is not None:
        towns = towns.filter(code__in=regions)
    population = dict(towns.values_list("code", "population"))
    total = sum(population.values())
    if total == 0:
        return IndicatorResult(Decimal(0), None, Decimal(1000), missing=True, note="镇街常住人口尚未录入")
    counts = dict(
        taken_in_period(period, regions)
        .values("region_id")
        .annotate(n=Count("id"))
        .values_list("region_id", "n")
    )
    by_region: dict[str, tuple[Decimal, Decimal | None]] = {
        code: (Decimal(counts.get(code, 0)), Decimal(pop)) for code, pop in population.items()
    }
    return IndicatorResult(Decimal(sum(counts.values())), Decimal(total), Decimal(1000), by_region=by_region)


def _sampler_department() -> Subquery:
    """The department of whoever recorded the on-site sampling (the change to "sampled")."""
    return Subquery(
        StatusChange.objects.filter(sample=OuterRef("pk"), to_status=SampleStatus.SAMPLED)
        .order_by("id")
        .values("by__department_id")[:1]
    )


def _batches_of_unit(unit: str) -> Compute:
    def compute(period: Period, regions: frozenset[str] | None) -> IndicatorResult:
        rule = rules.default_unit_rule()
        rows = (
            taken_in_period(period, regions)
            .annotate(department=_sampler_department())
            .values("region_id", "department")
            .annotate(n=Count("id"))
            .values_list("region_id", "department", "n")
        )
        counts: dict[str, int] = {}
        for region, department, n in rows:
            if rules.responsible_unit(department, rule) == unit:
                counts[region] = counts.get(region, 0) + n
        if not counts:
            # No record of this unit's batches: shown as missing (the unit may not record its
            # samples in the platform yet), not as zero.
            return IndicatorResult(
                Decimal(0), None, Decimal(1), missing=True, note=f"本期没有{rule.names[unit]}录入的抽检批次"
            )
        return IndicatorResult(
            Decimal(sum(counts.values())),
            None,
            Decimal(1),
            by_region={k: (Decimal(v), None) for k, v in counts.items()},
        )

    compute.__doc__ = f"Batches taken in the period that count for the unit {unit!r} (data/units.toml)."
    return compute


def _edition_label(period: Period) -> Case | Value:
    """The edition of the implementation rules in force on each sample's sampling date, in SQL,
    so that samples group by (town, category path, edition) in the database."""
    editions = [e for e in rules.default_sampling_editions() if e.valid_from <= period.end]
    if not editions:
        return Value("")
    whens = [When(sampled_on__gte=e.valid_from, then=Value(e.code)) for e in reversed(editions)]
    return Case(*whens, default=Value(""), output_field=CharField())


def category_rows(qs: QuerySet[Sample], period: Period) -> list[tuple[str, str, int, int]]:
    """(town, big category, batches, unqualified) of a set of samples, each sample classified with
    the edition in force on its sampling date; "" for a path no edition names."""
    editions = {e.code: e for e in rules.default_sampling_editions()}
    grouped = (
        qs.annotate(edition=_edition_label(period))
        .values("region_id", "category_path", "edition")
        .annotate(n=Count("id"), bad=Count("id", filter=Q(conclusion=Verdict.UNQUALIFIED)))
        .values_list("region_id", "category_path", "edition", "n", "bad")
    )
    out: dict[tuple[str, str], list[int]] = {}
    for region, path, code, n, bad in grouped:
        big = ""
        if code in editions:
            _edition, big, _sub = rules.classify_category(path, editions[code].valid_from, [editions[code]])
        acc = out.setdefault((region, big), [0, 0])
        acc[0] += n
        acc[1] += bad
    return [(region, big, n, bad) for (region, big), (n, bad) in out.items()]


def categories_covered(period: Period, regions: frozenset[str] | None) -> IndicatorResult:
    """Big categories of the implementation rules sampled in the period (the edition in force on
    each sampling date). Per town: the categories sampled there."""
    rows = [r for r in category_rows(taken_in_period(period, regions), period) if r[1]]
    if not rows:
        return IndicatorResult(Decimal(0), None, Decimal(1), missing=True, note="本期没有可归类的抽检批次")
    per_town: dict[str, set[str]] = {}
    for region, big, _n, _bad in rows:
        per_town.setdefault(region, set()).add(big)
    overall = {big for _region, big, _n, _bad in rows}
    return IndicatorResult(
        Decimal(len(overall)),
        None,
        Decimal(1),
        by_region={k: (Decimal(len(v)), None) for k, v in per_town.items()},
    )


def unqualified_found(period: Period, regions: frozenset[str] | None) -> IndicatorResult:
    """Batches sampled in the period and judged unqualified."""
    return _count_by_region(taken_in_period(period, regions).filter(conclusion=Verdict.UNQUALIFIED))


register(
    Indicator(
        code="sampling.batches_per_thousand",
        name="每千名常住人口食品抽检批次",
        unit="批次/千人",
        module="sampling",
        description="期内完成现场抽样的批次 ÷ 常住人口 × 1000（计划任务（十三）：6.92批次/千人）",
        compute=batches_per_thousand,
        factor=Decimal(1000),
        records_url="sampling:sample_list",
    )
)
register(
    Indicator(
        code="sampling.batches_market",
        name="区级市场监管部门食品安全监督抽检批次",
        unit="批次",
        module="sampling",
        description="期内完成现场抽样、由区市场监管局（含区食安办、镇街）录入抽样的批次（计划任务（十三））",
        compute=_batches_of_unit("market"),
        records_url="sampling:sample_list",
    )
)
register(
    Indicator(
        code="sampling.batches_agriculture",
        name="区级农产品质量安全定量检测批次",
        unit="批次",
        module="sampling",
        description="期内完成现场抽样、由区农业农村委人员录入抽样的批次（计划任务（十三））",
        compute=_batches_of_unit("agriculture"),
        records_url="sampling:sample_list",
    )
)
register(
    Indicator(
        code="sampling.categories_covered",
        name="抽检覆盖的食品大类数",
        unit="类",
        module="sampling",
        description="期内抽检覆盖的《食品安全监督抽检实施细则》食品大类数（按抽样日期适用的版本归类）",
        compute=categories_covered,
        records_url="sampling:sample_list",
    )
)
register(
    Indicator(
        code="sampling.unqualified_found",
        name="抽检发现不合格批次",
        unit="批次",
        module="sampling",
        description="期内抽样并判定为不合格的批次",
        compute=unqualified_found,
        records_url="sampling:unqualified_list",
    )
)


# -- quick tests (快检): plan task (十三) "持续开展食品快速检测和食用农产品定性检测" -------------------


def _quick_tests_in(period: Period, regions: frozenset[str] | None) -> QuerySet[QuickTest]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(period.start, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    qs = QuickTest.objects.filter(tested_at__gte=start, tested_at__lt=end)
    return qs if regions is None else qs.filter(region_id__in=regions)


def quick_tests_done(period: Period, regions: frozenset[str] | None) -> IndicatorResult:
    """Quick tests done in the period (Beijing time), by the market's town."""
    rows = dict(
        _quick_tests_in(period, regions)
        .values("region_id")
        .annotate(n=Count("id"))
        .values_list("region_id", "n")
    )
    return IndicatorResult(
        Decimal(sum(rows.values())),
        None,
        Decimal(1),
        by_region={k: (Decimal(v), None) for k, v in rows.items()},
    )


def quick_test_positive_followed(period: Period, regions: frozenset[str] | None) -> IndicatorResult:
    """Positives of the period that stand (confirmed after the window or by the re-test): followed
    by a supervisory sample ÷ standing positives × 100. Positives still in their window or under
    objection, and those overturned by the re-test, are not counted."""
    qs = _quick_tests_in(period, regions).filter(result="positive", confirmed_at__isnull=False)
    rows = list(
        qs.values("region_id")
        .annotate(ok=Count("id", filter=Q(followup_sample__isnull=False)), n=Count("id"))
        .values_list("region_id", "ok", "n")
    )
    if not rows:
        return IndicatorResult(Decimal(0), None, Decimal(100), missing=True, note="本期没有确认的快检阳性")
    return IndicatorResult(
        Decimal(sum(r[1] for r in rows)),
        Decimal(sum(r[2] for r in rows)),
        Decimal(100),
        by_region=_by_region(rows),
    )


register(
    Indicator(
        code="sampling.quick_tests",
        name="食用农产品快检批次",
        unit="批次",
        module="sampling",
        description="期内在集贸市场完成的食用农产品快速检测（定性）批次（计划任务（十三））",
        compute=quick_tests_done,
        records_url="sampling:quick_test_list",
    )
)
register(
    Indicator(
        code="sampling.quick_test_positive_followed",
        name="快检阳性跟踪抽检率",
        unit="%",
        module="sampling",
        description="期内确认的快检阳性（异议期届满或复检维持）中已转监督抽检的比例 × 100",
        compute=quick_test_positive_followed,
        factor=Decimal(100),
        records_url="sampling:quick_test_list",
    )
)
