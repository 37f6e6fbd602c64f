"""The schools module's pure rules, each test naming the clause or plan task it encodes."""

from __future__ import annotations

import datetime as dt

import pytest

from shian.schools import rules

D = dt.date


def _weekdays(d: dt.date) -> bool:
    return d.weekday() < 5


def test_every_meal_needs_a_school_leader_at_the_table():
    """学校食品安全与营养健康管理规定 第十二条: 每餐均应当有学校相关负责人与学生共同就餐."""
    rule = rules.meal_rule_in_force(D(2024, 10, 1))
    assert "第十二条" in rule.source and rule.per_meal == 1
    days = rules.meal_days(start=D(2024, 10, 14), end=D(2024, 10, 18), rule=rule, is_workday=_weekdays)
    assert len(days) == 5
    records = [
        (D(2024, 10, 14), "lunch", "headmaster"),
        (D(2024, 10, 15), "lunch", "deputy"),
        (D(2024, 10, 16), "lunch", "teacher"),  # a teacher's meal is kept but is not a leader's
        (D(2024, 10, 16), "breakfast", "headmaster"),  # a meal the school does not serve
        (D(2024, 10, 17), "lunch", "manager"),
    ]
    got = rules.meal_shortfall(level="primary", meals=["lunch"], days=days, records=records, rule=rule)
    assert got is not None and (got.owed, got.accompanied, got.shortfall) == (5, 3, 2)


def test_holiday_months_and_other_levels_owe_no_accompanied_meal():
    rule = rules.meal_rule_in_force(D(2024, 8, 1))
    assert rules.meal_days(start=D(2024, 8, 1), end=D(2024, 8, 31), rule=rule, is_workday=_weekdays) == []
    assert (
        rules.meal_shortfall(level="vocational", meals=["lunch"], days=[D(2024, 9, 2)], records=[], rule=rule)
        is None
    )


def test_a_date_before_the_rules_is_answered_in_chinese():
    with pytest.raises(LookupError, match="陪餐"):
        rules.meal_rule_in_force(D(2018, 1, 1))
    with pytest.raises(LookupError, match="明厨亮灶"):
        rules.open_kitchen_rule_in_force(D(2021, 12, 31))


def test_t10_and_t20_denominators_come_from_the_plan():
    """Plan task 十: medium and larger social caterers; task 二十: school canteens and meal providers."""
    rule = rules.open_kitchen_rule_in_force(D(2022, 6, 1))
    assert "任务十" in rule.source and "任务二十" in rule.source
    assert rules.in_t10(business_type="catering", scale="medium", rule=rule)
    assert not rules.in_t10(business_type="catering", scale="small", rule=rule)
    assert not rules.in_t10(business_type="unit_canteen", scale="large", rule=rule)
    assert rules.in_t20(business_type="school_canteen", is_meal_provider=False, rule=rule)
    assert rules.in_t20(business_type="central_kitchen", is_meal_provider=True, rule=rule)
    assert not rules.in_t20(business_type="central_kitchen", is_meal_provider=False, rule=rule)
    assert rules.counts_as_built(level="internet", rule=rule) and not rules.counts_as_built(
        level="open", rule=rule
    )


def test_an_internet_connected_open_kitchen_names_cameras_and_platform():
    with pytest.raises(ValueError, match="摄像头"):
        rules.check_open_kitchen(level="internet", cameras=0, platform="天津市阳光餐饮平台")
    with pytest.raises(ValueError, match="平台"):
        rules.check_open_kitchen(level="internet", cameras=4, platform=" ")
    rules.check_open_kitchen(level="open", cameras=0, platform="")


@pytest.mark.parametrize(
    ("today", "state"),
    [
        (D(2023, 12, 31), "pending"),
        (D(2024, 1, 1), "valid"),
        (D(2026, 11, 2), "expiring"),
        (D(2027, 1, 1), "expired"),
    ],
)
def test_certificate_state_and_t11(today, state):
    """Plan task 十一: meal providers with HACCP or ISO 22000 (食品安全法 第四十八条 encourages HACCP)."""
    rule = rules.certificate_rule_in_force(D(2024, 1, 1))
    assert "任务十一" in rule.source and "第四十八条" in rule.source
    got = rules.certificate_state(
        valid_from=D(2024, 1, 1), valid_until=D(2026, 12, 31), today=today, rule=rule
    )
    assert got == state
    counts = rules.counts_for_t11(
        kind="haccp", valid_from=D(2024, 1, 1), valid_until=D(2026, 12, 31), on=today, rule=rule
    )
    assert counts == (state in ("valid", "expiring"))
    assert not rules.counts_for_t11(
        kind="other", valid_from=D(2024, 1, 1), valid_until=D(2026, 12, 31), on=D(2025, 1, 1), rule=rule
    )


@pytest.mark.parametrize("code", ["", "112000001", "2112000001", "11120000AB"])
def test_school_identifier_is_ten_digits_starting_with_one(code):
    with pytest.raises(ValueError, match="学校标识码"):
        rules.check_school_code(code)
    assert rules.check_school_code(" 1112000001 ") == "1112000001"
