"""Benchmark of trace events partitioned by year on PostgreSQL (migration trace 0002).

In one database of its own (`<pg-url>`, dropped and made again), the platform's migrated schema and
1,000 registered businesses, then in turns: a capture of a generated EPCIS document of shipping
events (bench_trace.capture_document, 10,000 events by default: one lot link and one edge each)
into the partitioned table, the migration reversed to the plain table with Django's foreign keys
(timed, with the rows it holds), a capture into the plain table, the migration applied again
(timed). Taking turns puts the same machine load on both. It prints each capture's events per
second, the medians and their ratio, and the migration's time in each direction.

    PG_URL=postgres://postgres@127.0.0.1:5432/shian_bench_partitions .venv/bin/python bench/bench_trace_partitions.py
    .venv/bin/python bench/bench_trace_partitions.py --rounds 3 --events 10000
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_trace import _django, capture_document, drop_and_create, load_text, register_businesses  # noqa: E402
from bench.machine import describe  # noqa: E402

BUSINESSES = 1000


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=10_000, help="events per capture document")
    parser.add_argument("--rounds", type=int, default=3, help="captures into each table")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("PG_URL", "postgres://postgres@127.0.0.1:5432/shian_bench_partitions"),
    )
    args = parser.parse_args()
    drop_and_create(args.pg_url)
    os.environ["DATABASE_URL"] = args.pg_url
    _django()
    from django.core.management import call_command
    from django.db import connection

    from shian.core.models import AuditSource
    from shian.core.partitions import TRACE_EVENTS, is_partitioned
    from shian.trace import services
    from shian.trace.models import TraceEvent

    print(describe(), flush=True)
    call_command("migrate", interactive=False, verbosity=0)
    register_businesses(BUSINESSES)

    def capture(offset: int, label: str) -> float:
        doc = capture_document(args.events, BUSINESSES, offset=offset)
        gc.collect()
        wall = time.perf_counter()
        result = services.epcis_capture(
            by=None, document=doc, source=AuditSource.COMMAND, filename="bench", check_permission=False
        )
        wall = time.perf_counter() - wall
        print(
            f"  capture into the {label} table: {result.new:,} new events in {wall:.2f} s, "
            f"{args.events / wall:,.0f} events/s; {load_text()}",
            flush=True,
        )
        return args.events / wall

    def migrate(target: str, label: str) -> None:
        rows = TraceEvent.objects.count()
        wall = time.perf_counter()
        call_command("migrate", "trace", target, verbosity=0)
        print(f"  migration {label} with {rows:,} events: {time.perf_counter() - wall:.2f} s", flush=True)

    partitioned, plain = [], []
    offset = 1_000_000
    for _ in range(args.rounds):
        assert is_partitioned(connection, TRACE_EVENTS.table)
        partitioned.append(capture(offset, "partitioned"))
        offset += args.events
        migrate("0001_events_lots_recalls_cold_chain", "reversed (to the plain table)")
        plain.append(capture(offset, "plain"))
        offset += args.events
        migrate("0002_traceevent_partition_by_year", "applied (partitioned again)")
    a, b = statistics.median(partitioned), statistics.median(plain)
    print(
        f"median capture: partitioned {a:,.0f} events/s, plain {b:,.0f} events/s "
        f"({a / b:.2f}× the plain table's rate); {load_text()}",
        flush=True,
    )
    print(describe(), flush=True)


if __name__ == "__main__":
    main()
