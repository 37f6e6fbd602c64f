"""Every route and API operation, for every persona, against the objects of two towns.

The routes come from the URL resolver and the OpenAPI document, the checks from each app's
`tests/matrix.py` (see tests/route_matrix.py): a route nobody checks fails
`test_every_route_is_in_the_matrix`, and a wrong status fails `test_matrix` for that persona."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.apps import apps
from django.test import Client

from shian.core.tokens import api_token_create

from .route_matrix import (
    PERSONAS,
    Check,
    World,
    api_operation_of,
    api_operations,
    page_route_of,
    page_routes,
)


def _matrix_modules() -> list[Any]:
    modules = []
    for config in apps.get_app_configs():
        if not config.name.startswith("shian."):
            continue
        try:
            modules.append(importlib.import_module(f"{config.name}.tests.matrix"))
        except ModuleNotFoundError as exc:
            if exc.name not in (f"{config.name}.tests.matrix", f"{config.name}.tests"):
                raise
    return modules


def _build(personas: Any) -> tuple[World, list[Check]]:
    world = World()
    world.personas = personas
    modules = _matrix_modules()
    for module in modules:
        if hasattr(module, "build"):
            module.build(world)
    checks: list[Check] = []
    for module in modules:
        checks.extend(module.checks(world))
    return world, checks


def _key(check: Check, operations: set[tuple[str, str]]) -> str:
    if check.is_api and not check.url.startswith(("/api/v1/openapi.json", "/api/v1/docs")):
        op = api_operation_of(check.method, check.url, operations)
        assert op is not None, f"{check.method} {check.url} is not an operation of the API"
        return f"{op[0]} {op[1]}"
    return page_route_of(check.url)


@pytest.mark.django_db
def test_every_route_is_in_the_matrix(personas):
    _world, checks = _build(personas)
    operations = api_operations()
    covered = {_key(c, operations) for c in checks}
    wanted = page_routes() | {f"{m} {p}" for m, p in operations}
    for check in checks:
        missing = [p for p in PERSONAS if p not in check.expect]
        assert not missing, f"{check.method} {check.url}: no expectation for {missing}"
    uncovered = sorted(wanted - covered)
    assert not uncovered, "routes without a check in any app's tests/matrix.py:\n" + "\n".join(uncovered)


def _client(persona: str, personas: Any) -> tuple[Client, dict[str, str], Client]:
    """A logged-in page client, API headers with the persona's token, and a bare API client."""
    page = Client()
    if persona == "anonymous":
        return page, {}, Client()
    user = personas(persona)
    page.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    _, key = api_token_create(user=user, name="matrix")
    return page, {"HTTP_AUTHORIZATION": f"Bearer {key}"}, Client()


def _send(check: Check, page: Client, api_client: Client, headers: dict[str, str], world: World) -> int:
    data = check.data(world) if callable(check.data) else check.data
    as_json = check.json if check.json is not None else check.is_api
    client = api_client if check.is_api else page
    extra = {**(headers if check.is_api else {}), **check.headers}
    method = check.method.upper()
    if method == "GET":
        return client.get(check.url, data=data, **extra).status_code
    kwargs: dict[str, Any] = {}
    if data is not None:
        kwargs = {"data": data, "content_type": "application/json"} if as_json else {"data": data}
    return getattr(client, method.lower())(check.url, **kwargs, **extra).status_code


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_matrix(persona, personas):
    world, checks = _build(personas)
    page, headers, api_client = _client(persona, personas)
    wrong = {}
    for check in checks:
        got = _send(check, page, api_client, headers, world)
        if got != check.expect[persona]:
            wrong[f"{check.method} {check.url}{' (' + check.note + ')' if check.note else ''}"] = (
                got,
                check.expect[persona],
            )
    assert not wrong, f"{persona}: (got, expected) {wrong}"
