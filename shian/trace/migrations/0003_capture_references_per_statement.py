"""PostgreSQL: the references capture writes in bulk are checked once per statement
(shian.core.references), not row by row at commit; SQLite keeps its foreign keys.

A capture of 10,000 shipping events writes about 100,000 references of these columns (each
event's business, town and capture, each new lot's business and town, each lot link's lot, each
edge's two lots); their per-row checks were most of the commit (docs/trace.md, "Capture: the
references checked per statement"). The rule is the same — a row naming nothing is refused, a row
still named cannot be deleted, a TRUNCATE may not leave a row naming nothing — and so is the
constraint name in the error. The other references into these tables (recalls, samples,
cold-chain records) are written a row at a time and keep Django's foreign keys."""

from django.db import migrations

from shian.core.references import Reference, check_per_row, check_per_statement

REFERENCES = (
    Reference("trace_traceevent", "business_id", "registry_business"),
    Reference("trace_traceevent", "region_id", "core_region", key="code"),
    Reference("trace_traceevent", "capture_id", "trace_capture"),
    Reference("trace_lot", "business_id", "registry_business"),
    Reference("trace_lot", "region_id", "core_region", key="code"),
    Reference("trace_eventlot", "lot_id", "trace_lot"),
    Reference("trace_lotedge", "src_id", "trace_lot"),
    Reference("trace_lotedge", "dst_id", "trace_lot"),
)


def forward(apps, schema_editor):
    check_per_statement(schema_editor.connection, REFERENCES)


def backward(apps, schema_editor):
    check_per_row(schema_editor.connection, REFERENCES)


class Migration(migrations.Migration):
    dependencies = [("trace", "0002_traceevent_partition_by_year")]

    operations = [migrations.RunPython(forward, backward)]
