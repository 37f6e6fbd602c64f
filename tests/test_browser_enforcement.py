"""A real browser through a case: from the unqualified sample's page open the case (立案查处),
record the legal basis and the goods' value, file, investigate, notify, decide a fine in its
discretion band (a fine outside the band is refused first, naming the article), execute and close;
the case page shows the clocks and the decision is due for publication. Screenshots go to the
test's tmp dir (and to SHIAN_SCREENSHOTS when set)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, running_server

pytestmark = pytest.mark.browser
SETUP = "from shian.enforcement.tests.e2e import setup; setup()"


def test_case_from_unqualified_sample_to_closure(tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    from shian.enforcement.tests.e2e import PASSWORD, USERNAME

    shots = Path(os.environ.get("SHIAN_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    with running_server(tmp_path, SETUP) as (base, printed):
        sample = printed.split("sample=", 1)[1].split()[0]
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
                expect(page.locator(".who-name")).to_have_text("区市场监管局 执法测试员")

                page.goto(f"{base}/sampling/{sample}/")
                page.locator("#open-case").click()
                expect(page.locator("h1")).to_contain_text("登记案件线索")
                expect(page.locator("body")).to_contain_text("BC2022-E2E-ENF")
                page.fill("#lead_received_on", "2022-03-25")
                page.get_by_label("铁拳行动").check()
                page.locator("#open-case").click()
                expect(page.locator("#case-status")).to_have_text("线索核查")
                expect(page.locator("body")).to_contain_text("核查线索并决定是否立案")

                page.select_option("#basis_code", "fsl-124")
                page.fill("#goods_value", "3000")
                page.locator("#save-facts").click()
                expect(page.locator("body")).to_contain_text("《食品安全法》第一百二十四条第一款")

                for status, day in (
                    ("filed", "2022-03-28"),
                    ("investigation", "2022-03-29"),
                    ("notice", "2022-04-01"),
                ):
                    page.select_option("#to", status)
                    page.fill("#on", day)
                    page.locator("#transition").click()
                expect(page.locator("#case-status")).to_have_text("已告知（陈述申辩期）")

                decide = page.locator("#decide-form")
                decide.locator("input[name=on]").fill("2022-04-15")
                page.fill("#decision_number", "津辰市监罚〔2022〕15号")
                decide.get_by_label("罚款", exact=True).check()
                page.fill("#fine_amount", "120000")
                page.select_option("#band", "lighter")
                page.locator("#decide").click()
                expect(page.locator(".messages")).to_contain_text("第一百二十四条")
                expect(page.locator("#case-status")).to_have_text("已告知（陈述申辩期）")

                decide.locator("input[name=on]").fill("2022-04-15")
                page.fill("#decision_number", "津辰市监罚〔2022〕15号")
                decide.get_by_label("罚款", exact=True).check()
                page.fill("#fine_amount", "60000")
                page.select_option("#band", "lighter")
                page.locator("#decide").click()
                expect(page.locator("#case-status")).to_have_text("已作出处罚决定")
                expect(page.locator("body")).to_contain_text("处罚信息公示：待公示")

                for status, day in (("execution", "2022-04-18"), ("closed", "2022-05-06")):
                    page.select_option("#to", status)
                    page.fill("#on", day)
                    page.locator("#transition").click()
                expect(page.locator("#case-status")).to_have_text("已结案")
                page.screenshot(path=str(shots / "enforcement-case.png"), full_page=True)
                assert not errors, errors
            finally:
                browser.close()
