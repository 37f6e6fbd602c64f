"""Benchmark of risk grading and the annual inspection plan at city scale.

On a register of N businesses (default 300,000, shian.demo's generator) with two years of
inspection history (shian.inspections.demo, 2023 and 2024) and a sprinkling of risk events, it
measures in one run:

  scan     the floor: a plain SQL scan, through a raw cursor, of exactly the input rows the
           regrade reads (active businesses, their food categories, the latest full-checklist
           inspections, the year's inspection results, the year's risk events, the current
           grades), fetched into Python and nothing else done with them.
  regrade  `risk.services.risk_regrade_bulk` for the whole city: the same reads, the pure scoring
           of every business (breakdown and evidence), and the upsert of every grade with its
           audit entry, in one transaction. Measured twice: the first grading (inserts) and a
           regrade when every business already has a grade (updates).
  plan     `risk.selectors.annual_plan` for the next year over the whole city (every business's
           visits, due dates, inspector pairs, workload and anything under the legal minimum).

Each of scan, first grading and regrade is measured twice (SQLite's log written back before
each) and the better time kept. It prints the seconds of each and the ratio of the regrade to
the scan (target: within 3x), and the plan's seconds (target: under 30 s).

    .venv/bin/python bench/bench_risk.py                       # builds bench/out/risk-city-300000.sqlite3 once
    .venv/bin/python bench/bench_risk.py --businesses 20000    # quick
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shian_bench_risk .venv/bin/python bench/bench_risk.py
"""

# ruff: noqa: S608  (table names in the scan come from the models' metadata, never from input)
from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import secrets
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"
ON = dt.date(2024, 12, 31)
YEARS = (2023, 2024)


def _build(businesses: int, seed: int) -> None:
    from django.db import connection, transaction

    from shian.core.models import AuditSource
    from shian.demo.services import demo_register_generate, demo_users_ensure
    from shian.inspections.demo import demo_inspections_generate
    from shian.inspections.models import Inspection
    from shian.registry.models import Business, BusinessEvent, BusinessEventKind

    have = Business.objects.count()
    if have < businesses:
        started = time.perf_counter()
        print(f"building the register: {have} -> {businesses} businesses …", flush=True)
        demo_register_generate(count=businesses - have, seed=seed, start_serial=have)
        print(f"  built in {time.perf_counter() - started:.0f} s", flush=True)
    demo_users_ensure(seed=seed)
    if not Inspection.objects.exists():
        started = time.perf_counter()
        print(f"building inspection history {YEARS[0]}–{YEARS[-1]} …", flush=True)
        demo_inspections_generate(seed=seed, years=YEARS, out=lambda s: None)
        print(f"  built in {time.perf_counter() - started:.0f} s", flush=True)
    if not BusinessEvent.objects.exists():
        rng = random.Random(seed)
        ids = list(Business.objects.filter(status="active").values_list("id", "region_id"))
        kinds = list(BusinessEventKind.values)[:6]  # the kinds the grading rules weigh
        with transaction.atomic():
            BusinessEvent.objects.bulk_create(
                [
                    BusinessEvent(
                        business_id=bid,
                        region_id=region,
                        kind=rng.choice(kinds),
                        occurred_on=dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(365)),
                        note="基准测试",
                    )
                    for bid, region in rng.sample(ids, max(1, len(ids) // 100))
                ],
                batch_size=2000,
            )
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    del AuditSource


def _scan() -> dict[str, int]:
    """The floor: the regrade's input rows through a raw cursor, the same filters as its selectors."""
    from django.db import connection

    from shian.inspections.models import Inspection
    from shian.registry.models import Business, BusinessEvent, BusinessFoodCategory
    from shian.risk.models import RiskGrade

    q = connection.ops.quote_name
    b, c = q(Business._meta.db_table), q(BusinessFoodCategory._meta.db_table)
    i, e, g = q(Inspection._meta.db_table), q(BusinessEvent._meta.db_table), q(RiskGrade._meta.db_table)
    start = ON.replace(year=ON.year - 1) + dt.timedelta(days=1)
    true = "TRUE" if connection.vendor == "postgresql" else "1"
    # "Not corrected by a later record" (the selectors' corrected_by__isnull=True).
    uncorrected = f"NOT EXISTS (SELECT 1 FROM {i} c WHERE c.corrects_id = {i}.id)"
    statements = {
        "businesses": (f"SELECT id, business_type, scale, region_id FROM {b} WHERE status <> %s", ["closed"]),
        "categories": (f"SELECT business_id, category_id FROM {c}", []),
        "full_checks": (
            f"SELECT business_id, inspected_on, key_failed, general_failed FROM {i} "
            f"WHERE status = %s AND full_check = {true} AND {uncorrected} AND inspected_on <= %s "
            "ORDER BY inspected_on, id",
            ["submitted", ON],
        ),
        "results": (
            f"SELECT business_id, result FROM {i} WHERE status = %s AND {uncorrected} "
            "AND inspected_on >= %s AND inspected_on <= %s",
            ["submitted", start, ON],
        ),
        "events": (
            f"SELECT business_id, kind, occurred_on FROM {e} WHERE occurred_on >= %s AND occurred_on <= %s AND voided_at IS NULL",
            [start, ON],
        ),
        "grades": (f"SELECT business_id, grade FROM {g}", []),
    }
    counts = {}
    with connection.cursor() as cur:
        for name, (sql, params) in statements.items():
            cur.execute(sql, params)
            counts[name] = len(cur.fetchall())
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--businesses", type=int, default=300_000)
    parser.add_argument("--seed", type=int, default=2022)
    args = parser.parse_args()

    OUT.mkdir(parents=True, exist_ok=True)
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = f"sqlite:///{OUT / f'risk-city-{args.businesses}.sqlite3'}"
    os.environ.setdefault("SHIAN_DATA_DIR", str(OUT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shian.settings")
    os.environ.setdefault("SHIAN_DEBUG", "false")  # DEBUG would keep every query in memory
    if not os.environ.get("SHIAN_SECRET_KEY"):
        os.environ["SHIAN_SECRET_KEY"] = secrets.token_urlsafe(50)
    os.environ.setdefault("SHIAN_ALLOWED_HOSTS", "localhost")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from shian.core.models import AuditSource
    from shian.risk import selectors
    from shian.risk.models import RiskGrade
    from shian.risk.services import risk_regrade_bulk

    call_command("migrate", interactive=False, verbosity=0)
    _build(args.businesses, args.seed)

    def settle() -> None:
        """Before each measurement: SQLite's write-ahead log is written back into the database
        (otherwise the first commit after a large delete pays for that delete's pages)."""
        if connection.vendor == "sqlite":
            with connection.cursor() as cur:
                cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def timed(action: Any) -> float:
        settle()
        started = time.perf_counter()
        action()
        return time.perf_counter() - started

    # Every measurement is taken twice and the better of the two kept, the floor's and the
    # regrade's alike; the floor is measured first and last, so a cold cache favours neither.
    scans = [timed(_scan)]
    firsts, agains = [], []
    mix: dict[str, int] = {}
    for _ in range(2):
        RiskGrade.objects.all().delete()
        firsts.append(
            timed(lambda: mix.update(risk_regrade_bulk(actor=None, source=AuditSource.COMMAND, on=ON)))
        )
        agains.append(timed(lambda: risk_regrade_bulk(actor=None, source=AuditSource.COMMAND, on=ON)))
    scans.append(timed(_scan))
    counts = _scan()
    scan, first, again = min(scans), min(firsts), min(agains)

    started = time.perf_counter()
    plan = selectors.annual_plan(year=ON.year + 1, as_of=dt.date(ON.year + 1, 1, 1))
    plan_seconds = time.perf_counter() - started

    print()
    print(f"Risk grading and the inspection plan at city scale ({connection.vendor})")
    print("input rows: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    print(f"grade mix: {mix}")
    print(f"{'measurement (best of two)':<44}{'seconds':>9}{'ratio':>8}")
    print(f"{'plain SQL scan of the input rows (floor)':<44}{scan:>9.2f}{1:>8.2f}")
    print(f"{'regrade, first grading (inserts)':<44}{first:>9.2f}{first / scan:>8.2f}")
    print(f"{'regrade, every grade exists (updates)':<44}{again:>9.2f}{again / scan:>8.2f}")
    print(f"target: regrade within 3x of the scan: {'met' if max(first, again) <= 3 * scan else 'NOT met'}")
    visits = len(plan.visits)
    print(
        f"annual inspection plan {ON.year + 1}: {plan_seconds:.2f} s for {sum(r['businesses'] for r in plan.by_region.values()):,} "
        f"businesses, {visits:,} visits, {len(plan.under_minimum)} under the legal minimum "
        f"(target < 30 s: {'met' if plan_seconds < 30 else 'NOT met'})"
    )


if __name__ == "__main__":
    from machine import describe  # bench/machine.py: the script's folder is on sys.path

    print(describe(), flush=True)
    main()
    print(describe(), flush=True)
