"""Risk events move to the register's business-event ledger (registry.BusinessEvent), which every
evidence module writes and risk and credit read; existing rows are copied over, then the table goes."""

from django.db import migrations


def to_ledger(apps, schema_editor):
    RiskEvent = apps.get_model("risk", "RiskEvent")
    BusinessEvent = apps.get_model("registry", "BusinessEvent")
    BusinessEvent.objects.bulk_create(
        [
            BusinessEvent(
                business_id=e.business_id,
                region_id=e.region_id,
                kind=e.kind,
                occurred_on=e.occurred_on,
                note=e.note,
            )
            for e in RiskEvent.objects.all().iterator()
        ],
        batch_size=1000,
    )


def from_ledger(apps, schema_editor):
    RiskEvent = apps.get_model("risk", "RiskEvent")
    BusinessEvent = apps.get_model("registry", "BusinessEvent")
    risk_kinds = {
        "failed_supervisory_sample",
        "penalised_deliberate_violation",
        "bad_social_impact",
        "incident",
        "refused_recall",
        "obstructed_inspection",
    }
    RiskEvent.objects.bulk_create(
        [
            RiskEvent(
                business_id=e.business_id,
                region_id=e.region_id,
                kind=e.kind,
                occurred_on=e.occurred_on,
                note=e.note,
            )
            for e in BusinessEvent.objects.filter(kind__in=risk_kinds, voided_at__isnull=True).iterator()
        ],
        batch_size=1000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("risk", "0004_riskgrade_fillfactor"),
        ("registry", "0005_business_event_ledger"),
    ]

    operations = [
        migrations.RunPython(to_ledger, from_ledger),
        migrations.DeleteModel(name="RiskEvent"),
    ]
