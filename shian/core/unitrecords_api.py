"""The JSON API of unit records (core.unitrecords): list, read, add and change a record of any kind a
module registers, through the same service as its pages and its import."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import Body, Field, Query, Router, Schema, Status

from . import unitrecords as ur
from .concurrency import require_version, row_version, versioned_operation
from .models import AuditSource
from .permissions import UnitCap, require_cap


class ListParams(Schema):
    region: str = Field("", max_length=12)
    offset: int = Field(0, ge=0, le=10**9)
    limit: int = Field(100, ge=1, le=1000)


class RecordList(Schema):
    count: int
    items: list[dict[str, Any]]


def make_router(registry: ur.Registry, *, tag: str, router: Router | None = None) -> Router:
    """The record operations of a module's kinds, added to `router` (after the module's own
    operations, so a fixed path such as /pesticides/status is matched before /{kind}/{pk})."""
    router = router or Router(tags=[tag])
    kinds = ", ".join(registry.kinds)

    def kind_of(slug: str) -> ur.Kind:
        kind = registry.get(slug)
        if kind is None:
            raise Http404
        return kind

    @router.get(
        "/{kind}/", response=RecordList, summary="List records of a kind", description=f"kind: {kinds}"
    )
    def record_list(request: HttpRequest, kind: str, params: Query[ListParams]) -> dict[str, Any]:
        require_cap(request.user, UnitCap.VIEW)
        k = kind_of(kind)
        qs = ur.records_for_user(k, request.user)
        if params.region:
            qs = qs.filter(region_id=params.region)
        offset, limit = params.offset, params.limit
        return {"count": qs.count(), "items": [ur.as_json(k, r) for r in qs[offset : offset + limit]]}

    @router.get("/{kind}/{pk}", response=dict[str, Any], summary="One record")
    def record_get(request: HttpRequest, kind: str, pk: int) -> dict[str, Any]:
        require_cap(request.user, UnitCap.VIEW)
        k = kind_of(kind)
        record = ur.record_get_or_404(k, request.user, pk)
        return {**ur.as_json(k, record), "version": row_version(record)}

    @router.post(
        "/{kind}/",
        response={201: dict[str, Any]},
        summary="Add a record",
        description="The body names the fields as the list returns them; references by their code.",
    )
    def record_create(request: HttpRequest, kind: str, body: dict[str, Any] = Body(...)) -> Any:  # noqa: B008
        k = kind_of(kind)
        record = ur.unit_record_save(kind=k, by=request.user, source=AuditSource.API, data=_form_data(body))
        return Status(201, ur.as_json(k, record))

    @router.put("/{kind}/{pk}", response=dict[str, Any], summary="Change a record")
    @versioned_operation
    def record_update(request: HttpRequest, kind: str, pk: int, body: dict[str, Any] = Body(...)) -> Any:  # noqa: B008
        require_cap(request.user, UnitCap.VIEW)
        k = kind_of(kind)
        record = ur.record_get_or_404(k, request.user, pk)
        if not ur.may_change(request.user, k, record):
            raise PermissionDenied("该记录不由本单位（本镇街）负责。")
        require_version(request, record)  # the body's "version" (core.concurrency)
        record = ur.unit_record_save(
            kind=k, by=request.user, source=AuditSource.API, data=_form_data(body), instance=record
        )
        return {**ur.as_json(k, record), "version": row_version(record)}

    return router


def _form_data(body: dict[str, Any]) -> dict[str, Any]:
    """JSON values as a form reads them: booleans as true/false, None as empty."""
    out: dict[str, Any] = {}
    for key, value in body.items():
        if isinstance(value, bool):
            out[key] = "true" if value else ""
        elif value is None:
            out[key] = ""
        else:
            out[key] = str(value)[:2000]
    return out
