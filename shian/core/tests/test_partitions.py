"""The audit log partitioned by year on PostgreSQL (migration core 0009, docs/scaling.md §3).

Entries of 2023 and 2024 land in their years' partitions, a one-year query reads one partition,
the chain verifies across the boundary, the append-only guards hold on every partition, and a
year's partition is made by `shian partitions ensure` — idempotently, and never over rows that
already sit in the default partition. SQLite keeps a plain table."""

from __future__ import annotations

import datetime as dt
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from shian.core.audit import AuditEvent, audit_record, audit_verify
from shian.core.models import AuditEntry, AuditSource
from shian.core.partitions import AUDIT, PartitionError, ensure_year, is_partitioned, partitions

pytestmark = pytest.mark.django_db

BEIJING = ZoneInfo("Asia/Shanghai")


def _write_at(when: dt.datetime, name: str) -> None:
    with mock.patch("shian.core.audit.timezone.now", return_value=when), transaction.atomic():
        audit_record(
            actor=None,
            source=AuditSource.SYSTEM,
            event=AuditEvent(action="create", object_type="test", object_id=name, object_repr=name),
        )


def _partition_of(seq: int) -> str:
    with connection.cursor() as cur:
        cur.execute("SELECT tableoid::regclass::text FROM core_auditentry WHERE seq = %s", [seq])
        return cur.fetchone()[0]


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the SQLite path")
def test_sqlite_keeps_a_plain_table() -> None:
    assert not is_partitioned(connection, AUDIT.table)
    with pytest.raises(PartitionError, match="仅用于 PostgreSQL"):
        ensure_year(connection, AUDIT, 2030)


needs_pg = pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL path")


@needs_pg
def test_entries_land_in_their_year_and_the_chain_verifies_across_the_boundary() -> None:
    assert is_partitioned(connection, AUDIT.table)
    # The last minutes of 2023 and the first of 2024, Beijing time: the year is the platform's.
    _write_at(dt.datetime(2023, 12, 31, 23, 50, tzinfo=BEIJING), "旧年末")
    _write_at(dt.datetime(2024, 1, 1, 0, 10, tzinfo=BEIJING), "新年初")
    _write_at(dt.datetime(2024, 6, 1, 9, 0, tzinfo=BEIJING), "年中")
    seqs = list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True))
    assert _partition_of(seqs[0]) == "core_auditentry_y2023"
    assert _partition_of(seqs[1]) == "core_auditentry_y2024"
    assert _partition_of(seqs[2]) == "core_auditentry_y2024"
    report = audit_verify()
    assert report.ok and report.checked == 3


@needs_pg
def test_a_one_year_query_reads_one_partition() -> None:
    _write_at(dt.datetime(2023, 5, 1, 8, 0, tzinfo=BEIJING), "甲")
    _write_at(dt.datetime(2024, 5, 1, 8, 0, tzinfo=BEIJING), "乙")
    with connection.cursor() as cur:
        cur.execute(
            "EXPLAIN SELECT * FROM core_auditentry WHERE at >= '2024-01-01 00:00+08' AND at < '2025-01-01 00:00+08'"
        )
        plan = "\n".join(row[0] for row in cur.fetchall())
    assert "core_auditentry_y2024" in plan
    assert "core_auditentry_y2023" not in plan and "core_auditentry_default" not in plan


@needs_pg
def test_the_guards_hold_on_the_parent_and_on_each_partition() -> None:
    _write_at(dt.datetime(2024, 3, 1, 8, 0, tzinfo=BEIJING), "守")
    for sql in (
        "UPDATE core_auditentry SET object_repr = '改' ",
        "DELETE FROM core_auditentry",
        "UPDATE core_auditentry_y2024 SET object_repr = '改'",
        "DELETE FROM core_auditentry_y2024",
        "TRUNCATE core_auditentry_y2024",
        "TRUNCATE core_auditentry",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cur,
        ):
            cur.execute(sql)
    assert AuditEntry.objects.get().object_repr == "守"


@needs_pg
def test_ensure_makes_a_year_once_and_refuses_over_stray_rows() -> None:
    names = [name for name, _, _ in partitions(connection, AUDIT.table)]
    assert "core_auditentry_y2031" not in names and "core_auditentry_default" in names
    call_command("partitions", "ensure", "--year", "2031")
    call_command("partitions", "ensure", "--year", "2031")  # idempotent
    # The year is Beijing's: ten minutes into 2031 there is still 2030 in UTC.
    _write_at(dt.datetime(2031, 1, 1, 0, 10, tzinfo=BEIJING), "新年")
    _write_at(dt.datetime(2030, 12, 31, 23, 50, tzinfo=BEIJING), "除夕")
    assert _partition_of(AuditEntry.objects.get(object_id="新年").seq) == "core_auditentry_y2031"
    assert _partition_of(AuditEntry.objects.get(object_id="除夕").seq) != "core_auditentry_y2031"
    # An entry of a year with no partition goes to the default one; that year cannot then be
    # partitioned by a plain CREATE (its rows would have to move), and nothing is changed.
    _write_at(dt.datetime(2040, 2, 1, 8, 0, tzinfo=BEIJING), "远年")
    assert _partition_of(AuditEntry.objects.get(object_id="远年").seq) == "core_auditentry_default"
    with pytest.raises(CommandError, match="默认分区中已有 2040 年的 1 行"):
        call_command("partitions", "ensure", "--year", "2040")
    assert "core_auditentry_y2040" not in [name for name, _, _ in partitions(connection, AUDIT.table)]


@needs_pg
def test_ids_and_sequence_numbers_carry_on_after_the_migration() -> None:
    _write_at(dt.datetime(2024, 3, 1, 8, 0, tzinfo=BEIJING), "一")
    _write_at(dt.datetime(2024, 3, 2, 8, 0, tzinfo=BEIJING), "二")
    first, second = AuditEntry.objects.order_by("seq")
    assert second.id > first.id and second.seq == first.seq + 1


@needs_pg
def test_the_migration_reverses_and_reapplies_with_every_row_and_guard() -> None:
    _write_at(dt.datetime(2023, 7, 1, 8, 0, tzinfo=BEIJING), "往")
    _write_at(dt.datetime(2024, 7, 1, 8, 0, tzinfo=BEIJING), "返")
    call_command("migrate", "core", "0008_merge_calendar_year", verbosity=0)
    try:
        assert not is_partitioned(connection, AUDIT.table)
        assert AuditEntry.objects.count() == 2 and audit_verify().ok
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            AuditEntry.objects.update(object_repr="改")
    finally:
        call_command("migrate", "core", verbosity=0)
    assert is_partitioned(connection, AUDIT.table)
    assert _partition_of(AuditEntry.objects.get(object_id="往").seq) == "core_auditentry_y2023"
    assert audit_verify().ok
    _write_at(dt.datetime(2024, 8, 1, 8, 0, tzinfo=BEIJING), "再")
    assert AuditEntry.objects.order_by("-seq").values_list("object_id", flat=True)[0] == "再"
