"""Reads of traceability, all through core scoping: a town officer sees the lots, events and trace
results of businesses in their town only ("not yours" is "not found", and a trace says nothing of
the nodes it reached elsewhere). The consumer page is public and shows what a package already
shows: the product, its path through businesses, and its test results."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import orjson
from django.db.models import Count, Min, Q, QuerySet, Sum
from django.http import Http404

from shian.core.scoping import scope_for
from shian.registry.models import Business
from shian.sampling.models import Verdict

from . import graphstore, rules
from .graph import LotGraph, TraceResult, summarise_scope
from .identifiers import resolve_typed_code
from .models import (
    Capture,
    ColdChainCheck,
    ColdChainRecord,
    ConsumerQueryCount,
    EventLot,
    Lot,
    LotEdge,
    LotSample,
    LotStatus,
    Recall,
    TraceEvent,
)

MAX_DEPTH = 64


def lots_for_user(user: Any) -> QuerySet[Lot]:
    return scope_for(user).apply(
        Lot.objects.all(), region_field="region", type_field="business__business_type"
    )


def lot_get_for_user(*, user: Any, pk: int) -> Lot:
    lot = lots_for_user(user).select_related("business", "region").filter(pk=pk).first()
    if lot is None:
        raise Http404
    return lot


def events_for_user(user: Any) -> QuerySet[TraceEvent]:
    return scope_for(user).apply(
        TraceEvent.objects.all(), region_field="region", type_field="business__business_type"
    )


def recalls_for_user(user: Any) -> QuerySet[Recall]:
    return scope_for(user).apply(
        Recall.objects.all(), region_field="region", type_field="lot__business__business_type"
    )


def recall_list_for_user(*, user: Any, q: str = "", status: str = "", region: str = "") -> QuerySet[Recall]:
    """The recalls the user sees, newest first, filtered by text (the lot's code, product or lot
    number, the sample's number), status and town, with the businesses each reached and how many
    of their disposal tasks are closed."""
    qs = recalls_for_user(user)
    if q:
        qs = qs.filter(
            Q(lot__identifier__icontains=q)
            | Q(lot__product_name__icontains=q)
            | Q(lot__lot_number__icontains=q)
            | Q(sample__code__icontains=q)
        )
    if status:
        qs = qs.filter(status=status)
    if region:
        qs = qs.filter(region_id=region)
    return (
        qs.select_related("lot", "sample", "region")
        .annotate(
            businesses_reached=Count("businesses", distinct=True),
            disposals_closed=Count(
                "businesses", filter=Q(businesses__disposal__status="closed"), distinct=True
            ),
        )
        .order_by("-opened_on", "-id")
    )


def recall_get_for_user(*, user: Any, pk: int) -> Recall:
    recall = recalls_for_user(user).select_related("lot", "sample", "lot__business").filter(pk=pk).first()
    if recall is None:
        raise Http404
    return recall


def capture_get_for_user(*, user: Any, pk: int) -> Capture:
    """A capture its sender made (district staff see all)."""
    scope = scope_for(user)
    qs = Capture.objects.filter(pk=pk)
    if not scope.everything or scope.business_types is not None:
        qs = qs.filter(captured_by=user)
    capture = qs.first()
    if capture is None or scope.nothing:
        raise Http404
    return capture


# -- traces ---------------------------------------------------------------------------------------


@dataclass(slots=True)
class TraceRow:
    lot_id: int
    depth: int
    via: int
    at: dt.datetime | None
    quantity: float | None


@dataclass(slots=True)
class BusinessRow:
    business_id: int
    region_id: str
    lots: int
    quantity: float
    uom: str
    depth: int


@dataclass
class TraceView:
    """A trace as a person in scope may see it: the lots and the businesses, with what is outside
    the person's area left out entirely."""

    start: Lot
    forward: bool
    rows: list[TraceRow]
    businesses: list[BusinessRow]
    lots_reached: int
    external_holders: int
    truncated: bool
    lot_ids: list[int] = field(default_factory=list)


def _window(value: dt.date | None, end: bool) -> int | None:
    if value is None:
        return None
    moment = dt.datetime.combine(value, dt.time.max if end else dt.time.min, tzinfo=dt.UTC)
    return int(moment.timestamp())


def business_regions(ids: list[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    for i in range(0, len(ids), 5000):
        out.update(Business.objects.filter(pk__in=ids[i : i + 5000]).values_list("id", "region_id"))
    return out


def summarise(
    *,
    lot: Lot,
    forward: bool,
    result: TraceResult,
    qty: np.ndarray,
    units: np.ndarray,
    user: Any | None,
    graph: LotGraph | None = None,
) -> TraceView:
    """Group a trace by business (lots, quantity, nearest depth), keeping only what `user` may see
    (None: everything, for a recall's own record). Details come from the in-memory graph (`graph`,
    the one the trace ran on), as numpy reductions; rows are built from whole columns."""
    graph = graph if graph is not None else graphstore.current_graph()
    s = summarise_scope(graph, result, qty, units)
    unknown = s.business[s.region < 0].tolist()
    if unknown:  # a business the graph has not seen yet (registered after the load)
        graph.set_business_regions(list(business_regions(unknown).items()))
        s = summarise_scope(graph, result, qty, units)
    scope = scope_for(user) if user is not None else None
    open_all = scope is None or (scope.everything and scope.business_types is None)
    if open_all:
        allowed_region = np.ones(len(graph.regions) + 1, dtype=bool)
    else:
        assert scope is not None  # noqa: S101
        allowed_region = np.asarray([scope.allows_region(r) for r in graph.regions] + [False], dtype=bool)
    keep_b = allowed_region[s.region]
    if not open_all and scope is not None and scope.business_types is not None:
        allowed_types = Business.objects.filter(
            pk__in=s.business.tolist(), business_type__in=sorted(scope.business_types)
        ).values_list("id", flat=True)
        keep_b &= np.isin(s.business, np.asarray(sorted(allowed_types), dtype=np.int64))
    # In (depth, town code, business id) order: a town's rank among the codes stands for its code.
    regions = np.asarray(graph.regions or [""], dtype=object)
    rank = np.empty(regions.size, dtype=np.int64)
    rank[np.argsort(regions, kind="stable")] = np.arange(regions.size)
    picked = np.flatnonzero(keep_b)
    order = picked[np.lexsort((s.business[picked], rank[s.region[picked]], s.depth[picked]))]
    uoms = graph.uoms
    names = graph.regions
    units_of = [*uoms, *[""] * 256]  # an index past the known units reads as no unit
    rows_b = [
        BusinessRow(b, names[r], n, q, units_of[u], d)
        for b, r, n, q, u, d in zip(
            s.business[order].tolist(),
            s.region[order].tolist(),
            s.lots[order].tolist(),
            s.quantity[order].tolist(),
            s.unit[order].tolist(),
            s.depth[order].tolist(),
            strict=True,
        )
    ]
    nodes = result.nodes
    if open_all:
        keep = np.ones(nodes.size, dtype=bool)
    else:
        holders = graph.node_business[nodes]
        keep = np.isin(holders, s.business[keep_b])
    first = np.flatnonzero(keep)[:500]
    rows = [
        TraceRow(
            lot_id=n,
            depth=d,
            via=v,
            at=dt.datetime.fromtimestamp(t, tz=dt.UTC) if v >= 0 else None,
            quantity=None if q != q else q,
        )
        for n, d, v, t, q in zip(
            nodes[first].tolist(),
            result.depth[first].tolist(),
            result.via[first].tolist(),
            result.via_edge_time[first].tolist(),
            result.via_edge_qty[first].tolist(),
            strict=True,
        )
    ]
    return TraceView(
        start=lot,
        forward=forward,
        rows=rows,
        businesses=rows_b,
        lots_reached=int(np.count_nonzero(keep)) - (1 if keep.size and keep[0] else 0),
        external_holders=s.external_nodes if open_all else 0,
        truncated=result.truncated,
        lot_ids=nodes[keep].tolist(),
    )


def trace_for_user(
    *,
    user: Any,
    lot: Lot,
    forward: bool,
    depth: int = MAX_DEPTH,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> TraceView:
    """The engine's trace with its details (one walk over one graph, one freshness check), as
    `user` may see it."""
    graph = graphstore.current_graph()
    result = graph.trace(
        lot.pk,
        forward=forward,
        max_depth=max(1, min(depth, MAX_DEPTH)),
        since=_window(since, False),
        until=_window(until, True),
    )
    qty, units = graph.inflow(result, forward)
    return summarise(lot=lot, forward=forward, result=result, qty=qty, units=units, user=user, graph=graph)


RECALL_PAGE_BUSINESSES = 300


@dataclass(frozen=True, slots=True)
class Named:
    name: str


@dataclass(frozen=True, slots=True)
class ListedBusiness:
    """What a scope table shows of a business: its name and its town's (`biz.region.name`)."""

    pk: int
    name: str
    region: Named | None


def listed_businesses(ids: list[int]) -> dict[int, ListedBusiness]:
    """Names and towns of the businesses a page lists, in one query (not one per business and
    town, and no model instance per row)."""
    out: dict[int, ListedBusiness] = {}
    for i in range(0, len(ids), 900):
        for pk, name, town in Business.objects.filter(pk__in=ids[i : i + 900]).values_list(
            "id", "name", "region__name"
        ):
            out[pk] = ListedBusiness(pk, name, Named(town) if town is not None else None)
    return out


def recall_scope_for_user(*, user: Any, lot: Lot) -> tuple[TraceView, dict[int, ListedBusiness]]:
    """What the recall page shows of a lot's forward scope: the engine's recall scope with its
    details (trace_for_user), and the names and towns of the businesses the page lists."""
    view = trace_for_user(user=user, lot=lot, forward=True)
    return view, listed_businesses([b.business_id for b in view.businesses[:RECALL_PAGE_BUSINESSES]])


def lots_by_id(ids: list[int]) -> dict[int, Lot]:
    out: dict[int, Lot] = {}
    for i in range(0, len(ids), 900):
        out.update(Lot.objects.select_related("business", "region").in_bulk(ids[i : i + 900]))
    return out


# -- EPCIS query and export ------------------------------------------------------------------------


@dataclass(frozen=True)
class EventQuery:
    """A subset of the EPCIS 2.0 simple event query's parameters."""

    event_type: str = ""
    ge_event_time: dt.datetime | None = None
    lt_event_time: dt.datetime | None = None
    eq_biz_step: str = ""
    match_any: str = ""  # MATCH_anyEPC / MATCH_anyEPCClass, a canonical identifier
    capture: int | None = None
    limit: int = 1000


def events_query(*, user: Any, q: EventQuery) -> QuerySet[TraceEvent]:
    qs = events_for_user(user)
    if q.event_type:
        qs = qs.filter(event_type=q.event_type)
    if q.ge_event_time:
        qs = qs.filter(event_time__gte=q.ge_event_time)
    if q.lt_event_time:
        qs = qs.filter(event_time__lt=q.lt_event_time)
    if q.eq_biz_step:
        qs = qs.filter(
            Q(biz_step=q.eq_biz_step) | Q(biz_step=f"https://ref.gs1.org/cbv/BizStep-{q.eq_biz_step}")
        )
    if q.match_any:
        qs = qs.filter(pk__in=EventLot.objects.filter(lot__identifier=q.match_any).values("event_id"))
    if q.capture is not None:
        qs = qs.filter(capture_id=q.capture)
    return qs.order_by("event_time", "id")


EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"


def event_json(event: TraceEvent, *, with_record_time: bool) -> dict[str, Any]:
    """The event exactly as captured, with its hash ID as eventID when it came without one (and
    the record time, in query results)."""
    body: dict[str, Any] = orjson.loads(event.body)
    if "eventID" not in body:
        body["eventID"] = event.hash_id
    if with_record_time and "recordTime" not in body:
        body["recordTime"] = event.record_time.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    return body


def _context_of(events: list[TraceEvent]) -> list[Any]:
    """The GS1 context plus every namespace the captured documents declared."""
    extra: dict[str, Any] = {}
    for header in Capture.objects.filter(pk__in={e.capture_id for e in events}).values_list(
        "header", flat=True
    ):
        ctx = header.get("@context") if isinstance(header, Mapping) else None
        for item in ctx if isinstance(ctx, list) else [ctx]:
            if isinstance(item, Mapping):
                extra.update(item)
    return [EPCIS_CONTEXT, extra] if extra else [EPCIS_CONTEXT]


def epcis_document(events: list[TraceEvent], *, created: dt.datetime) -> dict[str, Any]:
    """An EPCISDocument (JSON-LD) of the events as captured: captured again, it adds nothing."""
    return {
        "@context": _context_of(events),
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": created.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        "epcisBody": {"eventList": [event_json(e, with_record_time=False) for e in events]},
    }


def epcis_query_document(events: list[TraceEvent], *, created: dt.datetime) -> dict[str, Any]:
    return {
        "@context": _context_of(events),
        "type": "EPCISQueryDocument",
        "schemaVersion": "2.0",
        "creationDate": created.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        "epcisBody": {
            "queryResults": {
                "queryName": "SimpleEventQuery",
                "resultsBody": {"eventList": [event_json(e, with_record_time=True) for e in events]},
            }
        },
    }


# -- consumer page ---------------------------------------------------------------------------------


@dataclass
class PublicLot:
    identifier: str
    product_name: str
    product_line: str
    lot_number: str
    produced_on: dt.date | None
    best_before: dt.date | None
    stages: list[dict[str, Any]]
    samples: list[Any]
    recalled: bool
    unqualified: bool


def public_lot(*, code: str) -> PublicLot | None:
    """What the consumer page shows for a typed or scanned code; None when the platform holds no
    lot of it. Read live: a verdict or a recall shows at once."""

    candidates = resolve_typed_code(code)
    if not candidates:
        return None
    nodes = list(
        Lot.objects.filter(identifier__in=candidates).select_related("business", "region").order_by("id")
    )
    if not nodes:
        return None
    identifier = nodes[0].identifier
    nodes = [n for n in nodes if n.identifier == identifier]
    first = next((n for n in nodes if n.product_name), nodes[0])
    node_ids = [n.pk for n in nodes]
    # When the lot reached each holder (its first receipt), else its first event there (the
    # producer's commissioning): the product's path in time order.
    arrivals = dict(
        LotEdge.objects.filter(dst_id__in=node_ids)
        .values("dst_id")
        .annotate(first=Min("at"))
        .values_list("dst_id", "first")
    )
    for lot_id, earliest in (
        EventLot.objects.filter(lot_id__in=node_ids)
        .values("lot_id")
        .annotate(earliest=Min("event__event_time"))
        .values_list("lot_id", "earliest")
    ):
        arrivals.setdefault(lot_id, earliest)
    stages = sorted(
        (
            {
                "business": n.business.name if n.business else "",
                "town": n.region.name if n.region else "",
                "external": n.business is None,
                "at": arrivals.get(n.pk),
                "status": n.status,
            }
            for n in nodes
        ),
        key=lambda s: s["at"] or dt.datetime.max.replace(tzinfo=dt.UTC),
    )
    samples = list(
        LotSample.objects.filter(lot__identifier=identifier)
        .select_related("sample", "sample__business")
        .order_by("-sample__sampled_on")
    )
    unqualified = any(s.sample.conclusion == Verdict.UNQUALIFIED for s in samples) or any(
        n.status == LotStatus.UNQUALIFIED for n in nodes
    )
    return PublicLot(
        identifier=identifier,
        product_name=first.product_name,
        product_line=first.product_line,
        lot_number=first.lot_number,
        produced_on=first.produced_on,
        best_before=first.best_before,
        stages=stages,
        samples=[s.sample for s in samples],
        recalled=any(n.status == LotStatus.RECALLED for n in nodes),
        unqualified=unqualified,
    )


def query_counts(*, year: int) -> list[dict[str, Any]]:
    """Consumer queries per product line: this year and the year before."""
    out = []
    agg = (
        ConsumerQueryCount.objects.filter(day__year__in=[year - 1, year])
        .values_list("product_line", "day__year")
        .annotate(n=Sum("count"))
    )
    table: dict[str, dict[int, int]] = {}
    for line, y, n in agg:
        table.setdefault(line, {})[y] = int(n or 0)
    for line, years in sorted(table.items()):
        growth = rules.growth_percent(years.get(year, 0), years.get(year - 1, 0))
        out.append(
            {
                "line": line,
                "current": years.get(year, 0),
                "previous": years.get(year - 1, 0),
                "growth": growth,
            }
        )
    return out


# -- coverage --------------------------------------------------------------------------------------


@dataclass
class CoverageRow:
    region_id: str
    business_type: str
    expected: int
    recording: int


def coverage_for_user(
    *, user: Any, start: dt.date, end: dt.date
) -> tuple[str, list[CoverageRow], dict[str, int]]:
    """By town and business type: businesses expected to record trace events and those that did in
    [start, end]; and the events by type and business step."""
    edition, types = rules.recording_types(end)
    scope = scope_for(user)
    expected = scope.apply(
        Business.objects.filter(business_type__in=sorted(types), status="active"),
        region_field="region",
        type_field="business_type",
    )
    totals = {
        (r, t): n
        for r, t, n in expected.values("region_id", "business_type")
        .annotate(n=Count("id"))
        .values_list("region_id", "business_type", "n")
    }
    events = events_for_user(user).filter(event_time__date__gte=start, event_time__date__lte=end)
    recording = {
        (r, t): n
        for r, t, n in events.filter(business__isnull=False)
        .values("region_id", "business__business_type")
        .annotate(n=Count("business_id", distinct=True))
        .values_list("region_id", "business__business_type", "n")
    }
    rows = [
        CoverageRow(
            region_id=r, business_type=t, expected=totals.get((r, t), 0), recording=recording.get((r, t), 0)
        )
        for r, t in sorted(set(totals) | set(recording))
    ]
    by_step = dict(events.values("biz_step").annotate(n=Count("id")).values_list("biz_step", "n"))
    return edition, rows, by_step


def cold_chain_records_for_user(user: Any) -> QuerySet[ColdChainRecord]:
    return scope_for(user).apply(
        ColdChainRecord.objects.all(), region_field="region", type_field="warehouse__business_type"
    )


def cold_chain_checks_for_user(user: Any) -> QuerySet[ColdChainCheck]:
    return scope_for(user).apply(
        ColdChainCheck.objects.all(), region_field="region", type_field="business__business_type"
    )
