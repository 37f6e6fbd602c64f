"""PostgreSQL: inspections partitioned by year of `inspected_on` (docs/scaling.md §3); SQLite
keeps a plain table.

Inspections grow by every visit of every year and are read by period; one partition per year lets
an old year be archived whole and keeps each year's indexes small. `inspected_on` is the key: it
is required on every record, a draft included, and is the date every period query filters on.
The foreign keys into the table — findings, inspectors, corrections, follow-ups, rectification
follow-ups — become triggers keeping the same rule (shian.core.partitions._reference_sql). Two
more triggers are made here: the one-to-one `corrects` stays unique without the date, and a
TRUNCATE may not leave a reference to nothing."""

from django.db import migrations
from django.utils import timezone

from shian.core.partitions import INSPECTIONS, partition_by_year, unpartition

# At once, like Django's unique constraint; two corrections of one record made at the same moment
# take turns on that record's row lock, and the later one sees the earlier.
UNIQUE = """
CREATE OR REPLACE FUNCTION inspections_inspection_corrects_id_unique() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.corrects_id IS NULL THEN
        RETURN NULL;
    END IF;
    PERFORM 1 FROM inspections_inspection WHERE id = NEW.corrects_id FOR NO KEY UPDATE;
    IF EXISTS (
        SELECT 1 FROM inspections_inspection WHERE corrects_id = NEW.corrects_id AND id <> NEW.id
    ) THEN
        RAISE EXCEPTION 'duplicate key value violates unique constraint "inspections_inspection_corrects_id_key"'
            USING ERRCODE = 'unique_violation', CONSTRAINT = 'inspections_inspection_corrects_id_key',
            DETAIL = format('Key (corrects_id)=(%s) already exists.', NEW.corrects_id);
    END IF;
    RETURN NULL;
END $$;
"""

# After the truncation, so that a TRUNCATE naming the referring tables too (Django's flush) passes.
TRUNCATE = """
CREATE OR REPLACE FUNCTION inspections_inspection_truncate_check() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM inspections_finding c
               WHERE NOT EXISTS (SELECT 1 FROM inspections_inspection p WHERE p.id = c.inspection_id))
        OR EXISTS (SELECT 1 FROM inspections_inspection_inspectors c
               WHERE NOT EXISTS (SELECT 1 FROM inspections_inspection p WHERE p.id = c.inspection_id))
        OR EXISTS (SELECT 1 FROM inspections_rectification c WHERE c.follow_up_id IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM inspections_inspection p WHERE p.id = c.follow_up_id))
        OR EXISTS (SELECT 1 FROM inspections_inspection c
               WHERE (c.corrects_id IS NOT NULL
                      AND NOT EXISTS (SELECT 1 FROM inspections_inspection p WHERE p.id = c.corrects_id))
                  OR (c.follow_up_of_id IS NOT NULL
                      AND NOT EXISTS (SELECT 1 FROM inspections_inspection p WHERE p.id = c.follow_up_of_id)))
    THEN
        RAISE EXCEPTION 'cannot truncate a table referenced in a foreign key constraint'
            USING ERRCODE = 'foreign_key_violation',
            HINT = 'Truncate the findings, inspector links and rectifications at the same time.';
    END IF;
    RETURN NULL;
END $$;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(UNIQUE, params=None)
    schema_editor.execute(TRUNCATE, params=None)
    partition_by_year(schema_editor.connection, INSPECTIONS, until_year=timezone.localdate().year + 1)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    unpartition(schema_editor.connection, INSPECTIONS)
    # The plain table has Django's unique constraint and foreign keys again.
    schema_editor.execute("DROP FUNCTION IF EXISTS inspections_inspection_corrects_id_unique() CASCADE")
    schema_editor.execute("DROP FUNCTION IF EXISTS inspections_inspection_truncate_check() CASCADE")


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0003_indicator_indexes"),
        ("core", "0009_audit_partition_by_year"),
    ]

    operations = [migrations.RunPython(forward, backward)]
