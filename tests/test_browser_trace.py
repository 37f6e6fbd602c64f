"""A real browser through the recall flow: from the unqualified sample, pick its lot, see the
recall scope across two towns, start the recall, find a disposal task per business; then the
consumer page on a phone (390 px) says the lot is recalled. Screenshots go to the test's tmp dir
(and to SHIAN_SCREENSHOTS when set)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, running_server

pytestmark = pytest.mark.browser
SETUP = "from shian.trace.tests.e2e import setup; setup()"


def test_recall_flow_and_consumer_page(tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    from shian.trace.tests.e2e import PASSWORD, USERNAME

    shots = Path(os.environ.get("SHIAN_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    with running_server(tmp_path, SETUP) as (base, printed):
        ids = dict(
            part.split("=", 1) for part in printed.split() if part.startswith(("sample=", "lot=", "code="))
        )
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
                page.set_default_timeout(20_000)
                errors: list[str] = []
                page.on("pageerror", lambda exc: errors.append(str(exc)))
                page.goto(f"{base}/accounts/login/")
                page.fill("#id_username", USERNAME)
                page.fill("#id_password", PASSWORD)
                page.get_by_role("button", name="登录").click()
                expect(page.locator(".who-name")).to_have_text("区食安办 追溯测试员")

                page.locator("#sidenav").get_by_role("link", name="追溯").click()
                page.get_by_role("link", name="召回").first.click()
                expect(page.locator("h1")).to_have_text("召回")
                page.get_by_role("link", name="查看召回范围").click()
                page.get_by_role("link", name="东北大米 5kg R2203").click()
                scope = page.locator("table.trace-scope tbody tr")
                expect(scope).to_have_count(3)
                expect(page.locator("table.trace-scope")).to_contain_text("天穆粮油批发部")
                expect(page.locator("table.trace-scope")).to_contain_text("果园新村佳佳超市")
                page.get_by_role("button", name="启动召回").click()
                expect(page.locator(".messages")).to_contain_text("3 家主体已开启核查处置任务")
                tasks = page.locator("table.recall-businesses tbody tr")
                expect(tasks).to_have_count(3)
                expect(page.locator("table.recall-businesses")).to_contain_text("天穆镇")
                page.screenshot(path=str(shots / "trace-recall.png"), full_page=True)
                tasks.nth(2).get_by_role("link").click()
                expect(page.locator(".recall-target")).to_contain_text("果园新村佳佳超市")

                phone = browser.new_page(
                    viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True
                )
                phone.goto(f"{base}/t/{ids['code']}")
                expect(phone.locator(".banner-recall")).to_contain_text("该批次已被召回")
                expect(phone.locator(".path")).to_contain_text("天穆粮油批发部")
                expect(phone.locator(".qr svg")).to_have_count(1)
                assert phone.evaluate("document.documentElement.scrollWidth") <= 390
                phone.screenshot(path=str(shots / "trace-consumer-390.png"), full_page=True)
                assert errors == []
            finally:
                browser.close()
