"""Writes of complaints and reports: filing (public page, staff entry, the 12315 import), taking,
routing, every status change through the transition table with its clocks, and the reward of a
report found true. One transaction each, audited with the person's identity masked (第三十三条: not
even the audit trail's readers see it)."""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shian.core.audit import audit_record, model_event
from shian.core.calendar import WorkingCalendar
from shian.core.models import AuditAction, Region, RegionLevel, User
from shian.core.permissions import PublicCap, require_cap
from shian.core.scoping import require_in_scope
from shian.registry.models import Business, BusinessEventKind
from shian.registry.services import business_event_append

from . import rules
from .models import Complaint, ComplaintClock, ComplaintKind, ComplaintStep
from .workflow import (
    CLOCKS_ENDED_BY,
    EVENT_ON_ENTRY,
    NOTICE_CLOCKS,
    ComplaintStatus,
    can_transition,
)

S = ComplaintStatus
# Unambiguous letters and digits (no 0/O, 1/I) for a code read out over the phone.
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def new_code(kind: str) -> str:
    prefix = "TS" if kind == ComplaintKind.COMPLAINT else "JB"
    while True:
        code = prefix + "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))
        if not Complaint.objects.filter(code=code).exists():
            return code


def audit_state(c: Complaint) -> dict[str, Any]:
    """The record as the audit trail keeps it: identity masked."""
    return {
        "kind": c.kind,
        "code": c.code,
        "status": c.status,
        "channel": c.channel,
        "received_on": c.received_on,
        "region": c.region_id,
        "business": c.business_id,
        "business_name": c.business_name,
        "person_name": rules.mask_name(c.person_name),
        "person_phone": rules.mask_phone(c.person_phone),
        "handler": c.handler_id,
        "outcome_ground": c.outcome_ground,
        "case_number": c.case_number,
        "upheld": c.upheld,
        "reward_amount": c.reward_amount,
        "closed_on": c.closed_on,
    }


def _towns() -> dict[str, str]:
    return dict(Region.objects.exclude(level=RegionLevel.DISTRICT).values_list("code", "name"))


def _start_clocks(c: Complaint, event: str, on: dt.date, cal: WorkingCalendar) -> None:
    edition = rules.clock_edition_in_force(c.received_on)
    for clock in edition.starting(c.kind, event):
        if clock.code == "report_reply" and not c.real_name:
            continue  # 第三十一条第二款: only a real-name reporter is told
        deadline = cal.deadline(on, clock.days) if clock.day_type == "working" else None
        due = deadline.due if deadline else rules.due_date(clock, on, lambda s, n: s)
        ComplaintClock.objects.update_or_create(
            complaint=c,
            code=clock.code,
            defaults={
                "name": clock.name,
                "article": clock.article,
                "verification": clock.verification,
                "started_on": on,
                "due_on": due,
                "provisional": bool(deadline and deadline.provisional),
                "done_on": None,
            },
        )


def _end_clocks(c: Complaint, codes: tuple[str, ...], on: dt.date) -> None:
    ComplaintClock.objects.filter(complaint=c, code__in=codes, done_on__isnull=True).update(done_on=on)


def complaint_file(
    *,
    actor: User | None,
    source: str,
    kind: str,
    channel: str,
    received_on: dt.date,
    business_name: str,
    facts: str,
    business: Business | None = None,
    region_code: str = "",
    business_address: str = "",
    request: str = "",
    person_name: str = "",
    person_phone: str = "",
    person_address: str = "",
    person_id_number: str = "",
    real_name: bool = True,
    known_on: dt.date | None = None,
    external_ref: str = "",
    today: dt.date | None = None,
) -> Complaint:
    """File a complaint or report, routed to the business's town (or, for unlicensed premises, the
    town the officer names or the address names), with its first clocks started. `actor` is None
    for the public page. Staff file only in their own scope."""
    if actor is not None:
        require_cap(actor, PublicCap.HANDLE)
    errors: dict[str, str] = {}
    if kind not in ComplaintKind.values:
        errors["kind"] = "类别应为投诉或举报"
    if today is not None and received_on > today:
        errors["received_on"] = f"收到日期 {received_on} 晚于今天"
    if kind == ComplaintKind.REPORT and not real_name:
        person_name = person_phone = person_address = person_id_number = ""
    if kind == ComplaintKind.COMPLAINT:
        real_name = True  # 第九条: a complaint names its complainant
    missing = rules.materials_missing(
        kind=kind,
        name=person_name,
        phone=person_phone,
        address=person_address,
        business_name=business.name if business else business_name,
        facts=facts if kind == ComplaintKind.REPORT else (facts + request),
    )
    if missing and kind == ComplaintKind.REPORT:
        errors["facts"] = "举报应提供：" + "、".join(missing)
    elif missing and actor is None:
        errors["person_name"] = "投诉应提供（第九条第一款）：" + "、".join(missing)
    # A complaint missing materials taken by staff is still filed: the acceptance decision refuses it
    # under 第十五条第（五）项, within the 7-working-day clock, with the reason told.
    if business is not None:
        region = business.region_id
        business_name = business.name
        business_address = business_address or business.address
    else:
        region = region_code or rules.town_from_address(business_address, _towns()) or ""
        if not region:
            errors["region_code"] = "无法从地址确定所在镇街，请选择承办镇街"
        elif not Region.objects.filter(pk=region).exclude(level=RegionLevel.DISTRICT).exists():
            errors["region_code"] = f"镇街代码 {region} 不存在"
    if external_ref.strip() and Complaint.objects.filter(external_ref=external_ref.strip()).exists():
        errors["external_ref"] = f"12315编号 {external_ref.strip()} 已登记过"
    try:
        edition = rules.clock_edition_in_force(received_on)
    except LookupError as exc:
        errors["received_on"] = str(exc)
    if errors:
        raise ValidationError(errors)
    if actor is not None:
        require_in_scope(actor, region=region, business_type=business.business_type if business else None)
    with transaction.atomic():
        c = Complaint(
            kind=kind,
            code=new_code(kind),
            external_ref=external_ref.strip(),
            channel=channel,
            received_on=received_on,
            region_id=region,
            business=business,
            business_name=business_name.strip()[:200],
            business_address=business_address.strip()[:200],
            facts=facts.strip(),
            request=request.strip()[:500],
            person_name=person_name.strip()[:50],
            person_phone=person_phone.strip()[:20],
            person_address=person_address.strip()[:200],
            person_id_number=person_id_number.strip()[:20],
            real_name=real_name,
            known_on=known_on,
            rule_edition=edition.id,
            created_by=actor,
        )
        # Field checks here; the named constraints are checked above and enforced by the database.
        c.full_clean(validate_constraints=False)
        c.save()
        cal = WorkingCalendar()
        _start_clocks(c, "received", received_on, cal)
        ComplaintStep.objects.create(complaint=c, status=S.RECEIVED, on=received_on, by=actor)
        audit_record(
            actor=actor,
            source=source,
            event=model_event(AuditAction.CREATE, c, after=audit_state(c), region=region),
        )
    return c


def _require_handle(actor: User, c: Complaint) -> None:
    require_in_scope(
        actor, region=c.region_id, business_type=c.business.business_type if c.business else None
    )
    require_cap(actor, PublicCap.HANDLE)


def complaint_take(*, actor: User, complaint: Complaint, source: str) -> Complaint:
    """The officer becomes its handler (the one person who sees the identity)."""
    _require_handle(actor, complaint)
    if complaint.status == S.CLOSED:
        raise ValidationError({"status": _("已办结的投诉举报不能再承办")})
    with transaction.atomic():
        before = audit_state(complaint)
        complaint.handler = actor
        complaint.save(update_fields=["handler"])
        audit_record(
            actor=actor,
            source=source,
            event=model_event(
                AuditAction.UPDATE,
                complaint,
                before=before,
                after=audit_state(complaint),
                region=complaint.region_id,
            ),
        )
    return complaint


def complaint_route(
    *, actor: User, complaint: Complaint, region_code: str, note: str, source: str
) -> Complaint:
    """Send it to another town (第三十七条: 分送有处理权限的机构). District staff only."""
    require_in_scope(actor, region=complaint.region_id)
    require_cap(actor, PublicCap.ROUTE)
    if complaint.status == S.CLOSED:
        raise ValidationError({"region_code": _("已办结的投诉举报不能改派")})
    if not Region.objects.filter(pk=region_code).exclude(level=RegionLevel.DISTRICT).exists():
        raise ValidationError(
            {"region_code": _("镇街代码 %(region_code)s 不存在") % {"region_code": region_code}}
        )
    if complaint.business_id and complaint.business and complaint.business.region_id != region_code:
        raise ValidationError({"region_code": _("登记在册的经营者由其所在镇街承办")})
    with transaction.atomic():
        before = audit_state(complaint)
        complaint.region_id = region_code
        complaint.handler = None
        complaint.save(update_fields=["region", "handler"])
        ComplaintStep.objects.create(
            complaint=complaint,
            status=complaint.status,
            on=timezone.localdate(),
            note=f"改派：{note}"[:500],
            by=actor,
        )
        audit_record(
            actor=actor,
            source=source,
            event=model_event(
                AuditAction.UPDATE, complaint, before=before, after=audit_state(complaint), region=region_code
            ),
        )
    return complaint


def complaint_transition(
    *,
    actor: User,
    complaint: Complaint,
    to: str,
    on: dt.date,
    source: str,
    note: str = "",
    ground: str = "",
    case_number: str = "",
    upheld: bool | None = None,
    today: dt.date | None = None,
) -> Complaint:
    """Move a complaint or report to `to` through its transition table, ending the clocks that act
    ends and starting those it starts; an upheld one enters the business-event ledger."""
    _require_handle(actor, complaint)
    c = complaint
    errors: dict[str, str] = {}
    if not can_transition(c.kind, c.status, to):
        label = dict(ComplaintStatus.choices)
        errors["to"] = f"不能从“{label.get(c.status, c.status)}”转为“{label.get(to, to)}”"
    last = c.steps.order_by("-on").values_list("on", flat=True).first() or c.received_on
    if on < last:
        errors["on"] = f"日期 {on} 早于上一步（{last}）"
    if today is not None and on > today:
        errors["on"] = f"日期 {on} 晚于今天"
    if (
        to == S.NOT_ACCEPTED
        and c.kind == ComplaintKind.COMPLAINT
        and ground not in rules.NOT_ACCEPTED_GROUNDS
    ):
        errors["ground"] = "不予受理应选择第十五条规定的情形"
    if to == S.MEDIATION_ENDED and ground not in rules.MEDIATION_END_GROUNDS:
        errors["ground"] = "终止调解应选择第二十一条规定的情形"
    if to == S.CASE_OPENED and not case_number.strip():
        errors["case_number"] = "立案应填写立案编号"
    if to in (S.NOT_ACCEPTED, S.NOT_OPENED) and not note.strip() and not ground:
        errors["note"] = "请写明理由"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        before = audit_state(c)
        c.status = to
        if ground:
            c.outcome_ground = ground
        if note:
            c.outcome_note = note.strip()[:500]
        if case_number:
            c.case_number = case_number.strip()[:60]
        if to == S.CASE_OPENED:
            c.upheld = True
        elif to == S.MEDIATED:
            c.upheld = True if upheld is None else upheld
        if to == S.CLOSED:
            c.closed_on = on
        if c.handler_id is None:
            c.handler = actor
        c.save()
        _end_clocks(c, CLOCKS_ENDED_BY.get(to, ()), on)
        if to == S.CLOSED:
            _end_clocks(c, NOTICE_CLOCKS, on)
        event = EVENT_ON_ENTRY.get(to)
        if event:
            _start_clocks(c, event, on, WorkingCalendar())
        ComplaintStep.objects.create(complaint=c, status=to, on=on, note=note.strip()[:500], by=actor)
        if c.upheld and c.business_id and to in (S.CASE_OPENED, S.MEDIATED):
            business_event_append(
                actor=actor,
                source=source,
                business=c.business,  # type: ignore[arg-type]  # business_id checked above
                kind=BusinessEventKind.COMPLAINT_UPHELD,
                occurred_on=on,
                origin_type="complaints.complaint",
                origin_id=str(c.pk),
                note=f"{c.get_kind_display()} {c.code} 查证属实"[:200],
            )
        audit_record(
            actor=actor,
            source=source,
            event=model_event(AuditAction.UPDATE, c, before=before, after=audit_state(c), region=c.region_id),
        )
    return c


def complaint_reward_record(*, actor: User, complaint: Complaint, amount: Decimal, source: str) -> Complaint:
    """A reward to the reporter of a report found true (食品安全法第一百一十五条第一款: 对查证属实的举报，
    给予举报人奖励). The amount follows the bureau's reward rules, which the platform does not compute
    (《市场监管领域重大违法行为举报奖励暂行办法》 not read in an official text here)."""
    _require_handle(actor, complaint)
    if complaint.kind != ComplaintKind.REPORT:
        raise ValidationError({"amount": _("只有举报可以奖励")})
    if not complaint.upheld:
        raise ValidationError({"amount": _("只奖励查证属实（已立案）的举报")})
    if not complaint.real_name:
        raise ValidationError({"amount": _("匿名举报无法兑付奖励")})
    if amount <= 0 or amount > Decimal("1000000"):
        raise ValidationError({"amount": _("奖励金额应在 0 到 1,000,000 元之间")})
    with transaction.atomic():
        before = audit_state(complaint)
        complaint.reward_amount = amount
        complaint.save(update_fields=["reward_amount"])
        audit_record(
            actor=actor,
            source=source,
            event=model_event(
                AuditAction.UPDATE,
                complaint,
                before=before,
                after=audit_state(complaint),
                region=complaint.region_id,
            ),
        )
    return complaint


def deny_unless_handler(actor: Any, complaint: Complaint) -> None:
    if complaint.handler_id != getattr(actor, "pk", None):
        raise PermissionDenied("只有承办人可以查看投诉举报人身份信息")
