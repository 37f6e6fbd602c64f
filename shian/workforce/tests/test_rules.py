"""Workforce rules by clause: training of enforcement staff (《食品安全法》第一百一十六条, hours a
local setting), certificate validity, one coordinator per 10,000 residents (plan task 二十二)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from shian.workforce import rules

D = dt.date


def test_training_hours_are_the_districts_setting_from_its_edition():
    assert rules.training_hours_required(D(2022, 12, 31)) == Decimal(40)
    assert rules.training_met(Decimal("40.0"), on=D(2022, 12, 31))
    assert not rules.training_met(Decimal("39.5"), on=D(2022, 12, 31))
    with pytest.raises(LookupError, match="不在平台所载"):
        rules.training_hours_required(D(2018, 1, 1))


def test_certificate_valid_through_its_last_day():
    assert rules.certificate_valid(D(2022, 12, 31), on=D(2022, 12, 31))
    assert not rules.certificate_valid(D(2022, 12, 30), on=D(2022, 12, 31))
    assert not rules.certificate_valid(None, on=D(2022, 12, 31))


def test_one_coordinator_per_10000_residents_rounded_up():
    on = D(2022, 6, 30)
    assert rules.coordinators_needed(10000, on=on) == 1
    assert rules.coordinators_needed(25000, on=on) == 3
    assert rules.coordinators_needed(0, on=on) == 0
    with pytest.raises(LookupError):
        rules.coordinators_needed(10000, on=D(2021, 12, 31))


def test_insured_sectors_include_school_canteens():
    assert "school_canteen" in rules.insured_sectors(D(2022, 6, 30))
    assert rules.policy_in_force(D(2022, 1, 1), D(2022, 12, 31), on=D(2022, 12, 31))
