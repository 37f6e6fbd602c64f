"""Working-day deadlines: official holidays, make-up working days, overrides, and the fallback."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shian.core import rules
from shian.core.calendar import WorkingCalendar
from shian.core.models import CalendarOverride

D = dt.date


def test_national_day_2022_and_its_make_up_weekend():
    """2022 National Day: 1–7 October off; Saturday 8 and Sunday 9 October were working days."""
    cal = WorkingCalendar(overrides={})
    # 5 working days from Friday 30 September: 8, 9 (make-up weekend), 10, 11, 12 October.
    assert cal.deadline(D(2022, 9, 30), 5).due == D(2022, 10, 12)
    assert cal.is_workday(D(2022, 10, 8)) and cal.is_workday(D(2022, 10, 9))
    assert not any(cal.is_workday(D(2022, 10, d)) for d in range(1, 8))


def test_lab_report_20_working_days_across_national_day_2022():
    """《食品安全抽样检验管理办法》第二十四条: report within 20 working days of receiving the sample."""
    cal = WorkingCalendar(overrides={})
    # Received Monday 26 September 2022: 4 days in September, then from 8 October: 8,9,10..14 (7),
    # 17..21 (5), 24..27 (4) → 20th working day is 27 October.
    assert cal.deadline(D(2022, 9, 26), 20).due == D(2022, 10, 27)


def test_national_day_2026():
    """2026 National Day (State Council notice): 1–7 October off; make-up days on 20 September
    (Sunday) and 10 October (Saturday)."""
    cal = WorkingCalendar(overrides={})
    assert not cal.is_workday(D(2026, 10, 1))
    assert cal.is_workday(D(2026, 10, 10))
    assert cal.deadline(D(2026, 9, 30), 1).due == D(2026, 10, 8)


def test_start_day_not_counted_and_zero_days():
    """《民法典》第二百零一条: the start day is not counted."""
    cal = WorkingCalendar(overrides={})
    assert cal.deadline(D(2022, 3, 1), 1).due == D(2022, 3, 2)
    assert cal.deadline(D(2022, 3, 1), 0).due == D(2022, 3, 1)


def test_period_ending_on_weekend_moves_to_next_working_day():
    """《民法典》第二百零三条: a period whose last day is a rest day ends on the next working day."""
    cal = WorkingCalendar(overrides={})
    # Thursday 3 March 2022 + 2 working days = Monday 7 March, not Saturday.
    assert cal.deadline(D(2022, 3, 3), 2).due == D(2022, 3, 7)


def test_working_days_between_is_inverse_of_add():
    cal = WorkingCalendar(overrides={})
    due = cal.deadline(D(2022, 9, 26), 20).due
    assert cal.working_days_between(D(2022, 9, 26), due) == 20


def test_beyond_official_data_falls_back_to_weekdays_and_is_provisional():
    cal = WorkingCalendar(overrides={})
    deadline = cal.deadline(D(2026, 12, 28), 5)
    assert deadline.provisional is True
    assert deadline.due == D(2027, 1, 4)  # Mon–Fri only: 29, 30, 31 Dec, 1 Jan (unknown yet), 4 Jan
    assert cal.deadline(D(2026, 3, 2), 5).provisional is False


@pytest.mark.django_db
def test_override_rows_win_over_package_data():
    CalendarOverride.objects.create(day=D(2027, 1, 1), is_workday=False, note="元旦", source="国办发明电")
    cal = WorkingCalendar()
    assert not cal.is_workday(D(2027, 1, 1))
    assert cal.deadline(D(2026, 12, 31), 1).due == D(2027, 1, 4)


@given(start=st.dates(min_value=D(2010, 1, 1), max_value=D(2026, 6, 30)), n=st.integers(0, 40))
def test_add_working_days_lands_on_a_working_day_and_counts_exactly(start, n):
    cal = WorkingCalendar(overrides={})
    due = rules.add_working_days(start, n, cal.is_workday)
    assert due >= start
    if n:
        assert cal.is_workday(due)
    assert rules.working_days_between(start, due, cal.is_workday) == n
