"""The page and API that show, for a result, which limit row applied and why: the food's place in
the standard's category tree, the row, its edition, clause and verification level."""

from __future__ import annotations

from django.urls import reverse

ASK = {
    "food": "铁棍山药",
    "category": "食用农产品-蔬菜",
    "item": "镉(以Cd计)",
    "result": "0.08mg/kg",
    "on": "2026-03-01",
}


def test_the_page_shows_the_row_its_path_and_why(client_for):
    response = client_for("district_officer").get(reverse("sampling:limit_explain"), ASK)
    html = response.content.decode()
    assert response.status_code == 200
    assert "判定：合格" in html and "≤0.1mg/kg" in html
    assert "块根和块茎蔬菜" in html  # the category path in GB 2762
    assert "食品名称「铁棍山药」→ 山药" in html  # how the food was placed
    assert "GB 2762-2022" in html and "V2" in html


def test_the_page_says_what_is_missing(client_for):
    ask = {**ASK, "item": "双炔酰菌胺"}  # not on file for any commodity
    html = client_for("district_officer").get(reverse("sampling:limit_explain"), ask).content.decode()
    assert "无法判定" in html and "未收录" in html


def test_a_bad_date_is_named(client_for):
    response = client_for("district_officer").get(reverse("sampling:limit_explain"), {**ASK, "on": "x"})
    assert response.status_code == 400 and "请输入有效日期" in response.content.decode()


def test_the_api_gives_the_same_answer(client_for):
    body = client_for("lab").get("/api/v1/sampling/limits/explain", ASK).json()
    assert body["verdict"] == "qualified" and body["limit_text"] == "≤0.1mg/kg"
    assert body["tree"] == "GB 2762" and "块根和块茎蔬菜" in body["category_path"]
    assert body["edition"] == "GB 2762-2022" and body["verification"] == "V2"
    assert "同值系假定" in body["note"]


def test_a_sample_item_links_to_its_explanation(client_for):
    html = client_for("district_officer").get(reverse("sampling:sample_list")).content.decode()
    assert reverse("sampling:limit_explain") in html
