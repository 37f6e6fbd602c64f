"""The register export: readable headers, scope, formula injection, audit, and the round trip."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shian.core.models import AuditAction, AuditEntry, AuditSource
from shian.core.tests.factories import TOWN_A, TOWN_B
from shian.registry.exports import EXPORT_OBJECT_TYPE, business_export_xlsx, guard_text
from shian.registry.imports import IMPORT_HEADERS, business_import
from shian.registry.models import Business
from shian.registry.rules import FIELDS
from shian.registry.selectors import BusinessFilters
from shian.registry.services import OBJECT_TYPE

from .factories import make_business
from .test_imports import register_rows, xlsx_bytes


def export(user, filters: BusinessFilters | None = None, **kwargs) -> tuple[int, bytes]:
    out = io.BytesIO()
    rows = business_export_xlsx(user=user, filters=filters or BusinessFilters(), out=out, **kwargs)
    return rows, out.getvalue()


def sheet_rows(content: bytes) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def column(rows: list[list], header: str) -> list:
    index = rows[0].index(header)
    return [r[index] for r in rows[1:]]


def test_export_opens_with_chinese_headers_and_readable_values(personas):
    make_business(
        name="天津市北辰区鑫隆超市",
        business_type="wholesale_retail",
        categories=["02", "06"],
        scale="medium",
        opened_on=dt.date(2019, 6, 1),
        business_licence="JY11201130000017",
        longitude=None,
    )
    count, content = export(personas("district_officer"))

    assert count == 1
    rows = sheet_rows(content)
    assert rows[0] == IMPORT_HEADERS
    record = dict(zip(IMPORT_HEADERS, rows[1], strict=True))
    assert record["名称"] == "天津市北辰区鑫隆超市"
    assert record["食品类别"] == "食用油、油脂及其制品、饮料"
    assert record["所属镇街"] == "果园新村街道"
    assert record["食品经营许可证编号"] == "JY11201130000017"
    assert record["开业日期"].date() == dt.date(2019, 6, 1)  # a real date cell, not text
    assert record["经度"] is None
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    assert sheet.freeze_panes == "B2"
    assert sheet.auto_filter.ref == "A1:P2"
    assert sheet["A1"].font.b


def test_town_officer_exports_only_their_town(personas):
    make_business(name="果园新村的餐厅", region_code=TOWN_A)
    make_business(name="天穆镇的餐厅", region_code=TOWN_B)

    count, content = export(personas("town_a_officer"))

    assert count == 1
    assert column(sheet_rows(content), "名称") == ["果园新村的餐厅"]
    # Asking for the other town by filter gives nothing, not the other town's rows.
    count, content = export(personas("town_a_officer"), BusinessFilters(region=TOWN_B))
    assert count == 0
    assert sheet_rows(content) == [IMPORT_HEADERS]


def test_department_liaison_exports_only_their_sectors(personas):
    make_business(name="第一小学食堂", business_type="school_canteen", business_licence="JY31201130000011")
    make_business(name="鑫隆餐厅")
    _count, content = export(personas("education_liaison"))
    assert column(sheet_rows(content), "名称") == ["第一小学食堂"]


def test_filters_are_applied(personas):
    make_business(name="鑫隆餐厅", status="closed", closed_on=dt.date(2023, 1, 1))
    make_business(name="福源餐厅")
    _count, content = export(personas("district_officer"), BusinessFilters(status="active"))
    assert column(sheet_rows(content), "名称") == ["福源餐厅"]


@pytest.mark.parametrize("name", ["lab", "anonymous"])
def test_export_needs_the_export_capability(personas, name):
    from django.contrib.auth.models import AnonymousUser

    user = AnonymousUser() if name == "anonymous" else personas(name)
    with pytest.raises(PermissionDenied):
        export(user)
    with pytest.raises(PermissionDenied):
        export(None)  # only the command may ask for a system export


def test_formula_injection_is_neutralised(personas):
    for name in ['=HYPERLINK("http://evil.example","点我")', "+1", "-2", "@SUM(A1:A2)"]:
        make_business(name=name, address="=cmd|' /C calc'!A0")
    count, content = export(personas("district_officer"))
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]

    names = [sheet.cell(r, 1) for r in range(2, count + 2)]
    assert sorted(c.value for c in names) == sorted(
        ['\'=HYPERLINK("http://evil.example","点我")', "'+1", "'-2", "'@SUM(A1:A2)"]
    )
    assert guard_text("\t=1+1") == "'\t=1+1" and guard_text("\r=1") == "'\r=1"
    assert guard_text("天津市-北辰区") == "天津市-北辰区"
    assert all(c.data_type == "s" for c in names)
    assert {sheet.cell(r, 9).value for r in range(2, count + 2)} == {"'=cmd|' /C calc'!A0"}

    # And it reads back as it was registered.
    report = business_import(
        actor=None, source=AuditSource.IMPORT, filename="export.xlsx", content=content, dry_run=True
    )
    assert report.ok and report.unchanged == count, report.lines()


def test_export_is_audited(personas):
    make_business()
    officer = personas("town_a_officer")
    export(officer, BusinessFilters(status="active"))
    entry = AuditEntry.objects.get(object_type=EXPORT_OBJECT_TYPE)
    assert entry.action == AuditAction.EXPORT
    assert entry.actor_username == "town_a_officer"
    assert entry.source == AuditSource.WEB
    assert entry.region_code == TOWN_A
    assert entry.after == {"filters": {"status": "active"}, "rows": 1}


def test_export_query_count_does_not_grow_with_rows(personas):
    officer = personas("district_officer")
    make_business()
    with CaptureQueriesContext(connection) as few:
        export(officer)
    for _ in range(30):
        make_business()
    with CaptureQueriesContext(connection) as many:
        count, _content = export(officer)
    assert count == 31
    assert len(many) == len(few)


def test_export_then_import_changes_nothing(personas):
    officer = personas("district_officer")
    report = business_import(
        actor=officer, source=AuditSource.IMPORT, filename="r.xlsx", content=xlsx_bytes(register_rows(300))
    )
    assert report.ok and report.created == 300
    before = list(Business.objects.order_by("pk").values())
    audits = AuditEntry.objects.filter(object_type=OBJECT_TYPE).count()

    count, content = export(officer)
    again = business_import(actor=officer, source=AuditSource.IMPORT, filename="export.xlsx", content=content)

    assert count == 300
    assert again.ok, again.lines()
    assert (again.created, again.updated, again.unchanged) == (0, 0, 300)
    assert list(Business.objects.order_by("pk").values()) == before
    assert AuditEntry.objects.filter(object_type=OBJECT_TYPE).count() == audits
    # Every kind of value made the trip: producers' SC numbers, dates, closed businesses, coordinates.
    rows = sheet_rows(content)
    assert len(rows[0]) == len(FIELDS)
    assert any(v for v in column(rows, "食品生产许可证编号"))
    assert any(v for v in column(rows, "注销日期"))
    assert any("、" in (v or "") for v in column(rows, "食品类别"))


def test_system_export_holds_the_whole_register(db):
    make_business(region_code=TOWN_A)
    make_business(region_code=TOWN_B)
    count, _content = export(None, system=True, source=AuditSource.COMMAND)
    assert count == 2
    entry = AuditEntry.objects.get(object_type=EXPORT_OBJECT_TYPE)
    assert (entry.actor_username, entry.source) == ("system", AuditSource.COMMAND)
