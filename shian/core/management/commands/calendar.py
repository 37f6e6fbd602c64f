"""`shian calendar load FILE | show --year Y`: load a year's official holiday arrangement (the State
Council's notice, as a TOML file) without upgrading a package; show what a year's calendar rests on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from shian.core import rules
from shian.core.calendar import WorkingCalendar, calendar_year_load
from shian.core.models import AuditSource, CalendarOverride, CalendarYear


class Command(BaseCommand):
    help = "The holiday calendar: load a year's official arrangement from a file; show a year."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="load a year's holiday arrangement (TOML)")
        load.add_argument("file")
        show = sub.add_parser("show", help="whether a year's calendar is official, and its adjusted days")
        show.add_argument("--year", type=int, required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _load(self, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        if not path.exists():
            raise CommandError(_("文件不存在：%(path)s") % {"path": path})
        try:
            year = rules.parse_holiday_year(path.read_text(encoding="utf-8-sig"))
        except (rules.HolidayFileError, UnicodeDecodeError) as exc:
            for problem in getattr(exc, "problems", [str(exc)]):
                self.stderr.write(problem)
            raise CommandError(_("%(path)s 未载入") % {"path": path}) from None
        try:
            calendar_year_load(actor=None, source=AuditSource.COMMAND, year=year)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None
        self.stdout.write(
            f"已载入 {year.year} 年节假日安排：放假 {len(year.rest_days)} 天（工作日内），"
            f"调休上班 {len(year.work_days)} 天；来源：{year.source}"
        )

    def _show(self, options: dict[str, Any]) -> None:
        y = options["year"]
        loaded = CalendarYear.objects.filter(year=y).first()
        import datetime as dt

        cal = WorkingCalendar()
        if loaded is not None:
            self.stdout.write(f"{y} 年：已载入官方安排（{loaded.source}）")
        elif cal.is_official(dt.date(y, 6, 30)):
            self.stdout.write(f"{y} 年：节假日数据来自 chinese-calendar 软件包")
        else:
            self.stdout.write(f"{y} 年：{rules.provisional_note(y)}")
            return
        for o in CalendarOverride.objects.filter(day__year=y).order_by("day"):
            self.stdout.write(f"  {o.day} {'上班' if o.is_workday else '休息'} {o.note}")
