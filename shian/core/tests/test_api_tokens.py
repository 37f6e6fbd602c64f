"""API authentication with per-user tokens, and revocation."""

from __future__ import annotations

import pytest
from django.test import Client

from shian.core.models import ApiToken, AuditEntry
from shian.core.tokens import api_token_create, api_token_revoke
from shian.registry.tests.factories import make_business

pytestmark = pytest.mark.django_db


def _get(path: str, key: str | None = None):
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return Client().get(path, headers=headers)


def test_token_authenticates_and_is_stored_only_as_hash(personas):
    officer = personas("district_officer")
    token, key = api_token_create(user=officer, name="统计脚本")
    assert key not in {t.key_hash for t in ApiToken.objects.all()}
    assert _get("/api/v1/jurisdiction/regions", key).status_code == 200
    assert AuditEntry.objects.filter(object_type="core.apitoken", object_id=str(token.pk)).exists()


def test_revoked_token_is_refused(personas):
    officer = personas("district_officer")
    token, key = api_token_create(user=officer, name="临时")
    api_token_revoke(user=officer, token_id=token.pk)
    assert _get("/api/v1/jurisdiction/regions", key).status_code == 401


def test_token_of_inactive_user_is_refused(personas):
    officer = personas("district_officer")
    _, key = api_token_create(user=officer, name="x")
    officer.is_active = False
    officer.save()
    assert _get("/api/v1/jurisdiction/regions", key).status_code == 401


def test_wrong_or_missing_token_is_401():
    assert _get("/api/v1/businesses/").status_code == 401
    assert _get("/api/v1/businesses/", "shian_not-a-real-token").status_code == 401


def test_a_user_cannot_revoke_anothers_token(personas):
    token, _ = api_token_create(user=personas("town_a_officer"), name="a")
    from django.http import Http404

    with pytest.raises(Http404):
        api_token_revoke(user=personas("town_b_officer"), token_id=token.pk)


def test_token_user_is_scoped_like_in_pages(personas):
    a = make_business(name="果园新村甲店", region_code="120113001")
    b = make_business(name="天穆乙店", region_code="120113100")
    _, key = api_token_create(user=personas("town_a_officer"), name="a")
    body = _get("/api/v1/businesses/", key).json()
    assert [r["name"] for r in body["results"]] == ["果园新村甲店"]
    assert _get(f"/api/v1/businesses/{a.pk}", key).status_code == 200
    assert _get(f"/api/v1/businesses/{b.pk}", key).status_code == 404
    assert _get("/api/v1/businesses/999999", key).status_code == 404


def test_openapi_document_is_served():
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/businesses/" in paths and "/api/v1/jurisdiction/deadline" in paths


def test_deadline_endpoint_counts_working_days(personas):
    _, key = api_token_create(user=personas("viewer"), name="v")
    body = _get("/api/v1/jurisdiction/deadline?start=2022-09-30&working_days=5", key).json()
    assert body["due"] == "2022-10-12" and body["provisional"] is False
    assert _get("/api/v1/jurisdiction/deadline?start=2022-09-30&working_days=-1", key).status_code == 422
