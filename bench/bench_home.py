"""Benchmark: each role's home page on the demo district (its to-do and key figures).

The home gathers every module's to-do and key figures (core.todo). The inspector's and the town
officer's read the year's inspection plan, which risk.selectors caches for 10 minutes per town and
day: the first request of the day computes it ("cold"), the next ones read it ("warm"). Prints,
per persona, the queries and milliseconds of the cold request and the median of the warm ones.
Not a timed test. Build the demo first (`shian demo --no-serve`) on the same DATABASE_URL:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shian_demo .venv/bin/python bench/bench_home.py
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PERSONAS = [
    ("inspector", "inspector"),
    ("town officer", "guoyuan"),
    ("lab", "lab"),
    ("business", None),  # the demo's first business account
    ("district office", "officer"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--warm", type=int, default=5, help="warm requests per persona")
    parser.add_argument("--breakdown", action="store_true", help="time each module's to-do and figures")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shian.settings")
    os.environ.setdefault("SHIAN_SSL_REDIRECT", "false")  # the test client speaks plain HTTP
    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from shian.core import todo
    from shian.core.models import Role, User

    settings.ALLOWED_HOSTS = ["*"]
    print(f"database: {connection.vendor}; {args.warm} warm requests per persona")
    print(f"{'persona':<16} {'user':<22} {'cold ms':>8} {'cold q':>7} {'warm ms':>8} {'warm q':>7}")
    for label, username in PERSONAS:
        users = (
            User.objects.filter(role=Role.BUSINESS)
            if username is None
            else User.objects.filter(username=username)
        )
        user = users.order_by("username").first()
        if user is None:
            print(f"{label:<16} (no such demo user: build the demo first)")
            continue
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        cache.clear()
        runs = []
        for _ in range(args.warm + 1):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get("/")
                elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, (user.username, response.status_code)
            runs.append((elapsed, len(queries.captured_queries)))
        cold, warm = runs[0], runs[1:]
        print(
            f"{label:<16} {user.username:<22} {cold[0]:>8.0f} {cold[1]:>7} "
            f"{statistics.median(r[0] for r in warm):>8.0f} {statistics.median(r[1] for r in warm):>7.0f}"
        )
        if args.breakdown:  # each module's to-do and figures, warm
            today = timezone.localdate()
            parts = [("todo " + n, p) for n, p in todo.providers().items()]
            parts += [("figures " + n, p) for n, p in todo.figure_providers().items()]
            for name, provider in parts:
                with CaptureQueriesContext(connection) as queries:
                    started = time.perf_counter()
                    list(provider(user, today))
                    elapsed = (time.perf_counter() - started) * 1000
                if elapsed >= 20 or len(queries.captured_queries) >= 3:
                    print(f"    {name:<22} {elapsed:>8.0f} ms {len(queries.captured_queries):>4} q")


if __name__ == "__main__":
    main()
