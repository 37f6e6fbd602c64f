"""The pages the agriculture and grain units use: add a producer on its form, import a file with a
located error, export to Excel with Chinese headers, the pesticide list on a date, and the samples
that hit a banned pesticide."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.test import Client
from django.utils import translation

from shian.core.models import Region
from shian.sampling import models as sampling_models
from shian.sources.models import Producer

from .helpers import TOWN_A, TOWN_B, liaison, save

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    c = Client()
    c.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return c


def test_the_agriculture_liaison_adds_a_producer_on_its_form():
    agri = liaison("agriculture")
    c = _client(agri)
    page = c.get("/sources/r/producers/new/")
    assert "主体名称" in page.content.decode() and "统一社会信用代码" in page.content.decode()
    r = c.post(
        "/sources/r/producers/new/",
        {
            "code": "P-W1",
            "name": "双口镇绿野合作社",
            "kind": "cooperative",
            "products": "黄瓜",
            "active": "on",
            "region": TOWN_B,
        },
    )
    assert r.status_code == 302
    p = Producer.objects.get(code="P-W1")
    assert p.department_id == "agriculture"
    # A bad value is shown on the form, in Chinese, and nothing is written.
    r = c.post(
        "/sources/r/producers/new/",
        {"code": "P-W1", "name": "重复", "kind": "cooperative", "products": "x", "region": TOWN_B},
    )
    assert r.status_code == 200 and "已存在" in r.content.decode()


def test_list_export_has_chinese_headers_and_the_filtered_rows(django_assert_max_num_queries):
    agri = liaison("agriculture")
    for i in range(30):
        save(
            "producers",
            agri,
            code=f"P-{i:02d}",
            name=f"合作社{i}",
            kind="cooperative",
            products="菜",
            region=TOWN_A if i % 2 else TOWN_B,
        )
    c = _client(agri)
    with django_assert_max_num_queries(12):
        page = c.get("/sources/r/producers/", {"region": TOWN_A})
    assert page.status_code == 200 and "共 15 条" in page.content.decode()
    x = c.get("/sources/r/producers/export.xlsx", {"region": TOWN_A})
    ws = openpyxl.load_workbook(io.BytesIO(x.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[1][:3] == ("主体编号", "主体名称", "主体类型")
    assert len(rows) == 2 + 15 and rows[2][2] == "农民专业合作社" and rows[2][6] == "果园新村街道"


def test_an_import_with_a_bad_row_lists_it_and_writes_nothing():
    agri = liaison("agriculture")
    c = _client(agri)
    template = c.get("/sources/r/producers/template.xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(template.content))
    ws = wb.active
    ws.append(["P-I1", "天穆镇合作社", "农民专业合作社", "", "番茄", "是", "天穆镇"])
    ws.append(["P-I2", "天穆镇农户", "养殖户", "", "番茄", "是", "天穆镇"])
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "producers.xlsx"
    r = c.post("/sources/r/producers/import/", {"file": buf})
    html = r.content.decode()
    assert r.status_code == 400 and "未写入任何记录" in html and "养殖户" in html and "主体类型" in html
    assert not Producer.objects.exists()


def test_the_pesticide_page_answers_by_date_and_crop(personas):
    c = _client(personas("district_officer"))
    html = c.get(
        "/sources/pesticides/", {"on": "2022-06-01", "substance": "甲拌磷", "product": "韭菜"}
    ).content.decode()
    assert "在该产品上禁止使用" in html and "禁用农药（46种）" in html
    html = c.get("/sources/pesticides/", {"on": "2024-09-01"}).content.decode()
    assert "禁用农药（50种）" in html
    html = c.get("/sources/pesticides/", {"on": "2018-01-01"}).content.decode()
    assert "早于平台所载禁限用农药名录" in html


def test_banned_hits_list_an_unqualified_sample_of_a_banned_pesticide(personas):
    sample = sampling_models.Sample.objects.create(
        code="DC22-001",
        region=Region.objects.get(pk=TOWN_A),
        food_name="韭菜",
        sampled_on="2022-05-10",
        conclusion="unqualified",
    )
    sampling_models.TestItem.objects.create(
        sample=sample, region=sample.region, item="腐霉利", result="0.5", verdict="unqualified"
    )
    sampling_models.TestItem.objects.create(
        sample=sample, region=sample.region, item="甲拌磷", result="0.05", verdict="unqualified"
    )
    html = _client(personas("district_officer")).get("/sources/banned-hits/", {"year": 2022}).content.decode()
    assert "DC22-001" in html and "甲拌磷" in html and "该产品上限用" in html and "腐霉利" not in html
    api = _client(personas("district_officer")).get("/api/v1/sources/banned-hits", {"year": 2022}).json()
    assert [(h["code"], h["item"], h["status"]) for h in api] == [("DC22-001", "甲拌磷", "restricted")]
    # Town B's office does not see town A's sample.
    html = _client(personas("town_b_officer")).get("/sources/banned-hits/", {"year": 2022}).content.decode()
    assert "DC22-001" not in html


def test_the_pages_speak_english_when_chosen_and_files_stay_chinese(personas, settings):
    c = _client(personas("district_officer"))
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    try:
        html = c.get("/sources/grain/").content.decode()
        assert "Grain stores" in html and "Farm and grain" in html and "Workforce and publicity" in html
        template = c.get("/sources/r/producers/template.xlsx")
        ws = openpyxl.load_workbook(io.BytesIO(template.content)).active
        assert next(ws.iter_rows(min_row=2, max_row=2, values_only=True))[-1] == "镇街"
    finally:
        translation.activate(settings.LANGUAGE_CODE)
