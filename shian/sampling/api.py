"""Sampling endpoints: samples in scope, one sample with its judged items, and a lab's results
(the same validation and service as the results import)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema

from shian.core.models import AuditSource, User
from shian.core.permissions import Cap, require_cap

from . import imports, selectors

router = Router(tags=["sampling"])


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # noqa: S101 — guaranteed by the API's auth
    return request.user


class SampleOut(Schema):
    id: int
    code: str
    food_name: str
    region_id: str
    status: str
    conclusion: str
    sampled_on: dt.date | None


class ItemOut(Schema):
    item: str
    result: str
    verdict: str
    reason: str
    limit_text: str
    standard: str
    edition: str
    clause: str
    detection_limit: str


class SampleDetailOut(SampleOut):
    items: list[ItemOut]


class ResultIn(Schema):
    item: str
    result: str
    unit: str = ""
    detection_limit: str = ""


class ResultsIn(Schema):
    on: dt.date | None = None
    items: list[ResultIn]


@router.get("/samples", response=list[SampleOut])
def sample_list(
    request: HttpRequest, status: str = "", region: str = "", limit: int = 200
) -> list[SampleOut]:
    require_cap(request.user, Cap.SAMPLING_VIEW)
    filters = selectors.SampleFilters(status=status, region=region)
    qs = selectors.sample_list_for_user(user=request.user, filters=filters, today=timezone.localdate())
    return [SampleOut.from_orm(s) for s in qs[: max(1, min(limit, 1000))]]


@router.get("/samples/{pk}", response=SampleDetailOut)
def sample_detail(request: HttpRequest, pk: int) -> SampleDetailOut:
    sample = selectors.sample_get_for_user(user=request.user, pk=pk)
    require_cap(request.user, Cap.SAMPLING_VIEW)
    return SampleDetailOut(
        **SampleOut.from_orm(sample).dict(),
        items=[ItemOut.from_orm(i) for i in sample.items.order_by("id")],
    )


@router.post("/samples/{pk}/results", response=SampleDetailOut)
def sample_results(request: HttpRequest, pk: int, payload: ResultsIn) -> SampleDetailOut:
    """Record a lab's results; each item is judged against the limit in force. 422 with the
    problems of each item when one does not read."""
    sample = selectors.sample_get_for_user(user=request.user, pk=pk)
    require_cap(request.user, Cap.SAMPLING_RESULTS)
    imports.results_record(
        sample=sample,
        rows=[imports.ResultRow(r.item, r.result, r.unit, r.detection_limit) for r in payload.items],
        by=_actor(request),
        on=payload.on or timezone.localdate(),
        source=AuditSource.API,
    )
    sample.refresh_from_db()
    return sample_detail(request, pk)
