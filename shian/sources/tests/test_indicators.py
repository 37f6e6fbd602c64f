"""The figures of tasks 六, 七 and 八, each with its numerator and denominator, overall and by town,
and missing (not zero) before any record exists."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shian.core import indicators
from shian.core.indicators import Period

from .helpers import TOWN_A, TOWN_B, liaison, save

pytestmark = pytest.mark.django_db
Y2022 = Period.year(2022)


def test_every_figure_is_missing_before_its_records():
    for code in (
        "sources.farmland_safe_use_rate",
        "sources.certificate_producer_coverage",
        "sources.certificate_match_rate",
        "sources.pesticides_phased_out",
        "sources.grain_samples_per_10k_tonnes",
        "sources.rice_cadmium_coverage",
    ):
        r = indicators.compute(code, Y2022)
        assert r.missing and r.value is None, code


def test_certificate_coverage_counts_obliged_producers_only():
    agri = liaison("agriculture")
    for code, kind, town in (
        ("C1", "cooperative", TOWN_A),
        ("C2", "enterprise", TOWN_A),
        ("C3", "cooperative", TOWN_B),
        ("F1", "farmer", TOWN_B),
    ):
        save(
            "producers",
            agri,
            code=code,
            name=f"主体{code}",
            kind=kind,
            products="蔬菜",
            active=True,
            region=town,
        )
    save(
        "certificates",
        agri,
        producer="C1",
        product="菠菜",
        quantity="50",
        issued_on="2022-03-01",
        count=2,
        region=TOWN_A,
    )
    save(
        "certificates",
        agri,
        producer="F1",
        product="白菜",
        quantity="10",
        issued_on="2022-03-01",
        count=1,
        region=TOWN_B,
    )
    # Issued in 2021: not this year's coverage.
    save(
        "certificates",
        agri,
        producer="C3",
        product="韭菜",
        quantity="10",
        issued_on="2021-12-31",
        count=1,
        region=TOWN_B,
    )
    r = indicators.compute("sources.certificate_producer_coverage", Y2022)
    # Denominator: C1, C2, C3 (the farmer is encouraged, not obliged); numerator: C1.
    assert (r.numerator, r.denominator) == (Decimal(1), Decimal(3))
    assert r.region_value(TOWN_A) == Decimal(50) and r.region_value(TOWN_B) == Decimal(0)
    only_b = indicators.compute("sources.certificate_producer_coverage", Y2022, [TOWN_B])
    assert only_b.denominator == Decimal(1)


def test_market_match_rate_sums_batches():
    agri = liaison("agriculture")
    save(
        "certificate-checks",
        agri,
        market="北辰区宜白路农贸市场",
        checked_on="2022-05-01",
        batches_checked=40,
        batches_with_certificate=36,
        region=TOWN_A,
    )
    save(
        "certificate-checks",
        agri,
        market="天穆镇农贸市场",
        checked_on="2022-05-02",
        batches_checked=60,
        batches_with_certificate=59,
        region=TOWN_B,
    )
    r = indicators.compute("sources.certificate_match_rate", Y2022)
    assert (r.numerator, r.denominator, r.value) == (Decimal(95), Decimal(100), Decimal(95))


def test_four_pesticides_phased_out_counts_completed_listed_ones():
    agri = liaison("agriculture")
    for s, done in (
        ("甲拌磷", "2022-06-30"),
        ("甲基异柳磷", "2022-08-31"),
        ("水胺硫磷", ""),
        ("灭线磷", "2023-01-10"),
    ):
        save(
            "phase-outs",
            agri,
            substance=s,
            dealers_checked=12,
            stock_recovered_kg="3.5",
            completed_on=done,
            region="120113",
        )
    r = indicators.compute("sources.pesticides_phased_out", Y2022)
    assert r.value == Decimal(2)
    assert indicators.compute("sources.pesticides_phased_out", Period.year(2023)).value == Decimal(3)


def _grain_year():
    grain = liaison("grain")
    save("grain-stores", grain, code="S1", name="北辰粮库", capacity_tonnes="60000", region=TOWN_B)
    save("grain-stores", grain, code="S2", name="青光粮库", capacity_tonnes="20000", region=TOWN_A)
    lots = (
        ("L1", "S1", "rice", "15000"),
        ("L2", "S1", "wheat", "10000"),
        ("L3", "S2", "rice", "5000"),
        ("L4", "S2", "rice", "5000"),
    )
    for code, store, g, t in lots:
        save(
            "grain-lots",
            grain,
            code=code,
            store=store,
            grain=g,
            harvest_year=2022,
            tonnes=t,
            received_on="2022-10-15",
            region=TOWN_B,
        )
    save(
        "grain-tests",
        grain,
        lot="L1",
        direction="intake",
        lab="第三方检验机构",
        report_no="R1",
        tested_on="2022-10-16",
        cadmium_mg_kg="0.05",
        region=TOWN_B,
    )
    save(
        "grain-tests",
        grain,
        lot="L3",
        direction="intake",
        lab="第三方检验机构",
        report_no="R3",
        tested_on="2022-10-16",
        cadmium_mg_kg="0.08",
        region=TOWN_B,
    )
    save(
        "grain-tests",
        grain,
        lot="L2",
        direction="intake",
        lab="第三方检验机构",
        report_no="R2",
        tested_on="2022-10-16",
        region=TOWN_B,
    )
    for i, store in enumerate(("S1", "S1", "S2")):
        save(
            "grain-samples",
            grain,
            code=f"GS{i}",
            store=store,
            grain="rice",
            sampled_on="2022-11-01",
            region=TOWN_B,
        )
    return grain


def test_grain_samples_per_10000_tonnes_by_district_and_store():
    grain = _grain_year()
    r = indicators.compute("sources.grain_samples_per_10k_tonnes", Y2022)
    # 3 samples over 35,000 t taken in: 0.857 per 10,000 t, under the plan's 1.
    assert (r.numerator, r.denominator) == (Decimal(3), Decimal(35000))
    assert r.value.quantize(Decimal("0.001")) == Decimal("0.857")
    from shian.sources.selectors import grain_monitoring_by_store

    rows = {row.store.code: row for row in grain_monitoring_by_store(user=grain, period=Y2022)}
    assert (rows["S1"].samples, rows["S1"].needed, rows["S1"].density_met) == (2, 3, False)
    assert (rows["S2"].samples, rows["S2"].needed, rows["S2"].density_met) == (1, 1, True)
    assert rows["S2"].cadmium_coverage == Decimal(50)


def test_rice_cadmium_coverage_counts_rice_lots_with_an_intake_cadmium_test():
    _grain_year()
    r = indicators.compute("sources.rice_cadmium_coverage", Y2022)
    # Rice lots L1, L3, L4; cadmium measured at intake for L1 and L3 (the wheat lot is not counted).
    assert (r.numerator, r.denominator) == (Decimal(2), Decimal(3))


def test_farmland_safe_use_rate_is_by_area_of_counted_classes():
    eco, agri = liaison("ecology"), liaison("agriculture")
    save(
        "farmland-plots",
        eco,
        code="F1",
        village="西堤头村",
        area_mu="300",
        soil_class="safe_use",
        region=TOWN_B,
    )
    save(
        "farmland-plots",
        eco,
        code="F2",
        village="韩家墅村",
        area_mu="100",
        soil_class="strict_control",
        region=TOWN_B,
    )
    save(
        "farmland-plots",
        eco,
        code="F3",
        village="小淀村",
        area_mu="900",
        soil_class="priority",
        region=TOWN_A,
    )
    save(
        "safe-use-measures",
        agri,
        plot="F1",
        year=2022,
        measure="low_accumulation",
        implemented_on="2022-04-01",
        checked_on="2022-09-01",
        check_passed=True,
        region=TOWN_B,
    )
    save(
        "safe-use-measures",
        agri,
        plot="F2",
        year=2022,
        measure="structure",
        implemented_on="2022-04-01",
        region=TOWN_B,
    )
    r = indicators.compute("sources.farmland_safe_use_rate", Y2022)
    assert (r.numerator, r.denominator, r.value) == (Decimal(300), Decimal(400), Decimal(75))
