"""The grain unit sends its records through the API: the same service and checks as the pages."""

from __future__ import annotations

import pytest
from django.test import Client

from shian.core.tokens import api_token_create
from shian.sources.models import GrainLot

from .helpers import TOWN_B, liaison

pytestmark = pytest.mark.django_db


def _api(user) -> tuple[Client, dict[str, str]]:
    _, key = api_token_create(user=user, name="t")
    return Client(), {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_grain_unit_posts_a_store_a_lot_and_a_rice_test():
    c, h = _api(liaison("grain"))
    r = c.post(
        "/api/v1/sources/grain-stores/",
        {"code": "S9", "name": "双街粮库", "capacity_tonnes": 40000, "region": TOWN_B},
        content_type="application/json",
        **h,
    )
    assert r.status_code == 201 and r.json()["department"] == "grain"
    lot = {
        "code": "L9",
        "store": "S9",
        "grain": "rice",
        "harvest_year": 2022,
        "tonnes": "5200.5",
        "received_on": "2022-10-08",
        "region": TOWN_B,
    }
    r = c.post("/api/v1/sources/grain-lots/", lot, content_type="application/json", **h)
    assert r.status_code == 201 and r.json()["store"] == "S9" and r.json()["tonnes"] == "5200.5"
    bad = {
        "lot": "L9",
        "direction": "intake",
        "lab": "检验站",
        "report_no": "R9",
        "tested_on": "2022-10-09",
        "region": TOWN_B,
    }
    r = c.post("/api/v1/sources/grain-tests/", bad, content_type="application/json", **h)
    assert r.status_code == 422 and "cadmium_mg_kg" in r.json()["detail"]
    r = c.get("/api/v1/sources/grain-lots/", {"region": TOWN_B}, **h)
    assert r.json()["count"] == 1 and GrainLot.objects.get().store.code == "S9"


def test_out_of_range_paging_and_unknown_kinds():
    c, h = _api(liaison("grain"))
    r = c.get("/api/v1/sources/grain-lots/", {"limit": 100000}, **h)
    assert r.status_code == 422 and "limit" in r.content.decode()
    assert c.get("/api/v1/sources/no-such-kind/", **h).status_code == 404
    assert c.get("/api/v1/sources/grain-lots/99999999999999999999999", **h).status_code in (404, 422)
    r = c.get("/api/v1/sources/pesticides/status", {"substance": "甲拌磷", "on": "2018-01-01"}, **h)
    assert r.status_code == 422 and "早于" in r.json()["detail"]["__all__"][0]
