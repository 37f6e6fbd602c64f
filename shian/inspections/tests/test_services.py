"""Inspection workflow: draft, answers, signature, submit and lock, correction, rectification;
bad input gets a clear error and changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from shian.core.calendar import WorkingCalendar
from shian.core.models import AuditEntry, AuditSource, Role
from shian.core.tests.factories import UserFactory
from shian.inspections import services
from shian.inspections.models import Inspection, InspectionLevel, Rectification
from shian.registry.tests.factories import make_business

pytestmark = pytest.mark.django_db
DAY = dt.date(2024, 9, 27)  # a Friday before the National Day holiday


@pytest.fixture
def setup(personas):
    b = make_business(name="测试饭店", region_code="120113001", business_type="catering")
    i1 = UserFactory.create(username="ins1", role=Role.INSPECTOR)
    i2 = UserFactory.create(username="ins2", role=Role.INSPECTOR)
    return b, [i1, i2], personas("inspector")


def _draft(b, inspectors, actor, **kw):
    return services.inspection_create(
        actor=actor, source=AuditSource.WEB, business=b, inspected_on=DAY, inspectors=inspectors, **kw
    )


def _fill(i, actor, fail=("C1",)):
    answers = {
        c: ("fail" if c in fail else "pass") for c in ["C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8", "C9"]
    }
    return services.inspection_record_answers(
        actor=actor,
        source=AuditSource.WEB,
        inspection=i,
        answers=answers,
        findings=dict.fromkeys(fail, "问题"),
    )


def test_submit_determines_result_orders_rectification_and_locks(setup):
    b, inspectors, actor = setup
    i = _fill(_draft(b, inspectors, actor, full_check=True), actor)
    services.inspection_sign(actor=actor, source=AuditSource.WEB, inspection=i, signed_by="张三")
    i = services.inspection_submit(actor=actor, source=AuditSource.WEB, inspection=i)
    assert (i.status, i.result, i.general_failed, i.key_failed) == ("submitted", "basic", 1, 0)
    # 20 working days from 2024-09-27 skip the National Day holiday (10-01..10-07) and count the
    # make-up Saturdays/Sundays 09-29 and 10-12.
    assert i.publish_due == WorkingCalendar().deadline(DAY, 20).due == dt.date(2024, 10, 30)
    r = Rectification.objects.get(finding__inspection=i)
    assert r.due == dt.date(2024, 10, 16)
    assert AuditEntry.objects.filter(object_type="inspections.inspection", object_id=str(i.pk)).count() == 4


def test_signature_after_locking_is_refused_and_changes_nothing(setup):
    b, inspectors, actor = setup
    i = _fill(_draft(b, inspectors, actor), actor, fail=())
    services.inspection_sign(actor=actor, source=AuditSource.WEB, inspection=i, signed_by="张三")
    services.inspection_submit(actor=actor, source=AuditSource.WEB, inspection=i)
    with pytest.raises(ValidationError, match="锁定"):
        services.inspection_sign(actor=actor, source=AuditSource.WEB, inspection=i, signed_by="李四")
    with pytest.raises(ValidationError, match="锁定"):
        _fill(i, actor)
    i.refresh_from_db()
    assert i.signed_by == "张三" and i.result == "pass"


def test_correction_is_a_new_linked_record(setup):
    b, inspectors, actor = setup
    i = _fill(_draft(b, inspectors, actor), actor, fail=())
    services.inspection_sign(actor=actor, source=AuditSource.WEB, inspection=i, signed_by="张三")
    services.inspection_submit(actor=actor, source=AuditSource.WEB, inspection=i)
    new = services.inspection_correct(actor=actor, source=AuditSource.WEB, inspection=i, reason="C2 记录有误")
    assert new.corrects == i and new.status == "draft" and new.answers == i.answers
    with pytest.raises(ValidationError):
        services.inspection_correct(actor=actor, source=AuditSource.WEB, inspection=i, reason="再次")


def test_missing_key_items_refused_and_nothing_changes(setup):
    b, inspectors, actor = setup
    i = _draft(b, inspectors, actor)
    services.inspection_record_answers(
        actor=actor, source=AuditSource.WEB, inspection=i, answers={"C1": "pass"}
    )
    services.inspection_sign(actor=actor, source=AuditSource.WEB, inspection=i, signed_by="张三")
    with pytest.raises(ValidationError, match="C3、C4、C5"):
        services.inspection_submit(actor=actor, source=AuditSource.WEB, inspection=i)
    i.refresh_from_db()
    assert i.status == "draft" and i.result == ""


def test_rectification_deadline_on_a_holiday_is_refused(setup):
    b, inspectors, actor = setup
    i = _fill(_draft(b, inspectors, actor), actor)
    services.inspection_sign(actor=actor, source=AuditSource.WEB, inspection=i, signed_by="张三")
    with pytest.raises(ValidationError, match="不是工作日"):
        services.inspection_submit(
            actor=actor, source=AuditSource.WEB, inspection=i, rectification_due=dt.date(2024, 10, 3)
        )
    i.refresh_from_db()
    assert i.status == "draft" and not Rectification.objects.exists()


def test_fewer_than_two_inspectors_refused(setup):
    b, inspectors, actor = setup
    with pytest.raises(ValidationError, match="不少于2名"):
        _draft(b, inspectors[:1], actor)
    assert not Inspection.objects.exists()


def test_full_check_within_three_months_of_higher_level_refused(setup):
    b, inspectors, actor = setup
    higher = _fill(_draft(b, inspectors, None, level=InspectionLevel.CITY), None, fail=())
    services.inspection_sign(actor=None, source=AuditSource.SYSTEM, inspection=higher, signed_by="张三")
    services.inspection_submit(actor=None, source=AuditSource.SYSTEM, inspection=higher)
    with pytest.raises(ValidationError, match="第四十二条"):
        services.inspection_create(
            actor=actor,
            source=AuditSource.WEB,
            business=b,
            inspected_on=DAY + dt.timedelta(days=30),
            inspectors=inspectors,
            full_check=True,
        )
    ok = services.inspection_create(
        actor=actor,
        source=AuditSource.WEB,
        business=b,
        inspected_on=DAY + dt.timedelta(days=30),
        inspectors=inspectors,
        full_check=True,
        suspected_violation=True,
    )
    assert ok.pk


def test_town_b_officer_cannot_touch_town_a_business(setup, personas):
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    b, inspectors, _actor = setup
    with pytest.raises(PermissionDenied):
        _draft(b, inspectors, personas("town_b_officer"))
    with pytest.raises(Http404):
        _draft(
            b,
            inspectors,
            personas("district_officer")
            and UserFactory.create(username="tb_ins", role=Role.INSPECTOR, region_id="120113100"),
        )
