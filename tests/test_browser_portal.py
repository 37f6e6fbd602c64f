"""The business portal on a phone, in a real Chromium against a real server: a school canteen's
business account signs in, sees its licence warning and its open rectification order, reports on
it with a photo, and records the headmaster's accompanied meal. The pages fit a 390-pixel screen
(no sideways scrolling); screenshots are kept for a look."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, running_server

pytestmark = pytest.mark.browser

USERNAME = "e2e_canteen"
PASSWORD = "E2e-canteen-pass-2024"
SETUP = f"""
import datetime as dt
from django.utils import timezone
from shian.core.models import AuditSource, Role, User
from shian.inspections import services
from shian.inspections.models import Rectification
from shian.portal.services import business_account_create
from shian.registry.tests.factories import make_business
from shian.schools.models import School
today = timezone.localdate()
b = make_business(name="北辰区果园新村手机测试小学食堂", region_code="120113001", business_type="school_canteen",
                  categories=["31"], licence_valid_until=today + dt.timedelta(days=45))
team = [User.objects.create_user(f"e2e_i{{n}}", password="x-Unused-2024-pass", role=Role.INSPECTOR) for n in range(2)]
i = services.inspection_create(actor=None, source=AuditSource.SYSTEM, business=b,
                               inspected_on=today - dt.timedelta(days=2), inspectors=team)
services.inspection_record_answers(actor=None, source=AuditSource.SYSTEM, inspection=i,
    answers={{c: ("fail" if c == "C1" else "pass") for c in ["C1","C2","C3","C4","C5","C6","C7","C8","C9"]}},
    findings={{"C1": "从业人员健康证过期"}})
services.inspection_sign(actor=None, source=AuditSource.SYSTEM, inspection=i, signed_by="食堂负责人")
services.inspection_submit(actor=None, source=AuditSource.SYSTEM, inspection=i)
user, _ = business_account_create(actor=None, source=AuditSource.SYSTEM, business=b, username={USERNAME!r})
user.set_password({PASSWORD!r}); user.save()
s = School.objects.create(code="1112009001", name="北辰区果园新村手机测试小学", level="primary", ownership="public",
                          pupils=640, region_id="120113001", canteen=b, meals=["lunch"])
print("ORDER", Rectification.objects.get(finding__inspection=i).pk)
print("SCHOOL", s.pk)
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int, int]]:
    with running_server(tmp_path_factory.mktemp("e2e-portal"), SETUP) as (base, printed):
        found = dict(line.split() for line in printed.splitlines() if line.startswith(("ORDER", "SCHOOL")))
        yield base, int(found["ORDER"]), int(found["SCHOOL"])


def _photo() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (320, 240), (30, 140, 60)).save(buf, "JPEG", quality=85)
    return buf.getvalue()


def _fits(page) -> None:  # type: ignore[no-untyped-def]
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1, f"{page.url} is {width}px wide on a 390px phone"


def test_a_canteen_reports_on_its_order_and_records_a_meal_on_a_phone(
    server: tuple[str, int, int], tmp_path: Path
) -> None:
    from playwright.sync_api import FilePayload, expect, sync_playwright

    base, order, school = server
    shots = Path(os.environ.get("SHIAN_SCREENSHOTS", tmp_path))
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, "--lang=zh-CN"])
        try:
            context = browser.new_context(
                viewport={"width": 390, "height": 844}, locale="zh-CN", has_touch=True, is_mobile=True
            )
            context.set_default_timeout(15_000)
            errors: list[str] = []
            page = context.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(f"{base}/accounts/login/")
            expect(page.get_by_role("link", name="食品生产经营者申请企业账户")).to_be_visible()
            page.fill("#id_username", USERNAME)
            page.fill("#id_password", PASSWORD)
            page.get_by_role("button", name="登录").click()
            expect(page).to_have_url(f"{base}/")

            page.goto(f"{base}/portal/")
            expect(page.locator("#licence")).to_contain_text("许可证将于")
            expect(page.locator("#rectifications")).to_contain_text("从业人员健康证过期")
            _fits(page)
            page.screenshot(path=str(shots / "portal-home-390.png"), full_page=True)

            page.locator("#rectifications a").first.click()
            expect(page).to_have_url(f"{base}/portal/rectifications/{order}/")
            page.fill("textarea[name=text]", "已为全部从业人员办理健康证，证件已上墙公示")
            page.set_input_files(
                "input[name=photos]",
                [FilePayload(name="健康证.jpg", mimeType="image/jpeg", buffer=_photo())],
            )
            page.get_by_role("button", name="提交").click()
            expect(page.locator(".messages")).to_contain_text("整改报告已提交")
            expect(page.locator("ul.reports img")).to_have_count(1)
            _fits(page)
            page.screenshot(path=str(shots / "portal-rectification-390.png"), full_page=True)

            page.goto(f"{base}/portal/")
            expect(page.locator("#rectifications")).to_contain_text("已报告，待审核")
            page.get_by_role("link", name="记录陪餐 · 北辰区果园新村手机测试小学").click()
            expect(page).to_have_url(f"{base}/schools/{school}/meals/")
            page.fill("input[name=person]", "张校长")
            page.select_option("select[name=person_role]", "headmaster")
            page.fill("textarea[name=notes]", "饭菜温度适宜")
            page.get_by_role("button", name="保存").click()
            expect(page.locator(".messages")).to_contain_text("陪餐记录已保存")
            expect(page.locator("body")).to_contain_text("张校长（校长（园长））")
            _fits(page)
            page.screenshot(path=str(shots / "portal-meals-390.png"), full_page=True)

            # Staff pages are not the business's.
            response = page.goto(f"{base}/registry/businesses/")
            assert response is not None and response.status == 403
            assert errors == [], errors
        finally:
            browser.close()
