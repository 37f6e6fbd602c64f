"""The portal's pure rules, each test naming the clause it encodes."""

from __future__ import annotations

import datetime as dt

import pytest

from shian.portal import rules

D = dt.date


def test_licence_warning_rule_cites_its_source_and_window():
    rule = rules.licence_warning_in_force(D(2024, 1, 1))
    assert rule.days_before == 90
    assert "食品经营许可" in rule.source


@pytest.mark.parametrize(
    ("valid_until", "state", "days_left"),
    [
        (None, "unknown", None),
        (D(2024, 3, 31), "expired", -1),  # the last valid day was yesterday
        (D(2024, 4, 1), "expiring", 0),  # valid through today
        (D(2024, 6, 30), "expiring", 90),  # exactly 90 days ahead: warned
        (D(2024, 7, 1), "valid", 91),
    ],
)
def test_licence_state_warns_90_days_before_expiry(valid_until, state, days_left):
    """The portal warns 90 days before expiry (issue 16 §7; renewal is applied for before expiry,
    食品经营许可和备案管理办法 第二十九条)."""
    got = rules.licence_state(
        valid_until=valid_until, today=D(2024, 4, 1), rule=rules.licence_warning_in_force(D(2024, 4, 1))
    )
    assert (got.state, got.days_left) == (state, days_left)
    assert got.message


def test_a_date_before_the_rules_is_answered_in_chinese():
    with pytest.raises(LookupError, match="没有施行中的"):
        rules.licence_warning_in_force(D(2010, 1, 1))
    with pytest.raises(LookupError, match="自查报告"):
        rules.self_inspection_rule_in_force(D(2010, 1, 1))


def test_special_food_producers_owe_a_yearly_self_inspection_report():
    """食品安全法 第八十三条: producers of health food, FSMP and infant formula report their
    self-inspection to the county-level regulator; the plan's task 十二 asks it yearly."""
    rule = rules.self_inspection_rule_in_force(D(2022, 6, 1))
    assert "第八十三条" in rule.source
    assert rules.self_inspection_owed(business_type="special_food", rule=rule)
    assert not rules.self_inspection_owed(business_type="catering", rule=rule)
    assert rules.self_inspection_due(year=2022, rule=rule) == D(2022, 12, 31)


@pytest.mark.parametrize(
    ("checked", "found", "fixed", "message"),
    [(0, 0, 0, "不能为 0"), (10, 1, 2, "不能多于"), (10, -1, 0, "负数")],
)
def test_self_inspection_figures_must_agree(checked, found, fixed, message):
    with pytest.raises(ValueError, match=message):
        rules.check_self_inspection_figures(items_checked=checked, problems_found=found, problems_fixed=fixed)
    rules.check_self_inspection_figures(items_checked=10, problems_found=2, problems_fixed=2)
