"""The process's one in-memory lot graph, loaded from the database and kept in step with it.

Edges and lots are append-only, so being in step means having read every row up to the tables'
highest ids: each trace first asks the database for those two numbers (one indexed lookup) and
reads only the rows added since, into the graph's overflow table; past REBUILD_AT overflow edges
the CSR is rebuilt. A capture in this process also adds its rows right after its commit.
"""

from __future__ import annotations

import datetime as dt
import threading

import numpy as np
from django.db import connection

from shian.registry.models import Business

from .graph import LotGraph
from .models import Lot, LotEdge

REBUILD_AT = 200_000
_LOCK = threading.Lock()
_GRAPH: LotGraph | None = None
_FINGERPRINT: tuple[object, ...] = ()


def epoch(value: dt.datetime | None) -> int | None:
    return None if value is None else int(value.timestamp())


def _heads() -> tuple[int, int, tuple[object, ...]]:
    """The highest edge and lot ids, and what those two rows hold: a database rolled back and
    written again (tests) may reuse an id for another row, which the contents tell apart."""
    e = connection.ops.quote_name(LotEdge._meta.db_table)
    lot = connection.ops.quote_name(Lot._meta.db_table)
    with connection.cursor() as cur:
        # Table names from the models' metadata, never from input.
        cur.execute(
            f"SELECT (SELECT MAX(id) FROM {e}), (SELECT MAX(id) FROM {lot}), "  # noqa: S608
            f"(SELECT src_id FROM {e} ORDER BY id DESC LIMIT 1), (SELECT dst_id FROM {e} ORDER BY id DESC LIMIT 1), "
            f"(SELECT identifier FROM {lot} ORDER BY id DESC LIMIT 1), (SELECT holder FROM {lot} ORDER BY id DESC LIMIT 1)"
        )
        row = cur.fetchone()
    return int(row[0] or 0), int(row[1] or 0), tuple(row)


def _edge_rows(after: int) -> list[tuple[int, int, int, float, str]]:
    rows = []
    for src, dst, at, qty, uom in (
        LotEdge.objects.filter(id__gt=after)
        .order_by("id")
        .values_list("src_id", "dst_id", "at", "quantity", "uom")
    ):
        rows.append((src, dst, int(at.timestamp()), float(qty) if qty is not None else float("nan"), uom))
    return rows


def _columns(sql: str, dtypes: list[type]) -> list[np.ndarray]:
    """A query's columns as numpy arrays, read in chunks from the driver's cursor (10 million
    rows through the ORM would take minutes)."""
    parts: list[list[np.ndarray]] = [[] for _ in dtypes]
    with connection.cursor() as dj:
        cur = dj.cursor
        cur.execute(sql)
        while True:
            rows = cur.fetchmany(200_000)
            if not rows:
                break
            cols = list(zip(*rows, strict=True))
            for k, kind in enumerate(dtypes):
                parts[k].append(np.asarray(cols[k], dtype=kind))
    return [
        np.concatenate(p) if p else np.empty(0, dtype=kind) for p, kind in zip(parts, dtypes, strict=True)
    ]


def _load() -> LotGraph:
    global _FINGERPRINT
    edge_head, lot_head, _FINGERPRINT = _heads()
    q = connection.ops.quote_name
    edge, lot = q(LotEdge._meta.db_table), q(Lot._meta.db_table)
    epoch_sql = (
        "CAST(strftime('%s', at) AS INTEGER)"
        if connection.vendor == "sqlite"
        else "CAST(EXTRACT(EPOCH FROM at) AS BIGINT)"
    )
    with connection.cursor() as cur:
        cur.execute(f"SELECT DISTINCT uom FROM {edge}")  # noqa: S608 — names from the models' metadata
        uoms = ["", *sorted({r[0] for r in cur.fetchall()} - {""})]
    unit_case = (
        "CASE uom "
        + " ".join(f"WHEN '{u}' THEN {i}" for i, u in enumerate(uoms) if u.isalnum())
        + " ELSE 0 END"
    )
    src, dst, at, qty, uom = _columns(
        # Only integers the database gave us are spliced in (the heads, the units' indexes).
        f"SELECT src_id, dst_id, {epoch_sql}, COALESCE(CAST(quantity AS REAL), -1), {unit_case} "  # noqa: S608
        f"FROM {edge} WHERE id <= {int(edge_head)}",
        [np.int64, np.int64, np.int64, np.float64, np.int8],
    )
    qty[qty < 0] = np.nan
    ids, holders = _columns(
        f"SELECT id, COALESCE(business_id, -1) FROM {lot} WHERE id <= {int(lot_head)}",  # noqa: S608
        [np.int64, np.int64],
    )
    business = np.full(lot_head + 1, -1, dtype=np.int32)
    business[ids] = holders
    graph = LotGraph.build(
        n=lot_head + 1,
        src=src,
        dst=dst,
        at=at,
        qty=qty,
        uom=uom,
        uoms=uoms,
        node_business=business,
        last_edge_id=edge_head,
        last_node_id=lot_head,
    )
    graph.set_business_regions(
        list(Business.objects.values_list("id", "region_id").iterator(chunk_size=50_000))
    )
    return graph


def _catch_up(graph: LotGraph, edge_head: int, lot_head: int) -> LotGraph:
    if lot_head > graph.last_node_id:
        rows = list(
            Lot.objects.filter(id__gt=graph.last_node_id, id__lte=lot_head).values_list("id", "business_id")
        )
        graph.add_nodes([r[0] for r in rows], [r[1] if r[1] is not None else -1 for r in rows])
        graph.last_node_id = lot_head
    if edge_head > graph.last_edge_id:
        if edge_head - graph.last_edge_id + graph.extra_edges > REBUILD_AT:
            return _load()
        graph.add_edges(_edge_rows(graph.last_edge_id), edge_head)
    return graph


def current_graph() -> LotGraph:
    """The graph as the database holds it now."""
    global _GRAPH, _FINGERPRINT
    edge_head, lot_head, fingerprint = _heads()
    with _LOCK:
        if (
            _GRAPH is None
            or edge_head < _GRAPH.last_edge_id
            or lot_head < _GRAPH.last_node_id
            or (
                edge_head == _GRAPH.last_edge_id
                and lot_head == _GRAPH.last_node_id
                and fingerprint != _FINGERPRINT
            )
        ):
            # First use, or a database that went back (a test's rollback): read it whole.
            _GRAPH = _load()
        elif edge_head > _GRAPH.last_edge_id or lot_head > _GRAPH.last_node_id:
            _GRAPH = _catch_up(_GRAPH, edge_head, lot_head)
            _FINGERPRINT = fingerprint
        return _GRAPH


def reset() -> None:
    """Forget the graph (tests that rebuild the database between cases)."""
    global _GRAPH, _FINGERPRINT
    with _LOCK:
        _GRAPH, _FINGERPRINT = None, ()


def takes_captures() -> bool:
    """Whether this process holds a graph that a capture's rows can be added to."""
    return _GRAPH is not None and bool(_FINGERPRINT)


def capture_committed(
    lots: list[tuple[int, int]],
    edges: list[tuple[int, int, int, int, float, str]],
    last_lot: tuple[str, str] | None,
) -> None:
    """A capture's rows, added to the process's graph right after its commit, so the next trace
    does not read them back: `lots` (id, business id or -1), `edges` (id, src, dst, epoch,
    quantity, unit), `last_lot` the (identifier, holder) of the highest new lot id. Only when the
    graph holds every row before them and their ids follow on without a gap (otherwise the next
    trace's catch-up reads whatever it has not seen, these rows included)."""
    global _FINGERPRINT
    with _LOCK:
        graph = _GRAPH
        if graph is None or not _FINGERPRINT:
            return
        if graph.extra_edges + len(edges) > REBUILD_AT:
            return
        lot_ids = [i for i, _b in lots]
        edge_ids = [e[0] for e in edges]
        if lot_ids and (lot_ids[0] != graph.last_node_id + 1 or lot_ids[-1] - lot_ids[0] + 1 != len(lot_ids)):
            return
        if edge_ids and (
            edge_ids[0] != graph.last_edge_id + 1 or edge_ids[-1] - edge_ids[0] + 1 != len(edge_ids)
        ):
            return
        head = list(_FINGERPRINT)
        if lot_ids:
            assert last_lot is not None  # noqa: S101 — new lots come with the last one's key
            graph.add_nodes(lot_ids, [b for _i, b in lots])
            head[1], head[4], head[5] = lot_ids[-1], last_lot[0], last_lot[1]
        if edges:
            graph.add_edges([(s, d, t, q, u) for _i, s, d, t, q, u in edges], edge_ids[-1])
            head[0], head[2], head[3] = edge_ids[-1], edges[-1][1], edges[-1][2]
        _FINGERPRINT = tuple(head)
