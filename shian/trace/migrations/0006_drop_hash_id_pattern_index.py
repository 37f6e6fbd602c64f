"""PostgreSQL: the events' second index on the hash ID goes. Django gives a unique text column a
`varchar_pattern_ops` index beside its unique one, for LIKE 'prefix%' searches; nothing searches
hash IDs by prefix (capture, the EPCIS query and the pages compare them whole, which the unique
index (hash_id, event_time) serves). Every captured event wrote an 80-byte entry at a random place
in it: about 20 ms of the server's work in a 10,000-event capture (docs/trace.md, "Capture:
fourth pass"). The reverse makes it again; SQLite never had it."""

from django.db import migrations

TABLE = "trace_traceevent"
NAME = "trace_traceevent_hash_id_52c0b871_like"


def pattern_indexes(cursor) -> list[str]:
    """The varchar_pattern_ops indexes on the events' hash ID (the partitioned table's own)."""
    cursor.execute(
        "SELECT i.indexname FROM pg_indexes i WHERE i.tablename = %s AND i.schemaname = current_schema() "
        "AND i.indexdef LIKE %s",
        [TABLE, "%(hash_id varchar_pattern_ops)%"],
    )
    return [name for (name,) in cursor.fetchall()]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for name in pattern_indexes(cursor):
            cursor.execute(f'DROP INDEX "{name}"')  # its partitions' copies go with it


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        if not pattern_indexes(cursor):
            cursor.execute(f'CREATE INDEX "{NAME}" ON "{TABLE}" (hash_id varchar_pattern_ops)')


class Migration(migrations.Migration):
    dependencies = [("trace", "0005_reference_checks_lock_only_others_rows")]

    operations = [migrations.RunPython(forward, backward)]
