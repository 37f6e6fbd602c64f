"""Writes of sampling: create a sample, record its test results with their judgment, and move it
through its life. Each service: permission, one transaction, audit entry in it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shian.core.audit import AuditEvent, audit_record, snapshot
from shian.core.calendar import WorkingCalendar
from shian.core.models import AuditAction, AuditSource, Region, User
from shian.core.permissions import Cap, require_cap
from shian.core.scoping import scope_for

from . import rules
from .models import Sample, SampleDeadline, StatusChange, TestItem, Verdict
from .workflow import DEADLINE_ON_ENTRY, TRANSITIONS, SampleStatus

OBJECT_TYPE = "sampling.sample"
# Deadlines met when the sample enters a status.
DEADLINE_MET_BY: dict[str, tuple[str, ...]] = {
    SampleStatus.DELIVERED: ("delivery",),
    SampleStatus.TESTED: ("lab_report",),
    SampleStatus.NOTIFIED: ("notify",),
    SampleStatus.RETEST: ("retest_application",),
    SampleStatus.CLOSED: ("disposal", "retest_acceptance"),
}


def _check_scope(user: User, region_code: str) -> None:
    if not scope_for(user).allows_region(region_code):
        raise PermissionDenied(_("This town is outside your area."))


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
    _check_scope(by, region.code)
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
) -> Sample:
    """The one service that moves a sample: refuses a transition the table does not allow, records
    the change, closes the deadlines it meets and opens those it starts (counted in working days)."""
    locked = Sample.objects.select_for_update().get(pk=sample.pk)
    if status not in TRANSITIONS.get(locked.status, frozenset()):
        raise ValidationError(
            _("A sample cannot go from “%(old)s” to “%(new)s”.")
            % {"old": SampleStatus(locked.status).label, "new": SampleStatus(status).label}
        )
    # Disposal tasks with evidence are not built yet: until then closing a disposal needs a note.
    if status == SampleStatus.CLOSED and locked.status == SampleStatus.DISPOSAL and not note:
        raise ValidationError(_("Closing a disposal needs a note of what was done."))
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
            before={"status": old},
            after={"status": status, "on": on.isoformat(), "note": note},
        ),
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
) -> list[TestItem]:
    """Record a lab's results (item, result) and judge each against the limit in force on the
    production date (else the sampling date); the sample moves to tested and then to its verdict."""
    require_cap(by, Cap.SAMPLING_RESULTS)
    book = book or rules.default_limit_book()
    when = sample.produced_on or sample.sampled_on or on
    items = []
    for item, result in results:
        j = rules.judge(
            book=book, item=item, result=result, food=sample.food_name, category=sample.category_path, on=when
        )
        obj, _created = TestItem.objects.update_or_create(
            sample=sample,
            item=item,
            defaults={
                "result": result,
                "verdict": j.verdict,
                "reason": j.reason[:300],
                "limit_text": j.limit_text,
                "standard": j.standard,
                "edition": j.edition,
                "clause": j.clause[:200],
                "rule_id": j.rule_id,
            },
        )
        items.append(obj)
    conclusion = rules.sample_conclusion(i.verdict for i in sample.items.all())
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
    sample.refresh_from_db()
    return items
