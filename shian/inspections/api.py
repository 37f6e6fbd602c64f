"""Inspection endpoints: list, one record, create a draft, record answers, sign, submit."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.http import HttpRequest
from ninja import Router, Schema

from shian.core.models import AuditSource, User
from shian.core.permissions import Cap, require_cap
from shian.registry.selectors import business_get_for_user

from . import selectors, services
from .models import Inspection

router = Router(tags=["inspections"])


class InspectionOut(Schema):
    id: int
    business_id: int
    region_code: str
    inspected_on: dt.date
    kind: str
    level: str
    checklist: str
    full_check: bool
    answers: dict[str, str]
    result: str
    status: str
    signed_by: str
    publish_due: dt.date | None
    corrects_id: int | None


def _out(i: Inspection) -> dict[str, Any]:
    return {
        **{f: getattr(i, f) for f in InspectionOut.model_fields if f != "region_code"},
        "region_code": i.region_id,
    }


class InspectionIn(Schema):
    business_id: int
    inspected_on: dt.date
    inspector_ids: list[int]
    full_check: bool = False


class AnswersIn(Schema):
    answers: dict[str, str]
    findings: dict[str, str] = {}
    corrected_on_spot: list[str] = []
    signed_by: str = ""
    submit: bool = False


@router.get("/", response=list[InspectionOut])
def inspection_list(
    request: HttpRequest, region: str = "", limit: int = 100, offset: int = 0
) -> list[dict[str, Any]]:
    require_cap(request.user, Cap.INSPECTION_VIEW)
    qs = selectors.inspection_list_for_user(user=request.user, region=region)
    return [_out(i) for i in qs[offset : offset + min(limit, 1000)]]


@router.get("/{pk}", response=InspectionOut)
def inspection_detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    require_cap(request.user, Cap.INSPECTION_VIEW)
    return _out(selectors.inspection_get_for_user(user=request.user, pk=pk))


@router.post("/", response={201: InspectionOut})
def inspection_create(request: HttpRequest, payload: InspectionIn) -> tuple[int, dict[str, Any]]:
    require_cap(request.user, Cap.INSPECTION_RECORD)
    business = business_get_for_user(user=request.user, pk=payload.business_id)
    inspectors = list(User.objects.filter(pk__in=payload.inspector_ids))
    i = services.inspection_create(
        actor=cast(User, request.user),
        source=AuditSource.API,
        business=business,
        inspected_on=payload.inspected_on,
        inspectors=inspectors,
        full_check=payload.full_check,
    )
    return 201, _out(i)


@router.post("/{pk}/answers", response=InspectionOut)
def inspection_answers(request: HttpRequest, pk: int, payload: AnswersIn) -> dict[str, Any]:
    require_cap(request.user, Cap.INSPECTION_RECORD)
    actor = cast(User, request.user)
    i = selectors.inspection_get_for_user(user=request.user, pk=pk)
    i = services.inspection_record_answers(
        actor=actor,
        source=AuditSource.API,
        inspection=i,
        answers=payload.answers,
        findings=payload.findings,
        corrected_on_spot=payload.corrected_on_spot,
    )
    if payload.signed_by:
        i = services.inspection_sign(
            actor=actor, source=AuditSource.API, inspection=i, signed_by=payload.signed_by
        )
    if payload.submit:
        i = services.inspection_submit(actor=actor, source=AuditSource.API, inspection=i)
    return _out(i)
