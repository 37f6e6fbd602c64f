"""Rectification and publication deadlines in a year without official holiday data are marked
provisional in the API and on the pages (they used to count weekdays silently)."""

from __future__ import annotations

import datetime as dt

import pytest

from shian.core.models import AuditSource, Role
from shian.core.tests.factories import UserFactory
from shian.inspections import services
from shian.registry.tests.factories import make_business

pytestmark = pytest.mark.django_db


def test_deadlines_beyond_the_holiday_data_are_marked_provisional(client_for):
    shop = make_business(region_code="120113001", business_type="catering")
    team = [UserFactory.create(username=f"pv{i}", role=Role.INSPECTOR) for i in range(2)]
    i = services.inspection_create(
        actor=None,
        source=AuditSource.SYSTEM,
        business=shop,
        inspected_on=dt.date(2027, 12, 20),
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
