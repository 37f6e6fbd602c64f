"""Foreign keys into a table partitioned by year, kept by triggers on PostgreSQL.

A foreign key into a partitioned table must name the whole key (`id` and the partition column),
and Django's `ForeignKey` names one column. Rather than carry the date into every referring table,
the partitioning migration replaces each single-column foreign key constraint that Django made
into the table by triggers enforcing the same rules, on PostgreSQL only: the models, the ORM and
SQLite are unchanged (docs/scaling.md §3).

What Django's constraint was, and what replaces it — Django declares no ON DELETE action in the
database (the ORM cascades and protects), so its constraint is `NO ACTION DEFERRABLE INITIALLY
DEFERRED`, and so are these:

- a referring row inserted or re-pointed must name an existing row (checked at commit, under a
  `FOR KEY SHARE` lock on that row, as PostgreSQL's own check does, so that a concurrent delete
  waits for this transaction or makes it fail);
- a referenced row deleted, or its `id` changed, must leave no referring row behind (checked at
  commit; a row moved to another year's partition by a change of its date is still there);
- a one-to-one reference stays unique without the partition column, checked at once with the
  referenced row locked so that two writers of the same link take turns;
- TRUNCATE of the table or of one partition must leave no referring row pointing at nothing
  (checked after the truncation, so that a TRUNCATE naming the referring tables too passes).

The checks read committed rows afresh at each statement, which is what READ COMMITTED (Django's
default, and the platform's) gives a PL/pgSQL function.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shian.core.partitions import PartitionError, YearlyTable, partition_by_year, unpartition


@dataclass(frozen=True)
class Reference:
    """A ForeignKey or OneToOneField into the partitioned table: `model` as "app.Model" (an
    automatic many-to-many table as "app.Model_field"), `field` the field's name."""

    model: str
    field: str
    one_to_one: bool = False


@dataclass(frozen=True)
class _Link:
    table: str
    column: str
    pk: str
    one_to_one: bool
    model: Any
    field: Any

    @property
    def name(self) -> str:
        """The stem of its functions' and triggers' names (PostgreSQL keeps 63 characters)."""
        name = f"{self.table}_{self.column}"
        if len(name) > 52:
            raise PartitionError(f"{name}: too long for the names of its triggers")
        return name


def _links(apps: Any, references: tuple[Reference, ...]) -> list[_Link]:
    out = []
    for ref in references:
        app_label, model_name = ref.model.split(".")
        model = apps.get_model(app_label, model_name)
        field = model._meta.get_field(ref.field)
        out.append(
            _Link(
                table=model._meta.db_table,
                column=field.column,
                pk=model._meta.pk.column,
                one_to_one=ref.one_to_one,
                model=model,
                field=field,
            )
        )
    return out


def _child_check(spec: YearlyTable, link: _Link) -> str:
    name = f"{link.name}_ri_child"
    return f"""
CREATE OR REPLACE FUNCTION "{name}"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Checked at commit: a row deleted or re-pointed since has its own check, or needs none.
    IF NEW."{link.column}" IS NULL OR NOT EXISTS (
        SELECT 1 FROM "{link.table}" WHERE "{link.pk}" = NEW."{link.pk}" AND "{link.column}" = NEW."{link.column}"
    ) THEN
        RETURN NULL;
    END IF;
    PERFORM 1 FROM "{spec.table}" WHERE id = NEW."{link.column}" FOR KEY SHARE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'insert or update on table "{link.table}" violates foreign key constraint "{name}"'
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = '{name}', TABLE = '{link.table}',
            DETAIL = format('Key ({link.column})=(%s) is not present in table "{spec.table}".', NEW."{link.column}");
    END IF;
    RETURN NULL;
END $$"""  # noqa: S608 - names from the models' metadata


def _parent_check(spec: YearlyTable, link: _Link) -> str:
    name = f"{link.name}_ri_parent"
    return f"""
CREATE OR REPLACE FUNCTION "{name}"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- A row whose date moved it to another year's partition is deleted there and still here.
    IF EXISTS (SELECT 1 FROM "{spec.table}" WHERE id = OLD.id) THEN
        RETURN NULL;
    END IF;
    IF EXISTS (SELECT 1 FROM "{link.table}" WHERE "{link.column}" = OLD.id) THEN
        RAISE EXCEPTION 'update or delete on table "{spec.table}" violates foreign key constraint "{name}" on table "{link.table}"'
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = '{name}', TABLE = '{spec.table}',
            DETAIL = format('Key (id)=(%s) is still referenced from table "{link.table}".', OLD.id);
    END IF;
    RETURN NULL;
END $$"""  # noqa: S608 - names from the models' metadata


def _unique_check(spec: YearlyTable, link: _Link) -> str:
    name = f"{link.name}_ri_unique"
    return f"""
CREATE OR REPLACE FUNCTION "{name}"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW."{link.column}" IS NULL THEN
        RETURN NULL;
    END IF;
    -- Two writers of the same link take turns on the referenced row; the later sees the earlier.
    PERFORM 1 FROM "{spec.table}" WHERE id = NEW."{link.column}" FOR NO KEY UPDATE;
    IF EXISTS (
        SELECT 1 FROM "{link.table}" WHERE "{link.column}" = NEW."{link.column}" AND "{link.pk}" <> NEW."{link.pk}"
    ) THEN
        RAISE EXCEPTION 'duplicate key value violates unique constraint "{name}"'
            USING ERRCODE = 'unique_violation', CONSTRAINT = '{name}', TABLE = '{link.table}',
            DETAIL = format('Key ({link.column})=(%s) already exists.', NEW."{link.column}");
    END IF;
    RETURN NULL;
END $$"""  # noqa: S608 - names from the models' metadata


def _truncate_check(spec: YearlyTable, links: list[_Link]) -> str:
    if spec.truncate_trigger is None:
        raise PartitionError(f"{spec.table}: no truncate trigger named")
    function = spec.truncate_trigger[1]
    checks = "\n".join(
        f"""    IF EXISTS (
        SELECT 1 FROM "{link.table}" c WHERE c."{link.column}" IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM "{spec.table}" p WHERE p.id = c."{link.column}")
    ) THEN
        RAISE EXCEPTION 'cannot truncate a table referenced in a foreign key constraint'
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = '{link.name}_ri_parent',
            DETAIL = 'Table "{link.table}" references "{spec.table}".',
            HINT = 'Truncate table "{link.table}" at the same time.';
    END IF;"""  # noqa: S608 - names from the models' metadata
        for link in links
    )
    return f"""
CREATE OR REPLACE FUNCTION "{function}"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
{checks}
    RETURN NULL;
END $$"""


def _create_triggers(cur: Any, spec: YearlyTable, links: list[_Link]) -> None:
    for link in links:
        child, parent = f"{link.name}_ri_child", f"{link.name}_ri_parent"
        cur.execute(
            f'CREATE CONSTRAINT TRIGGER "{child}" AFTER INSERT OR UPDATE OF "{link.column}" ON "{link.table}" '
            f'DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "{child}"()'
        )
        cur.execute(
            f'CREATE CONSTRAINT TRIGGER "{parent}" AFTER DELETE OR UPDATE OF id ON "{spec.table}" '
            f'DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "{parent}"()'
        )
        if link.one_to_one:
            unique = f"{link.name}_ri_unique"
            cur.execute(
                f'CREATE TRIGGER "{unique}" AFTER INSERT OR UPDATE OF "{link.column}" ON "{link.table}" '
                f'FOR EACH ROW EXECUTE FUNCTION "{unique}"()'
            )


def _drop_triggers(cur: Any, spec: YearlyTable, links: list[_Link]) -> None:
    for link in links:
        for suffix, table in (("child", link.table), ("parent", spec.table), ("unique", link.table)):
            cur.execute(f'DROP TRIGGER IF EXISTS "{link.name}_ri_{suffix}" ON "{table}"')


def _drop_functions(cur: Any, spec: YearlyTable, links: list[_Link]) -> None:
    for link in links:
        for suffix in ("child", "parent", "unique"):
            cur.execute(f'DROP FUNCTION IF EXISTS "{link.name}_ri_{suffix}"()')
    if spec.truncate_trigger is not None:
        cur.execute(f'DROP FUNCTION IF EXISTS "{spec.truncate_trigger[1]}"()')


def partition_with_references(
    apps: Any, schema_editor: Any, spec: YearlyTable, references: tuple[Reference, ...], *, until_year: int
) -> None:
    """Partition `spec.table` by year with the foreign keys into it (`references`, every one of
    them) replaced by triggers. PostgreSQL only; a partitioned table is left as it is."""
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    links = _links(apps, references)
    with connection.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_partitioned_table WHERE partrelid = %s::regclass", [spec.table])
        if cur.fetchone() is not None:
            return
        cur.execute(
            "SELECT conname, conrelid::regclass::text, a.attname FROM pg_constraint c "
            "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
            "WHERE c.contype = 'f' AND c.confrelid = %s::regclass",
            [spec.table],
        )
        found = cur.fetchall()
        declared = {(link.table, link.column) for link in links}
        unknown = [f"{table}.{column}" for _, table, column in found if (table, column) not in declared]
        if unknown:
            # A key dropped without its triggers would leave the table unguarded.
            raise PartitionError(f"{spec.table}: undeclared foreign keys into it: {', '.join(unknown)}")
        for name, table, _column in found:
            cur.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
        for link in links:
            cur.execute(_child_check(spec, link))
            cur.execute(_parent_check(spec, link))
            if link.one_to_one:
                cur.execute(_unique_check(spec, link))
        if spec.truncate_trigger is not None:
            cur.execute(_truncate_check(spec, links))
    partition_by_year(connection, spec, until_year=until_year)
    with connection.cursor() as cur:
        _create_triggers(cur, spec, links)


def unpartition_with_references(
    apps: Any, schema_editor: Any, spec: YearlyTable, references: tuple[Reference, ...]
) -> None:
    """The reverse: a plain table, and Django's own foreign key constraints into it again."""
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    links = _links(apps, references)
    with connection.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_partitioned_table WHERE partrelid = %s::regclass", [spec.table])
        if cur.fetchone() is None:
            return
        _drop_triggers(cur, spec, links)
    unpartition(connection, spec)
    with connection.cursor() as cur:
        if spec.truncate_trigger is not None:
            cur.execute(f'DROP TRIGGER IF EXISTS "{spec.truncate_trigger[0]}" ON "{spec.table}"')
        _drop_functions(cur, spec, links)
    for link in links:
        # Django's own statement, with the name it gave the constraint when it made the table.
        schema_editor.execute(
            schema_editor._create_fk_sql(link.model, link.field, "_fk_%(to_table)s_%(to_column)s")
        )
