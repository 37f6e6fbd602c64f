"""PostgreSQL: the checks of the references into the partitioned inspections (migration 0004)
lock only the rows that other transactions wrote, as trace migration 0005 makes them for the
trace tables: a row this transaction wrote itself cannot be deleted or re-keyed by another before
it ends. The rule and the errors are the same, so the reverse leaves the functions as they are."""

from django.db import migrations

from shian.core.partitions import INSPECTIONS, reference_names
from shian.core.references import refresh_checks


def forward(apps, schema_editor):
    refresh_checks(schema_editor.connection, reference_names(schema_editor.connection, INSPECTIONS))


class Migration(migrations.Migration):
    dependencies = [("inspections", "0004_inspection_partition_by_year")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
