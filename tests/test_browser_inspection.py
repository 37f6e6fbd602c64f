"""The inspection form on a tablet, in a real Chromium against a real server: a half-filled form
survives closing the page, a submit while offline keeps everything and says so, the business
representative draws the signature with pointer events, a photo is attached, and the record
locks. Screenshots at 1024×768 and 768×1024 are kept for a look."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, running_server

pytestmark = pytest.mark.browser

USERNAME = "e2e_inspector"
PASSWORD = "E2e-inspector-pass-2024"
SETUP = f"""
import datetime as dt
from shian.core.models import AuditSource, Role, User
from shian.inspections import services
from shian.registry.tests.factories import make_business
me = User.objects.create_user({USERNAME!r}, password={PASSWORD!r}, role=Role.DISTRICT_OFFICER, full_name="区局 检查员甲")
other = User.objects.create_user("e2e_partner", password="x-Unused-2024-pass", role=Role.INSPECTOR, full_name="检查员乙")
b = make_business(name="北辰区果园新村平板测试饭店", region_code="120113001", business_type="catering")
i = services.inspection_create(actor=me, source=AuditSource.SYSTEM, business=b,
                               inspected_on=dt.date(2024, 9, 27), inspectors=[me, other])
print("INSPECTION", i.pk)
"""
ALL = ["C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8", "C9"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    with running_server(tmp_path_factory.mktemp("e2e-inspection"), SETUP) as (base, printed):
        pk = int(next(line for line in printed.splitlines() if line.startswith("INSPECTION")).split()[1])
        yield base, pk


def _photo() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (320, 240), (180, 40, 40)).save(buf, "JPEG", quality=85)
    return buf.getvalue()


def test_tablet_form_offline_draft_signature_photo_and_lock(server: tuple[str, int], tmp_path: Path) -> None:
    from playwright.sync_api import FilePayload, expect, sync_playwright

    base, pk = server
    form_url = f"{base}/inspections/{pk}/"
    shots = Path(os.environ.get("SHIAN_SCREENSHOTS", tmp_path))
    with sync_playwright() as pw:
        # A Chinese browser: its own widgets (date fields) speak Chinese too.
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, "--lang=zh-CN"])
        try:
            context = browser.new_context(
                viewport={"width": 1024, "height": 768}, locale="zh-CN", has_touch=True
            )
            context.set_default_timeout(15_000)
            errors: list[str] = []
            page = context.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(f"{base}/accounts/login/")
            page.fill("#id_username", USERNAME)
            page.fill("#id_password", PASSWORD)
            page.get_by_role("button", name="登录").click()
            expect(page).to_have_url(f"{base}/")

            # Half the form: C1 fails with a finding, C2 passes.
            page.goto(form_url)
            expect(page.locator("h1")).to_contain_text("北辰区果园新村平板测试饭店")
            page.locator("#item-C1 .answer-fail").click()
            page.fill("#f_C1", "经营许可证未在显著位置公示")
            page.locator("#item-C2 .answer-pass").click()
            page.screenshot(path=str(shots / "inspection-form-1024x768.png"), full_page=False)

            # Close the page and open the form again: the half-filled form is back, with a notice.
            page.close()
            page = context.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(form_url)
            expect(page.locator("#draft-notice")).to_be_visible()
            expect(page.locator("#draft-notice")).to_contain_text("已恢复未提交的填写内容")
            expect(page.locator("input[name=a_C1][value=fail]")).to_be_checked()
            expect(page.locator("input[name=a_C2][value=pass]")).to_be_checked()
            expect(page.locator("#f_C1")).to_have_value("经营许可证未在显著位置公示")

            # The connection drops; saving says so and keeps every field on the page.
            context.set_offline(True)
            page.locator("#item-C3 .answer-pass").click()
            page.get_by_role("button", name="保存", exact=True).click()
            expect(page.locator("#offline-notice")).to_have_text(
                "网络已断开，内容已保存在本机，恢复网络后再提交"
            )
            expect(page).to_have_url(form_url)
            expect(page.locator("input[name=a_C1][value=fail]")).to_be_checked()
            expect(page.locator("input[name=a_C3][value=pass]")).to_be_checked()
            expect(page.locator("#f_C1")).to_have_value("经营许可证未在显著位置公示")
            stored = page.evaluate(f"localStorage.getItem('shian:inspection-draft:{pk}')")
            assert "经营许可证未在显著位置公示" in stored and '"a_C3":"pass"' in stored

            # Back online: finish the checklist, photograph C1, the representative signs by hand.
            context.set_offline(False)
            for code in ALL[3:]:
                page.locator(f"#item-{code} .answer-pass").click()
            photo: FilePayload = {"name": "现场.jpg", "mimeType": "image/jpeg", "buffer": _photo()}
            page.set_input_files("input[name=p_C1]", files=[photo])
            expect(page.locator("[data-for=p_C1]")).to_have_text("已选择 1 张，保存时上传")
            page.fill("input[name=signed_by]", "王经理")
            pad = page.locator("#signature-pad")
            pad.scroll_into_view_if_needed()
            box = pad.bounding_box()
            assert box is not None
            page.mouse.move(box["x"] + 40, box["y"] + box["height"] * 0.7)
            page.mouse.down()
            for step in range(1, 25):
                page.mouse.move(
                    box["x"] + 40 + step * 14, box["y"] + box["height"] * (0.7 - 0.4 * ((step % 6) / 6))
                )
            page.mouse.up()
            assert page.input_value("#signature-data").startswith("data:image/png;base64,")
            page.get_by_role("button", name="保存", exact=True).click()
            expect(page.locator(".message.success")).to_have_text("已保存")
            expect(page).to_have_url(form_url)
            expect(page.locator("#draft-notice")).to_be_hidden()
            assert page.evaluate(f"localStorage.getItem('shian:inspection-draft:{pk}')") is None
            signature = page.locator("img.signature-image")
            expect(signature).to_be_visible()
            assert (signature.get_attribute("src") or "").startswith("data:image/png;base64,")
            thumb = page.locator("#item-C1 .thumbs img")
            expect(thumb).to_have_count(1)
            # The thumbnail is a separate request after the page loads: wait for it, then check it
            # is the 320-px thumbnail the server made, not the photo.
            thumb.element_handle().wait_for_element_state("visible")
            page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=thumb.element_handle())
            assert thumb.evaluate("img => img.naturalWidth") == 320

            # Portrait tablet: touch targets at least 44 px, nothing wider than the screen.
            page.set_viewport_size({"width": 768, "height": 1024})
            sizes = page.evaluate(
                """() => [...document.querySelectorAll('.answer span, .btn.touch, .touch-check, .photo-input')]
                     .filter(e => e.getClientRects().length > 0)
                     .map(e => Math.round(e.getBoundingClientRect().height))"""
            )
            assert sizes and min(sizes) >= 44, sizes
            assert page.evaluate("document.documentElement.scrollWidth") <= 768
            page.screenshot(path=str(shots / "inspection-form-768x1024.png"), full_page=True)

            # Submit and lock: confirmed, then nothing on the record can be changed from the page.
            page.once("dialog", lambda dialog: dialog.accept())
            page.get_by_role("button", name="提交并锁定").click()
            expect(page.locator(".message.success")).to_have_text("检查记录已提交并锁定")
            expect(page.locator("input[name=a_C1][value=fail]")).to_be_disabled()
            expect(page.locator("#signature-pad")).to_have_count(0)
            expect(page.locator(".result")).to_have_text("基本符合")
            expect(page.locator("img.signature-image")).to_be_visible()

            # The order to put C1 right is on the follow-up page.
            page.set_viewport_size({"width": 1024, "height": 768})
            page.goto(f"{base}/inspections/rectifications/")
            expect(page.locator("h1")).to_contain_text("整改跟踪")
            expect(page.locator(".rect-table tbody tr")).to_have_count(1)
            expect(page.locator(".rect-table tbody tr").first).to_contain_text("北辰区果园新村平板测试饭店")
            page.screenshot(path=str(shots / "rectifications-1024x768.png"), full_page=True)
            assert errors == []
        finally:
            browser.close()
    assert (shots / "inspection-form-768x1024.png").stat().st_size > 10_000
