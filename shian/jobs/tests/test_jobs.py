"""Background jobs end to end through the pages: a long export asked for from the inspections
list runs to done with its progress reported, its file opens in Excel and holds exactly the
filtered rows; it is its owner's alone; a second click is the same job; a failure says why in
Chinese and leaves no file; a runner that died is swept; the register, rectification and report
exports go the same way; a short list still downloads at once."""

from __future__ import annotations

import datetime as dt
import errno
import io
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from shian.core.models import AuditEntry, AuditSource, Role
from shian.core.tests.factories import TOWN_A, TOWN_B, UserFactory
from shian.inspections import exports as inspection_exports
from shian.inspections import services as inspection_services
from shian.inspections.models import Inspection
from shian.jobs import runner, services
from shian.jobs.models import Job, JobState
from shian.registry.tests.factories import make_business
from shian.reports.tests.test_report_command import plan_2022  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db
ALL = ["C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8", "C9"]


@pytest.fixture(autouse=True)
def _own_jobs_dir(settings, tmp_path):
    settings.SHIAN_JOBS_DIR = tmp_path / "jobs"


def _submitted(business, on: dt.date, team, fail=()):
    i = inspection_services.inspection_create(
        actor=None, source=AuditSource.SYSTEM, business=business, inspected_on=on, inspectors=team
    )
    inspection_services.inspection_record_answers(
        actor=None,
        source=AuditSource.SYSTEM,
        inspection=i,
        answers={c: ("fail" if c in fail else "pass") for c in ALL},
        findings=dict.fromkeys(fail, "从业人员健康证过期"),
    )
    inspection_services.inspection_sign(
        actor=None, source=AuditSource.SYSTEM, inspection=i, signed_by="负责人"
    )
    return inspection_services.inspection_submit(actor=None, source=AuditSource.SYSTEM, inspection=i)


@pytest.fixture
def week(personas):
    """Inspections of one autumn in two towns by two teams, some failed (so orders are open)."""
    me = personas("inspector")
    me.full_name = "王检查"
    me.save()
    partner = UserFactory.create(username="li", role=Role.INSPECTOR, full_name="李协查")
    other = [
        UserFactory.create(username=f"o{n}", role=Role.INSPECTOR, full_name=f"赵另组{n}") for n in (1, 2)
    ]
    shops = {
        name: make_business(name=name, region_code=town, business_type="catering")
        for name, town in [
            ("果园新村甲饭店", TOWN_A),
            ("果园新村乙饭店", TOWN_A),
            ("果园新村丙面馆", TOWN_A),
            ("果园新村丁快餐", TOWN_A),
            ("天穆戊饭店", TOWN_B),
        ]
    }
    _submitted(shops["果园新村甲饭店"], dt.date(2024, 9, 27), [me, partner], fail=("C1",))
    _submitted(shops["果园新村乙饭店"], dt.date(2024, 10, 8), [me, partner], fail=("C2",))
    _submitted(shops["果园新村丙面馆"], dt.date(2024, 10, 9), [me, partner])
    _submitted(shops["果园新村丁快餐"], dt.date(2024, 10, 10), other, fail=("C3",))  # another team
    _submitted(shops["天穆戊饭店"], dt.date(2024, 10, 8), [me, partner], fail=("C4",))  # another town
    return {"me": me, "shops": shops}


def _sheet(content: bytes) -> tuple[list[str], list[tuple]]:
    rows = list(openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    header = next(i for i, row in enumerate(rows) if row[0] in ("主体", "名称", "统一社会信用代码"))
    return list(rows[header]), [row for row in rows[header + 1 :] if row[0]]


def _job_of(response) -> Job:
    assert response.status_code == 302, response.content.decode()[:500]
    return Job.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))


@override_settings(SHIAN_EXPORT_SYNC_ROWS=2)
def test_a_long_filtered_export_runs_as_a_job_to_done_and_holds_exactly_the_filtered_rows(
    week, client_for, monkeypatch
):
    # Report after every row and write every report, to see the bar move on a short list.
    monkeypatch.setattr(inspection_exports, "CHUNK", 1)
    monkeypatch.setattr(services, "PROGRESS_EVERY", 0)
    seen: list[tuple[int, int]] = []
    call = services._Progress.__call__

    def spy(self, done, total):
        seen.append((done, total))
        call(self, done, total)

    monkeypatch.setattr(services._Progress, "__call__", spy)
    client = client_for("district_officer")
    query = f"start=2024-10-01&end=2024-10-31&region={TOWN_A}&inspector={week['me'].pk}"
    page = client.get(f"/inspections/?{query}").content.decode()
    # Two rows match: above the threshold (2)? No — equal: the page offers the direct download.
    assert 'name="job" value="inspections"' not in page
    page = client.get(f"/inspections/?region={TOWN_A}").content.decode()  # four rows: a job
    assert 'name="job" value="inspections"' in page and "data-submit-once" in page

    job = _job_of(client.post("/jobs/start/", {"job": "inspections", "query": query}))
    assert job.state == JobState.DONE
    assert (job.done, job.total) == (2, 2)
    assert seen[0] == (1, 2) and seen[-1] == (2, 2)
    assert job.params == {
        "start": "2024-10-01",
        "end": "2024-10-31",
        "region": TOWN_A,
        "inspector": str(week["me"].pk),
    }

    html = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "100%" in html and f'href="/jobs/{job.pk}/download/"' in html and "hx-trigger" not in html
    response = client.get(f"/jobs/{job.pk}/download/")
    assert response.status_code == 200 and response["Content-Type"].endswith("spreadsheetml.sheet")
    headers, rows = _sheet(b"".join(response.streaming_content))
    assert sorted(r[0] for r in rows) == ["果园新村丙面馆", "果园新村乙饭店"]
    assert all("王检查" in r[headers.index("检查人员")] for r in rows)
    # The asking and the outcome are in the audit trail.
    states = [e.after.get("state") for e in AuditEntry.objects.filter(object_type="jobs.job").order_by("seq")]
    assert states == [None, "done"]


def test_the_campaign_and_result_filters_reach_the_job(week, client_for):
    client = client_for("district_officer")
    job = _job_of(
        client.post("/jobs/start/", {"job": "inspections", "query": "result=fail&region=" + TOWN_A})
    )
    _h, rows = _sheet(b"".join(client.get(f"/jobs/{job.pk}/download/").streaming_content))
    failed = Inspection.objects.filter(result="fail", region_id=TOWN_A)
    assert 0 < failed.count() < 4  # the filter keeps some of town A's four, not all
    assert sorted(r[0] for r in rows) == sorted(i.business.name for i in failed)
    job = _job_of(client.post("/jobs/start/", {"job": "inspections", "query": "campaign=no-such-campaign"}))
    _h, rows = _sheet(b"".join(client.get(f"/jobs/{job.pk}/download/").streaming_content))
    assert rows == []


def test_a_town_officers_job_exports_their_town_only(week, client_for):
    job = _job_of(client_for("town_b_officer").post("/jobs/start/", {"job": "inspections", "query": ""}))
    _h, rows = _sheet(
        b"".join(client_for("town_b_officer").get(f"/jobs/{job.pk}/download/").streaming_content)
    )
    assert [r[0] for r in rows] == ["天穆戊饭店"]


def test_another_persons_job_is_not_found(week, client_for):
    job = _job_of(client_for("district_officer").post("/jobs/start/", {"job": "inspections", "query": ""}))
    for who in ("town_a_officer", "district_admin"):
        client = client_for(who)
        for url in (f"/jobs/{job.pk}/", f"/jobs/{job.pk}/status/", f"/jobs/{job.pk}/download/"):
            assert client.get(url).status_code == 404, (who, url)
        assert f"/jobs/{job.pk}/" not in client.get("/jobs/").content.decode()
    assert client_for("anonymous").get(f"/jobs/{job.pk}/download/").status_code == 302
    assert client_for("district_officer").get("/jobs/999999/").status_code == 404


@override_settings(SHIAN_JOBS_RUNNER="worker")
def test_a_second_submission_while_queued_or_running_is_the_same_job(week, client_for):
    client = client_for("district_officer")
    form = {"job": "inspections", "query": f"region={TOWN_A}&result=fail"}
    first = _job_of(client.post("/jobs/start/", form))
    # The same filters in another order are the same request.
    second = _job_of(
        client.post("/jobs/start/", {"job": "inspections", "query": f"result=fail&region={TOWN_A}"})
    )
    assert first.pk == second.pk and Job.objects.count() == 1
    assert first.state == JobState.QUEUED
    html = client.get(f"/jobs/{first.pk}/").content.decode()
    assert f'hx-get="/jobs/{first.pk}/status/"' in html and 'hx-trigger="every 1s"' in html
    services.job_run(job_id=first.pk)
    Job.objects.filter(pk=first.pk).update(state=JobState.RUNNING)
    assert _job_of(client.post("/jobs/start/", form)).pk == first.pk
    Job.objects.filter(pk=first.pk).update(state=JobState.DONE)
    # Once it is over, asking again makes a new file; another person's same request is their own.
    assert _job_of(client.post("/jobs/start/", form)).pk != first.pk
    assert (
        _job_of(client_for("town_a_officer").post("/jobs/start/", form)).owner.username != "district_officer"
    )
    assert Job.objects.count() == 3


def test_a_failing_job_shows_failed_with_its_message_and_leaves_no_file(week, client_for, monkeypatch):
    def full_disk(*, user, filters, progress=None):
        progress(1, 4)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(inspection_exports, "inspections_xlsx", full_disk)
    client = client_for("district_officer")
    job = _job_of(client.post("/jobs/start/", {"job": "inspections", "query": ""}))
    assert job.state == JobState.FAILED and job.result_path == ""
    assert job.message == services.DISK_FULL and str(settings.SHIAN_JOBS_DIR) not in job.message
    fragment = client.get(f"/jobs/{job.pk}/status/").content.decode()
    assert "失败" in fragment and "磁盘空间不足" in fragment and "hx-trigger" not in fragment
    assert client.get(f"/jobs/{job.pk}/download/").status_code == 404
    assert not [
        p for p in Path(settings.SHIAN_JOBS_DIR).iterdir() if p.name.lstrip(".").startswith(f"{job.pk}-")
    ]


def test_an_unexpected_error_reads_as_a_sentence_not_a_trace(week, client_for, monkeypatch):
    def broken(**kwargs):
        raise KeyError("region")

    monkeypatch.setattr(inspection_exports, "inspections_xlsx", broken)
    job = _job_of(client_for("district_officer").post("/jobs/start/", {"job": "inspections", "query": ""}))
    assert job.state == JobState.FAILED
    assert job.message.startswith("生成失败：内部错误（KeyError）") and "Traceback" not in job.message


def test_a_job_whose_runner_died_is_swept_as_failed(week, personas):
    owner = personas("district_officer")
    job, _ = services.job_submit(actor=owner, kind="inspections", data={"query": ""})
    long_ago = timezone.now() - dt.timedelta(minutes=settings.SHIAN_JOBS_STALE_MINUTES + 1)
    Job.objects.filter(pk=job.pk).update(state=JobState.RUNNING, heartbeat_at=long_ago, done=3, total=9)
    leftover = services.jobs_dir() / f".{job.pk}-abc.xlsx.partial-1234"
    leftover.write_bytes(b"half a workbook")
    fresh, _ = services.job_submit(actor=owner, kind="inspections", data={"query": "result=fail"})
    Job.objects.filter(pk=fresh.pk).update(state=JobState.RUNNING, heartbeat_at=timezone.now())
    assert services.job_sweep_stale() == 1
    job.refresh_from_db()
    fresh.refresh_from_db()
    assert job.state == JobState.FAILED and "任务中断" in job.message and not leftover.exists()
    assert fresh.state == JobState.RUNNING


def test_a_job_checks_the_owners_rights_again_when_it_runs(week, personas):
    owner = personas("town_a_officer")
    job, _ = services.job_submit(actor=owner, kind="inspections", data={"query": ""})
    owner.role = Role.LAB
    owner.save()
    job = services.job_run(job_id=job.pk)
    assert job.state == JobState.FAILED and "无权" in job.message


def test_the_lab_may_not_start_an_export_and_an_unknown_kind_is_refused(week, client_for):
    assert client_for("lab").post("/jobs/start/", {"job": "inspections"}).status_code == 403
    response = client_for("district_officer").post("/jobs/start/", {"job": "nothing"})
    assert response.status_code == 400 and "未知的任务类型" in response.content.decode()
    assert not Job.objects.exists()


@override_settings(SHIAN_EXPORT_SYNC_ROWS=1)
def test_the_rectification_export_as_a_job_keeps_its_filters(week, client_for, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(2024, 11, 20))
    client = client_for("district_officer")
    assert 'name="job" value="rectifications"' in client.get("/inspections/rectifications/").content.decode()
    job = _job_of(
        client.post("/jobs/start/", {"job": "rectifications", "query": f"region={TOWN_A}&overdue=1"})
    )
    assert job.state == JobState.DONE and job.total == 3
    _h, rows = _sheet(b"".join(client.get(f"/jobs/{job.pk}/download/").streaming_content))
    assert sorted(r[0] for r in rows) == ["果园新村丁快餐", "果园新村乙饭店", "果园新村甲饭店"]


@override_settings(SHIAN_EXPORT_SYNC_ROWS=1)
def test_the_register_export_as_a_job(week, client_for):
    client = client_for("district_officer")
    assert 'name="job" value="register"' in client.get("/registry/businesses/").content.decode()
    job = _job_of(client.post("/jobs/start/", {"job": "register", "query": f"region={TOWN_B}"}))
    assert job.state == JobState.DONE and (job.done, job.total) == (1, 1)
    response = client.get(f"/jobs/{job.pk}/download/")
    assert "%E9%A3%9F%E5%93%81%E7%BB%8F%E8%90%A5%E4%B8%BB%E4%BD%93" in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    names = [row[0] for row in book.active.iter_rows(min_row=2, values_only=True) if row[0]]
    assert names == ["天穆戊饭店"]


def test_a_report_job_for_a_year_without_a_plan_is_refused_in_chinese(client_for):
    response = client_for("district_officer").post(
        "/jobs/start/", {"job": "report", "kind": "yearly", "year": "2019", "format": "pdf"}
    )
    assert response.status_code == 400 and "2019 年没有现行的年度计划" in response.content.decode()
    response = client_for("district_officer").post(
        "/jobs/start/", {"job": "report", "kind": "quarterly", "year": "2022", "format": "pdf"}
    )
    assert response.status_code == 400 and "季度报告须指定季度" in response.content.decode()


def test_the_subprocess_runner_starts_a_detached_shian_jobs_run(monkeypatch, personas):
    started: list[tuple[list[str], dict]] = []

    class FakePopen:
        def __init__(self, cmd, **kwargs):
            started.append((cmd, kwargs))

        def poll(self):
            return None

    monkeypatch.setattr(runner.subprocess, "Popen", FakePopen)
    runner._spawn(41)
    cmd, kwargs = started[0]
    assert cmd[1:] == ["-m", "shian", "jobs", "run", "41"]
    assert kwargs["start_new_session"] is True and kwargs["stdin"] is runner.subprocess.DEVNULL


@pytest.mark.usefixtures("plan_2022")
def test_a_report_is_generated_by_a_job_from_the_reports_form(client_for):
    client = client_for("town_a_officer")
    page = client.get("/reports/").content.decode()
    assert 'action="/jobs/start/"' in page and 'name="job" value="report"' in page
    form = {"job": "report", "kind": "yearly", "year": "2022", "quarter": "2", "format": "xlsx"}
    job = _job_of(client.post("/jobs/start/", form))
    assert job.state == JobState.DONE and job.params["quarter"] is None  # a year-end report has none
    assert "2022年年度报告" in client.get(f"/jobs/{job.pk}/").content.decode()
    response = client.get(f"/jobs/{job.pk}/download/")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames


def test_the_progress_page_of_a_job_whose_runner_died_turns_to_failed(week, client_for, personas):
    client = client_for("district_officer")
    with override_settings(SHIAN_JOBS_RUNNER="worker"):
        job = _job_of(client.post("/jobs/start/", {"job": "inspections", "query": ""}))
    long_ago = timezone.now() - dt.timedelta(minutes=settings.SHIAN_JOBS_STALE_MINUTES + 1)
    Job.objects.filter(pk=job.pk).update(state=JobState.RUNNING, heartbeat_at=long_ago)
    fragment = client.get(f"/jobs/{job.pk}/status/").content.decode()
    assert "任务中断" in fragment and "hx-trigger" not in fragment


@override_settings(SHIAN_JOBS_RUNNER="worker")
def test_the_command_runs_a_job_and_the_worker_empties_the_queue(week, personas):
    from django.core.management import call_command

    owner = personas("district_officer")
    first, _ = services.job_submit(actor=owner, kind="inspections", data={"query": f"region={TOWN_B}"})
    second, _ = services.job_submit(actor=owner, kind="rectifications", data={"query": ""})
    out = io.StringIO()
    call_command("jobs", "run", str(first.pk), stdout=out)
    first.refresh_from_db()
    assert (
        first.state == JobState.DONE
        and (first.done, first.total) == (1, 1)
        and f"#{first.pk}" in out.getvalue()
    )
    call_command("jobs", "work", "--once", stdout=out)
    second.refresh_from_db()
    assert second.state == JobState.DONE and services.job_result_path(second) is not None
