"""The working-day calendar used by every legal deadline.

Official public holidays and make-up working days come from the maintained `chinese_calendar`
package (it follows the State Council's yearly notice); CalendarOverride rows win over it; a date
beyond the package's data falls back to Monday–Friday and the deadline is marked provisional.
"""

from __future__ import annotations

from datetime import date

import chinese_calendar
from django.core.exceptions import ValidationError

from . import rules
from .models import CalendarOverride


class WorkingCalendar:
    def __init__(self, overrides: dict[date, bool] | None = None) -> None:
        self._overrides = (
            overrides
            if overrides is not None
            else dict(CalendarOverride.objects.values_list("day", "is_workday"))
        )
        self.used_fallback = False

    def is_official(self, day: date) -> bool:
        if day in self._overrides:
            return True
        try:
            chinese_calendar.is_workday(day)
        except NotImplementedError:
            return False
        return True

    def is_workday(self, day: date) -> bool:
        if day in self._overrides:
            return self._overrides[day]
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            self.used_fallback = True
            return rules.weekday_is_workday(day)

    def deadline(self, start: date, working_days: int) -> rules.Deadline:
        self.used_fallback = False
        try:
            due = rules.add_working_days(start, working_days, self.is_workday)
        except OverflowError:
            # A date at the calendar's end (9999-12-31): a located refusal, never a crash.
            raise ValidationError(
                {"start": f"{start} 起 {working_days} 个工作日超出日历范围（最晚 {date.max}）"}
            ) from None
        return rules.Deadline(start=start, working_days=working_days, due=due, provisional=self.used_fallback)

    def working_days_between(self, start: date, end: date) -> int:
        return rules.working_days_between(start, end, self.is_workday)


def deadline(start: date, working_days: int) -> rules.Deadline:
    """Convenience: the deadline `working_days` working days after `start`."""
    return WorkingCalendar().deadline(start, working_days)
