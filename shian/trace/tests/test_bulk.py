"""Capture in bulk and the recall page on a hub lot.

A 5,000-event document (a wholesale market's month of shipments to the shops of two towns) is
captured whole with one audit entry, captured again adds nothing, and with one broken event it is
refused whole with that event's pointer and nothing written. The in-memory lot graph takes a
capture's rows after its commit without reading them back. The recall page's scope on a hub lot
(one batch of salt reaching a hundred businesses and more) is what the selector gave before it was
built on the engine's result, table for table."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import orjson
import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import CaptureQueriesContext

from shian.core.models import AuditEntry
from shian.core.scoping import scope_for
from shian.core.tests.factories import TOWN_A, TOWN_B
from shian.core.tokens import api_token_create
from shian.registry.models import Business
from shian.trace import graphstore, selectors, services
from shian.trace.graph import summarise_scope
from shian.trace.models import Lot, LotEdge, TraceEvent
from shian.trace.tests import docs
from shian.trace.tests.helpers import written

NOW = dt.datetime(2022, 6, 1, tzinfo=dt.UTC)
EVENTS = 5000


@pytest.fixture
def market(db):
    """A wholesale market in one town and forty shops across two."""
    hub = docs.business("北辰区红旗农贸批发市场", TOWN_B)
    shops = [docs.business(f"便民超市{i:02d}号店", TOWN_A if i % 2 else TOWN_B) for i in range(40)]
    return hub, shops


def _month(hub: Business, shops: list[Business]) -> dict[str, Any]:
    """EVENTS shipments: each lot (five a day) goes to several shops over the month."""
    events = []
    for k in range(EVENTS):
        day, minute = 1 + k % 28, k % 600
        events.append(
            docs.ship(
                hub,
                shops[(k * 7) % len(shops)],
                f"M{k // 8:04d}",
                when=f"2022-05-{day:02d}T{6 + minute // 60:02d}:{minute % 60:02d}:00+08:00",
                qty=1 + k % 40,
            )
        )
    return docs.document(*events)


def test_bulk_capture_writes_every_event_and_one_audit_entry(market, personas):
    officer = personas("district_officer")
    hub, shops = market
    before = written()
    result = services.epcis_capture(by=officer, document=_month(hub, shops), source="api", now=NOW)
    assert (result.total, result.new, result.duplicate) == (EVENTS, EVENTS, 0)
    after = written()
    assert after[0] - before[0] == EVENTS  # events
    assert after[2] - before[2] == EVENTS  # one edge per shipment: market lot -> shop lot
    assert after[3] - before[3] == EVENTS  # one lot line per event
    assert after[4] - before[4] == 1 and after[5] - before[5] == 1  # one capture, one audit entry
    # The lots: each lot number at the market and at every shop it reached.
    pairs = {(f"M{k // 8:04d}", (k * 7) % len(shops)) for k in range(EVENTS)}
    assert after[1] - before[1] == EVENTS // 8 + len(pairs)
    entry = AuditEntry.objects.latest("seq")
    assert entry.object_type == services.CAPTURE_OBJECT and entry.object_id == str(result.capture.pk)
    hashes = sorted(TraceEvent.objects.values_list("hash_id", flat=True))
    ids = sorted(TraceEvent.objects.values_list("id", flat=True))
    assert entry.after["new"] == EVENTS and entry.after["events"] == EVENTS
    assert (entry.after["hash_first"], entry.after["hash_last"]) == (hashes[0], hashes[-1])
    assert entry.after["event_ids"] == [ids[0], ids[-1]]
    assert entry.after["edges_new"] == EVENTS
    # The stored rows are the events as sent, joined to the right holders.
    edge = LotEdge.objects.select_related("src", "dst", "event").order_by("id").first()
    assert edge.src.business_id == hub.pk and edge.dst.business_id in {s.pk for s in shops}
    assert edge.event.business_id == hub.pk and edge.event.region_id == TOWN_B

    # Captured again: nothing new, nothing changed but the capture's own record and entry.
    again = services.epcis_capture(by=officer, document=_month(hub, shops), source="api", now=NOW)
    assert (again.new, again.duplicate) == (0, EVENTS)
    assert again.hash_ids == result.hash_ids
    assert written()[:4] == after[:4]
    assert AuditEntry.objects.latest("seq").after["new"] == 0


def test_the_api_takes_a_large_document_whole_or_refuses_it_whole(market, personas):
    officer = personas("district_officer")
    _row, key = api_token_create(user=officer, name="bulk")
    hub, shops = market
    doc = _month(hub, shops)
    doc["epcisBody"]["eventList"][4999]["eventTime"] = "2022-05-31 25:00"
    client = Client()
    before = written()
    refused = client.post(
        "/api/v1/epcis/capture",
        orjson.dumps(doc),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert refused.status_code == 400 and written() == before
    assert {p["pointer"] for p in refused.json()["errors"]} == {"/epcisBody/eventList/4999/eventTime"}
    doc["epcisBody"]["eventList"][4999]["eventTime"] = "2022-05-31T23:00:00+08:00"
    taken = client.post(
        "/api/v1/epcis/capture",
        orjson.dumps(doc),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert taken.status_code == 201, taken.content[:300]
    assert (taken.json()["events"], taken.json()["new"]) == (EVENTS, EVENTS)
    assert written()[0] - before[0] == EVENTS and AuditEntry.objects.count() - before[5] == 1


def test_one_broken_event_among_thousands_refuses_the_whole_document(market, personas):
    officer = personas("district_officer")
    hub, shops = market
    doc = _month(hub, shops)
    doc["epcisBody"]["eventList"][3217]["action"] = "SEND"  # not ADD, OBSERVE or DELETE
    before = written()
    with pytest.raises(services.CaptureRejected) as refused:
        services.epcis_capture(by=officer, document=doc, source="api", now=NOW)
    pointers = {p.pointer for p in refused.value.problems}
    assert pointers and all(p.startswith("/epcisBody/eventList/3217") for p in pointers)
    assert "/epcisBody/eventList/3217/action" in pointers
    assert written() == before


def test_the_lot_graph_takes_a_capture_after_its_commit(market, personas, django_capture_on_commit_callbacks):
    officer = personas("district_officer")
    hub, shops = market
    first = docs.document(docs.ship(hub, shops[0], "G0001", when="2022-05-01T08:00:00+08:00", qty=5))
    services.epcis_capture(by=officer, document=first, source="api", now=NOW)
    graph = graphstore.current_graph()
    doc = _month(hub, shops)
    with django_capture_on_commit_callbacks(execute=True):
        services.epcis_capture(by=officer, document=doc, source="api", now=NOW)
    # The rows came in after the commit: the next trace finds the graph in step, reads nothing back.
    assert graph.extra_edges == EVENTS
    assert graphstore.current_graph() is graph and graph.extra_edges == EVENTS
    market_lot = Lot.objects.get(business=hub, lot_number="M0000")
    reached = graph.trace(market_lot.pk, forward=True)
    expected = set(LotEdge.objects.filter(src=market_lot).values_list("dst_id", flat=True))
    assert set(reached.nodes.tolist()) == expected | {market_lot.pk}


# -- the recall page on a hub lot ------------------------------------------------------------------


def _scope_before(*, user: Any, lot: Lot) -> selectors.TraceView:
    """The recall page's selector as it was before it was built on the engine's result (kept here
    to compare): its own graph lookups and a Python row per business."""
    graph = graphstore.current_graph()
    result = graph.trace(lot.pk, forward=True, max_depth=selectors.MAX_DEPTH)
    qty, units = graph.inflow(result, True)
    graph = graphstore.current_graph()
    s = summarise_scope(graph, result, qty, units)
    scope = scope_for(user)
    open_all = scope.everything and scope.business_types is None
    allowed_region = (
        np.ones(len(graph.regions) + 1, dtype=bool)
        if open_all
        else np.asarray([scope.allows_region(r) for r in graph.regions] + [False], dtype=bool)
    )
    keep_b = allowed_region[s.region]
    rows_b = [
        selectors.BusinessRow(
            business_id=int(s.business[k]),
            region_id=graph.regions[int(s.region[k])],
            lots=int(s.lots[k]),
            quantity=float(s.quantity[k]),
            uom=graph.uoms[int(s.unit[k])] if int(s.unit[k]) < len(graph.uoms) else "",
            depth=int(s.depth[k]),
        )
        for k in np.flatnonzero(keep_b).tolist()
    ]
    rows_b.sort(key=lambda r: (r.depth, r.region_id, r.business_id))
    nodes = result.nodes
    keep = (
        np.ones(nodes.size, dtype=bool)
        if open_all
        else np.isin(graph.node_business[nodes], s.business[keep_b])
    )
    rows = [
        selectors.TraceRow(
            lot_id=int(nodes[i]),
            depth=int(result.depth[i]),
            via=int(result.via[i]),
            at=dt.datetime.fromtimestamp(int(result.via_edge_time[i]), tz=dt.UTC)
            if result.via[i] >= 0
            else None,
            quantity=None if np.isnan(result.via_edge_qty[i]) else float(result.via_edge_qty[i]),
        )
        for i in np.flatnonzero(keep)[:500].tolist()
    ]
    return selectors.TraceView(
        start=lot,
        forward=True,
        rows=rows,
        businesses=rows_b,
        lots_reached=int(np.count_nonzero(keep)) - (1 if keep.size and keep[0] else 0),
        external_holders=s.external_nodes if open_all else 0,
        truncated=result.truncated,
        lot_ids=nodes[keep].tolist(),
    )


@pytest.fixture
def salt_hub(db, personas):
    """A salt works' batch shipped to 60 wholesalers in two towns, each shipping on to two shops,
    a few of them outside the register, with a receipt that joins one shop to another wholesaler."""
    officer = personas("district_officer")
    works = docs.business("北辰区盐业分装厂", TOWN_A, "production")
    wholesalers = [docs.business(f"调味品批发部{i:02d}", TOWN_A if i % 3 else TOWN_B) for i in range(60)]
    shops = [docs.business(f"副食店{i:03d}", TOWN_B if i % 4 else TOWN_A) for i in range(120)]
    events = [
        docs.commission(
            works, "S2203", when="2022-03-01T08:00:00+08:00", name="精制碘盐 400g", line="salt", qty=9000
        )
    ]
    for i, w in enumerate(wholesalers):
        events.append(
            docs.ship(
                works, w, "S2203", when=f"2022-03-02T{8 + i % 10:02d}:{i % 60:02d}:00+08:00", qty=100 + i
            )
        )
        for j in (2 * i, 2 * i + 1):
            events.append(
                docs.ship(
                    w,
                    shops[j],
                    "S2203",
                    when=f"2022-03-04T{8 + j % 10:02d}:{j % 60:02d}:00+08:00",
                    qty=10 + j % 7,
                )
            )
    outside = docs.ship(wholesalers[5], shops[0], "S2203", when="2022-03-05T09:00:00+08:00", qty=3)
    outside["destinationList"] = [{"type": "owning_party", "destination": "urn:cn:uscc:91120000MA0NOTHERE"}]
    events.append(outside)
    events.append(docs.receive(wholesalers[7], shops[30], "S2203", when="2022-03-06T09:00:00+08:00", qty=4))
    services.epcis_capture(by=officer, document=docs.document(*events), source="api", now=NOW)
    return Lot.objects.get(business=works)


@pytest.mark.parametrize("who", ["district_officer", "town_a_officer"])
def test_recall_page_on_a_hub_is_what_it_was(salt_hub, personas, who):
    user = personas(who)
    before = _scope_before(user=user, lot=salt_hub)
    with CaptureQueriesContext(connection) as queries:
        view, businesses = selectors.recall_scope_for_user(user=user, lot=salt_hub)
        html = render_to_string("trace/_trace_table.html", {"view": view, "businesses": businesses})
    assert len(view.businesses) >= 60
    assert view == before
    # The page's details: the graph's freshness check and one query for the businesses with their
    # towns, however many businesses the scope reaches (not one per business or town).
    assert len(queries) <= 3, [q["sql"] for q in queries.captured_queries]
    shown = Business.objects.in_bulk([b.business_id for b in before.businesses[:300]])
    assert html == render_to_string("trace/_trace_table.html", {"view": before, "businesses": shown})
    assert "精制碘盐" not in html and "调味品批发部" in html


@pytest.mark.django_db
def test_the_look_ups_by_identifier_find_every_row_whatever_the_values_hold() -> None:
    """Capture's look-ups send their values joined by the ASCII unit separator (PostgreSQL). No
    stored identifier holds a control character (the model refuses one), but a value looked up
    may: the values then go as an array instead, and every row is still found. On SQLite they go
    in chunks of placeholders."""
    names = ["urn:epc:class:lgtin:6901234.012345.L1", "urn:epc:class:lgtin:6901234.012345.逗号,分隔"]
    for name in names:
        Lot.objects.create(identifier=name, holder="h", lot_number="L")
    for looked_up in ([*names, "urn:none"], [*names, "urn:x:a\x1fb"]):
        found = sorted(row[0] for row in services._rows_in(Lot, ["identifier"], "identifier", looked_up))
        assert found == sorted(names)
