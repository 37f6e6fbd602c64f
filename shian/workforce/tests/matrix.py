"""Route matrix of the workforce module (tests/route_matrix.py): an inspector of the market
regulator in town A, a coordinator of town A's roster (the towns keep it), and a publicity event the
education bureau filed for town B. Town offices change their own town's roster and events, not a
member unit's; the education liaison changes its own event only; the lab has no such pages."""

from __future__ import annotations

import datetime as dt

from shian.core.models import Coordinator, Department, Region
from shian.workforce.models import Inspector, PublicityEvent
from tests.route_matrix import Check, World, api, rule

TOWN_A, TOWN_B = "120113001", "120113100"
READ = rule(200, lab=403, anonymous=302)
SEE_A = rule(200, town_b_officer=404, education_liaison=404, lab=403, anonymous=302)
CHANGE_A = rule(
    403, district_admin=302, district_officer=302, town_b_officer=404, education_liaison=404, anonymous=302
)
SEE_EDU_B = rule(200, town_a_officer=404, town_a_inspector=404, lab=403, anonymous=302)
CHANGE_EDU_B = rule(
    403,
    district_admin=302,
    district_officer=302,
    education_liaison=302,
    town_a_officer=404,
    town_a_inspector=404,
    anonymous=302,
)
INSPECTOR = {
    "cert_no": "MX-E1",
    "name": "张检查",
    "qualification": "junior",
    "cert_valid_until": "2025-06-30",
    "active": "true",
    "region": TOWN_A,
}
COORDINATOR = {
    "code": "MX-C1",
    "name": "王协管",
    "full_time": "true",
    "since": "2022-01-01",
    "region": TOWN_A,
}
EVENT = {
    "title": "食品安全进校园",
    "kind": "campus",
    "held_on": "2022-06-15",
    "reach": "800",
    "region": TOWN_B,
}


def build(world: World) -> None:
    town_a, town_b = Region.objects.get(pk=TOWN_A), Region.objects.get(pk=TOWN_B)
    world["inspector_a"] = Inspector.objects.create(
        cert_no="MX-E1",
        name="张检查",
        qualification="junior",
        cert_valid_until=dt.date(2025, 6, 30),
        region=town_a,
        department=Department.objects.get(pk="market"),
    ).pk
    world["coordinator_a"] = Coordinator.objects.create(
        code="MX-C1", name="王协管", region=town_a, since=dt.date(2022, 1, 1)
    ).pk
    world["event_edu_b"] = PublicityEvent.objects.create(
        title="食品安全进校园",
        kind="campus",
        held_on=dt.date(2022, 6, 15),
        reach=800,
        region=town_b,
        department=Department.objects.get(pk="education"),
    ).pk


def checks(world: World) -> list[Check]:
    i, c, e = world["inspector_a"], world["coordinator_a"], world["event_edu_b"]
    return [
        Check("GET", "/workforce/", READ),
        Check("GET", "/workforce/coordinators/", READ),
        Check("GET", "/workforce/inspector-hours/", READ),
        Check("GET", "/workforce/r/inspectors/", READ),
        Check("GET", "/workforce/r/inspectors/export.xlsx", READ),
        Check("GET", "/workforce/r/inspectors/template.xlsx", READ),
        Check(
            "GET",
            "/workforce/r/inspectors/new/",
            rule(403, district_admin=200, district_officer=200, anonymous=302),
        ),
        Check(
            "GET",
            "/workforce/r/publicity/import/",
            rule(
                403,
                district_admin=200,
                district_officer=200,
                town_a_officer=200,
                town_b_officer=200,
                education_liaison=200,
                anonymous=302,
            ),
        ),
        Check("GET", f"/workforce/r/inspectors/{i}/", SEE_A),
        Check("POST", f"/workforce/r/inspectors/{i}/", CHANGE_A, data={**INSPECTOR, "name": "张检查员"}),
        Check("GET", f"/workforce/r/coordinators/{c}/", SEE_A, note="the roster"),
        Check(
            "POST",
            f"/workforce/r/coordinators/{c}/",
            rule(
                403,
                district_admin=302,
                district_officer=302,
                town_a_officer=302,
                town_b_officer=404,
                education_liaison=404,
                anonymous=302,
            ),
            data={**COORDINATOR, "phone": "022-26391234"},
            note="town A keeps its roster",
        ),
        Check("GET", f"/workforce/r/publicity/{e}/", SEE_EDU_B, note="education's event"),
        Check(
            "POST",
            f"/workforce/r/publicity/{e}/",
            CHANGE_EDU_B,
            data={**EVENT, "reach": "900"},
            note="education's",
        ),
        Check("GET", "/api/v1/workforce/publicity/", api(READ)),
        Check("GET", f"/api/v1/workforce/publicity/{e}", api(SEE_EDU_B)),
        Check(
            "POST",
            "/api/v1/workforce/publicity/",
            api(
                rule(
                    403,
                    district_admin=201,
                    district_officer=201,
                    town_a_officer=201,
                    town_b_officer=422,
                    education_liaison=201,
                    anonymous=302,
                )
            ),
            data={**EVENT, "region": TOWN_A, "kind": "week", "title": "宣传周"},
        ),
        Check(
            "PUT",
            f"/api/v1/workforce/publicity/{e}",
            api(
                rule(
                    403,
                    district_admin=200,
                    district_officer=200,
                    education_liaison=200,
                    town_a_officer=404,
                    town_a_inspector=404,
                    anonymous=302,
                )
            ),
            data={**EVENT, "reach": 1000},
        ),
    ]
