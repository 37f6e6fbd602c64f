"""PostgreSQL: trace events partitioned by the year of their event time (docs/scaling.md §3);
SQLite keeps a plain table.

Events grow without bound and are read by time; one partition per year lets an old year be
detached and archived whole and keeps each year's indexes small. The key becomes (id, event_time)
and the hash ID unique with the event time (the hash covers it). The lot links and edges naming an
event keep their foreign key as constraint triggers (shian.core.partitions._reference_sql): a
foreign key into a partitioned table would have to name the whole key. Partitions are made up to
the year after the migration runs; `shian partitions ensure --year Y` makes later ones."""

from django.db import migrations
from django.utils import timezone

from shian.core.partitions import TRACE_EVENTS, partition_by_year, unpartition


def forward(apps, schema_editor):
    partition_by_year(schema_editor.connection, TRACE_EVENTS, until_year=timezone.localdate().year + 1)


def backward(apps, schema_editor):
    unpartition(schema_editor.connection, TRACE_EVENTS)


class Migration(migrations.Migration):
    dependencies = [("trace", "0001_events_lots_recalls_cold_chain")]

    operations = [migrations.RunPython(forward, backward)]
