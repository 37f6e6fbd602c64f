"""Trace events partitioned by year on PostgreSQL (migration trace 0002, docs/scaling.md §3).

Events land in the partition of their event time's year (Beijing's), a one-year query reads one
partition, capture stays idempotent with the hash ID unique together with the event time, the lot
links and edges naming an event keep their foreign key as triggers (a row naming a missing event
is refused, in the ORM's path and in capture's COPY path alike; an event still named cannot go),
the migration reverses to the plain table with Django's foreign keys and reapplies with every row,
and `shian partitions ensure` makes a year. SQLite keeps the plain table."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.test.utils import CaptureQueriesContext

from shian.core.bulk import insert_rows
from shian.core.models import AuditSource
from shian.core.partitions import TRACE_EVENTS, is_partitioned, partitions
from shian.core.tests.factories import TOWN_A, TOWN_B
from shian.trace import services
from shian.trace.eventhash import event_hash_id
from shian.trace.models import EventLot, Lot, LotEdge, TraceEvent
from shian.trace.tests import docs

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)
needs_pg = pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL path")


@pytest.fixture
def chain():
    dairy = docs.business("北辰乳业有限公司", TOWN_A, "production")
    wholesaler = docs.business("天穆副食品批发部", TOWN_B)
    shop = docs.business("果园新村便民超市", TOWN_A)
    return dairy, wholesaler, shop


def _across_the_year(chain) -> dict:
    """A lot made on the last evening of 2023 and shipped twice in 2024 (Beijing time)."""
    dairy, wholesaler, shop = chain
    return docs.document(
        docs.commission(dairy, "F2312A", when="2023-12-31T23:50:00+08:00", name="婴儿配方奶粉 1段 800g"),
        docs.ship(dairy, wholesaler, "F2312A", when="2024-01-01T00:10:00+08:00", qty=600),
        docs.ship(wholesaler, shop, "F2312A", when="2024-06-05T15:30:00+08:00", qty=48),
    )


def _capture(document: dict, now: dt.datetime = NOW) -> services.CaptureResult:
    return services.epcis_capture(
        by=None, document=document, source=AuditSource.API, now=now, check_permission=False
    )


def _partition_of(event_id: int) -> str:
    with connection.cursor() as cur:
        cur.execute("SELECT tableoid::regclass::text FROM trace_traceevent WHERE id = %s", [event_id])
        return cur.fetchone()[0]


def _counts() -> tuple[int, int, int, int]:
    return TraceEvent.objects.count(), EventLot.objects.count(), LotEdge.objects.count(), Lot.objects.count()


def _check_deferred() -> None:
    """What the commit would check: the deferred keys and constraint triggers, now."""
    connection.check_constraints()


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the SQLite path")
def test_sqlite_keeps_a_plain_table(chain) -> None:
    assert not is_partitioned(connection, TRACE_EVENTS.table)
    assert _capture(_across_the_year(chain)).new == 3


@needs_pg
def test_events_land_in_their_year_and_capture_stays_idempotent(chain) -> None:
    assert is_partitioned(connection, TRACE_EVENTS.table)
    document = _across_the_year(chain)
    first = _capture(document)
    assert first.new == 3
    made, shipped, passed_on = TraceEvent.objects.order_by("event_time")
    assert _partition_of(made.pk) == "trace_traceevent_y2023"
    assert _partition_of(shipped.pk) == "trace_traceevent_y2024"
    assert _partition_of(passed_on.pk) == "trace_traceevent_y2024"
    assert made.lots.count() == 1 and shipped.edges.count() == 1 and passed_on.edges.count() == 1
    before = _counts()
    again = _capture(document)
    assert (again.new, again.duplicate) == (0, 3)
    assert _counts() == before
    _check_deferred()
    # The hash ID covers the event time, so the key (hash_id, event_time) refuses a second row
    # of the same event even when written past capture's own look-up.
    with pytest.raises(IntegrityError, match="hash_id"), transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            "INSERT INTO trace_traceevent (hash_id, event_id, event_type, action, biz_step, disposition, "
            "event_time, tz_offset, record_time, read_point, biz_location, body, capture_id) "
            "SELECT hash_id, event_id, event_type, action, biz_step, disposition, event_time, tz_offset, "
            "record_time, read_point, biz_location, body, capture_id FROM trace_traceevent WHERE id = %s",
            [shipped.pk],
        )


@needs_pg
def test_a_one_year_query_reads_one_partition(chain) -> None:
    _capture(_across_the_year(chain))
    beijing = dt.timezone(dt.timedelta(hours=8))
    year = TraceEvent.objects.filter(
        event_time__gte=dt.datetime(2024, 1, 1, tzinfo=beijing),
        event_time__lt=dt.datetime(2025, 1, 1, tzinfo=beijing),
    )
    plan = year.explain()
    assert "trace_traceevent_y2024" in plan
    assert "trace_traceevent_y2023" not in plan and "trace_traceevent_default" not in plan
    assert year.count() == 2


@needs_pg
def test_a_row_naming_a_missing_event_is_refused(chain) -> None:
    _capture(_across_the_year(chain))
    edge = LotEdge.objects.order_by("id")[0]
    link = EventLot.objects.order_by("id")[0]
    missing = TraceEvent.objects.order_by("-id").values_list("id", flat=True)[0] + 1000
    # The ORM's path: one row.
    with (
        pytest.raises(IntegrityError, match=r"trace_lotedge_event_id_\w+_fk_trace_traceevent_id"),
        transaction.atomic(),
    ):
        LotEdge.objects.create(
            src=edge.src, dst=edge.dst, kind="ship", event_id=missing, at=edge.at, quantity=1, uom="XCN"
        )
    with pytest.raises(IntegrityError, match=f"Key \\(event_id\\)=\\({missing}\\)"), transaction.atomic():
        EventLot.objects.create(event_id=missing, lot=link.lot, role="epc")
    refused = f"Key \\(event_id\\)=\\({missing}\\) is not present"
    # Capture's path: COPY of a batch with one bad row among good ones.
    with pytest.raises(IntegrityError, match=refused), transaction.atomic():
        insert_rows(
            EventLot,
            ["event", "lot", "role", "quantity", "uom"],
            [(edge.event_id, link.lot_id, "child", None, ""), (missing, link.lot_id, "child", None, "")],
        )
    # Pointing an existing row at a missing event.
    with pytest.raises(IntegrityError, match=refused), transaction.atomic():
        LotEdge.objects.filter(pk=edge.pk).update(event_id=missing)
    assert LotEdge.objects.get(pk=edge.pk).event_id == edge.event_id
    _check_deferred()


@needs_pg
def test_an_event_still_named_cannot_go(chain) -> None:
    _capture(_across_the_year(chain))
    made, shipped, _ = TraceEvent.objects.order_by("event_time")
    # The ORM: PROTECT from the edges, as on SQLite.
    with pytest.raises(ProtectedError):
        shipped.delete()
    # Past the ORM, the database refuses at commit (here: when the deferred checks run).
    with (
        pytest.raises(IntegrityError, match='still referenced from table "trace_lotedge"'),
        transaction.atomic(),
    ):
        with connection.cursor() as cur:
            cur.execute("DELETE FROM trace_eventlot WHERE event_id = %s", [shipped.pk])
            cur.execute("DELETE FROM trace_traceevent WHERE id = %s", [shipped.pk])
        _check_deferred()
    with (
        pytest.raises(IntegrityError, match='still referenced from table "trace_eventlot"'),
        transaction.atomic(),
    ):
        with connection.cursor() as cur:
            cur.execute("DELETE FROM trace_traceevent WHERE id = %s", [made.pk])
        _check_deferred()
    # An event named by lot links only: the ORM's CASCADE deletes them first.
    made.delete()
    assert not EventLot.objects.filter(event_id=made.pk).exists()
    # An event moved to another year (a delete and an insert in its partitions) keeps its rows.
    TraceEvent.objects.filter(pk=shipped.pk).update(event_time=dt.datetime(2023, 11, 1, tzinfo=dt.UTC))
    assert _partition_of(shipped.pk) == "trace_traceevent_y2023"
    _check_deferred()
    assert shipped.edges.count() == 1


@needs_pg
def test_the_migration_reverses_and_reapplies_with_every_row(chain) -> None:
    first = _capture(_across_the_year(chain))
    before = _counts()
    ids = sorted(TraceEvent.objects.values_list("id", flat=True))
    # A migration runs in a transaction of its own; this test's has the capture's deferred checks
    # pending, which PostgreSQL would not let a table be dropped under.
    _check_deferred()
    call_command("migrate", "trace", "0001_events_lots_recalls_cold_chain", verbosity=0)
    try:
        assert not is_partitioned(connection, TRACE_EVENTS.table)
        assert _counts() == before
        # Django's own foreign keys are back, under the names Django gave them in trace 0001.
        with connection.cursor() as cur:
            cur.execute(
                "SELECT conrelid::regclass::text, conname FROM pg_constraint WHERE contype = 'f' "
                "AND confrelid = 'trace_traceevent'::regclass ORDER BY 1"
            )
            assert cur.fetchall() == [
                ("trace_eventlot", "trace_eventlot_event_id_e6c819d1_fk_trace_traceevent_id"),
                ("trace_lotedge", "trace_lotedge_event_id_7d6a54b1_fk_trace_traceevent_id"),
            ]
        assert _capture(_across_the_year(chain)).new == 0
        _check_deferred()
    finally:
        call_command("migrate", "trace", verbosity=0)
    assert is_partitioned(connection, TRACE_EVENTS.table)
    assert _counts() == before
    assert sorted(TraceEvent.objects.values_list("id", flat=True)) == ids
    assert _partition_of(ids[0]) == "trace_traceevent_y2023"
    # Idempotent still, the triggers back, and new events numbered after the old ones.
    assert _capture(_across_the_year(chain)).new == 0
    dairy, wholesaler, _ = chain
    later = _capture(
        docs.document(docs.ship(dairy, wholesaler, "F2312A", when="2024-09-01T10:00:00+08:00", qty=10))
    )
    assert later.new == 1 and TraceEvent.objects.order_by("-id")[0].pk > max(ids)
    with pytest.raises(IntegrityError), transaction.atomic():
        EventLot.objects.create(event_id=max(ids) + 1000, lot=Lot.objects.order_by("id")[0], role="epc")
    assert first.new == 3
    _check_deferred()


@needs_pg
def test_ensure_makes_a_year(chain) -> None:
    names = [name for name, _, _ in partitions(connection, TRACE_EVENTS.table)]
    assert "trace_traceevent_y2031" not in names and "trace_traceevent_default" in names
    call_command("partitions", "ensure", "--year", "2031", stdout=StringIO())
    call_command("partitions", "ensure", "--year", "2031", stdout=StringIO())  # idempotent
    out = StringIO()
    call_command("partitions", "list", stdout=out)
    assert "trace_traceevent_y2031" in out.getvalue()
    dairy, wholesaler, _ = chain
    # The year is Beijing's: ten minutes into 2031 there, still 2030 in UTC.
    _capture(
        docs.document(
            docs.commission(dairy, "N3101", when="2031-01-01T00:10:00+08:00", name="加碘精制盐"),
            docs.ship(dairy, wholesaler, "N3101", when="2031-01-02T09:00:00+08:00", qty=5),
        ),
        now=dt.datetime(2031, 2, 1, tzinfo=dt.UTC),
    )
    assert {_partition_of(pk) for pk in TraceEvent.objects.values_list("id", flat=True)} == {
        "trace_traceevent_y2031"
    }
    _check_deferred()


@needs_pg
def test_the_hash_id_has_one_index_and_the_held_look_up_uses_it(chain) -> None:
    """Migration trace 0006 drops Django's prefix-search index on the hash ID, on the table and
    every partition; capture's look-up of the hash IDs held reads the unique (hash_id, event_time)
    index; the migration reverses and reapplies."""

    def pattern_indexes() -> list[str]:
        with connection.cursor() as cur:
            cur.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename LIKE 'trace\\_traceevent%%' "
                "AND indexdef LIKE '%%varchar_pattern_ops%%' ORDER BY 1"
            )
            return [name for (name,) in cur.fetchall()]

    assert pattern_indexes() == []
    services.epcis_capture(
        by=None, document=_across_the_year(chain), source=AuditSource.API, now=NOW, check_permission=False
    )
    held = [e.hash_id for e in TraceEvent.objects.all()]
    with connection.cursor() as cur:
        cur.execute("SET LOCAL enable_seqscan = off")  # three rows: the plan an index would give
        cur.execute(
            "EXPLAIN SELECT hash_id FROM trace_traceevent WHERE hash_id = ANY(string_to_array(%s, chr(31)))",
            [chr(31).join(held)],
        )
        plan = "\n".join(row[0] for row in cur.fetchall())
    assert "hash_id_event_time_key" in plan and "like" not in plan and "hash_id_idx" not in plan, plan
    assert sorted(h for (h,) in services._rows_in(TraceEvent, ["hash_id"], "hash_id", held)) == sorted(held)
    connection.check_constraints()
    call_command("migrate", "trace", "0005_reference_checks_lock_only_others_rows", verbosity=0)
    try:
        assert "trace_traceevent_hash_id_52c0b871_like" in pattern_indexes()
        assert len(pattern_indexes()) == 1 + len(partitions(connection, TRACE_EVENTS.table))
    finally:
        call_command("migrate", "trace", verbosity=0)
    assert pattern_indexes() == []


@needs_pg
def test_the_held_look_up_reads_only_the_years_of_the_document(chain) -> None:
    """Capture's look-up of held hash IDs is bounded by the document's event times: a document of
    2024 reads the 2024 partition alone, not every year's (with several years of events the
    unbounded look-up scanned them all, docs/trace.md)."""
    dairy, wholesaler, shop = chain
    _capture(_across_the_year(chain))  # events in 2023 and 2024
    later = docs.document(
        docs.ship(wholesaler, shop, "F2405B", when="2024-05-02T09:00:00+08:00", qty=12),
        docs.ship(dairy, shop, "F2405C", when="2024-11-20T16:45:00+08:00", qty=30),
    )
    with CaptureQueriesContext(connection) as queries:
        assert _capture(later).new == 2
    [look_up] = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('SELECT "hash_id"')]
    with connection.cursor() as cur:
        cur.execute("EXPLAIN " + look_up)
        plan = "\n".join(row[0] for row in cur.fetchall())
    assert "trace_traceevent_y2024" in plan, plan
    assert "trace_traceevent_y2023" not in plan and "trace_traceevent_default" not in plan, plan


@needs_pg
def test_an_event_sent_again_with_other_sub_millisecond_digits_is_held(chain) -> None:
    """CBV 2.0 §8.9 hashes the event time in UTC to the millisecond: an event sent again with the
    same instant written another way (another offset, digits past the millisecond) has the same
    hash ID and is held, not stored twice. The held look-up's time bound must therefore reach
    the whole millisecond on both sides: sent first to the millisecond and again to the
    microsecond, and the other way round."""
    dairy, wholesaler, shop = chain
    first = docs.ship(dairy, wholesaler, "F2403A", when="2024-03-05T10:00:00.123Z", qty=60)
    second = docs.ship(wholesaler, shop, "F2403B", when="2024-03-05T18:30:00.987654+08:00", qty=24)
    assert _capture(docs.document(first, second)).new == 2
    first_again = {**first, "eventTime": "2024-03-05T18:00:00.123999+08:00"}
    second_again = {**second, "eventTime": "2024-03-05T10:30:00.987Z"}
    assert event_hash_id(first_again) == event_hash_id(first)
    assert event_hash_id(second_again) == event_hash_id(second)
    before = _counts()
    again = _capture(docs.document(first_again, second_again))
    assert (again.new, again.duplicate) == (0, 2)
    assert _counts() == before
