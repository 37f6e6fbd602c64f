"""Complaints and reports in the API (`/api/v1/complaints/…`): the same selectors and services as
the pages, the person's identity masked for everyone but the handling officer."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import Field

from shian.core.concurrency import require_version, row_version, versioned_operation
from shian.core.lists import MAX_OFFSET
from shian.core.models import AuditSource, User
from shian.core.permissions import PublicCap, require_cap
from shian.registry.selectors import business_get_for_user

from . import selectors, services
from .models import Channel, Complaint

router = Router(tags=["complaints"])


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # noqa: S101 — guaranteed by the API's auth
    return request.user


class ClockOut(Schema):
    code: str
    name: str
    article: str
    verified: bool
    started_on: dt.date
    due_on: dt.date
    done_on: dt.date | None


class ComplaintOut(Schema):
    id: int
    code: str
    kind: str
    channel: str
    status: str
    received_on: dt.date
    region: str
    business_id: int | None
    business_name: str
    person_name: str
    person_phone: str
    identity_masked: bool
    handler_id: int | None
    upheld: bool
    case_number: str
    closed_on: dt.date | None
    clocks: list[ClockOut]

    version: str = ""  # send it back with an edit: a record changed since is a 409 (core.concurrency)

    @staticmethod
    def of(user: Any, c: Complaint) -> ComplaintOut:
        p = selectors.person_view(user, c)
        return ComplaintOut(
            version=row_version(c),
            id=c.pk,
            code=c.code,
            kind=c.kind,
            channel=c.channel,
            status=c.status,
            received_on=c.received_on,
            region=c.region_id,
            business_id=c.business_id,
            business_name=c.business_name,
            person_name=p.name,
            person_phone=p.phone,
            identity_masked=p.masked,
            handler_id=c.handler_id,
            upheld=c.upheld,
            case_number=c.case_number,
            closed_on=c.closed_on,
            clocks=[
                ClockOut(
                    code=k.code,
                    name=k.name,
                    article=k.article,
                    verified=k.verification == "V",
                    started_on=k.started_on,
                    due_on=k.due_on,
                    done_on=k.done_on,
                )
                for k in c.clocks.all()
            ],
        )


class ComplaintIn(Schema):
    kind: str = Field(pattern="^(complaint|report)$")
    channel: str = Field(default=Channel.PHONE, pattern="^(portal|phone|12315|window|letter)$")
    received_on: dt.date
    business_id: int | None = None
    business_name: str = Field(default="", max_length=200)
    business_address: str = Field(default="", max_length=200)
    region: str = Field(default="", max_length=12)
    facts: str = Field(max_length=4000)
    request: str = Field(default="", max_length=500)
    person_name: str = Field(default="", max_length=50)
    person_phone: str = Field(default="", max_length=20)
    person_address: str = Field(default="", max_length=200)
    real_name: bool = True
    external_ref: str = Field(default="", max_length=40)


class TransitionIn(Schema):
    to: str = Field(max_length=16)
    on: dt.date
    note: str = Field(default="", max_length=500)
    ground: str = Field(default="", max_length=30)
    case_number: str = Field(default="", max_length=60)
    upheld: bool | None = None


@router.get("/", response=list[ComplaintOut], summary="Complaints and reports in the caller's scope")
def complaint_list(
    request: HttpRequest,
    kind: str = "",
    status: str = "",
    region: str = "",
    limit: int = Query(200, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> Any:
    require_cap(request.user, PublicCap.VIEW)
    filters = {k: v[:40] for k, v in (("kind", kind), ("status", status), ("region", region)) if v}
    qs = selectors.complaint_list(request.user, filters).prefetch_related("clocks")
    return [ComplaintOut.of(request.user, c) for c in qs[offset : offset + limit]]


@router.get("/{complaint_id}", response=ComplaintOut, summary="One complaint or report")
def complaint_detail(request: HttpRequest, complaint_id: int) -> Any:
    require_cap(request.user, PublicCap.VIEW)
    return ComplaintOut.of(request.user, selectors.complaint_get(request.user, complaint_id))


@router.post("/", response={201: ComplaintOut}, summary="File a complaint or report taken by staff")
def complaint_create(request: HttpRequest, payload: ComplaintIn) -> Any:
    require_cap(request.user, PublicCap.HANDLE)
    business = (
        business_get_for_user(user=request.user, pk=payload.business_id) if payload.business_id else None
    )
    c = services.complaint_file(
        actor=_actor(request),
        source=AuditSource.API,
        kind=payload.kind,
        channel=payload.channel,
        received_on=payload.received_on,
        business=business,
        business_name=payload.business_name,
        business_address=payload.business_address,
        region_code=payload.region,
        facts=payload.facts,
        request=payload.request,
        person_name=payload.person_name,
        person_phone=payload.person_phone,
        person_address=payload.person_address,
        real_name=payload.real_name,
        external_ref=payload.external_ref,
        today=timezone.localdate(),
    )
    services.complaint_take(actor=_actor(request), complaint=c, source=AuditSource.API)
    return Status(201, ComplaintOut.of(request.user, c))


@router.post("/{complaint_id}/transition", response=ComplaintOut, summary="Move a complaint or report on")
@versioned_operation
def complaint_transition(request: HttpRequest, complaint_id: int, payload: TransitionIn) -> Any:
    c = selectors.complaint_get(request.user, complaint_id)
    require_version(request, c)
    c = services.complaint_transition(
        actor=_actor(request),
        complaint=c,
        to=payload.to,
        on=payload.on,
        note=payload.note,
        ground=payload.ground,
        case_number=payload.case_number,
        upheld=payload.upheld,
        source=AuditSource.API,
        today=timezone.localdate(),
    )
    return ComplaintOut.of(request.user, c)
