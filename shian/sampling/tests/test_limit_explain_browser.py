"""A real browser on the limit page: ask which limit applies to a result, see the verdict, the
food's category path in the standard and the row's edition. Chinese must render."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, PASSWORD, USERNAME, server  # noqa: F401 - fixture

pytestmark = pytest.mark.browser


def test_ask_which_limit_applies(server: str, tmp_path: Path) -> None:  # noqa: F811 - the fixture
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
            page.set_default_timeout(15_000)
            page.goto(f"{server}/accounts/login/")
            page.fill("#id_username", USERNAME)
            page.fill("#id_password", PASSWORD)
            page.get_by_role("button", name="登录").click()
            expect(page).to_have_url(f"{server}/")

            page.goto(f"{server}/sampling/")
            page.locator("#main").get_by_role("link", name="限量查询").click()
            expect(page.locator("h1")).to_have_text("限量查询与判定依据")
            page.fill("#id_food", "西芹")
            page.fill("#id_category", "食用农产品-蔬菜")
            page.fill("#id_item", "镉(以Cd计)")
            page.fill("#id_result", "0.15mg/kg")
            page.fill("#id_on", "2026-03-01")
            page.get_by_role("button", name="查询").click()
            expect(page.locator("#verdict-head")).to_have_text("判定：合格")
            expect(page.locator("table.data")).to_contain_text("茎类蔬菜 › 芹菜")
            expect(page.locator("table.data")).to_contain_text("GB 2762-2022")
            shot = Path(os.environ.get("SHIAN_SCREENSHOTS", tmp_path)) / "limit-explain.png"
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()
