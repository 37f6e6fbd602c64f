"""The portal's writes. A business account files on its own business only (its reports on
rectification orders, its self-inspection reports), each audited as the business's own act; staff
accept or return them in their scope; the office opens business accounts. One transaction each,
with its audit entry."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shian.core.audit import AuditEvent, audit_record, snapshot
from shian.core.models import AuditAction, Role, User
from shian.core.permissions import PortalCap, require_cap
from shian.core.scoping import require_in_scope, require_own
from shian.inspections import media
from shian.inspections import rules as inspection_rules
from shian.inspections.models import Rectification, RectificationStatus
from shian.inspections.rules import InspectionRuleError
from shian.inspections.services import rectification_close
from shian.registry.models import Business

from . import rules
from .models import (
    AccountRequest,
    AccountRequestStatus,
    RectificationReport,
    ReportPhoto,
    ReviewStatus,
    SelfInspectionReport,
)

REPORT_TYPE = "portal.rectificationreport"
SELF_INSPECTION_TYPE = "portal.selfinspectionreport"
ACCOUNT_TYPE = "core.user"
# A self-inspection report's file: a PDF or a photo of the signed pages, at most this size.
REPORT_FILE_MAX_BYTES = 10 * 1024 * 1024
PDF_MAGIC = b"%PDF-"


def _own(actor: User, business: Business) -> None:
    require_cap(actor, PortalCap.USE)
    require_own(actor, credit_code=business.credit_code)


# ------------------------------------------------------------------ rectification reports


def rectification_report_submit(
    *,
    actor: User,
    source: str,
    rectification: Rectification,
    text: str,
    photos: Sequence[tuple[str, bytes]] = (),
    now: dt.datetime | None = None,
) -> RectificationReport:
    """The business reports what it did about an open order, with photos checked by their content
    (the inspection's media limits). One report at a time awaits the inspector."""
    now = now or timezone.now()
    r = Rectification.objects.select_related("finding__inspection__business").get(pk=rectification.pk)
    business = r.finding.inspection.business
    _own(actor, business)
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("请说明整改情况")})
    if len(text) > 2000:
        raise ValidationError({"text": _("整改情况不能超过 2000 字")})
    limits = inspection_rules.media_limits_in_force(timezone.localdate(now))
    if len(photos) > limits.photos_per_finding:
        raise ValidationError(
            {
                "photos": _("照片最多 %(photos_per_finding)s 张")
                % {"photos_per_finding": limits.photos_per_finding}
            }
        )
    checked = []
    for name, data in photos:
        name = os.path.basename(name.replace("\\", "/"))[:200]
        try:
            info = media.inspect_photo(data=data, name=name, limits=limits)
        except InspectionRuleError as exc:
            raise ValidationError({"photos": str(exc)}) from None
        checked.append((name, data, info.kind))
    with transaction.atomic():
        r = Rectification.objects.select_for_update().get(pk=r.pk)
        if r.status != RectificationStatus.OPEN:
            raise ValidationError({"__all__": _("该整改已办结，无需再报告")})
        if RectificationReport.objects.filter(rectification=r, status=ReviewStatus.SUBMITTED).exists():
            raise ValidationError({"__all__": _("已有一份整改报告等待检查人员审核，请等待审核结果")})
        report = RectificationReport.objects.create(
            rectification=r,
            business=business,
            region_id=r.region_id,
            text=text,
            submitted_by=actor,
            submitted_at=now,
        )
        digests = []
        for name, data, kind in checked:
            digest = hashlib.sha256(data).hexdigest()
            path = f"portal/{digest[:2]}/{digest}.{'jpg' if kind == 'jpeg' else kind}"
            if not default_storage.exists(path):
                path = default_storage.save(path, ContentFile(data))
            ReportPhoto.objects.create(
                report=report, file=path, kind=kind, size=len(data), original_name=name
            )
            digests.append(digest)
        audit_record(
            actor=actor,
            source=source,
            event=AuditEvent(
                action=AuditAction.CREATE,
                object_type=REPORT_TYPE,
                object_id=str(report.pk),
                object_repr=f"{business.name} 整改报告（{r.finding.item_code}）"[:200],
                region_code=r.region_id,
                after={
                    "rectification": r.pk,
                    "business": business.pk,
                    "text": text,
                    "photos": digests,
                    "by_business": business.credit_code,
                },
            ),
        )
    return report


def rectification_report_review(
    *,
    actor: User,
    source: str,
    report: RectificationReport,
    accept: bool,
    note: str = "",
    today: dt.date | None = None,
) -> RectificationReport:
    """An inspector accepts a business's report (the order is closed on the day, through the
    inspections module's own closing service) or returns it with a reason."""
    today = today or timezone.localdate()
    require_cap(actor, PortalCap.REVIEW_RECTIFICATION)
    report = RectificationReport.objects.select_related("business", "rectification").get(pk=report.pk)
    require_in_scope(actor, region=report.region_id, business_type=report.business.business_type)
    note = note.strip()[:300]
    if not accept and not note:
        raise ValidationError({"note": _("退回时请写明原因")})
    with transaction.atomic():
        locked = RectificationReport.objects.select_for_update().get(pk=report.pk)
        if locked.status != ReviewStatus.SUBMITTED:
            raise ValidationError({"__all__": _("该整改报告已审核")})
        before = snapshot(locked, ("status", "review_note"))
        if accept:
            rectification_close(
                actor=actor, source=source, rectification=locked.rectification, closed_on=today
            )
        locked.status = ReviewStatus.ACCEPTED if accept else ReviewStatus.RETURNED
        locked.review_note, locked.reviewed_by, locked.reviewed_at = note, actor, timezone.now()
        locked.save(update_fields=["status", "review_note", "reviewed_by", "reviewed_at"])
        audit_record(
            actor=actor,
            source=source,
            event=AuditEvent(
                action=AuditAction.UPDATE,
                object_type=REPORT_TYPE,
                object_id=str(locked.pk),
                object_repr=f"{report.business.name} 整改报告{'通过' if accept else '退回'}"[:200],
                region_code=locked.region_id,
                before=before,
                after=snapshot(locked, ("status", "review_note")),
            ),
        )
    return locked


# ------------------------------------------------------------------ self-inspection reports


def _check_report_file(name: str, data: bytes) -> str:
    """A PDF or a photo (JPEG/PNG/WebP) of the signed report, judged by its content."""
    if len(data) > REPORT_FILE_MAX_BYTES:
        raise ValidationError(
            {
                "file": _("文件“%(name)s”超过 %(value)s MB")
                % {"name": name, "value": REPORT_FILE_MAX_BYTES // 1024 // 1024}
            }
        )
    if data.startswith(PDF_MAGIC):
        return "pdf"
    try:
        limits = inspection_rules.media_limits_in_force(timezone.localdate())
        info = media.inspect_photo(data=data, name=name, limits=limits)
    except InspectionRuleError:
        raise ValidationError(
            {"file": _("文件“%(name)s”不是 PDF 或 JPEG/PNG/WebP 图片") % {"name": name}}
        ) from None
    return "jpg" if info.kind == "jpeg" else info.kind


def self_inspection_submit(
    *,
    actor: User | None,
    source: str,
    business: Business,
    year: int,
    items_checked: int,
    problems_found: int,
    problems_fixed: int,
    summary: str,
    file: tuple[str, bytes] | None = None,
    today: dt.date | None = None,
) -> SelfInspectionReport:
    """A producer files its yearly self-inspection report (食品安全法 第八十三条). Only a business
    the rule names files one; one standing report per year (a returned one is filed again).
    `actor` None is the system (the demo generator)."""
    today = today or timezone.localdate()
    if actor is not None:
        _own(actor, business)
    rule = rules.self_inspection_rule_in_force(today)
    if not rules.self_inspection_owed(business_type=business.business_type, rule=rule):
        raise ValidationError({"__all__": _("本企业类型无需报送年度自查报告（适用：特殊食品生产企业）")})
    if not 2000 <= year <= today.year:
        raise ValidationError(
            {
                "year": _("年度 %(year)s 无效：只能报送 %(year2)s 年及以前的自查报告")
                % {"year": year, "year2": today.year}
            }
        )
    try:
        rules.check_self_inspection_figures(
            items_checked=items_checked, problems_found=problems_found, problems_fixed=problems_fixed
        )
    except ValueError as exc:
        raise ValidationError({"problems_fixed": str(exc)}) from None
    summary = summary.strip()
    if not summary:
        raise ValidationError({"summary": _("请填写自查情况摘要")})
    path, file_name = "", ""
    if file is not None:
        file_name = os.path.basename(file[0].replace("\\", "/"))[:200]
        ext = _check_report_file(file_name, file[1])
        digest = hashlib.sha256(file[1]).hexdigest()
        path = f"self-inspections/{digest[:2]}/{digest}.{ext}"
        if not default_storage.exists(path):
            path = default_storage.save(path, ContentFile(file[1]))
    try:
        with transaction.atomic():
            report = SelfInspectionReport.objects.create(
                business=business,
                region_id=business.region_id,
                year=year,
                items_checked=items_checked,
                problems_found=problems_found,
                problems_fixed=problems_fixed,
                summary=summary[:4000],
                file=path,
                file_name=file_name,
                submitted_by=actor,
                submitted_on=today,
            )
            audit_record(
                actor=actor,
                source=source,
                event=AuditEvent(
                    action=AuditAction.CREATE,
                    object_type=SELF_INSPECTION_TYPE,
                    object_id=str(report.pk),
                    object_repr=f"{business.name} {year} 年自查报告"[:200],
                    region_code=business.region_id,
                    after={
                        **snapshot(report, ("year", "items_checked", "problems_found", "problems_fixed")),
                        "business": business.pk,
                        "file": file_name,
                        "due": rules.self_inspection_due(year=year, rule=rule),
                        "late": today > rules.self_inspection_due(year=year, rule=rule),
                    },
                ),
            )
    except IntegrityError:
        raise ValidationError(
            {"year": _("%(year)s 年的自查报告已报送，无需重复报送") % {"year": year}}
        ) from None
    return report


def self_inspection_review(
    *,
    actor: User,
    source: str,
    report: SelfInspectionReport,
    accept: bool,
    note: str = "",
    today: dt.date | None = None,
) -> SelfInspectionReport:
    today = today or timezone.localdate()
    require_cap(actor, PortalCap.MANAGE)
    report = SelfInspectionReport.objects.select_related("business").get(pk=report.pk)
    require_in_scope(actor, region=report.region_id, business_type=report.business.business_type)
    note = note.strip()[:300]
    if not accept and not note:
        raise ValidationError({"note": _("退回时请写明原因")})
    with transaction.atomic():
        locked = SelfInspectionReport.objects.select_for_update().get(pk=report.pk)
        if locked.status != ReviewStatus.SUBMITTED:
            raise ValidationError({"__all__": _("该自查报告已审核")})
        before = snapshot(locked, ("status", "review_note"))
        locked.status = ReviewStatus.ACCEPTED if accept else ReviewStatus.RETURNED
        locked.review_note, locked.reviewed_by, locked.reviewed_on = note, actor, today
        locked.save(update_fields=["status", "review_note", "reviewed_by", "reviewed_on"])
        audit_record(
            actor=actor,
            source=source,
            event=AuditEvent(
                action=AuditAction.UPDATE,
                object_type=SELF_INSPECTION_TYPE,
                object_id=str(locked.pk),
                object_repr=f"{report.business.name} {locked.year} 年自查报告"[:200],
                region_code=locked.region_id,
                before=before,
                after=snapshot(locked, ("status", "review_note")),
            ),
        )
    return locked


# ------------------------------------------------------------------ business accounts


def business_account_create(
    *, actor: User | None, source: str, business: Business, username: str, full_name: str = ""
) -> tuple[User, str]:
    """Open a business's portal account bound to its credit code; returns the account and a
    one-time password to hand over (it is not stored or audited in clear)."""
    if actor is not None:
        require_cap(actor, PortalCap.MANAGE)
        require_in_scope(actor, region=business.region_id, business_type=business.business_type)
    if not business.credit_code:
        raise ValidationError({"__all__": _("该主体未登记统一社会信用代码，无法开通企业账户")})
    username = username.strip()
    if not username or len(username) > 150:
        raise ValidationError({"username": _("请填写登录名（不超过150个字符）")})
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("登录名“%(username)s”已被使用") % {"username": username}})
    password = secrets.token_urlsafe(12)
    with transaction.atomic():
        user = User(
            username=username,
            full_name=(full_name.strip() or business.name)[:50],
            role=Role.BUSINESS,
            credit_code=business.credit_code,
        )
        user.set_password(password)
        user.save()
        audit_record(
            actor=actor,
            source=source,
            event=AuditEvent(
                action=AuditAction.CREATE,
                object_type=ACCOUNT_TYPE,
                object_id=str(user.pk),
                object_repr=f"企业账户 {username}（{business.name}）"[:200],
                region_code=business.region_id,
                after={"username": username, "role": Role.BUSINESS, "credit_code": business.credit_code},
            ),
        )
    return user, password


ACCOUNT_REQUEST_TYPE = "portal.accountrequest"


def account_request_submit(
    *,
    source: str,
    credit_code: str,
    licence_number: str,
    contact: str,
    phone: str,
    username: str,
    now: dt.datetime | None = None,
) -> AccountRequest:
    """A business asks for its account (no one is signed in). The credit code and the licence number
    must name the same business on the register; the answer does not say which of them is wrong,
    so the form cannot be used to look businesses up."""
    now = now or timezone.now()
    credit_code, licence_number = credit_code.strip().upper(), licence_number.strip().upper()
    contact, phone, username = contact.strip(), phone.strip(), username.strip()
    if not (credit_code and licence_number and contact and phone and username):
        raise ValidationError({"__all__": _("请填写全部项目")})
    if not phone.replace("-", "").isdigit() or len(phone) > 20:
        raise ValidationError({"phone": _("请填写有效的联系电话")})
    if len(username) > 150 or User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("登录名“%(value)s”不可用，请换一个") % {"value": username[:20]}})
    business = Business.objects.filter(credit_code=credit_code).first()
    if business is None or licence_number not in (business.business_licence, business.production_licence):
        raise ValidationError({"__all__": _("统一社会信用代码与许可证编号不符，请核对许可证原件")})
    try:
        with transaction.atomic():
            request = AccountRequest.objects.create(
                business=business,
                region_id=business.region_id,
                licence_number=licence_number,
                contact=contact[:50],
                phone=phone,
                username=username,
                requested_at=now,
            )
            audit_record(
                actor=None,
                source=source,
                event=AuditEvent(
                    action=AuditAction.CREATE,
                    object_type=ACCOUNT_REQUEST_TYPE,
                    object_id=str(request.pk),
                    object_repr=f"{business.name} 企业账户申请"[:200],
                    region_code=business.region_id,
                    after={"business": business.pk, "username": username, "contact": contact, "phone": phone},
                ),
            )
    except IntegrityError:
        raise ValidationError({"__all__": _("该企业已有一份待核实的申请，请等待监管部门联系")}) from None
    return request


def account_request_review(
    *, actor: User, source: str, request: AccountRequest, approve: bool, note: str = ""
) -> tuple[AccountRequest, str]:
    """The office approves (the account is opened; its one-time password is returned) or rejects
    (with a reason) a business's request, after verifying it."""
    require_cap(actor, PortalCap.MANAGE)
    request = AccountRequest.objects.select_related("business").get(pk=request.pk)
    require_in_scope(actor, region=request.region_id, business_type=request.business.business_type)
    note = note.strip()[:300]
    if not approve and not note:
        raise ValidationError({"note": _("驳回时请写明原因")})
    password = ""
    with transaction.atomic():
        locked = AccountRequest.objects.select_for_update().get(pk=request.pk)
        if locked.status != AccountRequestStatus.PENDING:
            raise ValidationError({"__all__": _("该申请已处理")})
        if approve:
            _user, password = business_account_create(
                actor=actor,
                source=source,
                business=request.business,
                username=locked.username,
                full_name=locked.contact,
            )
        locked.status = AccountRequestStatus.APPROVED if approve else AccountRequestStatus.REJECTED
        locked.reviewed_by, locked.reviewed_at, locked.review_note = actor, timezone.now(), note
        locked.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
        audit_record(
            actor=actor,
            source=source,
            event=AuditEvent(
                action=AuditAction.UPDATE,
                object_type=ACCOUNT_REQUEST_TYPE,
                object_id=str(locked.pk),
                object_repr=f"{request.business.name} 企业账户申请{'批准' if approve else '驳回'}"[:200],
                region_code=locked.region_id,
                after={"status": locked.status, "review_note": note},
            ),
        )
    return locked, password
