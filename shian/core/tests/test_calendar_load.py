"""A year the installed holiday data does not know (2027 with chinese-calendar 1.10/2026) is loaded
from the notice as a file, without upgrading the package: deadlines in it are then official; before
that they are provisional and say which year's arrangement is missing, never a silent guess."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from shian.core import rules
from shian.core.calendar import WorkingCalendar
from shian.core.models import AuditEntry, CalendarOverride, CalendarYear

FILE = Path(__file__).resolve().parent / "data" / "holidays-2027-test.toml"


def test_a_holiday_file_is_parsed_and_checked():
    year = rules.parse_holiday_year(FILE.read_text(encoding="utf-8"))
    assert year.year == 2027 and len(year.rest_days) == 6 and len(year.work_days) == 2
    bad = """year = 2027
source = "x"
[[holiday]]
name = "国庆节"
off = [2028-10-01, 2027-10-02]
work = [2027-10-02, 2027-10-08]
"""
    with pytest.raises(rules.HolidayFileError) as err:
        rules.parse_holiday_year(bad)
    text = "；".join(err.value.problems)
    assert "2028-10-01 不在 2027 年" in text
    assert "2027-10-08 是工作日" in text
    assert "2027-10-02 既是放假日又是调休上班日" in text
    with pytest.raises(rules.HolidayFileError, match="year"):
        rules.parse_holiday_year('source = "x"')


@pytest.mark.django_db
def test_a_deadline_beyond_the_data_is_provisional_and_says_why_until_the_year_is_loaded(capsys):
    cal = WorkingCalendar()
    before = cal.deadline(dt.date(2027, 9, 28), 5)
    # Monday to Friday: 29, 30 Sep, 1, 4, 5 Oct.
    assert before.provisional and before.due == dt.date(2027, 10, 5)
    assert cal.provisional_note() == rules.provisional_note(2027)
    assert "尚无2027年的节假日安排" in cal.provisional_note()

    call_command("calendar", "load", str(FILE))
    assert "已载入 2027 年节假日安排" in capsys.readouterr().out
    assert CalendarYear.objects.get().year == 2027
    assert CalendarOverride.objects.filter(day__year=2027).count() == 8
    assert AuditEntry.objects.filter(object_type="core.calendaryear").count() == 1

    cal = WorkingCalendar()
    after = cal.deadline(dt.date(2027, 9, 28), 5)
    # 29, 30 Sep; 1–7 Oct off; 8 Oct (Fri), 9 Oct (Sat, make-up), 11 Oct (Mon).
    assert not after.provisional and after.due == dt.date(2027, 10, 11)
    assert cal.is_workday(dt.date(2027, 9, 26))  # a Sunday made a working day
    assert cal.provisional_note() == ""
    # Loading again replaces the year's days, it does not add to them.
    call_command("calendar", "load", str(FILE))
    assert CalendarOverride.objects.filter(day__year=2027).count() == 8
    # A year after it is still provisional.
    assert WorkingCalendar().deadline(dt.date(2028, 3, 1), 3).provisional


@pytest.mark.django_db
def test_a_faulty_file_loads_nothing_and_names_its_problems(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text(
        'year = 2027\nsource = ""\n[[holiday]]\nname = "元旦"\noff = ["2027-01-01"]\n', encoding="utf-8"
    )
    with pytest.raises(CommandError):
        call_command("calendar", "load", str(bad))
    err = capsys.readouterr().err
    assert "source" in err and "日期列表" in err
    assert not CalendarYear.objects.exists() and not CalendarOverride.objects.exists()


@pytest.mark.django_db
def test_unofficial_years_are_those_neither_the_package_nor_a_load_covers():
    from shian.core.calendar import unofficial_years

    days = [dt.date(2026, 5, 6), dt.date(2027, 1, 4), dt.date(2028, 1, 4), None]
    assert unofficial_years(days) == {2027, 2028}
    call_command("calendar", "load", str(FILE))
    assert unofficial_years(days) == {2028}
