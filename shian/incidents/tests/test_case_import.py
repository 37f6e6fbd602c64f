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
