"""The permission matrix, generated from the routes themselves (STYLE.md rule 11).

Every page route (the URL resolver) and every API operation (the OpenAPI document) must be
exercised by at least one `Check`, for every persona; `tests/test_route_matrix.py` enumerates the
routes, so a new route without a check fails the build. Each app declares its own checks beside
its tests, in `shian/<app>/tests/matrix.py`:

    def build(world: World) -> None:      # optional: make the objects the checks refer to
        world["sample_a"] = make_sample(...).pk

    def checks(world: World) -> list[Check]:
        return [
            Check("GET", f"/sampling/{world['sample_a']}/", SEE_A),
            Check("POST", f"/sampling/{world['sample_a']}/status/", EDIT_A_POST, data={...}),
        ]

`build` runs for every app in INSTALLED_APPS order (lowest layer first), so an app may use the
objects a lower app made (world["business_a"]). Each persona runs in its own test with its own
world, so a write made by one persona never changes what another sees.

The personas include a viewer attached to town A (`town_a_viewer`) and a food business's own
account (`business_a`, acting for the register's "business A" in town A): a check that does not
name them derives their expectations (town_a_viewer(), business_a()), so the rows written before
they joined stay right.

The rules the expectations encode (DESIGN: Cross-cutting rules): "not yours" and "does not exist"
both answer 404; 403 only for a page the role does not have, or a record the person can see but
may not change; anonymous visitors are sent to the login page (302) or get 401 from the API.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

PERSONAS: tuple[str, ...] = (
    "district_admin",
    "district_officer",
    "town_a_officer",
    "town_b_officer",
    "education_liaison",
    "inspector",
    "town_a_inspector",
    "lab",
    "viewer",
    "anonymous",
    "town_a_viewer",
    "business_a",
)


def town_a_viewer(expect: Mapping[str, int]) -> int:
    """What a viewer attached to town A gets when a row does not say: what town A's inspector gets
    where that is "not found" (town A's scope), else what a viewer gets (a viewer's rights)."""
    return expect["town_a_inspector"] if expect["town_a_inspector"] == 404 else expect["viewer"]


def business_a(expect: Mapping[str, int]) -> int:
    """What a business account gets when a row does not say. Like the lab it sees nothing of the
    register's regions, and it holds none of the staff's capabilities: where the lab gets a staff
    page (its sampling rights), the business gets 403; elsewhere what the lab gets (404 for a
    record, 403 for a page it lacks). Its own portal's routes name it."""
    return 403 if expect["lab"] == 200 else expect["lab"]


_DERIVED = ("town_a_viewer", "business_a")


def _derive(out: dict[str, int], named: set[str]) -> dict[str, int]:
    if "town_a_viewer" not in named:
        out["town_a_viewer"] = town_a_viewer(out)
    if "business_a" not in named:
        out["business_a"] = business_a(out)
    return out


def row(*codes: int) -> dict[str, int]:
    """Expected statuses in PERSONAS order. The personas that derive their answer (the town-attached
    viewer, the business account) may be left off the end: they are then derived."""
    assert len(PERSONAS) - len(_DERIVED) <= len(codes) <= len(PERSONAS), (
        f"{len(codes)} codes for {len(PERSONAS)} personas"
    )
    out = dict(zip(PERSONAS[: len(codes)], codes, strict=True))
    return _derive(out, set(PERSONAS[: len(codes)]))


def rule(default: int, **per_persona: int) -> dict[str, int]:
    """`default` for every persona not named; unknown names are an error. Prefer this to row() in
    a module's checks: a persona added later takes the default, which is usually the safe answer
    (403/404), and the module's author names only those who differ. The town-attached viewer and
    the business account, when not named, are derived (town_a_viewer(), business_a())."""
    unknown = set(per_persona) - set(PERSONAS)
    assert not unknown, f"unknown personas {sorted(unknown)}"
    out = {p: per_persona.get(p, default) for p in PERSONAS}
    return _derive(out, set(per_persona))


def same(code: int, *, anonymous: int = 302) -> dict[str, int]:
    """Every signed-in persona gets `code`; anonymous gets `anonymous` (302 to login, 401 in the API)."""
    return {p: (anonymous if p == "anonymous" else code) for p in PERSONAS}


# Rows used across apps. "A" is an object in town A (果园新村街道, a catering business's record),
# "school B" an object of a school canteen in town B (天穆镇): the education liaison oversees school
# canteens only, the lab the register not at all.
PUBLIC = same(200, anonymous=200)
ALL_200 = same(200)
VIEW = row(200, 200, 200, 200, 200, 200, 200, 403, 200, 302)
CHANGE = row(200, 200, 200, 200, 403, 403, 403, 403, 403, 302)
SEE_A = row(200, 200, 200, 404, 404, 200, 200, 404, 200, 302)
EDIT_A = row(200, 200, 200, 404, 404, 403, 403, 404, 403, 302)
SEE_SCHOOL_B = row(200, 200, 404, 200, 200, 200, 404, 404, 200, 302)
EDIT_SCHOOL_B = row(200, 200, 404, 200, 403, 403, 404, 404, 403, 302)
NOT_FOUND = same(404)


def api(expect: Mapping[str, int]) -> dict[str, int]:
    """The API's form of a page row: anonymous gets 401, not a redirect to the login page."""
    return {p: (401 if p == "anonymous" else code) for p, code in expect.items()}


@dataclass(frozen=True)
class Check:
    """One request and the status each persona must get.

    `data` is sent as form data for pages and as JSON for /api/ (or as given when `json` is
    False); a callable `data` is called with the world first. `expect` must name every persona."""

    method: str
    url: str
    expect: Mapping[str, int]
    data: Any = None
    json: bool | None = None  # None: JSON for /api/, form data for pages
    note: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def is_api(self) -> bool:
        return self.url.startswith("/api/")


class World(dict[str, Any]):
    """Objects made by the apps' `build` functions, by name, plus `personas(name) -> User`."""

    personas: Callable[[str], Any]


# Routes that need no check: Django's own admin (its permissions are Django's, staff only), the
# language switch and the OpenAPI viewer's static shell.
EXEMPT_PATTERNS = (
    re.compile(r"^admin/"),
    re.compile(r"^i18n/"),
)


def _walk(resolver: Any, prefix: str = "") -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for entry in resolver.url_patterns:
        pattern = prefix + str(entry.pattern)
        if hasattr(entry, "url_patterns"):
            out.extend(_walk(entry, pattern))
        else:
            out.append((pattern, entry.name or ""))
    return out


def page_routes() -> set[str]:
    """Every page route as its pattern text (without the API's, which the OpenAPI document lists)."""
    from django.urls import get_resolver

    routes = set()
    for pattern, _name in _walk(get_resolver()):
        if pattern.startswith("api/v1/") and pattern not in ("api/v1/openapi.json", "api/v1/docs"):
            continue
        if any(p.search(pattern) for p in EXEMPT_PATTERNS):
            continue
        routes.add(pattern)
    return routes


def api_operations() -> set[tuple[str, str]]:
    """Every API operation as (METHOD, OpenAPI path)."""
    from shian.api import api as ninja_api

    schema = ninja_api.get_openapi_schema()
    return {(method.upper(), path) for path, ops in schema["paths"].items() for method in ops}


def page_route_of(url: str) -> str:
    """The resolver pattern a URL resolves to (the key coverage is counted by)."""
    from django.urls import get_resolver

    path = url.split("?", 1)[0].lstrip("/")
    match = get_resolver().resolve("/" + path)
    return match.route


def api_operation_of(method: str, url: str, operations: set[tuple[str, str]]) -> tuple[str, str] | None:
    path = url.split("?", 1)[0]
    # A literal path (/grades/mix) wins over a parameter that would match it (/grades/{business_id}).
    for op_method, op_path in sorted(operations, key=lambda op: (op[1].count("{"), op)):
        if op_method != method.upper():
            continue
        regex = "^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(op_path)) + "$"
        if re.match(regex, path):
            return (op_method, op_path)
    return None
