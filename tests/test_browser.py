"""A real browser against a real server: log in, import a workbook, find a business with the htmx
live search. The server runs in its own process on a throw-away SQLite database (pytest-django's
live_server cannot be used: the audit table's triggers refuse the flush between tests)."""

from __future__ import annotations

import contextlib
import io
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from shian.core.rules import make_credit_code

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
USERNAME = "e2e_officer"
PASSWORD = "E2e-officer-pass-2022"
CREATE_USER = (
    "from shian.core.models import Role, User; "
    f"User.objects.create_user({USERNAME!r}, password={PASSWORD!r}, role=Role.DISTRICT_OFFICER, "
    "full_name='区食安办 测试员')"
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited early:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - a loopback URL we built
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    raise RuntimeError(f"the server did not answer within {timeout}s:\n{log.read_text()[-3000:]}")


@contextlib.contextmanager
def running_server(tmp: Path, setup: str) -> Iterator[tuple[str, str]]:
    """A migrated SQLite database in `tmp`, `setup` run in `shian shell` against it, and the
    development server on a free port until the block ends. Yields the base URL and what `setup`
    printed."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    env = {
        **os.environ,
        "SHIAN_DATA_DIR": str(tmp),
        "DATABASE_URL": f"sqlite:///{tmp / 'e2e.sqlite3'}",
        "SHIAN_DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "shian.settings",
    }
    shian = [sys.executable, "-m", "shian"]
    subprocess.run([*shian, "migrate", "--noinput", "-v", "0"], env=env, check=True, timeout=300)
    printed = subprocess.run(
        [*shian, "shell", "-c", setup], env=env, check=True, timeout=120, capture_output=True, text=True
    ).stdout
    port = _free_port()
    log = tmp / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [*shian, "runserver", f"127.0.0.1:{port}", "--noreload", "--skip-checks"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{base}/accounts/login/", proc, log)
        yield base, printed
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_server(tmp_path_factory.mktemp("e2e"), CREATE_USER) as (base, _):
        yield base


def _register_workbook(names: list[str]) -> bytes:
    from shian.registry.imports import IMPORT_HEADERS

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(IMPORT_HEADERS)
    column = {h: i for i, h in enumerate(IMPORT_HEADERS)}
    for n, name in enumerate(names, start=1):
        row: list[object] = [None] * len(IMPORT_HEADERS)
        row[column["名称"]] = name
        row[column["统一社会信用代码"]] = make_credit_code(
            authority="9", kind="1", division="120113", org_body=f"{81000000 + n:08d}"
        )
        row[column["业态"]] = "餐饮服务"
        row[column["所属镇街"]] = "果园新村街道" if n % 2 else "天穆镇"
        row[column["开业日期"]] = "2021-03-01"
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_import_then_find_with_live_search(server: str, tmp_path: Path) -> None:
    from playwright.sync_api import FilePayload, expect, sync_playwright

    names = ["北辰区果园新村鑫隆餐厅", "北辰区天穆福祥面馆", "北辰区果园新村瑞丰快餐店"]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            # A Chinese office browser; the language comes from Accept-Language until one is chosen.
            page = browser.new_page(viewport={"width": 1366, "height": 768}, locale="zh-CN")
            page.set_default_timeout(15_000)
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

            # Log in through the login page (Chinese by default).
            page.goto(f"{server}/accounts/login/")
            expect(page.locator("h1")).to_have_text("登录")
            page.fill("#id_username", USERNAME)
            page.fill("#id_password", PASSWORD)
            page.get_by_role("button", name="登录").click()
            expect(page).to_have_url(f"{server}/")
            expect(page.locator(".who-name")).to_have_text("区食安办 测试员")

            # Import three businesses from a workbook.
            page.locator("#sidenav").get_by_role("link", name="批量导入").click()
            workbook: FilePayload = {
                "name": "登记簿.xlsx",
                "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "buffer": _register_workbook(names),
            }
            page.set_input_files("#id_file", files=[workbook])
            page.get_by_role("button", name="上传并导入").click()
            expect(page.locator(".result-ok h2")).to_have_text("导入完成")
            expect(page.locator(".n-created")).to_have_text("3")

            # The register shows them; typing in the search box filters the table in place (htmx).
            page.locator("#sidenav").get_by_role("link", name="食品经营主体").click()
            expect(page.locator(".total")).to_contain_text("共 3 条")
            page.evaluate("window.__sameDocument = true")
            page.fill("#id_q", "福祥")
            rows = page.locator(".business-table tbody tr")
            expect(rows).to_have_count(1)
            expect(rows.first).to_contain_text(names[1])
            expect(rows.first).to_contain_text("天穆镇")
            expect(page.locator(".total")).to_contain_text("共 1 条")
            assert page.evaluate("window.__sameDocument") is True  # no full page load
            expect(page).to_have_url(f"{server}/registry/businesses/?q=%E7%A6%8F%E7%A5%A5")
            export = page.get_by_role("link", name="导出Excel")
            assert export.get_attribute("href") == "/registry/businesses/export.xlsx?q=%E7%A6%8F%E7%A5%A5"
            page.screenshot(path=str(tmp_path / "register-search.png"), full_page=True)

            # The business's page shows its history: imported from a file by this officer.
            rows.first.get_by_role("link").click()
            expect(page.locator("h1")).to_contain_text(names[1])
            expect(page.locator(".timeline")).to_contain_text("文件导入")

            # The dashboard draws its charts with the local ECharts.
            page.goto(f"{server}/")
            expect(page.locator("#chart-by-region canvas")).to_have_count(1)
            # The office's own key figures come first; the register's count is in the overview below.
            register = page.locator(".kpi").filter(has_text="登记在册经营主体")
            expect(register).to_contain_text("3")
            page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)

            # English on request, back on the same page with the same filters.
            page.goto(f"{server}/registry/businesses/?q=%E7%A6%8F%E7%A5%A5")
            page.get_by_role("button", name="English").click()
            expect(page.locator("h1")).to_have_text("Food business register")
            expect(page).to_have_url(f"{server}/registry/businesses/?q=%E7%A6%8F%E7%A5%A5")
            expect(page.locator(".total")).to_contain_text("1 business in total")
            assert errors == []  # no script error, no missing asset
        finally:
            browser.close()
    assert (tmp_path / "register-search.png").stat().st_size > 10_000
