"""Accountability rules, one test per clause (sources in data/accountability-rules.toml)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from shian.planning import rules

R = rules.rules_in_force(dt.date(2022, 6, 30))
Y0, Y1 = dt.date(2022, 1, 1), dt.date(2022, 12, 31)


def status(actual, target="100", *, as_of=dt.date(2022, 6, 30), due=Y1, comparator=">=", milestone=False):
    return rules.target_status(
        actual=None if actual is None else D(actual),
        target=D(target),
        comparator=comparator,
        as_of=as_of,
        due=due,
        starts=Y0,
        rules=R,
        milestone=milestone,
    )


def test_edition_in_force_is_chosen_by_date():
    assert R.id == "beichen-accountability-2022.1"
    with pytest.raises(LookupError):
        rules.rules_in_force(dt.date(2021, 12, 31))


def test_year_elapsed():
    assert rules.year_elapsed(dt.date(2021, 12, 1), Y0, Y1) == 0
    assert rules.year_elapsed(Y1, Y0, Y1) == 1
    assert rules.year_elapsed(dt.date(2022, 7, 2), Y0, Y1) == D(183) / D(365)


def test_progress_at_least_and_at_most():
    assert rules.progress(D(3285), D(6570), ">=") == D("0.5")
    assert rules.progress(D(2), D(5), "<=") == 1
    assert rules.progress(D(10), D(5), "<=") == D("0.5")
    assert rules.progress(None, D(5), ">=") is None


def test_lagging_when_behind_the_year_by_more_than_the_tolerance():
    """Task (一) 督查督办: 15 percentage points behind the year elapsed is lagging (local rule)."""
    # 30 June: about 49.6% of the year elapsed.
    assert status("40") == rules.Status.ON_TRACK  # 9.6 pp behind
    assert status("30") == rules.Status.LAGGING  # 19.6 pp behind
    assert rules.needs_notice(rules.Status.LAGGING)


def test_late_after_the_due_date_and_done_when_met():
    assert status("99", as_of=dt.date(2023, 1, 5)) == rules.Status.LATE
    assert status("100", as_of=dt.date(2023, 1, 5)) == rules.Status.DONE
    assert rules.needs_notice(rules.Status.LATE)
    assert not rules.needs_notice(rules.Status.DONE)


def test_short_of_the_goal_on_the_due_date_is_late_not_on_track():
    """Task (一) “年底前完成”: as of 12-31 the year is 100 % elapsed; a target at 91–98 % then was
    not done. Within the 15-point lagging tolerance it used to read 按进度推进."""
    for figure in ("91", "95.5", "98"):
        assert status(figure, as_of=Y1) == rules.Status.LATE
    assert rules.STATUS_LABELS[status("98", as_of=Y1)] == "逾期未完成"
    assert status("100", as_of=Y1) == rules.Status.DONE
    assert status(None, as_of=Y1) == rules.Status.LATE
    # The day before, with time left, 98 % is within the tolerance.
    assert status("98", as_of=dt.date(2022, 12, 30)) == rules.Status.ON_TRACK


def test_at_most_target_over_its_limit_on_the_due_date_is_late():
    assert status("6", target="5", comparator="<=", as_of=Y1) == rules.Status.LATE
    assert status("5", target="5", comparator="<=", as_of=Y1) == rules.Status.DONE


def test_every_status_has_one_label_and_one_meaning():
    statuses = {v for k, v in vars(rules.Status).items() if not k.startswith("_")}
    assert set(rules.STATUS_LABELS) == statuses == set(rules.STATUS_MEANINGS)
    assert len(set(rules.STATUS_LABELS.values())) == len(statuses)


def test_comparators_are_written_as_people_write_them():
    assert rules.comparator_symbol(">=") == "≥"
    assert rules.comparator_symbol("<=") == "≤"
    assert rules.comparator_symbol("=") == "="


def test_missing_figure_is_no_data_not_zero():
    assert status(None) == rules.Status.NO_DATA
    assert not rules.needs_notice(rules.Status.NO_DATA)


def test_milestone_is_judged_by_its_due_date_only():
    assert status("0", target="1", milestone=True) == rules.Status.ON_TRACK
    assert status("0", target="1", milestone=True, due=dt.date(2022, 6, 1)) == rules.Status.LATE


def test_interview_after_two_unanswered_notices():
    """Task (三) 约谈: two notices unanswered by their deadline in the year (local rule)."""
    assert rules.needs_interview(unanswered_notices=1, lagging_quarter_ends=[], rules=R) is None
    assert "逾期未回复 2" in rules.needs_interview(unanswered_notices=2, lagging_quarter_ends=[], rules=R)


def test_interview_after_two_consecutive_lagging_quarters():
    assert (
        rules.needs_interview(unanswered_notices=0, lagging_quarter_ends=[True, False, True], rules=R) is None
    )
    reason = rules.needs_interview(unanswered_notices=0, lagging_quarter_ends=[False, True, True], rules=R)
    assert reason is not None and "连续 2 个季度" in reason


def test_reported_figure_contradicting_the_records_is_flagged():
    assert rules.figure_contradicts(D(120), D(100), R) is not None  # 20% off
    assert rules.figure_contradicts(D(103), D(100), R) is None  # within 5%
    assert rules.figure_contradicts(D("1.5"), D("1"), R) is None  # within the absolute tolerance of 1
    assert rules.figure_contradicts(D(5), None, R) is None  # nothing to compare with
