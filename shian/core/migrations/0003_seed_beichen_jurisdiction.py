"""Load the default jurisdiction (Beichen District, Tianjin), its committee's member units and the
food categories of the sampling rules from the curated files in shian/core/data/."""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data"


def township_level(code):
    serial = int(code[6:9])
    if serial < 100:
        return "street"
    if serial < 200:
        return "town"
    if serial < 400:
        return "township"
    if serial < 500:
        return "zone"
    return "farm"


def load(apps, schema_editor):
    Region = apps.get_model("core", "Region")
    Department = apps.get_model("core", "Department")
    FoodCategory = apps.get_model("core", "FoodCategory")
    j = json.loads((DATA / "jurisdiction-beichen.json").read_text(encoding="utf-8"))
    d = j["district"]
    district, _ = Region.objects.update_or_create(
        code=d["code"],
        defaults={"name": d["name"], "level": "district", "population": d["population"],
                  "population_source": d["population_source"], "parent_id": None},
    )
    for code, name, population in j["townships"]:
        Region.objects.update_or_create(
            code=code,
            defaults={"name": name, "level": township_level(code), "parent": district, "population": population,
                      "population_is_estimate": True, "population_source": j["population_estimate_source"]},
        )
    deps = json.loads((DATA / "departments-beichen.json").read_text(encoding="utf-8"))["departments"]
    for order, (code, name, short, types) in enumerate(deps):
        Department.objects.update_or_create(
            code=code, defaults={"name": name, "short_name": short, "business_types": types, "sort_order": order}
        )
    cats = json.loads((DATA / "food-categories-2026.json").read_text(encoding="utf-8"))
    for order, (code, name) in enumerate(cats["categories"]):
        FoodCategory.objects.update_or_create(
            code=code, defaults={"name": name, "edition": cats["edition"], "sort_order": order}
        )


def unload(apps, schema_editor):
    apps.get_model("core", "FoodCategory").objects.all().delete()
    apps.get_model("core", "Department").objects.all().delete()
    Region = apps.get_model("core", "Region")
    Region.objects.exclude(parent=None).delete()
    Region.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0002_audit_append_only")]

    operations = [migrations.RunPython(load, unload)]
