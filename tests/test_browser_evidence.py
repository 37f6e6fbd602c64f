"""A real browser on a case: open it from the unqualified sample, take it to investigation, upload a
PDF as evidence (listed with its size and checksum, downloadable), a file that is not evidence is
refused by name; then two tabs on the same case: the second tab's change, made from the page the
first one changed, is refused with the conflict message and the case keeps the first change.
Screenshots go to the test's tmp dir (and to SHIAN_SCREENSHOTS when set)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, running_server

pytestmark = pytest.mark.browser
SETUP = "from shian.enforcement.tests.e2e import setup; setup()"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


def test_evidence_upload_and_a_stale_tab(tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    from shian.enforcement.tests.e2e import PASSWORD, USERNAME

    shots = Path(os.environ.get("SHIAN_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    report = tmp_path / "检验报告.pdf"
    report.write_bytes(PDF)
    program = tmp_path / "工具.exe"
    program.write_bytes(b"MZ\x90\x00" + b"\x00" * 64)
    with running_server(tmp_path, SETUP) as (base, printed):
        sample = printed.split("sample=", 1)[1].split()[0]
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
                page = context.new_page()
                page.set_default_timeout(20_000)
                errors: list[str] = []
                page.on("pageerror", lambda exc: errors.append(str(exc)))
                page.goto(f"{base}/accounts/login/")
                page.fill("#id_username", USERNAME)
                page.fill("#id_password", PASSWORD)
                page.get_by_role("button", name="登录").click()

                page.goto(f"{base}/sampling/{sample}/")
                page.locator("#open-case").click()
                page.fill("#lead_received_on", "2022-03-25")
                page.locator("#open-case").click()
                expect(page.locator("#case-status")).to_have_text("线索核查")
                page.select_option("#basis_code", "fsl-124")
                page.fill("#goods_value", "3000")
                page.locator("#save-facts").click()
                for status, day in (("filed", "2022-03-28"), ("investigation", "2022-03-29")):
                    page.select_option("#to", status)
                    page.fill("#on", day)
                    page.locator("#transition").click()
                case_url = page.url

                form = page.locator("#evidence-form")
                page.locator("summary", has_text="期限延长、证据、查封扣押").click()
                form.locator("input[name=title]").fill("芹菜检验报告")
                form.locator("input[name=kind]").fill("检验报告")
                form.locator("input[name=on]").fill("2022-03-29")
                form.locator("input[name=file]").set_input_files(str(report))
                form.get_by_role("button", name="添加证据").click()
                listed = page.locator(".evidence-list")
                expect(listed).to_contain_text("检验报告.pdf")
                expect(listed).to_contain_text("SHA-256")

                page.locator("summary", has_text="期限延长、证据、查封扣押").click()
                form = page.locator("#evidence-form")
                form.locator("input[name=title]").fill("工具")
                form.locator("input[name=kind]").fill("物证")
                form.locator("input[name=file]").set_input_files(str(program))
                form.get_by_role("button", name="添加证据").click()
                expect(page.locator(".messages")).to_contain_text("文件“工具.exe”不是可接受的证据文件类型")
                expect(page.locator(".evidence-list li")).to_have_count(1)
                page.screenshot(path=str(shots / "enforcement-evidence.png"), full_page=True)

                # Two tabs on the case: the first moves it on to 告知; the second, still showing
                # 调查取证, adds a seizure and is refused.
                other = context.new_page()
                other.goto(case_url)
                page.goto(case_url)
                page.select_option("#to", "notice")
                page.fill("#on", "2022-04-01")
                page.locator("#transition").click()
                expect(page.locator("#case-status")).to_have_text("已告知（陈述申辩期）")
                other.locator("summary", has_text="期限延长、证据、查封扣押").click()
                measure = other.locator("form:has(input[name=action][value=measure])")
                measure.locator("input[name=items]").fill("芹菜 40 公斤")
                measure.get_by_role("button", name="采取措施").click()
                expect(other.locator("body")).to_contain_text("此记录已被他人修改，请刷新后重试")
                other.screenshot(path=str(shots / "edit-conflict.png"), full_page=True)
                other.get_by_role("link", name="返回并刷新").click()
                expect(other.locator("#case-status")).to_have_text("已告知（陈述申辩期）")
                assert not errors, errors
            finally:
                browser.close()
