"""The working-day calendar used by every legal deadline.

Official public holidays and make-up working days come from the maintained `chinese_calendar`
package (it follows the State Council's yearly notice). A year the package does not know yet is
loaded from the notice itself with `shian calendar load FILE` (CalendarYear + CalendarOverride
rows), without upgrading the package. CalendarOverride rows win over the package. A date in a year
neither covers falls back to Monday–Friday and the deadline is marked provisional, with a note
saying which year's arrangement is missing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import chinese_calendar
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from . import rules
from .audit import AuditEvent, audit_record_many
from .models import AuditAction, CalendarOverride, CalendarYear


class WorkingCalendar:
    def __init__(
        self, overrides: dict[date, bool] | None = None, loaded_years: set[int] | None = None
    ) -> None:
        self._overrides = (
            overrides
            if overrides is not None
            else dict(CalendarOverride.objects.values_list("day", "is_workday"))
        )
        self._loaded = (
            loaded_years
            if loaded_years is not None
            else set(CalendarYear.objects.values_list("year", flat=True))
            if overrides is None
            else set()
        )
        self.used_fallback = False
        self.missing_years: set[int] = set()

    def is_official(self, day: date) -> bool:
        if day in self._overrides or day.year in self._loaded:
            return True
        try:
            chinese_calendar.is_workday(day)
        except NotImplementedError:
            return False
        return True

    def is_workday(self, day: date) -> bool:
        if day in self._overrides:
            return self._overrides[day]
        if day.year in self._loaded:
            # A loaded year: its days off and make-up days are overrides; the rest is Mon–Fri.
            return rules.weekday_is_workday(day)
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            self.used_fallback = True
            self.missing_years.add(day.year)
            return rules.weekday_is_workday(day)

    def deadline(self, start: date, working_days: int) -> rules.Deadline:
        self.used_fallback = False
        self.missing_years = set()
        try:
            due = rules.add_working_days(start, working_days, self.is_workday)
        except OverflowError:
            # A date at the calendar's end (9999-12-31): a located refusal, never a crash.
            raise ValidationError(
                {
                    "start": _("%(start)s 起 %(working_days)s 个工作日超出日历范围（最晚 %(max)s）")
                    % {"start": start, "working_days": working_days, "max": date.max}
                }
            ) from None
        return rules.Deadline(start=start, working_days=working_days, due=due, provisional=self.used_fallback)

    def provisional_note(self) -> str:
        """Why the last deadline is provisional ("" when it is not)."""
        return "；".join(rules.provisional_note(y) for y in sorted(self.missing_years))

    def working_days_between(self, start: date, end: date) -> int:
        return rules.working_days_between(start, end, self.is_workday)


def unofficial_years(days: Iterable[date | None]) -> set[int]:
    """The years among `days` that neither the installed holiday data nor a loaded arrangement
    covers: a deadline falling in one of them was counted Monday to Friday and is provisional,
    wherever it is shown (one query, whatever the number of days)."""
    years = {d.year for d in days if d is not None}
    loaded = set(CalendarYear.objects.filter(year__in=years).values_list("year", flat=True))
    out = set()
    for y in years - loaded:
        try:
            chinese_calendar.is_workday(date(y, 6, 30))
        except NotImplementedError:
            out.add(y)
    return out


def deadline(start: date, working_days: int) -> rules.Deadline:
    """Convenience: the deadline `working_days` working days after `start`."""
    return WorkingCalendar().deadline(start, working_days)


def calendar_year_load(*, actor: Any, source: str, year: rules.HolidayYear) -> CalendarYear:
    """Load one year's official holiday arrangement: its days off and make-up working days become
    CalendarOverride rows (replacing that year's earlier load), the year is recorded as official,
    audited in the same transaction. Deadlines already stored keep their dates; new ones count
    with the loaded arrangement."""
    from .permissions import Cap, require_cap

    if actor is not None:
        require_cap(actor, Cap.USERS_MANAGE)
    days = {d: (False, f"{name}放假") for d, name in year.rest_days}
    days.update({d: (True, f"{name}调休上班") for d, name in year.work_days})
    note = f"{year.year}年节假日安排"
    with transaction.atomic():
        before = list(
            CalendarOverride.objects.filter(note__startswith=note)
            .order_by("day")
            .values_list("day", "is_workday")
        )
        CalendarOverride.objects.filter(note__startswith=note).delete()
        clash = set(CalendarOverride.objects.filter(day__in=list(days)).values_list("day", flat=True))
        if clash:
            raise ValidationError(
                _("以下日期已有其他日历调整，请先在管理后台核对：%(value)s")
                % {"value": "、".join(str(d) for d in sorted(clash))}
            )
        CalendarOverride.objects.bulk_create(
            [
                CalendarOverride(day=d, is_workday=w, note=f"{note}：{what}"[:100], source=year.source[:200])
                for d, (w, what) in sorted(days.items())
            ]
        )
        loaded, created = CalendarYear.objects.update_or_create(
            year=year.year, defaults={"source": year.source[:200]}
        )
        audit_record_many(
            actor=actor,
            source=source,
            events=[
                AuditEvent(
                    AuditAction.CREATE if created else AuditAction.UPDATE,
                    "core.calendaryear",
                    str(loaded.pk),
                    str(loaded)[:200],
                    "",
                    before={"days": [(str(d), w) for d, w in before]} if before else None,
                    after={
                        "year": year.year,
                        "source": year.source,
                        "rest_days": [str(d) for d, _ in year.rest_days],
                        "work_days": [str(d) for d, _ in year.work_days],
                    },
                )
            ],
        )
    return loaded
