"""Route matrix of the sources module (tests/route_matrix.py): a producer of the agriculture
committee in town A. District staff change it; the town A office and the readers see it but may not
change it; town B's office and the education bureau's liaison do not see it (404); the lab has no
such pages (403)."""

from __future__ import annotations

from shian.core.models import Department, Region
from shian.sources.models import Producer
from tests.route_matrix import Check, World, api, rule

TOWN_A = "120113001"
READ = rule(200, lab=403, anonymous=302)
ADD = rule(403, district_admin=200, district_officer=200, anonymous=302)
SEE_A = rule(200, town_b_officer=404, education_liaison=404, lab=403, anonymous=302)
CHANGE_A = rule(
    403, district_admin=302, district_officer=302, town_b_officer=404, education_liaison=404, anonymous=302
)
PRODUCER = {
    "code": "MX-P1",
    "name": "果园新村蔬菜合作社",
    "kind": "cooperative",
    "products": "韭菜",
    "region": TOWN_A,
}


def build(world: World) -> None:
    p = Producer.objects.create(
        code="MX-P1",
        name="果园新村蔬菜合作社",
        kind="cooperative",
        products="韭菜",
        region=Region.objects.get(pk=TOWN_A),
        department=Department.objects.get(pk="agriculture"),
    )
    world["producer_a"] = p.pk


def checks(world: World) -> list[Check]:
    p = world["producer_a"]
    return [
        Check("GET", "/sources/", READ),
        Check("GET", "/sources/grain/", READ),
        Check("GET", "/sources/pesticides/?on=2022-06-01&substance=甲拌磷&product=韭菜", READ),
        Check("GET", "/sources/banned-hits/", READ),
        Check("GET", "/sources/r/producers/", READ),
        Check("GET", "/sources/r/producers/export.xlsx", READ),
        Check("GET", "/sources/r/producers/template.xlsx", READ),
        Check("GET", "/sources/r/producers/new/", ADD),
        Check("GET", "/sources/r/producers/import/", ADD),
        Check("GET", f"/sources/r/producers/{p}/", SEE_A),
        Check("POST", f"/sources/r/producers/{p}/", CHANGE_A, data={**PRODUCER, "name": "改名合作社"}),
        Check("GET", "/api/v1/sources/producers/", api(READ)),
        Check("GET", f"/api/v1/sources/producers/{p}", api(SEE_A)),
        Check(
            "POST",
            "/api/v1/sources/producers/",
            api(rule(403, district_admin=201, district_officer=201, anonymous=302)),
            data={**PRODUCER, "code": "MX-P2"},
        ),
        Check(
            "PUT",
            f"/api/v1/sources/producers/{p}",
            api(
                rule(
                    403,
                    district_admin=200,
                    district_officer=200,
                    town_b_officer=404,
                    education_liaison=404,
                    anonymous=302,
                )
            ),
            data={**PRODUCER, "name": "接口改名"},
        ),
        Check("GET", "/api/v1/sources/pesticides/status?substance=百草枯&on=2022-06-01", api(READ)),
    ]
