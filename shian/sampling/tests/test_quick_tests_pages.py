"""Quick-test pages and endpoints: the permission matrix over every persona (a town officer of
another town gets 404, exactly like a missing record), filters, the xlsx export opened with
openpyxl, the detail page's window and actions, the import page, and the API."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shian.core.tests.factories import PERSONAS, TOWN_A, TOWN_B
from shian.core.tokens import api_token_create
from shian.sampling import quicktests
from shian.sampling.models import QuickTest, Sample
from shian.sampling.tests.test_quick_tests import TESTED, TOLD, market_in, notified, record
from shian.sampling.tests.test_quick_tests_import import row, xlsx

pytestmark = pytest.mark.django_db

EVERYONE = dict.fromkeys(PERSONAS, 200)
LIST = {**EVERYONE, "anonymous": 302}
# A quick test at a market in town A: town B's officer and the education liaison (schools only)
# do not see it, nor does the lab (quick tests are the towns' work).
DETAIL = {**EVERYONE, "town_b_officer": 404, "education_liaison": 404, "lab": 404, "anonymous": 302}
MANAGE_PAGE = {**dict.fromkeys(PERSONAS, 403), "district_admin": 200, "district_officer": 200}
MANAGE_PAGE |= {"town_a_officer": 200, "town_b_officer": 200, "anonymous": 302}
ACTION = {**dict.fromkeys(PERSONAS, 403), "district_admin": 302, "district_officer": 302}
ACTION |= {
    "town_a_officer": 302,
    "town_b_officer": 404,
    "education_liaison": 404,
    "lab": 404,
    "anonymous": 302,
}


@pytest.fixture
def world(personas):
    officer = personas("district_officer")
    a = notified(officer, market_in(TOWN_A))
    b = record(officer, market_in(TOWN_B, "天穆镇农贸市场"), result="negative", reading="5%")
    return {"a": a, "b": b, "officer": officer}


@pytest.mark.parametrize("who", [*PERSONAS, "anonymous"])
def test_matrix(who, world, client_for):
    client = client_for(who)
    a = world["a"].pk
    got = {
        "list": client.get("/sampling/quick-tests/").status_code,
        "export": client.get("/sampling/quick-tests/export.xlsx").status_code,
        "detail": client.get(f"/sampling/quick-tests/{a}/").status_code,
        "missing": client.get("/sampling/quick-tests/999999/").status_code,
        "new": client.get("/sampling/quick-tests/new/").status_code,
        "import": client.get("/sampling/quick-tests/import/").status_code,
        # not confirmed yet: an allowed person is sent back to the page with the reason
        "followup": client.post(f"/sampling/quick-tests/{a}/followup/").status_code,
    }
    want = {
        "list": LIST[who],
        "export": LIST[who],
        "detail": DETAIL[who],
        "missing": 302 if who == "anonymous" else 404,
        "new": MANAGE_PAGE[who],
        "import": MANAGE_PAGE[who],
        "followup": ACTION[who],
    }
    assert got == want
    assert QuickTest.objects.get(pk=a).status == "notified" and not Sample.objects.exists()


def test_town_officer_sees_only_their_town(world, client_for):
    client = client_for("town_b_officer")
    body = client.get("/sampling/quick-tests/").content.decode()
    assert "天穆镇农贸市场" in body and "北辰区果园新村农贸市场" not in body
    book = openpyxl.load_workbook(io.BytesIO(client.get("/sampling/quick-tests/export.xlsx").content))
    markets = [r[3] for r in book.active.iter_rows(min_row=3, values_only=True)]
    assert markets == ["天穆镇农贸市场"]


def test_export_follows_the_filters_in_chinese(world, client_for):
    response = client_for("district_officer").get("/sampling/quick-tests/export.xlsx?result=positive")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "快检记录"
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    header, data = rows[0], rows[1:]
    assert header[:8] == (
        "序号",
        "检测时间",
        "镇街",
        "市场",
        "摊位/经营者",
        "产品名称",
        "检测项目",
        "检测结果",
    )
    assert len(data) == 1
    assert data[0][1] == "2022-05-03 07:40" and data[0][7] == "阳性"
    assert data[0][14] == "2022-05-03 12:00"  # the objection deadline, Beijing time


def test_filters_by_town_item_status_and_dates(world, client_for):
    client = client_for("district_officer")

    def count(query: str) -> int:
        return client.get(f"/sampling/quick-tests/?{query}").context["page"].paginator.count

    assert count("") == 2
    assert count(f"region={TOWN_B}") == 1
    assert count("status=notified") == 1
    assert count("item=clenbuterol") == 0
    assert count("date_from=2022-05-03&date_to=2022-05-03") == 2
    assert count("date_from=2022-05-04") == 0
    assert count(f"market={world['b'].business_id}") == 1
    assert count("q=张记") == 2


def test_list_page_queries_do_not_grow_with_rows(world, client_for):
    client = client_for("district_officer")
    client.get("/sampling/quick-tests/")
    with CaptureQueriesContext(connection) as few:
        client.get("/sampling/quick-tests/")
    officer = world["officer"]
    for n in range(6):
        record(officer, world["b"].business, result="negative", stall=f"C{n}")
    with CaptureQueriesContext(connection) as more:
        client.get("/sampling/quick-tests/")
    assert len(more) == len(few)


def test_detail_shows_the_window_and_its_actions(world, client_for):
    body = client_for("town_a_officer").get(f"/sampling/quick-tests/{world['a'].pk}/").content.decode()
    assert "2022-05-03 12:00" in body and "异议期" in body
    assert "暂停销售、下架封存" in body
    assert "异议期已届满，未提出异议" in body  # 2022 is long past
    assert "确认阳性" in body and "登记异议" not in body


def test_late_objection_through_the_page_says_why(personas, client_for):
    officer = personas("town_a_officer")
    qt = notified(officer, market_in(TOWN_A))
    response = client_for("town_a_officer").post(
        f"/sampling/quick-tests/{qt.pk}/objection/",
        {"reason": "不服", "filed_at": "2022-05-03T12:01"},
        follow=True,
    )
    text = response.content.decode()
    assert "异议期已过" in text and "2022-05-03 12:00" in text
    assert QuickTest.objects.get(pk=qt.pk).status == "notified"


def test_followup_through_the_page_links_the_sample(world, client_for):
    officer = world["officer"]
    quicktests.quick_test_confirm(
        actor=officer, source="web", quick_test=world["a"], at=TOLD + dt.timedelta(hours=5)
    )
    client = client_for("town_a_officer")
    client.post(f"/sampling/quick-tests/{world['a'].pk}/followup/")
    client.post(f"/sampling/quick-tests/{world['a'].pk}/followup/")
    qt = QuickTest.objects.select_related("followup_sample").get(pk=world["a"].pk)
    assert qt.status == "closed" and qt.followup_sample is not None
    body = client.get(f"/sampling/quick-tests/{qt.pk}/").content.decode()
    assert qt.followup_sample.code in body


def test_new_page_records_a_test(personas, client_for):
    market = market_in(TOWN_A)
    personas("town_a_officer")
    response = client_for("town_a_officer").post(
        "/sampling/quick-tests/new/",
        {
            "market": market.pk,
            "stall": "D01 赵记",
            "product": "豇豆",
            "item": "op_carbamate",
            "result": "negative",
            "reading": "80%",
            "tested_at": "2022-06-01T07:30",
        },
    )
    assert response.status_code == 200  # the reading says positive: the form comes back
    assert "应为“阳性”" in response.content.decode() and not QuickTest.objects.exists()


def test_import_page_reports_located_problems(personas, client_for):
    market_in(TOWN_A)
    personas("town_a_officer")
    upload = io.BytesIO(xlsx([row(**{"检测时间": "2022-05-03"})]))
    upload.name = "快检.xlsx"
    body = (
        client_for("town_a_officer").post("/sampling/quick-tests/import/", {"file": upload}).content.decode()
    )
    assert "文件未导入" in body and "缺少时刻" in body
    assert not QuickTest.objects.exists()


def _api(personas, who: str) -> dict[str, str]:
    _, key = api_token_create(user=personas(who), name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_api_list_detail_create_objection(world, personas, client):
    a = world["a"]
    town_b = _api(personas, "town_b_officer")
    assert [q["market"] for q in client.get("/api/v1/sampling/quick-tests", **town_b).json()] == [
        "天穆镇农贸市场"
    ]
    assert client.get(f"/api/v1/sampling/quick-tests/{a.pk}", **town_b).status_code == 404
    town_a = _api(personas, "town_a_officer")
    detail = client.get(f"/api/v1/sampling/quick-tests/{a.pk}", **town_a).json()
    assert detail["objection_deadline"].startswith("2022-05-03T04:00") and detail["measures"] == [
        "stop_sale",
        "seal",
    ]

    late = client.post(
        f"/api/v1/sampling/quick-tests/{a.pk}/objection",
        {"reason": "不服", "filed_at": "2022-05-03T12:01:00+08:00"},
        content_type="application/json",
        **town_a,
    )
    assert late.status_code == 422 and "异议期已过" in late.json()["detail"]["filed_at"][0]
    ok = client.post(
        f"/api/v1/sampling/quick-tests/{a.pk}/objection",
        {"reason": "不服", "filed_at": "2022-05-03T11:59:00+08:00"},
        content_type="application/json",
        **town_a,
    )
    assert ok.status_code == 200 and ok.json()["status"] == "objection"

    payload = {
        "market_id": a.business_id,
        "stall": "E01",
        "product": "草鱼",
        "item": "孔雀石绿",
        "result": "negative",
        "tested_at": "2022-06-01T07:30:00+08:00",
    }
    created = client.post("/api/v1/sampling/quick-tests", payload, content_type="application/json", **town_a)
    assert created.status_code == 201 and created.json()["item_code"] == "malachite_green"
    refused = client.post("/api/v1/sampling/quick-tests", payload, content_type="application/json", **town_b)
    assert refused.status_code == 422 and "不在您的辖区" in str(refused.json()["detail"])
    viewer = client.post(
        "/api/v1/sampling/quick-tests", payload, content_type="application/json", **_api(personas, "viewer")
    )
    assert viewer.status_code == 403
    assert TESTED.year == 2022
