"""Capture in chunks with a writer thread: the same rows as one pass, all or nothing, idempotent.

A document of a dairy's and a salt works' month (commissioning with ILMD, shipments, receipts,
repacking, an event sent twice, a lot whose ILMD comes chunks after its first shipment, a lot
already held whose ILMD comes now) is captured in one pass and then in chunks of seven events by
the writer thread, each in a transaction rolled back after it: rows, counts and the audit entry
are the same. An error in a late chunk, raised by the writer or by the database under it, leaves
nothing written; a document sent again adds nothing. The cycle collector, paused during a
capture, is as it was after it."""

from __future__ import annotations

import datetime as dt
import gc
import threading
from typing import Any

import pytest
from django.conf import settings
from django.db import IntegrityError, transaction

from shian.core.models import AuditEntry
from shian.core.tests.factories import TOWN_A, TOWN_B
from shian.registry.models import BusinessType
from shian.trace import services
from shian.trace.models import Capture, EventLot, Lot, LotEdge, TraceEvent
from shian.trace.tests import docs
from shian.trace.tests.helpers import written

NOW = dt.datetime(2022, 6, 1, tzinfo=dt.UTC)
CHUNK = 7


@pytest.fixture
def chain(db):
    dairy = docs.business("北辰乳业有限公司", TOWN_A, BusinessType.PRODUCTION)
    salt = docs.business("天津长芦盐业分装厂", TOWN_B, BusinessType.PRODUCTION)
    wholesale = docs.business("北辰区红旗农贸批发市场", TOWN_B)
    shops = [docs.business(f"便民超市{i:02d}号店", TOWN_A if i % 2 else TOWN_B) for i in range(6)]
    return dairy, salt, wholesale, shops


def _when(k: int) -> str:
    return f"2022-05-{1 + k % 28:02d}T{8 + k % 10:02d}:{k % 60:02d}:00+08:00"


def _month(dairy: Any, salt: Any, wholesale: Any, shops: list[Any]) -> dict[str, Any]:
    events = []
    # The held lot's ILMD, late: its name and dates change on the nodes already held.
    events.append(docs.commission(dairy, "HELD01", when=_when(0), name="婴幼儿配方奶粉（更正）"))
    # A lot shipped before its commissioning is sent (chunk one), named chunks later.
    events.append(docs.ship(dairy, wholesale, "LATE01", when=_when(1), qty=40))
    for k in range(2, 60):
        lot = f"F{k // 5:03d}"
        if k % 5 == 2:
            events.append(docs.commission(dairy, lot, when=_when(k), name=f"婴幼儿配方奶粉 {lot}"))
        elif k % 5 == 3:
            events.append(docs.ship(dairy, wholesale, lot, when=_when(k), qty=100 + k))
        elif k % 5 == 4:
            events.append(docs.receive(dairy, wholesale, lot, when=_when(k), qty=100 + k))
        elif k % 5 == 0:
            events.append(docs.ship(wholesale, shops[k % len(shops)], lot, when=_when(k), qty=k % 9 + 1))
        else:
            events.append(
                docs.transform(
                    salt, [(f"BULK{k:03d}", 25.5)], [(f"S{k:03d}", 60), (f"T{k:03d}", 2)], when=_when(k)
                )
            )
    events.append(docs.ship(dairy, wholesale, "F003", when=_when(18), qty=118))  # sent twice
    events.append(docs.commission(dairy, "LATE01", when=_when(61), name="迟到的批次"))
    return docs.document(*events)


def _held_first(dairy: Any, wholesale: Any, officer: Any) -> None:
    """A lot already held at the dairy and the market, with a name to be corrected."""
    doc = docs.document(
        docs.commission(dairy, "HELD01", when="2022-04-01T08:00:00+08:00", name="婴幼儿配方奶粉"),
        docs.ship(dairy, wholesale, "HELD01", when="2022-04-02T08:00:00+08:00", qty=10),
    )
    services.epcis_capture(by=officer, document=doc, source="api", now=NOW)


def _snapshot(result: services.CaptureResult) -> dict[str, Any]:
    """The rows a capture wrote, by their natural keys, in the order of their ids."""
    lots = {
        pk: (ident, holder) for pk, ident, holder in Lot.objects.values_list("id", "identifier", "holder")
    }
    hashes = dict(TraceEvent.objects.values_list("id", "hash_id"))
    capture = result.capture
    assert capture is not None
    entry = AuditEntry.objects.get(object_type=services.CAPTURE_OBJECT, object_id=str(capture.pk))
    after = dict(entry.after or {})
    first, last = after.pop("event_ids") or [0, -1]
    event_fields = [
        f.attname for f in TraceEvent._meta.concrete_fields if f.attname not in ("id", "capture_id")
    ]
    lot_fields = [f.attname for f in Lot._meta.concrete_fields if f.attname != "id"]
    return {
        "result": (result.total, result.new, result.duplicate, result.hash_ids),
        "capture": (capture.events_total, Capture.objects.get(pk=capture.pk).events_new, capture.header),
        "audit": after,
        "event_span": last - first + 1,
        "events": [
            tuple(row)
            for row in TraceEvent.objects.filter(capture=capture).order_by("id").values_list(*event_fields)
        ],
        "lots": [tuple(row) for row in Lot.objects.order_by("id").values_list(*lot_fields)],
        "links": sorted(
            (hashes[e], lots[lot], role, q, u)
            for e, lot, role, q, u in EventLot.objects.filter(event__capture=capture).values_list(
                "event_id", "lot_id", "role", "quantity", "uom"
            )
        ),
        "edges": [
            (lots[s], lots[t], kind, hashes[e], at, q, u)
            for s, t, kind, e, at, q, u in LotEdge.objects.filter(event__capture=capture)
            .order_by("id")
            .values_list("src_id", "dst_id", "kind", "event_id", "at", "quantity", "uom")
        ],
    }


def _capture_rolled_back(document: dict[str, Any], officer: Any) -> dict[str, Any]:
    with transaction.atomic():
        result = services.epcis_capture(by=officer, document=document, source="api", now=NOW)
        snap = _snapshot(result)
        transaction.set_rollback(True)
    return snap


def _pipelined(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Capture in chunks of CHUNK events with the writer thread; the threads that wrote."""
    monkeypatch.setattr(settings, "SHIAN_TRACE_PIPELINE_VENDORS", frozenset({"postgresql", "sqlite"}))
    return _writers(monkeypatch)


def _writers(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Documents of two events and more in chunks of CHUNK events; the threads that wrote."""
    monkeypatch.setattr(services, "PIPELINE_MIN", 2)
    monkeypatch.setattr(services, "PIPELINE_CHUNK", CHUNK)
    writers: list[str] = []
    real = services.insert_rows

    def insert_rows(*args: Any, **kw: Any) -> int:
        writers.append(threading.current_thread().name)
        return real(*args, **kw)

    monkeypatch.setattr(services, "insert_rows", insert_rows)
    return writers


def test_the_writer_thread_is_off_unless_the_setting_names_the_database(chain, personas, monkeypatch):
    """By default every document is one chunk written in the calling thread."""
    officer = personas("district_officer")
    dairy, salt, wholesale, shops = chain
    assert services.pipeline_vendors() == frozenset()
    writers = _writers(monkeypatch)
    with transaction.atomic():
        services.epcis_capture(
            by=officer, document=_month(dairy, salt, wholesale, shops), source="api", now=NOW
        )
        transaction.set_rollback(True)
    # Four inserts (lots, events, links, edges), once, in this thread.
    assert writers == [threading.current_thread().name] * 4


def test_in_chunks_the_rows_are_those_of_one_pass(chain, personas, monkeypatch):
    officer = personas("district_officer")
    dairy, salt, wholesale, shops = chain
    _held_first(dairy, wholesale, officer)
    doc = _month(dairy, salt, wholesale, shops)
    one_pass = _capture_rolled_back(doc, officer)
    writers = _pipelined(monkeypatch)
    chunked = _capture_rolled_back(doc, officer)
    # The document took several chunks, written by the writer thread, not this one.
    assert len(writers) >= 4 * (len(doc["epcisBody"]["eventList"]) // CHUNK)
    assert set(writers) and threading.current_thread().name not in writers
    assert chunked == one_pass
    # What the comparison covers: an event sent twice, edges of all kinds, ILMD on held and late nodes.
    assert one_pass["result"][2] == 1 and one_pass["audit"]["repeated_in_document"] == 1
    assert {edge[2] for edge in one_pass["edges"]} == {"ship", "receive", "transform"}
    held = Lot.objects.filter(lot_number="HELD01")
    assert held.count() == 2 and {lot.product_name for lot in held} == {"婴幼儿配方奶粉"}  # rolled back
    late = [lot for lot in one_pass["lots"] if lot[5] == "LATE01"]
    assert len(late) == 2 and {lot[6] for lot in late} == {"迟到的批次"}
    corrected = [lot for lot in one_pass["lots"] if lot[5] == "HELD01"]
    assert {lot[6] for lot in corrected} == {"婴幼儿配方奶粉（更正）"}


def test_a_document_sent_again_in_chunks_adds_nothing(chain, personas, monkeypatch):
    officer = personas("district_officer")
    dairy, salt, wholesale, shops = chain
    _pipelined(monkeypatch)
    doc = _month(dairy, salt, wholesale, shops)
    first = services.epcis_capture(by=officer, document=doc, source="api", now=NOW)
    after = written()
    again = services.epcis_capture(by=officer, document=doc, source="api", now=NOW)
    assert (again.new, again.duplicate) == (0, first.total) and again.hash_ids == first.hash_ids
    assert written()[:4] == after[:4] and written()[4:] == (after[4] + 1, after[5] + 1)
    entry = AuditEntry.objects.latest("seq")
    assert (entry.after["new"], entry.after["already_held"], entry.after["event_ids"]) == (0, first.new, [])
    # Half of it again with events of its own: only those are written.
    half = doc["epcisBody"]["eventList"][: len(doc["epcisBody"]["eventList"]) // 2]
    extra = [docs.ship(wholesale, shops[0], f"N{k:03d}", when=_when(k), qty=3) for k in range(20)]
    mixed = services.epcis_capture(by=officer, document=docs.document(*half, *extra), source="api", now=NOW)
    assert (mixed.new, mixed.duplicate) == (20, len(half))
    assert written()[0] == after[0] + 20 and written()[2] == after[2] + 20


@pytest.mark.parametrize("where", ["writer", "database"])
def test_an_error_in_a_late_chunk_leaves_nothing_written(chain, personas, monkeypatch, where):
    officer = personas("district_officer")
    dairy, salt, wholesale, shops = chain
    _held_first(dairy, wholesale, officer)
    doc = _month(dairy, salt, wholesale, shops)
    chunks = -(-len(doc["epcisBody"]["eventList"]) // CHUNK)
    writers = _pipelined(monkeypatch)
    before = written()
    held_names = sorted(Lot.objects.values_list("product_name", flat=True))
    if where == "writer":
        # The writer fails on the last chunk's edges, after every other row went in.
        real = services.insert_rows
        edges = []

        def insert_rows(model: Any, *args: Any, **kw: Any) -> int:
            if model is LotEdge:
                edges.append(1)
                if len(edges) == chunks:
                    raise RuntimeError("the disk is full")
            return real(model, *args, **kw)

        monkeypatch.setattr(services, "insert_rows", insert_rows)
        expected: type[Exception] = RuntimeError
    else:
        # The database refuses the last chunk's edges: their keys are the first chunk's.
        real_allocate = services.allocate_ids
        first: list[int] = []
        calls: list[int] = []

        def allocate_ids(model: Any, count: int) -> list[int]:
            ids = real_allocate(model, count)
            if model is LotEdge:
                calls.append(count)
                if not first:
                    first.extend(ids)
                if len(calls) == chunks:
                    return first[:count]
            return ids

        monkeypatch.setattr(services, "allocate_ids", allocate_ids)
        expected = IntegrityError
    with pytest.raises(expected):
        services.epcis_capture(by=officer, document=doc, source="api", now=NOW)
    assert writers and threading.current_thread().name not in writers
    assert written() == before
    assert sorted(Lot.objects.values_list("product_name", flat=True)) == held_names
    # The connection is whole again: the same document goes in once the fault is gone.
    monkeypatch.undo()
    _pipelined(monkeypatch)
    result = services.epcis_capture(by=officer, document=doc, source="api", now=NOW)
    assert result.new == len(doc["epcisBody"]["eventList"]) - 1


def test_the_cycle_collector_is_back_on_after_a_capture_taken_or_refused(chain, personas):
    officer = personas("district_officer")
    dairy, salt, wholesale, shops = chain
    doc = _month(dairy, salt, wholesale, shops)
    assert gc.isenabled()
    services.epcis_capture(by=officer, document=doc, source="api", now=NOW)
    assert gc.isenabled()
    doc["epcisBody"]["eventList"][40]["action"] = "SEND"
    with pytest.raises(services.CaptureRejected):
        services.epcis_capture(by=officer, document=doc, source="api", now=NOW)
    assert gc.isenabled()
    gc.disable()  # a caller that had it off finds it off
    try:
        services.epcis_capture(
            by=officer, document=_month(dairy, salt, wholesale, shops), source="api", now=NOW
        )
        assert not gc.isenabled()
    finally:
        gc.enable()
