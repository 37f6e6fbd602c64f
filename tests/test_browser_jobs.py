"""A long export in a real Chromium against a real server: the inspections list offers its export
as a background job; the progress page shows the bar moving, survives a reload half-way (it is the
job's own address, polled by htmx from the local copy), the button that started it cannot be
clicked twice, and the file downloads when done and holds the listed rows.

The server queues jobs (SHIAN_JOBS_RUNNER=worker) and the test runs the job itself with
`shian jobs`' own service, held at half-way until the page has been reloaded: no timing."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, running_server

pytestmark = pytest.mark.browser

USERNAME = "e2e_jobs"
PASSWORD = "E2e-jobs-pass-2024"
NAMES = ["北辰区果园新村甲饭店", "北辰区果园新村乙饭店", "北辰区果园新村丙面馆"]
SETUP = f"""
import datetime as dt
from shian.core.models import AuditSource, Role, User
from shian.inspections import services
from shian.registry.tests.factories import make_business
me = User.objects.create_user({USERNAME!r}, password={PASSWORD!r}, role=Role.DISTRICT_OFFICER, full_name="区局 导出员")
other = User.objects.create_user("e2e_partner", password="x-Unused-2024-pass", role=Role.INSPECTOR, full_name="检查员乙")
for n, name in enumerate({NAMES!r}):
    b = make_business(name=name, region_code="120113001", business_type="catering")
    i = services.inspection_create(actor=me, source=AuditSource.SYSTEM, business=b,
                                   inspected_on=dt.date(2024, 9, 23 + n), inspectors=[me, other])
"""
# The runner, held after its first progress report until the test lets it go.
RUNNER = """
import sys, time
from pathlib import Path
from shian.inspections import exports
from shian.jobs import services
from shian.jobs.models import Job
exports.CHUNK = 1
services.PROGRESS_EVERY = 0
halfway, go = Path(sys.argv[1]), Path(sys.argv[2])
call = services._Progress.__call__
def held(self, done, total):
    call(self, done, total)
    if done == 1 and total > 1:
        halfway.touch()
        while not go.exists():
            time.sleep(0.05)
services._Progress.__call__ = held
services.job_run(job_id=Job.objects.get().pk)
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    tmp = tmp_path_factory.mktemp("e2e-jobs")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SHIAN_JOBS_RUNNER", "worker")
        mp.setenv("SHIAN_EXPORT_SYNC_ROWS", "1")
        with running_server(tmp, SETUP) as (base, _printed):
            yield base, tmp


def test_export_job_survives_a_reload_and_downloads(server: tuple[str, Path], tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    base, data = server
    shots = Path(os.environ.get("SHIAN_SCREENSHOTS") or tmp_path)
    env = {
        **os.environ,
        "SHIAN_DATA_DIR": str(data),
        "DATABASE_URL": f"sqlite:///{data / 'e2e.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "shian.settings",
    }
    halfway, go, log = tmp_path / "halfway", tmp_path / "go", tmp_path / "runner.log"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        runner = None
        try:
            page = browser.new_page(
                viewport={"width": 1280, "height": 800}, locale="zh-CN", accept_downloads=True
            )
            page.set_default_timeout(20_000)
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(f"{base}/accounts/login/")
            page.fill("#id_username", USERNAME)
            page.fill("#id_password", PASSWORD)
            page.get_by_role("button", name="登录").click()
            expect(page).to_have_url(f"{base}/")

            page.goto(f"{base}/inspections/?region=120113001")
            button = page.locator("form.job-start button")
            expect(button).to_have_text("导出Excel")
            # Submitted once, the button is disabled (a double click sends one request).
            disabled = page.evaluate(
                """() => new Promise((done) => {
                  const form = document.querySelector("form.job-start");
                  form.addEventListener("submit", (e) => e.preventDefault());
                  form.requestSubmit();
                  setTimeout(() => done(form.querySelector("button").disabled), 100);
                })"""
            )
            assert disabled is True
            page.reload()
            button.click()
            expect(page).to_have_url(f"{base}/jobs/1/")
            expect(page.locator(".job-state .chip")).to_have_text("排队中")

            runner = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "shian",
                    "shell",
                    "-c",
                    RUNNER.replace("sys.argv[1]", repr(str(halfway))).replace("sys.argv[2]", repr(str(go))),
                ],
                env=env,
                stdout=log.open("wb"),
                stderr=subprocess.STDOUT,
            )
            # The runner starts (a cold interpreter on a busy machine may take a while) and stops at
            # one row of three; the page, polling its status, shows it.
            for _ in range(1200):
                if halfway.exists() or runner.poll() is not None:
                    break
                page.wait_for_timeout(250)
            assert halfway.exists(), log.read_text(errors="replace")[-3000:]
            expect(page.locator(".job-count")).to_have_text("已处理 1 / 3 条")
            page.reload()
            expect(page.locator(".job-state .chip")).to_have_text("生成中")
            expect(page.locator(".job-count")).to_have_text("已处理 1 / 3 条")
            expect(page.locator(".progress")).to_have_attribute("aria-valuenow", "33")
            page.screenshot(path=str(shots / "job-halfway.png"), full_page=True)

            go.touch()
            link = page.locator("#job-download")
            expect(link).to_be_visible()
            expect(page.locator(".job-state .chip")).to_have_text("已完成")
            page.screenshot(path=str(shots / "job-done.png"), full_page=True)
            with page.expect_download() as info:
                link.click()
            download = info.value
            assert download.suggested_filename.startswith("监督检查记录_")
            rows = list(
                openpyxl.load_workbook(io.BytesIO(Path(download.path()).read_bytes())).active.iter_rows(
                    values_only=True
                )
            )
            assert sorted(r[0] for r in rows[2:] if r[0]) == sorted(NAMES)
            assert errors == []
        finally:
            go.touch()
            if runner is not None:
                runner.wait(timeout=60)
            browser.close()
