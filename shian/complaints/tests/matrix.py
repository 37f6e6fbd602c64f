"""Route matrix of complaints and reports: pages, export, the public pages and the API
(tests/route_matrix.py). A complaint about town A's restaurant; the lab has no complaint pages (403);
the education liaison oversees school canteens only, so town A's restaurant is not theirs (404)."""

from __future__ import annotations

import datetime as dt

from shian.complaints import services, views
from shian.complaints.models import Channel, ListEntry, VoteOption, VoteRound
from shian.registry.models import Business
from tests.route_matrix import CHANGE, PUBLIC, VIEW, Check, World, api, rule

TOWN_A, TOWN_B = "120113001", "120113100"
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
# Acting on town A's complaint: its handlers; readers in scope 403; out of scope 404.
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
ROUTE_A = rule(
    403,
    district_admin=302,
    district_officer=302,
    town_b_officer=404,
    education_liaison=404,
    lab=404,
    anonymous=302,
)
DISTRICT_POST = rule(403, district_admin=302, district_officer=302, anonymous=302)
HANDLE_A = rule(
    403, district_admin=302, district_officer=302, town_a_officer=302, town_b_officer=404, anonymous=302
)
API_CREATE_A = rule(
    403, district_admin=201, district_officer=201, town_a_officer=201, town_b_officer=404, anonymous=401
)
API_ACT_A = rule(
    403,
    district_admin=200,
    district_officer=200,
    town_a_officer=200,
    town_b_officer=404,
    education_liaison=404,
    lab=404,
    anonymous=401,
)


def build(world: World) -> None:
    views.public_limits_reset("127.0.0.1")
    business = Business.objects.get(pk=world["business_a"])
    c = services.complaint_file(
        actor=None,
        source="web",
        kind="complaint",
        channel=Channel.PORTAL,
        received_on=dt.date(2022, 3, 1),
        business=business,
        business_name=business.name,
        facts="菜品中有异物，要求退款",
        request="退还餐费",
        person_name="王小明",
        person_phone="13812345678",
        person_address="北辰区果园新村街道测试路1号",
    )
    world["complaint_a"] = c.pk
    vote_round = VoteRound.objects.create(
        kind="pick",
        year=2022,
        title="2022年你点我检",
        opens_on=dt.date(2022, 1, 1),
        closes_on=dt.date(2099, 12, 31),
    )
    VoteOption.objects.create(round=vote_round, category_id="24", label="糕点")
    world["vote_round"] = vote_round.pk
    world["vote_option"] = vote_round.options.get().pk
    entry = ListEntry.objects.create(
        kind="black", business=business, region_id=TOWN_A, reason="矩阵测试", published_on=dt.date(2022, 6, 1)
    )
    world["list_entry_a"] = entry.pk
    world["complaint_a_code"] = c.code


def _public_form(world: World) -> dict:
    return {
        "kind": "report",
        "business_name": "无名小吃摊",
        "business_address": "北辰区果园新村街道测试路5号",
        "facts": "无证经营，后厨卫生差",
        "anonymous": "on",
    }


def checks(world: World) -> list[Check]:
    a = world["complaint_a"]
    return [
        Check("GET", "/complaints/", VIEW),
        Check("GET", "/complaints/?kind=complaint&open=1&overdue=2022-04-01", VIEW),
        Check("GET", "/complaints/?format=xlsx", VIEW),
        Check("GET", "/complaints/new/", CHANGE),
        Check("GET", "/complaints/import/", CHANGE),
        Check("GET", "/complaints/import/template.xlsx", CHANGE),
        Check("GET", f"/complaints/{a}/", SEE_A),
        Check("GET", "/complaints/999999/", rule(404, lab=403, anonymous=302)),
        Check("POST", f"/complaints/{a}/take/", ACT_A),
        Check("POST", f"/complaints/{a}/transition/", ACT_A, data={"to": "accepted", "on": "2022-03-03"}),
        Check("POST", f"/complaints/{a}/route/", ROUTE_A, data={"region_code": TOWN_B, "note": "地址有误"}),
        Check("POST", f"/complaints/{a}/reward/", ACT_A, data={"amount": "100"}),
        Check("GET", "/complaints/surveys/", VIEW),
        Check(
            "POST",
            "/complaints/surveys/",
            DISTRICT_POST,
            data={
                "year": 2022,
                "title": "2022年群众食品安全满意度调查",
                "conducted_from": "2022-10-01",
                "conducted_to": "2022-10-31",
                "method": "入户与电话",
                "results": f"{TOWN_A} 200 180\n{TOWN_B} 150 120",
            },
        ),
        Check("GET", "/complaints/votes/", VIEW),
        Check(
            "POST",
            "/complaints/votes/",
            DISTRICT_POST,
            data={
                "kind": "pick",
                "year": 2023,
                "title": "2023年你点我检",
                "opens_on": "2023-01-01",
                "closes_on": "2023-02-01",
                "categories": "24",
            },
        ),
        Check("POST", f"/complaints/votes/{world['vote_round']}/publish/", DISTRICT_POST),
        Check("GET", "/complaints/lists/", VIEW),
        Check(
            "POST",
            "/complaints/lists/",
            HANDLE_A,
            data=lambda w: {"business": w["business_a"], "kind": "red", "reason": "示范", "on": "2022-07-01"},
        ),
        Check(
            "POST",
            f"/complaints/lists/{world['list_entry_a']}/reply/",
            ACT_A,
            data={"text": "已整改", "on": "2022-06-05"},
        ),
        Check(
            "POST",
            f"/complaints/lists/{world['list_entry_a']}/answer/",
            ACT_A,
            data={"text": "维持", "on": "2022-06-09"},
        ),
        Check("GET", "/complaints/checks/", VIEW),
        Check(
            "POST",
            "/complaints/checks/",
            HANDLE_A,
            data=lambda w: {
                "region_code": TOWN_A,
                "held_on": "2022-05-20",
                "title": "随机查餐厅",
                "residents": 6,
                "visits": f"{w['business_a']} 后厨地面有积水",
            },
        ),
        Check("GET", "/ts/lists/", PUBLIC),
        Check("GET", f"/ts/vote/{world['vote_round']}/", PUBLIC),
        Check(
            "POST",
            f"/ts/vote/{world['vote_round']}/",
            PUBLIC,
            data=lambda w: {"option": w["vote_option"], "identity": "13800001111"},
        ),
        Check("GET", "/ts/", PUBLIC),
        Check("POST", "/ts/", PUBLIC, data=_public_form),
        Check("GET", "/ts/track/", PUBLIC),
        Check("GET", f"/ts/track/?code={world['complaint_a_code']}", PUBLIC),
        Check("GET", "/ts/track/?code=TSNOSUCHCODE00", rule(404, anonymous=404)),
        Check("GET", "/api/v1/complaints/", api(rule(200, lab=403))),
        Check("GET", f"/api/v1/complaints/{a}", api(SEE_A)),
        Check(
            "POST",
            "/api/v1/complaints/",
            API_CREATE_A,
            data=lambda w: {
                "kind": "complaint",
                "received_on": "2022-03-02",
                "business_id": w["business_a"],
                "facts": "饭菜变质",
                "request": "退款",
                "person_name": "李四",
                "person_phone": "13900001111",
                "person_address": "果园新村街道",
            },
        ),
        Check(
            "POST",
            f"/api/v1/complaints/{a}/transition",
            API_ACT_A,
            data={"to": "mediating", "on": "2022-03-04"},
            note="after the page accepted it",
        ),
    ]
