"""PostgreSQL: inspections partitioned by year of `inspected_on` (docs/scaling.md §3); SQLite
keeps a plain table.

Inspections grow by every visit of every year and are read by period; one partition per year lets
an old year be archived whole and keeps each year's indexes small. `inspected_on` is the key: it
is required on every record, a draft included, and is the date every period query filters on.
The foreign keys into the table (a key into a partitioned table must name the date too) become
triggers that keep the same rules (core.partition_references)."""

from django.db import migrations
from django.utils import timezone

from shian.core.partition_references import Reference, partition_with_references, unpartition_with_references
from shian.core.partitions import INSPECTIONS

# Every foreign key into the inspection table at this migration.
REFERENCES = (
    Reference("inspections.Finding", "inspection"),
    Reference("inspections.Inspection_inspectors", "inspection"),
    Reference("inspections.Inspection", "corrects", one_to_one=True),
    Reference("inspections.Inspection", "follow_up_of"),
    Reference("inspections.Rectification", "follow_up"),
)


def forward(apps, schema_editor):
    partition_with_references(
        apps, schema_editor, INSPECTIONS, REFERENCES, until_year=timezone.localdate().year + 1
    )


def backward(apps, schema_editor):
    unpartition_with_references(apps, schema_editor, INSPECTIONS, REFERENCES)


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0003_indicator_indexes"),
        ("core", "0009_audit_partition_by_year"),
    ]

    operations = [migrations.RunPython(forward, backward)]
