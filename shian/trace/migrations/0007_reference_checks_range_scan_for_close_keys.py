"""PostgreSQL: the per-statement reference checks (migrations 0002 and 0003) find integer keys
named close together by one range scan of the key's index, each row tested against the keys by a
hash, instead of one index descent per key in every partition (docs/scaling.md §3). With a few
hundred thousand events a year the planner scanned every partition for a capture's lot links and
edges instead. The rule and the errors are the same, so the reverse leaves the functions as they
are; SQLite keeps its foreign keys."""

from importlib import import_module

from django.db import migrations

# Migration 0005's refresh: each check function rewritten as shian.core.references writes it now.
forward = import_module("shian.trace.migrations.0005_reference_checks_lock_only_others_rows").forward


class Migration(migrations.Migration):
    dependencies = [("trace", "0006_drop_hash_id_pattern_index")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
