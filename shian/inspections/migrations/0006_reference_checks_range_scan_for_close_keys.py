"""PostgreSQL: the checks of the references into the partitioned inspections (migration 0004)
find integer keys named close together by one range scan of the key's index, as trace migration
0007 makes them for the trace tables. The rule and the errors are the same, so the reverse leaves
the functions as they are."""

from django.db import migrations

from shian.core.partitions import INSPECTIONS, reference_names
from shian.core.references import refresh_checks


def forward(apps, schema_editor):
    refresh_checks(schema_editor.connection, reference_names(schema_editor.connection, INSPECTIONS))


class Migration(migrations.Migration):
    dependencies = [("inspections", "0005_reference_checks_lock_only_others_rows")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
