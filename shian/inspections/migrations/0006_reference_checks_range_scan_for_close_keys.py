"""PostgreSQL: the checks of the references into the partitioned inspections (migration 0004)
find integer keys named close together by one range scan of the key's index, as trace migration
0007 makes them for the trace tables. The rule and the errors are the same, so the reverse leaves
the functions as they are."""

from importlib import import_module

from django.db import migrations

# Migration 0005's refresh: each check function rewritten as shian.core.references writes it now.
forward = import_module("shian.inspections.migrations.0005_reference_checks_lock_only_others_rows").forward


class Migration(migrations.Migration):
    dependencies = [("inspections", "0005_reference_checks_lock_only_others_rows")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
