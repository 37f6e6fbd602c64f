"""The schools API: the school list and one school (with its suppliers, campaign inspections and
accompanied-meal shortfall), recording an accompanied meal, and the certificates."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from shian.core.lists import MAX_OFFSET
from shian.core.models import AuditSource, User
from shian.core.permissions import PortalCap, SchoolCap, has_cap, require_cap

from . import selectors, services

router = Router(tags=["schools"])


class SchoolOut(Schema):
    id: int
    code: str
    name: str
    level: str
    ownership: str
    rural: bool
    pupils: int
    region_code: str
    canteen_operation: str
    canteen_id: int | None
    operator_id: int | None
    meals: list[str]


class SupplierOut(Schema):
    business_id: int
    name: str
    role: str


class SchoolDetailOut(SchoolOut):
    suppliers: list[SupplierOut]
    campaign_inspections: dict[str, int]
    meals_owed_this_month: int | None
    meals_accompanied_this_month: int | None


class SchoolQuery(Schema):
    region: str = ""
    level: str = ""
    rural: str = ""
    operation: str = ""
    q: str = ""
    limit: int = Field(100, ge=1, le=1000)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class MealIn(Schema):
    on: dt.date
    meal: str
    person: str
    person_role: str
    notes: str = ""


class MealOut(Schema):
    id: int
    school_id: int
    on: dt.date
    meal: str
    person: str
    person_role: str
    notes: str


class CertificateOut(Schema):
    id: int
    business_id: int
    kind: str
    issuer: str
    number: str
    scope: str
    valid_from: dt.date
    valid_until: dt.date


def _school(s: Any) -> dict[str, Any]:
    return {
        **{f: getattr(s, f) for f in SchoolOut.model_fields if f != "region_code"},
        "region_code": s.region_id,
    }


@router.get("/", response=list[SchoolOut])
def school_list(request: HttpRequest, filters: Query[SchoolQuery]) -> list[dict[str, Any]]:
    require_cap(request.user, SchoolCap.VIEW)
    qs = selectors.school_list_for_user(
        user=request.user, filters=selectors.SchoolFilters.from_mapping(filters.dict())
    )
    limit, offset = max(1, min(filters.limit, 1000)), max(0, filters.offset)
    return [_school(s) for s in qs[offset : offset + limit]]


@router.get("/certificates", response=list[CertificateOut])
def certificate_list(request: HttpRequest, state: str = "", kind: str = "") -> list[dict[str, Any]]:
    require_cap(request.user, SchoolCap.VIEW)
    qs = selectors.certificates_for_user(
        user=request.user, state=state, today=timezone.localdate(), kind=kind
    )
    return [{f: getattr(c, f) for f in CertificateOut.model_fields} for c in qs[:2000]]


@router.get("/{school_id}", response=SchoolDetailOut)
def school_detail(request: HttpRequest, school_id: int) -> dict[str, Any]:
    require_cap(request.user, SchoolCap.VIEW)
    school = selectors.school_get_for_user(user=request.user, pk=school_id)
    today = timezone.localdate()
    shortfall = selectors.meal_shortfalls(schools=[school], start=today.replace(day=1), end=today)[school.pk]
    return {
        **_school(school),
        "suppliers": [
            {"business_id": s.business_id, "name": s.business.name, "role": s.role}
            for s in selectors.suppliers_of(school=school)
        ],
        "campaign_inspections": selectors.campaign_inspections(schools=[school], year=today.year)[school.pk],
        "meals_owed_this_month": shortfall.owed if shortfall else None,
        "meals_accompanied_this_month": shortfall.accompanied if shortfall else None,
    }


@router.post("/{school_id}/meals", response={201: MealOut})
def meal_create(request: HttpRequest, school_id: int, payload: MealIn) -> Status:
    """Record an accompanied meal: the canteen's business account, or staff who keep the list."""
    if has_cap(request.user, PortalCap.USE):
        school = selectors.school_for_business_account(user=request.user, pk=school_id)
    else:
        require_cap(request.user, SchoolCap.VIEW)
        school = selectors.school_get_for_user(user=request.user, pk=school_id)
        require_cap(request.user, SchoolCap.MANAGE)
    record = services.accompanied_meal_record(
        actor=cast(User, request.user),
        source=AuditSource.API,
        school=school,
        on=payload.on,
        meal=payload.meal,
        person=payload.person,
        person_role=payload.person_role,
        notes=payload.notes,
    )
    return Status(201, {f: getattr(record, f) for f in MealOut.model_fields})
