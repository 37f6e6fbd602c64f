"""Who may be named as an inspector (第二十三条: at least two inspectors): people who record
inspections in the business's town or the district's, never a lab's or a viewer's account."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from shian.core.models import AuditSource, Region, Role
from shian.core.tests.factories import TOWN_A, TOWN_B, UserFactory
from shian.inspections import services
from shian.inspections.models import Inspection
from shian.registry.tests.factories import make_business

pytestmark = pytest.mark.django_db


def _create(business, people):
    return services.inspection_create(
        actor=None,
        source=AuditSource.SYSTEM,
        business=business,
        inspected_on=timezone.localdate(),
        inspectors=people,
    )


def test_a_lab_and_a_viewer_are_refused_as_inspectors(personas):
    business = make_business(name="果园新村甲餐厅", region_code=TOWN_A, business_type="catering")
    with pytest.raises(ValidationError) as err:
        _create(business, [personas("lab"), personas("viewer")])
    assert "inspectors" in err.value.message_dict
    assert not Inspection.objects.exists()


def test_another_towns_inspector_is_refused_the_districts_accepted(personas):
    business = make_business(name="果园新村甲餐厅", region_code=TOWN_A, business_type="catering")
    b_staff = UserFactory.create(username="b-insp", role=Role.INSPECTOR, region=Region.objects.get(pk=TOWN_B))
    with pytest.raises(ValidationError):
        _create(business, [personas("inspector"), b_staff])
    made = _create(business, [personas("inspector"), personas("town_a_inspector")])
    assert set(made.inspectors.values_list("username", flat=True)) == {"inspector", "town_a_inspector"}


def test_the_api_refuses_other_accounts_as_inspectors(personas, client_for):
    from shian.core.tokens import api_token_create

    business = make_business(name="果园新村甲餐厅", region_code=TOWN_A, business_type="catering")
    _, key = api_token_create(user=personas("inspector"), name="t")
    r = client_for("anonymous").post(
        "/api/v1/inspections/",
        {
            "business_id": business.pk,
            "inspected_on": timezone.localdate().isoformat(),
            "inspector_ids": [personas("lab").pk, personas("viewer").pk],
        },
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert r.status_code == 422
    assert not Inspection.objects.exists()
