"""Import of quick-test results from xlsx/csv: a clean file is recorded through the one service;
a bad file (missing column, bad time, a date without its hour, unknown market, a market of another
town, a reading that contradicts the result, a row twice) is refused with located problems and
changes nothing."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from shian.core.models import AuditEntry
from shian.core.tests.factories import TOWN_A, TOWN_B
from shian.sampling import imports
from shian.sampling.models import QuickTest
from shian.sampling.tests.test_quick_tests import market_in
from shian.sampling.workflow import QuickTestStatus

pytestmark = pytest.mark.django_db
HEAD = imports.QUICK_TEMPLATE_HEADERS
MARKET = "北辰区果园新村农贸市场"


def xlsx(rows: list[list[object]], head: list[str] = HEAD) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(head)
    for r in rows:
        sheet.append(r)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def row(**kw: object) -> list[object]:
    base: dict[str, object] = {
        "检测时间": dt.datetime(2022, 5, 3, 7, 40),  # noqa: DTZ001 - a spreadsheet cell has no zone
        "市场": MARKET,
        "摊位/经营者": "A12 张记蔬菜",
        "产品名称": "韭菜",
        "检测项目": "有机磷和氨基甲酸酯类农药残留(酶抑制率)",
        "检测结果": "阴性",
        "抑制率/读数": "12.5%",
        "试剂批号": "20220401",
        "检测人": "王检测",
    }
    base.update(kw)
    return [base[h] for h in HEAD]


@pytest.fixture
def officer(personas):
    market_in(TOWN_A, MARKET)
    return personas("town_a_officer")


def run(officer, content: bytes, name: str = "快检.xlsx", dry_run: bool = False):
    return imports.quick_tests_import(by=officer, filename=name, content=content, dry_run=dry_run)


def unchanged(before: int) -> bool:
    return not QuickTest.objects.exists() and AuditEntry.objects.count() == before


def test_a_clean_file_is_recorded(officer):
    content = xlsx(
        [
            row(),
            row(
                **{
                    "产品名称": "猪肉",
                    "检测项目": "克伦特罗",
                    "抑制率/读数": "",
                    "摊位/经营者": "B03 李记肉铺",
                }
            ),
            row(
                **{"检测时间": "2022/5/3 8:05", "产品名称": "菠菜", "检测结果": "阳性", "抑制率/读数": "71%"}
            ),
        ]
    )
    assert run(officer, content, dry_run=True).ok and not QuickTest.objects.exists()
    report = run(officer, content)
    assert report.ok, report.lines()
    assert (report.rows, report.positives) == (3, 1)
    positive = QuickTest.objects.get(result="positive")
    assert positive.status == QuickTestStatus.TESTED and positive.product == "菠菜"
    assert positive.tested_at == dt.datetime(2022, 5, 3, 0, 5, tzinfo=dt.UTC)  # 08:05 Beijing time
    assert set(QuickTest.objects.filter(result="negative").values_list("status", flat=True)) == {"closed"}
    assert QuickTest.objects.get(product="猪肉").item_code == "clenbuterol"


def test_a_csv_in_gbk_is_read(officer):
    text = (
        ",".join(HEAD)
        + "\n"
        + "2022-05-03 07:40,"
        + MARKET
        + ",A12 张记蔬菜,韭菜,农残,阴性,10%,20220401,王检测\n"
    )
    report = run(officer, text.encode("gb18030"), name="快检.csv")
    assert report.ok, report.lines()
    assert QuickTest.objects.get().item == "有机磷和氨基甲酸酯类农药残留(酶抑制率)"


def test_missing_column_changes_nothing(officer):
    before = AuditEntry.objects.count()
    head = [h for h in HEAD if h != "检测时间"]
    report = run(officer, xlsx([row()[1:]], head=head))
    assert not report.ok and "“检测时间”" in report.lines()[0]
    assert unchanged(before)


def test_bad_times_are_located_and_change_nothing(officer):
    before = AuditEntry.objects.count()
    content = xlsx(
        [
            row(),
            row(**{"检测时间": "五月三日早上", "摊位/经营者": "A13"}),
            row(**{"检测时间": dt.date(2022, 5, 3), "摊位/经营者": "A14"}),
            row(**{"检测时间": "2022-05-03", "摊位/经营者": "A15"}),
        ]
    )
    report = run(officer, content)
    assert not report.ok
    assert [(i.row, i.column) for i in report.issues] == [
        (3, "A（检测时间）"),
        (4, "A（检测时间）"),
        (5, "A（检测时间）"),
    ]
    assert "无法读取" in report.issues[0].reason
    assert "缺少时刻" in report.issues[1].reason and "缺少时刻" in report.issues[2].reason
    assert report.lines()[0].startswith("第3行 第A列（检测时间）")
    assert unchanged(before)


def test_unknown_market_and_another_towns_market_read_alike(officer):
    market_in(TOWN_B, "天穆镇农贸市场")
    before = AuditEntry.objects.count()
    report = run(officer, xlsx([row(), row(**{"市场": "不存在的市场"}), row(**{"市场": "天穆镇农贸市场"})]))
    assert not report.ok
    assert [(i.row, i.column, i.value) for i in report.issues] == [
        (3, "B（市场）", "不存在的市场"),
        (4, "B（市场）", "天穆镇农贸市场"),
    ]
    assert report.issues[0].reason == report.issues[1].reason
    assert unchanged(before)


def test_contradicting_reading_unknown_item_and_duplicate_rows(officer):
    before = AuditEntry.objects.count()
    report = run(
        officer,
        xlsx(
            [
                row(),
                row(**{"抑制率/读数": "65%"}),  # the same stall, product, item and time as row 2
                row(**{"检测项目": "苏丹红", "摊位/经营者": "A20"}),
                row(**{"检测结果": "可疑", "摊位/经营者": "A21"}),
            ]
        ),
    )
    assert not report.ok
    reasons = {(i.row, i.column): i.reason for i in report.issues}
    assert "应为“阳性”" in reasons[(3, "G（抑制率/读数）")]
    assert "与第2行重复" in reasons[(3, "A（检测时间）")]
    assert "未知的检测项目" in reasons[(4, "E（检测项目）")]
    assert "阴性" in reasons[(5, "F（检测结果）")]
    assert unchanged(before)


def test_importing_the_same_file_twice_is_refused(officer):
    content = xlsx([row()])
    assert run(officer, content).ok
    report = run(officer, content)
    assert not report.ok and "已导入过" in report.issues[0].reason
    assert QuickTest.objects.count() == 1


def test_a_reader_may_not_import(personas):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        imports.quick_tests_import(by=personas("viewer"), filename="x.xlsx", content=xlsx([row()]))


def test_the_template_is_a_valid_import_header():
    book = openpyxl.load_workbook(io.BytesIO(imports.quick_tests_template_xlsx()))
    header = [c.value for c in book.active[2]]
    assert header == HEAD
