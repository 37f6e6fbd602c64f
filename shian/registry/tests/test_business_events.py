"""The business-event ledger: evidence modules append, officers record in scope, nothing is deleted
(a voided entry stays with its reason), and the risk grade reads only live entries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from shian.core.models import AuditEntry, AuditSource, Role
from shian.core.tests.factories import UserFactory
from shian.inspections import services as inspection_services
from shian.registry import selectors, services
from shian.registry.models import BusinessEvent
from shian.registry.tests.factories import make_business
from shian.risk import services as risk_services

pytestmark = pytest.mark.django_db
ON = dt.date(2024, 12, 31)


@pytest.fixture
def shop():
    return make_business(name="果园新村甲餐厅", region_code="120113001", business_type="catering")


def _inspect_with_failures(business):
    inspectors = [UserFactory.create(username=f"ins{i}", role=Role.INSPECTOR) for i in range(2)]
    i = inspection_services.inspection_create(
        actor=None,
        source=AuditSource.SYSTEM,
        business=business,
        inspected_on=dt.date(2024, 5, 6),
        inspectors=inspectors,
        full_check=True,
    )
    codes = ["C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8", "C9"]
    inspection_services.inspection_record_answers(
        actor=None,
        source=AuditSource.SYSTEM,
        inspection=i,
        answers={c: "fail" if c in ("C3", "C4") else "pass" for c in codes},
        findings={"C3": "冷藏温度超标", "C4": "原料无进货查验记录"},
    )
    inspection_services.inspection_sign(
        actor=None, source=AuditSource.SYSTEM, inspection=i, signed_by="负责人"
    )
    inspection_services.inspection_submit(actor=None, source=AuditSource.SYSTEM, inspection=i)


def test_append_is_audited_and_idempotent_per_origin(shop):
    before = AuditEntry.objects.count()
    first = services.business_event_append(
        actor=None,
        source=AuditSource.SYSTEM,
        business=shop,
        kind="failed_supervisory_sample",
        occurred_on=dt.date(2024, 8, 1),
        origin_type="sampling.sample",
        origin_id="41",
    )
    again = services.business_event_append(
        actor=None,
        source=AuditSource.SYSTEM,
        business=shop,
        kind="failed_supervisory_sample",
        occurred_on=dt.date(2024, 8, 1),
        origin_type="sampling.sample",
        origin_id="41",
    )
    assert again.pk == first.pk
    assert BusinessEvent.objects.count() == 1
    entries = list(AuditEntry.objects.filter(seq__gt=before))
    assert [(e.object_type, e.action) for e in entries] == [("registry.businessevent", "create")]
    assert entries[0].after["origin_id"] == "41" and entries[0].region_code == "120113001"


def test_bad_kind_and_future_date_are_refused_and_write_nothing(shop):
    with pytest.raises(ValidationError) as err:
        services.business_event_append(
            actor=None,
            source=AuditSource.SYSTEM,
            business=shop,
            kind="rumour",
            occurred_on=dt.date(2024, 1, 1),
        )
    assert "kind" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        services.business_event_append(
            actor=None,
            source=AuditSource.SYSTEM,
            business=shop,
            kind="incident",
            occurred_on=timezone.localdate() + dt.timedelta(days=3),
        )
    assert "occurred_on" in err.value.message_dict
    assert not BusinessEvent.objects.exists()


def test_officer_records_in_scope_only(shop, personas):
    event = services.business_event_record(
        actor=personas("town_a_officer"),
        source=AuditSource.WEB,
        business=shop,
        kind="obstructed_inspection",
        occurred_on=dt.date(2024, 3, 2),
        note="拒绝检查人员进入后厨",
    )
    assert event.recorded_by.username == "town_a_officer"
    with pytest.raises(Http404):
        services.business_event_record(
            actor=personas("town_b_officer"),
            source=AuditSource.WEB,
            business=shop,
            kind="incident",
            occurred_on=dt.date(2024, 3, 2),
            note="不应写入",
        )
    # An inspector may read the ledger but not write it by hand.
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.business_event_record(
            actor=personas("inspector"),
            source=AuditSource.WEB,
            business=shop,
            kind="incident",
            occurred_on=dt.date(2024, 3, 2),
            note="不应写入",
        )
    assert BusinessEvent.objects.count() == 1
    # Town B's officer does not see the entry at all; town A's does.
    assert list(selectors.business_events_for_user(user=personas("town_b_officer"), business=shop)) == []
    assert [
        e.pk for e in selectors.business_events_for_user(user=personas("town_a_officer"), business=shop)
    ] == [event.pk]


def test_grade_reads_live_events_and_forgets_a_voided_one(shop):
    _inspect_with_failures(shop)
    base = risk_services.risk_regrade(actor=None, source=AuditSource.SYSTEM, business=shop, on=ON)
    assert base.grade == "C"
    event = services.business_event_append(
        actor=None,
        source=AuditSource.SYSTEM,
        business=shop,
        kind="failed_supervisory_sample",
        occurred_on=dt.date(2024, 8, 1),
        origin_type="sampling.sample",
        origin_id="7",
    )
    raised = risk_services.risk_regrade(actor=None, source=AuditSource.SYSTEM, business=shop, on=ON)
    assert (raised.grade, raised.adjustment) == ("D", 1)
    # An event a year and a day before grading is outside the window and changes nothing.
    services.business_event_append(
        actor=None,
        source=AuditSource.SYSTEM,
        business=shop,
        kind="incident",
        occurred_on=dt.date(2023, 12, 30),
        origin_type="incidents.incident",
        origin_id="3",
    )
    services.business_event_void(
        actor=None, source=AuditSource.SYSTEM, event=event, reason="复检合格，原结论撤销"
    )
    back = risk_services.risk_regrade(actor=None, source=AuditSource.SYSTEM, business=shop, on=ON)
    assert (back.grade, back.adjustment) == ("C", 0)
    event.refresh_from_db()
    # Two appended here, plus the entry the inspection with failures wrote on submission.
    assert event.void_reason == "复检合格，原结论撤销" and BusinessEvent.objects.count() == 3
    with pytest.raises(ValidationError):
        services.business_event_void(actor=None, source=AuditSource.SYSTEM, event=event, reason="再次作废")
