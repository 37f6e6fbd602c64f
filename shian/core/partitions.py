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
- A foreign key into a partitioned table would need the whole key; the foreign keys into a table
  that other tables refer to are replaced by triggers (core.partition_references). Foreign keys
  out of the table and its check constraints are carried over to the new table.
- Row triggers defined on the parent are cloned to every partition (PostgreSQL 13+); a TRUNCATE
  trigger is a statement trigger and fires only for the table named, so it is created on each
  partition as well.

Years are calendar years in the platform's time zone (Asia/Shanghai, settings.TIME_ZONE): an
audit entry written at 2026-12-31 23:30 Beijing time belongs to 2026.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper
from django.utils.translation import gettext as _


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


AUDIT = YearlyTable(
    table="core_auditentry",
    column="at",
    column_type="timestamptz",
    unique=(("seq",),),
    # The guards of migration 0002: the audit log refuses UPDATE, DELETE and TRUNCATE.
    row_triggers=(("core_auditentry_no_change", "BEFORE UPDATE OR DELETE", "core_auditentry_append_only"),),
    truncate_trigger=("core_auditentry_no_truncate", "core_auditentry_append_only"),
)

INSPECTIONS = YearlyTable(
    table="inspections_inspection",
    column="inspected_on",
    column_type="date",
    # The one-to-one `corrects`: unique with the date here, and alone by a trigger
    # (core.partition_references), which also keeps the foreign keys into the table.
    unique=(("corrects_id",),),
    truncate_trigger=("inspections_inspection_ri_truncate", "inspections_inspection_ri_truncate"),
    truncate_timing="AFTER",
)

#: Every table partitioned by year, by table name.
YEARLY_TABLES: dict[str, YearlyTable] = {AUDIT.table: AUDIT, INSPECTIONS.table: INSPECTIONS}


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
    # Foreign keys out of the table (LIKE copies none), checked once over the copied rows.
    cur.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f'",
        [old],
    )
    for name, definition in cur.fetchall():
        cur.execute(f'ALTER TABLE "{spec.table}" ADD CONSTRAINT "{name}" {definition}')
    _resume_identity(cur, spec.table, old)
    cur.execute(f'DROP TABLE "{old}"' + (" CASCADE" if cascade else ""))
    _create_triggers(cur, spec)


_LIKE = "INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING IDENTITY INCLUDING GENERATED INCLUDING STORAGE INCLUDING COMMENTS"


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
        indexes = _set_aside(cur, spec, old)
        cur.execute(f'CREATE TABLE "{spec.table}" (LIKE "{old}" {_LIKE})')
        cur.execute(f'ALTER TABLE "{spec.table}" ADD CONSTRAINT "{spec.table}_pkey" PRIMARY KEY (id)')
        for columns in spec.unique:
            cur.execute(
                f'ALTER TABLE "{spec.table}" ADD CONSTRAINT "{spec.table}_{"_".join(columns)}_key" '
                f"UNIQUE ({', '.join(columns)})"
            )
        _fill_from(cur, spec, old, indexes, cascade=True)


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
