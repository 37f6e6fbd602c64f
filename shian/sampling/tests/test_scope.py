"""One scoping rule in sampling: another town's market or sample answers like a missing one, by
no name; a quick test is recorded only at a market; lab results are audited item by item."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404
from django.utils import timezone

from shian.core.models import AuditEntry
from shian.core.tests.factories import TOWN_A, TOWN_B
from shian.core.tokens import api_token_create
from shian.registry.tests.factories import make_business
from shian.sampling import services
from shian.sampling.models import QuickTest
from shian.sampling.tests.helpers import delivered_sample, lab_for

pytestmark = pytest.mark.django_db


def _api(client_for, personas, who):
    _, key = api_token_create(user=personas(who), name="t")
    return client_for("anonymous"), {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def _payload(market_id: int) -> dict:
    return {
        "market_id": market_id,
        "stall": "5号摊",
        "product": "菠菜",
        "item": "有机磷和氨基甲酸酯类农药",
        "result": "negative",
        "tested_at": (timezone.now() - dt.timedelta(minutes=30)).isoformat(),
    }


def test_another_towns_market_id_answers_without_its_name(personas, client_for):
    market = make_business(name="果园新村秘密农贸市场", region_code=TOWN_A, business_type="agri_market")
    client, auth = _api(client_for, personas, "town_b_officer")
    r = client.post(
        "/api/v1/sampling/quick-tests", _payload(market.pk), content_type="application/json", **auth
    )
    assert r.status_code == 422
    assert "果园新村秘密农贸市场" not in r.content.decode()
    missing = client.post(
        "/api/v1/sampling/quick-tests", _payload(999_999), content_type="application/json", **auth
    )
    # "Not yours" reads exactly like "not found": same status, same words.
    assert missing.status_code == 422 and missing.json() == r.json()
    assert not QuickTest.objects.exists()


def test_a_quick_test_is_refused_at_a_business_that_is_not_a_market(personas, client_for):
    restaurant = make_business(name="果园新村甲餐厅", region_code=TOWN_A, business_type="catering")
    client, auth = _api(client_for, personas, "town_a_officer")
    r = client.post(
        "/api/v1/sampling/quick-tests", _payload(restaurant.pk), content_type="application/json", **auth
    )
    assert r.status_code == 422 and "market_id" in r.json()["detail"]
    assert not QuickTest.objects.exists()


def test_another_towns_sample_is_a_404_not_a_403(personas, client_for):
    sample = delivered_sample(officer=personas("district_officer"), lab=None, code="S-A-1", town=TOWN_A)
    with pytest.raises(Http404):
        services.sample_set_status(
            sample=sample, status="cancelled", by=personas("town_b_officer"), on=dt.date(2026, 3, 11)
        )
    # The town-B officer's page actions answer 404 as for a missing sample.
    assert client_for("town_b_officer").post(f"/sampling/{sample.pk}/disposal/").status_code == 404
    assert client_for("town_b_officer").get(f"/sampling/{sample.pk}/").status_code == 404


def test_a_sample_at_another_towns_business_is_refused(personas):
    b_shop = make_business(name="天穆镇副食店", region_code=TOWN_B, business_type="wholesale_retail")
    from shian.core.models import Region

    with pytest.raises(Http404):
        services.sample_create(
            by=personas("town_a_officer"),
            code="S-X-1",
            region=Region.objects.get(pk=TOWN_A),
            food_name="大米",
            business=b_shop,
        )


def test_lab_results_are_audited_item_by_item_in_the_same_transaction(personas):
    lab_user = personas("lab")
    lab = lab_for(lab_user)
    sample = delivered_sample(officer=personas("district_officer"), lab=lab, code="S-R-1", town=TOWN_A)
    before = AuditEntry.objects.count()
    services.sample_results_record(
        sample=sample,
        results=[("镉(以Cd计)", "0.32mg/kg"), ("铅(以Pb计)", "0.05mg/kg")],
        by=lab_user,
        on=dt.date(2026, 3, 20),
    )
    entry = AuditEntry.objects.get(object_type="sampling.results", object_id=str(sample.pk))
    items = {i["item"]: i for i in entry.after["test_items"]}
    assert set(items) == {"镉(以Cd计)", "铅(以Pb计)"}
    cd = items["镉(以Cd计)"]
    assert cd["result"] == "0.32mg/kg" and cd["verdict"] == "unqualified"
    assert cd["limit_text"] and cd["edition"]
    assert entry.after["conclusion"] == "unqualified" and entry.actor_username == lab_user.username
    assert AuditEntry.objects.count() > before + 1  # the status changes keep their own entries
