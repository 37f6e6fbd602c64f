"""Two people editing the same business: the later save is refused with both values of each field
that differs, on the page and in the API; nothing of the earlier change is lost."""

from __future__ import annotations

import pytest

from shian.core.tests.factories import TOWN_A
from shian.core.tokens import api_token_create
from shian.registry.models import Business
from shian.registry.services import business_version
from shian.registry.tests.factories import make_business

pytestmark = pytest.mark.django_db


def _form(business: Business, **changes) -> dict:
    data = {
        "name": business.name,
        "credit_code": business.credit_code or "",
        "business_type": business.business_type,
        "scale": business.scale,
        "region_code": business.region_id,
        "address": business.address,
        "status": business.status,
        "categories": ["31"],
    }
    data.update(changes)
    return data


def test_the_later_form_is_refused_with_both_values(client_for):
    business = make_business(
        name="果园新村甲餐厅", region_code=TOWN_A, business_type="catering", categories=["31"]
    )
    first, second = client_for("district_officer"), client_for("town_a_officer")
    version = business_version(business)
    assert first.get(f"/registry/businesses/{business.pk}/edit/").content.decode().count(version) == 1
    r = first.post(
        f"/registry/businesses/{business.pk}/edit/", _form(business, address="新华路1号", version=version)
    )
    assert r.status_code == 302
    r = second.post(
        f"/registry/businesses/{business.pk}/edit/", _form(business, address="光明路2号", version=version)
    )
    page = r.content.decode()
    assert r.status_code == 200 and "已被他人修改" in page
    assert "新华路1号" in page and "光明路2号" in page  # the stored value and the one typed
    assert Business.objects.get(pk=business.pk).address == "新华路1号"
    # Submitting again is a deliberate overwrite: the form now carries the stored version.
    current = business_version(Business.objects.get(pk=business.pk))
    assert current in page
    r = second.post(
        f"/registry/businesses/{business.pk}/edit/", _form(business, address="光明路2号", version=current)
    )
    assert r.status_code == 302 and Business.objects.get(pk=business.pk).address == "光明路2号"


def test_the_api_answers_409_with_both_values_and_428_without_a_version(personas, client_for):
    business = make_business(
        name="果园新村甲餐厅", region_code=TOWN_A, business_type="catering", categories=["31"]
    )
    _, key = api_token_create(user=personas("district_officer"), name="t")
    client, auth = client_for("anonymous"), {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    read = client.get(f"/api/v1/businesses/{business.pk}", **auth).json()
    body = {
        k: read[k] for k in ("name", "credit_code", "business_type", "categories", "region_code", "address")
    }
    first = client.put(
        f"/api/v1/businesses/{business.pk}",
        {**body, "address": "新华路1号", "version": read["version"]},
        content_type="application/json",
        **auth,
    )
    assert first.status_code == 200
    late = client.put(
        f"/api/v1/businesses/{business.pk}",
        {**body, "address": "光明路2号", "version": read["version"]},
        content_type="application/json",
        **auth,
    )
    assert late.status_code == 409
    conflict = late.json()
    assert {"field": "address", "current": "新华路1号", "yours": "光明路2号"} in conflict["fields"]
    assert conflict["current_version"] == first.json()["version"]
    blind = client.put(f"/api/v1/businesses/{business.pk}", body, content_type="application/json", **auth)
    assert blind.status_code == 428
    assert Business.objects.get(pk=business.pk).address == "新华路1号"
