import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("sampling", "0007_test_item_region"),
    ]

    operations = [
        migrations.AlterField(
            model_name="testitem",
            name="region",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="core.region",
                verbose_name="town or street",
            ),
        ),
        migrations.AddIndex(
            model_name="testitem",
            index=models.Index(fields=["region", "verdict"], name="testitem_region_verdict_idx"),
        ),
    ]
