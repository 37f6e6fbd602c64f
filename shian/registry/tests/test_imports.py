"""The register import: formats, headers, located problems, all-or-nothing, audit, scope, size."""

from __future__ import annotations

import csv
import datetime as dt
import io
import time
from collections.abc import Iterable, Sequence
from typing import Any

import openpyxl
import pytest
import xlsxwriter
from django.core.exceptions import PermissionDenied
from django.db import connection

from shian.core.models import AuditAction, AuditEntry, AuditSource, FoodCategory, Region, RegionLevel
from shian.core.tests.factories import TOWN_A, TOWN_B
from shian.demo.generator import Township, business_records
from shian.registry.imports import (
    HEADER_SYNONYMS,
    IMPORT_HEADERS,
    IMPORT_OBJECT_TYPE,
    business_import,
    import_error_workbook,
    import_template_xlsx,
)
from shian.registry.models import Business
from shian.registry.rules import FIELDS
from shian.registry.services import OBJECT_TYPE

from .factories import credit_code, make_business

# --------------------------------------------------------------------------------------------
# Helpers shared with test_exports.py and test_import_commands.py.


def xlsx_bytes(rows: Iterable[Sequence[Any]], *, constant_memory: bool = False) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": constant_memory, "in_memory": not constant_memory})
    sheet = book.add_worksheet("经营主体")
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, dt.date):
                sheet.write_datetime(r, c, value, date_fmt)
            elif isinstance(value, int | float):
                sheet.write_number(r, c, value)
            else:
                sheet.write_string(r, c, str(value))
    book.close()
    return buffer.getvalue()


def csv_bytes(rows: Iterable[Sequence[Any]], encoding: str = "utf-8") -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if v is None else (v.isoformat() if isinstance(v, dt.date) else v) for v in row])
    return text.getvalue().encode(encoding)


def townships() -> list[Township]:
    return [
        Township(code, name, population)
        for code, name, population in Region.objects.exclude(level=RegionLevel.DISTRICT)
        .order_by("code")
        .values_list("code", "name", "population")
    ]


def record_row(record: dict[str, Any], category_names: dict[str, str] | None = None) -> list[Any]:
    """A generator record as a row under IMPORT_HEADERS (categories by name when names are given)."""
    row: list[Any] = []
    for fname in FIELDS:
        value = record[fname]
        if fname == "categories":
            value = "、".join(category_names[c] if category_names else c for c in value)
        elif fname in ("longitude", "latitude") and value is not None:
            value = str(value)
        row.append(value)
    return row


def register_rows(n: int, *, seed: int = 7, names: bool = True, start_serial: int = 0) -> list[list[Any]]:
    category_names = dict(FoodCategory.objects.values_list("code", "name")) if names else None
    records = business_records(n, seed=seed, townships=townships(), start_serial=start_serial)
    return [IMPORT_HEADERS, *(record_row(r, category_names) for r in records)]


def row(**values: Any) -> list[Any]:
    """One row under IMPORT_HEADERS: a valid catering business in town A unless told otherwise."""
    base: dict[str, Any] = {
        "name": "天津市北辰区鑫隆餐厅",
        "credit_code": credit_code(),
        "business_type": "餐饮",
        "categories": "餐饮食品",
        "scale": "小",
        "region_code": "果园新村街道",
        "address": "天津市北辰区北辰道1号",
        "status": "在营",
        "opened_on": dt.date(2020, 3, 1),
    }
    base.update(values)
    return [base.get(f) for f in FIELDS]


def run(content: bytes, *, actor: Any = None, filename: str = "register.xlsx", dry_run: bool = False):
    return business_import(
        actor=actor, source=AuditSource.IMPORT, filename=filename, content=content, dry_run=dry_run
    )


def counts() -> tuple[int, int]:
    return Business.objects.count(), AuditEntry.objects.count()


def business_audits() -> int:
    return AuditEntry.objects.filter(object_type=OBJECT_TYPE).count()


# --------------------------------------------------------------------------------------------
# A good file.


def test_headers_cover_every_register_field_in_order():
    assert tuple(HEADER_SYNONYMS) == FIELDS
    assert IMPORT_HEADERS[:3] == ["名称", "统一社会信用代码", "食品生产许可证编号"]


def test_good_xlsx_creates_businesses_with_audit_entries(personas):
    officer = personas("district_officer")
    code = credit_code()
    content = xlsx_bytes(
        [
            IMPORT_HEADERS,
            row(name="天津市北辰区鑫隆餐厅", credit_code=code, categories="餐饮食品", longitude="117.123456"),
            row(
                name="天津市北辰区福源食品有限公司",
                business_type="食品生产",
                production_licence="SC10612011300017",
                categories="食用油、油脂及其制品、饮料",  # a category whose own name holds the separator
                region_code=TOWN_B,
                scale="中",
                licence_valid_until=dt.date(2027, 5, 31),
            ),
        ]
    )
    report = run(content, actor=officer)

    assert report.ok, report.lines()
    assert (report.rows, report.created, report.updated, report.unchanged) == (2, 2, 0, 0)
    diner = Business.objects.get(credit_code=code)
    assert diner.region_id == TOWN_A
    assert diner.business_type == "catering"
    assert str(diner.longitude) == "117.123456"
    assert diner.opened_on == dt.date(2020, 3, 1)
    assert list(diner.food_categories.values_list("code", flat=True)) == ["31"]
    factory = Business.objects.get(production_licence="SC10612011300017")
    assert factory.region_id == TOWN_B and factory.scale == "medium"
    assert sorted(factory.food_categories.values_list("code", flat=True)) == ["02", "06"]
    assert factory.licence_valid_until == dt.date(2027, 5, 31)

    creates = AuditEntry.objects.filter(object_type=OBJECT_TYPE, action=AuditAction.CREATE)
    assert creates.count() == 2
    assert set(creates.values_list("source", flat=True)) == {AuditSource.IMPORT}
    assert set(creates.values_list("actor_username", flat=True)) == {"district_officer"}
    summary = AuditEntry.objects.get(object_type=IMPORT_OBJECT_TYPE)
    assert summary.action == AuditAction.IMPORT
    assert summary.after == {
        "filename": "register.xlsx",
        "rows": 2,
        "created": 2,
        "updated": 0,
        "unchanged": 0,
    }


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_in_utf8_bom_and_gbk_imports_the_same(db, encoding):
    rows = register_rows(30, seed=11)
    xlsx_report = run(xlsx_bytes(rows))
    assert xlsx_report.ok, xlsx_report.lines()
    from_xlsx = sorted(Business.objects.values_list("name", "address", "legal_representative", "region_id"))
    assert any("镇" in name or "街" in addr for name, addr, _, _ in from_xlsx)
    Business.objects.all().delete()

    report = run(csv_bytes(rows, encoding), filename="register.csv")

    assert report.ok, report.lines()
    assert report.created == 30
    assert sorted(Business.objects.values_list("name", "address", "legal_representative", "region_id")) == (
        from_xlsx
    )


def test_csv_with_tab_delimiter_and_excel_leading_title_row(db):
    # A register saved as “Unicode text” with a title row above the header, as towns often keep it.
    rows = [["北辰区食品经营者名录（2024年）"], IMPORT_HEADERS, row()]
    text = "\n".join("\t".join("" if v is None else str(v) for v in r) for r in rows)
    report = run(text.encode("utf-8"), filename="register.txt")
    assert report.ok, report.lines()
    assert Business.objects.count() == 1


def test_full_width_headers_synonyms_and_english_names_are_accepted(db):
    headers = ["企业名称", "社会信用代码", "主体业态", "所 属 镇 街", "ＪＹ编号", "categories", "经营状态*"]
    code = credit_code()
    content = xlsx_bytes(
        [headers, ["福源超市", code, "销售", TOWN_A, "JY11201130000017", "01,粮食加工品", "停业"]]
    )
    report = run(content)
    assert report.ok, report.lines()
    shop = Business.objects.get(credit_code=code)
    assert (shop.business_type, shop.status, shop.business_licence) == (
        "wholesale_retail",
        "suspended",
        "JY11201130000017",
    )
    assert list(shop.food_categories.values_list("code", flat=True)) == ["01"]


def test_xlsx_with_data_starting_below_and_right_keeps_spreadsheet_positions(db):
    bad = row(credit_code="911201130000000000")
    content = xlsx_bytes([[], ["", *IMPORT_HEADERS], ["", *row()], ["", *bad]])
    report = run(content)
    assert not report.ok
    (issue,) = report.issues
    assert (issue.row, issue.column) == (4, "C（统一社会信用代码）")


# --------------------------------------------------------------------------------------------
# Files that cannot be read.


def test_mixed_encoding_csv_is_rejected_naming_the_minority_line(db):
    head = csv_bytes([IMPORT_HEADERS, row(name="鑫隆餐厅"), row(name="福源餐厅")], "utf-8")
    tail = csv_bytes([row(name="祥瑞餐厅")], "gbk")
    report = run(head + tail, filename="register.csv")
    assert not report.ok
    assert report.issues[0].row == 4
    assert "第4行" in report.issues[0].reason and "GBK" in report.issues[0].reason
    assert Business.objects.count() == 0

    # Mostly GBK with one UTF-8 row: the UTF-8 row is the one named.
    content = (
        csv_bytes([IMPORT_HEADERS, row(name="鑫隆餐厅")], "gbk")
        + csv_bytes([row(name="福源餐厅")], "utf-8")
        + csv_bytes([row(name="祥瑞餐厅")], "gbk")
    )
    report = run(content, filename="register.csv")
    assert report.issues[0].row == 3
    assert "第3行起有UTF-8编码" in report.issues[0].reason


def test_undecodable_file_gets_a_clear_error(db):
    report = run(bytes(range(128, 256)) * 4, filename="register.csv")
    assert not report.ok
    assert "既不是UTF-8也不是GBK" in report.issues[0].reason

    report = run(b"\x00\x01binary\x00", filename="register.csv")
    assert "无法识别" in report.issues[0].reason

    report = run(b"not a workbook at all", filename="register.xlsx")
    assert "不是有效的xlsx" in report.issues[0].reason

    report = run(b"PK\x03\x04broken zip", filename="register.xlsx")
    assert "无法读取Excel工作簿" in report.issues[0].reason


@pytest.mark.parametrize(
    ("content", "filename"),
    [(b"", "empty.csv"), (b"\xef\xbb\xbf\r\n\r\n", "blank.csv"), (xlsx_bytes([]), "empty.xlsx")],
)
def test_empty_file_is_refused(db, content, filename):
    report = run(content, filename=filename)
    assert not report.ok
    assert report.issues[0].reason.startswith("文件中没有数据")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_header_only_file_is_refused(db, fmt):
    content = csv_bytes([IMPORT_HEADERS]) if fmt == "csv" else xlsx_bytes([IMPORT_HEADERS, [], []])
    report = run(content, filename=f"register.{fmt}")
    assert not report.ok
    assert report.issues[0].reason.startswith("文件中没有数据行")


# --------------------------------------------------------------------------------------------
# Headers.


def test_unknown_header_is_named_by_column_letter_and_text(db):
    report = run(xlsx_bytes([[*IMPORT_HEADERS, "备注"], [*row(), "老客户"]]))
    assert not report.ok
    (issue,) = report.issues
    assert (issue.row, issue.column, issue.value) == (1, "Q（备注）", "备注")
    assert "表头无法识别" in issue.reason
    assert issue.line().startswith("第1行 第Q列（备注）值“备注”：表头无法识别")
    assert Business.objects.count() == 0


def test_missing_required_header_is_named(db):
    headers = [h for h in IMPORT_HEADERS if h != "业态"]
    report = run(xlsx_bytes([headers, row()[:4] + row()[5:]]))
    assert not report.ok
    assert [i.reason for i in report.issues] == ["缺少必需的列“业态”"]


def test_duplicated_header_names_both_columns(db):
    report = run(xlsx_bytes([[*IMPORT_HEADERS, "企业名称"], [*row(), "别名"]]))
    assert not report.ok
    (issue,) = report.issues
    assert issue.column == "Q（企业名称）"
    assert "A列“名称”" in issue.reason


def test_a_filled_column_without_header_is_an_issue(db):
    rows = [IMPORT_HEADERS, [*row(), "", "", "", "T列的值"], [*row(), "多出来的值"], [*row(), "又一个"]]
    report = run(xlsx_bytes(rows))
    assert not report.ok
    assert [(i.row, i.column, i.value) for i in report.issues] == [
        (2, "T", "T列的值"),
        (3, "Q", "多出来的值"),
    ]
    assert Business.objects.count() == 0


# --------------------------------------------------------------------------------------------
# Rows: every problem located, nothing written.


def test_bad_credit_code_is_located_and_nothing_is_written(personas):
    officer = personas("district_officer")
    make_business(name="已登记的餐厅")
    before = counts()
    content = xlsx_bytes([IMPORT_HEADERS, row(), row(credit_code="91120113MA05K3T1X9"), row()])

    report = run(content, actor=officer)

    assert not report.ok
    assert report.issue_count == 1
    (issue,) = report.issues
    assert (issue.row, issue.column, issue.value) == (3, "B（统一社会信用代码）", "91120113MA05K3T1X9")
    assert "校验码" in issue.reason
    assert issue.line() == f"第3行 第B列（统一社会信用代码）值“91120113MA05K3T1X9”：{issue.reason}"
    assert counts() == before


def test_every_problem_is_collected_and_the_list_is_capped(db):
    rows = [IMPORT_HEADERS] + [row(credit_code=f"12345{i}", region_code="火星镇") for i in range(1100)]
    report = run(csv_bytes(rows), filename="register.csv")
    assert not report.ok
    assert report.issue_count == 2200  # a bad code and an unknown town on every row
    assert len(report.issues) == 1000
    assert report.lines()[-1] == "……另有1200个问题未列出"
    assert [i.row for i in report.issues[:4]] == [2, 2, 3, 3]


def test_producer_without_sc_licence_and_bad_dates_are_reported(db):
    content = xlsx_bytes(
        [
            IMPORT_HEADERS,
            row(business_type="食品生产", licence_valid_until="明年", closed_on=dt.date(2019, 1, 1)),
            row(name="", longitude="200", status="倒闭"),
        ]
    )
    report = run(content)
    reasons = {(i.row, i.column.partition("（")[0]): i.reason for i in report.issues}
    assert "食品生产许可证" in reasons[(2, "C")]
    assert "日期格式" in reasons[(2, "O")]
    assert reasons[(2, "P")] == "注销日期不能早于开业日期"
    assert reasons[(3, "A")] == "名称不能为空"
    assert "经度" in reasons[(3, "K")]
    assert "状态“倒闭”" in reasons[(3, "M")]


def test_duplicates_inside_the_file_name_both_rows(db):
    code = credit_code()
    content = xlsx_bytes(
        [
            IMPORT_HEADERS,
            row(credit_code=code),
            row(business_licence="JY21201130000017"),
            row(),
            row(credit_code=code.lower(), name="重复的餐厅"),
            row(business_licence="JY21201130000017"),
        ]
    )
    report = run(content)
    assert not report.ok
    by_row = {i.row: i for i in report.issues}
    assert set(by_row) == {5, 6}
    assert by_row[5].column == "B（统一社会信用代码）"
    assert "与第2行的统一社会信用代码重复" in by_row[5].reason
    assert by_row[6].column == "D（食品经营许可证编号）"
    assert "与第3行的食品经营许可证编号重复" in by_row[6].reason
    assert Business.objects.count() == 0


def test_conflicts_with_the_register_are_located(personas):
    a = make_business(business_licence="JY21201130000017")
    b = make_business()
    content = xlsx_bytes(
        [
            IMPORT_HEADERS,
            # The credit code is B's, the licence is A's: two different registered businesses.
            row(credit_code=b.credit_code, business_licence="JY21201130000017"),
            row(credit_code=a.credit_code, name="改名的餐厅"),
        ]
    )
    before = counts()
    report = run(content, actor=personas("district_officer"))
    assert not report.ok
    assert report.issues[0].row == 2
    assert "不同的经营主体" in report.issues[0].reason
    assert counts() == before

    # Two rows that would both change A (one by its credit code, one by its licence).
    content = xlsx_bytes(
        [
            IMPORT_HEADERS,
            row(credit_code=a.credit_code),
            row(credit_code=credit_code(), business_licence=a.business_licence),
        ]
    )
    report = run(content)
    (issue,) = report.issues
    assert issue.row == 3
    assert "与第2行指向登记簿中的同一经营主体" in issue.reason


def test_town_officer_cannot_import_a_row_for_another_town(personas):
    officer = personas("town_a_officer")
    content = xlsx_bytes([IMPORT_HEADERS, row(region_code="果园新村街道"), row(region_code="天穆镇")])
    before = counts()

    report = run(content, actor=officer)

    assert not report.ok
    (issue,) = report.issues
    assert (issue.row, issue.column, issue.value) == (3, "H（所属镇街）", "天穆镇")
    assert "不在您的辖区内" in issue.reason
    assert counts() == before

    # Nor change a business registered in another town by naming its code with their own town.
    other = make_business(region_code=TOWN_B)
    report = run(xlsx_bytes([IMPORT_HEADERS, row(credit_code=other.credit_code)]), actor=officer)
    assert not report.ok
    assert report.issues[0].column == "B（统一社会信用代码）"
    assert "天穆镇" not in report.issues[0].reason  # where it is registered is not disclosed
    assert Business.objects.get(pk=other.pk).region_id == TOWN_B

    report = run(xlsx_bytes([IMPORT_HEADERS, row(region_code=TOWN_A)]), actor=officer)
    assert report.ok and report.created == 1


@pytest.mark.parametrize("name", ["inspector", "education_liaison", "lab", "viewer"])
def test_roles_without_the_import_capability_are_refused(personas, name):
    with pytest.raises(PermissionDenied):
        run(xlsx_bytes([IMPORT_HEADERS, row()]), actor=personas(name))
    assert Business.objects.count() == 0


# --------------------------------------------------------------------------------------------
# Re-import, update, dry run.


def test_reimporting_the_same_file_changes_nothing(personas):
    officer = personas("district_officer")
    content = xlsx_bytes(register_rows(50))
    first = run(content, actor=officer)
    assert first.ok and first.created == 50
    audits = business_audits()

    second = run(content, actor=officer)

    assert second.ok
    assert (second.created, second.updated, second.unchanged) == (0, 0, 50)
    assert business_audits() == audits
    assert AuditEntry.objects.filter(object_type=IMPORT_OBJECT_TYPE).count() == 2


def test_reimport_with_a_changed_address_updates_one_row_and_audits_it(personas):
    officer = personas("district_officer")
    rows = register_rows(5)
    run(xlsx_bytes(rows), actor=officer)
    address_col = FIELDS.index("address")
    old_address = rows[3][address_col]
    rows[3][address_col] = "天津市北辰区新址路8号"

    report = run(xlsx_bytes(rows), actor=officer)

    assert (report.created, report.updated, report.unchanged) == (0, 1, 4)
    business = Business.objects.get(credit_code=rows[3][FIELDS.index("credit_code")])
    assert business.address == "天津市北辰区新址路8号"
    update = AuditEntry.objects.get(object_type=OBJECT_TYPE, action=AuditAction.UPDATE)
    assert update.object_id == str(business.pk)
    assert update.before == {"address": old_address}
    assert update.after == {"address": "天津市北辰区新址路8号"}
    summary = AuditEntry.objects.filter(object_type=IMPORT_OBJECT_TYPE).order_by("-seq").first()
    assert summary is not None and summary.after["updated"] == 1


def test_dry_run_reports_what_would_happen_and_writes_nothing(personas):
    officer = personas("district_officer")
    rows = register_rows(6)
    run(xlsx_bytes(rows[:4]), actor=officer)  # the header and three of the six
    rows[1][FIELDS.index("address")] = "天津市北辰区另一条路2号"
    before = counts()

    report = run(xlsx_bytes(rows), actor=officer, dry_run=True)

    assert report.ok and report.dry_run
    assert (report.created, report.updated, report.unchanged) == (3, 1, 2)
    assert counts() == before


# --------------------------------------------------------------------------------------------
# The error workbook and the template.


def test_error_workbook_marks_the_bad_cell_red_with_the_reason(db):
    content = xlsx_bytes(
        [IMPORT_HEADERS, row(), row(credit_code="91120113MA05K3T1X9"), row(region_code="火星镇", name="=1+1")]
    )
    report = run(content)
    assert report.issue_count == 2

    book = openpyxl.load_workbook(
        io.BytesIO(import_error_workbook(report=report, filename="x.xlsx", content=content))
    )

    assert book.sheetnames == ["错误清单", "原始数据"]
    listing = [list(r) for r in book["错误清单"].iter_rows(values_only=True)]
    assert listing[0] == ["行号", "列", "值", "原因"]
    assert listing[1][:3] == [3, "B（统一社会信用代码）", "91120113MA05K3T1X9"]
    data = book["原始数据"]
    assert [c.value for c in data[1]] == IMPORT_HEADERS
    bad = data["B3"]
    assert bad.value == "91120113MA05K3T1X9"
    assert bad.fill.fgColor.rgb.endswith("FF9999")
    assert bad.comment is not None and "校验码" in bad.comment.text
    assert data["B2"].comment is None and data["B2"].fill.fgColor.rgb in (None, "00000000")
    assert data["H4"].comment is not None and "火星镇" in data["H4"].comment.text
    assert data["A4"].value == "=1+1" and data["A4"].data_type == "s"  # data, never a formula
    assert data["N2"].value.date() == dt.date(2020, 3, 1)


def test_error_workbook_for_an_unreadable_csv_still_shows_its_lines(db):
    content = csv_bytes([IMPORT_HEADERS, row(name="鑫隆餐厅")], "utf-8") + csv_bytes(
        [row(name="祥瑞餐厅")], "gbk"
    )
    report = run(content, filename="register.csv")
    book = openpyxl.load_workbook(
        io.BytesIO(import_error_workbook(report=report, filename="r.csv", content=content))
    )
    assert "编码" in book["错误清单"]["D2"].value
    assert book["原始数据"]["A3"].value == "祥瑞餐厅"


def test_template_has_the_canonical_headers_and_an_example_that_validates(db):
    content = import_template_xlsx()
    sheet = openpyxl.load_workbook(io.BytesIO(content))["经营主体"]
    assert [c.value for c in sheet[1]] == IMPORT_HEADERS
    report = run(content, dry_run=True)
    assert report.ok, report.lines()
    assert report.rows == 1


# --------------------------------------------------------------------------------------------
# Size.


@pytest.mark.slow
def test_a_100000_row_file_imports_fully(db):
    content = xlsx_bytes(register_rows(100_000, seed=2024, names=False), constant_memory=True)
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(1)
        return execute(sql, params, many, context)

    started = time.perf_counter()
    with connection.execute_wrapper(count):
        report = run(content, filename="register-100k.xlsx")
    elapsed = time.perf_counter() - started

    assert report.ok, report.lines()[:5]
    assert (report.rows, report.created) == (100_000, 100_000)
    assert Business.objects.count() == 100_000
    assert business_audits() == 100_000
    # Batched throughout: no query per row (a per-row lookup alone would be 100,000 more).
    assert len(queries) < 12_000, len(queries)
    assert elapsed < 600, f"100,000 rows took {elapsed:.0f} s"
