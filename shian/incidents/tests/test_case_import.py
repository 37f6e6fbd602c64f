"""Hospital case reports imported all or nothing, linked to the incident at their business, and
suspected clusters found among the rest (食品安全法第一百零四条)."""

from __future__ import annotations

import datetime as dt

import pytest

from shian.core.xlsx import table_xlsx
from shian.incidents import imports, selectors, services
from shian.incidents.models import FoodborneCase
from shian.registry.tests.factories import make_business

pytestmark = pytest.mark.django_db
TODAY = dt.date(2022, 6, 10)
TZ = dt.timezone(dt.timedelta(hours=8))


def book(rows):
    return table_xlsx(title="病例报告", headers=imports.COLUMNS, rows=rows)


def test_cases_link_to_the_incident_and_the_rest_form_a_cluster(personas):
    officer = personas("district_officer")
    shop = make_business(name="天穆镇某餐厅", region_code="120113100", business_type="catering")
    incident = services.incident_report(
        actor=officer,
        source="web",
        place=shop.name,
        business=shop,
        onset_at=dt.datetime(2022, 6, 1, 12, tzinfo=TZ),
        known_at=dt.datetime(2022, 6, 1, 18, tzinfo=TZ),
        ill=3,
    )
    rows = [
        ["SY1", "北辰医院", "2022-06-02", 30, "女", "腹泻", "凉菜", shop.name, "天穆镇", shop.credit_code],
        ["SY2", "北辰医院", "2022-06-05", 8, "男", "呕吐", "蛋糕", "某蛋糕店", "天穆镇", ""],
        ["SY3", "区中医医院", "2022-06-07", 9, "男", "呕吐", "蛋糕", "某蛋糕店", "120113100", ""],
    ]
    done = imports.cases_import(actor=officer, content=book(rows), today=TODAY)
    assert [c.incident_id for c in done] == [incident.pk, None, None]
    assert selectors.suspected_clusters(officer, since=dt.date(2022, 6, 1)) == [
        ("某蛋糕店", dt.date(2022, 6, 5), 2)
    ]


def test_a_bad_row_writes_nothing_and_is_located(personas):
    rows = [
        ["SY1", "北辰医院", "2022-06-02", 30, "女", "", "", "某店", "天穆镇", ""],
        ["SY1", "北辰医院", "2022-13-02", 300, "未知", "", "", "某店", "火星镇", ""],
    ]
    with pytest.raises(imports.ImportRejected) as exc:
        imports.cases_import(actor=personas("district_officer"), content=book(rows), today=TODAY)
    assert {(i.row, i.column) for i in exc.value.issues} == {
        (4, "报告卡编号"),
        (4, "发病日期"),
        (4, "镇街"),
        (4, "年龄"),
        (4, "性别"),
    }
    assert not FoodborneCase.objects.exists()
    with pytest.raises(imports.ImportRejected) as exc:
        imports.cases_import(actor=personas("town_a_officer"), content=book(rows[:1]), today=TODAY)
    assert exc.value.issues[0].reason == "不在您的辖区"


def test_the_case_list_filters_pages_and_exports_as_filtered(personas, client_for):
    """Three reports in 天穆镇 (one linked to the incident at its restaurant) and one in 果园新村街道:
    filtered by text, town, onset dates and link, and exported as filtered."""
    import io

    import openpyxl

    officer = personas("district_officer")
    shop = make_business(name="天穆镇某餐厅", region_code="120113100", business_type="catering")
    incident = services.incident_report(
        actor=officer,
        source="web",
        place=shop.name,
        business=shop,
        onset_at=dt.datetime(2022, 6, 1, 12, tzinfo=TZ),
        known_at=dt.datetime(2022, 6, 1, 18, tzinfo=TZ),
        ill=3,
    )
    rows = [
        ["SY1", "北辰医院", "2022-06-02", 30, "女", "腹泻", "凉菜", shop.name, "天穆镇", shop.credit_code],
        ["SY2", "北辰医院", "2022-06-05", 8, "男", "呕吐", "蛋糕", "某蛋糕店", "天穆镇", ""],
        ["SY3", "区中医医院", "2022-06-07", 9, "男", "呕吐", "蛋糕", "某蛋糕店", "120113100", ""],
        ["SY4", "区中医医院", "2022-05-20", 60, "女", "腹痛", "海鲜", "某酒楼", "果园新村街道", ""],
    ]
    imports.cases_import(actor=officer, content=book(rows), today=TODAY)
    client = client_for("district_officer")

    def reports(query: str) -> list[str]:
        page = client.get(f"/incidents/cases/?{query}").content.decode()
        return [r for r in ("SY1", "SY2", "SY3", "SY4") if f">{r}<" in page]

    assert reports("") == ["SY1", "SY2", "SY3", "SY4"]
    assert reports("q=蛋糕") == ["SY2", "SY3"]
    assert reports("region=120113100") == ["SY1", "SY2", "SY3"]
    assert reports("start=2022-06-03&end=2022-06-06") == ["SY2"]
    assert reports("linked=yes") == ["SY1"]
    assert reports("linked=no&q=中医") == ["SY3", "SY4"]
    assert reports("start=not-a-date&linked=maybe") == ["SY1", "SY2", "SY3", "SY4"]

    response = client.get("/incidents/cases/?region=120113100&format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    got = list(sheet.iter_rows(values_only=True))
    header, body = list(got[1]), got[2:]
    assert [r[0] for r in body] == ["SY3", "SY2", "SY1"]  # newest onset first, as listed
    first = dict(zip(header, body[2], strict=True))
    assert first["关联事故"] == incident.code and first["发病日期"] == "2022-06-02"
    assert first["统一社会信用代码"] == shop.credit_code and header[: len(imports.COLUMNS)] == imports.COLUMNS
    assert "姓名" not in header
