"""The lot graph in memory: compressed sparse rows (CSR) in both directions, with each edge's time,
quantity and unit, and each node's business. Pure Python and numpy (no Django import), so the
benchmark can drive it directly; `graphstore` loads it from the database and keeps it in step.

A trace is a breadth-first frontier search: forward (where did this lot go: the recall scope) or
backward (where did it come from: the origin), by depth and time window. A node is visited once,
so a cycle in bad data ends the search instead of looping. Small traces (the usual few dozen
nodes) run on Python sets over CSR slices; once the reached set grows past SMALL nodes the search
switches to whole-frontier numpy steps with a visited bitmap, which keeps a hub lot reaching
200,000 nodes within tens of milliseconds.

Edges are append-only. Edges added after the CSR was built wait in a small overflow table that
the search reads too, until the next rebuild folds them in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

SMALL = 2048  # reached nodes beyond which the search works on whole frontiers with numpy
NO_TIME_MIN = np.iinfo(np.int64).min
NO_TIME_MAX = np.iinfo(np.int64).max

IntArray = npt.NDArray[np.int64]


def _csr(n: int, key: IntArray, other: IntArray, *cols: npt.NDArray[np.generic]) -> tuple[IntArray, ...]:
    order = np.argsort(key, kind="stable")
    counts = np.bincount(key, minlength=n)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    return (indptr, other[order].astype(np.int32), *(c[order] for c in cols))  # type: ignore[arg-type]


@dataclass
class TraceResult:
    """The nodes a trace reached (the start first), the depth of each, and the node and edge it was
    first reached through (-1 for the start), in reach order."""

    nodes: IntArray
    depth: IntArray
    via: IntArray
    via_edge_time: IntArray
    via_edge_qty: npt.NDArray[np.float64]
    truncated: bool = False

    def __len__(self) -> int:
        return int(self.nodes.size)


@dataclass
class LotGraph:
    n: int  # node ids are 0 … n-1 (lot primary keys; 0 and gaps are nodes without edges)
    f_indptr: IntArray
    f_nbr: npt.NDArray[np.int32]
    f_at: IntArray
    f_qty: npt.NDArray[np.float64]
    f_uom: npt.NDArray[np.int8]
    b_indptr: IntArray
    b_nbr: npt.NDArray[np.int32]
    b_at: IntArray
    b_qty: npt.NDArray[np.float64]
    b_uom: npt.NDArray[np.int8]
    node_business: npt.NDArray[np.int32]  # -1: a holder outside the register
    uoms: list[str]
    edges: int
    # The town of each business (an index into `regions`; -1 unknown): a recall scope's details
    # come from memory, not from a query per business.
    business_region: npt.NDArray[np.int16] = field(default_factory=lambda: np.empty(0, dtype=np.int16))
    regions: list[str] = field(default_factory=list)
    last_edge_id: int = 0
    last_node_id: int = 0
    # Edges added since the build: node -> [(neighbour, time, quantity, uom index)], per direction.
    extra_out: dict[int, list[tuple[int, int, float, int]]] = field(default_factory=dict)
    extra_in: dict[int, list[tuple[int, int, float, int]]] = field(default_factory=dict)
    extra_edges: int = 0

    @classmethod
    def build(
        cls,
        *,
        n: int,
        src: Sequence[int] | IntArray,
        dst: Sequence[int] | IntArray,
        at: Sequence[int] | IntArray,
        qty: Sequence[float] | npt.NDArray[np.float64] | None = None,
        uom: Sequence[int] | npt.NDArray[np.int8] | None = None,
        uoms: list[str] | None = None,
        node_business: npt.NDArray[np.int32] | None = None,
        last_edge_id: int = 0,
        last_node_id: int = 0,
        business_region: npt.NDArray[np.int16] | None = None,
        regions: list[str] | None = None,
    ) -> LotGraph:
        s = np.asarray(src, dtype=np.int64)
        d = np.asarray(dst, dtype=np.int64)
        t = np.asarray(at, dtype=np.int64)
        q = np.asarray(qty, dtype=np.float64) if qty is not None else np.full(s.size, np.nan)
        u = np.asarray(uom, dtype=np.int8) if uom is not None else np.zeros(s.size, dtype=np.int8)
        n = max(n, int(s.max()) + 1 if s.size else 0, int(d.max()) + 1 if d.size else 0)
        f = _csr(n, s, d, t, q, u)
        b = _csr(n, d, s, t, q, u)
        nb = node_business if node_business is not None else np.full(n, -1, dtype=np.int32)
        if nb.size < n:
            nb = np.concatenate([nb, np.full(n - nb.size, -1, dtype=np.int32)])
        return cls(
            n=n,
            f_indptr=f[0],
            f_nbr=f[1],  # type: ignore[arg-type]
            f_at=f[2],
            f_qty=f[3],  # type: ignore[arg-type]
            f_uom=f[4],  # type: ignore[arg-type]
            b_indptr=b[0],
            b_nbr=b[1],  # type: ignore[arg-type]
            b_at=b[2],
            b_qty=b[3],  # type: ignore[arg-type]
            b_uom=b[4],  # type: ignore[arg-type]
            node_business=nb,
            uoms=uoms or [""],
            edges=int(s.size),
            last_edge_id=last_edge_id,
            last_node_id=last_node_id,
            business_region=business_region if business_region is not None else np.empty(0, dtype=np.int16),
            regions=regions or [],
        )

    def set_business_regions(self, pairs: Sequence[tuple[int, str]]) -> None:
        """Businesses' towns (business id, region code), added or changed."""
        if not pairs:
            return
        index = {r: i for i, r in enumerate(self.regions)}
        top = max(b for b, _r in pairs) + 1
        if top > self.business_region.size:
            self.business_region = np.concatenate(
                [self.business_region, np.full(top - self.business_region.size, -1, dtype=np.int16)]
            )
        for b, r in pairs:
            if r not in index:
                index[r] = len(self.regions)
                self.regions.append(r)
            self.business_region[b] = index[r]

    # -- keeping in step ---------------------------------------------------------------------------

    def uom_index(self, uom: str) -> int:
        if uom not in self.uoms:
            self.uoms.append(uom)
        return self.uoms.index(uom)

    def add_nodes(self, ids: Sequence[int], businesses: Sequence[int]) -> None:
        if not ids:
            return
        top = max(ids) + 1
        if top > self.node_business.size:
            self.node_business = np.concatenate(
                [self.node_business, np.full(top - self.node_business.size, -1, dtype=np.int32)]
            )
        self.node_business[np.asarray(ids, dtype=np.int64)] = np.asarray(businesses, dtype=np.int32)
        self.n = max(self.n, top)
        self.last_node_id = max(self.last_node_id, max(ids))

    def add_edges(self, rows: Sequence[tuple[int, int, int, float, str]], last_edge_id: int) -> None:
        """Edges captured since the build: (src, dst, time, quantity, unit)."""
        for s, d, t, q, u in rows:
            ui = self.uom_index(u)
            self.extra_out.setdefault(s, []).append((d, t, q, ui))
            self.extra_in.setdefault(d, []).append((s, t, q, ui))
            self.n = max(self.n, s + 1, d + 1)
        self.extra_edges += len(rows)
        self.edges += len(rows)
        self.last_edge_id = max(self.last_edge_id, last_edge_id)
        if self.node_business.size < self.n:
            self.node_business = np.concatenate(
                [self.node_business, np.full(self.n - self.node_business.size, -1, dtype=np.int32)]
            )

    def memory_bytes(self) -> int:
        arrays = (
            self.f_indptr,
            self.f_nbr,
            self.f_at,
            self.f_qty,
            self.f_uom,
            self.b_indptr,
            self.b_nbr,
            self.b_at,
            self.b_qty,
            self.b_uom,
            self.node_business,
            self.business_region,
        )
        return int(sum(a.nbytes for a in arrays)) + self.extra_edges * 2 * 120

    # -- search ------------------------------------------------------------------------------------

    def _side(
        self, forward: bool
    ) -> tuple[IntArray, npt.NDArray[np.int32], IntArray, npt.NDArray[np.float64]]:
        if forward:
            return self.f_indptr, self.f_nbr, self.f_at, self.f_qty
        return self.b_indptr, self.b_nbr, self.b_at, self.b_qty

    def trace(
        self,
        start: int,
        *,
        forward: bool,
        max_depth: int = 64,
        since: int | None = None,
        until: int | None = None,
        limit: int | None = None,
    ) -> TraceResult:
        """Every node reachable from `start` within `max_depth` steps over edges whose time lies in
        [since, until] (epoch seconds; None: unbounded). `limit` stops after that many nodes
        (the result says it was truncated)."""
        t0 = NO_TIME_MIN if since is None else since
        t1 = NO_TIME_MAX if until is None else until
        indptr, nbr, at, qty = self._side(forward)
        extra = self.extra_out if forward else self.extra_in
        base_n = indptr.size - 1
        cap = limit if limit is not None else NO_TIME_MAX
        nodes = [start]
        depth = [0]
        via = [-1]
        via_t = [0]
        via_q = [np.nan]
        seen = {start}
        frontier = [start]
        level = 0
        truncated = False
        # Small phase: Python sets over CSR slices.
        while frontier and level < max_depth and len(seen) <= SMALL:
            level += 1
            nxt = []
            for u in frontier:
                if u < base_n:
                    lo, hi = int(indptr[u]), int(indptr[u + 1])
                    if hi > lo:
                        for v, t, q in zip(
                            nbr[lo:hi].tolist(), at[lo:hi].tolist(), qty[lo:hi].tolist(), strict=True
                        ):
                            if v not in seen and t0 <= t <= t1:
                                seen.add(v)
                                nxt.append(v)
                                nodes.append(v)
                                depth.append(level)
                                via.append(u)
                                via_t.append(t)
                                via_q.append(q)
                for v, t, q, _u in extra.get(u, ()):
                    if v not in seen and t0 <= t <= t1:
                        seen.add(v)
                        nxt.append(v)
                        nodes.append(v)
                        depth.append(level)
                        via.append(u)
                        via_t.append(t)
                        via_q.append(q)
            frontier = nxt
            if len(nodes) >= cap:
                truncated = True
                break
        result_nodes = np.asarray(nodes, dtype=np.int64)
        result = TraceResult(
            nodes=result_nodes,
            depth=np.asarray(depth, dtype=np.int64),
            via=np.asarray(via, dtype=np.int64),
            via_edge_time=np.asarray(via_t, dtype=np.int64),
            via_edge_qty=np.asarray(via_q, dtype=np.float64),
            truncated=truncated,
        )
        if not frontier or level >= max_depth or truncated:
            if truncated:
                return _cut(result, cap)
            return result
        return self._trace_large(
            result, np.asarray(frontier, dtype=np.int64), level, forward, max_depth, t0, t1, cap
        )

    def _trace_large(
        self,
        result: TraceResult,
        frontier: IntArray,
        level: int,
        forward: bool,
        max_depth: int,
        t0: int,
        t1: int,
        cap: int,
    ) -> TraceResult:
        indptr, nbr, at, qty = self._side(forward)
        extra = self.extra_out if forward else self.extra_in
        base_n = indptr.size - 1
        visited = np.zeros(max(self.n, base_n), dtype=np.bool_)
        visited[result.nodes] = True
        parts_nodes = [result.nodes]
        parts_depth = [result.depth]
        parts_via = [result.via]
        parts_t = [result.via_edge_time]
        parts_q = [result.via_edge_qty]
        total = result.nodes.size
        truncated = False
        while frontier.size and level < max_depth:
            level += 1
            inside = frontier[frontier < base_n]
            starts = indptr[inside]
            lens = indptr[inside + 1] - starts
            count = int(lens.sum())
            if count:
                offs = np.repeat(starts - (np.cumsum(lens) - lens), lens) + np.arange(count)
                cand = nbr[offs].astype(np.int64)
                cand_t = at[offs]
                cand_q = qty[offs]
                cand_from = np.repeat(inside, lens)
            else:
                cand = np.empty(0, dtype=np.int64)
                cand_t = np.empty(0, dtype=np.int64)
                cand_q = np.empty(0, dtype=np.float64)
                cand_from = np.empty(0, dtype=np.int64)
            if extra:
                more = [(v, t, q, u) for u in frontier.tolist() for v, t, q, _ui in extra.get(u, ())]
                if more:
                    cand = np.concatenate([cand, np.asarray([m[0] for m in more], dtype=np.int64)])
                    cand_t = np.concatenate([cand_t, np.asarray([m[1] for m in more], dtype=np.int64)])
                    cand_q = np.concatenate([cand_q, np.asarray([m[2] for m in more], dtype=np.float64)])
                    cand_from = np.concatenate([cand_from, np.asarray([m[3] for m in more], dtype=np.int64)])
            keep = (cand_t >= t0) & (cand_t <= t1)
            if cand.size and visited.size <= cand.max():
                visited = np.concatenate(
                    [visited, np.zeros(int(cand.max()) + 1 - visited.size, dtype=np.bool_)]
                )
            keep &= ~visited[cand]
            cand, cand_t, cand_q, cand_from = cand[keep], cand_t[keep], cand_q[keep], cand_from[keep]
            # First reach of each node wins (the order of the frontier, as in the small phase).
            uniq, first = np.unique(cand, return_index=True)
            first.sort()
            new = cand[first]
            visited[new] = True
            parts_nodes.append(new)
            parts_depth.append(np.full(new.size, level, dtype=np.int64))
            parts_via.append(cand_from[first])
            parts_t.append(cand_t[first])
            parts_q.append(cand_q[first])
            total += new.size
            frontier = new
            if total >= cap:
                truncated = True
                break
            del uniq
        out = TraceResult(
            nodes=np.concatenate(parts_nodes),
            depth=np.concatenate(parts_depth),
            via=np.concatenate(parts_via),
            via_edge_time=np.concatenate(parts_t),
            via_edge_qty=np.concatenate(parts_q),
            truncated=truncated,
        )
        return _cut(out, cap) if truncated else out

    def inflow(
        self, result: TraceResult, forward: bool
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int8]]:
        """For each reached node, the quantity that came into it from nodes of the same trace (every
        such edge, not only the first), and its unit (the first edge's)."""
        indptr, nbr, _at, qty = self._side(not forward)
        uom = self.b_uom if forward else self.f_uom
        base_n = indptr.size - 1
        nodes = result.nodes
        member = np.zeros(max(self.n, base_n, int(nodes.max()) + 1 if nodes.size else 0), dtype=np.bool_)
        member[nodes] = True
        inside = nodes[nodes < base_n]
        pos = np.flatnonzero(nodes < base_n)
        starts = indptr[inside]
        lens = indptr[inside + 1] - starts
        total_q = np.zeros(nodes.size, dtype=np.float64)
        units = np.zeros(nodes.size, dtype=np.int8)
        count = int(lens.sum())
        if count:
            offs = np.repeat(starts - (np.cumsum(lens) - lens), lens) + np.arange(count)
            owner = np.repeat(pos, lens)
            ok = member[nbr[offs]]
            q = np.nan_to_num(qty[offs][ok])
            np.add.at(total_q, owner[ok], q)
            units[owner[ok]] = uom[offs][ok]
        extra = self.extra_in if forward else self.extra_out
        if extra:
            index = {int(v): i for i, v in enumerate(nodes.tolist())}
            for v, i in index.items():
                for u, _t, amount, ui in extra.get(v, ()):
                    if member[u] if u < member.size else False:
                        total_q[i] += 0.0 if amount != amount else amount
                        units[i] = ui
        return total_q, units


@dataclass
class ScopeSummary:
    """A trace grouped by business: each reached business's town, lots, nearest depth, quantity
    received from within the trace and its unit (all numpy, in business-id order)."""

    business: npt.NDArray[np.int64]
    region: npt.NDArray[np.int64]  # index into LotGraph.regions, -1 unknown
    lots: npt.NDArray[np.int64]
    depth: npt.NDArray[np.int64]
    quantity: npt.NDArray[np.float64]
    unit: npt.NDArray[np.int64]
    external_nodes: int


def summarise_scope(
    graph: LotGraph, result: TraceResult, qty: npt.NDArray[np.float64], units: npt.NDArray[np.int8]
) -> ScopeSummary:
    holders = graph.node_business[result.nodes] if result.nodes.size else np.empty(0, dtype=np.int32)
    inside = holders >= 0
    b_arr = holders[inside].astype(np.int64)
    ids, idx = np.unique(b_arr, return_inverse=True)
    lots = np.bincount(idx, minlength=ids.size)
    depth = np.full(ids.size, np.iinfo(np.int64).max)
    np.minimum.at(depth, idx, result.depth[inside])
    quantity = np.bincount(idx, weights=np.nan_to_num(qty[inside]), minlength=ids.size).astype(np.float64)
    unit = np.zeros(ids.size, dtype=np.int64)
    unit[idx] = units[inside]
    region = np.full(ids.size, -1, dtype=np.int64)
    known = ids < graph.business_region.size
    region[known] = graph.business_region[ids[known]]
    external = int(np.count_nonzero(~inside[1:])) if holders.size > 1 else 0
    return ScopeSummary(ids, region, lots, depth, quantity, unit, external)


def _cut(result: TraceResult, cap: int) -> TraceResult:
    return TraceResult(
        nodes=result.nodes[:cap],
        depth=result.depth[:cap],
        via=result.via[:cap],
        via_edge_time=result.via_edge_time[:cap],
        via_edge_qty=result.via_edge_qty[:cap],
        truncated=True,
    )


def path_to(result: TraceResult, node: int) -> list[int]:
    """The chain of nodes from the trace's start to `node` (the start first)."""
    index = {int(v): i for i, v in enumerate(result.nodes.tolist())}
    chain = []
    cur = node
    guard = 0
    while cur != -1 and cur in index and guard <= len(index):
        chain.append(cur)
        cur = int(result.via[index[cur]])
        guard += 1
    return list(reversed(chain))
