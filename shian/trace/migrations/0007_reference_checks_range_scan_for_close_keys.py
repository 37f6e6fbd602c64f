"""PostgreSQL: the per-statement reference checks (migrations 0002 and 0003) find integer keys
named close together by one range scan of the key's index, each row tested against the keys by a
hash, instead of one index descent per key in every partition (docs/scaling.md §3). With a few
hundred thousand events a year the planner scanned every partition for a capture's lot links and
edges instead. The rule and the errors are the same, so the reverse leaves the functions as they
are; SQLite keeps its foreign keys."""

from importlib import import_module

from django.db import migrations

from shian.core.partitions import TRACE_EVENTS, reference_names
from shian.core.references import django_name, refresh_checks


def forward(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    module = import_module("shian.trace.migrations.0003_capture_references_per_statement")
    named = tuple((ref, django_name(connection, ref)) for ref in module.REFERENCES)
    refresh_checks(connection, named + reference_names(connection, TRACE_EVENTS))


class Migration(migrations.Migration):
    dependencies = [("trace", "0006_drop_hash_id_pattern_index")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
