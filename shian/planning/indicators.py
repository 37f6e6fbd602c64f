"""Indicators the plan itself holds: year-end reports accepted, supervision rounds."""

from __future__ import annotations

from decimal import Decimal

from shian.core.indicators import Indicator, IndicatorResult, Period, register

from .models import PlanEvaluation, PlanStatus, ProgressReport


def year_end_reports_accepted(period: Period, regions: frozenset[str] | None) -> IndicatorResult:
    reports = ProgressReport.objects.filter(
        plan__status=PlanStatus.ACTIVE, plan__year=period.end.year, period="Y"
    )
    total = reports.count()
    if total == 0:
        return IndicatorResult(Decimal(0), None, Decimal(100), missing=True, note="年终报告尚未布置")
    accepted = reports.filter(status="accepted", decided_at__date__lte=period.end).count()
    return IndicatorResult(Decimal(accepted), Decimal(total), Decimal(100))


def supervision_rounds(period: Period, regions: frozenset[str] | None) -> IndicatorResult:
    """Quarter-end supervision rounds held in the period (each evaluation is one round)."""
    dates = PlanEvaluation.objects.filter(as_of__gte=period.start, as_of__lte=period.end).values_list(
        "as_of", flat=True
    )
    quarters = {(d.year, (d.month - 1) // 3) for d in dates}
    return IndicatorResult(Decimal(len(quarters)), None, Decimal(1))


register(
    Indicator(
        code="planning.year_end_reports_accepted",
        name="年终工作报告提交率",
        unit="%",
        module="planning",
        description="已审核通过的年终报告 ÷ 应报单位和镇街数 × 100",
        compute=year_end_reports_accepted,
        factor=Decimal(100),
    )
)
register(
    Indicator(
        code="planning.supervision_rounds",
        name="督查督办轮次",
        unit="次",
        module="planning",
        description="开展督查督办的季度数",
        compute=supervision_rounds,
    )
)
