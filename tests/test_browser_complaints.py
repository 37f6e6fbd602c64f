"""A real browser through a complaint: a resident files it on a phone (390 px, no sideways
scrolling), gets a tracking code and follows it; the town's officer sees the complainant masked,
takes it (the name appears), accepts it; the resident's tracking page says so and shows no personal
data. Screenshots go to the test's tmp dir (and to SHIAN_SCREENSHOTS when set)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, running_server

pytestmark = pytest.mark.browser
SETUP = "from shian.complaints.tests.e2e import setup; setup()"


def test_public_complaint_to_acceptance(tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    from shian.complaints.tests.e2e import PASSWORD, USERNAME

    shots = Path(os.environ.get("SHIAN_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    with running_server(tmp_path, SETUP) as (base, _printed), sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            phone = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True)
            phone.set_default_timeout(20_000)
            errors: list[str] = []
            phone.on("pageerror", lambda exc: errors.append(str(exc)))
            phone.goto(f"{base}/ts/")
            assert phone.evaluate("document.documentElement.scrollWidth") <= 390
            phone.select_option("#id_kind", "complaint")
            phone.fill("#id_business_name", "天穆镇福满楼饭店")
            phone.fill("#id_business_address", "北辰区天穆镇京津公路100号")
            phone.fill("#id_facts", "6月1日晚在该店就餐，凉菜中吃出苍蝇")
            phone.fill("#id_request", "退还餐费并道歉")
            phone.fill("#id_person_name", "赵小红")
            phone.fill("#id_person_phone", "13911112222")
            phone.fill("#id_person_address", "天穆镇幸福里3号楼")
            phone.screenshot(path=str(shots / "complaint-form-390.png"), full_page=True)
            phone.get_by_role("button", name="提交").click()
            expect(phone.locator("h1")).to_have_text("您的投诉已提交")
            code = phone.locator(".public-code").inner_text().strip()
            assert code.startswith("TS") and len(code) == 12
            assert phone.evaluate("document.documentElement.scrollWidth") <= 390
            phone.locator("main").get_by_role("link", name="查询办理进度").click()
            expect(phone.locator("h2")).to_contain_text("已收到，等待受理")

            page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
            page.set_default_timeout(20_000)
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(f"{base}/accounts/login/")
            page.fill("#id_username", USERNAME)
            page.fill("#id_password", PASSWORD)
            page.get_by_role("button", name="登录").click()
            page.locator("#sidenav").get_by_role("link", name="投诉举报").click()
            page.get_by_role("link", name=code).click()
            expect(page.locator("main")).to_contain_text("赵**")
            expect(page.locator("main")).not_to_contain_text("赵小红")
            page.get_by_role("button", name="由我承办").click()
            expect(page.locator("main")).to_contain_text("赵小红")
            expect(page.locator("main")).to_contain_text("13911112222")
            page.select_option("#to", "accepted")
            page.locator("form[action$='/transition/'] button[type=submit]").click()
            expect(page.locator("h1")).to_contain_text("已受理")
            page.screenshot(path=str(shots / "complaint-detail.png"), full_page=True)

            phone.reload()
            expect(phone.locator("h2")).to_contain_text("已受理，正在处理")
            body = phone.locator("main").inner_text()
            assert "赵小红" not in body and "13911112222" not in body and "福满楼" not in body
            phone.screenshot(path=str(shots / "complaint-track-390.png"), full_page=True)
            assert errors == []
        finally:
            browser.close()
