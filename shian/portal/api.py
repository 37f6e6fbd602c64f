"""The portal's API: a business account reads its own business, rectification orders and samples
(with their rights' deadlines) and reports on an order; staff list the reports to review."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status

from shian.core.models import AuditSource, User
from shian.core.permissions import PortalCap, require_cap

from . import selectors, services

router = Router(tags=["portal"])


class LicenceOut(Schema):
    number: str
    valid_until: dt.date | None
    state: str
    days_left: int | None
    message: str


class BusinessOut(Schema):
    id: int
    name: str
    credit_code: str
    business_type: str
    region_code: str
    status: str
    grade: str
    licence: LicenceOut


class RectificationOut(Schema):
    id: int
    item_code: str
    description: str
    ordered_on: dt.date
    due: dt.date
    status: str
    report_pending: bool


class DeadlineOut(Schema):
    code: str
    name: str
    start: dt.date
    due: dt.date
    met_on: dt.date | None
    article: str


class SampleOut(Schema):
    id: int
    code: str
    food_name: str
    sampled_on: dt.date | None
    status: str
    conclusion: str
    deadlines: list[DeadlineOut]


class ReportIn(Schema):
    text: str


class ReportOut(Schema):
    id: int
    rectification_id: int
    business_id: int
    status: str
    text: str
    submitted_at: dt.datetime
    review_note: str


def _report(r: Any) -> dict[str, Any]:
    return {f: getattr(r, f) for f in ReportOut.model_fields}


@router.get("/me", response=BusinessOut)
def me(request: HttpRequest) -> dict[str, Any]:
    require_cap(request.user, PortalCap.USE)
    b = selectors.own_business(user=request.user)
    grade = selectors.own_grade(user=request.user)
    state = selectors.licence_state(business=b, today=timezone.localdate())
    return {
        "id": b.pk,
        "name": b.name,
        "credit_code": b.credit_code or "",
        "business_type": b.business_type,
        "region_code": b.region_id,
        "status": b.status,
        "grade": grade.grade if grade else "",
        "licence": {
            "number": b.business_licence or b.production_licence or "",
            "valid_until": b.licence_valid_until,
            "state": state.state,
            "days_left": state.days_left,
            "message": state.message,
        },
    }


@router.get("/rectifications", response=list[RectificationOut])
def rectifications(request: HttpRequest) -> list[dict[str, Any]]:
    require_cap(request.user, PortalCap.USE)
    return [
        {
            "id": r.pk,
            "item_code": r.finding.item_code,
            "description": r.finding.description,
            "ordered_on": r.ordered_on,
            "due": r.due,
            "status": r.status,
            "report_pending": getattr(r, "report_pending", False),
        }
        for r in selectors.own_rectifications(user=request.user)[:500]
    ]


@router.post("/rectifications/{rectification_id}/reports", response={201: ReportOut})
def report_create(request: HttpRequest, rectification_id: int, payload: ReportIn) -> Status:
    require_cap(request.user, PortalCap.USE)
    r = selectors.own_rectification_get(user=request.user, pk=rectification_id)
    report = services.rectification_report_submit(
        actor=cast(User, request.user), source=AuditSource.API, rectification=r, text=payload.text
    )
    return Status(201, _report(report))


@router.get("/samples", response=list[SampleOut])
def samples(request: HttpRequest) -> list[dict[str, Any]]:
    require_cap(request.user, PortalCap.USE)
    out = []
    for s in selectors.own_samples(user=request.user).prefetch_related("deadlines")[:500]:
        visible = selectors.result_visible(s)
        out.append(
            {
                "id": s.pk,
                "code": s.code,
                "food_name": s.food_name,
                "sampled_on": s.sampled_on,
                "status": s.status,
                "conclusion": s.conclusion if visible else "",
                "deadlines": [{f: getattr(d, f) for f in DeadlineOut.model_fields} for d in s.deadlines.all()]
                if visible
                else [],
            }
        )
    return out


@router.get("/reports", response=list[ReportOut])
def reports(request: HttpRequest, status: str = "submitted") -> list[dict[str, Any]]:
    """Businesses' rectification reports in the reader's scope (inspectors and district staff)."""
    require_cap(request.user, PortalCap.REVIEW_RECTIFICATION)
    return [
        _report(r) for r in selectors.rectification_reports_for_user(user=request.user, status=status)[:500]
    ]
