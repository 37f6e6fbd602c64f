"""Permission matrix of the risk and inspection pages and endpoints, for every persona."""

from __future__ import annotations

import datetime as dt

import pytest

from shian.core.models import AuditSource, Role
from shian.core.tests.factories import UserFactory
from shian.inspections import services as inspection_services
from shian.registry.tests.factories import make_business
from shian.risk import services

pytestmark = pytest.mark.django_db

P = [
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
]


def row(*codes: int) -> dict[str, int]:
    return dict(zip(P, codes, strict=True))


VIEW = row(200, 200, 200, 200, 200, 200, 200, 403, 200, 302)
EXPORT = row(200, 200, 200, 200, 200, 200, 200, 403, 200, 302)
# A record the lab cannot see is not found, as for anyone outside its scope (core.scoping).
SEE_A = row(200, 200, 200, 404, 404, 200, 200, 404, 200, 302)
PUBLIC = row(200, 200, 200, 200, 200, 200, 200, 200, 200, 200)
API_VIEW = row(200, 200, 200, 200, 200, 200, 200, 403, 200, 401)
API_SEE_A = row(200, 200, 200, 404, 404, 200, 200, 404, 200, 401)


@pytest.fixture
def world(personas):
    a = make_business(name="果园新村甲餐厅", region_code="120113001", business_type="catering")
    ins = [UserFactory.create(username=f"pm{i}", role=Role.INSPECTOR) for i in range(2)]
    services.risk_regrade_bulk(actor=None, source=AuditSource.SYSTEM, on=dt.date(2024, 12, 31))
    i = inspection_services.inspection_create(
        actor=None, source=AuditSource.SYSTEM, business=a, inspected_on=dt.date(2024, 5, 6), inspectors=ins
    )
    services.draw_create(
        actor=None,
        source=AuditSource.SYSTEM,
        code="d1",
        title="d1",
        seed=1,
        population=[(a.pk, "A")],
        ratios={"A": 1},
        inspectors=[u.pk for u in ins],
        on=dt.date(2024, 12, 31),
    )
    return {"a": a.pk, "i": i.pk}


PAGES = [
    ("/risk/grades/", VIEW),
    ("/risk/grades/export.xlsx", EXPORT),
    ("/risk/grades/{a}/", SEE_A),
    ("/risk/plan/2025/", VIEW),
    ("/risk/draws/", PUBLIC),
    ("/risk/draws/d1/", PUBLIC),
    ("/inspections/", VIEW),
    ("/inspections/export.xlsx", EXPORT),
    ("/inspections/{i}/", SEE_A),
    ("/api/v1/risk/grades", API_VIEW),
    ("/api/v1/risk/grades/mix", API_VIEW),
    ("/api/v1/risk/grades/{a}", API_SEE_A),
    ("/api/v1/risk/draws", PUBLIC),
    ("/api/v1/inspections/", API_VIEW),
    ("/api/v1/inspections/{i}", API_SEE_A),
]


@pytest.mark.parametrize("persona", P)
def test_pages_and_endpoints(persona, world, client_for):
    client = client_for(persona)
    got, want = {}, {}
    for path, expected in PAGES:
        url = path.format(**world)
        got[url] = client.get(url).status_code
        want[url] = expected[persona]
    assert got == want


@pytest.mark.parametrize(
    ("persona", "status"),
    # Town B's officer may not see town A's inspection: not found, before any capability.
    [("inspector", 200), ("district_officer", 200), ("viewer", 403), ("town_b_officer", 404)],
)
def test_submitting_answers_needs_the_record_capability(persona, status, world, client_for):
    r = client_for(persona).post(
        f"/api/v1/inspections/{world['i']}/answers",
        {"answers": {"C1": "pass"}},
        content_type="application/json",
    )
    assert r.status_code == status
