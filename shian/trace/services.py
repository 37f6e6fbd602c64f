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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Context, Decimal
from functools import lru_cache
from typing import Any

import orjson
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
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


@dataclass
class _Prepared:
    event: Mapping[str, Any]
    hash_id: str
    derived: Derived
    holder: Holder | None
    holder_id: str  # the identifier the holder was named by ("" when none)
    index: int


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
    document of up to MAX_EVENTS events): the document is validated once by the compiled schema,
    each event is hashed and derived once, what is already held is found with one query per
    chunk of hash IDs, lots, events, lot links and edges go in with core.bulk (COPY on
    PostgreSQL), and the capture has one audit entry summarising its counts and the range of its
    hash IDs, in the same transaction. After the commit the rows are added to this process's
    lot graph."""
    now = now or timezone.now()
    if check_permission:
        require_cap(by, TraceCap.CAPTURE)
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
    prepared: list[_Prepared] = []
    seen: set[str] = set()
    hash_id = hasher.hash_id
    lookup = parties.cache.get
    for index, (event, d) in enumerate(zip(events, derived_all, strict=True)):
        h = hash_id(event)
        if h in seen:
            continue
        seen.add(h)
        holder, holder_id = None, ""
        for ident in d.holder_ids:
            holder = lookup(ident)
            if holder is not None:
                holder_id = ident
                break
        if holder is None and d.holder_ids:
            holder_id = d.holder_ids[0]
        prepared.append(_Prepared(event, h, d, holder, holder_id, index))
    if check_permission and by is not None:
        scope = scope_for(by)
        allowed: dict[str, bool] = {}
        outside = []
        for p in prepared:
            for b in (p.holder, lookup(counter_party(p.derived))):
                if b is None:
                    continue
                ok = allowed.get(b.region_id)
                if ok is None:
                    ok = allowed[b.region_id] = scope.allows_region(b.region_id)
                if not ok:
                    outside.append(
                        epcis.Problem(
                            f"/epcisBody/eventList/{p.index}",
                            "outside-scope",
                            _("The event names a business outside your area, or one that does not exist."),
                        )
                    )
                    break
        if outside:
            raise CaptureRejected(outside)
    pushed: list[_GraphRows] = []
    with transaction.atomic():
        result = _write(
            by=by,
            document=document,
            prepared=prepared,
            parties=parties,
            source=source,
            filename=filename,
            now=now,
            total=len(events),
            pushed=pushed,
        )
        if pushed:
            rows = pushed[0]
            transaction.on_commit(lambda: graphstore.capture_committed(rows.lots, rows.edges, rows.last_lot))
    return result


@dataclass
class _GraphRows:
    """What a capture adds to the lot graph, for the process's graph after the commit."""

    lots: list[tuple[int, int]]  # (lot id, business id or -1)
    edges: list[tuple[int, int, int, int, float, str]]  # (edge id, src, dst, epoch, quantity, unit)
    last_lot: tuple[str, str] | None  # (identifier, holder) of the highest new lot id


def _held(hashes: Sequence[str]) -> set[str]:
    """The hash IDs among `hashes` already captured: one query per chunk."""
    return {row[0] for row in _rows_in(TraceEvent, ["hash_id"], "hash_id", sorted(hashes))}


def _rows_in(model: type[Any], columns: Sequence[str], key: str, values: Sequence[str]) -> Iterable[Any]:
    """Columns of the rows whose text column `key` is one of `values`, one statement per chunk
    (plain SQL: the ORM prepares each of 10,000 parameters through the field API)."""
    q = connection.ops.quote_name
    select = ", ".join(q(c) for c in columns)
    # Table and column names come from the models' metadata; the values go as parameters.
    return _select_in(f"SELECT {select} FROM {q(model._meta.db_table)} WHERE {q(key)}", values)  # noqa: S608


def _select_in(sql: str, values: Sequence[str]) -> Iterable[Any]:
    """`sql` (ending in the column compared) IN each chunk of `values`: the rows of every chunk.
    On PostgreSQL one statement with the values as one array parameter (`= ANY(%s)`): a query of
    10,000 placeholders costs the driver more to parse than the server to answer."""
    if not values:
        return
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(f"{sql} = ANY(%s)", [list(values)])
            yield from cur.fetchall()
        return
    step = _chunk()
    with connection.cursor() as cur:
        for i in range(0, len(values), step):
            chunk = values[i : i + step]
            cur.execute(f"{sql} IN ({', '.join(['%s'] * len(chunk))})", chunk)
            yield from cur.fetchall()


def _write(
    *,
    by: User | None,
    document: Mapping[str, Any],
    prepared: list[_Prepared],
    parties: _Parties,
    source: str,
    filename: str,
    now: dt.datetime,
    total: int,
    pushed: list[_GraphRows],
) -> CaptureResult:
    held = _held([p.hash_id for p in prepared])
    todo = [p for p in prepared if p.hash_id not in held]
    header = {k: v for k, v in document.items() if k != "epcisBody"}
    capture = Capture.objects.create(
        captured_by=by,
        source=source,
        filename=filename[:200],
        header=header,
        events_total=total,
        events_new=len(todo),
    )
    counts = {"lots": 0, "edges": 0}
    event_ids: list[int] = []
    if todo:
        rows = _write_events(capture=capture, todo=todo, parties=parties, now=now)
        counts = {"lots": len(rows.lots), "edges": len(rows.edges)}
        event_ids = [rows.first_event, rows.first_event + len(todo) - 1]
        pushed.append(rows.graph)
    new_hashes = sorted(p.hash_id for p in todo)
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
                "new": len(todo),
                "already_held": len(prepared) - len(todo),
                "repeated_in_document": total - len(prepared),
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
    return CaptureResult(capture, total, len(todo), total - len(todo), [p.hash_id for p in prepared])


@dataclass
class _Written:
    first_event: int
    lots: list[int]
    edges: list[int]
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


def _write_events(
    *, capture: Capture, todo: list[_Prepared], parties: _Parties, now: dt.datetime
) -> _Written:
    # Lot nodes: (identifier, holder key) -> id; attributes from ILMD.
    needed: dict[tuple[str, str], Holder | None] = {}
    attrs: dict[str, dict[str, str]] = {}
    lookup = parties.cache.get
    for p in todo:
        d = p.derived
        here = holder_key(p.holder, p.holder_id)
        for lot in d.lots:
            if (lot.identifier, here) not in needed:
                needed[(lot.identifier, here)] = p.holder
            if d.ilmd and lot.role in ("epc", "quantity", "output"):
                attrs.setdefault(lot.identifier, {}).update(d.ilmd)
        if d.movement in ("ship", "receive"):
            other_id = counter_party(d)
            if other_id:
                other = lookup(other_id)
                there = holder_key(other, other_id)
                for lot in moving_lots(d):
                    if (lot.identifier, there) not in needed:
                        needed[(lot.identifier, there)] = other
    lot_ids, new_lots, last_lot = _lots_ensure(needed, attrs)
    event_ids = allocate_ids(TraceEvent, len(todo))
    event_rows = []
    link_rows: dict[tuple[int, int, str], tuple[Decimal | None, str]] = {}
    # (event, src, dst) -> (kind, time, the time in the database's form, quantity, unit)
    edge_rows: dict[tuple[int, int, int], tuple[str, dt.datetime, Any, Decimal | None, str]] = {}
    dumps = orjson.dumps
    adapt = connection.ops.adapt_datetimefield_value
    times: dict[dt.datetime, Any] = {}

    def db_time(value: dt.datetime) -> Any:
        """A time in the database's form, once per distinct time (a document repeats them)."""
        out = times.get(value)
        if out is None:
            out = times[value] = adapt(value)
        return out

    recorded = adapt(now)
    for eid, p in zip(event_ids, todo, strict=True):
        d = p.derived
        holder = p.holder
        at = db_time(d.event_time)
        event_rows.append(
            (
                eid,
                p.hash_id,
                str(p.event.get("eventID", ""))[:300],
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
                capture.pk,
                dumps(p.event).decode(),
            )
        )
        here = holder_key(holder, p.holder_id)
        for lot in d.lots:
            key = (eid, lot_ids[(lot.identifier, here)], lot.role)
            if key not in link_rows:
                link_rows[key] = (_decimal(lot.quantity), lot.uom[:3])
        if d.movement in ("ship", "receive"):
            other_id = counter_party(d)
            if other_id:
                there = holder_key(lookup(other_id), other_id)
                for lot in moving_lots(d):
                    a, b = lot_ids[(lot.identifier, here)], lot_ids[(lot.identifier, there)]
                    src, dst = (a, b) if d.movement == "ship" else (b, a)
                    if (eid, src, dst) not in edge_rows:
                        edge_rows[(eid, src, dst)] = (
                            d.movement,
                            d.event_time,
                            at,
                            _decimal(lot.quantity),
                            lot.uom[:3],
                        )
        elif d.movement == "transform":
            inputs = [lot for lot in d.lots if lot.role == "input"]
            outputs = [lot for lot in d.lots if lot.role == "output"]
            for i in inputs:
                for o in outputs:
                    src, dst = lot_ids[(i.identifier, here)], lot_ids[(o.identifier, here)]
                    if src == dst:
                        continue
                    edge_rows.setdefault(
                        (eid, src, dst), ("transform", d.event_time, at, _decimal(i.quantity), i.uom[:3])
                    )
    insert_rows(
        TraceEvent,
        [
            "id",
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
            "capture",
            "body",
        ],
        event_rows,
        as_is=("event_time", "record_time"),
    )
    insert_rows(
        EventLot,
        ["event", "lot", "role", "quantity", "uom"],
        [(e, lot, role, q, u) for (e, lot, role), (q, u) in link_rows.items()],
        as_is=("quantity",),
    )
    edge_ids = allocate_ids(LotEdge, len(edge_rows))
    insert_rows(
        LotEdge,
        ["id", "src", "dst", "kind", "event", "at", "quantity", "uom"],
        [
            (i, s, t, kind, e, at, q, u)
            for i, ((e, s, t), (kind, _when, at, q, u)) in zip(edge_ids, edge_rows.items(), strict=True)
        ],
        as_is=("at", "quantity"),
    )
    graph = _GraphRows(
        lots=new_lots,
        edges=[
            (i, s, t, int(when.timestamp()), float(q) if q is not None else float("nan"), u)
            for i, ((_e, s, t), (_k, when, _at, q, u)) in zip(edge_ids, edge_rows.items(), strict=True)
        ],
        last_lot=last_lot,
    )
    return _Written(event_ids[0], [lot for lot, _b in new_lots], edge_ids, graph)


def _lots_ensure(
    needed: Mapping[tuple[str, str], Holder | None], attrs: Mapping[str, Mapping[str, str]]
) -> tuple[dict[tuple[str, str], int], list[tuple[int, int]], tuple[str, str] | None]:
    """Ids of the lot nodes, creating the missing ones; a new node of a known identifier takes the
    product's name, line and dates from the nodes already held. Also the new nodes (id, business
    id or -1) and the (identifier, holder) of the last one, for the in-memory graph."""
    ids: dict[tuple[str, str], int] = {}
    identifiers = sorted({k[0] for k in needed})
    known: dict[str, tuple[str, str, dt.date | None, dt.date | None]] = {}
    columns = ["id", "identifier", "holder", "product_name", "product_line", "produced_on", "best_before"]
    for pk, ident, holder, name, line, produced, best in _rows_in(Lot, columns, "identifier", identifiers):
        if produced is not None or best is not None:  # SQLite answers dates as text
            produced, best = _as_date(produced), _as_date(best)
        if (ident, holder) in needed:
            ids[(ident, holder)] = pk
        if name or line != ProductLine.OTHER or ident not in known:
            known[ident] = (name, line, produced, best)
    # ILMD sent now updates the nodes already held (a commissioning event after the shipment).
    for ident, a in attrs.items():
        updates: dict[str, Any] = {}
        if a.get("name"):
            updates["product_name"] = a["name"][:200]
        line = _product_line(ident, a.get("line", ""))
        if line != ProductLine.OTHER:
            updates["product_line"] = line
        if _date(a.get("produced")):
            updates["produced_on"] = _date(a.get("produced"))
        if _date(a.get("best_before")):
            updates["best_before"] = _date(a.get("best_before"))
        if updates and ident in known:
            Lot.objects.filter(identifier=ident).update(**updates)
        if updates:
            old = known.get(ident, ("", ProductLine.OTHER, None, None))
            known[ident] = (
                updates.get("product_name", old[0]),
                updates.get("product_line", old[1]),
                updates.get("produced_on", old[2]),
                updates.get("best_before", old[3]),
            )
    missing = [k for k in needed if k not in ids]
    new_ids = allocate_ids(Lot, len(missing))
    rows = []
    graph_rows = []
    for pk, (ident, holder) in zip(new_ids, missing, strict=True):
        business = needed[(ident, holder)]
        key = parse_identifier(ident)
        name, line, produced, best = known.get(ident, ("", _product_line(ident, ""), None, None))
        if line == ProductLine.OTHER:
            line = _product_line(ident, "")
        rows.append(
            (
                pk,
                ident[:300],
                holder[:300],
                business.pk if business else None,
                business.region_id if business else None,
                key.gtin,
                (key.lot or key.serial)[:80],
                name,
                line,
                produced,
                best,
                LotStatus.NORMAL,
            )
        )
        graph_rows.append((pk, business.pk if business else -1))
        ids[(ident, holder)] = pk
    insert_rows(
        Lot,
        [
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
        ],
        rows,
    )
    last = (rows[-1][1], rows[-1][2]) if rows else None
    return ids, graph_rows, last


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
