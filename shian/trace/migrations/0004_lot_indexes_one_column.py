"""A lot's business and town indexes on the column alone (docs/trace.md, "Lot indexes").

The identifier in their key served no query (the lists and the recall page ask for a business's or
a town's lots in id order, which a one-column index gives, its entries ending with the row id) and
made each new lot's entries several times longer: 20,000 lots of a capture cost SQLite 0.20 s to
write with these instead of 0.25 s."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("trace", "0003_capture_references_per_statement")]

    operations = [
        migrations.RemoveIndex(model_name="lot", name="lot_business_idx"),
        migrations.RemoveIndex(model_name="lot", name="lot_region_idx"),
        migrations.AddIndex(
            model_name="lot", index=models.Index(fields=["business"], name="lot_business_idx")
        ),
        migrations.AddIndex(model_name="lot", index=models.Index(fields=["region"], name="lot_region_idx")),
    ]
