"""The 12315 export import: all or nothing, every problem located, each row through the one write
path, a number imported once."""

from __future__ import annotations

import datetime as dt

import pytest

from shian.complaints import imports
from shian.complaints.models import Complaint
from shian.core.xlsx import table_xlsx
from shian.registry.tests.factories import make_business

pytestmark = pytest.mark.django_db
TODAY = dt.date(2022, 7, 1)


def workbook(rows):
    return table_xlsx(title="12315导出", headers=list(imports.COLUMNS), rows=rows)


def row(ref="1120113202206010001", day="2022-06-01", kind="投诉", credit="", address="北辰区天穆镇某路1号"):
    return [
        ref,
        day,
        kind,
        "某饭店",
        "吃后腹泻",
        credit,
        address,
        "张三",
        "13800000000",
        "天穆镇某小区",
        "赔偿",
    ]


def test_good_file_imports_every_row_routed_and_clocked(personas):
    shop = make_business(name="果园新村丙餐厅", region_code="120113001", business_type="catering")
    content = workbook([row(), row(ref="2", kind="举报", credit=shop.credit_code, address="")])
    done = imports.complaints_import(actor=personas("district_officer"), content=content, today=TODAY)
    assert [(c.kind, c.region_id, c.channel) for c in done] == [
        ("complaint", "120113100", "12315"),
        ("report", "120113001", "12315"),
    ]
    assert done[1].business_id == shop.pk and done[0].clocks.get().code == "accept_decision"


def test_any_bad_row_writes_nothing_and_every_problem_is_located(personas):
    content = workbook(
        [
            row(),
            row(ref="1120113202206010001"),  # duplicate in the file
            row(ref="3", day="2022/13/01"),
            row(ref="4", kind="咨询"),
            row(ref="5", address="不知道"),
            row(ref="6", day="2022-08-01"),
        ]
    )
    with pytest.raises(imports.ImportRejected) as exc:
        imports.complaints_import(actor=personas("district_officer"), content=content, today=TODAY)
    got = {(i.row, i.column, i.reason) for i in exc.value.issues}
    assert got == {
        (4, "登记编号", "文件中重复"),
        (5, "登记日期", "日期应写作 2022-06-01"),
        (6, "类别", "应为“投诉”或“举报”"),
        (7, "经营地址", "无法确定所在镇街"),
        (8, "登记日期", "晚于今天"),
    }
    assert not Complaint.objects.exists()


def test_a_number_is_imported_once_and_a_town_officer_only_for_their_town(personas):
    imports.complaints_import(actor=personas("district_officer"), content=workbook([row()]), today=TODAY)
    with pytest.raises(imports.ImportRejected, match="1 处问题") as exc:
        imports.complaints_import(actor=personas("district_officer"), content=workbook([row()]), today=TODAY)
    assert exc.value.issues[0].reason == "已导入过"
    with pytest.raises(imports.ImportRejected) as exc:
        imports.complaints_import(
            actor=personas("town_a_officer"), content=workbook([row(ref="9")]), today=TODAY
        )
    assert exc.value.issues[0].reason == "不在您的辖区"


def test_not_a_workbook_is_refused_in_chinese(personas, client_for):
    with pytest.raises(imports.ImportRejected) as exc:
        imports.complaints_import(actor=personas("district_officer"), content=b"not xlsx", today=TODAY)
    assert "xlsx" in exc.value.issues[0].reason
    r = client_for("district_officer").get("/complaints/import/template.xlsx")
    assert r.status_code == 200 and r.content.startswith(b"PK")
