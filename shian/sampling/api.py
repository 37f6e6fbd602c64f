"""Sampling endpoints: samples in scope, one sample with its judged items, and a lab's results
(the same validation and service as the results import)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from shian.core.concurrency import require_version, row_version, versioned_operation
from shian.core.models import AuditSource, User
from shian.core.permissions import Cap, require_cap

from . import imports, quicktests, selectors, services
from .models import QuickTest

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
    declared: str


class SampleDetailOut(SampleOut):
    items: list[ItemOut]
    version: str = ""  # send it back with an edit: a record changed since is a 409 (core.concurrency)


class ResultIn(Schema):
    item: str
    result: str
    unit: str = ""
    detection_limit: str = ""
    declared: str = ""  # the label's declared value with its unit ("42%vol")


class ResultsIn(Schema):
    on: dt.date | None = None
    items: list[ResultIn]


class LimitExplainOut(Schema):
    verdict: str
    reason: str
    item: str
    limit_text: str
    standard: str
    edition: str
    clause: str
    rule_id: str
    verification: str
    verification_label: str
    tree: str
    category_path: str
    placed_by: str
    note: str
    source: str


@router.get("/limits/explain", response=LimitExplainOut)
def limit_explain(
    request: HttpRequest,
    on: dt.date,
    item: str = Query(..., max_length=100),
    food: str = Query(..., max_length=100),
    category: str = Query("", max_length=200),
    result: str = Query("", max_length=200),
) -> LimitExplainOut:
    """Which limit row applies to a result and why (the food's category path in the standard,
    the row, its edition, clause and verification level)."""
    require_cap(request.user, Cap.SAMPLING_VIEW)
    x = selectors.limit_explain(item=item, result=result, food=food, category=category, on=on)
    j = x.judgment
    return LimitExplainOut(
        verdict=j.verdict,
        reason=j.reason,
        item=x.item,
        limit_text=j.limit_text,
        standard=j.standard,
        edition=j.edition,
        clause=j.clause,
        rule_id=j.rule_id,
        verification=j.verification,
        verification_label=x.verification_label,
        tree=j.tree,
        category_path=j.category_path,
        placed_by=j.placed_by,
        note=j.note,
        source=x.source,
    )


@router.get("/samples", response=list[SampleOut])
def sample_list(
    request: HttpRequest, status: str = "", region: str = "", limit: int = Query(200, ge=1, le=1000)
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
        version=row_version(sample),
    )


@router.post("/samples/{pk}/results", response=SampleDetailOut)
@versioned_operation
def sample_results(request: HttpRequest, pk: int, payload: ResultsIn) -> SampleDetailOut:
    """Record a lab's results; each item is judged against the limit in force. 422 with the
    problems of each item when one does not read."""
    sample = selectors.sample_get_for_user(user=request.user, pk=pk)
    require_cap(request.user, Cap.SAMPLING_RESULTS)
    require_version(request, sample)
    imports.results_record(
        sample=sample,
        rows=[
            imports.ResultRow(r.item, r.result, r.unit, r.detection_limit, r.declared) for r in payload.items
        ],
        by=_actor(request),
        on=payload.on or timezone.localdate(),
        source=AuditSource.API,
    )
    sample.refresh_from_db()
    return sample_detail(request, pk)


class OnSiteIn(Schema):
    """The on-site record (抽样单) as the page's form sends it; `signature` is the PNG data URL
    drawn by the business's representative."""

    sampled_on: dt.date
    quantity: Decimal
    quantity_unit: str
    backup_quantity: Decimal
    backup_kept_by: str = ""
    batch: str = ""
    produced_on: dt.date | None = None
    manufacturer: str = ""
    specification: str = ""
    signed_by: str
    signature: str


@router.post("/samples/{pk}/on-site", response=SampleOut)
@versioned_operation
def sample_on_site(
    request: HttpRequest,
    pk: int,
    payload: Form[OnSiteIn],
    # Optional through the default: written `File[...] | None`, ninja no longer sees the files.
    photos: File[list[UploadedFile]] = None,  # type: ignore[assignment]
) -> SampleOut:
    """Record the sampling on site of a sample task (multipart: the fields, a signature, photos)
    and move it to "sampled", as the page does: the same service, the same checks (422 naming
    each problem, nothing saved), the record locked afterwards."""
    sample = selectors.sample_get_for_user(user=request.user, pk=pk)
    require_version(request, sample)
    limit = services.on_site_photo_max_bytes()
    services.sample_record_on_site(
        actor=_actor(request),
        source=AuditSource.API,
        sample=sample,
        batch=payload.batch,
        produced_on=payload.produced_on,
        sampled_on=payload.sampled_on,
        quantity=payload.quantity,
        quantity_unit=payload.quantity_unit,
        backup_quantity=payload.backup_quantity,
        backup_kept_by=payload.backup_kept_by,
        manufacturer=payload.manufacturer,
        specification=payload.specification,
        signed_by=payload.signed_by,
        signature=payload.signature,
        # At most one byte past the limit: the service refuses the file as too large.
        photos=[(f.name or "", f.read(limit + 1)) for f in photos or []],
    )
    sample.refresh_from_db()
    return SampleOut.from_orm(sample)


# -- quick tests (快检) -----------------------------------------------------------------------------


class QuickTestOut(Schema):
    id: int
    region_id: str
    business_id: int
    market: str
    stall: str
    product: str
    item: str
    item_code: str
    result: str
    reading: str
    kit_name: str
    kit_batch: str
    tested_at: dt.datetime
    tester_name: str
    status: str
    notified_at: dt.datetime | None
    objection_deadline: dt.datetime | None
    measures: list[str]
    objection_at: dt.datetime | None
    retest_result: str
    followup_due: dt.date | None
    followup_sample_id: int | None
    followup_sample_code: str

    version: str = ""  # send it back with an edit: a record changed since is a 409 (core.concurrency)

    @staticmethod
    def of(q: QuickTest) -> QuickTestOut:
        return QuickTestOut(
            version=row_version(q),
            id=q.pk,
            region_id=q.region_id,
            business_id=q.business_id,
            market=q.business.name,
            stall=q.stall,
            product=q.product,
            item=q.item,
            item_code=q.item_code,
            result=q.result,
            reading=q.reading,
            kit_name=q.kit_name,
            kit_batch=q.kit_batch,
            tested_at=q.tested_at,
            tester_name=q.tester_name,
            status=q.status,
            notified_at=q.notified_at,
            objection_deadline=q.objection_deadline,
            measures=list(q.measures),
            objection_at=q.objection_at,
            retest_result=q.retest_result,
            followup_due=q.followup_due,
            followup_sample_id=q.followup_sample_id,
            followup_sample_code=q.followup_sample.code if q.followup_sample else "",
        )


class QuickTestIn(Schema):
    market_id: int
    stall: str
    product: str
    item: str
    result: str  # "negative" | "positive"
    tested_at: dt.datetime
    reading: str = ""
    kit_name: str = ""
    kit_batch: str = ""


class ObjectionIn(Schema):
    reason: str
    filed_at: dt.datetime | None = None


@router.get("/quick-tests", response=list[QuickTestOut])
def quick_test_list(
    request: HttpRequest,
    region: str = "",
    market: str = "",
    result: str = "",
    status: str = "",
    item: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    limit: int = Query(200, ge=1, le=1000),
) -> list[QuickTestOut]:
    """Quick tests in the caller's area, newest first, with the list page's filters."""
    require_cap(request.user, Cap.SAMPLING_VIEW)
    filters = selectors.QuickTestFilters(
        region=region,
        market=market if market.isdigit() else "",
        result=result,
        status=status,
        item=item,
        date_from=date_from,
        date_to=date_to,
    )
    qs = selectors.quick_test_list_for_user(user=request.user, filters=filters)
    return [QuickTestOut.of(q) for q in qs[: max(1, min(limit, 1000))]]


@router.get("/quick-tests/{pk}", response=QuickTestOut)
def quick_test_detail(request: HttpRequest, pk: int) -> QuickTestOut:
    qt = selectors.quick_test_get_for_user(user=request.user, pk=pk)
    require_cap(request.user, Cap.SAMPLING_VIEW)
    return QuickTestOut.of(qt)


@router.post("/quick-tests", response={201: QuickTestOut})
def quick_test_create(request: HttpRequest, payload: QuickTestIn) -> Status[QuickTestOut]:
    """Record a quick test; 422 with the located problems (the market unknown or outside the
    caller's area, an unknown item, a reading that contradicts the result, a time in the future)."""
    require_cap(request.user, Cap.SAMPLING_MANAGE)
    # Only a market in the caller's area is found: another town's reads as a missing one, by no name.
    market = selectors.quick_test_markets_for_user(request.user).filter(pk=payload.market_id).first()
    if market is None:
        raise ValidationError({"market_id": quicktests.UNKNOWN_MARKET})
    qt = quicktests.quick_test_record(
        actor=_actor(request),
        source=AuditSource.API,
        data=quicktests.QuickTestInput(
            business=market,
            stall=payload.stall,
            product=payload.product,
            item=payload.item,
            result=payload.result,
            tested_at=payload.tested_at,
            reading=payload.reading,
            kit_name=payload.kit_name,
            kit_batch=payload.kit_batch,
            tester=_actor(request),
        ),
    )
    return Status(201, quick_test_detail(request, qt.pk))


@router.post("/quick-tests/{pk}/objection", response=QuickTestOut)
@versioned_operation
def quick_test_objection(request: HttpRequest, pk: int, payload: ObjectionIn) -> QuickTestOut:
    """Record the operator's objection; 422 naming the deadline when the 4-hour window has passed."""
    qt = selectors.quick_test_get_for_user(user=request.user, pk=pk)
    require_cap(request.user, Cap.SAMPLING_MANAGE)
    require_version(request, qt)
    quicktests.quick_test_objection_file(
        actor=_actor(request),
        source=AuditSource.API,
        quick_test=qt,
        reason=payload.reason,
        filed_at=payload.filed_at,
    )
    return quick_test_detail(request, pk)
