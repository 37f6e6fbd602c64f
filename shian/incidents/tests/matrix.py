"""Route matrix of incidents and drills (tests/route_matrix.py): an incident at town A's restaurant;
the lab has no incident pages (403); the education liaison oversees school canteens only (404)."""

from __future__ import annotations

import datetime as dt

from shian.incidents import services
from shian.registry.models import Business
from tests.route_matrix import CHANGE, VIEW, Check, World, api, rule

TZ = dt.timezone(dt.timedelta(hours=8))
SEE_A = rule(
    404,
    district_admin=200,
    district_officer=200,
    town_a_officer=200,
    inspector=200,
    town_a_inspector=200,
    viewer=200,
    lab=403,
    anonymous=302,
)
ACT_A = rule(
    403,
    district_admin=302,
    district_officer=302,
    town_a_officer=302,
    town_b_officer=404,
    education_liaison=404,
    lab=404,
    anonymous=302,
)
DRILL_A = rule(
    403, district_admin=302, district_officer=302, town_a_officer=302, town_b_officer=404, anonymous=302
)
API_CREATE_A = rule(
    403, district_admin=201, district_officer=201, town_a_officer=201, town_b_officer=404, anonymous=401
)


def build(world: World) -> None:
    business = Business.objects.get(pk=world["business_a"])
    incident = services.incident_report(
        actor=world.personas("district_officer"),
        source="web",
        place="果园新村甲餐厅",
        business=business,
        onset_at=dt.datetime(2022, 6, 1, 12, 0, tzinfo=TZ),
        known_at=dt.datetime(2022, 6, 1, 20, 0, tzinfo=TZ),
        ill=12,
        hospitalised=3,
        suspected_food="凉拌菜",
    )
    world["incident_a"] = incident.pk


def checks(world: World) -> list[Check]:
    a = world["incident_a"]
    return [
        Check("GET", "/incidents/", VIEW),
        Check("GET", "/incidents/?open=1&format=xlsx", VIEW),
        Check("GET", "/incidents/new/", CHANGE),
        Check("GET", f"/incidents/{a}/", SEE_A),
        Check("GET", "/incidents/999999/", rule(404, lab=403, anonymous=302)),
        Check(
            "POST",
            f"/incidents/{a}/report/",
            ACT_A,
            data={"clock": "initial_report", "at": "2022-06-01 21:00"},
        ),
        Check(
            "POST",
            f"/incidents/{a}/update/",
            ACT_A,
            data={"at": "2022-06-02 09:00", "ill": 35, "hospitalised": 5, "deaths": 0},
        ),
        Check(
            "POST",
            f"/incidents/{a}/close/",
            ACT_A,
            data={"closed_on": "2022-06-20", "cause": "凉拌菜被沙门氏菌污染"},
        ),
        Check("GET", "/incidents/drills/", VIEW),
        Check(
            "POST",
            "/incidents/drills/",
            DRILL_A,
            data={
                "region_code": "120113001",
                "held_on": "2022-09-20",
                "title": "学校食堂食物中毒应急演练",
                "plan": "北辰区食品安全事故应急预案",
                "participants": 40,
            },
        ),
        Check("GET", "/api/v1/incidents/", api(rule(200, lab=403))),
        Check("GET", f"/api/v1/incidents/{a}", api(SEE_A)),
        Check(
            "POST",
            "/api/v1/incidents/",
            API_CREATE_A,
            data=lambda w: {
                "place": "果园新村甲餐厅",
                "business_id": w["business_a"],
                "onset_at": "2022-07-01T12:00:00+08:00",
                "known_at": "2022-07-01T18:00:00+08:00",
                "ill": 4,
            },
        ),
    ]
