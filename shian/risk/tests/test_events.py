"""Events in the register's ledger reach the grade: an officer records one on the grade page (or
the API), it is listed there, and the next regrade steps the grade by the rules' event steps."""

from __future__ import annotations

import datetime as dt

import pytest

from shian.core.models import AuditSource
from shian.registry.models import BusinessEvent
from shian.registry.tests.factories import make_business
from shian.risk import services

pytestmark = pytest.mark.django_db
ON = dt.date(2024, 12, 31)


@pytest.fixture
def shop(personas):
    business = make_business(name="果园小吃店", region_code="120113001", business_type="catering")
    services.risk_regrade(actor=None, source=AuditSource.SYSTEM, business=business, on=ON)
    return business


def test_an_officer_records_an_incident_it_is_listed_and_the_regrade_reflects_it(shop, client_for):
    """risk-grading.toml event_steps: a food-safety incident raises the grade two steps (2016 办法
    第十九条 [M])."""
    before = services.risk_regrade(actor=None, source=AuditSource.SYSTEM, business=shop, on=ON)
    officer = client_for("town_a_officer")
    r = officer.post(
        f"/risk/grades/{shop.pk}/events/",
        {"kind": "incident", "occurred_on": "2024-06-01", "note": "就餐者腹泻，已调查"},
    )
    assert r.status_code == 302
    event = BusinessEvent.objects.get(business=shop)
    assert (event.kind, event.origin_type) == ("incident", "")
    page = officer.get(f"/risk/grades/{shop.pk}/").content.decode()
    assert "就餐者腹泻，已调查" in page and "2024-06-01" in page
    after = services.risk_regrade(actor=None, source=AuditSource.SYSTEM, business=shop, on=ON)
    assert after.adjustment == before.adjustment + 2 or after.grade == "D"
    assert any("incident" in r for r in after.evidence["reasons"])


def test_another_towns_officer_cannot_record_and_an_event_needs_a_note(shop, client_for):
    assert (
        client_for("town_b_officer")
        .post(
            f"/risk/grades/{shop.pk}/events/", {"kind": "incident", "occurred_on": "2024-06-01", "note": "x"}
        )
        .status_code
        == 404
    )
    client_for("district_officer").post(
        f"/risk/grades/{shop.pk}/events/", {"kind": "incident", "occurred_on": "2024-06-01", "note": ""}
    )
    assert not BusinessEvent.objects.exists()


def test_events_through_the_api(shop, client_for):
    api = client_for("district_officer")
    r = api.post(
        f"/api/v1/businesses/{shop.pk}/events",
        {"kind": "obstructed_inspection", "occurred_on": "2024-07-02", "note": "拒绝检查人员进入后厨"},
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["kind_label"]
    listed = api.get(f"/api/v1/businesses/{shop.pk}/events").json()
    assert [e["kind"] for e in listed] == ["obstructed_inspection"]
