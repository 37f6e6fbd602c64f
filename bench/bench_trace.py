"""Benchmark of lot tracing, side by side in one run, over one generated lot graph.

The graph (default 10,000,000 edges): 0.8 lots per edge held by `edges / 50` businesses in the
district's towns, five tiers (producers, processors, wholesalers, distributors, shops) whose edges
go tier to tier with times and quantities, three hub lots (a salt or milk-powder batch) each
reaching about 2 % of the lots (≈200,000 at 10M edges), and ten edges of bad data that close cycles.
It is written into the platform's own tables (trace_lot, trace_lotedge with its (src, dst) and
(dst, src) indexes; registry_business) in a SQLite file, and into a PostgreSQL database as the
same columns with the same two composite indexes. Then, in one run:

  platform   the in-memory lot graph the platform serves traces from (shian.trace.graphstore:
             CSR loaded from the database, kept in step with it), forward and backward traces;
             the same through the API (GET /api/v1/trace/lots/{id}/trace, Django test client,
             scope and serialisation included); a hub's recall scope with its details
             (businesses, towns, quantities) as the recall page computes it.
  CTE        a recursive CTE (WITH RECURSIVE … UNION, the textbook SQL trace) on SQLite and on
             PostgreSQL, forward and backward; for hubs also with the lot and business details
             joined (the recall scope).
  CSR floor  a bare frontier search over CSR arrays with numpy (no time window, no quantities,
             no details): the least work any in-memory trace can do.
  capture    services.epcis_capture of generated EPCIS documents of shipping events, 10,000
             events each by default (validation against GS1's schema, hash IDs, the held ones
             found, lots, events, edges, one audit entry), into SQLite and into PostgreSQL (the
             platform's migrated schema in a database of its own, `<pg-url>_capture`, written by
             COPY), events per second wall-clock and per CPU-second of the capturing process,
             with the load average; then the last document again (all already held).
             `--capture-concurrency K`: 1 … K capturing processes at once, the aggregate rate
             with the whole machine's busy share and CPU seconds an event (/proc/stat: the
             capturing processes, their server processes and anything else running).

It prints p50/p95/p99 of typical traces (random producer lots forward, random shop lots backward),
each hub's time and the recall page's beside it, the graph's memory, the capture rates, and the
ratios against the peers and the targets, each figure with the machine's load average.
Targets: typical trace p99 ≤ 1 ms in-process and p95 ≤ 10 ms through the API; hub recall scope
with details ≤ 150 ms; ≤ 1 GB extra memory; capture ≥ 20,000 events/s.

    .venv/bin/python bench/bench_trace.py --edges 200000          # quick (about a minute)
    .venv/bin/python bench/bench_trace.py                         # the full 10M-edge run
    PG_URL=postgres://postgres@127.0.0.1:5432/shian_bench_trace .venv/bin/python bench/bench_trace.py
"""

# ruff: noqa: S608  (table names come from the models' metadata; a benchmark prints)
from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import secrets
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"
BASE = int(dt.datetime(2022, 1, 1, tzinfo=dt.UTC).timestamp())
TIERS = (0.10, 0.15, 0.20, 0.25, 0.30)
HUBS = 3


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(p / 100 * (len(s) - 1)))]


def fmt(ms: list[float]) -> str:
    return f"p50 {pct(ms, 50):.3f} ms  p95 {pct(ms, 95):.3f} ms  p99 {pct(ms, 99):.3f} ms"


# -- the graph -------------------------------------------------------------------------------------


def generate(edges: int, seed: int) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    lots = int(edges * 0.8)
    businesses = max(1000, edges // 50)
    sizes = [int(lots * f) for f in TIERS]
    sizes[-1] = lots - sum(sizes[:-1])
    starts = np.cumsum([1, *sizes[:-1]])  # lot ids from 1
    hub_out = max(100, int(19_000 * edges / 10_000_000))
    regular = edges - HUBS * hub_out - 10
    per_pair = np.asarray(sizes[1:], dtype=np.float64)
    per_pair = (per_pair / per_pair.sum() * regular).astype(np.int64)
    src_parts, dst_parts, t_parts = [], [], []
    for k in range(4):
        n = int(per_pair[k])
        src_parts.append(rng.integers(starts[k], starts[k] + sizes[k], n))
        dst_parts.append(rng.integers(starts[k + 1], starts[k + 1] + sizes[k + 1], n))
        t_parts.append(BASE + k * 2 * 86400 + rng.integers(0, 86400, n))
    hubs = list(range(int(starts[0]), int(starts[0]) + HUBS))
    for h in hubs:
        src_parts.append(np.full(hub_out, h))
        dst_parts.append(rng.integers(starts[1], starts[1] + sizes[1], hub_out))
        t_parts.append(BASE + rng.integers(0, 86400, hub_out))
    # Bad data: shops "shipping back" to producers close cycles.
    src_parts.append(rng.integers(starts[4], starts[4] + sizes[4], 10))
    dst_parts.append(rng.integers(starts[0] + HUBS, starts[0] + sizes[0], 10))
    t_parts.append(np.full(10, BASE + 9 * 86400))
    src = np.concatenate(src_parts)
    dst = np.concatenate(dst_parts)
    at = np.concatenate(t_parts)
    key = src * (lots + 2) + dst
    _u, first = np.unique(key, return_index=True)
    first.sort()
    src, dst, at = src[first], dst[first], at[first]
    qty = rng.integers(1, 1000, src.size).astype(np.float64)
    # Lots of a tier belong to that tier's businesses (producers hold producer lots …).
    b_sizes = [max(1, int(businesses * f)) for f in (0.02, 0.08, 0.15, 0.25, 0.50)]
    b_starts = np.cumsum([1, *b_sizes[:-1]])
    holder = np.zeros(lots + 1, dtype=np.int64)
    for k in range(5):
        holder[starts[k] : starts[k] + sizes[k]] = rng.integers(
            b_starts[k], b_starts[k] + b_sizes[k], sizes[k]
        )
    return {
        "lots": lots,
        "businesses": int(sum(b_sizes)),
        "src": src,
        "dst": dst,
        "at": at,
        "qty": qty,
        "holder": holder,
        "hubs": hubs,
        "tier_starts": starts,
        "tier_sizes": sizes,
    }


def write_sqlite(g: dict[str, Any]) -> None:
    """Businesses, lots and edges into the platform's own tables (one trace event carries them)."""
    from django.db import connection, transaction

    from shian.core.models import Region
    from shian.registry.models import Business
    from shian.trace.models import Capture, Lot, LotEdge, TraceEvent

    towns = list(Region.objects.exclude(level="district").order_by("code").values_list("code", flat=True))
    n_b = g["businesses"]
    b_region = [towns[i % len(towns)] for i in range(n_b + 1)]
    g["b_region"] = b_region
    now = dt.datetime.now(dt.UTC)
    t = time.perf_counter()
    with transaction.atomic(), connection.cursor() as dj:
        cur = dj.cursor  # the driver's own cursor: Django's wrapper costs more than the insert
        cur.executemany(
            f"INSERT INTO {Business._meta.db_table} (id, name, credit_code, business_type, scale, region_id, address, legal_representative, status, created_at, updated_at) VALUES (?, ?, ?, ?, 'small', ?, '', '', 'active', ?, ?)",
            [
                (
                    i,
                    f"主体{i}",
                    f"9112{i:014d}",
                    "production" if i <= n_b * 0.02 else "wholesale_retail",
                    b_region[i],
                    now,
                    now,
                )
                for i in range(1, n_b + 1)
            ],
        )
        capture = Capture.objects.create(source="command", filename="bench")
        event = TraceEvent.objects.create(
            hash_id="ni:///sha-256;bench?ver=CBV2.0",
            event_type="ObjectEvent",
            event_time=now,
            tz_offset="+08:00",
            record_time=now,
            capture=capture,
            body="{}",
        )
        g["event_id"] = event.pk
        holder = g["holder"]
        batch = 500_000
        for lo in range(1, g["lots"] + 1, batch):
            hi = min(g["lots"] + 1, lo + batch)
            cur.executemany(
                f"INSERT INTO {Lot._meta.db_table} (id, identifier, holder, business_id, region_id, gtin, lot_number, product_name, product_line, status) VALUES (?, ?, ?, ?, ?, '', ?, '', 'other', 'normal')",
                [
                    (i, f"urn:bench:{i}", f"b:{holder[i]}", int(holder[i]), b_region[holder[i]], f"L{i}")
                    for i in range(lo, hi)
                ],
            )
        src, dst, at, qty = g["src"], g["dst"], g["at"], g["qty"]
        stamp = [
            dt.datetime.fromtimestamp(x, tz=dt.UTC).isoformat(sep=" ")
            for x in range(BASE, BASE + 12 * 86400, 3600)
        ]
        for lo in range(0, src.size, batch):
            hi = min(src.size, lo + batch)
            cur.executemany(
                f"INSERT INTO {LotEdge._meta.db_table} (src_id, dst_id, kind, event_id, at, quantity, uom) VALUES (?, ?, 'ship', ?, ?, ?, 'XCN')",
                [
                    (int(s), int(d), event.pk, stamp[(int(a) - BASE) // 3600], float(q))
                    for s, d, a, q in zip(
                        src[lo:hi].tolist(),
                        dst[lo:hi].tolist(),
                        at[lo:hi].tolist(),
                        qty[lo:hi].tolist(),
                        strict=True,
                    )
                ],
            )
    print(
        f"  SQLite: {n_b:,} businesses, {g['lots']:,} lots, {src.size:,} edges written in {time.perf_counter() - t:.0f} s",
        flush=True,
    )


def write_postgres(g: dict[str, Any], url: str) -> Any:
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    conn = psycopg.connect(url)
    t = time.perf_counter()
    with conn.cursor() as cur:
        cur.execute("CREATE TABLE business (id bigint PRIMARY KEY, name text, region_id varchar(12))")
        cur.execute(
            "CREATE TABLE lot (id bigint PRIMARY KEY, identifier text, business_id bigint, region_id varchar(12))"
        )
        cur.execute(
            "CREATE TABLE lotedge (id bigserial PRIMARY KEY, src_id bigint, dst_id bigint, at timestamptz, quantity numeric(16,3))"
        )
        with cur.copy("COPY business (id, name, region_id) FROM STDIN") as cp:
            for i in range(1, g["businesses"] + 1):
                cp.write_row((i, f"主体{i}", g["b_region"][i]))
        holder = g["holder"]
        with cur.copy("COPY lot (id, identifier, business_id, region_id) FROM STDIN") as cp:
            for i in range(1, g["lots"] + 1):
                cp.write_row((i, f"urn:bench:{i}", int(holder[i]), g["b_region"][holder[i]]))
        with cur.copy("COPY lotedge (src_id, dst_id, at, quantity) FROM STDIN") as cp:
            for s, d, a, q in zip(
                g["src"].tolist(), g["dst"].tolist(), g["at"].tolist(), g["qty"].tolist(), strict=True
            ):
                cp.write_row((s, d, dt.datetime.fromtimestamp(a, tz=dt.UTC), q))
        cur.execute("CREATE INDEX lotedge_src_dst ON lotedge (src_id, dst_id)")
        cur.execute("CREATE INDEX lotedge_dst_src ON lotedge (dst_id, src_id)")
        cur.execute("ANALYZE")
    conn.commit()
    print(f"  PostgreSQL: written and indexed in {time.perf_counter() - t:.0f} s", flush=True)
    return conn


# -- the peers -------------------------------------------------------------------------------------

CTE_FWD = "WITH RECURSIVE r(id) AS (SELECT CAST(%s AS BIGINT) UNION SELECT e.dst_id FROM {edge} e JOIN r ON e.src_id = r.id) SELECT count(*) FROM r"
CTE_BACK = "WITH RECURSIVE r(id) AS (SELECT CAST(%s AS BIGINT) UNION SELECT e.src_id FROM {edge} e JOIN r ON e.dst_id = r.id) SELECT count(*) FROM r"
CTE_DETAILS = (
    "WITH RECURSIVE r(id) AS (SELECT CAST(%s AS BIGINT) UNION SELECT e.dst_id FROM {edge} e JOIN r ON e.src_id = r.id) "
    "SELECT b.region_id, count(DISTINCT b.id), count(*), sum(coalesce(q.qty, 0)) FROM r JOIN {lot} l ON l.id = r.id "
    "JOIN {business} b ON b.id = l.business_id "
    "LEFT JOIN (SELECT e.dst_id, sum(e.quantity) AS qty FROM {edge} e JOIN r ON e.dst_id = r.id GROUP BY e.dst_id) q ON q.dst_id = r.id "
    "GROUP BY b.region_id"
)


def time_sql(cur: Any, sql: str, ids: list[int], sqlite: bool) -> tuple[list[float], int]:
    out, last = [], 0
    q = sql.replace("%s", "?") if sqlite else sql
    for i in ids:
        t = time.perf_counter()
        cur.execute(q, (i,))
        rows = cur.fetchall()
        out.append((time.perf_counter() - t) * 1000)
        last = rows[0][0] if rows and len(rows[0]) == 1 else sum(r[2] for r in rows)
    return out, int(last)


def csr_floor(n: int, src: np.ndarray, dst: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(src, kind="stable")
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=n), out=indptr[1:])
    return indptr, dst[order].astype(np.int64)


def floor_trace(indptr: np.ndarray, nbr: np.ndarray, start: int, visited: np.ndarray) -> int:
    frontier = np.asarray([start])
    visited[start] = True
    seen = [frontier]
    while frontier.size:
        s = indptr[frontier]
        lens = indptr[frontier + 1] - s
        c = int(lens.sum())
        if not c:
            break
        offs = np.repeat(s - (np.cumsum(lens) - lens), lens) + np.arange(c)
        cand = nbr[offs]
        cand = np.unique(cand[~visited[cand]])
        visited[cand] = True
        seen.append(cand)
        frontier = cand
    all_seen = np.concatenate(seen)
    visited[all_seen] = False
    return int(all_seen.size)


# -- capture ---------------------------------------------------------------------------------------


def capture_document(n_events: int, n_businesses: int, offset: int, seed: int = 7) -> dict[str, Any]:
    """An EPCIS document of `n_events` shipping events between registered businesses (each lot
    number shipped four times), events numbered from `offset` so documents do not repeat."""

    def party(b: int) -> str:
        return f"urn:cn:uscc:9112{b:014d}"

    rng = np.random.default_rng(seed + offset)
    events = []
    for k in range(offset, offset + n_events):
        a, b = int(rng.integers(1, n_businesses)), int(rng.integers(1, n_businesses))
        events.append(
            {
                "type": "ObjectEvent",
                "action": "OBSERVE",
                "bizStep": "shipping",
                "disposition": "in_transit",
                "eventTime": f"2022-05-{1 + k % 28:02d}T{8 + k % 10:02d}:{k % 60:02d}:{k // 60 % 60:02d}+08:00",
                "eventTimeZoneOffset": "+08:00",
                "quantityList": [
                    {
                        "epcClass": f"urn:epc:class:lgtin:6901234.012345.CAP{k // 4}",
                        "quantity": 10 + k % 90,
                        "uom": "XCN",
                    }
                ],
                "bizLocation": {"id": party(a)},
                "sourceList": [{"type": "owning_party", "source": party(a)}],
                "destinationList": [{"type": "owning_party", "destination": party(b)}],
                "bizTransactionList": [{"type": "desadv", "bizTransaction": f"urn:shian:desadv:D{k}"}],
            }
        )
    return {
        "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2022-06-01T00:00:00Z",
        "epcisBody": {"eventList": events},
    }


def load_text() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} on {os.cpu_count()} CPUs"


def machine_cpu() -> tuple[float, float] | None:
    """The machine's busy and total CPU seconds since boot, every CPU summed (Linux's /proc/stat:
    idle and I/O wait count as not busy); None where there is no /proc/stat."""
    try:
        with open("/proc/stat", encoding="ascii") as f:
            fields = [int(x) for x in f.readline().split()[1:9]]
    except OSError:
        return None
    tick = os.sysconf("SC_CLK_TCK")
    total = sum(fields)
    return (total - fields[3] - fields[4]) / tick, total / tick


def capture_runs(
    n_events: int, n_docs: int, n_businesses: int, label: str, *, profile: bool = False
) -> float:
    """services.epcis_capture of `n_docs` documents of `n_events` new events each (as the API, the
    upload and the command call it), then the last one again (all already held). Prints each
    document's wall-clock rate, this process's CPU rate (on PostgreSQL the server's own work is
    in another process) and the load average; returns the median wall-clock rate."""
    from shian.core.models import AuditSource
    from shian.trace import services

    rates = []
    doc: dict[str, Any] = {}
    for i in range(n_docs):
        doc = capture_document(n_events, n_businesses, offset=1_000_000 + i * n_events)
        gc.collect()
        profiler = None
        if profile and i == 0:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        wall, cpu = time.perf_counter(), time.process_time()
        result = services.epcis_capture(
            by=None, document=doc, source=AuditSource.COMMAND, filename="bench", check_permission=False
        )
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        if profiler is not None:
            import pstats

            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)
            pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
        rates.append(n_events / wall)
        print(
            f"  capture on {label}, document {i + 1}: {n_events:,} events, {result.new:,} new in {wall:.2f} s: "
            f"{n_events / wall:,.0f} events/s ({n_events / wall / 20_000:.2f}× the 20,000 target); "
            f"{n_events / cpu:,.0f} events per CPU-second of this process; {load_text()}",
            flush=True,
        )
    wall, cpu = time.perf_counter(), time.process_time()
    result = services.epcis_capture(
        by=None, document=doc, source=AuditSource.COMMAND, filename="bench", check_permission=False
    )
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(
        f"  capture on {label}, the last document again: {result.new:,} new, {n_events / wall:,.0f} events/s; "
        f"{load_text()}",
        flush=True,
    )
    return statistics.median(rates)


def capture_postgres(args: argparse.Namespace) -> None:
    """The capture measure on PostgreSQL: the platform's own schema (migrated) in a database of
    its own, in a child process (Django's database is chosen once per process)."""
    import subprocess

    url = args.pg_url + "_capture"
    subprocess.run(_capture_only_cmd(args, url), check=False, env={**os.environ, "DATABASE_URL": url})


def _capture_only_cmd(args: argparse.Namespace, url: str) -> list[str]:
    """This file again, with our own capture arguments, to capture into `url` in a process whose
    Django uses that database (pass it as DATABASE_URL too)."""
    return [
        sys.executable,
        str(Path(__file__).resolve()),
        "--capture-only",
        url,
        "--capture-events",
        str(args.capture_events),
        "--capture-docs",
        str(args.capture_docs),
    ]


def capture_only(args: argparse.Namespace) -> None:
    """Capture alone into a fresh database of the platform's migrated schema with 1,000 registered
    businesses: a SQLite file (`sqlite:///…`) or a PostgreSQL database, dropped and made again."""
    n_b = fresh_capture_db(args.capture_only)
    capture_runs(
        args.capture_events,
        args.capture_docs,
        n_b,
        "SQLite" if args.capture_only.startswith("sqlite") else "PostgreSQL",
        profile=args.profile,
    )


def fresh_capture_db(url: str) -> int:
    """The database at `url` made anew (SQLite file removed, PostgreSQL database dropped and
    created), migrated, with 1,000 registered businesses; Django set up on it in this process.
    Returns the number of businesses."""
    drop_and_create(url)
    os.environ["DATABASE_URL"] = url
    _django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    return register_businesses(1000)


def drop_and_create(url: str) -> None:
    """An empty database at `url`: the SQLite file (and its WAL) removed, or the PostgreSQL
    database dropped and created."""
    if url.startswith("sqlite:///"):
        for suffix in ("", "-wal", "-shm"):
            Path(url[len("sqlite:///") :] + suffix).unlink(missing_ok=True)
        return
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')


def register_businesses(n_b: int) -> int:
    """`n_b` active wholesale businesses in the register (ids 1…n_b), spread over the towns in
    turn, for the capture measures to ship between. Returns `n_b`."""
    from django.db import transaction

    from shian.core.bulk import insert_rows
    from shian.core.models import Region
    from shian.registry.models import Business

    towns = list(Region.objects.exclude(level="district").order_by("code").values_list("code", flat=True))
    now = dt.datetime.now(dt.UTC)
    columns = ["id", "name", "credit_code", "business_type", "scale", "region", "status", "address"]
    columns += ["legal_representative", "created_at", "updated_at"]
    tail = ("active", "", "", now, now)
    with transaction.atomic():
        insert_rows(
            Business,
            columns,
            [
                (i, f"主体{i}", f"9112{i:014d}", "wholesale_retail", "small", towns[i % len(towns)], *tail)
                for i in range(1, n_b + 1)
            ],
        )
    return n_b


# -- concurrent capture ----------------------------------------------------------------------------


def capture_worker(args: argparse.Namespace) -> None:
    """One of K capturing processes (`--capture-concurrency`): Django on the database named by
    DATABASE_URL, its own documents generated (lots and businesses of its own: the offset of
    worker w's document i is w × docs + i), the schema compiled and the connection opened; then
    "ready" on stdout, and on "go" from stdin the documents captured one after another through
    services.epcis_capture as the API calls it. Prints one JSON line: the wall-clock start and end
    (time.time(), comparable between processes), each document's end, CPU seconds, counts."""
    import json

    _django()
    from django.db import connection

    from shian.core.models import AuditSource
    from shian.trace import epcis, services

    w, n, docs = args.capture_worker, args.capture_events, args.capture_docs
    documents = [
        capture_document(n, 1000, offset=1_000_000 + (w * docs + i) * n, seed=7) for i in range(docs)
    ]
    # What a serving process has done before its first capture: schema compiled, connection open.
    epcis.validate_document(capture_document(2, 1000, offset=0), now=dt.datetime.now(dt.UTC))
    connection.ensure_connection()
    gc.collect()
    print("ready", flush=True)
    if sys.stdin.readline().strip() != "go":
        return
    started, cpu = time.time(), time.process_time()
    ends, new, attempts = [], 0, 0
    for doc in documents:
        result = services.epcis_capture(
            by=None, document=doc, source=AuditSource.COMMAND, filename="bench", check_permission=False
        )
        ends.append(time.time())
        new += result.new
        attempts += getattr(result, "attempts", 1)
    out = {
        "worker": w,
        "start": started,
        "end": ends[-1],
        "ends": ends,
        "cpu": time.process_time() - cpu,
        "events": n * docs,
        "new": new,
        "attempts": attempts,
    }
    print(json.dumps(out), flush=True)


def capture_round(url: str, k: int, args: argparse.Namespace) -> dict[str, Any]:
    """K capturing processes at once on a fresh database: each made ready, then all told to go."""
    import json
    import subprocess

    here = str(Path(__file__).resolve())
    env = {**os.environ, "DATABASE_URL": url}
    setup = [sys.executable, here, "--capture-setup", url]
    subprocess.run(setup, check=True, env=env)
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                here,
                "--capture-worker",
                str(w),
                "--capture-events",
                str(args.capture_events),
                "--capture-docs",
                str(args.capture_docs),
            ],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for w in range(k)
    ]
    for p in procs:
        assert p.stdout is not None
        line = p.stdout.readline().strip()
        if line != "ready":
            raise RuntimeError(f"a capturing process did not start: {line!r}")
    load_before = load_text()
    cpu_before = machine_cpu()
    for p in procs:
        assert p.stdin is not None
        p.stdin.write("go\n")
        p.stdin.flush()
    results = []
    for p in procs:
        out, _err = p.communicate()
        if p.returncode != 0:
            raise RuntimeError(f"a capturing process failed ({p.returncode})")
        results.append(json.loads(out.strip().splitlines()[-1]))
    cpu_after = machine_cpu()
    wall = max(r["end"] for r in results) - min(r["start"] for r in results)
    events = sum(r["events"] for r in results)
    # The whole machine's CPU from "go" to the last process's exit: the capturing processes,
    # their server processes and anything else running. Busy near 100 % says the rate is bound by
    # CPU, and then CPU per event is what sets it.
    busy = per_event = None
    if cpu_before and cpu_after:
        used, span = cpu_after[0] - cpu_before[0], cpu_after[1] - cpu_before[1]
        busy, per_event = used / span if span else None, used / events
    return {
        "k": k,
        "wall": wall,
        "events": events,
        "rate": events / wall,
        "busy": busy,
        "cpu_per_event": per_event,
        "workers": results,
        "load_before": load_before,
        "load_after": load_text(),
    }


def capture_concurrent(args: argparse.Namespace) -> None:
    """`--capture-concurrency K`: for K = 1 … K, K processes capturing their own documents at once,
    on a fresh SQLite file and a fresh PostgreSQL database each time (the same documents for the
    same worker number on both). Aggregate events/s is every event over the wall clock from the
    first process's start to the last one's last commit."""
    OUT.mkdir(parents=True, exist_ok=True)
    urls = [("SQLite", f"sqlite:///{OUT / 'capture-concurrent.sqlite3'}")]
    if not args.no_postgres:
        urls.append(("PostgreSQL", args.pg_url + "_capture"))
    print(
        f"concurrent capture: K = 1 … {args.capture_concurrency} processes, each {args.capture_docs} "
        f"documents of {args.capture_events:,} shipping events of its own",
        flush=True,
    )
    for label, url in urls:
        rounds = []
        for k in range(1, args.capture_concurrency + 1):
            r = capture_round(url, k, args)
            rounds.append(r)
            per = ", ".join(
                f"#{x['worker']} {x['events'] / (x['end'] - x['start']):,.0f}/s "
                f"({x['events'] / x['cpu']:,.0f} per CPU-s, {x['attempts'] - args.capture_docs} retried)"
                for x in r["workers"]
            )
            machine = (
                f"machine {100 * r['busy']:.0f} % busy, {1e6 * r['cpu_per_event']:.0f} µs of CPU an event "
                f"(20,000/s on {os.cpu_count()} CPUs allows {1e6 * (os.cpu_count() or 1) / 20_000:.0f}); "
                if r["busy"] is not None
                else ""
            )
            print(
                f"  {label}, K={k}: {r['events']:,} events in {r['wall']:.2f} s: {r['rate']:,.0f} events/s "
                f"aggregate ({r['rate'] / 20_000:.2f}× the 20,000 target; "
                f"{r['rate'] / rounds[0]['rate']:.2f}× K=1); {machine}per process {per}; "
                f"{r['load_before']} before, {r['load_after']} after",
                flush=True,
            )
        print(
            f"  {label} side by side: "
            + "; ".join(
                f"K={r['k']} {r['rate']:,.0f} events/s ({r['rate'] / 20_000:.2f}× target, "
                f"{r['rate'] / rounds[0]['rate']:.2f}× K=1)"
                for r in rounds
            ),
            flush=True,
        )


def capture_alone(args: argparse.Namespace) -> None:
    """`--capture`: the capture measure alone, without the graph: a fresh SQLite file, then (unless
    --no-postgres) a fresh PostgreSQL database, each in a process of its own."""
    import subprocess

    OUT.mkdir(parents=True, exist_ok=True)
    urls = [f"sqlite:///{OUT / 'capture.sqlite3'}"]
    if not args.no_postgres:
        urls.append(args.pg_url + "_capture")
    print(
        f"capture ({args.capture_docs} documents of {args.capture_events:,} shipping events each)", flush=True
    )
    for url in urls:
        cmd = _capture_only_cmd(args, url)
        if args.profile:
            cmd.append("--profile")
        # This file again, with our own arguments, and the database URL its Django is to use.
        subprocess.run(cmd, check=False, env={**os.environ, "DATABASE_URL": url})


def _django() -> None:
    os.environ.setdefault("SHIAN_DATA_DIR", str(OUT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shian.settings")
    os.environ["SHIAN_DEBUG"] = "false"
    os.environ.setdefault("SHIAN_SECRET_KEY", secrets.token_urlsafe(50))
    os.environ["SHIAN_ALLOWED_HOSTS"] = "testserver,localhost"
    import django

    django.setup()


# -- main ------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--edges", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=2022)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--capture-events", type=int, default=10_000, help="events per capture document")
    parser.add_argument("--capture-docs", type=int, default=3, help="capture documents per database")
    parser.add_argument("--capture-only", metavar="DB_URL", help=argparse.SUPPRESS)
    parser.add_argument("--capture-setup", metavar="DB_URL", help=argparse.SUPPRESS)
    parser.add_argument("--capture-worker", type=int, metavar="W", help=argparse.SUPPRESS)
    parser.add_argument(
        "--capture-concurrency",
        type=int,
        metavar="K",
        help="measure capture by 1 … K processes at once, each its own documents (fresh databases)",
    )
    parser.add_argument(
        "--capture", action="store_true", help="measure capture alone (fresh databases, no graph)"
    )
    parser.add_argument(
        "--profile", action="store_true", help="with --capture: cProfile of the first document's capture"
    )
    parser.add_argument(
        "--pg-url", default=os.environ.get("PG_URL", "postgres://postgres@127.0.0.1:5432/shian_bench_trace")
    )
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    if args.capture_only:
        capture_only(args)
        return
    if args.capture_setup:
        fresh_capture_db(args.capture_setup)
        return
    if args.capture_worker is not None:
        capture_worker(args)
        return
    if args.capture_concurrency:
        capture_concurrent(args)
        return
    if args.capture:
        capture_alone(args)
        return
    started_all = time.perf_counter()
    OUT.mkdir(parents=True, exist_ok=True)
    db = OUT / f"trace-{args.edges}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    _django()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from shian.core.models import Role, User
    from shian.core.tokens import api_token_create
    from shian.trace import graphstore, selectors
    from shian.trace.graph import summarise_scope
    from shian.trace.models import Lot

    call_command("migrate", interactive=False, verbosity=0)
    print(f"generating {args.edges:,} edges …", flush=True)
    t = time.perf_counter()
    g = generate(args.edges, args.seed)
    print(
        f"  {g['src'].size:,} edges, {g['lots']:,} lots, {g['businesses']:,} businesses, {HUBS} hubs in {time.perf_counter() - t:.1f} s",
        flush=True,
    )
    write_sqlite(g)
    pg = None
    if not args.no_postgres:
        try:
            pg = write_postgres(g, args.pg_url)
        except Exception as exc:
            print(f"  PostgreSQL unavailable ({exc}); its peer is skipped", flush=True)
    rng = np.random.default_rng(args.seed + 1)
    starts, sizes = g["tier_starts"], g["tier_sizes"]
    fwd_ids = [int(x) for x in rng.integers(starts[0] + HUBS, starts[0] + sizes[0], args.queries)]
    back_ids = [int(x) for x in rng.integers(starts[4], starts[4] + sizes[4], args.queries)]

    # platform: load (the first trace of a process), memory, traces
    gc.collect()
    before = rss_mb()
    t = time.perf_counter()
    graph = graphstore.current_graph()
    load_s = time.perf_counter() - t
    gc.collect()
    mem = rss_mb() - before
    print(
        f"\nplatform graph: loaded from SQLite in {load_s:.1f} s; arrays {graph.memory_bytes() / 2**20:.0f} MB; process grew {mem:.0f} MB",
        flush=True,
    )
    fwd_ms, back_ms, sizes_seen = [], [], []
    for i in fwd_ids:
        t = time.perf_counter()
        r = graph.trace(i, forward=True)
        fwd_ms.append((time.perf_counter() - t) * 1000)
        sizes_seen.append(len(r))
    for i in back_ids:
        t = time.perf_counter()
        graph.trace(i, forward=False)
        back_ms.append((time.perf_counter() - t) * 1000)
    typical = fwd_ms + back_ms
    print(
        f"  typical trace in-process (engine):           {fmt(typical)}  (forward reaches median {statistics.median(sizes_seen):.0f} lots)"
    )
    checked_ms = []
    for i in fwd_ids[:100]:
        t = time.perf_counter()
        graphstore.current_graph().trace(i, forward=True)
        checked_ms.append((time.perf_counter() - t) * 1000)
    print(f"  … with the database freshness check:         {fmt(checked_ms)}")
    user = User.objects.create(username="bench-officer", role=Role.DISTRICT_OFFICER)
    _row, key = api_token_create(user=user, name="bench")
    client = Client()
    api_ms = []
    for i in fwd_ids[:200]:
        t = time.perf_counter()
        resp = client.get(f"/api/v1/trace/lots/{i}/trace", HTTP_AUTHORIZATION=f"Bearer {key}", secure=True)
        api_ms.append((time.perf_counter() - t) * 1000)
        assert resp.status_code == 200, resp.content[:200]
    print(f"  typical trace through the API:               {fmt(api_ms)}")
    hub_rows = []
    for h in g["hubs"]:
        t = time.perf_counter()
        r = graph.trace(h, forward=True)
        t_trace = (time.perf_counter() - t) * 1000
        t = time.perf_counter()
        q, u = graph.inflow(r, True)
        s = summarise_scope(graph, r, q, u)
        towns = np.bincount(s.region[s.region >= 0])
        t_details = (time.perf_counter() - t) * 1000
        lot = Lot.objects.get(pk=h)
        t = time.perf_counter()
        view, _shown = selectors.recall_scope_for_user(user=user, lot=lot)
        t_page = (time.perf_counter() - t) * 1000
        hub_rows.append(
            (
                len(r),
                t_trace,
                t_details,
                t_page,
                s.business.size,
                int(np.count_nonzero(towns)),
                len(view.businesses),
            )
        )
        print(
            f"  hub {h}: {len(r):,} lots; trace {t_trace:.1f} ms, + details {t_details:.1f} ms ({s.business.size:,} businesses, {np.count_nonzero(towns)} towns, quantities) = {t_trace + t_details:.1f} ms; the recall page (its selector, on the engine's result, with the businesses and towns it lists) {t_page:.1f} ms ({t_page / (t_trace + t_details):.2f}× the engine); {load_text()}",
            flush=True,
        )

    # CSR floor
    indptr, nbr = csr_floor(g["lots"] + 1, g["src"], g["dst"])
    visited = np.zeros(g["lots"] + 1, dtype=bool)
    floor_ms = []
    for i in fwd_ids:
        t = time.perf_counter()
        floor_trace(indptr, nbr, i, visited)
        floor_ms.append((time.perf_counter() - t) * 1000)
    floor_hub = []
    for h in g["hubs"]:
        t = time.perf_counter()
        n = floor_trace(indptr, nbr, h, visited)
        floor_hub.append(((time.perf_counter() - t) * 1000, n))
    print(
        f"\nCSR floor (bare numpy frontier search): typical forward {fmt(floor_ms)}; hubs "
        + ", ".join(f"{ms:.1f} ms ({n:,})" for ms, n in floor_hub)
    )

    # recursive CTEs
    from shian.registry.models import Business
    from shian.trace.models import Lot as LotModel
    from shian.trace.models import LotEdge

    names = {
        "edge": LotEdge._meta.db_table,
        "lot": LotModel._meta.db_table,
        "business": Business._meta.db_table,
    }
    results: dict[str, dict[str, Any]] = {}
    with connection.cursor() as dj:
        raw = dj.cursor  # the driver's cursor: no Django overhead in the peer's timings
        sq_f, _n = time_sql(raw, CTE_FWD.format(**names), fwd_ids, True)
        sq_b, _n = time_sql(raw, CTE_BACK.format(**names), back_ids, True)
        hubs_sq = [time_sql(raw, CTE_FWD.format(**names), [h], True) for h in g["hubs"]]
        hubs_sq_d = [time_sql(raw, CTE_DETAILS.format(**names), [h], True) for h in g["hubs"]]
    results["SQLite"] = {
        "typical": sq_f + sq_b,
        "hub": [x[0][0] for x in hubs_sq],
        "hub_n": [x[1] for x in hubs_sq],
        "hub_d": [x[0][0] for x in hubs_sq_d],
    }
    if pg is not None:
        pnames = {"edge": "lotedge", "lot": "lot", "business": "business"}
        with pg.cursor() as cur:
            pf, _n = time_sql(cur, CTE_FWD.format(**pnames), fwd_ids, False)
            pb, _n = time_sql(cur, CTE_BACK.format(**pnames), back_ids, False)
            ph = [time_sql(cur, CTE_FWD.format(**pnames), [h], False) for h in g["hubs"]]
            phd = [time_sql(cur, CTE_DETAILS.format(**pnames), [h], False) for h in g["hubs"]]
        results["PostgreSQL"] = {
            "typical": pf + pb,
            "hub": [x[0][0] for x in ph],
            "hub_n": [x[1] for x in ph],
            "hub_d": [x[0][0] for x in phd],
        }
    for name, r in results.items():
        print(
            f"recursive CTE on {name}: typical {fmt(r['typical'])}; hubs "
            + ", ".join(f"{ms:.0f} ms ({n:,})" for ms, n in zip(r["hub"], r["hub_n"], strict=True))
            + "; hubs with details "
            + ", ".join(f"{ms:.0f} ms" for ms in r["hub_d"])
        )

    # capture
    print(f"\ncapture ({args.capture_docs} documents of {args.capture_events:,} shipping events each)")
    rate = capture_runs(args.capture_events, args.capture_docs, g["businesses"], "SQLite")
    if pg is not None:
        capture_postgres(args)

    # summary and ratios
    platform_p99 = pct(typical, 99)
    hub_total = max(x[1] + x[2] for x in hub_rows)
    print("\nsummary")
    print(
        f"  typical trace p99 in-process {platform_p99:.3f} ms (target ≤ 1 ms); API p95 {pct(api_ms, 95):.2f} ms (target ≤ 10 ms)"
    )
    print(
        f"  hub recall scope with details, worst {hub_total:.1f} ms (target ≤ 150 ms); memory {mem:.0f} MB (target ≤ 1024 MB); capture on SQLite {rate:,.0f} events/s (median; target ≥ 20,000: {rate / 20_000:.2f}×); {load_text()}"
    )
    for name, r in results.items():
        print(
            f"  vs recursive CTE on {name}: typical p99 {pct(r['typical'], 99):.3f} ms ({pct(r['typical'], 99) / platform_p99:.1f}× the platform); "
            f"hub with details {max(r['hub_d']):.0f} ms ({max(r['hub_d']) / hub_total:.1f}×)"
        )
    print(
        f"  vs the CSR floor: typical p99 {pct(floor_ms, 99):.3f} ms (platform {platform_p99 / pct(floor_ms, 99):.2f}× the floor); hub {max(ms for ms, _n in floor_hub):.1f} ms (platform's trace {max(x[1] for x in hub_rows) / max(ms for ms, _n in floor_hub):.2f}×)"
    )
    print(f"  whole run {time.perf_counter() - started_all:.0f} s")
    if pg is not None:
        pg.close()


if __name__ == "__main__":
    from machine import describe  # bench/machine.py: the script's folder is on sys.path

    quiet = "--capture-worker" in sys.argv or "--capture-setup" in sys.argv  # a round's own processes
    if not quiet:
        print(describe(), flush=True)
    main()
    if not quiet:
        print(describe(), flush=True)
