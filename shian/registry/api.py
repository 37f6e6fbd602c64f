"""Register endpoints: thin, calling the same selectors and services as the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from shian.core.lists import MAX_OFFSET, AtLeast, capped_count
from shian.core.models import AuditSource, User
from shian.core.permissions import Cap, require_cap

from . import selectors, services
from .lookups import build_lookups
from .models import Business
from .rules import clean_business

router = Router(tags=["businesses"])


class BusinessOut(Schema):
    id: int
    name: str
    credit_code: str | None
    production_licence: str | None
    business_licence: str | None
    business_type: str
    scale: str
    region_code: str
    address: str
    legal_representative: str
    longitude: Decimal | None
    latitude: Decimal | None
    status: str
    opened_on: dt.date | None
    licence_valid_until: dt.date | None
    closed_on: dt.date | None


class BusinessDetailOut(BusinessOut):
    categories: list[str]
    version: str  # send it back with an update: a record changed since is a 409 conflict


class BusinessPage(Schema):
    count: int = Field(
        ...,
        description="The businesses matching the filters, counted up to 10,000 (or up to this page when"
        " it lies further): when count_capped is true there are more than count.",
    )
    count_capped: bool = Field(
        ...,
        description="True when the list goes on past count (a capped count, not an exact one): page on"
        " until results is shorter than page_size, or narrow the filters for an exact count.",
    )
    page: int
    page_size: int
    results: list[BusinessOut]


class BusinessIn(Schema):
    # An update must carry the version it was made from (the detail's "version"); creating needs none.
    version: str | None = None
    name: str
    credit_code: str | None = None
    production_licence: str | None = None
    business_licence: str | None = None
    business_type: str
    categories: list[str] = []
    scale: str = "small"
    region_code: str
    address: str = ""
    legal_representative: str = ""
    longitude: str | None = None
    latitude: str | None = None
    status: str = "active"
    opened_on: str | None = None
    licence_valid_until: str | None = None
    closed_on: str | None = None


class HistoryOut(Schema):
    seq: int
    at: dt.datetime
    actor: str = Field(..., alias="actor_username")
    action: str
    source: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class FilterQuery(Schema):
    q: str = ""
    region: str = ""
    business_type: str = ""
    status: str = ""
    category: str = ""
    scale: str = ""
    licence: str = ""  # expired, valid or unknown (no expiry date on file)
    page: int = Field(1, ge=1, le=MAX_OFFSET)
    page_size: int = Field(50, ge=1, le=500)


def _actor(request: HttpRequest) -> User:
    """The authenticated user (every endpoint requires a token or a session)."""
    assert isinstance(request.user, User)  # noqa: S101 — guaranteed by the API's auth
    return request.user


_OUT_FIELDS = [f for f in BusinessOut.model_fields if f not in ("region_code",)]


def _out(business: Business) -> dict[str, Any]:
    data = {f: getattr(business, f) for f in _OUT_FIELDS}
    data["region_code"] = business.region_id
    return data


def _detail(business: Business) -> dict[str, Any]:
    data = _out(business)
    data["categories"] = [c.code for c in selectors.business_categories(business=business)]
    data["version"] = services.business_version(business)
    return data


def _clean(request: HttpRequest, payload: BusinessIn) -> Any:
    data, errors = clean_business(payload.dict(), build_lookups(request.user))
    if errors:
        raise ValidationError(errors)
    return data


@router.get("/", response=BusinessPage)
def business_list(request: HttpRequest, filters: Query[FilterQuery]) -> dict[str, Any]:
    require_cap(request.user, Cap.REGISTER_VIEW)
    qs = selectors.business_list_for_user(
        user=request.user, filters=selectors.BusinessFilters.from_mapping(filters.dict())
    )
    start = (filters.page - 1) * filters.page_size
    # The count stops at the cap, or at this page's end when the client paged further.
    count = capped_count(qs, max(settings.SHIAN_LIST_COUNT_CAP, start + filters.page_size))
    return {
        "count": count,
        "count_capped": isinstance(count, AtLeast),
        "page": filters.page,
        "page_size": filters.page_size,
        "results": [_out(b) for b in qs[start : start + filters.page_size]],
    }


@router.get("/{business_id}", response=BusinessDetailOut)
def business_detail(request: HttpRequest, business_id: int) -> dict[str, Any]:
    business = selectors.business_get_for_user(user=request.user, pk=business_id)
    return _detail(business)


@router.get("/{business_id}/history", response=list[HistoryOut])
def business_history(request: HttpRequest, business_id: int) -> list[Any]:
    business = selectors.business_get_for_user(user=request.user, pk=business_id)
    return list(selectors.business_history(business=business))


class EventOut(Schema):
    id: int
    kind: str
    kind_label: str
    occurred_on: dt.date
    note: str
    origin_type: str
    origin_id: str
    voided: bool
    void_reason: str


class EventIn(Schema):
    kind: str
    occurred_on: dt.date
    note: str


def _event_out(e: Any) -> dict[str, Any]:
    return {
        "id": e.pk,
        "kind": e.kind,
        "kind_label": str(e.get_kind_display()),
        "occurred_on": e.occurred_on,
        "note": e.note,
        "origin_type": e.origin_type,
        "origin_id": e.origin_id,
        "voided": e.voided_at is not None,
        "void_reason": e.void_reason,
    }


@router.get("/{business_id}/events", response=list[EventOut])
def business_events(request: HttpRequest, business_id: int) -> list[dict[str, Any]]:
    """The business's event ledger (voided entries included, marked), newest first."""
    business = selectors.business_get_for_user(user=request.user, pk=business_id)
    return [
        _event_out(e) for e in selectors.business_events_for_user(user=request.user, business=business)[:500]
    ]


@router.post("/{business_id}/events", response={201: EventOut})
def business_event_create(request: HttpRequest, business_id: int, payload: EventIn) -> Status[dict[str, Any]]:
    """An officer records an event of a business in their scope; the grade reflects it at the next
    regrade."""
    business = selectors.business_get_for_user(user=request.user, pk=business_id)
    event = services.business_event_record(
        actor=_actor(request),
        source=AuditSource.API,
        business=business,
        kind=payload.kind,
        occurred_on=payload.occurred_on,
        note=payload.note,
    )
    return Status(201, _event_out(event))


@router.post("/", response={201: BusinessDetailOut})
def business_create(request: HttpRequest, payload: BusinessIn) -> Status[dict[str, Any]]:
    require_cap(request.user, Cap.REGISTER_CHANGE)
    business = services.business_create(
        actor=_actor(request),
        source=AuditSource.API,
        data=_clean(request, payload),
    )
    return Status(201, _detail(business))


@router.put("/{business_id}", response=BusinessDetailOut)
def business_update(request: HttpRequest, business_id: int, payload: BusinessIn) -> dict[str, Any]:
    business = selectors.business_get_for_user(user=request.user, pk=business_id)
    require_cap(request.user, Cap.REGISTER_CHANGE)
    if not payload.version:
        raise HttpError(428, _("更新须带上读取记录时的 version，以免覆盖他人的修改"))
    business = services.business_update(
        actor=_actor(request),
        source=AuditSource.API,
        business=business,
        data=_clean(request, payload),
        expected_version=payload.version,
    )
    return _detail(business)
