"""Where a capture's database work goes: each bulk write and the commit, timed one by one.

A fresh database of the platform's migrated schema with 1,000 registered businesses (as
`bench_trace.py --capture`), then `--docs` documents of 10,000 shipping events each
(`bench_trace.capture_document`) through `services.epcis_capture`, printing per document the
wall-clock seconds of each `insert_rows` (COPY on PostgreSQL) and of the commit (on PostgreSQL
the deferred per-row foreign-key checks run there), the CPU seconds of this process and, on
PostgreSQL, of the connection's server process (read from /proc: the server on this machine), with
the load average. CPU seconds say more than wall-clock ones on a machine shared with other work.

`--held N` (PostgreSQL) first writes N events as if captured before, spread over the years of the
events' partitions (2020–2027, a few hundred thousand a year at N = 3,000,000), and analyses them:
the database of a district some years in, where the look-up of the hash IDs already held (timed
too) meets every year's partition.

`--at trace 0002_traceevent_partition_by_year` first migrates the trace app back to that
migration, to time the schema before a later one on the same code.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shian_capture_writes \\
        .venv/bin/python bench/bench_capture_writes.py
    DATABASE_URL=sqlite:///bench/out/capture_writes.sqlite3 .venv/bin/python bench/bench_capture_writes.py
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import bench_trace  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--docs", type=int, default=3)
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument(
        "--at", nargs=2, metavar=("APP", "MIGRATION"), help="migrate APP back to MIGRATION first"
    )
    parser.add_argument("--held", type=int, default=0, help="events held before (PostgreSQL), over 2020–2027")
    args = parser.parse_args()
    url = os.environ["DATABASE_URL"]
    bench_trace.drop_and_create(url)
    bench_trace._django()
    from django.core.management import call_command
    from django.db import connection

    from shian.core.models import AuditSource
    from shian.trace import services

    call_command("migrate", interactive=False, verbosity=0)
    if args.at:
        call_command("migrate", *args.at, interactive=False, verbosity=0)
    bench_trace.register_businesses(1000)
    if args.held:
        hold_events(args.held)

    spent: dict[str, float] = defaultdict(float)

    def timed(real: Any, label: Any) -> Any:
        """`real`, its wall-clock seconds added to `spent[label(*args)]`."""

        def call(*a: Any, **kw: Any) -> Any:
            t = time.perf_counter()
            try:
                return real(*a, **kw)
            finally:
                spent[label(*a)] += time.perf_counter() - t

        return call

    services.insert_rows = timed(services.insert_rows, lambda model, *_: model._meta.db_table)
    services._held = timed(services._held, lambda *_: "held look-up")
    connection.commit = timed(connection.commit, lambda *_: "commit")  # type: ignore[method-assign]

    def server_cpu() -> float:
        """CPU seconds of this connection's PostgreSQL backend (same machine), else 0."""
        if connection.vendor != "postgresql":
            return 0.0
        with connection.cursor() as cur:
            cur.execute("SELECT pg_backend_pid()")
            pid = cur.fetchone()[0]
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    label = f"{connection.vendor}" + (f" at {' '.join(args.at)}" if args.at else " at the latest migration")
    for i in range(args.docs):
        doc = bench_trace.capture_document(args.events, 1000, offset=1_000_000 + i * args.events)
        gc.collect()
        spent.clear()
        server, cpu, wall = server_cpu(), time.process_time(), time.perf_counter()
        result = services.epcis_capture(
            by=None, document=doc, source=AuditSource.COMMAND, filename="bench", check_permission=False
        )
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        server = server_cpu() - server
        writes = sum(v for k, v in spent.items() if k not in ("commit", "held look-up"))
        parts = ", ".join(f"{k} {v:.3f}" for k, v in spent.items())
        print(
            f"{label}, document {i + 1}: {result.new:,} new in {wall:.2f} s ({args.events / wall:,.0f} events/s); "
            f"writes {writes:.3f} s + commit {spent['commit']:.3f} s, held look-up {spent['held look-up']:.3f} s "
            f"({parts}); CPU {cpu:.2f} s here"
            + (f", {server:.2f} s in the server" if connection.vendor == "postgresql" else "")
            + f"; {bench_trace.load_text()}",
            flush=True,
        )


def hold_events(n: int) -> None:
    """`n` events as if captured before (one capture), their times spread over 2020–2027, written
    by one INSERT … SELECT on the server, then analysed as autovacuum would."""
    from django.db import connection

    from shian.core.models import AuditSource
    from shian.trace.models import Capture

    if connection.vendor != "postgresql":
        raise SystemExit("--held is for PostgreSQL (the events' yearly partitions)")
    capture = Capture.objects.create(
        source=AuditSource.COMMAND, filename="held", header={}, events_total=n, events_new=n
    )
    t = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO trace_traceevent (hash_id, event_id, event_type, action, biz_step, disposition, "
            "event_time, tz_offset, record_time, read_point, biz_location, body, capture_id) "
            "SELECT 'ni:///sha-256;' || encode(sha256(('held' || g)::text::bytea), 'hex') || '?ver=CBV2.0', "
            "'', 'ObjectEvent', 'OBSERVE', 'shipping', 'in_transit', "
            "timestamptz '2020-01-01 00:00+08' + (g %% 2900) * interval '1 day' + (g %% 86400) * interval '1 second', "
            "'+08:00', now(), '', '', '{}', %s FROM generate_series(1, %s) g",
            [capture.pk, n],
        )
        cur.execute("ANALYZE trace_traceevent")
    print(f"{n:,} events held over 2020–2027 in {time.perf_counter() - t:.0f} s", flush=True)


if __name__ == "__main__":
    main()
