"""Each value of data/allocation-rules.toml, with the source it comes from. Values marked "local"
are the district office's choices where the plan names the duty but gives no figure."""

from __future__ import annotations

import datetime as dt

import pytest

from shian.sampling import allocation as A

RULES = A.rules_in_force(dt.date(2022, 1, 1))
EDIBLE_AGRICULTURAL = ("33", "34", "35", "36", "37", "38", "39")


def test_edition_in_force_for_2022():
    assert RULES.id == "beichen-sampling-allocation-2022.1"
    with pytest.raises(LookupError):
        A.rules_in_force(dt.date(2021, 12, 31))


def test_market_regulator_samples_every_category():
    """任务（十三）“区级市场监管部门完成食品安全监督抽检4750批次” (the total is the plan's target
    T13-market; the rule says the unit samples every category)."""
    market = RULES.unit_scope("market")
    assert market is not None and market.categories is None and market.verification == "V"


def test_agriculture_tests_edible_agricultural_products():
    """任务（十三）“区级农产品质量安全定量检测量1820批次”: categories 33–39 of the 2026
    implementation rules (食用农产品), the office's reading."""
    agri = RULES.unit_scope("agriculture")
    assert agri is not None and agri.categories == EDIBLE_AGRICULTURAL and agri.verification == "local"


def test_every_category_covered():
    """Local: all 39 big categories sampled at least 3 batches a year."""
    assert RULES.all_categories_minimum == 3
    assert RULES.minimum_for("29") == 3


@pytest.mark.parametrize(
    ("category", "batches", "task"),
    [
        ("01", 150, "任务（八）"),  # 粮食质量安全风险监测
        ("15", 60, "任务（四）"),  # 白酒生产
        ("33", 200, "任务（四）"),  # 牛羊肉销售
        ("30", 30, "任务（二十）"),  # 婴幼儿配方乳粉
        ("31", 300, "任务（十一）"),  # 学校食堂及供餐单位
    ],
)
def test_category_minimums(category, batches, task):
    """Minimums of the categories the plan singles out: 任务（八） grain monitoring, 任务（四）
    白酒生产 and 牛羊肉销售, 任务（二十） infant formula, 任务（四）（十一） school canteens. The
    batches are local choices (the plan gives none)."""
    row = next(m for m in RULES.category_minimums if m.category == category)
    assert row.batches == batches and RULES.minimum_for(category) == batches
    assert task in row.source and row.verification == "local"


@pytest.mark.parametrize(
    ("code", "months", "quota", "task"),
    [
        ("spring-festival", (1, 2), 300, "任务（四）"),
        ("mid-autumn-national-day", (9, 10), 250, "任务（四）"),
        ("spring-term", (2, 3), 150, "任务（十一）"),
        ("autumn-term", (8, 9), 150, "任务（十一）"),
    ],
)
def test_special_sampling(code, months, quota, task):
    """任务（四）“加大重要节假日期间检查巡查力度，开展节日热销食品专项抽检”; 任务（十一）“组织开展春、
    秋季校园食品安全……专项行动”. Months, foods and quotas are local choices."""
    special = next(s for s in RULES.specials if s.code == code)
    assert special.months == months and special.quota == quota and special.units == ("market",)
    assert task in special.source and special.verification == "local"


def test_special_sampling_of_shared_months_counts_each_batch_once():
    """February (Spring Festival, spring term) and September (Mid-Autumn, autumn term) hold two
    special samplings each: their categories are disjoint."""
    by_code = {s.code: set(s.categories) for s in RULES.specials}
    assert not by_code["spring-festival"] & by_code["spring-term"]
    assert not by_code["mid-autumn-national-day"] & by_code["autumn-term"]
    assert "31" in by_code["spring-term"] and "24" in by_code["mid-autumn-national-day"]  # 月饼


def test_smoothing():
    """Default rate: SAMR's 2022 national supervisory sampling, 2.86 % unqualified (marked M: from
    memory of the announcement); prior strength 30 pseudo-batches and a 3-year window are local."""
    assert RULES.default_rate == pytest.approx(0.0286)
    assert RULES.prior_strength == 30 and RULES.window_years == 3


def test_weights():
    """任务（二十六） “你点我检” and 《食品安全抽样检验管理办法》 (risk-based planning): weights are local."""
    assert RULES.risk_beta == 1.0 and RULES.vote_gamma == 0.5


def test_cell_cap_and_diminishing_returns():
    """Local: at most one batch per two registered businesses of a category in a town, but at
    least twice the cell's even share and at least 3, valued 1.0, 0.6, 0.3 along 40 %, 30 %, 30 %
    of the cap."""
    assert RULES.cell_floor == 3 and RULES.cap_per_business == 0.5 and RULES.cap_even_multiple == 2.0
    assert RULES.segments == ((0.4, 1.0), (0.3, 0.6), (0.3, 0.3))
    assert A.discounted_batches(10, 10, RULES) == pytest.approx(4 + 1.8 + 0.9)


def test_town_floor_and_month_spread():
    """Local: every town at least half its population share (任务（十三） counts per resident); each
    month between 4 % and 14 % of a unit's year."""
    assert RULES.town_floor_share == 0.5
    assert (RULES.month_min_share, RULES.month_max_share) == (0.04, 0.14)


def test_every_value_carries_a_source_and_a_known_mark():
    marks = {"V", "M", "local"}
    rows = [*RULES.units, *RULES.category_minimums, *RULES.specials]
    assert all(r.source and r.verification in marks for r in rows)
    assert RULES.verification in marks and RULES.source
