"""Writes of sampling: create a sample, record its test results with their judgment, and move it
through its life. Each service: permission, one transaction, audit entry in it."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from shian.core.audit import AuditEvent, audit_record, snapshot
from shian.core.calendar import WorkingCalendar
from shian.core.models import AuditAction, AuditSource, Region, User
from shian.core.permissions import Cap, require_cap
from shian.core.scoping import require_in_scope

# Same layer; only the pure (Django-free) image and signature checks, never its models or services.
from shian.inspections import media
from shian.inspections import rules as inspection_rules
from shian.registry import services as registry_services
from shian.registry.models import Business, BusinessEvent, BusinessEventKind

from . import rules
from .models import (
    DisposalStatus,
    DisposalStep,
    DisposalStepKind,
    DisposalTask,
    Lab,
    LabMember,
    Sample,
    SampleDeadline,
    SamplePhoto,
    StatusChange,
    TestItem,
    Verdict,
)
from .selectors import sample_scope
from .workflow import DEADLINE_ON_ENTRY, TRANSITIONS, SampleStatus

OBJECT_TYPE = "sampling.sample"
RESULTS_OBJECT_TYPE = "sampling.results"
RESULT_AUDITED = (
    "item",
    "result",
    "verdict",
    "limit_text",
    "standard",
    "edition",
    "clause",
    "rule_id",
    "detection_limit",
    "declared",
)
# Deadlines met when the sample enters a status.
DEADLINE_MET_BY: dict[str, tuple[str, ...]] = {
    SampleStatus.DELIVERED: ("delivery",),
    SampleStatus.TESTED: ("lab_report",),
    SampleStatus.NOTIFIED: ("notify",),
    SampleStatus.RETEST: ("retest_application",),
    SampleStatus.CLOSED: ("disposal", "retest_acceptance"),
}


def _business_type(business: Any) -> str | None:
    return business.business_type if business is not None else None


@transaction.atomic
def sample_create(
    *,
    by: User,
    code: str,
    region: Region,
    food_name: str,
    category_path: str = "",
    sampled_on: dt.date | None = None,
    produced_on: dt.date | None = None,
    source: str = AuditSource.WEB,
    **extra: Any,
) -> Sample:
    require_cap(by, Cap.SAMPLING_MANAGE)
    # The sample's town and the business it is taken from must both be the officer's.
    require_in_scope(by, region=region.code, business_type=_business_type(extra.get("business")))
    business = extra.get("business")
    if business is not None:
        require_in_scope(by, region=business.region_id, business_type=business.business_type)
    sample = Sample(
        code=code,
        region=region,
        food_name=food_name,
        category_path=category_path,
        sampled_on=sampled_on,
        produced_on=produced_on,
        **extra,
    )
    sample.full_clean()
    sample.save()
    audit_record(
        actor=by,
        source=source,
        event=AuditEvent(
            AuditAction.CREATE, OBJECT_TYPE, str(sample.pk), str(sample), region.code, after=snapshot(sample)
        ),
    )
    return sample


@transaction.atomic
def sample_set_status(
    *,
    sample: Sample,
    status: str,
    by: User,
    on: dt.date,
    note: str = "",
    source: str = AuditSource.WEB,
    calendar: WorkingCalendar | None = None,
    audit_before: Mapping[str, Any] | None = None,
    audit_after: Mapping[str, Any] | None = None,
) -> Sample:
    """The one service that moves a sample: refuses a transition the table does not allow, records
    the change, closes the deadlines it meets and opens those it starts (counted in working days).
    A caller that wrote other fields with the change passes them in audit_before / audit_after, so
    the change is one audit entry."""
    if not Sample.objects.filter(sample_scope(by), pk=sample.pk).exists():
        raise Http404
    locked = Sample.objects.select_for_update().get(pk=sample.pk)
    if status not in TRANSITIONS.get(locked.status, frozenset()):
        raise ValidationError(
            _("A sample cannot go from “%(old)s” to “%(new)s”.")
            % {"old": SampleStatus(locked.status).label, "new": SampleStatus(status).label}
        )
    # Unqualified food closes only through a disposal task with every required step complete.
    if status == SampleStatus.CLOSED and locked.status == SampleStatus.DISPOSAL:
        task = DisposalTask.objects.filter(sample=locked, business__isnull=True).first()
        if task is None or disposal_missing_steps(task=task):
            raise ValidationError(_("The disposal cannot close before every required step is complete."))
    old = locked.status
    locked.status = status
    locked.status_changed_at = timezone.now()
    if status == SampleStatus.SAMPLED and locked.sampled_on is None:
        locked.sampled_on = on
    locked.save(update_fields=["status", "status_changed_at", "sampled_on"])
    StatusChange.objects.create(sample=locked, from_status=old, to_status=status, on=on, by=by, note=note)
    SampleDeadline.objects.filter(
        sample=locked, code__in=DEADLINE_MET_BY.get(status, ()), met_on__isnull=True
    ).update(met_on=on)
    codes = DEADLINE_ON_ENTRY.get(status, ())
    if codes:
        cal = calendar or WorkingCalendar()
        book = rules.deadline_rules_in_force(locked.sampled_on or on)
        for code in codes:
            rule = book[code]
            if rule.day_type == "working":
                d = cal.deadline(on, rule.days)
                due, provisional = d.due, d.provisional
            else:
                due, provisional = rules.due_date(rule, on, lambda s, n: s), False
            SampleDeadline.objects.update_or_create(
                sample=locked,
                code=code,
                defaults={
                    "name": rule.name,
                    "article": rule.article,
                    "start": on,
                    "due": due,
                    "provisional": provisional,
                    "met_on": None,
                },
            )
    audit_record(
        actor=by,
        source=source,
        event=AuditEvent(
            AuditAction.UPDATE,
            OBJECT_TYPE,
            str(locked.pk),
            str(locked),
            locked.region_id,
            before={**(audit_before or {}), "status": old},
            after={**(audit_after or {}), "status": status, "on": on.isoformat(), "note": note},
        ),
    )
    if status == SampleStatus.CLOSED and old in (SampleStatus.RETEST, SampleStatus.OBJECTION):
        # Closed from a re-test or an objection without disposal: the finding did not stand.
        _sample_ledger_void(
            sample=locked, source=source, reason=f"样品{locked.code}经复检或异议不再认定不合格"
        )
    return locked


@transaction.atomic
def sample_results_record(
    *,
    sample: Sample,
    results: Sequence[tuple[str, str]],
    by: User,
    on: dt.date,
    source: str = AuditSource.WEB,
    book: rules.LimitBook | None = None,
    detection_limits: Mapping[str, str] | None = None,
    declared_values: Mapping[str, str] | None = None,
) -> list[TestItem]:
    """Record a lab's results (item, result) and judge each against the limit in force on the
    production date (else the sampling date); the sample moves to tested and then to its verdict.
    The one write path of results: the results page, the file import and the API call it."""
    require_cap(by, Cap.SAMPLING_RESULTS)
    if not Sample.objects.filter(sample_scope(by), pk=sample.pk).exists():
        raise Http404
    detection_limits = detection_limits or {}
    declared_values = declared_values or {}
    book = book or rules.default_limit_book()
    when = sample.produced_on or sample.sampled_on or on
    previous = {
        i.item: snapshot(i, RESULT_AUDITED) for i in sample.items.filter(item__in=[r[0] for r in results])
    }
    items = []
    for item, result in results:
        j = rules.judge(
            book=book,
            item=item,
            result=result,
            food=sample.food_name,
            category=sample.category_path,
            on=when,
            detection_limit=detection_limits.get(item, ""),
            declared=declared_values.get(item, ""),
        )
        obj, _created = TestItem.objects.update_or_create(
            sample=sample,
            item=item,
            defaults={
                "region_id": sample.region_id,
                "result": result,
                "verdict": j.verdict,
                "reason": j.reason[:300],
                "limit_text": j.limit_text,
                "standard": j.standard,
                "edition": j.edition,
                "clause": j.clause[:200],
                "rule_id": j.rule_id,
                "detection_limit": detection_limits.get(item, "")[:40],
                "declared": declared_values.get(item, "")[:40],
            },
        )
        items.append(obj)
    conclusion = rules.sample_conclusion(i.verdict for i in sample.items.all())
    # The lab's results are evidence of their own: each item's value, verdict, limit and the
    # edition it was judged by, in one entry with the sample's conclusion (and what it replaced).
    audit_record(
        actor=by,
        source=source,
        event=AuditEvent(
            AuditAction.UPDATE if previous else AuditAction.CREATE,
            RESULTS_OBJECT_TYPE,
            str(sample.pk),
            f"{sample.code} {sample.food_name}"[:200],
            sample.region_id,
            before={"test_items": list(previous.values())} if previous else None,
            after={
                # Not "items": a template reading entry.after.items would get this list.
                "test_items": [snapshot(i, RESULT_AUDITED) for i in items],
                "conclusion": conclusion,
                "judged_on": when,
            },
        ),
    )
    sample_set_status(sample=sample, status=SampleStatus.TESTED, by=by, on=on, source=source)
    Sample.objects.filter(pk=sample.pk).update(conclusion=conclusion)
    if conclusion != Verdict.UNDETERMINED:
        nxt = (
            SampleStatus.JUDGED_UNQUALIFIED
            if conclusion == Verdict.UNQUALIFIED
            else SampleStatus.JUDGED_QUALIFIED
        )
        sample_set_status(
            sample=sample, status=nxt, by=by, on=on, source=source, note=_("judged automatically")
        )
    _sample_ledger(sample=sample, conclusion=conclusion, by=by, on=on, source=source)
    sample.refresh_from_db()
    return items


SAMPLE_ORIGIN = "sampling.sample"


def _sample_ledger(*, sample: Sample, conclusion: str, by: User, on: dt.date, source: str) -> None:
    """The business-event ledger (register layer) learns of an unqualified sample on judgment, so
    the risk grade reflects it at the next regrade (2016 办法 第十九条: a failed supervisory sample
    raises the grade). A sample closed after a re-test or an objection (the finding did not stand,
    an objection upheld) voids the entry with its reason. Idempotent: one entry per sample."""
    if not sample.business_id:
        return  # a sample from an unregistered seller: nothing in the register to mark
    business = Business.objects.get(pk=sample.business_id)
    if conclusion == Verdict.UNQUALIFIED:
        failed = ", ".join(
            sample.items.filter(verdict=Verdict.UNQUALIFIED).order_by("item").values_list("item", flat=True)
        )
        registry_services.business_event_append(
            actor=by,
            source=source,
            business=business,
            kind=BusinessEventKind.FAILED_SAMPLE,
            occurred_on=on,
            origin_type=SAMPLE_ORIGIN,
            origin_id=str(sample.pk),
            note=f"抽检不合格：{sample.code} {sample.food_name}（{failed}）"[:200],
        )


def _sample_ledger_void(*, sample: Sample, source: str, reason: str) -> None:
    """A finding that did not stand: its ledger entry is voided with the reason (never deleted)."""
    for event in BusinessEvent.objects.filter(
        kind=BusinessEventKind.FAILED_SAMPLE,
        origin_type=SAMPLE_ORIGIN,
        origin_id=str(sample.pk),
        voided_at__isnull=True,
    ):
        registry_services.business_event_void(actor=None, source=source, event=event, reason=reason)


# -- labs ------------------------------------------------------------------------------------------


@transaction.atomic
def lab_create(*, by: User, name: str, cma_number: str, source: str = AuditSource.WEB) -> Lab:
    require_cap(by, Cap.SAMPLING_MANAGE)
    lab = Lab(name=name, cma_number=cma_number)
    lab.full_clean()
    lab.save()
    audit_record(
        actor=by,
        source=source,
        event=AuditEvent(AuditAction.CREATE, "sampling.lab", str(lab.pk), str(lab), after=snapshot(lab)),
    )
    return lab


@transaction.atomic
def lab_member_set(*, by: User, user: User, lab: Lab, source: str = AuditSource.WEB) -> LabMember:
    """Link a lab user to its lab (one lab per user)."""
    require_cap(by, Cap.USERS_MANAGE)
    if user.role != "lab":
        raise ValidationError(_("Only a user with the role lab can belong to a lab."))
    member, _created = LabMember.objects.update_or_create(user=user, defaults={"lab": lab})
    audit_record(
        actor=by,
        source=source,
        event=AuditEvent(
            AuditAction.UPDATE, "sampling.lab_member", str(member.pk), str(member), after={"lab": lab.pk}
        ),
    )
    return member


# -- disposal (核查处置) -----------------------------------------------------------------------------

DISPOSAL_OBJECT_TYPE = "sampling.disposal"


def disposal_missing_steps(*, task: DisposalTask) -> list[str]:
    """The required steps not yet complete (a closed task has none)."""
    return [s.kind for s in task.steps.all() if s.required and not s.complete]


@transaction.atomic
def disposal_task_open(
    *,
    sample: Sample,
    by: User,
    on: dt.date,
    source: str = AuditSource.WEB,
    business: Business | None = None,
) -> DisposalTask:
    """Open the disposal of a notified unqualified sample for the business's town, with every step
    required, due on the disposal deadline (data/deadlines.toml).

    With `business`, open the task of another business the sample's lot reached (a recall,
    shian.trace): it goes to that business's town and leaves the sample's own status alone."""
    require_cap(by, Cap.SAMPLING_MANAGE)
    if not Sample.objects.filter(sample_scope(by), pk=sample.pk).exists():
        raise Http404
    if business is not None:
        if sample.conclusion != Verdict.UNQUALIFIED:
            raise ValidationError(_("Only an unqualified sample's lot is recalled."))
        region_id = business.region_id
        target: Business | None = business
    else:
        region_id = sample.business.region_id if sample.business_id and sample.business else sample.region_id
        target = sample.business
    # The task goes to the business's town: it must be the officer's too.
    require_in_scope(by, region=region_id, business_type=_business_type(target))
    if business is None:
        sample = sample_set_status(sample=sample, status=SampleStatus.DISPOSAL, by=by, on=on, source=source)
    deadline = SampleDeadline.objects.filter(sample=sample, code="disposal").first()
    if deadline is not None:
        due = deadline.due
    else:
        rule = rules.deadline_rules_in_force(sample.sampled_on or on)["disposal"]
        due = rules.due_date(rule, on, lambda s, n: WorkingCalendar().deadline(s, n).due)
    task = DisposalTask(sample=sample, business=business, region_id=region_id, opened_on=on, due=due)
    task.full_clean()
    task.save()
    DisposalStep.objects.bulk_create([DisposalStep(task=task, kind=k) for k in DisposalStepKind.values])
    audit_record(
        actor=by,
        source=source,
        event=AuditEvent(
            AuditAction.CREATE, DISPOSAL_OBJECT_TYPE, str(task.pk), str(task), region_id, after=snapshot(task)
        ),
    )
    return task


@transaction.atomic
def disposal_step_record(
    *,
    task: DisposalTask,
    kind: str,
    by: User,
    done_on: dt.date | None,
    note: str,
    evidence: Any = None,
    not_applicable: bool = False,
    source: str = AuditSource.WEB,
) -> DisposalStep:
    """Record one step with its evidence file and note, or mark it not applicable with the reason."""
    require_cap(by, Cap.SAMPLING_MANAGE)
    require_in_scope(by, region=task.region_id, business_type=_business_type(task.sample.business))
    if task.status != DisposalStatus.OPEN:
        raise ValidationError(_("This disposal is closed."))
    step = DisposalStep.objects.select_for_update().get(task=task, kind=kind)
    if not note.strip():
        raise ValidationError({"note": _("Write what was done, or why the step does not apply.")})
    if not not_applicable:
        if done_on is None:
            raise ValidationError({"done_on": _("Give the date the step was done.")})
        if evidence is None and not step.evidence:
            raise ValidationError({"evidence": _("Attach the evidence of this step.")})
    before = {"done_on": step.done_on, "note": step.note, "not_applicable": step.not_applicable}
    step.done_on, step.note, step.not_applicable, step.done_by = done_on, note.strip(), not_applicable, by
    if evidence is not None:
        step.evidence = evidence
    step.save()
    audit_record(
        actor=by,
        source=source,
        event=AuditEvent(
            AuditAction.UPDATE,
            DISPOSAL_OBJECT_TYPE,
            str(task.pk),
            f"{task} {kind}",
            task.region_id,
            before=before,
            after={
                "step": kind,
                "done_on": done_on,
                "note": step.note,
                "not_applicable": not_applicable,
                "evidence": step.evidence.name if step.evidence else "",
            },
        ),
    )
    return step


@transaction.atomic
def disposal_task_close(
    *, task: DisposalTask, by: User, on: dt.date, source: str = AuditSource.WEB
) -> DisposalTask:
    """Close the task when every required step is complete; the sample closes with it."""
    require_cap(by, Cap.SAMPLING_MANAGE)
    require_in_scope(by, region=task.region_id, business_type=_business_type(task.sample.business))
    task = DisposalTask.objects.select_for_update().get(pk=task.pk)
    if task.status != DisposalStatus.OPEN:
        raise ValidationError(_("This disposal is closed."))
    missing = disposal_missing_steps(task=task)
    if missing:
        raise ValidationError(
            _("The disposal cannot close: these steps are not complete: %(steps)s.")
            % {"steps": "、".join(str(DisposalStepKind(k).label) for k in missing)}
        )
    if task.business_id is None:  # a recall's task at another business leaves the sample as it is
        sample_set_status(
            sample=task.sample,
            status=SampleStatus.CLOSED,
            by=by,
            on=on,
            source=source,
            note=_("disposal complete"),
        )
    task.status, task.closed_on = DisposalStatus.CLOSED, on
    task.save(update_fields=["status", "closed_on"])
    audit_record(
        actor=by,
        source=source,
        event=AuditEvent(
            AuditAction.UPDATE,
            DISPOSAL_OBJECT_TYPE,
            str(task.pk),
            str(task),
            task.region_id,
            before={"status": DisposalStatus.OPEN},
            after={"status": DisposalStatus.CLOSED, "closed_on": on},
        ),
    )
    return task


# -- on-site sampling (现场抽样) ----------------------------------------------------------------------


def _on_site_error(field: str, message: str) -> ValidationError:
    return ValidationError({field: message})


def _check_on_site_media(
    signature: str, photos: Sequence[tuple[str, bytes]], today: dt.date
) -> tuple[bytes, list[tuple[str, bytes, str, str]]]:
    """The drawn signature (a PNG data URL, not blank) and each photo (JPEG, PNG or WebP by its
    content, within the size and pixel limits), with the inspections' pure checks. Returns the
    signature's PNG and the photos as (name, bytes, kind, sha256); nothing is written."""
    limits = inspection_rules.media_limits_in_force(today)
    try:
        png = inspection_rules.decode_signature(signature, limits)
        if media.signature_ink_pixels(png, limits=limits) < limits.signature_min_ink_pixels:
            raise inspection_rules.InspectionRuleError(_("签名为空白，请被抽样单位签字人在签名框内手写签名"))
    except inspection_rules.InspectionRuleError as exc:
        raise _on_site_error("signature", str(exc)) from None
    if len(photos) > limits.photos_per_finding:
        raise _on_site_error("photos", f"照片最多 {limits.photos_per_finding} 张")
    checked: list[tuple[str, bytes, str, str]] = []
    seen: set[str] = set()
    for name, data in photos:
        name = os.path.basename(name.replace("\\", "/"))[:200]
        try:
            info = media.inspect_photo(data=data, name=name, limits=limits)
        except inspection_rules.InspectionRuleError as exc:
            raise _on_site_error("photos", str(exc)) from None
        digest = hashlib.sha256(data).hexdigest()
        if digest not in seen:  # the same picture chosen twice is one piece of evidence
            seen.add(digest)
            checked.append((name, data, info.kind, digest))
    return png, checked


def sample_record_on_site(
    *,
    actor: User,
    source: str = AuditSource.WEB,
    sample: Sample,
    batch: str,
    produced_on: dt.date | None,
    sampled_on: dt.date | None,
    quantity: Decimal | None,
    quantity_unit: str,
    backup_quantity: Decimal | None,
    backup_kept_by: str,
    manufacturer: str,
    specification: str,
    signed_by: str,
    signature: str,
    photos: Sequence[tuple[str, bytes]] = (),
    today: dt.date | None = None,
) -> Sample:
    """Record the sampling on site (抽样单) of a sample task and move it to "sampled" through
    sample_set_status, so the delivery deadline opens as for any sample. 《食品安全抽样检验管理办法》
    第十六条 (quantity for test and re-test), 第十八条 (backup sample sealed, business signs),
    第十九条 (the form, photos of the sample's state). Only a task is recorded; once sampled the
    record is locked. Every check runs before anything is written: on any error nothing changes
    and no file is stored."""
    require_cap(actor, Cap.SAMPLING_MANAGE)
    if not Sample.objects.filter(sample_scope(actor), pk=sample.pk).exists():
        raise Http404
    today = today or timezone.localdate()
    batch, quantity_unit = batch.strip(), quantity_unit.strip()
    backup_kept_by, manufacturer = backup_kept_by.strip(), manufacturer.strip()
    specification, signed_by = specification.strip(), signed_by.strip()
    if sample.status != SampleStatus.TASK:
        raise ValidationError(
            _("样品 %(code)s 已是“%(label)s”，现场抽样记录已锁定，不能再次填写")
            % {"code": sample.code, "label": SampleStatus(sample.status).label}
        )
    problems = rules.on_site_problems(
        quantity=quantity,
        quantity_unit=quantity_unit,
        backup_quantity=backup_quantity,
        sampled_on=sampled_on,
        produced_on=produced_on,
        today=today,
        signed_by=signed_by,
    )
    if problems:
        raise ValidationError(problems)
    if sampled_on is None:  # on_site_problems names it; this narrows the type
        raise ValidationError({"sampled_on": _("请填写抽样日期")})
    png, checked = _check_on_site_media(signature, photos, today)
    with transaction.atomic():
        locked = Sample.objects.select_for_update().get(pk=sample.pk)
        if locked.status != SampleStatus.TASK:
            raise ValidationError(
                _("样品 %(code)s 的现场抽样记录已锁定，不能再次填写") % {"code": locked.code}
            )
        before = snapshot(locked, ON_SITE_FIELDS)
        locked.batch, locked.produced_on, locked.sampled_on = batch, produced_on, sampled_on
        locked.quantity, locked.quantity_unit = quantity, quantity_unit
        locked.backup_quantity, locked.backup_kept_by = backup_quantity, backup_kept_by
        locked.manufacturer, locked.specification = manufacturer, specification
        locked.signed_by, locked.signature, locked.signed_at = signed_by, signature, timezone.now()
        locked.full_clean()
        locked.save(update_fields=[*ON_SITE_FIELDS, "signature"])
        stored = []
        for name, data, kind, digest in checked:
            # Content-addressed: a file left by a rolled-back transaction is harmless and reused.
            path = f"samples/{digest}.{'jpg' if kind == 'jpeg' else kind}"
            if not default_storage.exists(path):
                path = default_storage.save(path, ContentFile(data))
            SamplePhoto.objects.create(
                sample=locked, file=path, sha256=digest, kind=kind, original_name=name, uploaded_by=actor
            )
            stored.append(digest)
        # One audit entry: the status change carries the record (the signature image stays on the
        # sample; the chain keeps its fingerprint).
        return sample_set_status(
            sample=locked,
            status=SampleStatus.SAMPLED,
            by=actor,
            on=sampled_on,
            source=source,
            note="现场抽样",
            audit_before=before,
            audit_after={
                **snapshot(locked, ON_SITE_FIELDS),
                "signature_sha256": hashlib.sha256(png).hexdigest(),
                "photos_sha256": stored,
            },
        )


ON_SITE_FIELDS = (
    "batch",
    "produced_on",
    "sampled_on",
    "quantity",
    "quantity_unit",
    "backup_quantity",
    "backup_kept_by",
    "manufacturer",
    "specification",
    "signed_by",
    "signed_at",
)


def on_site_photo_max_bytes() -> int:
    """The photo size limit in force today (a page reads no more than this from an upload)."""
    return inspection_rules.media_limits_in_force(timezone.localdate()).photo_max_bytes
