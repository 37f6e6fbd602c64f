"""The only code that writes inspections, findings and rectification orders. Each function:
permission, scope, one transaction, audit entry in that same transaction; status changes go
through the transition tables below."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from shian.core.audit import AuditEvent, audit_record, snapshot
from shian.core.calendar import WorkingCalendar
from shian.core.models import AuditAction, User
from shian.core.permissions import Cap, require_cap
from shian.core.scoping import scope_for
from shian.registry.models import Business

from . import rules
from .models import (
    Finding,
    Inspection,
    InspectionKind,
    InspectionLevel,
    InspectionStatus,
    Rectification,
    RectificationStatus,
)

OBJECT_TYPE = "inspections.inspection"
RECTIFICATION_TYPE = "inspections.rectification"
_AUDITED = (
    "business_id",
    "inspected_on",
    "kind",
    "level",
    "checklist",
    "full_check",
    "answers",
    "result",
    "status",
    "signed_by",
    "signed_at",
    "submitted_at",
    "publish_due",
    "corrects_id",
)

INSPECTION_TRANSITIONS: dict[tuple[str, str], str] = {
    (InspectionStatus.DRAFT, InspectionStatus.SUBMITTED): "inspector",
}
RECTIFICATION_TRANSITIONS: dict[tuple[str, str], str] = {
    (RectificationStatus.OPEN, RectificationStatus.DONE): "inspector",
}


def _fail(exc: rules.InspectionRuleError, field: str = "__all__") -> ValidationError:
    return ValidationError({field: str(exc)})


def _check_scope(actor: User | None, business: Business) -> None:
    if actor is None:
        return
    scope = scope_for(actor)
    if not scope.allows_region(business.region_id) or (
        scope.business_types is not None and business.business_type not in scope.business_types
    ):
        raise Http404


def _check_inspectors(inspectors: Sequence[User], on: dt.date) -> rules.InspectionRules:
    edition = rules.rules_in_force(on)
    try:
        rules.check_inspectors([u.pk for u in inspectors], edition)
    except rules.InspectionRuleError as exc:
        raise _fail(exc, "inspectors") from None
    return edition


def inspection_create(
    *,
    actor: User | None,
    source: str,
    business: Business,
    inspected_on: dt.date,
    inspectors: Sequence[User],
    full_check: bool = False,
    kind: str = InspectionKind.ROUTINE,
    level: str = InspectionLevel.DISTRICT,
    campaign: str = "",
    draw_code: str = "",
    follow_up_of: Inspection | None = None,
    suspected_violation: bool = False,
) -> Inspection:
    """Open a draft inspection with the checklist of the business's sector in force on the day.
    Refused when fewer than two inspectors, or (第四十二条) when a higher-level inspection covered
    the same items within three months and no violation is suspected."""
    if actor is not None:
        require_cap(actor, Cap.INSPECTION_RECORD)
    _check_scope(actor, business)
    edition = _check_inspectors(inspectors, inspected_on)
    try:
        checklist = rules.checklist_for(business.business_type, inspected_on)
    except rules.InspectionRuleError as exc:
        raise _fail(exc) from None
    if level == InspectionLevel.DISTRICT:
        higher = [
            (i.inspected_on, list(i.answers))
            for i in Inspection.objects.filter(
                business=business, status=InspectionStatus.SUBMITTED, inspected_on__lte=inspected_on
            ).exclude(level=InspectionLevel.DISTRICT)
        ]
        clash = rules.higher_level_conflict(
            on=inspected_on,
            items=checklist.item_codes,
            higher_level=higher,
            rules=edition,
            suspected_violation=suspected_violation,
        )
        if full_check and clash:
            raise ValidationError(
                {
                    "inspected_on": f"上级部门3个月内已检查过这些项目，不得重复检查：{'、'.join(clash)}（第四十二条）"
                }
            )
    with transaction.atomic():
        inspection = Inspection.objects.create(
            business=business,
            region_id=business.region_id,
            inspected_on=inspected_on,
            kind=kind,
            level=level,
            checklist=checklist.code,
            full_check=full_check,
            campaign=campaign,
            draw_code=draw_code,
            follow_up_of=follow_up_of,
            rules_edition=edition.id,
            created_by=actor,
        )
        inspection.inspectors.set(inspectors)
        audit_record(
            actor=actor,
            source=source,
            event=AuditEvent(
                action=AuditAction.CREATE,
                object_type=OBJECT_TYPE,
                object_id=str(inspection.pk),
                object_repr=f"{business.name} {inspected_on}",
                region_code=business.region_id,
                after={**snapshot(inspection, _AUDITED), "inspectors": sorted(u.pk for u in inspectors)},
            ),
        )
    return inspection


def _locked(inspection: Inspection) -> None:
    if inspection.status != InspectionStatus.DRAFT:
        raise ValidationError({"__all__": "检查记录已提交并锁定，只能以新的更正记录修改"})


def inspection_record_answers(
    *,
    actor: User | None,
    source: str,
    inspection: Inspection,
    answers: Mapping[str, str],
    findings: Mapping[str, str] | None = None,
    corrected_on_spot: Sequence[str] = (),
    notes: str | None = None,
) -> Inspection:
    """Save (part of) the checklist of a draft: answers per item and a finding text per failed item."""
    if actor is not None:
        require_cap(actor, Cap.INSPECTION_RECORD)
    _check_scope(actor, inspection.business)
    checklist = rules.load_checklists()[inspection.checklist]
    unknown = sorted(set(answers) - set(checklist.item_codes))
    bad = sorted(c for c, a in answers.items() if a not in rules.Answer.VALUES)
    if unknown or bad:
        raise ValidationError({"answers": f"无效的检查项目或结论：{'、'.join(unknown + bad)}"})
    with transaction.atomic():
        inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
        _locked(inspection)
        before = snapshot(inspection, ("answers", "notes"))
        inspection.answers = {**inspection.answers, **answers}
        if notes is not None:
            inspection.notes = notes
        inspection.save(update_fields=["answers", "notes"])
        key = {i.code: i.key for i in checklist.items}
        for code, text in (findings or {}).items():
            if code not in key:
                raise ValidationError({"findings": f"检查要点表中没有项目 {code}"})
            Finding.objects.update_or_create(
                inspection=inspection,
                item_code=code,
                defaults={
                    "description": text,
                    "key_item": key[code],
                    "corrected_on_spot": code in corrected_on_spot,
                },
            )
        audit_record(
            actor=actor,
            source=source,
            event=AuditEvent(
                action=AuditAction.UPDATE,
                object_type=OBJECT_TYPE,
                object_id=str(inspection.pk),
                region_code=inspection.region_id,
                before=before,
                after={**snapshot(inspection, ("answers", "notes")), "findings": sorted(findings or {})},
            ),
        )
    return inspection


def inspection_sign(
    *, actor: User | None, source: str, inspection: Inspection, signed_by: str, signature: str = ""
) -> Inspection:
    """The business representative signs the record (before submission only)."""
    if actor is not None:
        require_cap(actor, Cap.INSPECTION_RECORD)
    _check_scope(actor, inspection.business)
    if not signed_by.strip():
        raise ValidationError({"signed_by": "请填写签字人姓名"})
    with transaction.atomic():
        inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
        _locked(inspection)
        inspection.signed_by = signed_by.strip()
        inspection.signature = signature
        inspection.signed_at = timezone.now()
        inspection.save(update_fields=["signed_by", "signature", "signed_at"])
        audit_record(
            actor=actor,
            source=source,
            event=AuditEvent(
                action=AuditAction.UPDATE,
                object_type=OBJECT_TYPE,
                object_id=str(inspection.pk),
                region_code=inspection.region_id,
                after=snapshot(inspection, ("signed_by", "signed_at")),
            ),
        )
    return inspection


def inspection_submit(
    *,
    actor: User | None,
    source: str,
    inspection: Inspection,
    calendar: WorkingCalendar | None = None,
    rectification_working_days: int | None = None,
    rectification_due: dt.date | None = None,
    at: dt.datetime | None = None,
) -> Inspection:
    """Validate the checklist, determine the result by rule, order rectification of every failed
    item not corrected on the spot (deadline in working days), set the publication deadline
    (第三十九条: 20 working days) and lock the record."""
    if actor is not None:
        require_cap(actor, Cap.INSPECTION_RECORD)
    _check_scope(actor, inspection.business)
    calendar = calendar or WorkingCalendar()
    if rectification_due is not None:
        check_deadline_is_workday(due=rectification_due, calendar=calendar)
    with transaction.atomic():
        inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
        if (inspection.status, InspectionStatus.SUBMITTED) not in INSPECTION_TRANSITIONS:
            _locked(inspection)
        edition = rules.rules_in_force(inspection.inspected_on)
        checklist = rules.load_checklists()[inspection.checklist]
        try:
            rules.validate_answers(checklist, inspection.answers, full=inspection.full_check)
            rules.check_inspectors(list(inspection.inspectors.values_list("pk", flat=True)), edition)
        except rules.InspectionRuleError as exc:
            raise _fail(exc, "answers") from None
        if not inspection.signed_by:
            raise ValidationError({"signed_by": "提交前须由被检查单位负责人签字"})
        failed = [i for i in checklist.items if inspection.answers.get(i.code) == rules.Answer.FAIL]
        findings = {f.item_code: f for f in inspection.findings.all()}
        missing = [i.code for i in failed if i.code not in findings]
        if missing:
            raise ValidationError({"findings": f"不符合的项目须记录问题：{'、'.join(missing)}"})
        inspection.result = rules.inspection_result(checklist, inspection.answers, edition)
        inspection.key_failed = sum(1 for i in failed if i.key)
        inspection.general_failed = len(failed) - inspection.key_failed
        inspection.status = InspectionStatus.SUBMITTED
        inspection.submitted_at = at or timezone.now()
        inspection.publish_due = calendar.deadline(inspection.inspected_on, edition.publish_working_days).due
        inspection.save()
        days = rectification_working_days or edition.rectification_working_days
        due = rectification_due or calendar.deadline(inspection.inspected_on, days).due
        if due < inspection.inspected_on:
            raise ValidationError({"due": "整改期限不能早于检查日期"})
        if rectification_due is not None:
            days = calendar.working_days_between(inspection.inspected_on, due)
        orders = [
            Rectification(
                finding=f,
                region_id=inspection.region_id,
                ordered_on=inspection.inspected_on,
                working_days=days,
                due=due,
            )
            for f in findings.values()
            if not f.corrected_on_spot
        ]
        Rectification.objects.bulk_create(orders)
        audit_record(
            actor=actor,
            source=source,
            event=AuditEvent(
                action=AuditAction.UPDATE,
                object_type=OBJECT_TYPE,
                object_id=str(inspection.pk),
                object_repr="提交",
                region_code=inspection.region_id,
                before={"status": InspectionStatus.DRAFT},
                after={
                    **snapshot(inspection, ("status", "result", "publish_due")),
                    "rectifications": len(orders),
                },
            ),
        )
    return inspection


def inspection_correct(*, actor: User | None, source: str, inspection: Inspection, reason: str) -> Inspection:
    """A submitted record is never changed: a correction is a new draft linked to it, carrying its
    answers, to be completed and submitted in its turn."""
    if actor is not None:
        require_cap(actor, Cap.INSPECTION_RECORD)
    _check_scope(actor, inspection.business)
    inspection = Inspection.objects.get(pk=inspection.pk)
    if inspection.status != InspectionStatus.SUBMITTED:
        raise ValidationError({"__all__": "草稿可以直接修改，无需更正记录"})
    if Inspection.objects.filter(corrects=inspection).exists():
        raise ValidationError({"__all__": "该记录已有更正记录"})
    if not reason.strip():
        raise ValidationError({"notes": "请说明更正理由"})
    with transaction.atomic():
        new = Inspection.objects.create(
            business_id=inspection.business_id,
            region_id=inspection.region_id,
            inspected_on=inspection.inspected_on,
            kind=inspection.kind,
            level=inspection.level,
            checklist=inspection.checklist,
            full_check=inspection.full_check,
            answers=dict(inspection.answers),
            campaign=inspection.campaign,
            draw_code=inspection.draw_code,
            corrects=inspection,
            notes=f"更正：{reason.strip()}",
            rules_edition=inspection.rules_edition,
            created_by=actor,
        )
        new.inspectors.set(inspection.inspectors.all())
        audit_record(
            actor=actor,
            source=source,
            event=AuditEvent(
                action=AuditAction.CREATE,
                object_type=OBJECT_TYPE,
                object_id=str(new.pk),
                object_repr=f"更正 #{inspection.pk}",
                region_code=inspection.region_id,
                after={"corrects": inspection.pk, "reason": reason.strip()},
            ),
        )
    return new


def rectification_close(
    *,
    actor: User | None,
    source: str,
    rectification: Rectification,
    closed_on: dt.date,
    follow_up: Inspection | None = None,
) -> Rectification:
    """Close a rectification order (after a follow-up inspection when there is one)."""
    if actor is not None:
        require_cap(actor, Cap.INSPECTION_RECORD)
        if not scope_for(actor).allows_region(rectification.region_id):
            raise Http404
    with transaction.atomic():
        r = Rectification.objects.select_for_update().get(pk=rectification.pk)
        if (r.status, RectificationStatus.DONE) not in RECTIFICATION_TRANSITIONS:
            raise ValidationError({"status": "整改已完成，不能重复办结"})
        if closed_on < r.ordered_on:
            raise ValidationError({"closed_on": "办结日期不能早于整改通知日期"})
        before: dict[str, Any] = snapshot(r, ("status", "closed_on"))
        r.status, r.closed_on, r.follow_up = RectificationStatus.DONE, closed_on, follow_up
        r.save(update_fields=["status", "closed_on", "follow_up"])
        audit_record(
            actor=actor,
            source=source,
            event=AuditEvent(
                action=AuditAction.UPDATE,
                object_type=RECTIFICATION_TYPE,
                object_id=str(r.pk),
                region_code=r.region_id,
                before=before,
                after=snapshot(r, ("status", "closed_on")),
            ),
        )
    return r


def rectification_order_deadline(
    *, ordered_on: dt.date, working_days: int, calendar: WorkingCalendar | None = None
) -> dt.date:
    """A deadline given as a date must fall on a working day; one counted in working days always does."""
    return (calendar or WorkingCalendar()).deadline(ordered_on, working_days).due


def check_deadline_is_workday(*, due: dt.date, calendar: WorkingCalendar | None = None) -> None:
    """An explicit deadline that falls on a holiday or weekend is refused with a clear message."""
    if not (calendar or WorkingCalendar()).is_workday(due):
        raise ValidationError({"due": f"整改期限 {due} 不是工作日（节假日或休息日），请改为工作日"})
