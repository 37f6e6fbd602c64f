"""The one-sheet import loop every xlsx import of complaints and case reports goes through: rows
numbered as the spreadsheet shows them, every problem of every row reported, nothing written when
any row or the write path refuses."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from shian.core.imports import ImportRejected, SheetRow, sheet_import
from shian.core.models import CalendarOverride
from shian.core.xlsx import table_xlsx

COLUMNS = {"日期": "day", "说明": "note"}


def book(rows):
    # table_xlsx writes a title in row 1 and the header in row 2: data starts at row 3.
    return table_xlsx(title="调休日导入", headers=list(COLUMNS), rows=rows)


TODAY = dt.date(2022, 6, 30)


def check(row: SheetRow) -> CalendarOverride | None:
    day = row.day("day", "日期", today=TODAY)
    if not row["note"]:
        row.problem("说明", "", "不能为空")
    return CalendarOverride(day=day, is_workday=True, note=row["note"])


def save_all(items):
    for item in items:
        item.save()
    return items


@pytest.mark.django_db
def test_good_rows_are_written_and_blank_rows_skipped():
    content = book([["2022-01-29", "春节调休"], [None, None], ["2022-01-30", "春节调休"]])
    done = sheet_import(
        content, columns=COLUMNS, required=("日期",), max_rows=10, check=check, write=save_all
    )
    assert [o.day for o in done] == [dt.date(2022, 1, 29), dt.date(2022, 1, 30)]
    assert CalendarOverride.objects.count() == 2


@pytest.mark.django_db
def test_every_problem_is_located_by_spreadsheet_row_and_nothing_is_written():
    content = book(
        [
            ["2022-01-29", "春节调休"],
            ["1月30日", "春节调休"],
            [None, None],
            ["2022-10-08", ""],
            ["2022-05-04", ""],
        ]
    )
    with pytest.raises(ImportRejected, match="4 处问题") as exc:
        sheet_import(content, columns=COLUMNS, required=("日期",), max_rows=10, check=check, write=save_all)
    assert [(i.row, i.column, i.value, i.reason) for i in exc.value.issues] == [
        (4, "日期", "1月30日", "日期应写作 2022-06-01"),
        (6, "日期", "2022-10-08", "晚于今天"),
        (6, "说明", "", "不能为空"),
        (7, "说明", "", "不能为空"),
    ]
    assert not CalendarOverride.objects.exists()


@pytest.mark.django_db
def test_a_refusal_of_the_write_path_undoes_the_rows_already_written():
    def refuse_second(items):
        items[0].save()
        raise ValidationError("第二行与已有记录冲突")

    content = book([["2022-01-29", "春节调休"], ["2022-01-30", "春节调休"]])
    with pytest.raises(ImportRejected) as exc:
        sheet_import(
            content, columns=COLUMNS, required=("日期",), max_rows=10, check=check, write=refuse_second
        )
    assert [i.reason for i in exc.value.issues] == ["第二行与已有记录冲突"]
    assert not CalendarOverride.objects.exists()


def test_missing_header_missing_column_and_too_many_rows_refuse_the_file():
    with pytest.raises(ImportRejected) as exc:
        sheet_import(
            b"not a workbook", columns=COLUMNS, required=("日期",), max_rows=10, check=check, write=list
        )
    assert "xlsx" in exc.value.issues[0].reason
    headerless = table_xlsx(title="无表头", headers=["日子"], rows=[["2022-01-29"]])
    with pytest.raises(ImportRejected) as exc:
        sheet_import(headerless, columns=COLUMNS, required=("日期",), max_rows=10, check=check, write=list)
    assert exc.value.issues[0].reason == "没有找到表头（应含“日期”等列，见导入模板）"
    with pytest.raises(ImportRejected) as exc:
        sheet_import(
            book([]), columns=COLUMNS, required=("日期", "原因"), max_rows=10, check=check, write=list
        )
    assert [(i.row, i.column, i.reason) for i in exc.value.issues] == [(2, "原因", "缺少必需的列")]
    with pytest.raises(ImportRejected) as exc:
        sheet_import(
            book([["2022-01-29", "x"]] * 3),
            columns=COLUMNS,
            required=("日期",),
            max_rows=2,
            check=check,
            write=list,
        )
    assert exc.value.issues[0].reason == "一次最多导入 2 行"
