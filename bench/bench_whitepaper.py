"""Benchmark: the annual food-safety white paper at city scale (300,000 businesses) with a year of
2022 plan evidence, generated as docx and as pdf the way `shian report whitepaper` does (gather
from the records, assemble, render). Prints the seconds of each step and the ratio of each file's
total to the 30 s target. Not a timed test.

    .venv/bin/python bench/bench_whitepaper.py                        # SQLite, builds bench/out/whitepaper-300000.sqlite3 once
    .venv/bin/python bench/bench_whitepaper.py --quick                # 20,000 businesses
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shian_bench .venv/bin/python bench/bench_whitepaper.py
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"
TARGET_SECONDS = 30.0
YEAR = 2022
QUICK_BUSINESSES = 20_000
T = TypeVar("T")


def timed(fn: Callable[[], T], repeat: int) -> tuple[float, float, T]:
    """(median, worst) wall time in seconds over `repeat` runs, and the last result."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), max(times), result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--businesses", type=int, default=300_000)
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_BUSINESSES:,} businesses")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2022)
    args = parser.parse_args()
    businesses = QUICK_BUSINESSES if args.quick else args.businesses

    OUT.mkdir(parents=True, exist_ok=True)
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = f"sqlite:///{OUT / f'whitepaper-{businesses}.sqlite3'}"
    os.environ.setdefault("SHIAN_DATA_DIR", str(OUT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shian.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from shian.demo.plan_demo import demo_plan_build
    from shian.demo.services import demo_register_generate
    from shian.registry.models import Business
    from shian.reports.builders import build_document, gather_report, render

    call_command("migrate", interactive=False, verbosity=0)
    have = Business.objects.count()
    if have < businesses:
        started = time.perf_counter()
        print(f"building the register: {have:,} -> {businesses:,} businesses …", flush=True)
        demo_register_generate(count=businesses - have, seed=args.seed, start_serial=have)
        print(f"built in {time.perf_counter() - started:.0f} s", flush=True)
        if connection.vendor == "sqlite":
            with connection.cursor() as cur:
                cur.execute("ANALYZE")
    started = time.perf_counter()
    demo_plan_build(seed=args.seed, out=lambda s: print(s, flush=True))
    print(f"plan evidence ready in {time.perf_counter() - started:.0f} s", flush=True)

    print(
        f"\nshian white paper {YEAR} — {connection.vendor}, {Business.objects.count():,} businesses; "
        f"median (worst) of {args.repeat} runs"
    )
    # The first drawing loads matplotlib and the CJK font (about a second): warm them once, as a
    # running server has, so the runs measure the report.
    render(build_document(gather_report(kind="whitepaper", year=YEAR)), "pdf")

    gather_median, gather_worst, data = timed(
        lambda: gather_report(kind="whitepaper", year=YEAR), args.repeat
    )
    build_median, build_worst, doc = timed(lambda: build_document(data), args.repeat)
    print(f"{'gather from the records':<28} {gather_median:8.3f} s  ({gather_worst:.3f})")
    print(f"{'assemble the document':<28} {build_median:8.3f} s  ({build_worst:.3f})")
    totals = {}
    for fmt in ("docx", "pdf"):

        def make(fmt: str = fmt) -> bytes:
            return render(doc, fmt)

        median, worst, content = timed(make, args.repeat)
        size = len(content)
        (OUT / f"whitepaper-{YEAR}.{fmt}").write_bytes(content)
        print(f"{'render ' + fmt:<28} {median:8.3f} s  ({worst:.3f})  {size:,} bytes")
        totals[fmt] = gather_median + build_median + median
    print()
    for fmt, total in totals.items():
        print(
            f"white paper as {fmt}: {total:.3f} s from the records to the file "
            f"({total / TARGET_SECONDS:.3f}× the {TARGET_SECONDS:g} s target)"
        )


if __name__ == "__main__":
    from machine import describe  # bench/machine.py: the script's folder is on sys.path

    print(describe(), flush=True)
    main()
    print(describe(), flush=True)
