"""The only code that writes inspections, findings and rectification orders. Each function:
permission, scope, one transaction, audit entry in that same transaction; status changes go
through the transition tables below."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import os
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shian.core.audit import AuditEvent, audit_record, audit_record_many, snapshot
from shian.core.calendar import WorkingCalendar
from shian.core.models import AuditAction, Region, User
from shian.core.permissions import Cap, require_cap
from shian.core.scoping import require_in_scope
from shian.registry import services as registry_services
from shian.registry.models import Business, BusinessEvent, BusinessEventKind, BusinessFoodCategory

from . import media, rules
from .models import (
    Finding,
    FindingPhoto,
    Inspection,
    InspectionKind,
    InspectionLevel,
    InspectionStatus,
    Rectification,
    RectificationStatus,
)
from .selectors import inspectors_for_region

OBJECT_TYPE = "inspections.inspection"
RECTIFICATION_TYPE = "inspections.rectification"
PHOTO_TYPE = "inspections.findingphoto"
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


def _business_in_scope_or_404(actor: User | None, business: Business) -> None:
    """The business must be in the actor's scope (core.scoping: one rule, one 404)."""
    if actor is not None:
        require_in_scope(actor, region=business.region_id, business_type=business.business_type)


def _check_inspectors(inspectors: Sequence[User], on: dt.date, region_code: str) -> rules.InspectionRules:
    """At least two inspectors (第二十三条), each a person who records inspections in the business's
    town (its own staff or the district's): a lab's or a viewer's account is no inspector."""
    try:
        edition = rules.rules_in_force(on)
    except LookupError:
        raise ValidationError({"inspected_on": _("%(on)s 没有施行中的监督检查规则") % {"on": on}}) from None
    try:
        rules.check_inspectors([u.pk for u in inspectors], edition)
    except rules.InspectionRuleError as exc:
        raise _fail(exc, "inspectors") from None
    allowed = set(
        inspectors_for_region(region_code=region_code)
        .filter(pk__in=[u.pk for u in inspectors])
        .values_list("pk", flat=True)
    )
    strangers = [u for u in inspectors if u.pk not in allowed]
    if strangers:
        raise ValidationError(
            {
                "inspectors": _("检查人员须为本辖区或区级的执法检查人员：")
                + "、".join(str(u) for u in strangers)
            }
        )
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
    _business_in_scope_or_404(actor, business)
    edition = _check_inspectors(inspectors, inspected_on, business.region_id)
    try:
        checklist = rules.checklist_for(business.business_type, inspected_on)
    except rules.InspectionRuleError as exc:
        raise _fail(exc) from None
    if campaign:
        # Under a special campaign: it must run on the day and have the business in its scope;
        # its own checklist (when it names one) replaces the sector's.
        found = rules.load_campaigns().get(campaign)
        problem = rules.campaign_problem(
            found,
            code=campaign,
            on=inspected_on,
            business_type=business.business_type,
            categories=BusinessFoodCategory.objects.filter(business=business).values_list(
                "category_id", flat=True
            ),
            region_code=business.region_id,
            region_level=Region.objects.filter(pk=business.region_id).values_list("level", flat=True).first()
            or "",
        )
        if problem:
            raise ValidationError({"campaign": problem})
        if found is not None and found.checklist and found.checklist in rules.load_checklists():
            checklist = rules.load_checklists()[found.checklist]
        if kind == InspectionKind.ROUTINE:
            kind = InspectionKind.CAMPAIGN
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
                    "inspected_on": _(
                        "上级部门3个月内已检查过这些项目，不得重复检查：%(value)s（第四十二条）"
                    )
                    % {"value": "、".join(clash)}
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
        raise ValidationError({"__all__": _("检查记录已提交并锁定，只能以新的更正记录修改")})


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
    _business_in_scope_or_404(actor, inspection.business)
    checklist = rules.load_checklists()[inspection.checklist]
    unknown = sorted(set(answers) - set(checklist.item_codes))
    bad = sorted(c for c, a in answers.items() if a not in rules.Answer.VALUES)
    if unknown or bad:
        raise ValidationError(
            {"answers": _("无效的检查项目或结论：%(value)s") % {"value": "、".join(unknown + bad)}}
        )
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
                raise ValidationError({"findings": _("检查要点表中没有项目 %(code)s") % {"code": code}})
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


def _check_signature(inspection: Inspection, signature: str) -> str:
    """The drawn signature's PNG checked (format, size, not blank); returns its SHA-256."""
    limits = rules.media_limits_in_force(inspection.inspected_on)
    try:
        png = rules.decode_signature(signature, limits)
        rules.check_signature_ink(media.signature_ink_pixels(png, limits=limits), limits)
    except rules.InspectionRuleError as exc:
        raise _fail(exc, "signature") from None
    return hashlib.sha256(png).hexdigest()


def _stored_signature_digest(inspection: Inspection) -> str:
    if not inspection.signature.startswith(rules.SIGNATURE_PREFIX):
        return ""
    png = base64.b64decode(inspection.signature[len(rules.SIGNATURE_PREFIX) :])
    return hashlib.sha256(png).hexdigest()


def inspection_sign(
    *,
    actor: User | None,
    source: str,
    inspection: Inspection,
    signed_by: str,
    signature: str | None = None,
) -> Inspection:
    """The business representative signs the record (before submission only): a name and, from
    the tablet form, a signature drawn on the canvas (a PNG data URL: PNG, size limit, not blank).
    `signature=None` keeps the drawn signature already on the record unless the signer changes."""
    if actor is not None:
        require_cap(actor, Cap.INSPECTION_RECORD)
    _business_in_scope_or_404(actor, inspection.business)
    if not signed_by.strip():
        raise ValidationError({"signed_by": _("请填写签字人姓名")})
    digest = _check_signature(inspection, signature) if signature else ""
    with transaction.atomic():
        inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
        _locked(inspection)
        before = snapshot(inspection, ("signed_by", "signed_at"))
        if signature is not None or signed_by.strip() != inspection.signed_by:
            inspection.signature = signature or ""
        inspection.signed_by = signed_by.strip()
        inspection.signed_at = timezone.now()
        inspection.save(update_fields=["signed_by", "signature", "signed_at"])
        audit_record(
            actor=actor,
            source=source,
            event=AuditEvent(
                action=AuditAction.UPDATE,
                object_type=OBJECT_TYPE,
                object_id=str(inspection.pk),
                object_repr="签字",
                region_code=inspection.region_id,
                before=before,
                after={
                    **snapshot(inspection, ("signed_by", "signed_at")),
                    # The image itself stays on the record; the chain keeps its fingerprint.
                    "signature_sha256": digest or _stored_signature_digest(inspection),
                },
            ),
        )
    return inspection


def finding_photo_check(*, inspection: Inspection, data: bytes, name: str) -> media.PhotoInfo:
    """Check a photo without writing anything, so that a page can refuse a bad upload before it
    saves any other part of the form (bad input changes nothing)."""
    try:
        return media.inspect_photo(
            data=data, name=name, limits=rules.media_limits_in_force(inspection.inspected_on)
        )
    except rules.InspectionRuleError as exc:
        raise _fail(exc, "photos") from None


def finding_photo_add(
    *, actor: User | None, source: str, finding: Finding, data: bytes, name: str = ""
) -> FindingPhoto:
    """Attach a photo to a finding of a draft record. The image is checked by its content (JPEG,
    PNG or WebP, size and pixel limits), stored once under its SHA-256, and refused once the
    record is locked — before any file is written."""
    inspection = Inspection.objects.select_related("business").get(pk=finding.inspection_id)
    if actor is not None:
        require_cap(actor, Cap.INSPECTION_RECORD)
    _business_in_scope_or_404(actor, inspection.business)
    name = os.path.basename(name.replace("\\", "/"))[:200]
    info = finding_photo_check(inspection=inspection, data=data, name=name)
    limits = rules.media_limits_in_force(inspection.inspected_on)
    digest = hashlib.sha256(data).hexdigest()
    with transaction.atomic():
        inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
        _locked(inspection)
        existing = FindingPhoto.objects.filter(finding_id=finding.pk)
        if existing.filter(sha256=digest).exists():
            raise ValidationError(
                {"photos": _("照片“%(value)s”已上传过，无需重复上传") % {"value": name or digest[:12]}}
            )
        if existing.count() >= limits.photos_per_finding:
            raise ValidationError(
                {
                    "photos": _("项目 %(item_code)s 的照片已达上限 %(photos_per_finding)s 张")
                    % {"item_code": finding.item_code, "photos_per_finding": limits.photos_per_finding}
                }
            )
        # Content-addressed: the same bytes are stored once, whichever finding they document. A
        # file left by a rolled-back transaction is therefore harmless and reused by a retry.
        path = f"findings/{digest[:2]}/{digest}.{'jpg' if info.kind == 'jpeg' else info.kind}"
        if not default_storage.exists(path):
            path = default_storage.save(path, ContentFile(data))
        photo = FindingPhoto.objects.create(
            finding_id=finding.pk,
            region_id=inspection.region_id,
            file=path,
            sha256=digest,
            kind=info.kind,
            size=len(data),
            width=info.width,
            height=info.height,
            original_name=name,
            uploaded_by=actor,
        )
        audit_record(
            actor=actor,
            source=source,
            event=AuditEvent(
                action=AuditAction.CREATE,
                object_type=PHOTO_TYPE,
                object_id=str(photo.pk),
                object_repr=f"#{inspection.pk} {finding.item_code} 照片",
                region_code=inspection.region_id,
                after={
                    "inspection": inspection.pk,
                    "item_code": finding.item_code,
                    "sha256": digest,
                    "kind": info.kind,
                    "size": len(data),
                    "name": name,
                },
            ),
        )
    return photo


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
    _business_in_scope_or_404(actor, inspection.business)
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
            raise ValidationError({"signed_by": _("提交前须由被检查单位负责人签字")})
        failed = [i for i in checklist.items if inspection.answers.get(i.code) == rules.Answer.FAIL]
        findings = {f.item_code: f for f in inspection.findings.all()}
        missing = [i.code for i in failed if i.code not in findings]
        if missing:
            raise ValidationError(
                {"findings": _("不符合的项目须记录问题：%(value)s") % {"value": "、".join(missing)}}
            )
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
            raise ValidationError({"due": _("整改期限不能早于检查日期")})
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
        if failed:
            _findings_to_ledger(actor=actor, source=source, inspection=inspection, findings=findings)
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


# The ledger's origin of an inspection's findings (registry.BusinessEvent.origin_type).
LEDGER_ORIGIN = "inspections.inspection"


def _findings_to_ledger(
    *, actor: User | None, source: str, inspection: Inspection, findings: Mapping[str, Finding]
) -> None:
    """The problems an inspection found, as one entry of the business-event ledger (the register's,
    which risk grading and the credit file read), in the submission's transaction."""
    items = "；".join(f"{code} {f.description}" for code, f in sorted(findings.items()))
    note = f"检查发现问题 {len(findings)} 项（重点项目 {inspection.key_failed} 项）：{items}"
    registry_services.business_event_append(
        actor=actor,
        source=source,
        business=inspection.business,
        kind=BusinessEventKind.INSPECTION_FINDINGS,
        occurred_on=inspection.inspected_on,
        origin_type=LEDGER_ORIGIN,
        origin_id=str(inspection.pk),
        note=note if len(note) <= 200 else note[:199] + "…",
    )


def _findings_ledger_void(*, source: str, inspection: Inspection, reason: str) -> None:
    """The record no longer stands (a correction replaces it): its ledger entry is voided with the
    reason, never deleted; the correction writes its own entry when it is submitted. The voiding
    is the system's consequence of the correction (audited there with its actor), as for a sample
    overturned on re-test."""
    for event in BusinessEvent.objects.filter(
        kind=BusinessEventKind.INSPECTION_FINDINGS,
        origin_type=LEDGER_ORIGIN,
        origin_id=str(inspection.pk),
        voided_at__isnull=True,
    ):
        registry_services.business_event_void(actor=None, source=source, event=event, reason=reason)


def inspection_form_save(
    *,
    actor: User | None,
    source: str,
    inspection: Inspection,
    answers: Mapping[str, str],
    findings: Mapping[str, str],
    corrected_on_spot: Sequence[str] = (),
    signed_by: str = "",
    signature: str | None = None,
    photos: Mapping[str, Sequence[tuple[str, bytes]]] | None = None,
    submit: bool = False,
    rectification_due: dt.date | None = None,
    calendar: WorkingCalendar | None = None,
) -> Inspection:
    """One save of the tablet form, all or nothing: answers and findings, the signature, the new
    photos per item, and (when asked) submission. Any refusal leaves the record as it was."""
    photos = {code: list(files) for code, files in (photos or {}).items() if files}
    for files in photos.values():
        for name, data in files:
            finding_photo_check(inspection=inspection, data=data, name=name)
    with transaction.atomic():
        inspection = inspection_record_answers(
            actor=actor,
            source=source,
            inspection=inspection,
            answers=answers,
            findings=findings,
            corrected_on_spot=corrected_on_spot,
        )
        if signed_by.strip() and (signature or signed_by.strip() != inspection.signed_by):
            inspection = inspection_sign(
                actor=actor, source=source, inspection=inspection, signed_by=signed_by, signature=signature
            )
        if photos:
            by_item = {f.item_code: f for f in Finding.objects.filter(inspection=inspection)}
            missing = sorted(code for code in photos if code not in by_item)
            if missing:
                raise ValidationError(
                    {"photos": _("请先填写发现的问题，再上传照片：%(value)s") % {"value": "、".join(missing)}}
                )
            for code, files in sorted(photos.items()):
                for name, data in files:
                    finding_photo_add(actor=actor, source=source, finding=by_item[code], data=data, name=name)
        if submit:
            inspection = inspection_submit(
                actor=actor,
                source=source,
                inspection=inspection,
                calendar=calendar,
                rectification_due=rectification_due,
            )
    return inspection


def inspection_correct(*, actor: User | None, source: str, inspection: Inspection, reason: str) -> Inspection:
    """A submitted record is never changed: a correction is a new draft linked to it, carrying its
    answers, to be completed and submitted in its turn."""
    if actor is not None:
        require_cap(actor, Cap.INSPECTION_RECORD)
    _business_in_scope_or_404(actor, inspection.business)
    inspection = Inspection.objects.get(pk=inspection.pk)
    if inspection.status != InspectionStatus.SUBMITTED:
        raise ValidationError({"__all__": _("草稿可以直接修改，无需更正记录")})
    if Inspection.objects.filter(corrects=inspection).exists():
        raise ValidationError({"__all__": _("该记录已有更正记录")})
    if not reason.strip():
        raise ValidationError({"notes": _("请说明更正理由")})
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
        _findings_ledger_void(
            source=source,
            inspection=inspection,
            reason=f"检查记录已更正（更正记录 #{new.pk}）：{reason.strip()}"[:200],
        )
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


def _check_rectification_scope(actor: User | None, rectification: Rectification) -> None:
    if actor is not None:
        require_cap(actor, Cap.INSPECTION_RECORD)
        require_in_scope(actor, region=rectification.region_id)


def rectification_followup_create(
    *,
    actor: User | None,
    source: str,
    rectification: Rectification,
    inspected_on: dt.date,
    inspectors: Sequence[User],
) -> Inspection:
    """Open the follow-up inspection (复查) of a rectification order: a draft of kind follow-up,
    linked to the inspection that ordered it, made by `inspection_create` and so under its rules
    (at least two inspectors, 第二十三条; the higher-level window, 第四十二条). Every open order of
    that inspection without a pending follow-up is linked to it: one visit checks them all."""
    _check_rectification_scope(actor, rectification)
    with transaction.atomic():
        r = (
            Rectification.objects.select_for_update(of=("self",))
            .select_related("finding__inspection__business", "follow_up")
            .get(pk=rectification.pk)
        )
        if r.status != RectificationStatus.OPEN:
            raise ValidationError({"status": _("整改已办结，无需再复查")})
        if inspected_on < r.ordered_on:
            raise ValidationError(
                {
                    "inspected_on": _("复查日期 %(inspected_on)s 不能早于责令整改日期 %(ordered_on)s")
                    % {"inspected_on": inspected_on, "ordered_on": r.ordered_on}
                }
            )
        if r.follow_up is not None and r.follow_up.status == InspectionStatus.DRAFT:
            raise ValidationError(
                {
                    "__all__": _("该整改已有未提交的复查记录（#%(pk)s），请先完成该记录")
                    % {"pk": r.follow_up.pk}
                }
            )
        original = r.finding.inspection
        follow_up = inspection_create(
            actor=actor,
            source=source,
            business=original.business,
            inspected_on=inspected_on,
            inspectors=inspectors,
            kind=InspectionKind.FOLLOW_UP,
            level=original.level,
            follow_up_of=original,
        )
        orders = [
            o
            for o in Rectification.objects.select_for_update(of=("self",))
            .select_related("finding", "follow_up")
            .filter(finding__inspection=original, status=RectificationStatus.OPEN)
            if o.follow_up is None or o.follow_up.status != InspectionStatus.DRAFT
        ]
        for o in orders:
            o.follow_up = follow_up
        Rectification.objects.bulk_update(orders, ["follow_up"])
        audit_record_many(
            actor=actor,
            source=source,
            events=[
                AuditEvent(
                    action=AuditAction.UPDATE,
                    object_type=RECTIFICATION_TYPE,
                    object_id=str(o.pk),
                    object_repr=f"{o.finding.item_code} 复查",
                    region_code=o.region_id,
                    after={"follow_up": follow_up.pk, "inspected_on": inspected_on},
                )
                for o in orders
            ],
        )
    return follow_up


def rectification_close(
    *,
    actor: User | None,
    source: str,
    rectification: Rectification,
    closed_on: dt.date,
    follow_up: Inspection | None = None,
) -> Rectification:
    """Close a rectification order. With a follow-up inspection (given, or the one linked to the
    order) that inspection must be submitted and must not find the item still failing; its result
    is recorded with the closure."""
    _check_rectification_scope(actor, rectification)
    with transaction.atomic():
        r = (
            Rectification.objects.select_for_update(of=("self",))
            .select_related("finding__inspection", "follow_up")
            .get(pk=rectification.pk)
        )
        if (r.status, RectificationStatus.DONE) not in RECTIFICATION_TRANSITIONS:
            raise ValidationError({"status": _("整改已完成，不能重复办结")})
        if closed_on < r.ordered_on:
            raise ValidationError({"closed_on": _("办结日期不能早于整改通知日期")})
        follow_up = follow_up or r.follow_up
        item = r.finding.item_code
        if follow_up is not None:
            if follow_up.business_id != r.finding.inspection.business_id or (
                follow_up.follow_up_of_id not in (None, r.finding.inspection_id)
            ):
                raise ValidationError({"follow_up": _("复查记录与该整改不属于同一检查")})
            if follow_up.status != InspectionStatus.SUBMITTED:
                raise ValidationError(
                    {"follow_up": _("复查记录（#%(pk)s）尚未提交，提交后才能办结整改") % {"pk": follow_up.pk}}
                )
            if closed_on < follow_up.inspected_on:
                raise ValidationError({"closed_on": _("办结日期不能早于复查日期")})
            if follow_up.answers.get(item) == rules.Answer.FAIL:
                raise ValidationError(
                    {
                        "follow_up": _("复查时项目 %(item)s 仍不符合，不能办结；请重新责令整改或依法处理")
                        % {"item": item}
                    }
                )
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
                object_repr=f"{item} 办结",
                region_code=r.region_id,
                before=before,
                after={
                    **snapshot(r, ("status", "closed_on")),
                    "follow_up": follow_up.pk if follow_up else None,
                    "follow_up_result": follow_up.result if follow_up else "",
                    "follow_up_answer": follow_up.answers.get(item, "") if follow_up else "",
                },
            ),
        )
    return r


def rectification_extend(
    *,
    actor: User | None,
    source: str,
    rectification: Rectification,
    due: dt.date,
    reason: str,
    calendar: WorkingCalendar | None = None,
) -> Rectification:
    """Extend an open order's deadline to a later working day, with a reason (a date on a holiday
    or weekend is refused by check_deadline_is_workday)."""
    _check_rectification_scope(actor, rectification)
    calendar = calendar or WorkingCalendar()
    if not reason.strip():
        raise ValidationError({"reason": _("请说明延期理由")})
    check_deadline_is_workday(due=due, calendar=calendar)
    with transaction.atomic():
        r = (
            Rectification.objects.select_for_update(of=("self",))
            .select_related("finding")
            .get(pk=rectification.pk)
        )
        if r.status != RectificationStatus.OPEN:
            raise ValidationError({"status": _("整改已办结，不能延期")})
        if due <= r.due:
            raise ValidationError({"due": _("延期后的期限须晚于原期限 %(due)s") % {"due": r.due}})
        before = snapshot(r, ("due", "working_days"))
        r.due, r.working_days = due, calendar.working_days_between(r.ordered_on, due)
        r.save(update_fields=["due", "working_days"])
        audit_record(
            actor=actor,
            source=source,
            event=AuditEvent(
                action=AuditAction.UPDATE,
                object_type=RECTIFICATION_TYPE,
                object_id=str(r.pk),
                object_repr=f"{r.finding.item_code} 延期",
                region_code=r.region_id,
                before=before,
                after={**snapshot(r, ("due", "working_days")), "reason": reason.strip()},
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
        raise ValidationError(
            {"due": _("整改期限 %(due)s 不是工作日（节假日或休息日），请改为工作日") % {"due": due}}
        )
