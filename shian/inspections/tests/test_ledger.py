"""The problems an inspection finds enter the register's business-event ledger when the inspection
is submitted (audited, once per inspection), are voided when the record is corrected, are listed on
the grade page, and the next regrade reads them (2016 办法 第二十条: no clean-year step down)."""

from __future__ import annotations

import datetime as dt

import pytest

from shian.core.models import AuditEntry, AuditSource, Role
from shian.core.tests.factories import UserFactory
from shian.inspections import services
from shian.registry.models import BusinessEvent, BusinessEventKind
from shian.registry.tests.factories import make_business
from shian.risk import services as risk_services

pytestmark = pytest.mark.django_db
ON = dt.date(2024, 12, 31)
CODES = ["C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8", "C9"]


@pytest.fixture
def shop(personas):
    b = make_business(name="河畔小吃店", region_code="120113001", business_type="catering")
    inspectors = [UserFactory.create(username=f"ins{i}", role=Role.INSPECTOR) for i in range(2)]
    return b, inspectors, personas("inspector")


def _inspection(b, inspectors, actor, *, day, fail=(), full=False, findings=None):
    i = services.inspection_create(
        actor=actor,
        source=AuditSource.WEB,
        business=b,
        inspected_on=day,
        inspectors=inspectors,
        full_check=full,
    )
    return _submit(i, actor, fail=fail, findings=findings)


def _submit(i, actor, *, fail=(), findings=None):
    services.inspection_record_answers(
        actor=actor,
        source=AuditSource.WEB,
        inspection=i,
        answers={c: "fail" if c in fail else "pass" for c in CODES},
        findings=findings or {c: f"{c}现场发现问题" for c in fail},
    )
    services.inspection_sign(actor=actor, source=AuditSource.WEB, inspection=i, signed_by="负责人")
    return services.inspection_submit(actor=actor, source=AuditSource.WEB, inspection=i)


def _entries(b):
    return list(BusinessEvent.objects.filter(business=b, kind=BusinessEventKind.INSPECTION_FINDINGS))


def test_findings_enter_the_ledger_on_submission_once_and_audited(shop):
    b, inspectors, actor = shop
    clean = _inspection(b, inspectors, actor, day=dt.date(2024, 3, 5))
    assert _entries(b) == []  # all items met: nothing to record
    i = _inspection(
        b,
        inspectors,
        actor,
        day=dt.date(2024, 6, 3),
        fail=("C3", "C7"),
        findings={"C3": "冷藏柜温度 12℃", "C7": "餐具消毒记录缺失"},
    )
    (event,) = _entries(b)
    assert (event.occurred_on, event.origin_type, event.origin_id) == (
        dt.date(2024, 6, 3),
        "inspections.inspection",
        str(i.pk),
    )
    assert event.region_id == b.region_id and event.voided_at is None
    assert "冷藏柜温度 12℃" in event.note and "餐具消毒记录缺失" in event.note and "2 项" in event.note
    assert AuditEntry.objects.filter(object_type="registry.businessevent", object_id=str(event.pk)).exists()
    assert clean.pk != i.pk


def test_a_long_list_of_findings_is_cut_to_the_ledgers_note(shop):
    b, inspectors, actor = shop
    _inspection(
        b,
        inspectors,
        actor,
        day=dt.date(2024, 6, 3),
        fail=tuple(CODES),
        findings=dict.fromkeys(CODES, "问题" * 30),
    )
    (event,) = _entries(b)
    assert len(event.note) == 200 and event.note.endswith("…")


def test_a_correction_voids_the_entry_and_the_correction_writes_its_own(shop):
    b, inspectors, actor = shop
    i = _inspection(b, inspectors, actor, day=dt.date(2024, 6, 3), fail=("C3",))
    fixed = services.inspection_correct(actor=actor, source=AuditSource.WEB, inspection=i, reason="误判C3")
    (event,) = _entries(b)
    assert (
        event.voided_at is not None and f"#{fixed.pk}" in event.void_reason and "误判C3" in event.void_reason
    )
    _submit(fixed, actor, fail=("C5",))
    live = [e for e in _entries(b) if e.voided_at is None]
    assert [(e.origin_id, "C5" in e.note) for e in live] == [(str(fixed.pk), True)]


def test_the_grade_page_lists_the_findings_and_the_next_regrade_reflects_them(shop, client_for):
    """A clean year steps the grade down (第二十条); problems found at an inspection in that year
    are violations found: the next regrade gives no step down and names the entry in its reasons.
    Once the record is corrected to all items met, the entry is voided and the step comes back."""
    b, inspectors, actor = shop
    _inspection(b, inspectors, actor, day=dt.date(2023, 11, 2), full=True)
    _inspection(b, inspectors, actor, day=dt.date(2024, 2, 1))
    before = risk_services.risk_regrade(actor=None, source=AuditSource.SYSTEM, business=b, on=ON)
    assert before.adjustment == -1
    found = _inspection(
        b, inspectors, actor, day=dt.date(2024, 9, 10), fail=("C4",), findings={"C4": "后厨有鼠迹"}
    )
    after = risk_services.risk_regrade(actor=None, source=AuditSource.SYSTEM, business=b, on=ON)
    assert after.adjustment == 0 and after.grade == after.score_grade
    assert any("2024-09-10 inspection_findings" in r for r in after.evidence["reasons"])
    page = client_for("district_officer").get(f"/risk/grades/{b.pk}/").content.decode()
    assert "后厨有鼠迹" in page and "监督检查发现问题" in page and "2024-09-10" in page
    # The officer's form does not offer the kind: it is written by the inspection alone.
    assert 'value="inspection_findings"' not in page
    fixed = services.inspection_correct(
        actor=actor, source=AuditSource.WEB, inspection=found, reason="鼠迹为误认"
    )
    _submit(fixed, actor)
    again = risk_services.risk_regrade(actor=None, source=AuditSource.SYSTEM, business=b, on=ON)
    assert again.adjustment == -1 and not any("inspection_findings" in r for r in again.evidence["reasons"])
    page = client_for("district_officer").get(f"/risk/grades/{b.pk}/").content.decode()
    assert "鼠迹为误认" in page  # the voided entry stays listed with its reason


def test_the_bulk_regrade_reads_the_findings_like_the_single_one(shop):
    b, inspectors, actor = shop
    _inspection(b, inspectors, actor, day=dt.date(2023, 11, 2), full=True)
    _inspection(b, inspectors, actor, day=dt.date(2024, 9, 10), fail=("C4",))
    single = risk_services.risk_regrade(actor=None, source=AuditSource.SYSTEM, business=b, on=ON)
    risk_services.risk_regrade_bulk(actor=None, source=AuditSource.COMMAND, on=ON)
    from shian.risk.models import RiskGrade

    bulk = RiskGrade.objects.get(business=b)
    assert (bulk.grade, bulk.adjustment, bulk.evidence["reasons"]) == (
        single.grade,
        single.adjustment,
        single.evidence["reasons"],
    )
