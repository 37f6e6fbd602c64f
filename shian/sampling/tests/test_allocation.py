"""The annual sampling plan optimiser (shian.sampling.allocation): totals, minimums, density,
special quotas, spread, infeasible inputs named, better than proportional, deterministic."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections import defaultdict
from pathlib import Path

import pytest

from shian.sampling import allocation as A

CATEGORIES = dict(
    json.loads(
        (Path(A.__file__).resolve().parent.parent / "core" / "data" / "food-categories-2026.json").read_text(
            encoding="utf-8"
        )
    )["categories"]
)
RULES = A.rules_in_force(dt.date(2022, 1, 1))
DISTRICT = {"market": 4750, "agriculture": 1820}


@pytest.fixture(scope="module")
def district_input() -> A.AllocationInput:
    return A.synthetic_input(
        seed=11, towns=24, totals=DISTRICT, categories=CATEGORIES, rules=RULES, density_per_thousand=6.92
    )


@pytest.fixture(scope="module")
def district(district_input) -> A.Allocation:
    return A.allocate(district_input)


def test_totals_per_unit_are_exact(district):
    by_unit: dict[str, int] = defaultdict(int)
    for unit, _c, _t, _m, q, _r in district.rows():
        by_unit[unit] += q
    assert dict(by_unit) == DISTRICT
    assert {u: sum(m) for u, m in district.by_month.items()} == DISTRICT
    assert district.year_total == 6570


def test_agriculture_samples_only_edible_agricultural_products(district):
    cats = {c.category for c in district.cells if c.unit == "agriculture" and c.quantity}
    assert cats and cats <= {"33", "34", "35", "36", "37", "38", "39"}


def test_every_category_minimum_is_met(district):
    for code in CATEGORIES:
        assert district.by_category[code] >= RULES.minimum_for(code), code
    assert district.by_category["31"] >= 300 and district.by_category["01"] >= 150


def test_density_is_met(district):
    assert district.density >= 6.92
    assert district.density == pytest.approx(6570 / district.population * 1000)


def test_special_quotas_are_met_in_their_months(district):
    for s in RULES.specials:
        got = sum(
            q
            for unit, c, _t, m, q, _r in district.rows()
            if unit in s.units and c in s.categories and m in s.months
        )
        assert got >= s.quota, s.code
        assert next(x for x in district.specials if x["code"] == s.code)["allocated"] == got


def test_months_stay_within_their_share_and_towns_get_their_floor(district, district_input):
    for unit, months in district.by_month.items():
        total = DISTRICT[unit]
        assert all(
            int(RULES.month_min_share * total) <= q <= -(-RULES.month_max_share * total // 1) for q in months
        )
    population = sum(t.population for t in district_input.towns)
    for t in district_input.towns:
        floor = int(RULES.town_floor_share * 6570 * t.population / population)
        assert district.by_town[t.code] >= floor


def test_cells_never_exceed_their_cap(district):
    per_cell: dict[tuple[str, str], int] = defaultdict(int)
    caps = {}
    for c in district.cells:
        per_cell[(c.category, c.town)] += c.quantity
        caps[(c.category, c.town)] = c.cap
    assert all(per_cell[k] <= caps[k] for k in per_cell)


def test_finds_more_unqualified_than_proportional_on_skewed_inputs(district):
    assert district.expected_found > 1.3 * district.expected_found_proportional
    assert district.expected_found_discounted > district.expected_found_proportional_discounted
    # The proportional allocation keeps the same totals.
    assert sum(c.proportional for c in district.cells) == 6570


def test_deterministic(district_input, district):
    again = A.allocate(district_input)
    assert again.rows() == district.rows()
    assert again.expected_found == district.expected_found


def test_every_cell_says_why(district):
    top = max(district.cells, key=lambda c: c.quantity)
    assert "估计本镇不合格的可能约为" in top.reason and "按人口和经营户数平均分配应为" in top.reason
    bound = [c for c in district.cells if "category_min" in c.bound]
    assert all("全年最少抽检批次" in c.reason for c in bound)
    # Said in words the people who carry the plan out use, not the model's.
    for word in ("先验", "收缩", "权重", "优化", "单元格", "收益递减", "价值"):
        assert not any(word in c.reason for c in district.cells), word


def _small(**changes) -> A.AllocationInput:
    """Two towns of equal size, one category: the bad town's failures are plain."""
    rules = dataclasses.replace(
        RULES,
        units=(A.UnitScope("market", None, "", "local"),),
        specials=(),
        all_categories_minimum=0,
        category_minimums=(),
        town_floor_share=0.5,
    )
    base = A.AllocationInput(
        units=[A.Unit("market", "区市场监管局", 100, ("01",))],
        categories={"01": "粮食加工品"},
        towns=[A.Town("a", "甲镇", 10_000), A.Town("b", "乙镇", 10_000)],
        density_per_thousand=5,
        rules=rules,
        history={("01", "a"): (200, 40), ("01", "b"): (200, 2)},
        businesses={("01", "a"): 160, ("01", "b"): 160},
    )
    return dataclasses.replace(base, **changes)


def test_optimum_of_a_small_plain_case():
    """The bad town takes all but the other town's floor (half of its proportional 50 = 25): its
    cap is 100 (twice its even share of 50, above 0.5 × 160 businesses)."""
    result = A.allocate(_small())
    by_town = result.by_town
    assert by_town == {"a": 75, "b": 25}
    a = next(c for c in result.cells if c.town == "a")
    assert a.proportional == 50 and a.quantity == 75
    b = next(c for c in result.cells if c.town == "b")
    assert "town_floor" in b.bound and "为保证本镇全年最少抽检批次而安排" in b.reason


def test_one_failure_in_one_batch_does_not_dominate():
    rates, cat_rate = A.smoothed_rates(
        {("01", "a"): (1, 1), ("01", "b"): (500, 10)},
        ["01"],
        ["a", "b"],
        prior_strength=30,
        default_rate=0.0286,
    )
    assert rates[("01", "a")] < 0.06  # not 100 %
    assert rates[("01", "a")] == pytest.approx((1 + 30 * cat_rate["01"]) / 31)
    assert 0.019 < cat_rate["01"] < 0.03


def test_votes_move_batches_to_the_category_asked_for():
    two = _small(
        categories={"01": "粮食加工品", "02": "食用油、油脂及其制品"},
        units=[A.Unit("market", "区市场监管局", 100, ("01", "02"))],
        history={},
        businesses={("01", "a"): 60, ("01", "b"): 60, ("02", "a"): 60, ("02", "b"): 60},
    )
    without = A.allocate(two)
    with_votes = A.allocate(dataclasses.replace(two, votes={"02": 500}))
    assert with_votes.by_category["02"] > without.by_category["02"]
    assert "你点我检" in next(c for c in with_votes.cells if c.category == "02" and c.quantity).reason


@pytest.mark.parametrize(
    ("changes", "constraint", "words"),
    [
        ({"density_per_thousand": 6}, "density", "每千人 6 批次"),
        (
            {
                "businesses": {("01", "a"): 10, ("01", "b"): 10},
                "rules": dataclasses.replace(_small().rules, cap_even_multiple=0.5),
            },
            "cell_cap",
            "单元格上限",
        ),
        ({"towns": [A.Town("a", "甲镇", 0), A.Town("b", "乙镇", 0)]}, "population", "常住人口"),
    ],
)
def test_infeasible_inputs_name_the_constraint(changes, constraint, words):
    with pytest.raises(A.AllocationError) as err:
        A.allocate(_small(**changes))
    assert err.value.constraint == constraint
    assert words in err.value.message


def test_a_category_minimum_beyond_reach_is_named():
    small = _small()
    rules = dataclasses.replace(
        small.rules, category_minimums=(A.CategoryMinimum("01", 500, "test", "local"),)
    )
    with pytest.raises(A.AllocationError) as err:
        A.allocate(dataclasses.replace(small, rules=rules))
    assert err.value.constraint == "category_min" and "01 粮食加工品" in err.value.message


def test_a_special_quota_beyond_reach_is_named():
    small = _small()
    special = A.SpecialSampling("x", "春节专项", (1, 2), ("market",), ("01",), 60, "test", "local")
    rules = dataclasses.replace(small.rules, specials=(special,))
    with pytest.raises(A.AllocationError) as err:
        A.allocate(dataclasses.replace(small, rules=rules))
    assert err.value.constraint == "special" and "春节专项" in err.value.message


def test_conflicting_floors_are_found_by_the_solver():
    """Town floors that each fit but not together with the unit total: the pre-checks pass, the
    solver finds no solution, and the diagnosis names the town floor."""
    small = _small()
    rules = dataclasses.replace(small.rules, town_floor_share=0.95, cap_even_multiple=0)
    inp = dataclasses.replace(small, rules=rules, businesses={("01", "a"): 1000, ("01", "b"): 70})
    # floors 47 + 47 fit in 100; cap of b is 35 < 47: b's floor cannot be met.
    with pytest.raises(A.AllocationError) as err:
        A.allocate(inp)
    assert err.value.constraint in ("town_floor", "cell_cap")
    assert "冲突" in err.value.message


def test_interleave_keeps_rows_and_columns():
    table = A.interleave([5, 0, 7, 1], [3, 3, 4, 3])
    assert [sum(r) for r in table] == [5, 0, 7, 1]
    assert [sum(col) for col in zip(*table, strict=True)] == [3, 3, 4, 3]
    assert max(table[0]) - min(table[0]) <= 1  # spread, not piled in one month


def test_largest_remainder_adds_up():
    assert A.largest_remainder([1, 1, 1], 10) == [4, 3, 3]
    assert sum(A.largest_remainder([0.2, 0.3, 0.5], 7)) == 7
    assert A.largest_remainder([0, 0], 5) == [0, 0]


def test_rules_refuse_overlapping_specials(tmp_path):
    text = A.RULES_FILE.read_text(encoding="utf-8").replace(
        'categories = ["01", "02", "05", "25", "31", "34"]\nquota = 150\nsource = "任务（十一）“组织开展春',
        'categories = ["24", "02", "05", "25", "31", "34"]\nquota = 150\nsource = "任务（十一）“组织开展春',
        1,
    )
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match="count twice"):
        A.load_rules(path)


def test_rules_refuse_increasing_segments(tmp_path):
    text = A.RULES_FILE.read_text(encoding="utf-8").replace(
        "segments = [[0.4, 1.0], [0.3, 0.6], [0.3, 0.3]]", "segments = [[0.4, 1.0], [0.3, 0.6], [0.3, 0.9]]"
    )
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match="diminishing"):
        A.load_rules(path)
