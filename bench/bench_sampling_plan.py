"""Benchmark of the annual sampling plan optimiser (targets: the district plan < 2 s, a city plan
of 100,000 batches < 30 s), with the expected unqualified batches found against a proportional
allocation scored with the same failure rates.

Run: .venv/bin/python bench/bench_sampling_plan.py [--db]

The district is Beichen: its 24 towns and their population, 39 big categories, 12 months, 6,570
batches (4,750 by the market regulator, 1,820 by the agriculture committee). With --db the
district's inputs come from the database (DATABASE_URL, e.g. after `shian demo --no-serve`: the
plan's targets, register, grades, samples and votes) and the time includes reading them; without
it they are synthetic, seeded. The city is synthetic: 16 districts' worth of towns (256), 39
categories, 12 months, 100,000 batches."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import time
from pathlib import Path

from shian.sampling import allocation

DATA = Path(__file__).resolve().parent.parent / "shian" / "core" / "data"
SEED = 20220101


def _categories() -> dict[str, str]:
    data = json.loads((DATA / "food-categories-2026.json").read_text(encoding="utf-8"))
    return dict(data["categories"])


def _beichen_towns() -> list[allocation.Town]:
    data = json.loads((DATA / "jurisdiction-beichen.json").read_text(encoding="utf-8"))
    return [allocation.Town(code, name, pop) for code, name, pop in data["townships"]]


def _report(label: str, result: allocation.Allocation, seconds: float, target: float) -> None:
    cells = sum(1 for c in result.cells if c.quantity)
    print(
        f"{label}: {result.year_total:,} batches, {len(result.by_town)} towns, {len(result.by_category)} categories,"
        f" 12 months -> {cells:,} cells, {len(result.rows()):,} month rows;"
        f" solved in {seconds:.2f} s (target < {target:g} s) {'OK' if seconds < target else 'TOO SLOW'}"
    )
    print(
        f"  density {result.density:.2f}/1000 (target {result.density_target:g});"
        f" expected unqualified found {result.expected_found:,.1f} vs proportional"
        f" {result.expected_found_proportional:,.1f}: ratio {result.ratio:.2f}"
        f" (with diminishing returns {result.expected_found_discounted:,.1f} vs"
        f" {result.expected_found_proportional_discounted:,.1f}:"
        f" {result.expected_found_discounted / max(result.expected_found_proportional_discounted, 1e-9):.2f})"
    )


def district_synthetic(rules: allocation.AllocationRules) -> None:
    categories = _categories()
    towns = _beichen_towns()
    inp = allocation.synthetic_input(
        seed=SEED,
        towns=len(towns),
        totals={"market": 4750, "agriculture": 1820},
        categories=categories,
        rules=rules,
        density_per_thousand=6.92,
        population=sum(t.population for t in towns),
    )
    # Beichen's own towns and populations; the rest of the input keeps the seeded history.
    renamed = {f"T{i:04d}": t.code for i, t in enumerate(towns)}
    inp.towns = towns
    inp.history = {(c, renamed[t]): v for (c, t), v in inp.history.items()}
    inp.businesses = {(c, renamed[t]): v for (c, t), v in (inp.businesses or {}).items()}
    inp.risky_share = {(c, renamed[t]): v for (c, t), v in inp.risky_share.items()}
    start = time.perf_counter()
    result = allocation.allocate(inp)
    _report("district (Beichen, synthetic history)", result, time.perf_counter() - start, 2)


def district_db() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shian.settings")
    import django

    django.setup()
    from shian.planning.sampling_plan import sampling_inputs
    from shian.planning.selectors import plan_for_year

    plan = plan_for_year(year=2022)
    start = time.perf_counter()
    inp = sampling_inputs(plan=plan)
    read = time.perf_counter() - start
    result = allocation.allocate(inp)
    seconds = time.perf_counter() - start
    print(f"  (reading the inputs from the database: {read:.2f} s)")
    _report("district (Beichen, from the database)", result, seconds, 2)


def city(rules: allocation.AllocationRules) -> None:
    inp = allocation.synthetic_input(
        seed=SEED,
        towns=256,
        totals={"market": 72_000, "agriculture": 28_000},
        categories=_categories(),
        rules=rules,
        density_per_thousand=6.92,
    )
    start = time.perf_counter()
    result = allocation.allocate(inp)
    _report("city (256 towns, synthetic)", result, time.perf_counter() - start, 30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", action="store_true", help="the district's inputs from the database")
    args = parser.parse_args()
    rules = allocation.rules_in_force(dt.date(2022, 1, 1))
    if args.db:
        district_db()
    else:
        district_synthetic(rules)
    city(rules)


if __name__ == "__main__":
    from machine import describe  # bench/machine.py: the script's folder is on sys.path

    print(describe(), flush=True)
    main()
    print(describe(), flush=True)
