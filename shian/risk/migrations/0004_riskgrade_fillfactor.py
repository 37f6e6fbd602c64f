"""PostgreSQL: risk grade pages half full, so the yearly regrade's update of every row can stay on
its page (a heap-only update, no index entries rewritten). SQLite has no such setting."""

from django.db import migrations


def half_full(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE risk_riskgrade SET (fillfactor = 50)")


def full(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE risk_riskgrade RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("risk", "0003_riskgrade_region_no_own_index")]

    operations = [migrations.RunPython(half_full, full)]
