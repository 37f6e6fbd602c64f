"""Every edit of an existing row refuses a stale version (core.concurrency), generated from the routes.

An update route is a POST, PUT or PATCH whose path names an existing record (a path parameter
such as <int:pk> or {case_id}), from the URL resolver and the OpenAPI document as in
tests/test_route_matrix.py. For each one, the route matrix's own request that succeeds for some
persona is sent again by that persona with a version nobody read: a page answers 409 with the
conflict message, the API 409 with the current version, and nothing is written (no audit entry).
A new edit route without a version check fails here unless NOT_EDITS names it with its reason."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

from shian.core.concurrency import CONFLICT_MESSAGE
from shian.core.models import AuditEntry
from shian.core.tokens import api_token_create

from .route_matrix import PERSONAS, Check, api_operation_of, api_operations, page_route_of, page_routes
from .test_route_matrix import _build, _key

STALE = "0123456789abcdef"
WRITES = {"POST", "PUT", "PATCH"}
# A path parameter that names an existing record (not a year, a kind's slug or a file format).
_RECORD_PARAM = re.compile(r"<(?:int|str):(?:pk|\w+_pk|\w+_id|code)>|\{(?:pk|\w+_pk|\w+_id|code)\}")

# Routes that take a record's id but do not edit that record: they add a new row beside it (a
# photo, a note, a meal, an account), or their write cannot lose anyone's change.
NOT_EDITS: dict[str, str] = {
    "account/tokens/<int:token_id>/revoke/": "revoking a token is idempotent and changes nothing else",
    "registry/businesses/<int:pk>/edit/": "checked field by field by the register's own form (BusinessForm.version)",
    "risk/grades/<int:business_id>/events/": "adds a risk event to the business's ledger",
    "risk/targeting/<int:business_id>/notes/": "adds a targeting note",
    "schools/<int:pk>/meals/": "records a new accompanied meal",
    "schools/certificates/new/<int:business_pk>/": "records a new health certificate",
    "portal/rectifications/<int:pk>/": "the business files a new rectification report",
    "portal/accounts/new/<int:business_pk>/": "requests a new business account",
    "plan/<int:year>/targets/<int:target_id>/": "reports a new figure for the target",
    "trace/lots/<int:pk>/samples/": "opens new sample tasks for a lot",
    "ts/vote/<int:pk>/": "a member of the public casts a vote (a new row)",
    "sampling/<int:pk>/disposal/": "opens a new disposal task (the service refuses a second open one)",
    "POST /api/v1/businesses/{business_id}/events": "adds an event to the business's ledger",
    "PUT /api/v1/businesses/{business_id}": "checked field by field, version required (428 without)",
    "POST /api/v1/risk/targeting/{business_id}/notes": "adds a targeting note",
    "POST /api/v1/schools/{school_id}/meals": "records a new accompanied meal",
    "POST /api/v1/plans/targets/{target_id}/figures": "reports a new figure for the target",
    "POST /api/v1/portal/rectifications/{rectification_id}/reports": "the business files a new report",
    "POST /api/v1/inspections/{pk}/findings/{item_code}/photos": "adds a photo to a finding",
    "POST /api/v1/inspections/rectifications/{pk}/follow-up": "opens a new follow-up inspection",
}


# Edit pages that name their record in the form, not in the path (a list page with a form per row).
FORM_NAMED = {"plan/<int:year>/figures/", "plan/<int:year>/notices/"}


def update_routes() -> set[str]:
    pages = {r for r in page_routes() if _RECORD_PARAM.search(r)} | FORM_NAMED
    ops = {f"{m} {p}" for m, p in api_operations() if m in WRITES and _RECORD_PARAM.search(p)}
    return pages | ops


def _is_write(check: Check) -> bool:
    return check.method.upper() in WRITES


def _reaches_the_edit(code: int) -> bool:
    """The persona may edit the record: the request was carried out or refused on its merits (422)."""
    return code in (200, 201, 302, 303, 422)


def _clients(personas: Any, persona: str) -> tuple[Client, dict[str, str]]:
    """A logged-in page client and the persona's API headers (made before anything is counted)."""
    user = personas(persona)
    page = Client()
    page.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    _, key = api_token_create(user=user, name="versions")
    return page, {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def _stale_request(check: Check, world: Any, page: Client, auth: dict[str, str]) -> Any:
    client = Client()
    data = check.data(world) if callable(check.data) else check.data
    if check.is_api and check.json is not False:
        body = dict(data or {}) if isinstance(data, dict | type(None)) else data
        body["version"] = STALE
        return getattr(client, check.method.lower())(
            check.url,
            data=json.dumps(body),
            content_type="application/json",
            **auth,
            **check.headers,
        )
    form = dict(data or {})
    form["version"] = STALE
    if check.is_api:
        return getattr(client, check.method.lower())(check.url, data=form, **auth, **check.headers)
    return getattr(page, check.method.lower())(check.url, data=form, **check.headers)


@pytest.mark.django_db
def test_every_update_route_refuses_a_stale_version(personas):
    world, checks = _build(personas)
    operations = api_operations()
    wanted = update_routes() - set(NOT_EDITS)
    # An API operation declares its method; a page route is an edit when the matrix writes to it.
    unexercised = {k for k in wanted if " " in k}
    wrong: dict[str, Any] = {}
    clients: dict[str, tuple[Client, dict[str, str]]] = {}
    for check in checks:
        if not _is_write(check):
            continue
        key = _key(check, operations)
        if key not in wanted:
            continue
        persona = next((p for p in PERSONAS if p != "anonymous" and _reaches_the_edit(check.expect[p])), None)
        if persona is None:
            continue
        unexercised.discard(key)
        if persona not in clients:
            clients[persona] = _clients(personas, persona)
        before = AuditEntry.objects.count()
        response = _stale_request(check, world, *clients[persona])
        written = AuditEntry.objects.count() - before
        body = response.content.decode()
        refused = response.status_code == 409 and (
            "current_version" in body if check.is_api else CONFLICT_MESSAGE in body
        )
        if not refused or written:
            wrong[f"{check.method} {check.url} as {persona}"] = (response.status_code, written)
    assert not wrong, f"stale versions not refused (status, audit entries written): {wrong}"
    assert not unexercised, "update routes whose matrix has no request that succeeds:\n" + "\n".join(
        sorted(unexercised)
    )


def test_not_edits_names_only_real_routes():
    stale = set(NOT_EDITS) - update_routes()
    assert not stale, f"NOT_EDITS names routes that are gone: {sorted(stale)}"


def test_route_keys_resolve():
    """The page and API keys the two tests share are the route matrix's (page_route_of / OpenAPI)."""
    assert page_route_of("/sampling/1/status/") == "sampling/<int:pk>/status/"
    assert api_operation_of("POST", "/api/v1/sampling/samples/1/results", api_operations())
