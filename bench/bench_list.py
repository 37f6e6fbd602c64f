"""Benchmark: the business list page at city scale (300,000 businesses).

Measures the full page (URL routing, middleware, scoping, one COUNT, one page query, template) for
a town filter combined with a name search, the way an officer uses it, and the same through the
JSON API. Prints p50/p95/p99 and the ratio of p95 to the 100 ms target. Not a timed test.
With --profile it prints, for one request of each case, every query it ran with its time (and on
PostgreSQL the EXPLAIN ANALYZE execution time and top plan node), instead of the percentiles.

    .venv/bin/python bench/bench_list.py                 # SQLite, builds bench/out/city.sqlite3 once
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shian_bench .venv/bin/python bench/bench_list.py
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--businesses", type=int, default=300_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--seed", type=int, default=2022)
    parser.add_argument("--profile", action="store_true", help="each case's queries, not percentiles")
    parser.add_argument("--case", default="", help="only the cases whose label contains this")
    args = parser.parse_args()

    OUT.mkdir(parents=True, exist_ok=True)
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = f"sqlite:///{OUT / f'city-{args.businesses}.sqlite3'}"
    os.environ.setdefault("SHIAN_DATA_DIR", str(OUT))
    os.environ.setdefault("SHIAN_SSL_REDIRECT", "false")  # the test client speaks plain HTTP
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shian.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from shian.core.models import Region, Role, User
    from shian.demo.services import demo_register_generate
    from shian.registry.models import Business

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", interactive=False, verbosity=0)
    have = Business.objects.count()
    if have < args.businesses:
        started = time.perf_counter()
        print(f"building the register: {have} -> {args.businesses} businesses …", flush=True)
        demo_register_generate(count=args.businesses - have, seed=args.seed, start_serial=have)
        print(f"built in {time.perf_counter() - started:.0f} s", flush=True)
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("ANALYZE")
        else:
            with connection.cursor() as cur:
                cur.execute("ANALYZE")
    total = Business.objects.count()

    officer, _ = User.objects.get_or_create(
        username="bench-officer", defaults={"role": Role.DISTRICT_OFFICER}
    )
    towns = list(Region.objects.exclude(level="district").values_list("code", flat=True))
    town_user, _ = User.objects.get_or_create(
        username="bench-town", defaults={"role": Role.TOWN_OFFICER, "region_id": towns[0]}
    )
    words = ["鑫", "餐厅", "超市", "福", "食品有限公司", "面馆", "瑞丰", "便利店", "火锅", "隆"]
    rng = random.Random(args.seed)

    def measure(client: Client, make_url, n: int) -> list[float]:
        client.get(make_url())  # warm up
        times = []
        for _ in range(n):
            url = make_url()
            t0 = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        return times

    district = Client()
    district.force_login(officer, backend="django.contrib.auth.backends.ModelBackend")
    town = Client()
    town.force_login(town_user, backend="django.contrib.auth.backends.ModelBackend")

    cases = {
        "page: town filter + name search (district officer)": (
            district,
            lambda: f"/registry/businesses/?region={rng.choice(towns)}&q={rng.choice(words)}",
        ),
        "page: name search only, all towns": (
            district,
            lambda: f"/registry/businesses/?q={rng.choice(words)}",
        ),
        "page: town officer, own town + search + page 3": (
            town,
            lambda: f"/registry/businesses/?q={rng.choice(words)}&page=3",
        ),
        "page: first page, no filter": (district, lambda: "/registry/businesses/"),
        "page: town officer, own town, no filter": (town, lambda: "/registry/businesses/"),
        "page: credit-code prefix search": (
            district,
            lambda: f"/registry/businesses/?q=91120113{rng.randrange(10)}",
        ),
        "api: town filter + name search": (
            district,
            lambda: f"/api/v1/businesses/?region={rng.choice(towns)}&q={rng.choice(words)}",
        ),
    }
    cases = {label: case for label, case in cases.items() if args.case in label}
    if args.profile:
        profile(cases, connection, total)
        return
    print(
        f"\nshian business list — {connection.vendor}, {total:,} businesses, {args.requests} requests per case"
    )
    print(f"{'case':<55} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}  p95 / 100 ms target")
    for label, (client, make_url) in cases.items():
        times = sorted(measure(client, make_url, args.requests))
        p50 = statistics.median(times)
        p95 = times[int(0.95 * (len(times) - 1))]
        p99 = times[int(0.99 * (len(times) - 1))]
        print(f"{label:<55} {p50:8.1f} {p95:8.1f} {p99:8.1f}  {p95 / 100:.2f}×")


def _scans(node: dict) -> str:
    """The plan's scans, each with its index (if any) and the rows it returned."""
    found = []
    if "Scan" in node["Node Type"]:
        where = node.get("Index Name") or node.get("Relation Name", "")
        found.append(f"{node['Node Type']} {where} ({node.get('Actual Rows', 0):,} rows)")
    for child in node.get("Plans", []):
        found.append(_scans(child))
    return "; ".join(f for f in found if f) or node["Node Type"]


def profile(cases: dict, connection, total: int) -> None:
    """One request per case: its queries in order, each with its time as Django saw it and, on
    PostgreSQL, as EXPLAIN ANALYZE sees it (execution time and the plan's top node)."""
    from django.test.utils import CaptureQueriesContext

    print(f"\nshian business list, per query — {connection.vendor}, {total:,} businesses")
    for label, (client, make_url) in cases.items():
        url = make_url()
        client.get(url)  # warm up: sessions, caches
        with CaptureQueriesContext(connection) as captured:
            t0 = time.perf_counter()
            client.get(url)
            elapsed = (time.perf_counter() - t0) * 1000
        sql_ms = sum(float(q["time"]) for q in captured.captured_queries) * 1000
        print(
            f"\n{label}: {url}\n  request {elapsed:.1f} ms, {len(captured)} queries, {sql_ms:.1f} ms in SQL"
        )
        for q in captured.captured_queries:
            sql = q["sql"]
            line = f"  {float(q['time']) * 1000:7.1f} ms  {' '.join(sql.split())[:150]}"
            if connection.vendor == "postgresql" and sql.lstrip().upper().startswith("SELECT"):
                with connection.cursor() as cur:
                    cur.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
                    plan = cur.fetchone()[0][0]
                line += (
                    f"\n             EXPLAIN ANALYZE {plan['Execution Time']:.1f} ms: {_scans(plan['Plan'])}"
                )
            print(line)


if __name__ == "__main__":
    from machine import describe  # bench/machine.py: the script's folder is on sys.path

    print(describe(), flush=True)
    main()
    print(describe(), flush=True)
