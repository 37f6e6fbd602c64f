"""PostgreSQL: the audit log partitioned by year (docs/scaling.md §3); SQLite keeps a plain table.

The log grows without bound and is read by recent time; one partition per year lets an old year
be detached and archived whole and keeps each year's indexes small. Partitions are made up to the
year after the migration runs; `shian partitions ensure --year Y` makes later ones."""

from django.db import migrations
from django.utils import timezone

from shian.core.partitions import AUDIT, partition_by_year, unpartition


def forward(apps, schema_editor):
    partition_by_year(schema_editor.connection, AUDIT, until_year=timezone.localdate().year + 1)


def backward(apps, schema_editor):
    unpartition(schema_editor.connection, AUDIT)


class Migration(migrations.Migration):
    dependencies = [("core", "0008_merge_calendar_year")]

    operations = [migrations.RunPython(forward, backward)]
