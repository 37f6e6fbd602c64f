"""Sampling indicators for the plan's targets and the town index: pass rate, disposal on time,
batches done. Per town (the sample's region)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, F, Q

from shian.core.indicators import Indicator, IndicatorResult, Period, register

from .models import Sample, SampleDeadline, Verdict


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
    qs = Sample.objects.filter(sampled_on__gte=period.start, sampled_on__lte=period.end).exclude(
        status__in=["task", "cancelled"]
    )
    if regions is not None:
        qs = qs.filter(region_id__in=regions)
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
