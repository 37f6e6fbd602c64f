"""任务（三）: the interview is held and recorded, then closed; commendations are awarded."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shian.core.models import AuditEntry, Department
from shian.planning.models import Interview
from shian.planning.services import commendation_award, interview_set_status, plan_evaluate

from .test_services import plan  # noqa: F401 — the loaded 2022 plan fixture

pytestmark = pytest.mark.django_db


def test_interview_is_held_with_its_record_then_closed(plan, personas):  # noqa: F811
    plan_evaluate(actor=None, source="command", plan=plan, as_of=dt.date(2022, 6, 30))
    plan_evaluate(actor=None, source="command", plan=plan, as_of=dt.date(2022, 9, 30))
    interview = Interview.objects.filter(plan=plan).first()
    assert interview is not None and interview.status == "listed"
    office = personas("district_officer")
    with pytest.raises(ValidationError):  # a held interview needs its record
        interview_set_status(
            actor=office, source="web", interview=interview, status="held", on=dt.date(2022, 10, 20)
        )
    with pytest.raises(ValidationError):  # cannot close before it is held
        interview_set_status(
            actor=office, source="web", interview=interview, status="closed", on=dt.date(2022, 10, 20)
        )
    with pytest.raises(PermissionDenied):
        interview_set_status(
            actor=personas("town_a_officer"),
            source="web",
            interview=interview,
            status="held",
            on=dt.date(2022, 10, 20),
            record="x",
        )
    interview = interview_set_status(
        actor=office,
        source="web",
        interview=interview,
        status="held",
        on=dt.date(2022, 10, 20),
        record="约谈主要负责人，限期一个月整改",
    )
    assert interview.held_on == dt.date(2022, 10, 20) and "限期" in interview.record
    interview = interview_set_status(
        actor=office, source="web", interview=interview, status="closed", on=dt.date(2022, 11, 25)
    )
    assert interview.status == "closed"
    assert (
        AuditEntry.objects.filter(object_type="planning.interview", object_id=str(interview.pk)).count() == 3
    )


def test_commendation_needs_someone_and_a_reason(plan, personas):  # noqa: F811
    office = personas("district_officer")
    with pytest.raises(ValidationError):
        commendation_award(
            actor=office, source="web", plan=plan, reason="突出贡献", awarded_on=dt.date(2022, 12, 30)
        )
    award = commendation_award(
        actor=office,
        source="web",
        plan=plan,
        reason="校园食品安全守护行动成效突出",
        awarded_on=dt.date(2022, 12, 30),
        department=Department.objects.get(pk="education"),
    )
    assert award.department_id == "education"
    with pytest.raises(PermissionDenied):
        commendation_award(
            actor=personas("education_liaison"),
            source="web",
            plan=plan,
            reason="自荐",
            awarded_on=dt.date(2022, 12, 30),
            person="张三",
        )
