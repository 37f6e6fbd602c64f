"""The schools module's writes: one transaction each, with its audit entry. The office and the
education liaison keep the school list, open-kitchen statuses and certificates in their scope; a
canteen's business account records its accompanied meals and its own certificates."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from shian.core.audit import AuditEvent, audit_record, snapshot
from shian.core.models import AuditAction, User
from shian.core.permissions import PortalCap, SchoolCap, has_cap, require_cap
from shian.core.scoping import require_in_scope, require_own
from shian.inspections import media
from shian.inspections import rules as inspection_rules
from shian.inspections.rules import InspectionRuleError
from shian.registry.models import Business

from . import rules, selectors
from .models import (
    AccompaniedMeal,
    Certificate,
    CertificateKind,
    Meal,
    MealRole,
    OpenKitchen,
    OpenKitchenLevel,
    School,
)

SCHOOL_TYPE = "schools.school"
MEAL_TYPE = "schools.accompaniedmeal"
OPEN_KITCHEN_TYPE = "schools.openkitchen"
CERTIFICATE_TYPE = "schools.certificate"


def _school_in_scope(actor: User | None, school: School) -> None:
    if actor is None:
        return
    require_cap(actor, SchoolCap.MANAGE)
    if not selectors.school_queryset_for_user(user=actor).filter(pk=school.pk).exists():
        raise Http404


# ------------------------------------------------------------------ accompanied meals (陪餐)


def accompanied_meal_record(
    *,
    actor: User | None,
    source: str,
    school: School,
    on: dt.date,
    meal: str,
    person: str,
    person_role: str,
    notes: str = "",
    photo: tuple[str, bytes] | None = None,
    today: dt.date | None = None,
) -> AccompaniedMeal:
    """Record a leader's or teacher's meal with the pupils: by the canteen's own business account,
    or by staff who keep the school list in their scope."""
    today = today or timezone.localdate()
    if actor is not None and has_cap(actor, PortalCap.USE):
        selectors.school_for_business_account(user=actor, pk=school.pk)
    else:
        _school_in_scope(actor, school)
    if meal not in Meal.values:
        raise ValidationError({"meal": _("请选择早餐、午餐或晚餐")})
    if person_role not in MealRole.values:
        raise ValidationError({"person_role": _("请选择陪餐人身份")})
    person = person.strip()
    if not person:
        raise ValidationError({"person": _("请填写陪餐人姓名")})
    if on > today:
        raise ValidationError({"on": _("陪餐日期 %(on)s 不能晚于今天") % {"on": on}})
    if on < today - dt.timedelta(days=31):
        raise ValidationError({"on": _("只能补记31天以内的陪餐")})
    path = ""
    if photo is not None:
        name = os.path.basename(photo[0].replace("\\", "/"))[:200]
        try:
            info = media.inspect_photo(
                data=photo[1], name=name, limits=inspection_rules.media_limits_in_force(today)
            )
        except InspectionRuleError as exc:
            raise ValidationError({"photo": str(exc)}) from None
        digest = hashlib.sha256(photo[1]).hexdigest()
        path = f"meals/{digest[:2]}/{digest}.{'jpg' if info.kind == 'jpeg' else info.kind}"
        if not default_storage.exists(path):
            path = default_storage.save(path, ContentFile(photo[1]))
    try:
        with transaction.atomic():
            record = AccompaniedMeal.objects.create(
                school=school,
                region_id=school.region_id,
                on=on,
                meal=meal,
                person=person[:50],
                person_role=person_role,
                notes=notes.strip()[:500],
                photo=path,
                recorded_by=actor,
            )
            audit_record(
                actor=actor,
                source=source,
                event=AuditEvent(
                    action=AuditAction.CREATE,
                    object_type=MEAL_TYPE,
                    object_id=str(record.pk),
                    object_repr=f"{school.name} {on} {record.get_meal_display()} 陪餐"[:200],
                    region_code=school.region_id,
                    after={
                        **snapshot(record, ("on", "meal", "person", "person_role", "notes")),
                        "school": school.pk,
                    },
                ),
            )
    except IntegrityError:
        raise ValidationError(
            {"person": _("%(person)s 在 %(on)s 的这一餐已记录过陪餐") % {"person": person, "on": on}}
        ) from None
    return record


# ------------------------------------------------------------------ open kitchens (明厨亮灶)


def open_kitchen_set(
    *,
    actor: User | None,
    source: str,
    business: Business,
    level: str,
    cameras: int = 0,
    platform: str = "",
    verified_on: dt.date,
    inspection_ref: int | None = None,
    note: str = "",
) -> OpenKitchen:
    """An officer records (verifies) a business's open-kitchen status, optionally on an inspection."""
    if actor is not None:
        require_cap(actor, SchoolCap.MANAGE)
        require_in_scope(actor, region=business.region_id, business_type=business.business_type)
    if level not in OpenKitchenLevel.values:
        raise ValidationError({"level": _("请选择明厨亮灶状态")})
    try:
        rules.check_open_kitchen(level=level, cameras=cameras, platform=platform)
    except ValueError as exc:
        raise ValidationError({"level": str(exc)}) from None
    if verified_on > timezone.localdate():
        raise ValidationError({"verified_on": _("核实日期不能晚于今天")})
    with transaction.atomic():
        current = OpenKitchen.objects.select_for_update().filter(business=business).first()
        before = snapshot(current, ("level", "cameras", "platform", "verified_on")) if current else None
        obj = current or OpenKitchen(business=business)
        obj.region_id = business.region_id
        obj.level, obj.cameras, obj.platform = level, max(0, cameras), platform.strip()[:100]
        obj.verified_on, obj.verified_by, obj.inspection_id_ref = verified_on, actor, inspection_ref
        obj.note = note.strip()[:200]
        obj.save()
        audit_record(
            actor=actor,
            source=source,
            event=AuditEvent(
                action=AuditAction.UPDATE if current else AuditAction.CREATE,
                object_type=OPEN_KITCHEN_TYPE,
                object_id=str(obj.pk),
                object_repr=f"{business.name} 明厨亮灶"[:200],
                region_code=business.region_id,
                before=before,
                after={
                    **snapshot(obj, ("level", "cameras", "platform", "verified_on")),
                    "business": business.pk,
                    "inspection": inspection_ref,
                },
            ),
        )
    return obj


# ------------------------------------------------------------------ certificates


def certificate_add(
    *,
    actor: User | None,
    source: str,
    business: Business,
    kind: str,
    issuer: str,
    number: str,
    scope: str,
    valid_from: dt.date,
    valid_until: dt.date,
) -> Certificate:
    """Put a management-system certificate on file: by staff in scope, or by the business itself."""
    if actor is not None:
        if has_cap(actor, PortalCap.USE):
            require_own(actor, credit_code=business.credit_code)
        else:
            require_cap(actor, SchoolCap.MANAGE)
            require_in_scope(actor, region=business.region_id, business_type=business.business_type)
    if kind not in CertificateKind.values:
        raise ValidationError({"kind": _("请选择证书类别")})
    issuer, number = issuer.strip(), number.strip()
    if not issuer or not number:
        raise ValidationError({"number": _("请填写发证机构和证书编号")})
    if valid_until < valid_from:
        raise ValidationError({"valid_until": _("有效期截止日不能早于发证日")})
    try:
        with transaction.atomic():
            cert = Certificate.objects.create(
                business=business,
                region_id=business.region_id,
                kind=kind,
                issuer=issuer[:100],
                number=number[:60],
                scope=scope.strip()[:300],
                valid_from=valid_from,
                valid_until=valid_until,
                recorded_by=actor,
            )
            audit_record(
                actor=actor,
                source=source,
                event=AuditEvent(
                    action=AuditAction.CREATE,
                    object_type=CERTIFICATE_TYPE,
                    object_id=str(cert.pk),
                    object_repr=f"{business.name} {cert}"[:200],
                    region_code=business.region_id,
                    after={
                        **snapshot(cert, ("kind", "issuer", "number", "scope", "valid_from", "valid_until")),
                        "business": business.pk,
                    },
                ),
            )
    except IntegrityError:
        raise ValidationError(
            {"number": _("%(issuer)s 的证书 %(number)s 已登记") % {"issuer": issuer, "number": number}}
        ) from None
    return cert


def school_audit_event(action: str, school: School, before: Any = None, after: Any = None) -> AuditEvent:
    return AuditEvent(
        action=action,
        object_type=SCHOOL_TYPE,
        object_id=str(school.pk),
        object_repr=school.name,
        region_code=school.region_id,
        before=before,
        after=after,
    )
