"""Foreign keys checked once per statement on PostgreSQL, for the columns written in bulk.

Django makes every ForeignKey a deferred foreign-key constraint: at commit, PostgreSQL checks each
row written, one index probe and one key-share lock per row. A capture of 10,000 EPCIS events
writes about 100,000 such references (each event's business, town and capture, each new lot's
business and town, each lot link's lot, each edge's two lots), and their checks were most of the
commit. Here a reference named in a migration's list is kept instead by triggers that check a whole
statement's new rows at once (a transition table: one array of the distinct keys named, one index
scan of the referenced table), with the same rule and the same constraint name in the error, so
Django raises the same IntegrityError. The ORM's ForeignKey fields stay as they are (on_delete
runs in Python, as before), and SQLite keeps its real foreign keys: nothing here runs there.

The rule, and how each half is kept (docs/scaling.md §3):

- Rows written to the referring table (INSERT, COPY, UPDATE) must name existing rows: checked at
  the end of each statement, not at commit (a referenced row must be written before the rows
  naming it, which capture and the ORM both do). The rows named are locked FOR KEY SHARE, like
  PostgreSQL's own check: a concurrent transaction deleting one, or changing its key, waits for
  this one to end and then fails its own check; one that deleted it first makes this check fail.
  Rows this transaction wrote itself are not locked: no other can delete them or change their key
  before it ends (in a capture they are most of the rows named, its new lots and events).
- A referenced row deleted, or whose key changes, must at commit be named by no row (a deferred
  constraint trigger, as Django's key is deferred).
- A TRUNCATE of the referenced table must not leave a row naming nothing: checked after the
  truncation, so a TRUNCATE naming the referring table too (Django's flush) passes.

Read Committed (Django's default) is assumed, as for the references into partitioned tables:
under Repeatable Read the commit-time check of a delete reads the transaction's snapshot and
would not see rows committed meanwhile by others; PostgreSQL's own foreign keys cross-check
there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper


@dataclass(frozen=True)
class Reference:
    """`child.column` → `parent.key`, kept by statement triggers on PostgreSQL."""

    child: str
    column: str
    parent: str
    key: str = "id"

    @property
    def functions(self) -> tuple[str, str, str]:
        """The trigger functions: the check of new rows, of a referenced row's delete, of a TRUNCATE."""
        base = f"{self.child}_{self.column}"
        return f"{base}_fk_child", f"{base}_fk_parent", f"{base}_fk_truncate"


def django_name(connection: BaseDatabaseWrapper, ref: Reference) -> str:
    """The name Django gives the foreign key; the triggers standing for it take that name, so a
    violation names the same constraint as before."""
    editor: Any = connection.schema_editor()
    return str(editor._create_index_name(ref.child, [ref.column], suffix=f"_fk_{ref.parent}_{ref.key}"))


def reference_sql(ref: Reference, name: str, key_type: str, *, truncate: bool) -> list[str]:
    """The functions and triggers keeping `ref` (see the module's docstring). `key_type` is the
    SQL type of the referenced key. A partitioned referenced table (core.partitions) has its
    TRUNCATE guarded per partition, so `truncate` is off there."""
    child, column, parent, key = ref.child, ref.column, ref.parent, ref.key
    check, kept, truncated = ref.functions
    # Keys named close together (a capture's new events or lot nodes, their ids allocated in one
    # block) are found by one range scan of the key's index, each row in the range tested against
    # the keys by a hash: looked up one by one, each key costs an index descent in every partition
    # of a partitioned table, and with a few hundred thousand rows a partition the planner chose
    # to scan them all instead (0.4 s a statement of 10,000 keys over 3,000,000 events, against
    # 0.01 s; docs/scaling.md §3). EXECUTE plans the range query with the keys as a constant, which
    # is what lets the executor hash them. Text keys (the towns' codes) are looked up as before.
    dense = (
        f"""IF cardinality(wanted) >= 64 AND high - low < 4 * cardinality(wanted) THEN
        EXECUTE 'SELECT count(DISTINCT p."{key}") FILTER (WHERE p."{key}" = ANY ($1) AND p.xmin = $4), '
             || 'array_agg(DISTINCT p."{key}") FILTER (WHERE p."{key}" = ANY ($1) AND p.xmin <> $4) '
             || 'FROM "{parent}" p WHERE p."{key}" BETWEEN $2 AND $3'
            INTO held, others USING wanted, low, high, mine;
    ELSE
        """
        if key_type in ("bigint", "integer", "smallint")
        else ""
    )
    statements = [
        f"""CREATE OR REPLACE FUNCTION "{check}"() RETURNS trigger LANGUAGE plpgsql AS $f$
DECLARE
    wanted {key_type}[];
    low {key_type};
    high {key_type};
    mine xid := pg_current_xact_id()::xid;
    others {key_type}[];
    held bigint;
    locked bigint;
    missing {key_type};
BEGIN
    SELECT array_agg(DISTINCT "{column}"), min("{column}"), max("{column}") INTO wanted, low, high
        FROM new_rows WHERE "{column}" IS NOT NULL;
    IF wanted IS NULL THEN
        RETURN NULL;
    END IF;
    -- A row this transaction wrote itself (not in a savepoint) cannot be deleted or re-keyed by
    -- another before this one ends: it is invisible to the others, or row-locked by our own
    -- update. It is named without a lock, which would write the row and log it once more.
    {dense}SELECT count(DISTINCT p."{key}") FILTER (WHERE p.xmin = mine),
           array_agg(DISTINCT p."{key}") FILTER (WHERE p.xmin <> mine)
        INTO held, others FROM "{parent}" p WHERE p."{key}" = ANY (wanted);
    {"END IF;" if dense else ""}
    IF others IS NOT NULL THEN
        SELECT count(DISTINCT "{key}") INTO locked
            FROM (SELECT p."{key}" FROM "{parent}" p WHERE p."{key}" = ANY (others) FOR KEY SHARE OF p) l;
        held := held + locked;
    END IF;
    IF held >= cardinality(wanted) THEN
        RETURN NULL;
    END IF;
    SELECT w INTO missing FROM unnest(wanted) w
        WHERE NOT EXISTS (SELECT 1 FROM "{parent}" p WHERE p."{key}" = w) ORDER BY w LIMIT 1;
    RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
        MESSAGE = format('insert or update on table "%s" violates foreign key constraint "%s"', TG_TABLE_NAME, '{name}'),
        DETAIL = format('Key ({column})=(%s) is not present in table "{parent}".', missing);
END
$f$""",  # noqa: S608 - names from the migrations' lists
        f"""CREATE OR REPLACE FUNCTION "{kept}"() RETURNS trigger LANGUAGE plpgsql AS $f$
BEGIN
    IF EXISTS (SELECT 1 FROM "{parent}" WHERE "{key}" = OLD."{key}")
        OR NOT EXISTS (SELECT 1 FROM "{child}" WHERE "{column}" = OLD."{key}") THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
        MESSAGE = format('update or delete on table "%s" violates foreign key constraint "%s" on table "{child}"', TG_TABLE_NAME, TG_NAME),
        DETAIL = format('Key ({key})=(%s) is still referenced from table "{child}".', OLD."{key}");
END
$f$""",  # noqa: S608 - names from the migrations' lists
        # A trigger with a transition table has one event: one for INSERT (and COPY), one for UPDATE.
        f'CREATE TRIGGER "{name[:58]}_ins" AFTER INSERT ON "{child}" REFERENCING NEW TABLE AS new_rows '
        f'FOR EACH STATEMENT EXECUTE FUNCTION "{check}"()',
        f'CREATE TRIGGER "{name[:58]}_upd" AFTER UPDATE ON "{child}" REFERENCING NEW TABLE AS new_rows '
        f'FOR EACH STATEMENT EXECUTE FUNCTION "{check}"()',
        f'CREATE CONSTRAINT TRIGGER "{name}" AFTER DELETE OR UPDATE OF "{key}" ON "{parent}" '
        f'DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "{kept}"()',
    ]
    if truncate:
        statements += [
            f"""CREATE OR REPLACE FUNCTION "{truncated}"() RETURNS trigger LANGUAGE plpgsql AS $f$
BEGIN
    IF EXISTS (SELECT 1 FROM "{child}" c WHERE c."{column}" IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM "{parent}" p WHERE p."{key}" = c."{column}")) THEN
        RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
            MESSAGE = 'cannot truncate a table referenced in a foreign key constraint',
            DETAIL = format('Table "{child}" references "%s" (constraint "%s").', TG_TABLE_NAME, '{name}'),
            HINT = 'Truncate table "{child}" at the same time.';
    END IF;
    RETURN NULL;
END
$f$""",  # noqa: S608 - names from the migrations' lists
            f'CREATE TRIGGER "{name[:57]}_trunc" AFTER TRUNCATE ON "{parent}" '
            f'FOR EACH STATEMENT EXECUTE FUNCTION "{truncated}"()',
        ]
    return statements


def _key_type(cur: CursorWrapper, ref: Reference) -> str:
    cur.execute(
        "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = %s::regclass AND attname = %s",
        [ref.parent, ref.key],
    )
    return str(cur.fetchone()[0])


def _foreign_keys(cur: CursorWrapper, ref: Reference) -> list[str]:
    """The foreign-key constraints on `ref.child.column` into `ref.parent` (a partitioned child's
    own; its partitions' copies go with it)."""
    cur.execute(
        "SELECT c.conname FROM pg_constraint c JOIN pg_attribute a "
        "ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey) "
        "WHERE c.contype = 'f' AND c.conrelid = %s::regclass AND c.confrelid = %s::regclass "
        "AND a.attname = %s AND c.conparentid = 0",
        [ref.child, ref.parent, ref.column],
    )
    return [name for (name,) in cur.fetchall()]


def _partitions(cur: CursorWrapper, table: str) -> list[str]:
    cur.execute(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = %s::regclass ORDER BY c.relname",
        [table],
    )
    return [name for (name,) in cur.fetchall()]


def copy_checks_to_partition(cur: CursorWrapper, table: str, partition: str) -> None:
    """A statement trigger fires only for the table a statement names: the checks of a
    partitioned table's new rows are made on each partition too, for a statement naming one
    (a row written through the partitioned table is checked there, once)."""
    cur.execute(
        "SELECT t.tgname, pg_get_triggerdef(t.oid), n.nspname FROM pg_trigger t "
        "JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE t.tgrelid = %s::regclass AND NOT t.tgisinternal AND t.tgnewtable IS NOT NULL "
        "AND t.tgfoid::regproc::text LIKE %s",
        [table, "%\\_fk\\_child%"],
    )
    for name, definition, schema in cur.fetchall():
        cur.execute(f'DROP TRIGGER IF EXISTS "{name}" ON "{partition}"')
        # pg_get_triggerdef names the table schema-qualified, or not when it is on the search path.
        on = f" ON {schema}.{table} " if f" ON {schema}.{table} " in definition else f" ON {table} "
        cur.execute(definition.replace(on, f' ON "{partition}" ', 1))


def check_per_statement(connection: BaseDatabaseWrapper, refs: tuple[Reference, ...]) -> None:
    """Replace the foreign keys of `refs` by statement triggers (PostgreSQL only; the rows are
    checked once more here, so a dangling one stops the migration)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cur:
        for ref in refs:
            names = _foreign_keys(cur, ref) or [django_name(connection, ref)]
            cur.execute(
                f'SELECT c."{ref.column}" FROM "{ref.child}" c WHERE c."{ref.column}" IS NOT NULL '  # noqa: S608
                f'AND NOT EXISTS (SELECT 1 FROM "{ref.parent}" p WHERE p."{ref.key}" = c."{ref.column}") LIMIT 1'
            )
            dangling = cur.fetchone()
            if dangling is not None:
                raise ValueError(f"{ref.child}.{ref.column} = {dangling[0]} names no row of {ref.parent}")
            for name in names:
                cur.execute(f'ALTER TABLE "{ref.child}" DROP CONSTRAINT "{name}"')
            for statement in reference_sql(ref, names[0], _key_type(cur, ref), truncate=True):
                cur.execute(statement)
        for child in dict.fromkeys(ref.child for ref in refs):
            for partition in _partitions(cur, child):
                copy_checks_to_partition(cur, child, partition)


def refresh_checks(connection: BaseDatabaseWrapper, named: tuple[tuple[Reference, str], ...]) -> None:
    """The check functions of `named` (reference, constraint name) rewritten as `reference_sql`
    writes them now, where they exist (PostgreSQL; CREATE OR REPLACE keeps their triggers). For a
    migration after the check's body changes with the same rule."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cur:
        for ref, name in named:
            cur.execute("SELECT 1 FROM pg_proc WHERE proname = %s", [ref.functions[0]])
            if cur.fetchone() is None:
                continue
            cur.execute(reference_sql(ref, name, _key_type(cur, ref), truncate=False)[0])


def check_per_row(connection: BaseDatabaseWrapper, refs: tuple[Reference, ...]) -> None:
    """The reverse: Django's deferred foreign keys again, under Django's names."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cur:
        for ref in refs:
            functions = ", ".join(f'"{f}"()' for f in ref.functions)
            cur.execute(f"DROP FUNCTION IF EXISTS {functions} CASCADE")
            cur.execute(
                f'ALTER TABLE "{ref.child}" ADD CONSTRAINT "{django_name(connection, ref)}" '
                f'FOREIGN KEY ("{ref.column}") REFERENCES "{ref.parent}" ("{ref.key}") DEFERRABLE INITIALLY DEFERRED'
            )
