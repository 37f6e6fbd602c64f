"""Yearly range partitions on PostgreSQL for the tables that grow without bound.

Django creates plain tables; on PostgreSQL a migration turns a plain table into one partitioned
by year (`PARTITION BY RANGE (column)`, one partition per year and a default partition for a row
outside every year made so far), keeping its columns, its identity sequence, its indexes (as
partitioned indexes) and its guards. SQLite keeps the plain table: nothing here runs there.

What PostgreSQL asks for, and how each is met (docs/scaling.md §3):

- A primary key or unique constraint of a partitioned table must include the partition key, so
  the key becomes `(id, column)` and a unique column `u` becomes `(u, column)`. The ORM still
  addresses rows by `id`, which the identity sequence hands out once; for the audit chain the
  uniqueness of `seq` alone is kept by `AuditChainHead`, which hands out each number under a row
  lock, and `shian audit verify` checks it.
- A foreign key into a partitioned table would need the whole key. A table referred to by others
  names them in `referred_by`: their single-column foreign keys are replaced, on PostgreSQL only,
  by triggers that keep the same rule (`_reference_sql`), and Django's ForeignKey
  fields stay as they are. A table's own checks and foreign keys are recreated on the new table.
- Row triggers defined on the parent are cloned to every partition (PostgreSQL 13+); a TRUNCATE
  trigger is a statement trigger and fires only for the table named, so it is created on each
  partition as well.

Years are calendar years in the platform's time zone (Asia/Shanghai, settings.TIME_ZONE): an
audit entry written at 2026-12-31 23:30 Beijing time belongs to 2026.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper
from django.utils.translation import gettext as _

from shian.core.references import Reference, copy_checks_to_partition, reference_sql


@dataclass(frozen=True)
class YearlyTable:
    """A table partitioned by year on PostgreSQL, and what its partitions carry."""

    table: str
    column: str
    #: "timestamptz" or "date": how a year's bounds are written.
    column_type: str
    #: Columns made unique (with the partition key added) on the partitioned table.
    unique: tuple[tuple[str, ...], ...] = ()
    #: (name, timing and events, level, function) of triggers to recreate on the parent.
    row_triggers: tuple[tuple[str, str, str], ...] = ()
    truncate_trigger: tuple[str, str] | None = None
    #: "BEFORE" for a guard; "AFTER" for a check of what the truncation left.
    truncate_timing: str = "BEFORE"
    first_year: int = 2020
    #: (table, column) of the single-column foreign keys naming this table's id, kept by
    #: triggers while the table is partitioned (`_reference_sql`).
    referred_by: tuple[tuple[str, str], ...] = ()


AUDIT = YearlyTable(
    table="core_auditentry",
    column="at",
    column_type="timestamptz",
    unique=(("seq",),),
    # The guards of migration 0002: the audit log refuses UPDATE, DELETE and TRUNCATE.
    row_triggers=(("core_auditentry_no_change", "BEFORE UPDATE OR DELETE", "core_auditentry_append_only"),),
    truncate_trigger=("core_auditentry_no_truncate", "core_auditentry_append_only"),
)

TRACE_EVENTS = YearlyTable(
    table="trace_traceevent",
    column="event_time",
    column_type="timestamptz",
    # The event hash ID covers the event time, so one hash has one time: unique with it as before.
    unique=(("hash_id",),),
    referred_by=(("trace_eventlot", "event_id"), ("trace_lotedge", "event_id")),
)

INSPECTIONS = YearlyTable(
    table="inspections_inspection",
    column="inspected_on",
    column_type="date",
    # The one-to-one `corrects`: unique with the date here, and alone by the trigger of migration
    # inspections 0004, which also refuses a TRUNCATE leaving references to nothing.
    unique=(("corrects_id",),),
    row_triggers=(
        (
            "inspections_inspection_corrects_id_unique",
            "AFTER INSERT OR UPDATE OF corrects_id",
            "inspections_inspection_corrects_id_unique",
        ),
    ),
    truncate_trigger=("inspections_inspection_truncate_check", "inspections_inspection_truncate_check"),
    truncate_timing="AFTER",
    referred_by=(
        ("inspections_finding", "inspection_id"),
        ("inspections_inspection_inspectors", "inspection_id"),
        ("inspections_inspection", "corrects_id"),
        ("inspections_inspection", "follow_up_of_id"),
        ("inspections_rectification", "follow_up_id"),
    ),
)

#: Every table partitioned by year, by table name.
YEARLY_TABLES: dict[str, YearlyTable] = {
    AUDIT.table: AUDIT,
    TRACE_EVENTS.table: TRACE_EVENTS,
    INSPECTIONS.table: INSPECTIONS,
}


class PartitionError(Exception):
    """A partition cannot be made as asked; the message says why, in Chinese first."""


def _bounds(spec: YearlyTable, year: int) -> tuple[str, str]:
    if spec.column_type == "date":
        return f"{year}-01-01", f"{year + 1}-01-01"
    offset = dt.datetime(year, 1, 1, tzinfo=_zone()).strftime("%z")
    offset = f"{offset[:3]}:{offset[3:]}"
    return f"{year}-01-01 00:00:00{offset}", f"{year + 1}-01-01 00:00:00{offset}"


def _zone() -> dt.tzinfo:
    from zoneinfo import ZoneInfo

    return ZoneInfo(settings.TIME_ZONE)


def partition_name(spec: YearlyTable, year: int | None) -> str:
    return f"{spec.table}_y{year}" if year is not None else f"{spec.table}_default"


def is_partitioned(connection: BaseDatabaseWrapper, table: str) -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cur:
        cur.execute(
            "SELECT 1 FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid "
            "WHERE c.relname = %s AND pg_table_is_visible(c.oid)",
            [table],
        )
        return cur.fetchone() is not None


def partitions(connection: BaseDatabaseWrapper, table: str) -> list[tuple[str, str, int]]:
    """(partition, bounds as PostgreSQL writes them, rows) of a partitioned table."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) "
            "FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = %s ORDER BY c.relname",
            [table],
        )
        rows = cur.fetchall()
        out = []
        for name, bound in rows:
            cur.execute(f'SELECT count(*) FROM "{name}"')  # noqa: S608 - a catalogue name
            out.append((name, bound, cur.fetchone()[0]))
        return out


def _create_partition(cur: CursorWrapper, spec: YearlyTable, year: int | None) -> str:
    name = partition_name(spec, year)
    if year is None:
        cur.execute(f'CREATE TABLE IF NOT EXISTS "{name}" PARTITION OF "{spec.table}" DEFAULT')
    else:
        low, high = _bounds(spec, year)
        cur.execute(
            f'CREATE TABLE IF NOT EXISTS "{name}" PARTITION OF "{spec.table}" '
            f"FOR VALUES FROM ('{low}') TO ('{high}')"
        )
    if spec.truncate_trigger is not None:
        trigger, function = spec.truncate_trigger
        cur.execute(f'DROP TRIGGER IF EXISTS "{trigger}" ON "{name}"')
        cur.execute(
            f'CREATE TRIGGER "{trigger}" {spec.truncate_timing} TRUNCATE ON "{name}" '
            f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
        )
    copy_checks_to_partition(cur, spec.table, name)
    return name


def _set_aside(cur: CursorWrapper, spec: YearlyTable, old: str) -> list[str]:
    """Rename the table to `old`, and its indexes and keys out of the way (their names are
    schema-wide); return the statements that recreate its other indexes on the new table."""
    cur.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND schemaname = current_schema()",
        [spec.table],
    )
    indexes = cur.fetchall()
    cur.execute(
        "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype IN ('p', 'u')",
        [spec.table],
    )
    keys = {name for (name,) in cur.fetchall()}
    qualified = _qualified(cur, spec.table)
    cur.execute(f'ALTER TABLE "{spec.table}" RENAME TO "{old}"')
    for name, _definition in indexes:
        if name not in keys:
            cur.execute(f'ALTER INDEX "{name}" RENAME TO "{name[:50]}_old"')
    for name in keys:
        cur.execute(f'ALTER TABLE "{old}" RENAME CONSTRAINT "{name}" TO "{name[:50]}_old"')
    # A partitioned table's index is defined `ON ONLY` it; the recreated one is an ordinary definition.
    on = (f" ON ONLY {qualified} ", f" ON {qualified} ")
    return [
        definition.replace(on[0], f' ON "{spec.table}" ').replace(on[1], f' ON "{spec.table}" ')
        for name, definition in indexes
        if name not in keys
    ]


def _fill_from(cur: CursorWrapper, spec: YearlyTable, old: str, indexes: list[str], *, cascade: bool) -> None:
    """The new table's indexes, the old table's rows, the identity carrying on, the old table
    dropped, and the guards recreated on the new one."""
    for definition in indexes:
        cur.execute(definition)
    cur.execute(f'INSERT INTO "{spec.table}" SELECT * FROM "{old}"')  # noqa: S608 - names from YEARLY_TABLES
    _resume_identity(cur, spec.table, old)
    cur.execute(f'DROP TABLE "{old}"' + (" CASCADE" if cascade else ""))
    _create_triggers(cur, spec)


_LIKE = "INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING GENERATED INCLUDING STORAGE INCLUDING COMMENTS"


def partition_by_year(connection: BaseDatabaseWrapper, spec: YearlyTable, *, until_year: int) -> None:
    """Turn the plain table into a partitioned one with the same rows (PostgreSQL only).

    The plain table is renamed, a partitioned table of the same columns takes its name, the rows
    are copied, the identity sequence resumes after the last id, and the plain table is dropped,
    all in the migration's transaction: a failure leaves the plain table as it was."""
    if connection.vendor != "postgresql" or is_partitioned(connection, spec.table):
        return
    old = f"{spec.table}_unpartitioned"
    col = spec.column
    with connection.cursor() as cur:
        _drop_references(cur, spec)
        constraints = _checks_and_keys(cur, spec.table)
        indexes = _set_aside(cur, spec, old)
        cur.execute(f'CREATE TABLE "{spec.table}" (LIKE "{old}" {_LIKE}) PARTITION BY RANGE ({col})')
        cur.execute(f'ALTER TABLE "{spec.table}" ADD CONSTRAINT "{spec.table}_pkey" PRIMARY KEY (id, {col})')
        for columns in spec.unique:
            name = f"{spec.table}_{'_'.join(columns)}_uniq"
            cur.execute(
                f'ALTER TABLE "{spec.table}" ADD CONSTRAINT "{name}" UNIQUE ({", ".join(columns)}, {col})'
            )
        cur.execute(
            f'SELECT EXTRACT(YEAR FROM min({col} AT TIME ZONE %s))::int FROM "{old}"',  # noqa: S608 - names from YEARLY_TABLES
            [settings.TIME_ZONE],
        )
        first = cur.fetchone()[0]
        first_year = min(spec.first_year, first) if first is not None else spec.first_year
        for year in range(first_year, until_year + 1):
            _create_partition(cur, spec, year)
        _create_partition(cur, spec, None)
        _fill_from(cur, spec, old, indexes, cascade=False)
        _add_constraints(cur, spec.table, constraints)
        for child, column in spec.referred_by:
            for statement in _reference_sql(
                spec, child, column, _reference_name(connection, spec, child, column)
            ):
                cur.execute(statement)
        for name, _bound, _rows in partitions(connection, spec.table):
            copy_checks_to_partition(cur, spec.table, name)


def _resume_identity(cur: CursorWrapper, table: str, old: str) -> None:
    """The new table's identity sequence carries on after the old table's last id."""
    sequence = f"pg_get_serial_sequence('\"{table}\"', 'id')"
    last = f'(SELECT max(id) FROM "{old}")'  # noqa: S608 - names from YEARLY_TABLES
    cur.execute(f"SELECT setval({sequence}, COALESCE({last}, 0) + 1, false)")


def _qualified(cur: CursorWrapper, table: str) -> str:
    """How pg_indexes' indexdef names the table: schema-qualified, e.g. `public.core_auditentry`."""
    cur.execute("SELECT current_schema()")
    return f"{cur.fetchone()[0]}.{table}"


def _create_triggers(cur: CursorWrapper, spec: YearlyTable) -> None:
    for name, timing, function in spec.row_triggers:
        cur.execute(f'DROP TRIGGER IF EXISTS "{name}" ON "{spec.table}"')
        cur.execute(
            f'CREATE TRIGGER "{name}" {timing} ON "{spec.table}" FOR EACH ROW EXECUTE FUNCTION {function}()'
        )
    if spec.truncate_trigger is not None:
        name, function = spec.truncate_trigger
        cur.execute(f'DROP TRIGGER IF EXISTS "{name}" ON "{spec.table}"')
        cur.execute(
            f'CREATE TRIGGER "{name}" {spec.truncate_timing} TRUNCATE ON "{spec.table}" '
            f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
        )


def unpartition(connection: BaseDatabaseWrapper, spec: YearlyTable) -> None:
    """The migration's reverse: a plain table with the same rows, keys and guards as before."""
    if connection.vendor != "postgresql" or not is_partitioned(connection, spec.table):
        return
    old = f"{spec.table}_partitioned"
    with connection.cursor() as cur:
        for child, column in spec.referred_by:
            # The triggers of `_reference_sql` go with their functions.
            functions = f'"{child}_{column}_fk_child"(), "{child}_{column}_fk_parent"()'
            cur.execute(f"DROP FUNCTION IF EXISTS {functions} CASCADE")
        constraints = _checks_and_keys(cur, spec.table)
        indexes = _set_aside(cur, spec, old)
        cur.execute(f'CREATE TABLE "{spec.table}" (LIKE "{old}" {_LIKE})')
        cur.execute(f'ALTER TABLE "{spec.table}" ADD CONSTRAINT "{spec.table}_pkey" PRIMARY KEY (id)')
        for columns in spec.unique:
            cur.execute(
                f'ALTER TABLE "{spec.table}" ADD CONSTRAINT "{spec.table}_{"_".join(columns)}_key" '
                f"UNIQUE ({', '.join(columns)})"
            )
        _fill_from(cur, spec, old, indexes, cascade=True)
        _add_constraints(cur, spec.table, constraints)
        for child, column in spec.referred_by:
            cur.execute(
                f'ALTER TABLE "{child}" ADD CONSTRAINT "{_reference_name(connection, spec, child, column)}" '
                f'FOREIGN KEY ("{column}") REFERENCES "{spec.table}" (id) DEFERRABLE INITIALLY DEFERRED'
            )


def _checks_and_keys(cur: CursorWrapper, table: str) -> list[tuple[str, str]]:
    """(name, definition) of the table's own check constraints and foreign keys: CREATE TABLE …
    LIKE copies neither. Their names are the table's own, so they are kept."""
    cur.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype IN ('c', 'f') ORDER BY conname",
        [table],
    )
    return list(cur.fetchall())


def _add_constraints(cur: CursorWrapper, table: str, constraints: list[tuple[str, str]]) -> None:
    for name, definition in constraints:
        cur.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')


def reference_names(connection: BaseDatabaseWrapper, spec: YearlyTable) -> tuple[tuple[Reference, str], ...]:
    """The references kept by triggers into the partitioned `spec.table`, with their constraint names."""
    return tuple(
        (Reference(child, column, spec.table), _reference_name(connection, spec, child, column))
        for child, column in spec.referred_by
    )


def _reference_name(connection: BaseDatabaseWrapper, spec: YearlyTable, child: str, column: str) -> str:
    """The name Django gives the foreign key `child.column` → `spec.table.id`; the triggers
    standing for it take that name, so a violation names the same constraint as before."""
    editor: Any = connection.schema_editor()
    return str(editor._create_index_name(child, [column], suffix=f"_fk_{spec.table}_id"))


def _drop_references(cur: CursorWrapper, spec: YearlyTable) -> None:
    """The foreign keys of `referred_by`, which PostgreSQL cannot keep into a partitioned table."""
    for child, column in spec.referred_by:
        cur.execute(
            "SELECT c.conname FROM pg_constraint c JOIN pg_attribute a "
            "ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey) "
            "WHERE c.contype = 'f' AND c.conrelid = %s::regclass AND c.confrelid = %s::regclass "
            "AND a.attname = %s",
            [child, spec.table, column],
        )
        for (name,) in cur.fetchall():
            cur.execute(f'ALTER TABLE "{child}" DROP CONSTRAINT "{name}"')


def _reference_sql(spec: YearlyTable, child: str, column: str, name: str) -> list[str]:
    """Triggers keeping `child.column` → `spec.table.id` as Django's foreign key did
    (`core.references`: the rows a statement writes to `child` checked at its end, locking the
    rows they name FOR KEY SHARE; a row of the table deleted, or whose id changes, named by no row
    at commit, unless a row of that id exists again: an update moving it to another year's
    partition is a delete and an insert). A check per row would probe every year's partition for
    each row (a partitioned table's id is not unique by itself); per statement, one index scan per
    partition serves the whole batch. Unlike Django's deferred key, the check runs at the end of
    the statement, not at commit: an event must be written before the rows naming it (capture and
    the ORM do so). A TRUNCATE is guarded per partition by the table's own `truncate_trigger`."""
    return reference_sql(Reference(child, column, spec.table), name, "bigint", truncate=False)


def ensure_year(connection: BaseDatabaseWrapper, spec: YearlyTable, year: int) -> str:
    """Create `year`'s partition if missing (idempotent). Run before 1 January for the next year
    (`shian partitions ensure --year Y`). Rows of that year already in the default partition
    (written before the partition was made) are refused by PostgreSQL; the message says so."""
    if connection.vendor != "postgresql":
        raise PartitionError(
            _("分区仅用于 PostgreSQL；SQLite 使用普通表。 Partitions exist on PostgreSQL only.")
        )
    if not is_partitioned(connection, spec.table):
        raise PartitionError(
            _("%(table)s 尚未按年分区（请先运行 shian migrate）。 %(table)s is not partitioned.")
            % {"table": spec.table}
        )
    if not 2000 <= year <= 2200:
        raise PartitionError(_("年份超出范围：%(year)s。 year out of range: %(year)s") % {"year": year})
    low, high = _bounds(spec, year)
    with connection.cursor() as cur:
        default = partition_name(spec, None)
        cur.execute(
            f'SELECT count(*) FROM "{default}" WHERE {spec.column} >= %s AND {spec.column} < %s',  # noqa: S608
            [low, high],
        )
        stray = cur.fetchone()[0]
        if stray:
            raise PartitionError(
                _(
                    "默认分区中已有 %(year)s 年的 %(stray)s 行记录，不能直接建立该年分区；请在维护窗口按 docs/scaling.md 处理。 the default partition already holds %(stray)s rows of %(year)s"
                )
                % {"year": year, "stray": stray}
            )
        return _create_partition(cur, spec, year)
