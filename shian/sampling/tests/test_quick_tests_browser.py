"""A real browser on the quick-test pages: register a market, record a positive quick test through
the form, tell the operator (the 4-hour countdown runs), file an objection in the window, find it
in the list, and see a bad import file refused with located problems. Chinese must render."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest

from shian.core.rules import make_credit_code
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, PASSWORD, USERNAME, server  # noqa: F401 - fixture

pytestmark = pytest.mark.browser
MARKET = "北辰区果园新村宜兴埠农贸市场"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _market_workbook() -> bytes:
    from shian.registry.imports import IMPORT_HEADERS

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(IMPORT_HEADERS)
    row: list[object] = [None] * len(IMPORT_HEADERS)
    column = {h: i for i, h in enumerate(IMPORT_HEADERS)}
    row[column["名称"]] = MARKET
    row[column["统一社会信用代码"]] = make_credit_code(
        authority="9", kind="1", division="120113", org_body="82000001"
    )
    row[column["业态"]] = "食用农产品市场"
    row[column["所属镇街"]] = "果园新村街道"
    sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _bad_quick_test_file() -> bytes:
    from shian.sampling.imports import QUICK_TEMPLATE_HEADERS

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(QUICK_TEMPLATE_HEADERS)
    sheet.append(["2022-05-03", MARKET, "A01 张记", "韭菜", "农残", "阴性", "10%", "", ""])
    sheet.append(["2022-05-03 07:40", "不存在的市场", "A02 李记", "猪肉", "克伦特罗", "阴性", "", "", ""])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_record_notify_object_and_import(server: str, tmp_path: Path) -> None:  # noqa: F811 - the fixture
    from playwright.sync_api import FilePayload, expect, sync_playwright

    market_file: FilePayload = {"name": "市场.xlsx", "mimeType": XLSX, "buffer": _market_workbook()}
    bad_file: FilePayload = {"name": "快检.xlsx", "mimeType": XLSX, "buffer": _bad_quick_test_file()}

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
            page.set_default_timeout(15_000)
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

            page.goto(f"{server}/accounts/login/")
            page.fill("#id_username", USERNAME)
            page.fill("#id_password", PASSWORD)
            page.get_by_role("button", name="登录").click()
            expect(page).to_have_url(f"{server}/")

            # The market enters the register through its import.
            page.goto(f"{server}/registry/import/")
            page.set_input_files("#id_file", files=[market_file])
            page.get_by_role("button", name="上传并导入").click()
            expect(page.locator(".result-ok h2")).to_have_text("导入完成")

            # A positive quick test through the form (the time defaults to now).
            page.goto(f"{server}/sampling/")
            page.locator("#main").get_by_role("link", name="快检", exact=True).click()
            expect(page.locator("h1")).to_have_text("快检记录")
            page.get_by_role("link", name="录入快检").click()
            page.select_option("#id_market", label=MARKET)
            page.fill("#id_stall", "A12 张记蔬菜")
            page.fill("#id_product", "韭菜")
            page.select_option("#id_item", label="有机磷和氨基甲酸酯类农药残留(酶抑制率)")
            page.get_by_label("阳性").first.check()
            page.fill("#id_reading", "68%")
            page.fill("#id_kit_batch", "20220401")
            page.get_by_role("button", name="保存").click()
            expect(page.locator("h1")).to_contain_text("快检：韭菜")
            expect(page.locator(".quick-status")).to_have_text("已检测")

            # Tell the operator: the sale stops, the four-hour window counts down.
            page.get_by_role("button", name="告知经营者").click()
            expect(page.locator(".quick-status")).to_have_text("已告知经营者（异议期内）")
            expect(page.locator(".countdown")).to_contain_text("剩余 3 小时")
            expect(page.locator(".fields")).to_contain_text("暂停销售")
            page.screenshot(path=str(tmp_path / "quick-test-window.png"), full_page=True)

            # The operator objects within the window.
            page.fill("#id_reason", "对检测结果有异议，申请复检")
            page.get_by_role("button", name="登记异议").click()
            expect(page.locator(".quick-status")).to_have_text("已提出异议，待复检")
            expect(page.get_by_role("button", name="录入复检结果")).to_be_visible()

            # The list shows it; the filter by result narrows in place.
            page.goto(f"{server}/sampling/quick-tests/")
            rows = page.locator(".quick-test-table tbody tr")
            expect(rows).to_have_count(1)
            expect(rows.first).to_contain_text(MARKET)
            expect(rows.first).to_contain_text("阳性")
            page.select_option("#id_result", "negative")
            expect(page.locator(".quick-test-table tbody tr td.empty")).to_have_count(1)
            page.select_option("#id_result", "positive")
            expect(rows).to_have_count(1)
            page.screenshot(path=str(tmp_path / "quick-test-list.png"), full_page=True)

            # A bad file: nothing imported, each problem located.
            page.goto(f"{server}/sampling/quick-tests/import/")
            page.set_input_files("#id_file", files=[bad_file])
            page.get_by_role("button", name="上传并导入").click()
            expect(page.locator(".result-failed h2")).to_have_text("文件未导入")
            expect(page.locator(".issues tbody tr")).to_have_count(2)
            expect(page.locator(".issues")).to_contain_text("缺少时刻")
            page.screenshot(path=str(tmp_path / "quick-test-import.png"), full_page=True)
            assert errors == []
        finally:
            browser.close()
    assert (tmp_path / "quick-test-window.png").stat().st_size > 10_000
