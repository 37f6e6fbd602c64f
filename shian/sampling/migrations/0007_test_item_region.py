"""A test item carries its sample's town: added nullable and filled from the sample in one
UPDATE (a correlated subquery, the same SQL on SQLite and PostgreSQL). Made NOT NULL in 0008,
in its own transaction: PostgreSQL refuses to alter a table with deferred foreign-key checks
still pending from the UPDATE."""

import django.db.models.deletion
from django.db import migrations, models

BACKFILL = """
UPDATE sampling_testitem
   SET region_id = (SELECT s.region_id FROM sampling_sample s WHERE s.id = sampling_testitem.sample_id)
 WHERE region_id IS NULL
"""


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("sampling", "0006_test_item_declared_value"),
    ]

    operations = [
        migrations.AddField(
            model_name="testitem",
            name="region",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="core.region",
                verbose_name="town or street",
            ),
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
    ]
