"""Records older than the rules' first edition: the page answers (limits of the first edition,
which its data says also govern earlier records), and a lookup with no edition names the date."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from shian.core.models import Role
from shian.core.tests.factories import TOWN_A, UserFactory
from shian.inspections import rules
from shian.inspections.models import Inspection, InspectionStatus
from shian.registry.tests.factories import make_business


def test_media_limits_before_their_first_edition_are_the_first_editions():
    first = rules.load_media_limits()[0]
    assert first.applies_before_valid_from
    assert rules.media_limits_in_force(dt.date(2021, 8, 24)) == first


def test_a_rule_without_an_earlier_edition_names_the_date():
    with pytest.raises(LookupError, match="2021-08-24 没有施行中的监督检查规则"):
        rules.rules_in_force(dt.date(2021, 8, 24))
    strict = [
        rules.load_media_limits()[0].__class__(
            **{**rules.load_media_limits()[0].__dict__, "applies_before_valid_from": False}
        )
    ]
    with pytest.raises(LookupError, match="2021-08-24"):
        rules.media_limits_in_force(dt.date(2021, 8, 24), strict)


@pytest.mark.django_db
@pytest.mark.parametrize("status", [InspectionStatus.SUBMITTED, InspectionStatus.DRAFT])
def test_an_inspection_of_2021_opens(status, client_for):
    business = make_business(name="果园新村甲餐厅", region_code=TOWN_A, business_type="catering")
    inspection = Inspection.objects.create(
        business=business,
        region_id=TOWN_A,
        inspected_on=dt.date(2021, 8, 24),
        checklist=rules.checklist_for("catering", dt.date(2022, 3, 15)).code,
        rules_edition="samr-49-2022.1",
        status=status,
        result="pass" if status == InspectionStatus.SUBMITTED else "",
        submitted_at=timezone.now() if status == InspectionStatus.SUBMITTED else None,
    )
    inspection.inspectors.set([UserFactory.create(username=f"old{n}", role=Role.INSPECTOR) for n in range(2)])
    r = client_for("district_officer").get(f"/inspections/{inspection.pk}/")
    assert r.status_code == 200
    assert client_for("district_officer").get(f"/inspections/{inspection.pk}/record.xlsx").status_code == 200
