"""Load the full list of member units (the office, industry and finance were added) again; the
load is an idempotent update-or-create from shian/core/data/departments-beichen.json."""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data"


def load(apps, schema_editor):
    Department = apps.get_model("core", "Department")
    deps = json.loads((DATA / "departments-beichen.json").read_text(encoding="utf-8"))["departments"]
    for order, (code, name, short, types) in enumerate(deps):
        Department.objects.update_or_create(
            code=code, defaults={"name": name, "short_name": short, "business_types": types, "sort_order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("core", "0004_coordinator_roster")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
