"""Benchmark: every registered indicator for a year, and the quarterly food-safety index per town
for the four quarters, at city scale (300,000 businesses, a coordinator roster, a year of plan
reports). Prints each figure, the totals and their ratio to the 5 s target. Not a timed test.

    .venv/bin/python bench/bench_index.py                       # SQLite, builds bench/out/index-300000.sqlite3 once
    .venv/bin/python bench/bench_index.py --businesses 20000    # quick run
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shian_bench .venv/bin/python bench/bench_index.py
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"
TARGET_SECONDS = 5.0
YEAR = 2022


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """(median, worst) wall time in seconds over `repeat` runs."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), max(times)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--businesses", type=int, default=300_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2022)
    args = parser.parse_args()

    OUT.mkdir(parents=True, exist_ok=True)
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = f"sqlite:///{OUT / f'index-{args.businesses}.sqlite3'}"
    os.environ.setdefault("SHIAN_DATA_DIR", str(OUT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shian.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from shian.core import indicators
    from shian.core.models import AuditSource, Coordinator, Region, RegionLevel
    from shian.demo.services import demo_register_generate
    from shian.metrics.services import index_compute
    from shian.planning.models import AnnualPlan, PlanStatus, ProgressReport
    from shian.planning.planfile import parse_plan
    from shian.planning.services import ensure_reports, plan_load
    from shian.registry.models import Business

    call_command("migrate", interactive=False, verbosity=0)
    rng = random.Random(args.seed)

    have = Business.objects.count()
    if have < args.businesses:
        started = time.perf_counter()
        print(f"building the register: {have} -> {args.businesses} businesses …", flush=True)
        demo_register_generate(count=args.businesses - have, seed=args.seed, start_serial=have)
        print(f"built in {time.perf_counter() - started:.0f} s", flush=True)
        with connection.cursor() as cur:
            cur.execute("ANALYZE")

    towns = list(Region.objects.exclude(level=RegionLevel.DISTRICT).order_by("code"))
    if not Coordinator.objects.exists():
        # Between half and 1.3 times the plan's standard of one per 10,000 residents (task 二十二).
        Coordinator.objects.bulk_create(
            Coordinator(name=f"协管员{t.code[-3:]}-{i}", region=t, since=dt.date(2021, 1, 1))
            for t in towns
            for i in range(round(t.population / 10_000 * rng.uniform(0.5, 1.3)))
        )
    if not AnnualPlan.objects.filter(year=YEAR, status=PlanStatus.ACTIVE).exists():
        from shian.core.models import Department

        spec = parse_plan(
            (ROOT / "shian" / "planning" / "data" / f"beichen-{YEAR}.toml").read_text(encoding="utf-8"),
            departments=set(Department.objects.values_list("code", flat=True)),
            regions=set(Region.objects.values_list("code", flat=True)),
        )
        plan = plan_load(actor=None, source=AuditSource.COMMAND, spec=spec)
        ensure_reports(plan=plan, periods=["Q1", "Q2", "Q3", "Q4", "Y"])
        # A year of reports: most on time, some late, a few never sent.
        reports = list(ProgressReport.objects.filter(plan=plan))
        for r in reports:
            roll = rng.random()
            if roll < 0.95:
                late = (
                    dt.timedelta(days=rng.randint(1, 10))
                    if roll > 0.8
                    else -dt.timedelta(days=rng.randint(0, 5))
                )
                r.submitted_at = dt.datetime.combine(r.due + late, dt.time(10), tzinfo=dt.UTC)
                r.status = "submitted"
        ProgressReport.objects.bulk_update(reports, ["submitted_at", "status"], batch_size=1000)

    total = Business.objects.count()
    print(
        f"\nshian indicators and town index — {connection.vendor}, {total:,} businesses, "
        f"{Coordinator.objects.count():,} coordinators, {ProgressReport.objects.count():,} plan reports, "
        f"{len(towns)} towns; median of {args.repeat} runs"
    )
    year = indicators.Period.year(YEAR)
    all_indicators = indicators.all_indicators()
    print(f"\n{'indicator (year ' + str(YEAR) + ', all regions)':<48} {'median s':>9} {'worst s':>9}  value")
    sum_indicators = 0.0
    for ind in all_indicators:
        result = indicators.compute(ind.code, year)
        median, worst = timed(lambda code=ind.code: indicators.compute(code, year), args.repeat)
        sum_indicators += median
        shown = "missing" if result.missing else f"{result.value:.4g}" if result.value is not None else "—"
        print(f"{ind.code:<48} {median:9.3f} {worst:9.3f}  {shown}")
    print(f"{'all ' + str(len(all_indicators)) + ' indicators':<48} {sum_indicators:9.3f}")

    print(f"\n{'town index (compute + store + audit)':<48} {'median s':>9} {'worst s':>9}  towns scored")
    sum_index = 0.0
    for quarter in (1, 2, 3, 4):

        def run(q: int = quarter) -> object:
            return index_compute(actor=None, source=AuditSource.COMMAND, year=YEAR, quarter=q)

        median, worst = timed(run, args.repeat)
        sum_index += median
        scored = run().towns.filter(score__isnull=False).count()
        print(f"{YEAR} Q{quarter:<42} {median:9.3f} {worst:9.3f}  {scored}")
    print(f"{'four quarters':<48} {sum_index:9.3f}")

    grand = sum_indicators + sum_index
    print(
        f"\nall indicators {sum_indicators:.3f} s ({sum_indicators / TARGET_SECONDS:.2f}× the {TARGET_SECONDS:g} s target); "
        f"index for four quarters {sum_index:.3f} s ({sum_index / TARGET_SECONDS:.2f}×); "
        f"together {grand:.3f} s ({grand / TARGET_SECONDS:.2f}×)"
    )


if __name__ == "__main__":
    from machine import describe  # bench/machine.py: the script's folder is on sys.path

    print(describe(), flush=True)
    main()
    print(describe(), flush=True)
