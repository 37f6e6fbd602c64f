"""Sampling indicators on known records, with exact figures, and the plan's task (十三) targets
bound to them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from pathlib import Path

import pytest

from shian.core import indicators
from shian.core.indicators import Period
from shian.core.models import Department, Region, Role
from shian.core.tests.factories import TOWN_A, TOWN_B, UserFactory
from shian.planning.planfile import parse_plan
from shian.planning.selectors import plan_status
from shian.planning.services import plan_load
from shian.sampling import services
from shian.sampling.models import Sample
from shian.sampling.selectors import batches_by_category_for_user
from shian.sampling.workflow import SampleStatus as S

pytestmark = pytest.mark.django_db
Y2022 = Period.year(2022)
PLAN_2022 = Path(__file__).resolve().parents[2] / "planning" / "data" / "beichen-2022.toml"


@pytest.fixture
def agri_sampler(db):
    return UserFactory.create(
        username="agri-sampler",
        role=Role.DISTRICT_OFFICER,
        department=Department.objects.get(pk="agriculture"),
    )


def taken(
    code: str,
    *,
    by,
    town: str = TOWN_A,
    on: dt.date = dt.date(2022, 5, 10),
    path: str = "粮食加工品-大米",
    conclusion: str = "",
    status: str = S.SAMPLED,
) -> Sample:
    sample = services.sample_create(
        by=by, code=code, region=Region.objects.get(pk=town), food_name="样品", category_path=path
    )
    if status != S.TASK:
        services.sample_set_status(sample=sample, status=S.SAMPLED, by=by, on=on)
    if status == S.CANCELLED:
        services.sample_set_status(sample=sample, status=S.CANCELLED, by=by, on=on)
    if conclusion:
        Sample.objects.filter(pk=sample.pk).update(conclusion=conclusion)
    return sample


@pytest.fixture
def records(personas, agri_sampler):
    """Town A: 3 batches by the office (one unqualified), 2 by the agriculture committee; town B: 1
    by the office. Not counted: a bare task, a cancelled sample, a sample of 2023."""
    office = personas("district_officer")
    taken("A1", by=office, conclusion="qualified")
    taken("A2", by=office, conclusion="unqualified", path="食用农产品-蔬菜-韭菜")
    taken("A3", by=office, path="食用农产品-水产品-淡水鱼")
    taken("A4", by=agri_sampler, path="食用农产品-蔬菜-芹菜", conclusion="qualified")
    taken("A5", by=agri_sampler, path="食用农产品-畜禽肉及副产品-猪肉")
    taken("B1", by=office, town=TOWN_B, path="酒类-白酒", conclusion="unqualified")
    taken("X1", by=office, status=S.TASK)
    taken("X2", by=office, status=S.CANCELLED)
    taken("X3", by=office, on=dt.date(2023, 1, 3))
    return office


def test_batches_done_counts_samples_taken_in_the_period(records):
    result = indicators.compute("sampling.batches_done", Y2022)
    assert result.value == 6
    assert result.region_value(TOWN_A) == 5 and result.region_value(TOWN_B) == 1


def test_batches_per_thousand_residents_of_the_towns_in_scope(records):
    """Plan task (十三): 6.92 batches per thousand residents; the denominator is the resident
    population of the towns in scope (core.Region.population: 果园新村街道 68,000, 天穆镇 62,000)."""
    scoped = indicators.compute("sampling.batches_per_thousand", Y2022, [TOWN_A, TOWN_B])
    assert (scoped.numerator, scoped.denominator) == (6, 130_000)
    assert scoped.value == D(6) / D(130_000) * 1000
    assert scoped.region_value(TOWN_A) == D(5) / D(68_000) * 1000
    district = indicators.compute("sampling.batches_per_thousand", Y2022)
    assert district.denominator == 949_000  # the district's towns add up to the plan's population
    assert district.region_value("120113101") == 0  # 北仓镇: residents, no batch
    Region.objects.update(population=0)
    missing = indicators.compute("sampling.batches_per_thousand", Y2022)
    assert missing.missing and missing.value is None and "人口" in missing.note


def test_batches_by_responsible_unit_add_up_to_all_batches(records):
    """Plan task (十三): 6,570 = 4,750 by the market regulator + 1,820 agricultural quantitative
    tests. A batch counts for the unit of whoever recorded the sampling (data/units.toml): the
    agriculture committee's sampler for agriculture, the district office for the market regulator."""
    market = indicators.compute("sampling.batches_market", Y2022)
    agri = indicators.compute("sampling.batches_agriculture", Y2022)
    assert (market.value, agri.value) == (4, 2)
    assert market.region_value(TOWN_B) == 1 and agri.region_value(TOWN_A) == 2
    assert agri.region_value(TOWN_B) is None
    assert market.value + agri.value == indicators.compute("sampling.batches_done", Y2022).value


def test_a_unit_without_records_is_missing_not_zero(personas):
    taken("M1", by=personas("district_officer"))
    agri = indicators.compute("sampling.batches_agriculture", Y2022)
    assert agri.missing and agri.value is None and "区农业农村委" in agri.note
    assert indicators.compute("sampling.batches_market", Y2022).value == 1


def test_categories_covered_by_the_edition_in_force(records, personas):
    """《食品安全监督抽检实施细则》: in the 2022 edition vegetables and aquatic products are both
    食用农产品 (one big category); in the 2026 edition they are 蔬菜 and 水产品."""
    result = indicators.compute("sampling.categories_covered", Y2022)
    # 粮食加工品, 食用农产品 (韭菜, 淡水鱼, 芹菜, 猪肉), 酒类
    assert result.value == 3
    assert result.region_value(TOWN_A) == 2 and result.region_value(TOWN_B) == 1
    office = personas("district_officer")
    for code, path in (("C1", "食用农产品-蔬菜-韭菜"), ("C2", "食用农产品-水产品-淡水鱼")):
        taken(code, by=office, on=dt.date(2026, 3, 2), path=path)
    assert indicators.compute("sampling.categories_covered", Period.year(2026)).value == 2


def test_unqualified_batches_found(records):
    result = indicators.compute("sampling.unqualified_found", Y2022)
    assert result.value == 2
    assert result.region_value(TOWN_A) == 1 and result.region_value(TOWN_B) == 1


def test_batches_by_category_table_is_scoped(records, personas):
    rows = batches_by_category_for_user(user=personas("district_officer"), period=Y2022)
    assert [(r.category, r.batches, r.unqualified) for r in rows] == [
        ("食用农产品", 4, 1),
        ("粮食加工品", 1, 0),
        ("酒类", 1, 1),
    ]
    assert rows[0].unqualified_share == 25
    town_b = batches_by_category_for_user(user=personas("town_b_officer"), period=Y2022)
    assert [(r.category, r.batches) for r in town_b] == [("酒类", 1)]
    assert batches_by_category_for_user(user=personas("lab"), period=Y2022) == []


def test_the_plan_binds_task_13_targets_to_the_sampling_indicators(records):
    spec = parse_plan(
        PLAN_2022.read_text(encoding="utf-8"),
        departments=set(Department.objects.values_list("code", flat=True)),
        regions=set(Region.objects.values_list("code", flat=True)),
    )
    plan = plan_load(actor=records, source="command", spec=spec)
    rows = {
        r.target.code: r
        for r in plan_status(plan=plan, as_of=dt.date(2022, 12, 31))
        if r.target.task.no == 13
    }
    bound = {code: (r.target.kind, r.target.indicator_code) for code, r in rows.items()}
    assert bound["T13-batches"] == ("indicator", "sampling.batches_done")
    assert bound["T13-density"] == ("indicator", "sampling.batches_per_thousand")
    assert bound["T13-market"] == ("indicator", "sampling.batches_market")
    assert bound["T13-agri-quantitative"] == ("indicator", "sampling.batches_agriculture")
    assert rows["T13-market"].target.owner_id == "market"
    assert rows["T13-agri-quantitative"].target.owner_id == "agriculture"
    figures = {code: (r.figure, r.figure_source) for code, r in rows.items() if code != "T13-cma-catl"}
    assert figures == {
        "T13-batches": (6, "indicator"),
        "T13-density": (D(6) / D(949_000) * 1000, "indicator"),
        "T13-market": (4, "indicator"),
        "T13-agri-quantitative": (2, "indicator"),
    }
    assert rows["T13-batches"].status == "late"  # 6 of 6,570 on the due date: 逾期未完成
