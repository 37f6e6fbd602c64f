"""The references capture writes in bulk, checked once per statement on PostgreSQL (migration trace
0003, shian.core.references); SQLite keeps its foreign keys.

Each reference keeps its rule and its constraint name: a row naming a missing business, town,
capture or lot is refused, by the ORM and by capture's COPY alike; a business or lot still named
cannot be deleted, nor its table truncated under the rows naming it; a business deleted by another
transaction while a capture names it leaves no row naming nothing, whichever commits first; the
migration reverses to Django's foreign keys and reapplies with every row. And the lots' business
and town indexes (trace 0004) still serve the queries that read by them, without a sort."""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Any

import psycopg
import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError, Q

from shian.core.bulk import insert_rows
from shian.core.models import AuditSource
from shian.core.references import Reference, django_name
from shian.core.tests.factories import TOWN_A, TOWN_B
from shian.trace import services
from shian.trace.models import Capture, EventLot, Lot, LotEdge, TraceEvent
from shian.trace.tests import docs

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)
needs_pg = pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL path")


def _references() -> tuple[Reference, ...]:
    from importlib import import_module

    return import_module("shian.trace.migrations.0003_capture_references_per_statement").REFERENCES


@pytest.fixture
def chain():
    dairy = docs.business("北辰乳业有限公司", TOWN_A, "production")
    wholesaler = docs.business("天穆副食品批发部", TOWN_B)
    shop = docs.business("果园新村便民超市", TOWN_A)
    services.epcis_capture(
        by=None,
        document=docs.document(
            docs.commission(dairy, "F2403A", when="2024-03-01T08:00:00+08:00", name="婴儿配方奶粉 1段 800g"),
            docs.ship(dairy, wholesaler, "F2403A", when="2024-03-02T09:00:00+08:00", qty=600),
            docs.ship(wholesaler, shop, "F2403A", when="2024-03-05T15:30:00+08:00", qty=48),
        ),
        source=AuditSource.API,
        now=NOW,
        check_permission=False,
    )
    return dairy, wholesaler, shop


def _counts() -> tuple[int, int, int, int]:
    return TraceEvent.objects.count(), EventLot.objects.count(), LotEdge.objects.count(), Lot.objects.count()


def _refused(sql: str, params: list[Any], match: str) -> None:
    """A statement past the ORM, refused by the time the commit's checks have run."""
    with (
        pytest.raises(IntegrityError, match=match),
        transaction.atomic(),
        connection.cursor() as cur,
    ):
        cur.execute(sql, params)
        connection.check_constraints()


def _missing(ref: Reference) -> Any:
    return "999999999" if ref.key == "code" else 10**12


@needs_pg
def test_the_foreign_keys_are_triggers_under_their_old_names(chain) -> None:
    with connection.cursor() as cur:
        for ref in _references():
            cur.execute(
                "SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND conrelid = %s::regclass "
                "AND confrelid = %s::regclass",
                [ref.child, ref.parent],
            )
            kept = cur.fetchone()[0]
            # An edge has two references into the lots; each column is counted on its own.
            assert kept == 0, ref
            cur.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal "
                "AND tgname LIKE %s ORDER BY 1",
                [ref.child, django_name(connection, ref)[:58] + "%"],
            )
            assert [n[-4:] for (n,) in cur.fetchall()] == ["_ins", "_upd"], ref
        # The references written a row at a time keep Django's foreign keys.
        cur.execute(
            "SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND conrelid = 'trace_recall'::regclass "
            "AND confrelid = 'trace_lot'::regclass"
        )
        assert cur.fetchone()[0] == 1


@needs_pg
@pytest.mark.parametrize("index", range(8))
def test_a_row_naming_nothing_is_refused_under_the_constraint_name(chain, index: int) -> None:
    ref = _references()[index]
    name = django_name(connection, ref)
    missing = _missing(ref)
    with connection.cursor() as cur:
        cur.execute(f'SELECT id FROM "{ref.child}" ORDER BY id LIMIT 1')  # noqa: S608 - a table of the list
        row = cur.fetchone()[0]
    before = _counts()
    # Pointing an existing row at a key that is not there: refused at the end of the statement.
    with (
        pytest.raises(IntegrityError, match=f'foreign key constraint "{name}"'),
        transaction.atomic(),
        connection.cursor() as cur,
    ):
        cur.execute(f'UPDATE "{ref.child}" SET "{ref.column}" = %s WHERE id = %s', [missing, row])  # noqa: S608
    with (
        pytest.raises(IntegrityError, match=rf"Key \({ref.column}\)=\({missing}\) is not present"),
        transaction.atomic(),
        connection.cursor() as cur,
    ):
        cur.execute(f'UPDATE "{ref.child}" SET "{ref.column}" = %s WHERE id = %s', [missing, row])  # noqa: S608
    assert _counts() == before
    connection.check_constraints()


@needs_pg
def test_capture_and_the_orm_are_refused_a_missing_business_town_or_lot(chain) -> None:
    dairy, _, shop = chain
    lot = Lot.objects.get(business=dairy)
    edge = LotEdge.objects.order_by("id")[0]
    # The ORM: one row naming a business that is not there.
    with (
        pytest.raises(IntegrityError, match=r"trace_lot_business_id_\w+_fk_registry_business_id"),
        transaction.atomic(),
    ):
        Lot.objects.create(identifier="urn:x:1", holder="b:0", business_id=10**12, region_id=TOWN_A)
    # Capture's COPY: a batch with one bad row among good ones, refused whole.
    columns = ["identifier", "holder", "business", "region", "gtin", "lot_number", "product_name"]
    columns += ["product_line", "status"]
    good = ("urn:x:2", f"b:{shop.pk}", shop.pk, TOWN_A, "", "X2", "", "other", "normal")
    bad = ("urn:x:3", f"b:{shop.pk}", shop.pk, "120113999", "", "X3", "", "other", "normal")
    with (
        pytest.raises(IntegrityError, match=r"Key \(region_id\)=\(120113999\) is not present in table"),
        transaction.atomic(),
    ):
        insert_rows(Lot, columns, [good, bad])
    assert not Lot.objects.filter(identifier__startswith="urn:x:").exists()
    with (
        pytest.raises(
            IntegrityError, match=rf"Key \(dst_id\)=\({10**12}\) is not present in table \"trace_lot\""
        ),
        transaction.atomic(),
    ):
        insert_rows(
            LotEdge,
            ["src", "dst", "kind", "event", "at", "quantity", "uom"],
            [(lot.pk, 10**12, "ship", edge.event_id, edge.at, None, "")],
        )
    with (
        pytest.raises(IntegrityError, match=r"trace_eventlot_lot_id_\w+_fk_trace_lot_id"),
        transaction.atomic(),
    ):
        EventLot.objects.create(event_id=edge.event_id, lot_id=10**12, role="child")
    event = TraceEvent.objects.order_by("id")[0]
    with (
        pytest.raises(IntegrityError, match=r"trace_traceevent_capture_id_\w+_fk_trace_capture_id"),
        transaction.atomic(),
    ):
        TraceEvent.objects.filter(pk=event.pk).update(capture_id=10**12)
    # A row naming nothing in a column left empty is fine, as with a foreign key.
    Lot.objects.create(identifier="urn:x:4", holder="party:x", business=None, region=None)
    connection.check_constraints()


@needs_pg
def test_a_row_written_into_one_year_partition_is_checked_too(chain) -> None:
    """A statement trigger fires for the table a statement names: the events' checks are on each
    year's partition as well as on the partitioned table, and on a year made later."""
    event = TraceEvent.objects.order_by("id")[0]
    with connection.cursor() as cur:
        cur.execute("SELECT max(id) FROM trace_traceevent")
        next_id = cur.fetchone()[0] + 1
    call_command("partitions", "ensure", "--year", "2031")
    copy = (
        'INSERT INTO "{table}" (id, hash_id, event_id, event_type, action, biz_step, disposition, event_time, '
        "tz_offset, record_time, read_point, biz_location, body, capture_id, business_id, region_id) "
        "SELECT %s, hash_id || 'x', event_id, event_type, action, biz_step, disposition, %s, tz_offset, "
        "record_time, read_point, biz_location, body, capture_id, %s, region_id FROM trace_traceevent WHERE id = %s"
    )
    for table, year in (
        ("trace_traceevent", 2024),
        ("trace_traceevent_y2024", 2024),
        ("trace_traceevent_y2031", 2031),
    ):
        when = dt.datetime(year, 3, 1, tzinfo=dt.UTC)
        _refused(
            copy.format(table=table),
            [next_id, when, 10**12, event.pk],
            rf"Key \(business_id\)=\({10**12}\) is not present in table \"registry_business\"",
        )
    # The same row naming a business that is there goes in, through the year's partition.
    with connection.cursor() as cur:
        cur.execute(copy.format(table="trace_traceevent_y2031"), [next_id, when, event.business_id, event.pk])
    assert TraceEvent.objects.get(pk=next_id).event_time == when
    connection.check_constraints()


@needs_pg
def test_a_business_or_lot_still_named_cannot_go(chain) -> None:
    dairy, wholesaler, _ = chain
    # The ORM: PROTECT, as on SQLite.
    with pytest.raises(ProtectedError):
        dairy.delete()
    lot = Lot.objects.get(business=wholesaler)
    with pytest.raises(ProtectedError):
        lot.delete()
    # Past the ORM: refused by the time the commit's checks have run.
    _refused("DELETE FROM registry_business WHERE id = %s", [dairy.pk], 'still referenced from table "trace_')
    _refused(
        "DELETE FROM trace_lotedge WHERE src_id = %s OR dst_id = %s; DELETE FROM trace_lot WHERE id = %s",
        [lot.pk, lot.pk, lot.pk],
        'still referenced from table "trace_eventlot"',
    )
    _refused(
        "DELETE FROM trace_eventlot WHERE lot_id = %s; DELETE FROM trace_lot WHERE id = %s",
        [lot.pk, lot.pk],
        'still referenced from table "trace_lotedge"',
    )
    capture = Capture.objects.order_by("id")[0]
    _refused(
        "DELETE FROM trace_capture WHERE id = %s",
        [capture.pk],
        'still referenced from table "trace_traceevent"',
    )
    # A business named by nothing goes, and so does a lot once nothing names it.
    spare = docs.business("空壳商贸有限公司", TOWN_B)
    spare.delete()
    empty = Lot.objects.create(identifier="urn:x:9", holder="party:y")
    empty.delete()
    connection.check_constraints()


@needs_pg
def test_a_table_is_not_truncated_under_the_rows_naming_it(chain) -> None:
    connection.check_constraints()  # PostgreSQL truncates no table with checks pending
    before = _counts()
    # trace_capture has no other referring table: only the trigger stands in the way.
    _refused("TRUNCATE trace_capture", [], "cannot truncate a table referenced in a foreign key constraint")
    # The lots with the tables whose foreign keys are Django's: the lot links and edges remain.
    _refused(
        "TRUNCATE trace_lot, trace_lotsample, trace_recall, trace_recallbusiness, trace_coldchainrecord",
        [],
        "cannot truncate",
    )
    assert _counts() == before
    # Truncated together with the rows naming them (as Django's flush does): allowed.
    with transaction.atomic():
        with connection.cursor() as cur:
            cur.execute(
                "TRUNCATE trace_capture, trace_traceevent, trace_eventlot, trace_lotedge, trace_lot, "
                "trace_lotsample, trace_recall, trace_recallbusiness, trace_coldchainrecord"
            )
        assert _counts() == (0, 0, 0, 0)
        transaction.set_rollback(True)
    assert _counts() == before


def _conninfo() -> str:
    s = connection.settings_dict
    return psycopg.conninfo.make_conninfo(
        dbname=s["NAME"],
        host=s["HOST"] or "127.0.0.1",
        port=s["PORT"] or 5432,
        user=s["USER"] or "postgres",
        password=s["PASSWORD"] or None,
    )


def _in_thread(work: Any) -> tuple[threading.Thread, list[BaseException | None]]:
    out: list[BaseException | None] = []

    def run() -> None:
        try:
            work()
            out.append(None)
        except BaseException as exc:  # handed to the test
            out.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, out


_LOT = (
    "INSERT INTO trace_lot (identifier, holder, business_id, region_id, gtin, lot_number, product_name, "
    "product_line, status) VALUES (%s, %s, %s, %s, '', 'C1', '', 'other', 'normal')"
)


@needs_pg
def test_a_business_deleted_meanwhile_leaves_no_row_naming_nothing() -> None:
    """Two transactions of their own, committed (the test's own transaction sees neither)."""
    setup = psycopg.connect(_conninfo(), autocommit=True)
    setup.execute(
        "INSERT INTO registry_business (id, name, credit_code, business_type, scale, region_id, status, address, "
        "legal_representative, created_at, updated_at) VALUES (%s, '并发测试一', '911200000999999901', 'wholesale_retail', 'small', "
        "%s, 'active', '', '', now(), now()), (%s, '并发测试二', '911200000999999902', 'wholesale_retail', 'small', %s, 'active', "
        "'', '', now(), now())",
        [10**9 + 1, TOWN_A, 10**9 + 2, TOWN_A],
    )
    capture, remover = psycopg.connect(_conninfo()), psycopg.connect(_conninfo())
    try:
        remover.execute("SET lock_timeout = '20s'")
        capture.execute("SET lock_timeout = '20s'")
        # 1. The lot is written first: the delete waits for the capture's commit, then fails its own.
        capture.execute(_LOT, ["urn:race:1", f"b:{10**9 + 1}", 10**9 + 1, TOWN_A])

        def delete_first() -> None:
            remover.execute("DELETE FROM registry_business WHERE id = %s", [10**9 + 1])
            remover.commit()

        thread, out = _in_thread(delete_first)
        time.sleep(0.5)
        assert thread.is_alive(), "the delete waits for the capture's key-share lock"
        capture.commit()
        thread.join(30)
        assert isinstance(out[0], psycopg.errors.ForeignKeyViolation), out
        assert 'still referenced from table "trace_lot"' in str(out[0])
        remover.rollback()
        # 2. The delete comes first: the capture's check waits for it, then finds the business gone.
        remover.execute("DELETE FROM registry_business WHERE id = %s", [10**9 + 2])

        def write_lot() -> None:
            capture.execute(_LOT, ["urn:race:2", f"b:{10**9 + 2}", 10**9 + 2, TOWN_A])
            capture.commit()

        thread, out = _in_thread(write_lot)
        time.sleep(0.5)
        assert thread.is_alive(), "the check waits for the delete's row lock"
        remover.commit()
        thread.join(30)
        assert isinstance(out[0], psycopg.errors.ForeignKeyViolation), out
        assert f"Key (business_id)=({10**9 + 2}) is not present" in str(out[0])
        capture.rollback()
        rows = setup.execute(
            "SELECT l.identifier, b.id IS NOT NULL FROM trace_lot l LEFT JOIN registry_business b "
            "ON b.id = l.business_id WHERE l.identifier LIKE 'urn:race:%%' ORDER BY 1"
        ).fetchall()
        assert rows == [("urn:race:1", True)]
    finally:
        capture.close()
        remover.close()
        setup.execute("DELETE FROM trace_lot WHERE identifier LIKE 'urn:race:%%'")
        setup.execute("DELETE FROM registry_business WHERE id IN (%s, %s)", [10**9 + 1, 10**9 + 2])
        setup.close()


@needs_pg
def test_rows_this_transaction_wrote_are_named_without_a_lock_and_the_others_locked() -> None:
    """A committed business is locked FOR KEY SHARE by the check (its xmax becomes the capture's
    transaction); one the same transaction wrote is not (xmax stays 0), yet a missing one is
    still refused beside it, naming the missing key."""
    setup = psycopg.connect(_conninfo(), autocommit=True)
    old, new, gone = 10**9 + 11, 10**9 + 12, 10**9 + 13
    business = (
        "INSERT INTO registry_business (id, name, credit_code, business_type, scale, region_id, status, address, "
        "legal_representative, created_at, updated_at) VALUES (%s, %s, %s, 'wholesale_retail', 'small', %s, "
        "'active', '', '', now(), now())"
    )
    setup.execute(business, [old, "已登记主体", "911200000999999911", TOWN_A])
    capture = psycopg.connect(_conninfo())
    try:
        capture.execute(business, [new, "同一事务登记主体", "911200000999999912", TOWN_A])
        two_lots = _LOT.replace(
            "VALUES (%s, %s, %s, %s, '', 'C1', '', 'other', 'normal')",
            "VALUES " + ", ".join(["(%s, %s, %s, %s, '', 'C1', '', 'other', 'normal')"] * 2),
        )
        capture.execute(
            two_lots,
            ["urn:own:1", f"b:{old}", old, TOWN_A, "urn:own:2", f"b:{new}", new, TOWN_A],
        )
        row = capture.execute("SELECT pg_current_xact_id()::xid::text").fetchone()
        assert row is not None
        mine = row[0]
        xmax: dict[int, str] = dict(
            capture.execute(
                "SELECT id, xmax::text FROM registry_business WHERE id IN (%s, %s)", [old, new]
            ).fetchall()
        )
        assert xmax == {old: mine, new: "0"}
        with pytest.raises(
            psycopg.errors.ForeignKeyViolation, match=f"Key \\(business_id\\)=\\({gone}\\) is not present"
        ):
            capture.execute(
                two_lots,
                ["urn:own:3", f"b:{new}", new, TOWN_A, "urn:own:4", f"b:{gone}", gone, TOWN_A],
            )
        capture.rollback()
    finally:
        capture.close()
        setup.execute("DELETE FROM trace_lot WHERE identifier LIKE 'urn:own:%%'")
        setup.execute("DELETE FROM registry_business WHERE id IN (%s, %s)", [old, new])
        setup.close()


@needs_pg
def test_keys_named_close_together_are_checked_by_one_range_with_the_same_rule() -> None:
    """At least 64 integer keys lying close together (a capture's new lots and events) are found
    by one range scan (migration trace 0007), under the same rule: rows other transactions wrote
    are locked FOR KEY SHARE and the transaction's own are not; a missing key inside the range is
    refused even where rows of the range that no row names would make up the count."""
    base = 10**9 + 100
    setup = psycopg.connect(_conninfo(), autocommit=True)
    businesses = (
        "INSERT INTO registry_business (id, name, credit_code, business_type, scale, region_id, status, address, "
        "legal_representative, created_at, updated_at) SELECT g, '区间主体' || g, '9112' || lpad((g - %s)::text, 14, '0'), "
        "'wholesale_retail', 'small', %s, 'active', '', '', now(), now() FROM generate_series(%s::bigint, %s::bigint) g"
    )
    lots = (
        "INSERT INTO trace_lot (identifier, holder, business_id, region_id, gtin, lot_number, product_name, "
        "product_line, status) SELECT 'urn:range:' || %s || ':' || b, 'b:' || b, b, %s, '', 'C1', '', 'other', "
        "'normal' FROM unnest(%s::bigint[]) b"
    )
    old = list(range(base, base + 100))  # committed before
    new = list(range(base + 100, base + 140))  # written by the capture's own transaction
    setup.execute(businesses, [10**9, TOWN_A, old[0], old[-1]])
    capture = psycopg.connect(_conninfo())
    try:
        capture.execute(businesses, [10**9, TOWN_A, new[0], new[-1]])
        capture.execute(lots, ["a", TOWN_A, old + new])
        row = capture.execute("SELECT pg_current_xact_id()::xid::text").fetchone()
        assert row is not None
        xmax: dict[int, str] = dict(
            capture.execute(
                "SELECT id, xmax::text FROM registry_business WHERE id BETWEEN %s AND %s", [old[0], new[-1]]
            ).fetchall()
        )
        assert {xmax[b] for b in old} == {row[0]} and {xmax[b] for b in new} == {"0"}
        # 99 of the old keys and one missing past the new ones: the range [old[0], gone] holds
        # 140 rows, the unnamed old one and the new ones among them, but only 99 named.
        gone = new[-1] + 1
        with pytest.raises(
            psycopg.errors.ForeignKeyViolation, match=f"Key \\(business_id\\)=\\({gone}\\) is not present"
        ):
            capture.execute(lots, ["b", TOWN_A, [*old[:-1], gone]])
        capture.rollback()
    finally:
        capture.close()
        setup.execute("DELETE FROM trace_lot WHERE identifier LIKE 'urn:range:%%'")
        setup.execute("DELETE FROM registry_business WHERE id BETWEEN %s AND %s", [base, base + 200])
        setup.close()


@needs_pg
def test_the_migration_reverses_and_reapplies_with_every_row(chain) -> None:
    before = _counts()
    connection.check_constraints()  # a migration's DDL waits for no pending check
    call_command("migrate", "trace", "0002_traceevent_partition_by_year", verbosity=0)
    try:
        with connection.cursor() as cur:
            for ref in _references():
                cur.execute(
                    "SELECT conname FROM pg_constraint WHERE contype = 'f' AND conrelid = %s::regclass "
                    "AND confrelid = %s::regclass AND conkey = ARRAY[(SELECT attnum FROM pg_attribute "
                    "WHERE attrelid = %s::regclass AND attname = %s)]",
                    [ref.child, ref.parent, ref.child, ref.column],
                )
                assert cur.fetchall() == [(django_name(connection, ref),)], ref
            cur.execute("SELECT count(*) FROM pg_proc WHERE proname LIKE 'trace\\_%%\\_fk\\_truncate'")
            assert cur.fetchone()[0] == 0
        assert _counts() == before
        # Django's own key refuses at commit as before.
        with pytest.raises(IntegrityError, match="trace_lot_business_id"), transaction.atomic():
            Lot.objects.create(identifier="urn:x:5", holder="b:0", business_id=10**12)
            connection.check_constraints()
    finally:
        call_command("migrate", "trace", verbosity=0)
    assert _counts() == before
    dairy, wholesaler, _ = chain
    again = services.epcis_capture(
        by=None,
        document=docs.document(
            docs.ship(dairy, wholesaler, "F2403A", when="2024-09-01T10:00:00+08:00", qty=10)
        ),
        source=AuditSource.API,
        now=NOW,
        check_permission=False,
    )
    assert again.new == 1
    with (
        pytest.raises(IntegrityError, match=r"trace_lot_business_id_\w+_fk_registry_business_id"),
        transaction.atomic(),
    ):
        Lot.objects.create(identifier="urn:x:6", holder="b:0", business_id=10**12)
    connection.check_constraints()


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the SQLite path")
def test_sqlite_keeps_its_foreign_keys(chain) -> None:
    with connection.cursor() as cur:
        for ref in _references():
            cur.execute(f'PRAGMA foreign_key_list("{ref.child}")')
            assert (ref.column, ref.parent) in {(row[3], row[2]) for row in cur.fetchall()}, ref
    with pytest.raises(IntegrityError), transaction.atomic():
        Lot.objects.create(identifier="urn:x:7", holder="b:0", business_id=10**12)
        connection.check_constraints()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's query plans")
def test_the_lot_indexes_serve_the_lists_and_the_recall_page_without_a_sort(chain) -> None:
    dairy, _, _ = chain
    queries = {
        "lot_region_idx": [
            # a town's lots, newest first (the lot list of a town officer; the district's with a town)
            Lot.objects.filter(region_id__in=[TOWN_A])
            .select_related("business", "region")
            .order_by("-id")[:50],
            Lot.objects.filter(region_id=TOWN_A, business__business_type="production").order_by("-id")[:50],
        ],
        "lot_business_idx": [
            # the recall page: the sample's business's lots, those of its batch first
            Lot.objects.filter(business_id=dairy.pk).filter(
                Q(lot_number="F2403A") | Q(identifier__endswith="F2403A")
            ),
            Lot.objects.filter(business_id=dairy.pk).order_by("id"),
        ],
    }
    for index, qs in queries.items():
        for q in qs:
            sql, params = q.query.sql_with_params()
            with connection.cursor() as cur:
                cur.execute("EXPLAIN QUERY PLAN " + sql, params)
                plan = " | ".join(str(row[-1]) for row in cur.fetchall())
            assert f"USING INDEX {index}" in plan or f"USING COVERING INDEX {index}" in plan, plan
            assert "TEMP B-TREE" not in plan, plan
