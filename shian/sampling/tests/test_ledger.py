"""An unqualified sample goes to the business-event ledger on judgment (register layer), once per
sample; a later judgment of the same sample as qualified voids the entry with its reason."""

from __future__ import annotations

import datetime as dt

import pytest

from shian.core.models import AuditEntry
from shian.core.tests.factories import TOWN_A
from shian.registry.models import BusinessEvent, BusinessEventKind
from shian.sampling import services
from shian.sampling.tests.helpers import business_in, delivered_sample, lab_for
from shian.sampling.workflow import SampleStatus as S

pytestmark = pytest.mark.django_db
JUDGED = dt.date(2026, 3, 20)


@pytest.fixture
def sample(personas):
    shop = business_in(TOWN_A, "果园粮油店")
    return delivered_sample(
        officer=personas("district_officer"),
        lab=lab_for(personas("lab")),
        code="BC2026-0101",
        town=TOWN_A,
        business=shop,
    )


def test_an_unqualified_sample_is_one_ledger_entry_of_its_business(sample, personas):
    lab = personas("lab")
    services.sample_results_record(sample=sample, results=[("镉(以Cd计)", "0.32mg/kg")], by=lab, on=JUDGED)
    event = BusinessEvent.objects.get(business_id=sample.business_id)
    assert (event.kind, event.occurred_on) == (BusinessEventKind.FAILED_SAMPLE, JUDGED)
    assert (event.origin_type, event.origin_id) == ("sampling.sample", str(sample.pk))
    assert "BC2026-0101" in event.note and "镉" in event.note
    assert AuditEntry.objects.filter(object_type="registry.businessevent", action="create").count() == 1


def test_a_qualified_sample_writes_nothing(personas):
    shop = business_in(TOWN_A, "果园面粉店")
    ok = delivered_sample(
        officer=personas("district_officer"),
        lab=lab_for(personas("lab")),
        code="BC2026-0102",
        town=TOWN_A,
        business=shop,
    )
    services.sample_results_record(
        sample=ok, results=[("镉(以Cd计)", "0.05mg/kg")], by=personas("lab"), on=JUDGED
    )
    assert not BusinessEvent.objects.filter(business=shop).exists()


def test_a_finding_that_does_not_stand_after_a_re_test_is_voided_not_deleted(sample, personas):
    officer = personas("district_officer")
    services.sample_results_record(
        sample=sample, results=[("镉(以Cd计)", "0.32mg/kg")], by=personas("lab"), on=JUDGED
    )
    for status, day in ((S.NOTIFIED, 23), (S.RETEST, 25), (S.CLOSED, 30)):
        services.sample_set_status(sample=sample, status=status, by=officer, on=dt.date(2026, 3, day))
    event = BusinessEvent.objects.get(business_id=sample.business_id)
    assert event.voided_at is not None and "复检" in event.void_reason
