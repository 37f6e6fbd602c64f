"""Upload limits are settings (SHIAN_IMPORT_MAX_BYTES, SHIAN_IMPORT_MAX_ROWS): a file beyond them
is refused whole with the limit named, before it is parsed, and nothing is written."""

from __future__ import annotations

import io

import pytest
import xlsxwriter

from shian.registry.imports import business_import
from shian.registry.models import Business
from shian.registry.tests.factories import credit_code

pytestmark = pytest.mark.django_db
HEAD = "名称,统一社会信用代码,业态,所属镇街,地址\n"


def _csv(n: int) -> bytes:
    return (
        HEAD + "".join(f"餐厅{i},{credit_code()},餐饮服务,果园新村街道,路{i}号\n" for i in range(n))
    ).encode()


def test_too_many_rows_in_a_csv(settings, personas):
    settings.SHIAN_IMPORT_MAX_ROWS = 5
    report = business_import(
        actor=personas("district_officer"), source="import", filename="a.csv", content=_csv(30)
    )
    assert (
        not report.ok
        and "SHIAN_IMPORT_MAX_ROWS" in report.issues[0].reason
        and "5行" in report.issues[0].reason
    )
    assert not Business.objects.exists()


def test_too_many_rows_in_a_workbook_is_refused_from_its_used_range(settings, personas):
    settings.SHIAN_IMPORT_MAX_ROWS = 5
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf)
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["名称", "统一社会信用代码", "业态", "所属镇街"])
    sheet.write(100_000, 0, "最后一行")  # the used range reaches row 100,001
    book.close()
    report = business_import(
        actor=personas("district_officer"), source="import", filename="a.xlsx", content=buf.getvalue()
    )
    assert not report.ok and "SHIAN_IMPORT_MAX_ROWS" in report.issues[0].reason


def test_too_large_a_file(settings, personas):
    settings.SHIAN_IMPORT_MAX_BYTES = 1024
    report = business_import(
        actor=personas("district_officer"), source="import", filename="a.csv", content=_csv(40)
    )
    assert not report.ok and "SHIAN_IMPORT_MAX_BYTES" in report.issues[0].reason
    small = business_import(
        actor=personas("district_officer"), source="import", filename="a.csv", content=_csv(2)
    )
    assert small.ok
