"""Inspection endpoints: list, one record, create a draft, record answers, sign (with the drawn
signature), submit, add a finding's photo; rectification orders: list, follow-up, close."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from shian.core.calendar import unofficial_years
from shian.core.concurrency import require_version, row_version, versioned_operation
from shian.core.lists import MAX_OFFSET
from shian.core.models import AuditSource, User
from shian.core.permissions import Cap, require_cap
from shian.registry.selectors import business_get_for_user

from . import rules, selectors, services
from .models import Finding, Inspection, Rectification

router = Router(tags=["inspections"])


class InspectionOut(Schema):
    id: int
    version: str = ""  # send it back with an edit: a record changed since is a 409 (core.concurrency)
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
    has_signature: bool
    publish_due: dt.date | None
    # True when the publication deadline lies in a year without official holiday data (counted
    # Monday to Friday until the year's arrangement is loaded).
    publish_due_provisional: bool
    corrects_id: int | None
    campaign: str


def _out(i: Inspection, *, version: bool = True) -> dict[str, Any]:
    return {
        **{
            f: getattr(i, f)
            for f in InspectionOut.model_fields
            if f not in ("region_code", "has_signature", "publish_due_provisional", "version")
        },
        # The list leaves it out: an inspection's version reads its findings (one query each).
        "version": row_version(i) if version else "",
        "region_code": i.region_id,
        "has_signature": bool(i.signature),
        "publish_due_provisional": bool(i.publish_due and unofficial_years([i.publish_due])),
    }


class InspectionIn(Schema):
    business_id: int
    inspected_on: dt.date
    inspector_ids: list[int]
    full_check: bool = False
    # A special campaign's code (GET /inspections/campaigns): the inspection counts towards its
    # coverage and uses its checklist.
    campaign: str = ""


class CampaignOut(Schema):
    code: str
    name: str
    task: str
    starts: dt.date
    ends: dt.date
    checklist: str


class AnswersIn(Schema):
    answers: dict[str, str]
    findings: dict[str, str] = {}
    corrected_on_spot: list[str] = []
    signed_by: str = ""
    submit: bool = False


class SignatureIn(Schema):
    signed_by: str
    signature: str | None = None  # a PNG data URL drawn on the form's canvas


class PhotoOut(Schema):
    id: int
    finding_item: str
    sha256: str
    kind: str
    size: int


class RectificationOut(Schema):
    id: int
    version: str = ""  # send it back with an edit: a record changed since is a 409 (core.concurrency)
    business_id: int
    region_code: str
    inspection_id: int
    item_code: str
    ordered_on: dt.date
    due: dt.date
    # True when the deadline lies in a year without official holiday data (Monday to Friday).
    due_provisional: bool
    working_days: int
    status: str
    days_overdue: int
    follow_up_id: int | None
    closed_on: dt.date | None


def _rect_out(r: Rectification, today: dt.date, unofficial: set[int] | None = None) -> dict[str, Any]:
    unofficial = unofficial_years([r.due]) if unofficial is None else unofficial
    return {
        "due_provisional": r.due.year in unofficial,
        "version": row_version(r),
        "id": r.pk,
        "business_id": r.finding.inspection.business_id,
        "region_code": r.region_id,
        "inspection_id": r.finding.inspection_id,
        "item_code": r.finding.item_code,
        "ordered_on": r.ordered_on,
        "due": r.due,
        "working_days": r.working_days,
        "status": r.status,
        "days_overdue": (today - r.due).days if r.status == "open" and r.due < today else 0,
        "follow_up_id": r.follow_up_id,
        "closed_on": r.closed_on,
    }


class FollowUpIn(Schema):
    inspected_on: dt.date
    inspector_ids: list[int]


class CloseIn(Schema):
    closed_on: dt.date


@router.get("/rectifications/", response=list[RectificationOut])
def rectification_list(
    request: HttpRequest,
    region: str = "",
    status: str = "",
    overdue: bool = False,
    due_within: int | None = None,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> list[dict[str, Any]]:
    require_cap(request.user, Cap.INSPECTION_VIEW)
    today = timezone.localdate()
    filters = selectors.RectificationFilters.from_mapping(
        {
            "region": region,
            "status": status,
            "overdue": "1" if overdue else "",
            "due_within": due_within or "",
        }
    )
    qs = selectors.rectification_list_for_user(user=request.user, filters=filters, today=today)
    rows = list(qs[offset : offset + min(limit, 1000)])
    unofficial = unofficial_years(r.due for r in rows)
    return [_rect_out(r, today, unofficial) for r in rows]


@router.post("/rectifications/{pk}/follow-up", response={201: InspectionOut})
def rectification_follow_up(request: HttpRequest, pk: int, payload: FollowUpIn) -> Status[dict[str, Any]]:
    r = selectors.rectification_get_for_user(user=request.user, pk=pk)
    require_cap(request.user, Cap.INSPECTION_RECORD)
    people = selectors.inspectors_for_region(region_code=r.region_id).filter(pk__in=payload.inspector_ids)
    i = services.rectification_followup_create(
        actor=cast(User, request.user),
        source=AuditSource.API,
        rectification=r,
        inspected_on=payload.inspected_on,
        inspectors=list(people),
    )
    return Status(201, _out(i))


@router.post("/rectifications/{pk}/close", response=RectificationOut)
@versioned_operation
def rectification_close(request: HttpRequest, pk: int, payload: CloseIn) -> dict[str, Any]:
    r = selectors.rectification_get_for_user(user=request.user, pk=pk)
    require_cap(request.user, Cap.INSPECTION_RECORD)
    require_version(request, r)
    services.rectification_close(
        actor=cast(User, request.user), source=AuditSource.API, rectification=r, closed_on=payload.closed_on
    )
    return _rect_out(selectors.rectification_get_for_user(user=request.user, pk=pk), timezone.localdate())


@router.get("/", response=list[InspectionOut])
def inspection_list(
    request: HttpRequest,
    region: str = "",
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> list[dict[str, Any]]:
    require_cap(request.user, Cap.INSPECTION_VIEW)
    qs = selectors.inspection_list_for_user(user=request.user, region=region)
    return [_out(i, version=False) for i in qs[offset : offset + min(limit, 1000)]]


@router.get("/campaigns", response=list[CampaignOut])
def campaign_list(request: HttpRequest, on: dt.date | None = None) -> list[dict[str, Any]]:
    """The plan's special campaigns (data/campaigns.toml), those running on `on` when given."""
    require_cap(request.user, Cap.INSPECTION_VIEW)
    return [
        {f: getattr(c, f) for f in CampaignOut.model_fields}
        for c in rules.load_campaigns().values()
        if on is None or c.starts <= on <= c.ends
    ]


@router.post("/{pk}/answers", response=InspectionOut)
@versioned_operation
def inspection_answers(request: HttpRequest, pk: int, payload: AnswersIn) -> dict[str, Any]:
    actor = cast(User, request.user)
    i = selectors.inspection_get_for_user(user=request.user, pk=pk)
    require_cap(request.user, Cap.INSPECTION_RECORD)
    require_version(request, i)
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


@router.post("/{pk}/signature", response=InspectionOut)
@versioned_operation
def inspection_signature(request: HttpRequest, pk: int, payload: SignatureIn) -> dict[str, Any]:
    i = selectors.inspection_get_for_user(user=request.user, pk=pk)
    require_cap(request.user, Cap.INSPECTION_RECORD)
    require_version(request, i)
    i = services.inspection_sign(
        actor=cast(User, request.user),
        source=AuditSource.API,
        inspection=i,
        signed_by=payload.signed_by,
        signature=payload.signature,
    )
    return _out(i)


@router.post("/{pk}/findings/{item_code}/photos", response={201: PhotoOut})
def finding_photo_add(
    request: HttpRequest, pk: int, item_code: str, file: File[UploadedFile]
) -> Status[dict[str, Any]]:
    i = selectors.inspection_get_for_user(user=request.user, pk=pk)
    require_cap(request.user, Cap.INSPECTION_RECORD)
    finding = Finding.objects.filter(inspection=i, item_code=item_code).first()
    if finding is None:
        raise Http404
    limit = rules.media_limits_in_force(i.inspected_on).photo_max_bytes
    photo = services.finding_photo_add(
        actor=cast(User, request.user),
        source=AuditSource.API,
        finding=finding,
        data=file.read(limit + 1),
        name=file.name or "",
    )
    return Status(
        201,
        {
            "id": photo.pk,
            "finding_item": item_code,
            "sha256": photo.sha256,
            "kind": photo.kind,
            "size": photo.size,
        },
    )


@router.get("/{pk}", response=InspectionOut)
def inspection_detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    inspection = selectors.inspection_get_for_user(user=request.user, pk=pk)
    require_cap(request.user, Cap.INSPECTION_VIEW)
    return _out(inspection)


@router.post("/", response={201: InspectionOut})
def inspection_create(request: HttpRequest, payload: InspectionIn) -> Status[dict[str, Any]]:
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
        campaign=payload.campaign.strip(),
    )
    return Status(201, _out(i))
