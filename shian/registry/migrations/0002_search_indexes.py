"""Indexes for searching the register at city scale on PostgreSQL: trigram GIN on the name (serves
`name LIKE '%…%'`) and pattern indexes on the codes (serve `code LIKE '…%'`). SQLite needs none:
its LIKE over one town's rows is already fast, and its code indexes serve prefix search under its
default case-sensitive comparison."""

from django.db import migrations

UP = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS business_name_trgm ON registry_business USING gin (name gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS business_uscc_pattern ON registry_business (credit_code varchar_pattern_ops)",
    "CREATE INDEX IF NOT EXISTS business_jy_pattern ON registry_business (business_licence varchar_pattern_ops)",
    "CREATE INDEX IF NOT EXISTS business_sc_pattern ON registry_business (production_licence varchar_pattern_ops)",
]
DOWN = [
    "DROP INDEX IF EXISTS business_name_trgm",
    "DROP INDEX IF EXISTS business_uscc_pattern",
    "DROP INDEX IF EXISTS business_jy_pattern",
    "DROP INDEX IF EXISTS business_sc_pattern",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]

    operations = [migrations.RunPython(_run(UP), _run(DOWN))]
