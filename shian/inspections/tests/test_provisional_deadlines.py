"""Rectification and publication deadlines in a year without official holiday data are marked
provisional in the API and on the pages (they used to count weekdays silently)."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import chinese_calendar
import pytest
from django.utils import timezone

from shian.core.models import AuditSource, Role
from shian.core.tests.factories import UserFactory
from shian.inspections import services
from shian.registry.tests.factories import make_business

pytestmark = pytest.mark.django_db


def _installed_data_ends_before(year: int):
    """The holiday data as a package release that knows no arrangement from `year` on."""
    real = chinese_calendar.is_workday

    def is_workday(day: dt.date) -> bool:
        if day.year >= year:
            raise NotImplementedError(f"no data for {day.year}")
        return bool(real(day))

    return mock.patch("shian.core.calendar.chinese_calendar.is_workday", side_effect=is_workday)


def test_deadlines_beyond_the_holiday_data_are_marked_provisional(client_for):
    # An inspection made today (the ledger refuses events in the future), in a year the installed
    # holiday data does not cover yet: every deadline counted from it is provisional.
    today = timezone.localdate()
    with _installed_data_ends_before(today.year):
        _inspect_and_check(client_for, today)


def _inspect_and_check(client_for, today: dt.date) -> None:
    shop = make_business(region_code="120113001", business_type="catering")
    team = [UserFactory.create(username=f"pv{i}", role=Role.INSPECTOR) for i in range(2)]
    i = services.inspection_create(
        actor=None,
        source=AuditSource.SYSTEM,
        business=shop,
        inspected_on=today,
        inspectors=team,
    )
    services.inspection_record_answers(
        actor=None,
        source=AuditSource.SYSTEM,
        inspection=i,
        answers={
            c: ("fail" if c == "C3" else "pass")
            for c in ["C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8", "C9"]
        },
        findings={"C3": "问题"},
    )
    services.inspection_sign(actor=None, source=AuditSource.SYSTEM, inspection=i, signed_by="负责人")
    services.inspection_submit(actor=None, source=AuditSource.SYSTEM, inspection=i)
    client = client_for("district_officer")
    assert client.get(f"/api/v1/inspections/{i.pk}").json()["publish_due_provisional"] is True
    rects = client.get("/api/v1/inspections/rectifications/").json()
    assert rects and all(r["due_provisional"] for r in rects)
    page = client.get(f"/inspections/rectifications/{rects[0]['id']}/").content.decode()
    assert "暂定" in page and "节假日安排尚未载入" in page
    assert "（暂定）" in client.get(f"/inspections/{i.pk}/").content.decode()
