"""Fast inserts for large batches (imports, demo generation): one prepared statement run with
executemany, instead of Django's bulk_create, which on SQLite is held to 999 parameters a
statement (about 60 rows of a wide table) and prepares every value through the field API.

Values are prepared the way the field would prepare them; only plain text, integer and boolean
columns skip that step. Primary keys are allocated up front so the caller knows them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import QuerySet

M = TypeVar("M", bound=models.Model)


def _preparer(field: Any, conn: Any) -> Callable[[Any], Any]:
    """How a value of `field` goes to the database, resolved once per column (the field API per
    value costs more than the insert itself at 100,000 rows)."""
    if isinstance(field, models.ForeignKey):
        return _preparer(field.target_field, conn)
    if isinstance(field, models.DateTimeField):
        last: list[Any] = [None, None]  # a batch usually stamps every row with one `now`

        def datetime_value(v: Any) -> Any:
            if v is None:
                return None
            if v is not last[0]:
                last[0], last[1] = v, conn.ops.adapt_datetimefield_value(v)
            return last[1]

        return datetime_value
    if isinstance(field, models.DateField):
        last_day: list[Any] = [None, None]  # a regrade stamps every row with one `on`

        def date_value(v: Any) -> Any:
            if v is None:
                return None
            if v is not last_day[0]:
                last_day[0], last_day[1] = v, conn.ops.adapt_datefield_value(v)
            return last_day[1]

        return date_value
    if isinstance(field, models.DecimalField):
        digits, places = field.max_digits, field.decimal_places
        return lambda v: None if v is None else conn.ops.adapt_decimalfield_value(v, digits, places)
    if isinstance(field, models.CharField | models.TextField | models.IntegerField | models.BooleanField):
        return _as_is
    return lambda v: field.get_db_prep_save(v, conn)


def _as_is(value: Any) -> Any:
    return value


def _prepared(rows: Sequence[Sequence[Any]], preparers: Sequence[Callable[[Any], Any]]) -> list[Any]:
    """The rows with each value prepared; columns that go as they are (text, integers, JSON text)
    are not touched, which at 300,000 rows is most of the cost saved."""
    work = [(i, prep) for i, prep in enumerate(preparers) if prep is not _as_is]
    if not work:
        return list(rows)
    out = []
    for row in rows:
        values = list(row)
        for i, prep in work:
            values[i] = prep(values[i])
        out.append(values)
    return out


def allocate_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` fresh primary keys for `model`. Must run inside the transaction that inserts them:
    on SQLite that transaction holds the database's write lock (BEGIN IMMEDIATE), so no one else
    can insert meanwhile; on PostgreSQL the keys come from the table's own sequence."""
    if count == 0:
        return []
    table = model._meta.db_table
    pk = str(model._meta.pk.column)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # The sequence is looked up once (a MATERIALIZED CTE: written inside nextval() the
            # look-up runs for every key, three quarters of the statement's time at 20,000 keys), and
            # the keys come back as one array rather than one row each.
            cur.execute(
                "WITH s AS MATERIALIZED (SELECT pg_get_serial_sequence(%s, %s)::regclass AS seq) "
                "SELECT array_agg(nextval(s.seq) ORDER BY n) FROM s, generate_series(1, %s) n",
                [table, pk, count],
            )
            return list(cur.fetchone()[0])
        quoted_pk, quoted_table = connection.ops.quote_name(pk), connection.ops.quote_name(table)
        # Names come from the model's own metadata, never from input.
        cur.execute(f"SELECT COALESCE(MAX({quoted_pk}), 0) FROM {quoted_table}")  # noqa: S608
        start = int(cur.fetchone()[0]) + 1
        return list(range(start, start + count))


def _columns(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Sequence[Sequence[Any]],
    json_text: Sequence[str],
    as_is: Sequence[str] = (),
    using: BaseDatabaseWrapper | None = None,
) -> tuple[list[str], list[Callable[[Any], Any]]]:
    """The quoted columns of `fields` and how each value is prepared. A JSON column named in
    `json_text` holds already-serialised text and goes as it is: PostgreSQL casts the text to jsonb
    itself, SQLite stores it (Django's JSONField reads both back alike). A column named in `as_is`
    holds values the caller already prepared for the database (see `insert_rows`)."""
    conn = using or connections[DEFAULT_DB_ALIAS]  # the real connection, not the per-call proxy
    concrete: list[Any] = [model._meta.get_field(name) for name in fields]
    preparers = [
        _as_is if name in json_text or name in as_is else _preparer(f, conn)
        for name, f in zip(fields, concrete, strict=True)
    ]
    if any(len(row) != len(preparers) for row in rows):
        raise ValueError(f"every row must have {len(preparers)} values")
    return [conn.ops.quote_name(str(f.column)) for f in concrete], preparers


def insert_rows(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    json_text: Sequence[str] = (),
    as_is: Sequence[str] = (),
    using: BaseDatabaseWrapper | None = None,
    binary: bool = False,
) -> int:
    """Insert `rows` (values in the order of `fields`, attribute names) into `model`'s table.
    Columns named in `json_text` hold JSON already serialised to text (None for SQL NULL).
    Columns named in `as_is` hold values already in the database's form (e.g. a datetime through
    `connection.ops.adapt_datetimefield_value` once per distinct value, or a Decimal already
    rounded to the field's places): a capture of 10,000 events repeats its times, and preparing
    each value again costs more than its insert. `using` is the connection (wrapper) to write on,
    for a writer thread sharing its caller's connection and transaction; by default this thread's.
    `binary` (PostgreSQL) sends the rows in COPY's binary format, each value by its column's type:
    for callers whose values are already of their column's Python type (int for integers, str for
    text, datetime, date, Decimal), as capture's are; half the client's time of the text format."""
    if not rows:
        return 0
    conn = using or connections[DEFAULT_DB_ALIAS]
    table = model._meta.db_table
    quoted, preparers = _columns(model, fields, rows, json_text, as_is, conn)
    columns = ", ".join(quoted)
    placeholders = ", ".join(["%s"] * len(quoted))
    sql = f"INSERT INTO {conn.ops.quote_name(table)} ({columns}) VALUES ({placeholders})"  # noqa: S608
    prepared = _prepared(rows, preparers)
    if conn.vendor == "postgresql":
        _copy(table, columns, prepared, conn, binary=binary)
        return len(prepared)
    with conn.cursor() as cur:
        for i in range(0, len(prepared), 5000):
            cur.executemany(sql, prepared[i : i + 5000])
    return len(prepared)


def _copy(
    table: str,
    columns: str,
    rows: Sequence[Sequence[Any]],
    using: BaseDatabaseWrapper | None = None,
    *,
    binary: bool = False,
) -> None:
    """PostgreSQL: the rows through COPY … FROM STDIN (psycopg writes each value in its text
    form and the server parses it by the column's type, JSON text included), several times
    faster than INSERT statements for a 100,000-row import. In the binary format (`binary`) each
    value is written by its column's type, read from the catalogue for this statement. Errors come
    out as Django's."""
    conn = using or connections[DEFAULT_DB_ALIAS]
    quoted = conn.ops.quote_name(table)
    with conn.wrap_database_errors, conn.cursor() as cur:
        if not binary:
            with cur.cursor.copy(f"COPY {quoted} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        # Each column's type, in the statement's column order (its names as Django quotes them).
        cur.execute(
            "SELECT attname, atttypid FROM pg_attribute "
            "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
            [quoted],
        )
        oids = dict(cur.fetchall())
        types = [oids[name.strip().strip('"')] for name in columns.split(",")]
        with cur.cursor.copy(f"COPY {quoted} ({columns}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(types)
            for row in rows:
                copy.write_row(row)


def upsert_rows(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    conflict: Sequence[str],
    json_text: Sequence[str] = (),
) -> int:
    """Insert `rows`, or update the existing row with the same `conflict` columns (INSERT … ON
    CONFLICT … DO UPDATE, on SQLite ≥ 3.24 and PostgreSQL alike): the regrade of a whole city writes
    every grade this way in one statement per 5,000 rows. Columns named in `json_text` hold JSON
    already serialised to text, as in `insert_rows`."""
    if not rows:
        return 0
    opts = model._meta
    q = connection.ops.quote_name
    columns, preparers = _columns(model, fields, rows, json_text)
    keys = [q(str(getattr(opts.get_field(name), "column", name))) for name in conflict]
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in keys)
    sql = (
        f"INSERT INTO {q(opts.db_table)} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))}) "  # noqa: S608
        f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {updates}"
    )
    if connection.vendor == "postgresql":
        # COPY into a temporary table of the same columns, then one INSERT … SELECT … ON CONFLICT:
        # INSERT statements one row at a time cost PostgreSQL several times more.
        staging_table = f"upsert_{opts.db_table}"
        staging = q(staging_table)
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(
                f"CREATE TEMPORARY TABLE {staging} ON COMMIT DROP AS "  # noqa: S608
                f"SELECT {', '.join(columns)} FROM {q(opts.db_table)} WITH NO DATA"
            )
            _copy(staging_table, ", ".join(columns), _prepared(rows, preparers))
            cur.execute(
                f"INSERT INTO {q(opts.db_table)} ({', '.join(columns)}) "  # noqa: S608
                f"SELECT {', '.join(columns)} FROM {staging} "
                f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {updates}"
            )
            cur.execute(f"DROP TABLE {staging}")
        return len(rows)
    with connection.cursor() as cur:
        for i in range(0, len(rows), 5000):
            cur.executemany(sql, _prepared(rows[i : i + 5000], preparers))
    return len(rows)


# SQLite allows 999 parameters per statement (older builds; newer allow 32,766): a lookup of
# every code of a 300,000-row file goes in slices well under the lowest limit.
IN_CHUNK = 900


def filter_in(qs: QuerySet[M], field: str, values: Iterable[Any], *, chunk: int = IN_CHUNK) -> Iterator[M]:
    """The rows of `qs` whose `field` is one of `values`, looked up `chunk` values per statement,
    so an import of any size never exceeds the database's variable limit."""
    ordered = sorted(set(values), key=str)
    for start in range(0, len(ordered), chunk):
        yield from qs.filter(**{f"{field}__in": ordered[start : start + chunk]})
