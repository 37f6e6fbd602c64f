"""Licence application endpoints: thin, calling the same selectors and services as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from shian.core.concurrency import require_version, row_version, versioned_operation
from shian.core.models import AuditSource, User
from shian.core.permissions import Cap, require_cap

from . import selectors, services

router = Router(tags=["licence applications"])


class PersonOut(Schema):
    role: str
    name: str
    id_masked: str


class BlockOut(Schema):
    person: str
    case_number: str
    decided_on: str | None
    until: str | None
    message: str


class ApplicationOut(Schema):
    id: int
    kind: str
    status: str
    category: str
    business_id: int | None
    applicant_name: str
    credit_code: str
    region_code: str
    business_type: str
    received_on: dt.date
    due_on: dt.date
    due_provisional: bool
    decided_on: dt.date | None
    reason: str
    licence_number: str
    licence_valid_until: dt.date | None
    checked_on: dt.date | None
    persons: list[PersonOut]
    ban_blocks: list[BlockOut]
    version: str = ""  # send it back with a transition: an application changed since is a 409


class FilterQuery(Schema):
    q: str = ""
    status: str = ""
    kind: str = ""
    region: str = ""
    clock: str = ""
    page: int = 1


class PersonIn(Schema):
    role: str
    name: str
    id_number: str


class ApplicationIn(Schema):
    kind: str
    category: str
    received_on: dt.date
    persons: list[PersonIn]
    business_id: int | None = None
    applicant_name: str = ""
    credit_code: str = ""
    address: str = ""
    region_code: str = ""
    business_type: str = ""


class TransitionIn(Schema):
    target: str
    on: dt.date
    reason: str = ""
    version: str = ""


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


def _out(request: HttpRequest, app: Any) -> dict[str, Any]:
    blocks = selectors.application_blocks_for_user(user=request.user, application=app)
    return {
        **{f: getattr(app, f) for f in ApplicationOut.model_fields if hasattr(app, f)},
        "region_code": app.region_id,
        "version": row_version(app),
        "persons": list(app.persons.all()),
        "ban_blocks": [
            {
                "person": b["person"],
                "case_number": b["case_number"],
                # The case's date and term only to a reader who may see the case.
                "decided_on": b["decided_on"] if b["full"] else None,
                "until": b["until"] if b["full"] else None,
                "message": b["message"],
            }
            for b in blocks
        ],
    }


@router.get("/", response=list[ApplicationOut])
def application_list(request: HttpRequest, filters: Query[FilterQuery]) -> list[dict[str, Any]]:
    require_cap(request.user, Cap.REGISTER_VIEW)
    data = filters.dict()
    page = max(1, int(data.pop("page")))
    qs = selectors.application_list_for_user(
        user=request.user, filters=selectors.ApplicationFilters.from_mapping(data)
    ).prefetch_related("persons")
    return [_out(request, a) for a in qs[(page - 1) * 100 : page * 100]]


@router.get("/{application_id}", response=ApplicationOut)
def application_detail(request: HttpRequest, application_id: int) -> dict[str, Any]:
    app = selectors.application_get_for_user(user=request.user, pk=application_id)  # not yours: 404 first
    require_cap(request.user, Cap.REGISTER_VIEW)
    return _out(request, app)


@router.post("/", response={201: ApplicationOut})
def application_create(request: HttpRequest, payload: ApplicationIn) -> Status[dict[str, Any]]:
    """Accept (受理) an application; the named persons are checked against the bans in force."""
    require_cap(request.user, Cap.REGISTER_CHANGE)
    business = (
        selectors.business_get_for_user(user=request.user, pk=payload.business_id)
        if payload.business_id
        else None
    )
    app = services.application_submit(
        actor=_actor(request),
        source=AuditSource.API,
        kind=payload.kind,
        category=payload.category,
        received_on=payload.received_on,
        persons=[
            services.PersonInput(role=p.role, name=p.name, id_number=p.id_number) for p in payload.persons
        ],
        business=business,
        applicant_name=payload.applicant_name,
        credit_code=payload.credit_code,
        address=payload.address,
        region_code=payload.region_code,
        business_type=payload.business_type,
    )
    return Status(201, _out(request, selectors.application_get_for_user(user=request.user, pk=app.pk)))


@router.post("/{application_id}/transition", response=ApplicationOut)
@versioned_operation
def application_transition(
    request: HttpRequest, application_id: int, payload: TransitionIn
) -> dict[str, Any]:
    """Move the application (审查, 准予, 不予许可, 撤回); 准予 re-checks the bans and writes the licence.
    Send back the `version` read with the application: one changed since is a 409."""
    app = selectors.application_get_for_user(user=request.user, pk=application_id)  # not yours: 404 first
    require_cap(request.user, Cap.REGISTER_CHANGE)
    require_version(request, app)
    services.application_transition(
        actor=_actor(request),
        source=AuditSource.API,
        application=app,
        target=payload.target,
        on=payload.on,
        reason=payload.reason,
    )
    return _out(request, selectors.application_get_for_user(user=request.user, pk=application_id))
