"""PostgreSQL: the per-statement reference checks (migrations 0002 and 0003) lock only the rows
that other transactions wrote. A row this transaction wrote itself cannot be deleted or re-keyed
by another before it ends, and locking it FOR KEY SHARE wrote it once more and logged it: about
30,000 such writes in a 10,000-event capture, whose new lots and events are named by its lot
links and edges (docs/trace.md, "Capture: fourth pass"). The rule and the errors are the same, so
the reverse leaves the functions as they are; SQLite keeps its foreign keys."""

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
    dependencies = [("trace", "0004_lot_indexes_one_column")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
