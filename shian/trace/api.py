"""EPCIS 2.0 capture and query (`/api/v1/epcis/…`, after the standard's REST binding) and the lot
graph's traces (`/api/v1/trace/…`). The same services and selectors as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Router, Schema, Status

from shian.core.models import AuditSource, User
from shian.core.permissions import TraceCap, require_cap

from . import selectors, services
from .identifiers import canonical_identifier

epcis_router = Router(tags=["EPCIS 2.0"])
trace_router = Router(tags=["trace"])
JSONLD = "application/ld+json"


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # noqa: S101 — guaranteed by the API's auth
    return request.user


def _problem(status: int, title: str, errors: list[dict[str, str]] | None = None) -> HttpResponse:
    """An RFC 7807 problem, as the EPCIS REST binding answers a refused capture."""
    body: dict[str, Any] = {"type": "epcisException:ValidationException", "title": title, "status": status}
    if errors is not None:
        body["errors"] = errors
    return HttpResponse(orjson.dumps(body), status=status, content_type="application/problem+json")


class CaptureOut(Schema):
    captureID: int
    events: int
    new: int
    alreadyCaptured: int
    eventIDs: list[str]


@epcis_router.post(
    "/capture",
    response={201: CaptureOut},
    summary="Capture an EPCIS 2.0 document",
    description=(
        "The body is an EPCISDocument (JSON or JSON-LD). It is validated against GS1's EPCIS 2.0 JSON Schema "
        "and the standard's rules; any problem refuses the whole document (400, each problem with its JSON "
        "pointer) and nothing is written. Events already held (same EPCIS Event Hash ID) are skipped."
    ),
    openapi_extra={
        "requestBody": {
            "content": {
                "application/json": {"schema": {"type": "object"}},
                JSONLD: {"schema": {"type": "object"}},
            },
            "required": True,
        }
    },
)
def capture(request: HttpRequest) -> Any:
    require_cap(request.user, TraceCap.CAPTURE)
    try:
        document = orjson.loads(request.body or b"null")
    except orjson.JSONDecodeError as exc:
        return _problem(
            400, "The body is not JSON", [{"pointer": "", "code": "json", "message": str(exc), "detail": ""}]
        )
    try:
        result = services.epcis_capture(by=_actor(request), document=document, source=AuditSource.API)
    except services.CaptureRejected as exc:
        return _problem(
            400, "The EPCIS document was refused; nothing was captured", [p.as_dict() for p in exc.problems]
        )
    assert result.capture is not None  # noqa: S101
    return Status(
        201,
        CaptureOut(
            captureID=result.capture.pk,
            events=result.total,
            new=result.new,
            alreadyCaptured=result.duplicate,
            eventIDs=result.hash_ids,
        ),
    )


class CaptureJobOut(Schema):
    captureID: int
    running: bool
    success: bool
    captured_at: dt.datetime
    events: int
    new: int


@epcis_router.get("/capture/{capture_id}", response=CaptureJobOut, summary="A capture job")
def capture_job(request: HttpRequest, capture_id: int) -> CaptureJobOut:
    require_cap(request.user, TraceCap.CAPTURE)
    c = selectors.capture_get_for_user(user=request.user, pk=capture_id)
    return CaptureJobOut(
        captureID=c.pk,
        running=False,
        success=True,
        captured_at=c.captured_at,
        events=c.events_total,
        new=c.events_new,
    )


def _query(request: HttpRequest, **params: Any) -> selectors.EventQuery:
    def when(value: str | None) -> dt.datetime | None:
        if not value:
            return None
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        return parsed if parsed.tzinfo else timezone.make_aware(parsed)

    match = params.get("MATCH_anyEPCClass") or params.get("MATCH_anyEPC") or ""
    return selectors.EventQuery(
        event_type=params.get("eventType") or "",
        ge_event_time=when(params.get("GE_eventTime")),
        lt_event_time=when(params.get("LT_eventTime")),
        eq_biz_step=params.get("EQ_bizStep") or "",
        match_any=canonical_identifier(match) if match else "",
        limit=max(1, min(int(params.get("perPage") or 1000), 10_000)),
    )


@epcis_router.get(
    "/events",
    summary="Query events (EPCISQueryDocument)",
    description="A subset of the simple event query: eventType, GE_eventTime, LT_eventTime, EQ_bizStep, MATCH_anyEPC, MATCH_anyEPCClass, perPage.",
    response={200: dict[str, Any], 400: dict[str, Any]},
)
def events(
    request: HttpRequest,
    eventType: str = "",
    GE_eventTime: str = "",
    LT_eventTime: str = "",
    EQ_bizStep: str = "",
    MATCH_anyEPC: str = "",
    MATCH_anyEPCClass: str = "",
    perPage: int = 1000,
) -> Any:
    require_cap(request.user, TraceCap.VIEW)
    try:
        q = _query(
            request,
            eventType=eventType,
            GE_eventTime=GE_eventTime,
            LT_eventTime=LT_eventTime,
            EQ_bizStep=EQ_bizStep,
            MATCH_anyEPC=MATCH_anyEPC,
            MATCH_anyEPCClass=MATCH_anyEPCClass,
            perPage=perPage,
        )
    except ValueError:
        return _problem(400, "A time parameter is not an RFC 3339 date-time")
    found = list(selectors.events_query(user=request.user, q=q)[: q.limit])
    return HttpResponse(
        orjson.dumps(selectors.epcis_query_document(found, created=timezone.now())), content_type=JSONLD
    )


@epcis_router.get(
    "/events/export",
    summary="Export events as an EPCISDocument",
    description="The events as captured (with their hash ID as eventID where they came without one): captured again, the document adds nothing.",
    response={200: dict[str, Any], 400: dict[str, Any]},
)
def export(
    request: HttpRequest,
    eventType: str = "",
    GE_eventTime: str = "",
    LT_eventTime: str = "",
    MATCH_anyEPCClass: str = "",
    capture: int | None = None,
) -> Any:
    require_cap(request.user, TraceCap.VIEW)
    try:
        q = _query(
            request,
            eventType=eventType,
            GE_eventTime=GE_eventTime,
            LT_eventTime=LT_eventTime,
            MATCH_anyEPCClass=MATCH_anyEPCClass,
            perPage=10_000,
        )
    except ValueError:
        return _problem(400, "A time parameter is not an RFC 3339 date-time")
    if capture is not None:
        q = selectors.EventQuery(**{**q.__dict__, "capture": capture})
    found = list(selectors.events_query(user=request.user, q=q)[:100_000])
    return HttpResponse(
        orjson.dumps(selectors.epcis_document(found, created=timezone.now())), content_type=JSONLD
    )


class BusinessOut(Schema):
    business_id: int
    region_id: str
    lots: int
    quantity: float
    uom: str
    depth: int


class TraceOut(Schema):
    lot: int
    identifier: str
    direction: str
    lots_reached: int
    truncated: bool
    businesses: list[BusinessOut]
    lot_ids: list[int]


@trace_router.get(
    "/lots/{lot_id}/trace",
    response=TraceOut,
    summary="Trace a lot backward (origin) or forward (recall scope)",
)
def trace(
    request: HttpRequest,
    lot_id: int,
    direction: str = "forward",
    depth: int = 64,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> TraceOut:
    require_cap(request.user, TraceCap.VIEW)
    lot = selectors.lot_get_for_user(user=request.user, pk=lot_id)
    view = selectors.trace_for_user(
        user=request.user, lot=lot, forward=direction != "backward", depth=depth, since=since, until=until
    )
    return TraceOut(
        lot=lot.pk,
        identifier=lot.identifier,
        direction="backward" if direction == "backward" else "forward",
        lots_reached=view.lots_reached,
        truncated=view.truncated,
        businesses=[
            BusinessOut(
                business_id=b.business_id,
                region_id=b.region_id,
                lots=b.lots,
                quantity=b.quantity,
                uom=b.uom,
                depth=b.depth,
            )
            for b in view.businesses
        ],
        lot_ids=view.lot_ids[:10_000],
    )
