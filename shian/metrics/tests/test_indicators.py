"""The index's own indicators: town reports submitted on time (a component) and quarters published
(the plan's target T02-index)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from django.utils import timezone

from shian.core import indicators
from shian.core.indicators import Period
from shian.core.tests.factories import TOWN_A, TOWN_B
from shian.metrics.models import IndexRun, RunStatus

from .factories import SHANGHAI, town_report

Q2 = Period.quarter(2022, 2)


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def test_town_reports_on_time_is_share_submitted_by_the_due_date_in_beijing_time(db):
    """Plan task (一): reports are due on their due date; the date is Beijing time (TIME_ZONE), so a
    report sent at 23:30 on the due day (15:30 UTC) is on time and one at 00:30 the day after is late."""
    due = dt.date(2022, 4, 15)
    town_report(region=TOWN_A, period="Q1", due=due, submitted_at=at(2022, 4, 15, 23, 30))
    town_report(region=TOWN_B, period="Q1", due=due, submitted_at=at(2022, 4, 16, 0, 30))
    result = indicators.compute("metrics.town_reports_on_time", Q2)
    assert result.region_value(TOWN_A) == D(100)
    assert result.region_value(TOWN_B) == D(0)
    assert result.value == D(50)


def test_town_reports_not_submitted_after_the_due_date_count_as_late_and_towns_without_reports_due_are_absent(
    db,
):
    town_report(region=TOWN_A, period="Q1", due=dt.date(2022, 4, 15), submitted_at=None)
    town_report(region=TOWN_A, period="Y", due=dt.date(2022, 12, 31), submitted_at=at(2022, 12, 20, 9))
    result = indicators.compute("metrics.town_reports_on_time", Q2)
    assert result.region_value(TOWN_A) == D(0)  # the year-end report is due in Q4, not counted here
    assert result.region_value(TOWN_B) is None


def test_town_reports_on_time_is_missing_when_no_report_falls_due(db):
    result = indicators.compute("metrics.town_reports_on_time", Period.quarter(2022, 1))
    assert result.missing
    assert result.value is None
    assert "没有到期" in result.note


def test_quarters_published_counts_published_quarters_inside_the_period(db):
    """Plan target T02-index binds to it: “每季度发布北辰区食品安全指数” (4 in 2022)."""
    now = timezone.now()
    for quarter, status in ((1, RunStatus.PUBLISHED), (2, RunStatus.PUBLISHED), (3, RunStatus.DRAFT)):
        IndexRun.objects.create(
            year=2022,
            quarter=quarter,
            edition_id="e",
            min_coverage=D("0.3"),
            computed_at=now,
            status=status,
            published_at=now if status == RunStatus.PUBLISHED else None,
        )
    IndexRun.objects.create(
        year=2021,
        quarter=4,
        edition_id="e",
        min_coverage=D("0.3"),
        computed_at=now,
        status=RunStatus.PUBLISHED,
        published_at=now,
    )
    assert indicators.compute("metrics.index_quarters_published", Period.year(2022)).value == 2
    assert (
        indicators.compute(
            "metrics.index_quarters_published", Period(dt.date(2022, 1, 1), dt.date(2022, 5, 15))
        ).value
        == 1
    )
