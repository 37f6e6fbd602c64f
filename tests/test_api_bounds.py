"""API parameters outside their range answer 422 naming the parameter, never 500."""

from __future__ import annotations

import pytest

from shian.core.tokens import api_token_create

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/inspections/?offset=-1",
        "/api/v1/inspections/?limit=-5",
        "/api/v1/inspections/rectifications/?offset=-3",
        "/api/v1/risk/grades?offset=-1",
        "/api/v1/risk/targeting?limit=0",
        "/api/v1/sampling/samples?limit=100000",
        "/api/v1/sampling/quick-tests?limit=-1",
        # An offset past any 64-bit integer: PostgreSQL refused it with a server error.
        "/api/v1/schools/?offset=218068327599991959846912",
        "/api/v1/inspections/?offset=99999999999999999999",
        "/api/v1/complaints/?offset=99999999999999999999",
        "/api/v1/incidents/?offset=99999999999999999999",
        "/api/v1/risk/grades?offset=99999999999999999999",
    ],
)
def test_negative_offsets_and_limits(url, personas, client_for):
    _, key = api_token_create(user=personas("district_officer"), name="t")
    r = client_for("anonymous").get(url, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert r.status_code == 422, r.content
    assert ("offset" in r.content.decode()) or ("limit" in r.content.decode())
