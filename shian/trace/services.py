"""Writes of traceability. Each service: capability, scope, one transaction, its audit entry in it.

`epcis_capture` is the one way events come in: the API, the xlsx upload (imports.py), the command,
the demo and the benchmark call it, and it is built for bulk. It validates the whole document first
(epcis.validate_document, one call of the compiled schema) and writes nothing when anything is
wrong; an event already held (same EPCIS Event Hash ID, found with one query per chunk) is skipped,
so sending a document twice changes nothing. Rows go in through core.bulk (COPY on PostgreSQL)
with one audit entry per document.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Context, Decimal
from functools import lru_cache
from operator import itemgetter
from typing import Any

import orjson
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DEFAULT_DB_ALIAS, IntegrityError, OperationalError, connection, connections, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from shian.core.audit import AuditEvent, audit_record, model_event
from shian.core.bulk import IN_CHUNK, allocate_ids, insert_rows
from shian.core.models import AuditAction, AuditSource, User
from shian.core.permissions import TraceCap, require_cap
from shian.core.scoping import scope_for
from shian.registry.models import Business, BusinessType
from shian.sampling import services as sampling_services
from shian.sampling.models import Verdict

from . import epcis, eventhash, graphstore, rules
from .derive import Derived, counter_party, derive, moving_lots
from .eventhash import context_prefixes
from .identifiers import canonical_identifier, parse_identifier, trace_code_schemes
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
    PartyIdentifier,
    ProductLine,
    QuerySource,
    Recall,
    RecallBusiness,
    TraceEvent,
)

USCC_PREFIX = "urn:cn:uscc:"
CAPTURE_OBJECT = "trace.capture"


class CaptureRejected(Exception):
    """The document was refused whole; `problems` say where and why (nothing was written)."""

    def __init__(self, problems: Sequence[epcis.Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = list(problems)


@dataclass
class CaptureResult:
    capture: Capture | None
    total: int
    new: int
    duplicate: int
    hash_ids: list[str] = field(default_factory=list)
    attempts: int = 1  # transactions it took (PostgreSQL: a race lost to a concurrent capture)


# -- resolving parties to the register -------------------------------------------------------------


@dataclass(frozen=True)
class Holder:
    """A business as capture needs it: its key and its town (no model instance per party)."""

    pk: int
    region_id: str


def _chunk() -> int:
    """Values per IN (…) lookup: SQLite's variable limit, PostgreSQL's none to speak of."""
    return IN_CHUNK if connection.vendor == "sqlite" else 10_000


class _Parties:
    """Resolves party and location identifiers to businesses, once per identifier per capture, in
    one query per table and chunk."""

    def __init__(self) -> None:
        self.cache: dict[str, Holder | None] = {}

    def prime(self, identifiers: Iterable[str]) -> None:
        wanted = sorted({i for i in identifiers if i and i not in self.cache})
        if not wanted:
            return
        # A GLN with an extension (a dock, a room) stands for the GLN's business too.
        bare = {i: i.split("/254/")[0] for i in wanted}
        q = connection.ops.quote_name
        party, business = q(PartyIdentifier._meta.db_table), q(Business._meta.db_table)
        by_id: dict[str, Holder] = {}
        lookup = sorted(set(bare.values()) | set(wanted))
        # Table names from the models' metadata; identifiers go as parameters.
        joined = (
            f"SELECT p.identifier, b.id, b.region_id FROM {party} p "  # noqa: S608
            f"JOIN {business} b ON b.id = p.business_id WHERE p.identifier"
        )
        for ident, pk, region in _select_in(joined, lookup):
            by_id[ident] = Holder(pk, region)
        codes = {i: i[len(USCC_PREFIX) :] for i in wanted if i.startswith(USCC_PREFIX)}
        by_code: dict[str, Holder] = {}
        for code, pk, region in _rows_in(
            Business, ["credit_code", "id", "region_id"], "credit_code", sorted(set(codes.values()))
        ):
            by_code[str(code)] = Holder(pk, region)
        for i in wanted:
            self.cache[i] = by_id.get(i) or by_id.get(bare[i]) or by_code.get(codes.get(i, ""))

    def business(self, identifier: str) -> Holder | None:
        if identifier not in self.cache:
            self.prime([identifier])
        return self.cache.get(identifier)


def holder_key(business: Holder | Business | None, identifier: str) -> str:
    """Whose a lot node is: a registered business by its id, else the identifier it was named by."""
    return f"b:{business.pk}" if business is not None else identifier


# -- capture ----------------------------------------------------------------------------------------

_PRODUCT_LINES = frozenset(ProductLine.values)


@lru_cache(maxsize=65_536)
def _product_line(identifier: str, ilmd_line: str) -> str:
    if ilmd_line in _PRODUCT_LINES:
        return ilmd_line
    key = parse_identifier(identifier)
    if key.scheme and key.scheme != "gs1":
        for scheme in trace_code_schemes():
            if scheme.code == key.scheme:
                return scheme.product_line
    return str(ProductLine.OTHER)


def _as_date(value: Any) -> dt.date | None:
    return value if value is None or isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def _date(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


@dataclass(slots=True)
class _Prepared:
    event: Mapping[str, Any]
    hash_id: str
    derived: Derived
    holder: Holder | None
    holder_id: str  # the identifier the holder was named by ("" when none)
    index: int
    row: tuple[Any, ...]  # the event's row but its id and capture (_EVENT_COLUMNS[2:])


# A document of at least PIPELINE_MIN events on a database named in the SHIAN_TRACE_PIPELINE_VENDORS
# setting is written chunk by chunk (PIPELINE_CHUNK events) by a writer thread on this thread's
# connection, inside its transaction, while this thread builds the next chunk's rows (psycopg and
# sqlite3 let go of the GIL while the database works). Off by default: on the 2-core machine it
# was measured on it gained nothing on PostgreSQL (the writer's row formatting holds the GIL, and
# the server, the capture and the machine's other work leave no core idle) and cost SQLite
# (sqlite3 lets go of the GIL for each row's step only, so the writer waits for it row by row);
# docs/trace.md, third pass. Name "postgresql" there on a server where PostgreSQL has cores of its
# own. Every other document, and every document on the other databases, is one chunk written in
# this thread.
PIPELINE_MIN = 4_000
PIPELINE_CHUNK = 2_000

# Transactions a capture may take: on PostgreSQL two captures of the same events (or lot nodes)
# at once both find them missing; the second one's insert waits for the first's commit and is
# then refused by the unique index (or, rarely, the two wait on each other and the server breaks
# the deadlock). The loser's transaction is rolled back whole and run again, and finds the
# winner's rows held. On SQLite the write lock taken at BEGIN keeps captures one after another.
CAPTURE_ATTEMPTS = 4


def pipeline_vendors() -> frozenset[str]:
    """The databases on which a large document is written by the writer thread (a setting)."""
    return frozenset(getattr(settings, "SHIAN_TRACE_PIPELINE_VENDORS", ()))


def epcis_capture(
    *,
    by: User | None,
    document: Any,
    source: str,
    filename: str = "",
    now: dt.datetime | None = None,
    check_permission: bool = True,
) -> CaptureResult:
    """Validate and store an EPCIS document. Raises CaptureRejected (nothing written) when the
    document or any of its events is invalid, or names a business outside the sender's scope.

    Built for bulk (the API, the xlsx upload, the command and the demo all come here, a
    document of up to MAX_EVENTS events) and for several captures at once. Everything that needs
    no write is done before the transaction opens (on SQLite, whose transaction holds the one
    write lock from BEGIN, another process's capture writes meanwhile): the document validated
    once by the compiled schema, each event derived and hashed once, the parties resolved and the
    sender's scope checked, each new event's row built but for its id. Then, in one transaction,
    chunk by chunk: what is already held is found with one query, and lots, events, lot links and
    edges go in with core.bulk (COPY on PostgreSQL), a large document's chunks written by a
    writer thread where SHIAN_TRACE_PIPELINE_VENDORS says so. The capture has one audit entry
    summarising its counts and the range of its hash IDs, in the same transaction. A transaction
    that lost a race to a concurrent capture of the same events is run again (CAPTURE_ATTEMPTS).
    After the commit the rows are added to this process's lot graph."""
    now = now or timezone.now()
    if check_permission:
        require_cap(by, TraceCap.CAPTURE)
    with _cyclic_gc_paused():
        plan = _prepare(by=by, document=document, now=now, check_permission=check_permission)
        attempt = 1
        while True:
            try:
                result = _commit(plan, by=by, document=document, source=source, filename=filename, now=now)
            except (IntegrityError, OperationalError) as exc:
                if attempt >= CAPTURE_ATTEMPTS or not _lost_race(exc):
                    raise
                attempt += 1
                continue
            result.attempts = attempt
            return result


def _lost_race(exc: BaseException) -> bool:
    """Whether a capture's transaction failed because a concurrent one wrote the same events or
    lot nodes first (PostgreSQL): a deadlock or serialization failure, or the unique index of the
    events' hash ID (any year's partition) or of the lot nodes refusing a row."""
    if connection.vendor != "postgresql":
        return False
    cause = exc.__cause__
    state = getattr(cause, "sqlstate", None)
    if state in ("40P01", "40001"):
        return True
    if state != "23505":
        return False
    table = getattr(getattr(cause, "diag", None), "table_name", None) or ""
    return table == Lot._meta.db_table or table.startswith(TraceEvent._meta.db_table)


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Python's cycle collector off while a document is captured, back on (as it was) after.
    Capture makes a few objects per event and keeps them to the end (derivations, prepared
    events, rows) beside the parsed document itself, so the collector's passes kept walking a heap
    that only grew: two thirds of the derivation's time and a fifth of the hash's, measured on
    10,000 events. What a capture frees is freed by reference counting as before; any cycle it
    leaves is collected at the collector's next pass."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@dataclass
class _Plan:
    """A document made ready for its transaction: everything that needs no write."""

    total: int
    prepared: list[_Prepared]  # each distinct event once, in the document's order
    parties: _Parties


def _prepare(*, by: User | None, document: Any, now: dt.datetime, check_permission: bool) -> _Plan:
    """Validation, derivation, hash IDs, parties and scope, and each event's row but its id: no
    transaction is open (reads only: the register)."""
    problems = epcis.validate_document(document, now=now)
    if problems:
        raise CaptureRejected(problems)
    events = epcis.events_of(document)
    hasher = eventhash.hasher(context_prefixes(document.get("@context")))
    derived_all = [derive(e) for e in events]
    # Every identifier capture looks a business up by: the holder's, and the other side's of a
    # shipment or receipt.
    named: set[str] = set()
    for d in derived_all:
        named.update(d.holder_ids)
        named.add(d.counter)
    parties = _Parties()
    parties.prime(named)
    hash_id = hasher.hash_id
    hashes = [hash_id(event) for event in events]
    lookup = parties.cache.get
    holders = [_holder(d, lookup) for d in derived_all]
    if check_permission and by is not None:
        outside = _outside_scope(by, derived_all, holders, parties)
        if outside:
            # An event repeated within the document is named once, where it first comes.
            first = {h: index for index, h in reversed(list(enumerate(hashes)))}
            raise CaptureRejected([problem for index, problem in outside if first[hashes[index]] == index])
    dumps = orjson.dumps
    adapt = connection.ops.adapt_datetimefield_value
    times: dict[dt.datetime, Any] = {}
    recorded = adapt(now)
    seen: set[str] = set()
    prepared: list[_Prepared] = []
    for index, (event, h, d, (holder, holder_id)) in enumerate(
        zip(events, hashes, derived_all, holders, strict=True)
    ):
        if h in seen:
            continue
        seen.add(h)
        at = times.get(d.event_time)
        if at is None:
            at = times[d.event_time] = adapt(d.event_time)
        row = (
            h,
            str(event.get("eventID", ""))[:300],
            d.event_type,
            d.action,
            d.biz_step[:200],
            d.disposition[:200],
            at,
            d.tz_offset,
            recorded,
            d.read_point[:300],
            d.biz_location[:300],
            holder.pk if holder else None,
            holder.region_id if holder else None,
            dumps(event).decode(),
        )
        prepared.append(_Prepared(event, h, d, holder, holder_id, index, row))
    return _Plan(len(events), prepared, parties)


def _commit(
    plan: _Plan, *, by: User | None, document: Mapping[str, Any], source: str, filename: str, now: dt.datetime
) -> CaptureResult:
    """The capture's one transaction: what is held found, the rest written, the audit entry."""
    total = len(plan.prepared)
    pipelined = connection.vendor in pipeline_vendors() and plan.total >= PIPELINE_MIN
    chunk = PIPELINE_CHUNK if pipelined else max(total, 1)
    pushed: list[_GraphRows] = []
    with transaction.atomic():
        with _Lane(threaded=total > chunk) as lane:
            result = _write(
                by=by,
                document=document,
                plan=plan,
                chunk=chunk,
                lane=lane,
                source=source,
                filename=filename,
                now=now,
                pushed=pushed,
            )
        if pushed:
            transaction.on_commit(lambda: _graph_committed(pushed))
    return result


def _graph_committed(pushed: list[_GraphRows]) -> None:
    """After the commit, the capture's rows to this process's lot graph: built only when the
    process holds a graph to take them (a serving process that has not traced yet holds none)."""
    if not graphstore.takes_captures():
        return
    graphstore.capture_committed(
        [lot for g in pushed for lot in g.lots],
        [edge for g in pushed for edge in g.edges()],
        next((g.last_lot for g in reversed(pushed) if g.last_lot is not None), None),
    )


def _outside_scope(
    by: User, derived: Sequence[Derived], holders: Sequence[tuple[Holder | None, str]], parties: _Parties
) -> list[tuple[int, epcis.Problem]]:
    """The events naming a business outside the sender's area (or none registered), by index;
    `holders` are the events' holders (`_holder`)."""
    scope = scope_for(by)
    allowed: dict[str, bool] = {}
    lookup = parties.cache.get
    outside = []
    for index, (d, (holder, _named)) in enumerate(zip(derived, holders, strict=True)):
        for b in (holder, lookup(counter_party(d))):
            if b is None:
                continue
            ok = allowed.get(b.region_id)
            if ok is None:
                ok = allowed[b.region_id] = scope.allows_region(b.region_id)
            if not ok:
                outside.append(
                    (
                        index,
                        epcis.Problem(
                            f"/epcisBody/eventList/{index}",
                            "outside-scope",
                            _("The event names a business outside your area, or one that does not exist."),
                        ),
                    )
                )
                break
    return outside


def _holder(d: Derived, lookup: Any) -> tuple[Holder | None, str]:
    """The event's holder (the first of its holder identifiers the register knows) and the
    identifier it was named by (the first one when none is known, "" when there is none)."""
    for ident in d.holder_ids:
        holder = lookup(ident)
        if holder is not None:
            return holder, ident
    return None, d.holder_ids[0] if d.holder_ids else ""


class _Lane:
    """Where a capture's rows are written, in the order given: in this thread, or (threaded) by
    one writer thread on this thread's own connection and so inside its transaction. The two
    never use the connection at once: this thread reads (held hash IDs, lots, keys) and writes
    (the capture, the audit entry) only after `wait()`, which also raises here what the writer
    raised, so the transaction is rolled back whole. After a failed write the writer writes
    nothing more; leaving the lane waits for the write under way."""

    def __init__(self, *, threaded: bool) -> None:
        self.conn = connections[DEFAULT_DB_ALIAS]  # this thread's connection, not the proxy
        self.pool = ThreadPoolExecutor(1, thread_name_prefix="trace-capture") if threaded else None
        self.pending: list[Future[None]] = []
        self.failed = False

    def __enter__(self) -> _Lane:
        if self.pool is not None:
            self.conn.inc_thread_sharing()
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if self.pool is None:
            return
        if exc_type is not None:
            self.failed = True  # what has not started will not
        try:
            self.pool.shutdown(wait=True, cancel_futures=True)
        finally:
            self.conn.dec_thread_sharing()
        if exc_type is None:
            self.wait()

    def submit(self, job: Any) -> None:
        """Run `job(connection)` (a write) after the ones given before."""
        if self.pool is None:
            job(self.conn)
            return
        self.pending.append(self.pool.submit(self._run, job))

    def _run(self, job: Any) -> None:
        if self.failed:
            return
        try:
            job(self.conn)
        except BaseException:
            self.failed = True
            raise

    def wait(self) -> None:
        """Until every write given is done; the first error of the writer is raised here."""
        pending, self.pending = self.pending, []
        for future in pending:
            future.result()


def _insert(model: type[Any], fields: Sequence[str], rows: Sequence[Sequence[Any]], **kw: Any) -> Any:
    """A core.bulk insert as a job for the lane; on PostgreSQL in COPY's binary format (every value
    capture writes is already of its column's type)."""
    return lambda conn: insert_rows(model, fields, rows, using=conn, binary=conn.vendor == "postgresql", **kw)


_EdgeRows = dict[tuple[int, int, int], tuple[str, dt.datetime, Any, Decimal | None, str]]


@dataclass
class _GraphRows:
    """What a capture adds to the lot graph, for the process's graph after the commit."""

    lots: list[tuple[int, int]]  # (lot id, business id or -1)
    edge_ids: list[int]
    # (event, src, dst) -> (kind, time, the time in the database's form, quantity, unit)
    edge_rows: _EdgeRows
    last_lot: tuple[str, str] | None  # (identifier, holder) of the highest new lot id

    def edges(self) -> list[tuple[int, int, int, int, float, str]]:
        """(edge id, src, dst, epoch, quantity, unit) of each new edge."""
        nan = float("nan")
        return [
            (i, s, t, int(when.timestamp()), float(q) if q is not None else nan, u)
            for i, ((_e, s, t), (_k, when, _at, q, u)) in zip(
                self.edge_ids, self.edge_rows.items(), strict=True
            )
        ]


def _held(prepared: Sequence[_Prepared]) -> set[str]:
    """The hash IDs of `prepared` already captured: one query per chunk.

    On PostgreSQL the events are partitioned by year of their time, and the query is bounded by
    the chunk's event times: it reads only the partitions they fall in. Unbounded, it read every
    year's partition, and once these held a few hundred thousand events each the planner scanned
    them all: 1.2–1.5 s for 10,000 hash IDs over 3,000,000 events, against 0.04–0.07 s bounded
    (docs/trace.md, "Capture on a database some years in"). The bound is exact: an event
    held under the same hash ID has the same time to the millisecond (CBV 2.0 §8.9 hashes the
    time in UTC with milliseconds, truncated), so it lies in [the earliest time's millisecond,
    the latest time's millisecond + 1 ms) whatever digits past the millisecond either was sent
    with."""
    bound = None
    if connection.vendor == "postgresql" and prepared:
        times = [p.derived.event_time for p in prepared]
        earliest, latest = min(times), max(times)
        low = earliest.replace(microsecond=earliest.microsecond // 1000 * 1000)
        high = latest.replace(microsecond=latest.microsecond // 1000 * 1000) + dt.timedelta(milliseconds=1)
        bound = ('"event_time" >= %s AND "event_time" < %s', [low, high])
    hashes = sorted(p.hash_id for p in prepared)
    return {row[0] for row in _rows_in(TraceEvent, ["hash_id"], "hash_id", hashes, also=bound)}


def _rows_in(
    model: type[Any],
    columns: Sequence[str],
    key: str,
    values: Sequence[str],
    *,
    also: tuple[str, Sequence[Any]] | None = None,
) -> Iterable[Any]:
    """Columns of the rows whose text column `key` is one of `values` (and, with `also`, that
    meet its condition, given with its parameters), one statement per chunk (plain SQL: the ORM
    prepares each of 10,000 parameters through the field API)."""
    q = connection.ops.quote_name
    select = ", ".join(q(c) for c in columns)
    where = f"{also[0]} AND " if also else ""
    # Table and column names come from the models' metadata; the values go as parameters.
    return _select_in(
        f"SELECT {select} FROM {q(model._meta.db_table)} WHERE {where}{q(key)}",  # noqa: S608
        values,
        also[1] if also else (),
    )


_SEPARATOR = chr(31)


def _select_in(sql: str, values: Sequence[str], before: Sequence[Any] = ()) -> Iterable[Any]:
    """`sql` (ending in the column compared) IN each chunk of `values`: the rows of every chunk.
    `before` are the parameters of placeholders in `sql` itself.
    On PostgreSQL one statement with the values as one array parameter (`= ANY(%s)`): a query of
    10,000 placeholders costs the driver more to parse than the server to answer."""
    if not values:
        return
    if connection.vendor == "postgresql":
        # The values go as one text split by the server: the driver's array of 10,000 strings cost
        # 32 ms of this process's CPU to write, the joined text well under one. The separator (the
        # ASCII unit separator) is in no identifier a capture accepts; should one hold it, the
        # values go as an array after all.
        joined = _SEPARATOR.join(values)
        with connection.cursor() as cur:
            if joined.count(_SEPARATOR) == len(values) - 1:
                cur.execute(f"{sql} = ANY(string_to_array(%s, chr(31)))", [*before, joined])
            else:
                cur.execute(f"{sql} = ANY(%s)", [*before, list(values)])
            yield from cur.fetchall()
        return
    step = _chunk() - len(before)
    with connection.cursor() as cur:
        for i in range(0, len(values), step):
            chunk = values[i : i + step]
            cur.execute(f"{sql} IN ({', '.join(['%s'] * len(chunk))})", [*before, *chunk])
            yield from cur.fetchall()


def _write(
    *,
    by: User | None,
    document: Mapping[str, Any],
    plan: _Plan,
    chunk: int,
    lane: _Lane,
    source: str,
    filename: str,
    now: dt.datetime,
    pushed: list[_GraphRows],
) -> CaptureResult:
    total = plan.total
    prepared_all = plan.prepared
    header = {k: v for k, v in document.items() if k != "epcisBody"}
    capture = Capture.objects.create(
        captured_by=by,
        source=source,
        filename=filename[:200],
        header=header,
        events_total=total,
        events_new=0,  # counted below, chunk by chunk
    )
    lots = _Lots()
    hash_ids = [p.hash_id for p in prepared_all]  # every event's once, in the document's order
    new_hashes: list[str] = []
    event_ids: list[int] = []
    counts = {"lots": 0, "edges": 0}
    for start in range(0, len(prepared_all), chunk):
        prepared = prepared_all[start : start + chunk]
        lane.wait()  # the earlier chunks are written: the connection is this thread's again
        held = _held(prepared)
        todo = [p for p in prepared if p.hash_id not in held]
        if not todo:
            continue
        rows = _write_events(capture=capture, todo=todo, parties=plan.parties, lots=lots, lane=lane)
        counts["lots"] += len(rows.graph.lots)
        counts["edges"] += len(rows.graph.edge_ids)
        event_ids = [event_ids[0] if event_ids else rows.first_event, rows.last_event]
        new_hashes.extend(p.hash_id for p in todo)
        pushed.append(rows.graph)
    lane.wait()
    lots.finish()
    if new_hashes:
        Capture.objects.filter(pk=capture.pk).update(events_new=len(new_hashes))
        capture.events_new = len(new_hashes)
    new_hashes.sort()
    audit_record(
        actor=by,
        source=source,
        event=AuditEvent(
            AuditAction.IMPORT,
            CAPTURE_OBJECT,
            str(capture.pk),
            f"EPCIS {filename}"[:200],
            after={
                "events": total,
                "new": len(new_hashes),
                "already_held": len(hash_ids) - len(new_hashes),
                "repeated_in_document": total - len(hash_ids),
                "file": filename,
                # The new events' hash IDs, lowest and highest, and their ids: the entry names
                # exactly what this capture wrote without listing every event.
                "hash_first": new_hashes[0] if new_hashes else "",
                "hash_last": new_hashes[-1] if new_hashes else "",
                "event_ids": event_ids,
                "lots_new": counts["lots"],
                "edges_new": counts["edges"],
            },
        ),
    )
    return CaptureResult(capture, total, len(new_hashes), total - len(new_hashes), hash_ids)


@dataclass
class _Written:
    first_event: int
    last_event: int
    graph: _GraphRows


_PLACES = Decimal("0.001")
_QUANTITY = Context(prec=16)  # the quantity columns' numeric(16, 3)


def _decimal(value: float | None) -> Decimal | None:
    """A quantity in its column's form (three places, as Django would round it), once."""
    if value is None:
        return None
    if type(value) is int and -(10**12) < value < 10**12:
        return Decimal(value)
    return Decimal(str(value)).quantize(_PLACES, context=_QUANTITY)


class _Quantities(dict[float | None, Decimal | None]):
    """`_decimal` of each quantity met in a capture, once (a document repeats its quantities)."""

    def __missing__(self, value: float | None) -> Decimal | None:
        self[value] = out = _decimal(value)
        return out


def _write_events(
    *, capture: Capture, todo: list[_Prepared], parties: _Parties, lots: _Lots, lane: _Lane
) -> _Written:
    """One chunk's rows: its new lot nodes, events, lot links and edges, given to the lane in that
    order after every read of the chunk (lots held, keys) is done here."""
    # Lot nodes: (identifier, holder key) -> id; attributes from ILMD. Each event's holder key
    # and its counter-party's (a shipment's or a receipt's other side) are found once, here.
    needed: dict[tuple[str, str], Holder | None] = {}
    lookup = parties.cache.get
    keys: list[tuple[str, str | None]] = []
    for p in todo:
        d = p.derived
        holder = p.holder
        here = holder_key(holder, p.holder_id)
        for lot in d.lots:
            if (lot.identifier, here) not in needed:
                needed[(lot.identifier, here)] = holder
            if d.ilmd and lot.role in ("epc", "quantity", "output"):
                lots.attrs.setdefault(lot.identifier, {}).update(d.ilmd)
        there = None
        if d.movement in ("ship", "receive"):
            other_id = counter_party(d)
            if other_id:
                other = lookup(other_id)
                there = holder_key(other, other_id)
                for lot in moving_lots(d):
                    if (lot.identifier, there) not in needed:
                        needed[(lot.identifier, there)] = other
        keys.append((here, there))
    lot_ids, lot_rows, new_lots, last_lot = lots.ensure(needed)
    event_ids = allocate_ids(TraceEvent, len(todo))
    event_rows = []
    link_rows: dict[tuple[int, int, str], tuple[Decimal | None, str]] = {}
    edge_rows: _EdgeRows = {}
    cap = capture.pk
    quantity = _Quantities()
    for eid, p, (here, there) in zip(event_ids, todo, keys, strict=True):
        d = p.derived
        row = p.row
        at = row[6]
        event_rows.append((eid, cap, *row))
        for lot in d.lots:
            key = (eid, lot_ids[(lot.identifier, here)], lot.role)
            if key not in link_rows:
                link_rows[key] = (quantity[lot.quantity], lot.uom[:3])
        movement = d.movement
        if there is not None:
            for lot in moving_lots(d):
                a, b = lot_ids[(lot.identifier, here)], lot_ids[(lot.identifier, there)]
                src, dst = (a, b) if movement == "ship" else (b, a)
                if (eid, src, dst) not in edge_rows:
                    edge_rows[(eid, src, dst)] = (
                        movement,
                        d.event_time,
                        at,
                        quantity[lot.quantity],
                        lot.uom[:3],
                    )
        elif movement == "transform":
            inputs = [lot for lot in d.lots if lot.role == "input"]
            outputs = [lot for lot in d.lots if lot.role == "output"]
            for i in inputs:
                for o in outputs:
                    src, dst = lot_ids[(i.identifier, here)], lot_ids[(o.identifier, here)]
                    if src == dst:
                        continue
                    edge_rows.setdefault(
                        (eid, src, dst), ("transform", d.event_time, at, quantity[i.quantity], i.uom[:3])
                    )
    edge_ids = allocate_ids(LotEdge, len(edge_rows))
    if connection.vendor == "postgresql":
        # Concurrent captures write the keys they share in one order (lot nodes by identifier and
        # holder, events by hash ID), so one waits for the other instead of both for each other.
        lot_rows.sort(key=_lot_key)
        event_rows.sort(key=_event_key)
    # Every read of the chunk is done: from here the writer has the connection.
    lane.submit(_insert(Lot, _LOT_COLUMNS, lot_rows))
    lane.submit(_insert(TraceEvent, _EVENT_COLUMNS, event_rows, as_is=("event_time", "record_time")))
    lane.submit(
        _insert(
            EventLot,
            ["event", "lot", "role", "quantity", "uom"],
            [(e, lot, role, q, u) for (e, lot, role), (q, u) in link_rows.items()],
            as_is=("quantity",),
        )
    )
    lane.submit(
        _insert(
            LotEdge,
            ["id", "src", "dst", "kind", "event", "at", "quantity", "uom"],
            [
                (i, s, t, kind, e, at, q, u)
                for i, ((e, s, t), (kind, _when, at, q, u)) in zip(edge_ids, edge_rows.items(), strict=True)
            ],
            as_is=("at", "quantity"),
        )
    )
    graph = _GraphRows(lots=new_lots, edge_ids=edge_ids, edge_rows=edge_rows, last_lot=last_lot)
    return _Written(event_ids[0], event_ids[-1], graph)


_lot_key = itemgetter(1, 2)  # (identifier, holder)
_event_key = itemgetter(2)  # the hash ID


_EVENT_COLUMNS = [
    "id",
    "capture",
    "hash_id",
    "event_id",
    "event_type",
    "action",
    "biz_step",
    "disposition",
    "event_time",
    "tz_offset",
    "record_time",
    "read_point",
    "biz_location",
    "business",
    "region",
    "body",
]
_LOT_COLUMNS = [
    "id",
    "identifier",
    "holder",
    "business",
    "region",
    "gtin",
    "lot_number",
    "product_name",
    "product_line",
    "produced_on",
    "best_before",
    "status",
]
_Attributes = tuple[str, str, dt.date | None, dt.date | None]  # name, product line, produced, best before


def _ilmd_updates(identifier: str, ilmd: Mapping[str, str]) -> dict[str, Any]:
    """What a lot's ILMD (merged over the capture) changes of its nodes' product columns."""
    updates: dict[str, Any] = {}
    if ilmd.get("name"):
        updates["product_name"] = ilmd["name"][:200]
    line = _product_line(identifier, ilmd.get("line", ""))
    if line != ProductLine.OTHER:
        updates["product_line"] = line
    if _date(ilmd.get("produced")):
        updates["produced_on"] = _date(ilmd.get("produced"))
    if _date(ilmd.get("best_before")):
        updates["best_before"] = _date(ilmd.get("best_before"))
    return updates


class _Lots:
    """The lot nodes of one capture, over its chunks: the ids of the nodes met (held or made),
    the product columns of the nodes held, and the ILMD sent so far.

    A new node takes the product's name, line and dates from the nodes of its identifier already
    held, with the ILMD sent for it in the capture over them; ILMD also updates the nodes held (a
    commissioning event after the shipment). As the ILMD of a later chunk can add to an earlier
    one's, `finish` (after the last chunk) writes the ILMD of the whole capture on the nodes held
    and sets every new node whose columns it changes: the rows are those of one pass over the
    document."""

    def __init__(self) -> None:
        self.ids: dict[tuple[str, str], int] = {}
        self.looked_up: set[str] = set()
        self.held: dict[str, _Attributes] = {}  # identifier -> the held nodes' product columns
        self.attrs: dict[str, dict[str, str]] = {}  # identifier -> ILMD sent for it so far
        self.made: dict[str, list[tuple[int, _Attributes]]] = {}  # identifier -> new nodes

    def attributes(self, identifier: str) -> _Attributes:
        """A new node's product columns, from what is held and the ILMD sent so far."""
        name, line, produced, best = self.held.get(identifier, ("", ProductLine.OTHER, None, None))
        ilmd = self.attrs.get(identifier)
        if ilmd:
            updates = _ilmd_updates(identifier, ilmd)
            name = updates.get("product_name", name)
            line = updates.get("product_line", line)
            produced = updates.get("produced_on", produced)
            best = updates.get("best_before", best)
        if line == ProductLine.OTHER:
            line = _product_line(identifier, "")
        return name, line, produced, best

    def ensure(
        self, needed: Mapping[tuple[str, str], Holder | None]
    ) -> tuple[dict[tuple[str, str], int], list[Any], list[tuple[int, int]], tuple[str, str] | None]:
        """Ids of the lot nodes, keys allocated for the missing ones, and the rows to insert for
        them. Also the new nodes (id, business id or -1) and the (identifier, holder) of the last
        one, for the in-memory graph."""
        ids = self.ids
        fresh = sorted({k[0] for k in needed if k not in ids and k[0] not in self.looked_up})
        columns = ["id", "identifier", "holder", "product_name", "product_line", "produced_on", "best_before"]
        for pk, ident, holder, name, line, produced, best in _rows_in(Lot, columns, "identifier", fresh):
            if produced is not None or best is not None:  # SQLite answers dates as text
                produced, best = _as_date(produced), _as_date(best)
            ids[(ident, holder)] = pk  # a later chunk may name another holder of it
            if name or line != ProductLine.OTHER or ident not in self.held:
                self.held[ident] = (name, line, produced, best)
        self.looked_up.update(fresh)
        missing = [k for k in needed if k not in ids]
        new_ids = allocate_ids(Lot, len(missing))
        rows: list[tuple[Any, ...]] = []
        graph_rows = []
        # What a lot number's new nodes share (a shipment makes one at each end), found once.
        shared: dict[str, tuple[str, str, str, _Attributes, list[tuple[int, _Attributes]]]] = {}
        normal = LotStatus.NORMAL
        for pk, (ident, holder) in zip(new_ids, missing, strict=True):
            business = needed[(ident, holder)]
            common = shared.get(ident)
            if common is None:
                key = parse_identifier(ident)
                common = shared[ident] = (
                    ident[:300],
                    key.gtin,
                    (key.lot or key.serial)[:80],
                    self.attributes(ident),
                    self.made.setdefault(ident, []),
                )
            identifier, gtin, lot_number, attributes, made = common
            made.append((pk, attributes))
            business_id, region = (business.pk, business.region_id) if business is not None else (None, None)
            rows.append(
                (pk, identifier, holder[:300], business_id, region, gtin, lot_number, *attributes, normal)
            )
            graph_rows.append((pk, business_id if business_id is not None else -1))
            ids[(ident, holder)] = pk
        last = (rows[-1][1], rows[-1][2]) if rows else None
        return {k: ids[k] for k in needed}, rows, graph_rows, last

    def finish(self) -> None:
        """After the last chunk is written: the capture's ILMD on the nodes held, and on every
        new node made before the last of it came."""
        for ident, ilmd in self.attrs.items():
            updates = _ilmd_updates(ident, ilmd)
            if updates and ident in self.held:
                Lot.objects.filter(identifier=ident).update(**updates)
            final = self.attributes(ident)
            stale = [pk for pk, attributes in self.made.get(ident, ()) if attributes != final]
            if stale:
                name, line, produced, best = final
                Lot.objects.filter(pk__in=stale).update(
                    product_name=name, product_line=line, produced_on=produced, best_before=best
                )


@transaction.atomic
def party_identifier_set(
    *, by: User, business: Business, identifier: str, source: str = AuditSource.WEB
) -> PartyIdentifier:
    """Say that an EPCIS party or location identifier (a GLN) stands for a business."""

    require_cap(by, TraceCap.CAPTURE)
    if not scope_for(by).allows_region(business.region_id):
        raise PermissionDenied(_("This business is outside your area."))
    row, _created = PartyIdentifier.objects.update_or_create(
        identifier=canonical_identifier(identifier)[:300], defaults={"business": business}
    )
    audit_record(
        actor=by,
        source=source,
        event=model_event(
            AuditAction.UPDATE, row, after={"business": business.pk}, region=business.region_id
        ),
    )
    return row


# -- samples and recalls ---------------------------------------------------------------------------


@transaction.atomic
def lot_sample_link(*, by: User, lot: Lot, sample: Any, source: str = AuditSource.WEB) -> LotSample:
    """Record that a sample was taken of a lot; its verdict then shows on the lot's pages."""
    require_cap(by, TraceCap.CAPTURE)
    if not scope_for(by).allows_region(lot.region_id or sample.region_id):
        raise PermissionDenied(_("This lot is outside your area."))
    link, created = LotSample.objects.get_or_create(lot=lot, sample=sample)
    if created:
        audit_record(
            actor=by,
            source=source,
            event=model_event(
                AuditAction.CREATE,
                link,
                after={"lot": lot.pk, "sample": sample.pk},
                region=lot.region_id or "",
            ),
        )
    return link


@dataclass
class ScopeBusiness:
    business_id: int
    region_id: str
    lots: int
    quantity: float
    uom: str
    depth: int


def recall_open(
    *,
    by: User,
    lot: Lot,
    sample: Any,
    reason: str,
    on: dt.date,
    scope_rows: Sequence[ScopeBusiness],
    lots_reached: Sequence[int],
    source: str = AuditSource.WEB,
) -> Recall:
    """Start a recall from an unqualified sample's lot: mark the lot and every lot reached as
    recalled (their public pages say so at once), and open a disposal task for every business
    reached through the sampling module's disposal service (核查处置, 食品安全法第六十三条)."""

    require_cap(by, TraceCap.RECALL)
    if sample is None or sample.conclusion != Verdict.UNQUALIFIED:
        raise ValidationError(_("A recall starts from a sample judged unqualified."))
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the recall.")})
    with transaction.atomic():
        recall = Recall.objects.create(
            lot=lot,
            sample=sample,
            region_id=lot.region_id,
            reason=reason.strip()[:300],
            opened_on=on,
            opened_by=by,
            lots_reached=len(lots_reached),
        )
        LotSample.objects.get_or_create(lot=lot, sample=sample)
        Lot.objects.filter(pk=lot.pk).update(status=LotStatus.RECALLED)
        ids = list(lots_reached)
        for i in range(0, len(ids), 900):
            Lot.objects.filter(pk__in=ids[i : i + 900]).update(status=LotStatus.RECALLED)
        businesses = Business.objects.in_bulk([r.business_id for r in scope_rows])
        for row in scope_rows:
            business = businesses[row.business_id]
            task = (
                sampling_services.disposal_task_open(
                    sample=sample,
                    by=by,
                    on=on,
                    source=source,
                    business=None if business.pk == sample.business_id else business,
                )
                if not (business.pk == sample.business_id and _own_task_exists(sample))
                else _own_task(sample)
            )
            RecallBusiness.objects.create(
                recall=recall,
                business=business,
                region_id=row.region_id,
                lots=row.lots,
                quantity=Decimal(str(round(row.quantity, 3))) if row.quantity == row.quantity else None,
                uom=row.uom[:3],
                depth=row.depth,
                disposal=task,
            )
        audit_record(
            actor=by,
            source=source,
            event=model_event(
                AuditAction.CREATE,
                recall,
                after={
                    "lot": lot.pk,
                    "sample": sample.pk,
                    "businesses": len(scope_rows),
                    "lots_reached": len(ids),
                    "reason": recall.reason,
                },
                region=lot.region_id or "",
            ),
        )
    return recall


def _own_task(sample: Any) -> Any:
    return sample.disposals.filter(business__isnull=True).first()


def _own_task_exists(sample: Any) -> bool:
    return bool(sample.disposals.filter(business__isnull=True).exists())


# -- consumer queries ------------------------------------------------------------------------------


def consumer_query_count(*, identifier: str, product_line: str, day: dt.date) -> None:
    """Count one consumer query of a trace code (the public page; no person recorded). Not audited:
    a counter of anonymous page views, not a change to a record."""
    updated = ConsumerQueryCount.objects.filter(
        day=day, product_line=product_line, identifier=identifier[:300], source=QuerySource.PLATFORM
    ).update(count=F("count") + 1)
    if not updated:
        ConsumerQueryCount.objects.get_or_create(
            day=day,
            product_line=product_line,
            identifier=identifier[:300],
            source=QuerySource.PLATFORM,
            defaults={"count": 1},
        )


@transaction.atomic
def consumer_query_baseline_record(
    *, by: User, day: dt.date, product_line: str, count: int, note: str, source: str = AuditSource.WEB
) -> ConsumerQueryCount:
    """A reported figure of consumer queries (the year before the platform counted them), with its
    source in the note."""
    require_cap(by, TraceCap.RECALL)
    if count < 0:
        raise ValidationError({"count": _("A count cannot be negative.")})
    if not note.strip():
        raise ValidationError({"note": _("Say where the figure comes from.")})
    row, _created = ConsumerQueryCount.objects.update_or_create(
        day=day,
        product_line=product_line,
        identifier="",
        source=QuerySource.REPORTED,
        defaults={"count": count, "note": note.strip()[:200]},
    )
    audit_record(
        actor=by,
        source=source,
        event=model_event(AuditAction.UPDATE, row, after={"count": count, "note": row.note}),
    )
    return row


# -- imported cold-chain food ----------------------------------------------------------------------


def _warehouse_types() -> frozenset[str]:
    return frozenset({BusinessType.COLD_STORE, BusinessType.AGRI_MARKET, BusinessType.WHOLESALE_RETAIL})


@transaction.atomic
def cold_chain_record(
    *,
    by: User,
    warehouse: Business,
    direction: str,
    at: dt.datetime,
    product_name: str,
    quantity: Decimal,
    uom: str = "KGM",
    origin_country: str = "",
    counterparty: Business | None = None,
    counterparty_name: str = "",
    proofs: Mapping[str, str] | None = None,
    lot: Lot | None = None,
    source: str = AuditSource.WEB,
) -> ColdChainRecord:
    """An in or out record of the central supervised warehouse, judged against the rules of its
    date (rules.cold_chain_missing): what was required and is missing is stored with it."""
    require_cap(by, TraceCap.COLD_CHAIN)
    scope = scope_for(by)
    if not scope.allows_region(warehouse.region_id):
        raise PermissionDenied(_("This business is outside your area."))
    if counterparty is not None and not scope.allows_region(counterparty.region_id):
        raise PermissionDenied(_("This business is outside your area."))
    if warehouse.business_type not in _warehouse_types():
        raise ValidationError(
            {"warehouse": _("Only a cold store, a market or a wholesaler keeps these records.")}
        )
    proofs = {k: (v or "").strip() for k, v in (proofs or {}).items() if k in rules.PROOF_FIELDS}
    try:
        edition, missing = rules.cold_chain_missing(
            on=timezone.localtime(at).date(), direction=direction, proofs=proofs
        )
    except rules.NoEditionInForce as exc:
        raise ValidationError(
            {"at": _("No cold-chain rule edition is in force on %(day)s.") % {"day": exc.on.isoformat()}}
        ) from None
    record = ColdChainRecord(
        warehouse=warehouse,
        region_id=warehouse.region_id,
        direction=direction,
        at=at,
        product_name=product_name.strip(),
        origin_country=origin_country.strip(),
        quantity=quantity,
        uom=uom,
        lot=lot,
        counterparty=counterparty,
        counterparty_name=counterparty_name.strip() or (counterparty.name if counterparty else ""),
        rule_edition=edition,
        missing=missing,
        recorded_by=by,
        **proofs,
    )
    record.full_clean()
    record.save()
    audit_record(
        actor=by,
        source=source,
        event=model_event(
            AuditAction.CREATE,
            record,
            after={
                "direction": direction,
                "product": record.product_name,
                "quantity": str(quantity),
                "missing": missing,
                "edition": edition,
            },
            region=record.region_id,
        ),
    )
    return record


@transaction.atomic
def cold_chain_check_record(
    *,
    by: User,
    business: Business,
    checked_on: dt.date,
    answers: Mapping[str, bool],
    note: str = "",
    source: str = AuditSource.WEB,
) -> ColdChainCheck:
    """A 三专三证五不准 checklist check of a cold store or market (target T05)."""
    require_cap(by, TraceCap.COLD_CHAIN)
    if not scope_for(by).allows_region(business.region_id):
        raise PermissionDenied(_("This business is outside your area."))
    try:
        checklist = rules.cold_chain_checklist(checked_on)
    except rules.NoEditionInForce as exc:
        raise ValidationError(
            {"checked_on": _("No checklist edition is in force on %(day)s.") % {"day": exc.on.isoformat()}}
        ) from None
    clean = {i.code: bool(answers.get(i.code)) for i in checklist.items}
    check = ColdChainCheck.objects.create(
        business=business,
        region_id=business.region_id,
        checked_on=checked_on,
        answers=clean,
        edition=checklist.id,
        passed=rules.checklist_passed(checklist, clean),
        note=note.strip()[:300],
        checked_by=by,
    )
    audit_record(
        actor=by,
        source=source,
        event=model_event(
            AuditAction.CREATE,
            check,
            after={"answers": clean, "passed": check.passed, "edition": checklist.id},
            region=business.region_id,
        ),
    )
    return check
