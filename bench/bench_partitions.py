"""Benchmark of inspections partitioned by year against the plain table, side by side in one run.

On a PostgreSQL database of its own (it migrates it, and moves the inspection table between its
two layouts), it writes N draft inspections spread over 2021–2025 (COPY, as the demo and the
importers write) and five findings each, and reads them back, twice:

  partitioned  migration inspections 0004 applied: the table partitioned by year, the foreign keys
               into it kept by triggers (core.partitions, `referred_by`);
  plain        migrated back to inspections 0003: one table, Django's own foreign keys.

Each write is timed with its deferred checks made (SET CONSTRAINTS ALL IMMEDIATE), then rolled
back. It prints, for each layout: the inspections' insert, the findings' insert, a lookup by id
(`Inspection.objects.get(pk=…)`, which names no date and so probes every year's partition) and a
town's one-year count (which prunes to one partition), with the ratio partitioned / plain. The
database is left partitioned.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shian_bench_partitions .venv/bin/python bench/bench_partitions.py
    … bench/bench_partitions.py --inspections 5000     # quick
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import secrets
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FIELDS = [
    "id",
    "business",
    "region",
    "inspected_on",
    "kind",
    "level",
    "checklist",
    "full_check",
    "answers",
    "result",
    "key_failed",
    "general_failed",
    "status",
    "campaign",
    "draw_code",
    "notes",
    "signed_by",
    "signature",
    "rules_edition",
    "created_at",
]


class _Rollback(Exception):
    pass


def _measure(count: int) -> dict[str, float]:
    from django.db import connection, transaction
    from django.utils import timezone

    from shian.core.bulk import allocate_ids, insert_rows
    from shian.inspections.models import Finding, Inspection
    from shian.registry.models import Business

    business = Business.objects.order_by("pk").first()
    assert business is not None
    out: dict[str, float] = {}
    try:
        with transaction.atomic():
            ids = allocate_ids(Inspection, count)
            now = timezone.now()
            rows = [
                (
                    i,
                    business.pk,
                    business.region_id,
                    dt.date(2021 + k % 5, 1 + k % 12, 1 + k % 28),
                    "routine",
                    "district",
                    "catering",
                    False,
                    "{}",
                    "",
                    0,
                    0,
                    "draft",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    now,
                )
                for k, i in enumerate(ids)
            ]
            started = time.perf_counter()
            insert_rows(Inspection, FIELDS, rows, json_text=["answers"])
            connection.check_constraints()
            out["insert inspections, s"] = time.perf_counter() - started
            findings = [(i, f"C{j}", False, "冷藏温度超标", False, "") for i in ids for j in range(1, 6)]
            started = time.perf_counter()
            insert_rows(
                Finding,
                ["inspection", "item_code", "key_item", "description", "corrected_on_spot", "photo"],
                findings,
            )
            connection.check_constraints()
            out["insert findings (5 each), s"] = time.perf_counter() - started
            with connection.cursor() as cur:
                cur.execute("ANALYZE inspections_inspection")
                cur.execute("ANALYZE inspections_finding")
            sample = random.Random(1)
            picks = [sample.choice(ids) for _ in range(2000)]
            started = time.perf_counter()
            for pk in picks:
                Inspection.objects.get(pk=pk)
            out["get(pk=…), ms"] = (time.perf_counter() - started) / len(picks) * 1000
            started = time.perf_counter()
            for _ in range(50):
                Inspection.objects.filter(region_id=business.region_id, inspected_on__year=2024).count()
            out["a town's one-year count, ms"] = (time.perf_counter() - started) / 50 * 1000
            raise _Rollback
    except _Rollback:
        pass
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--inspections", type=int, default=20_000)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("DATABASE_URL must name a PostgreSQL database of the benchmark's own")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shian.settings")
    os.environ.setdefault("SHIAN_DEBUG", "false")  # DEBUG would keep every query in memory
    if not os.environ.get("SHIAN_SECRET_KEY"):
        os.environ["SHIAN_SECRET_KEY"] = secrets.token_urlsafe(50)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bench.machine import describe, load_average
    from shian.core.partitions import INSPECTIONS, is_partitioned
    from shian.demo.services import demo_register_generate
    from shian.registry.models import Business

    print(describe(), flush=True)
    call_command("migrate", interactive=False, verbosity=0)
    if not Business.objects.exists():
        demo_register_generate(count=20, seed=2024, start_serial=0)
    results = {}
    for layout, target in (("partitioned", "inspections"), ("plain", "0003_indicator_indexes")):
        call_command("migrate", "inspections", *([target] if target != "inspections" else []), verbosity=0)
        assert is_partitioned(connection, INSPECTIONS.table) == (layout == "partitioned")
        results[layout] = _measure(args.inspections)
        print(f"{layout}: done (load {load_average()})", flush=True)
    call_command("migrate", "inspections", verbosity=0)
    print(f"\n{args.inspections:,} inspections over 2021–2025, {args.inspections * 5:,} findings")
    print(f"{'':32}{'partitioned':>12}{'plain':>10}{'ratio':>8}")
    for name in results["plain"]:
        p, q = results["partitioned"][name], results["plain"][name]
        print(f"{name:32}{p:>12.3f}{q:>10.3f}{p / q:>8.2f}")
    print(f"\nload average at the end: {load_average()}")


if __name__ == "__main__":
    main()
