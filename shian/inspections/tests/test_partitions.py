"""Inspections partitioned by year on PostgreSQL (migration inspections 0004, docs/scaling.md §3).

Inspections of 2023 and 2024 land in their years' partitions and a one-year query reads one; the
foreign keys into the table — findings, inspectors, corrections, follow-ups, rectification
follow-ups — are kept by triggers (core.partitions, `referred_by`) with the rules Django's had: a
link to a missing inspection is refused, an inspection still referred to cannot be deleted, a
correction stays one per record. The migration reverses to Django's own constraints and reapplies with every row.
SQLite keeps a plain table with Django's foreign keys."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError

from shian.core.models import AuditSource, Role
from shian.core.partitions import INSPECTIONS, is_partitioned, partitions
from shian.core.tests.factories import TOWN_A, UserFactory
from shian.inspections import services
from shian.inspections.models import Finding, Inspection, Rectification
from shian.inspections.tests.helpers import draft as draft_with
from shian.inspections.tests.helpers import submitted
from shian.registry.tests.factories import make_business

pytestmark = pytest.mark.django_db

needs_pg = pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL path")


@pytest.fixture
def team():
    return [
        UserFactory.create(username=f"p{n}", role=Role.INSPECTOR, full_name=f"检查员{n}") for n in range(2)
    ]


@pytest.fixture
def shop():
    return make_business(name="果园新村甲饭店", region_code=TOWN_A, business_type="catering")


def _submitted(business, on: dt.date, team) -> Inspection:
    return submitted(business, on, team, note="后厨生熟未分开")


def _partition_of(inspection_id: int) -> str:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT tableoid::regclass::text FROM inspections_inspection WHERE id = %s", [inspection_id]
        )
        return cur.fetchone()[0]


def _refused(sql: str, params: list, match: str) -> None:
    """`sql` is refused by the time the transaction would commit (a row naming an inspection is
    checked at the end of its statement, a deleted inspection at commit, as Django's deferred keys
    are), and nothing it did is kept."""
    connection.check_constraints()  # what was pending before is checked first, and passes
    with pytest.raises(IntegrityError, match=match), transaction.atomic():
        with connection.cursor() as cur:
            cur.execute(sql, params)
        connection.check_constraints()


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the SQLite path")
def test_sqlite_keeps_a_plain_table_with_its_foreign_keys(shop, team) -> None:
    assert not is_partitioned(connection, INSPECTIONS.table)
    inspection = _submitted(shop, dt.date(2024, 3, 1), team)
    with pytest.raises(IntegrityError), transaction.atomic():
        Finding.objects.create(inspection_id=inspection.pk + 1000, item_code="C3", description="无证上岗")
        connection.check_constraints()
    assert Finding.objects.filter(inspection=inspection).count() == 1


@needs_pg
def test_inspections_land_in_their_year_and_a_year_query_reads_one_partition(shop, team) -> None:
    assert is_partitioned(connection, INSPECTIONS.table)
    last_of_2023 = _submitted(shop, dt.date(2023, 12, 29), team)
    first_of_2024 = _submitted(shop, dt.date(2024, 1, 2), team)
    assert _partition_of(last_of_2023.pk) == "inspections_inspection_y2023"
    assert _partition_of(first_of_2024.pk) == "inspections_inspection_y2024"
    # The period query the coverage pages make, as the ORM writes it.
    plan = Inspection.objects.filter(region_id=TOWN_A, inspected_on__year=2024).explain()
    assert "inspections_inspection_y2024" in plan
    assert "inspections_inspection_y2023" not in plan and "inspections_inspection_default" not in plan
    rows = {name: count for name, _, count in partitions(connection, INSPECTIONS.table)}
    assert rows["inspections_inspection_y2023"] == 1 and rows["inspections_inspection_y2024"] == 1
    # A record's findings, order and team read back through the ORM as before.
    assert first_of_2024.findings.get().rectification.status == "open"
    assert sorted(u.username for u in first_of_2024.inspectors.all()) == ["p0", "p1"]


@needs_pg
def test_a_link_to_a_missing_inspection_is_refused(shop, team) -> None:
    inspection = _submitted(shop, dt.date(2024, 3, 1), team)
    missing = inspection.pk + 1000
    _refused(
        "INSERT INTO inspections_finding (inspection_id, item_code, key_item, description,"
        " corrected_on_spot, photo) VALUES (%s, 'C2', false, '地面不洁', false, '')",
        [missing],
        '"inspections_finding" violates foreign key',
    )
    _refused(
        "INSERT INTO inspections_inspection_inspectors (inspection_id, user_id) VALUES (%s, %s)",
        [missing, team[0].pk],
        '"inspections_inspection_inspectors" violates foreign key',
    )
    _refused(
        "UPDATE inspections_rectification SET follow_up_id = %s",
        [missing],
        '"inspections_rectification" violates foreign key',
    )
    _refused(
        "UPDATE inspections_inspection SET follow_up_of_id = %s WHERE id = %s",
        [missing, inspection.pk],
        '"inspections_inspection" violates foreign key',
    )
    # The ORM meets the same refusal.
    with pytest.raises(IntegrityError, match="is not present"), transaction.atomic():
        Finding.objects.create(inspection_id=missing, item_code="C3", description="无证上岗")
        connection.check_constraints()
    assert Finding.objects.filter(inspection=inspection).count() == 1
    assert not Finding.objects.filter(inspection_id=missing).exists()


@needs_pg
def test_deleting_an_inspection_cascades_or_is_refused_as_the_model_declares(shop, team) -> None:
    original = _submitted(shop, dt.date(2024, 3, 1), team)
    order = Rectification.objects.get(finding__inspection=original)
    follow_up = services.rectification_followup_create(
        actor=None,
        source=AuditSource.SYSTEM,
        rectification=order,
        inspected_on=dt.date(2024, 3, 20),
        inspectors=team,
    )
    # PROTECT: a record with a follow-up is not deleted, by the ORM nor in SQL.
    with pytest.raises(ProtectedError), transaction.atomic():
        original.delete()
    _refused(
        "DELETE FROM inspections_inspection WHERE id = %s",
        [original.pk],
        "still referenced",
    )
    # A finding is CASCADE in the model: the ORM deletes the findings with the record; SQL that
    # deletes the record alone is refused rather than leave the findings pointing at nothing.
    draft = draft_with(shop, dt.date(2024, 5, 6), team, {"C4": "冷藏温度超标"})
    _refused("DELETE FROM inspections_inspection WHERE id = %s", [draft.pk], "inspections_finding")
    with transaction.atomic():
        draft.delete()
        connection.check_constraints()
    assert not Inspection.objects.filter(pk=draft.pk).exists()
    assert not Finding.objects.filter(inspection_id=draft.pk).exists()
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM inspections_inspection_inspectors WHERE inspection_id = %s", [draft.pk]
        )
        assert cur.fetchone()[0] == 0
    # The follow-up, once its order no longer names it, goes too; the original then stays alone.
    Rectification.objects.filter(follow_up=follow_up).update(follow_up=None)
    with transaction.atomic():
        follow_up.delete()
        connection.check_constraints()
    assert Inspection.objects.filter(pk=original.pk).exists()


@needs_pg
def test_a_record_has_one_correction_and_a_partition_is_not_truncated_under_its_findings(shop, team) -> None:
    original = _submitted(shop, dt.date(2024, 3, 1), team)
    services.inspection_correct(actor=None, source=AuditSource.SYSTEM, inspection=original, reason="漏记一项")
    # The service refuses a second correction; the database does too, at once, without the date.
    with (
        pytest.raises(IntegrityError, match="inspections_inspection_corrects_id_key"),
        transaction.atomic(),
    ):
        Inspection.objects.create(
            business=shop,
            region_id=shop.region_id,
            inspected_on=dt.date(2025, 1, 6),
            checklist=original.checklist,
            corrects=original,
        )
    assert Inspection.objects.get(corrects=original).inspected_on == original.inspected_on
    connection.check_constraints()  # PostgreSQL truncates no table with checks pending
    with (
        pytest.raises(IntegrityError, match="cannot truncate"),
        transaction.atomic(),
        connection.cursor() as cur,
    ):
        cur.execute("TRUNCATE inspections_inspection_y2024")
    assert Inspection.objects.count() == 2


@needs_pg
def test_a_draft_moved_to_another_year_keeps_its_findings_and_team(shop, team) -> None:
    draft = draft_with(shop, dt.date(2023, 12, 30), team, {"C2": "餐具未消毒"})
    # The date is the partition key: the row moves partitions (a delete there, an insert here),
    # which must not count as deleting a record that findings refer to.
    with transaction.atomic():
        Inspection.objects.filter(pk=draft.pk).update(inspected_on=dt.date(2024, 1, 3))
        connection.check_constraints()
    assert _partition_of(draft.pk) == "inspections_inspection_y2024"
    assert Finding.objects.get(inspection_id=draft.pk).item_code == "C2"
    assert Inspection.objects.get(pk=draft.pk).inspectors.count() == 2


@needs_pg
def test_ensure_makes_a_year_whose_partition_keeps_the_rules(shop, team) -> None:
    assert "inspections_inspection_y2031" not in [n for n, _, _ in partitions(connection, INSPECTIONS.table)]
    call_command("partitions", "ensure", "--year", "2031")
    call_command("partitions", "ensure", "--year", "2031")  # idempotent
    future = Inspection.objects.create(
        business=shop, region_id=shop.region_id, inspected_on=dt.date(2031, 1, 1), checklist="catering"
    )
    assert _partition_of(future.pk) == "inspections_inspection_y2031"
    Finding.objects.create(inspection=future, item_code="C1", description="无健康证")
    _refused("DELETE FROM inspections_inspection_y2031 WHERE id = %s", [future.pk], "still referenced")
    with (
        pytest.raises(IntegrityError, match="cannot truncate"),
        transaction.atomic(),
        connection.cursor() as cur,
    ):
        cur.execute("TRUNCATE inspections_inspection_y2031")


def _foreign_keys_into_inspections() -> int:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND confrelid = 'inspections_inspection'::regclass"
        )
        return cur.fetchone()[0]


@needs_pg
def test_the_migration_reverses_and_reapplies_with_every_row(shop, team) -> None:
    old = _submitted(shop, dt.date(2023, 6, 1), team)
    new = _submitted(shop, dt.date(2024, 6, 1), team)
    services.inspection_correct(actor=None, source=AuditSource.SYSTEM, inspection=old, reason="日期笔误")
    services.rectification_followup_create(
        actor=None,
        source=AuditSource.SYSTEM,
        rectification=Rectification.objects.get(finding__inspection=new),
        inspected_on=dt.date(2024, 6, 20),
        inspectors=team,
    )
    before = sorted(Inspection.objects.values_list("pk", "inspected_on", "corrects_id", "follow_up_of_id"))
    counts = (Finding.objects.count(), Rectification.objects.filter(follow_up__isnull=False).count())
    connection.check_constraints()  # the checks pending in this test's transaction, made now
    call_command("migrate", "inspections", "0003_indicator_indexes", verbosity=0)
    try:
        assert not is_partitioned(connection, INSPECTIONS.table)
        assert _foreign_keys_into_inspections() == 5  # Django's own constraints, back
        assert (
            sorted(Inspection.objects.values_list("pk", "inspected_on", "corrects_id", "follow_up_of_id"))
            == before
        )
    finally:
        call_command("migrate", "inspections", verbosity=0)
    assert is_partitioned(connection, INSPECTIONS.table) and _foreign_keys_into_inspections() == 0
    assert (
        sorted(Inspection.objects.values_list("pk", "inspected_on", "corrects_id", "follow_up_of_id"))
        == before
    )
    assert (Finding.objects.count(), Rectification.objects.filter(follow_up__isnull=False).count()) == counts
    assert _partition_of(old.pk) == "inspections_inspection_y2023"
    # Ids carry on after the last one, and the rules hold again.
    later = _submitted(shop, dt.date(2024, 9, 2), team)
    assert later.pk > max(pk for pk, *_ in before)
    _refused("DELETE FROM inspections_inspection WHERE id = %s", [old.pk], "still referenced")
