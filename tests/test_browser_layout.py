"""The main pages at 1440 (desktop), 1024 (tablet) and 390 px (phone), as an inspector, the
district office and the public see them: every page is screenshotted (to the test's tmp dir, or to
SHIAN_SCREENSHOTS when set) and the test fails when the page or its main content scrolls sideways.
A wide table may scroll inside its own frame (.table-wrap); the page itself must not."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, running_server

pytestmark = pytest.mark.browser
SETUP = "from shian.web.tests.e2e_layout import setup; setup()"
WIDTHS = {"desktop": (1440, 900), "tablet": (1024, 768), "phone": (390, 844)}

# What sticks out of the viewport, outside a frame that scrolls on purpose.
OVERFLOW_JS = """() => {
  const doc = document.documentElement;
  const main = document.querySelector('main') || document.body;
  const width = doc.clientWidth;
  const out = [];
  for (const el of main.querySelectorAll('*')) {
    if (el.closest('.table-wrap, pre, .chart')) continue;
    const r = el.getBoundingClientRect();
    if (r.width && r.right > width + 1) {
      out.push(el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ').join('.') : '')
        + ' ' + Math.round(r.right) + 'px');
      if (out.length >= 5) break;
    }
  }
  return {page: doc.scrollWidth - width, main: main.scrollWidth - main.clientWidth, offenders: out};
}"""


def _pages(ids: dict[str, str]) -> dict[str, list[str]]:
    year = timezone.localdate().year
    return {
        "e2e_inspector": [
            "/",
            "/risk/visits/",
            "/inspections/",
            f"/inspections/start/?business={ids['business']}",
            f"/inspections/{ids['draft']}/",
            "/inspections/rectifications/",
            "/registry/businesses/",
            f"/registry/businesses/{ids['business']}/",
            f"/risk/grades/{ids['business']}/",
            f"/risk/draws/{ids['draw']}/",
        ],
        "e2e_office": [
            "/",
            f"/risk/plan/{year}/",
            "/risk/draws/new/",
            "/risk/grades/",
            "/sampling/",
            "/sampling/unqualified/",
            "/plan/2022/sampling/",
            "/plan/2022/sampling/?by=month",
            "/plan/2022/sampling/cells/?category=01",
        ],
        "anonymous": ["/accounts/login/", "/risk/draws/", f"/risk/draws/{ids['draw']}/", "/sampling/public/"],
    }


def test_main_pages_fit_desktop_tablet_and_phone(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    from shian.web.tests.e2e_layout import PASSWORD

    shots = Path(os.environ.get("SHIAN_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    with running_server(tmp_path, SETUP) as (base, printed):
        ids = dict(part.split("=", 1) for part in printed.split() if "=" in part)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                for who, urls in _pages(ids).items():
                    context = browser.new_context(locale="zh-CN")
                    page = context.new_page()
                    page.set_default_timeout(20_000)
                    errors: list[str] = []
                    page.on("pageerror", lambda exc, errors=errors: errors.append(str(exc)))
                    if who != "anonymous":
                        page.goto(f"{base}/accounts/login/")
                        page.fill("#id_username", who)
                        page.fill("#id_password", PASSWORD)
                        page.get_by_role("button", name="登录").click()
                        page.wait_for_url(f"{base}/")
                    for url in urls:
                        for label, (width, height) in WIDTHS.items():
                            page.set_viewport_size({"width": width, "height": height})
                            response = page.goto(f"{base}{url}")
                            assert response is not None and response.status == 200, f"{who} {url}: {response}"
                            name = re.sub(r"[^a-z0-9]+", "-", f"{who}{url}".lower()).strip("-")
                            page.screenshot(path=str(shots / f"{name}-{label}.png"), full_page=True)
                            m = page.evaluate(OVERFLOW_JS)
                            if m["page"] > 1 or m["main"] > 1 or m["offenders"]:
                                problems.append(f"{who} {url} at {width}px: {m}")
                    if who == "e2e_office":
                        problems += _sampling_drill_down(page, base, shots)
                    assert errors == [], f"{who}: script errors {errors}"
                    context.close()
            finally:
                browser.close()
    assert problems == [], "sideways scroll:\n" + "\n".join(problems)


def _sampling_drill_down(page: Any, base: str, shots: Path) -> list[str]:
    """The sampling plan on a phone and a tablet: a number of the pivot opens the rows behind it
    under the table (htmx), a row's reason opens on demand; the page stays within the screen."""
    problems = []
    for label in ("tablet", "phone"):
        width, height = WIDTHS[label]
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{base}/plan/2022/sampling/")
        first = page.locator(".pivot tbody td a").first
        expected = int(first.inner_text())
        first.click()
        page.locator("#drill .drill-row").first.wait_for()
        shown = sum(
            int(n)
            for n in page.locator("#drill .drill-row").evaluate_all(
                "rows => rows.map(r => r.dataset.batches)"
            )
        )
        if shown != expected:
            problems.append(f"drill-down at {width}px shows {shown} batches for a cell of {expected}")
        page.locator("#drill details summary").first.click()
        page.screenshot(path=str(shots / f"e2e-office-sampling-drill-{label}.png"), full_page=True)
        m = page.evaluate(OVERFLOW_JS)
        if m["page"] > 1 or m["main"] > 1 or m["offenders"]:
            problems.append(f"sampling drill-down at {width}px: {m}")
    return problems
