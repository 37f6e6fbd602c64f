"""Factories for the index's tests: a coordinator roster, the plan's town reports, and stand-ins
for indicators whose modules are not built yet."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from zoneinfo import ZoneInfo

import factory

from shian.core.indicators import Indicator, IndicatorResult, Period
from shian.core.models import Coordinator
from shian.planning.models import AnnualPlan, PlanStatus, ProgressReport, ReportStatus

DISTRICT = "120113"
TOWN_C = "120113002"  # 集贤里街道: in the quarter_data fixture it has coordinators only (0), so 数据不足
SHANGHAI = ZoneInfo("Asia/Shanghai")


class CoordinatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Coordinator

    name = factory.Sequence(lambda n: f"协管员{n}")
    full_time = True
    since = dt.date(2021, 1, 1)


def roster(counts: Mapping[str, int]) -> None:
    """Full-time coordinators in post since 2021, `counts` per town."""
    for region, n in counts.items():
        CoordinatorFactory.create_batch(n, region_id=region)


def plan_2022() -> AnnualPlan:
    plan, _ = AnnualPlan.objects.get_or_create(
        region_id=DISTRICT,
        year=2022,
        version=1,
        defaults={
            "title": "北辰区2022年食品安全监督管理计划",
            "status": PlanStatus.ACTIVE,
            "starts": dt.date(2022, 1, 1),
            "ends": dt.date(2022, 12, 31),
        },
    )
    return plan


def town_report(
    *,
    region: str,
    period: str,
    due: dt.date,
    submitted_at: dt.datetime | None,
    plan: AnnualPlan | None = None,
) -> ProgressReport:
    return ProgressReport.objects.create(
        plan=plan or plan_2022(),
        period=period,
        region_id=region,
        due=due,
        body="本季度工作情况……",
        status=ReportStatus.SUBMITTED if submitted_at else ReportStatus.DRAFT,
        submitted_at=submitted_at,
    )


def stub_indicator(code: str, values: Mapping[str, Decimal | int | float | str | None]) -> Indicator:
    """An indicator returning fixed per-town values (None: the town has no data), standing in for
    a module that is not built yet."""
    by_region: dict[str, tuple[Decimal, Decimal | None]] = {
        t: (Decimal(str(v)), None) for t, v in values.items() if v is not None
    }

    def compute(period: Period, regions: frozenset[str] | None) -> IndicatorResult:
        scoped: dict[str, tuple[Decimal, Decimal | None]] = {
            t: v for t, v in by_region.items() if regions is None or t in regions
        }
        return IndicatorResult(
            sum((v[0] for v in scoped.values()), Decimal(0)), None, Decimal(1), by_region=scoped
        )

    return Indicator(code=code, name=code, unit="", module="test", description="stand-in", compute=compute)
