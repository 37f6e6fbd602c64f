"""Captures at once, in processes of their own (as the API's worker processes are), each with its
own connection, on a database of its own (a copy of the migrated test database: a SQLite file in
WAL mode, or a PostgreSQL database made from the test database as template).

Two documents of a wholesaler's week share twenty shipments (sent by both, in opposite orders)
and their lots. Both captures are held inside their transactions at the point of greatest risk,
after each looked up which events are held: on PostgreSQL both find the shared events missing and
both write them, so one waits for the other's commit, is refused by the unique index, and runs
its transaction again; on SQLite the second cannot open its transaction (the write lock is taken
at BEGIN) until the first commits, though it has validated and hashed its document meanwhile.
Either way each event and each lot node is held once and each capture reports what it wrote.
Where the lot nodes are held already, the events alone collide (in their year's partition).
A capture refused inside its transaction while the other succeeds leaves only the other's rows.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.db import connection

from shian.core.tests.factories import TOWN_A, TOWN_B
from shian.registry.models import Business
from shian.registry.tests.factories import credit_code
from shian.trace.tests import docs

# The test database is set up for these tests (they read and write only their own copy of it).
pytestmark = pytest.mark.django_db

MARKET = Business(pk=9001, name="北辰区红旗农贸批发市场", credit_code=credit_code(9001))
DAIRY = Business(pk=9002, name="北辰乳业有限公司", credit_code=credit_code(9002))
SHOPS = [
    Business(pk=9010 + i, name=f"便民超市{i:02d}号店", credit_code=credit_code(9010 + i)) for i in range(4)
]
SEED = [
    [MARKET.pk, MARKET.name, MARKET.credit_code, TOWN_B],
    [DAIRY.pk, DAIRY.name, DAIRY.credit_code, TOWN_A],
    *[[b.pk, b.name, b.credit_code, TOWN_A if i % 2 else TOWN_B] for i, b in enumerate(SHOPS)],
]


def _week(first: int, last: int, more: int = 0) -> list[dict[str, Any]]:
    """Shipments first … last-1: the dairy's lots to the market, the market's on to the shops
    (`more` added to each quantity: other events of the same lots)."""
    events = []
    for k in range(first, last):
        when = f"2022-05-{1 + k % 7:02d}T{8 + k % 10:02d}:{k % 60:02d}:00+08:00"
        lot = f"W{k // 2:03d}"
        if k % 2 == 0:
            events.append(docs.ship(DAIRY, MARKET, lot, when=when, qty=100 + k + more))
        else:
            events.append(docs.ship(MARKET, SHOPS[k % len(SHOPS)], lot, when=when, qty=k % 9 + 1 + more))
    return events


# A: shipments 0–39; B: 20–59, the twenty shared ones in the opposite order.
DOC_A = docs.document(*_week(0, 40))
DOC_B = docs.document(*reversed(_week(20, 40)), *_week(40, 60))
LOT_NODES = 60  # 30 lot numbers, each at the dairy and at the market; shops' nodes below
SHOP_NODES = 30  # each odd shipment's lot at its shop (30 shipments, distinct lot and shop pairs)


@pytest.fixture(scope="module")
def own_db(django_db_setup, django_db_blocker, tmp_path_factory) -> Any:
    """(url, query): a database of these tests' own, the migrated test database copied."""
    folder = tmp_path_factory.mktemp("concurrent")
    with django_db_blocker.unblock():
        if connection.vendor == "sqlite":
            path = folder / "capture.sqlite3"
            connection.ensure_connection()
            target = sqlite3.connect(path)
            connection.connection.backup(target)
            target.close()

            def query(sql: str) -> list[tuple[Any, ...]]:
                with sqlite3.connect(path) as conn:
                    return conn.execute(sql).fetchall()

            yield f"sqlite:///{path}", query
            return
        s = connection.settings_dict
        base = f"postgres://{s['USER'] or 'postgres'}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}"
        name = f"{s['NAME']}_concurrent"[:63]
        connection.close()  # a template database has no other session
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{s["NAME"]}"')

        def pg_query(sql: str) -> list[tuple[Any, ...]]:
            with psycopg.connect(f"{base}/{name}") as conn:
                return conn.execute(sql).fetchall()

        try:
            yield f"{base}/{name}", pg_query
        finally:
            with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def database(own_db: Any, tmp_path: Path) -> Any:
    """The database emptied of captures and seeded with the week's businesses."""
    url, query = own_db
    for table in ("trace_lotedge", "trace_eventlot", "trace_traceevent", "trace_lot", "trace_capture"):
        _execute(url, f"DELETE FROM {table}")  # noqa: S608
    _execute(url, f"DELETE FROM registry_business WHERE id IN ({', '.join(str(s[0]) for s in SEED)})")  # noqa: S608
    assert _start(url, tmp_path, "seed", {"seed": SEED}).communicate()[0]
    since = int(query("SELECT coalesce(max(seq), 0) FROM core_auditentry")[0][0])
    return url, lambda sql: query(sql.replace("{since}", str(since)))


def _execute(url: str, sql: str) -> None:
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url[len("sqlite:///") :]) as conn:
            conn.execute(sql)
        return
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)


def _start(url: str, folder: Path, name: str, job: dict[str, Any]) -> subprocess.Popen[str]:
    path = folder / f"{name}.json"
    path.write_text(json.dumps({**job, "signal": str(folder), "name": name}), encoding="utf-8")
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SHIAN_DEBUG": "true",
        "SHIAN_DATA_DIR": str(folder),
        "SHIAN_CONN_MAX_AGE": "0",
    }
    # This interpreter, the worker module and a job file the test wrote.
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "shian.trace.tests.capture_worker", str(path)],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )


def _result(proc: subprocess.Popen[str]) -> dict[str, Any]:
    out, _err = proc.communicate(timeout=120)
    assert proc.returncode == 0, out
    return json.loads(out.strip().splitlines()[-1])


def _wait_for(path: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert time.monotonic() < deadline, f"{path.name} did not come"
        time.sleep(0.02)


def _race(url: str, folder: Path, job_a: dict[str, Any], job_b: dict[str, Any]) -> tuple[Any, Any]:
    """A and B at once, each held inside its transaction after its look-up of held events.
    PostgreSQL: each waits until both have looked up (both find the shared events missing).
    SQLite: A waits until B has made its document ready and has waited for the write lock a while;
    B cannot look up before A commits."""
    if url.startswith("sqlite"):
        a = _start(url, folder, "a", {**job_a, "wait_for": ["release"]})
        _wait_for(folder / "a.held")
        b = _start(url, folder, "b", job_b)
        _wait_for(folder / "b.prepared")  # B's Python ran while A held the write lock
        time.sleep(0.5)
        assert not (folder / "b.held").exists(), "B opened its transaction while A held the lock"
        (folder / "release").write_text("", encoding="utf-8")
    else:
        a = _start(url, folder, "a", {**job_a, "wait_for": ["a.held", "b.held"]})
        b = _start(url, folder, "b", {**job_b, "wait_for": ["a.held", "b.held"]})
    return _result(a), _result(b)


def _counts(query: Any) -> dict[str, int]:
    one = {
        "events": "SELECT count(*) FROM trace_traceevent",
        "distinct_events": "SELECT count(DISTINCT hash_id) FROM trace_traceevent",
        "lots": "SELECT count(*) FROM trace_lot",
        "distinct_lots": "SELECT count(*) FROM (SELECT DISTINCT identifier, holder FROM trace_lot) n",
        "links": "SELECT count(*) FROM trace_eventlot",
        "edges": "SELECT count(*) FROM trace_lotedge",
        "captures": "SELECT count(*) FROM trace_capture",
        "new_by_captures": "SELECT coalesce(sum(events_new), 0) FROM trace_capture",
    }
    return {k: int(query(sql)[0][0]) for k, sql in one.items()}


def _audit(query: Any) -> list[dict[str, Any]]:
    rows = query(
        "SELECT after FROM core_auditentry WHERE object_type = 'trace.capture' AND seq > {since} ORDER BY seq"
    )
    return [r[0] if isinstance(r[0], dict) else json.loads(r[0]) for r in rows]


def test_two_captures_of_shared_events_at_once_hold_each_once(database: Any, tmp_path: Path) -> None:
    url, query = database
    a, b = _race(url, tmp_path, {"document": DOC_A}, {"document": DOC_B})
    assert "error" not in a and "error" not in b, (a, b)
    counts = _counts(query)
    assert counts["events"] == counts["distinct_events"] == 60
    assert counts["lots"] == counts["distinct_lots"] == LOT_NODES + SHOP_NODES
    assert counts["links"] == counts["edges"] == 60
    assert counts["captures"] == 2 and counts["new_by_captures"] == 60
    # What each reports is what it wrote: the first to commit all of its forty, the other the
    # twenty the first did not hold; on PostgreSQL the other ran its transaction twice.
    first, second = (a, b) if a["new"] == 40 else (b, a)
    assert (first["new"], first["duplicate"]) == (40, 0), (a, b)
    assert (second["new"], second["duplicate"]) == (20, 20), (a, b)
    assert first["attempts"] == 1
    assert second["attempts"] == (1 if url.startswith("sqlite") else 2)
    audit = _audit(query)
    assert sorted((e["new"], e["already_held"], e["lots_new"], e["edges_new"]) for e in audit) == sorted(
        [(40, 0, 60, 40), (20, 20, LOT_NODES + SHOP_NODES - 60, 20)]
    )


def test_a_capture_refused_while_another_succeeds_leaves_only_the_others_rows(
    database: Any, tmp_path: Path
) -> None:
    url, query = database
    # B fails at its last write (its edges), after its lot nodes, events and links went in.
    a, b = _race(url, tmp_path, {"document": DOC_A}, {"document": DOC_B, "fail": "trace_lotedge"})
    assert "error" not in a, a
    assert b["error"] == "RuntimeError: trace_lotedge refused", b
    assert (a["new"], a["duplicate"], a["attempts"]) == (40, 0, 1)
    counts = _counts(query)
    assert counts["events"] == counts["distinct_events"] == 40
    assert counts["links"] == counts["edges"] == 40
    assert counts["captures"] == 1 and counts["new_by_captures"] == 40
    # The lot nodes A made, and none of B's own (shipments 40–59 only B named).
    assert counts["lots"] == counts["distinct_lots"] == 40 + 20
    assert not query("SELECT 1 FROM trace_lot WHERE identifier LIKE '%/W02_'")
    assert [(e["new"], e["lots_new"]) for e in _audit(query)] == [(40, 60)]
    # Sent again, B's document now adds exactly the twenty events A did not hold.
    again = _result(_start(url, tmp_path, "again", {"document": DOC_B}))
    assert (again["new"], again["duplicate"], again["attempts"]) == (20, 20, 1)
    assert _counts(query)["events"] == 60


def test_two_captures_of_the_same_events_of_held_lots_at_once(database: Any, tmp_path: Path) -> None:
    """The lot nodes are held already, so only the events collide (on PostgreSQL in the unique
    index of their year's partition)."""
    url, query = database
    held = _result(_start(url, tmp_path, "held", {"document": docs.document(*_week(0, 20, more=1000))}))
    assert (held["new"], held["attempts"]) == (20, 1)
    lots_before = _counts(query)["lots"]
    same = docs.document(*_week(0, 20))
    a, b = _race(url, tmp_path, {"document": same}, {"document": same})
    assert "error" not in a and "error" not in b, (a, b)
    first, second = (a, b) if a["new"] == 20 else (b, a)
    assert (first["new"], first["duplicate"], first["attempts"]) == (20, 0, 1), (a, b)
    assert (second["new"], second["duplicate"]) == (0, 20), (a, b)
    assert second["attempts"] == (1 if url.startswith("sqlite") else 2)
    counts = _counts(query)
    assert counts["events"] == counts["distinct_events"] == 40
    assert counts["lots"] == counts["distinct_lots"] == lots_before == 30
    assert counts["links"] == counts["edges"] == 40
    assert sorted((e["new"], e["already_held"], e["lots_new"]) for e in _audit(query)) == [
        (0, 20, 0),
        (20, 0, 0),
        (20, 0, 30),
    ]
