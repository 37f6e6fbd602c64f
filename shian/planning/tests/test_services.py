"""The plan as tracked work: load, status, reported figures, reports' workflow, supervision
notices, the interview list, copying to next year — and who may do what."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shian.core.audit import audit_verify
from shian.core.models import AuditEntry, Coordinator, Department, Region
from shian.planning.models import (
    AnnualPlan,
    Interview,
    ProgressReport,
    ReportedFigure,
    ReportStatus,
    SupervisionNotice,
    Target,
)
from shian.planning.planfile import parse_plan
from shian.planning.selectors import plan_status, plan_tasks_for_user, reports_for_user
from shian.planning.services import (
    ensure_reports,
    figure_report,
    figure_review,
    notice_respond,
    plan_copy,
    plan_evaluate,
    plan_load,
    progress_report_save,
    progress_report_set_status,
)

pytestmark = pytest.mark.django_db
PLAN_2022 = Path(__file__).resolve().parent.parent / "data" / "beichen-2022.toml"


@pytest.fixture
def plan(personas):
    spec = parse_plan(
        PLAN_2022.read_text(encoding="utf-8"),
        departments=set(Department.objects.values_list("code", flat=True)),
        regions=set(Region.objects.values_list("code", flat=True)),
    )
    plan = plan_load(actor=personas("district_officer"), source="command", spec=spec)
    ensure_reports(plan=plan, periods=["Q1", "Q2", "Q3", "Q4", "Y"])
    return plan


def test_loaded_plan_has_every_task_owner_and_target(plan):
    assert plan.tasks.count() == 27 and plan.sections.count() == 9
    assert Target.objects.filter(task__plan=plan).count() == 33
    task13 = plan.tasks.get(no=13)
    assert not task13.assigned_by_office  # the text names the district market regulator
    assert plan.tasks.get(no=1).assigned_by_office
    assert AuditEntry.objects.filter(object_type="planning.target").count() == 33
    assert audit_verify().ok


def test_loading_the_same_version_twice_is_refused(plan, personas):
    spec = parse_plan(
        PLAN_2022.read_text(encoding="utf-8"),
        departments=set(Department.objects.values_list("code", flat=True)),
        regions=set(Region.objects.values_list("code", flat=True)),
    )
    with pytest.raises(ValidationError):
        plan_load(actor=personas("district_officer"), source="command", spec=spec)
    assert AnnualPlan.objects.count() == 1


def test_town_officer_may_not_load_a_plan(personas):
    spec = parse_plan(
        PLAN_2022.read_text(encoding="utf-8"),
        departments=set(Department.objects.values_list("code", flat=True)),
        regions=set(Region.objects.values_list("code", flat=True)),
    )
    with pytest.raises(PermissionDenied):
        plan_load(actor=personas("town_a_officer"), source="web", spec=spec)


def test_coordinator_target_is_computed_from_the_roster(plan):
    for i in range(80):
        Coordinator.objects.create(name=f"协管员{i}", region_id="120113001", since=dt.date(2022, 1, 1))
    row = next(
        r for r in plan_status(plan=plan, as_of=dt.date(2022, 6, 30)) if r.target.code == "T22-coordinators"
    )
    # 80 coordinators for 949,000 residents = 0.84 per 10,000: below the target of 1.
    assert row.figure_source == "indicator"
    assert row.figure.quantize(D("0.01")) == D("0.84")
    assert row.status == "on_track"  # 84% done at mid-year


def test_reported_figure_that_contradicts_records_is_flagged(plan, personas):
    Coordinator.objects.create(name="甲", region_id="120113001", since=dt.date(2022, 1, 1))
    target = Target.objects.get(code="T22-coordinators", task__plan=plan)
    figure = figure_report(
        actor=personas("district_officer"),
        source="web",
        target=target,
        value=D("1.2"),
        period_end=dt.date(2022, 6, 30),
        department=Department.objects.get(pk="market"),
        evidence_refs="协管员花名册",
    )
    assert "不符" in figure.flag


def test_liaison_reports_only_targets_of_its_unit(plan, personas):
    education = personas("education_liaison")
    own = Target.objects.get(code="T20-open-kitchen-schools", task__plan=plan)  # owner: education
    figure = figure_report(
        actor=education,
        source="web",
        target=own,
        value=D(96),
        period_end=dt.date(2022, 9, 30),
        note="全区学校食堂 96% 已接入",
        evidence_refs="北辰教育〔2022〕30号 明厨亮灶接入台账",
    )
    assert figure.department_id == "education" and figure.flag == ""
    figure_review(actor=personas("district_officer"), source="web", figure=figure, accept=True)
    other = Target.objects.get(code="T13-batches", task__plan=plan)  # owner: the market regulator
    with pytest.raises(PermissionDenied):
        figure_report(
            actor=education,
            source="web",
            target=other,
            value=D(10),
            period_end=dt.date(2022, 9, 30),
            evidence_refs="台账",
        )
    row = next(r for r in plan_status(plan=plan, as_of=dt.date(2022, 9, 30)) if r.target.pk == own.pk)
    assert row.figure == 96 and row.figure_source == "reported"


def test_a_figure_needs_evidence_a_note_is_not_enough(plan, personas):
    target = Target.objects.get(code="T02-whitepaper", task__plan=plan)
    with pytest.raises(ValidationError) as err:
        figure_report(
            actor=personas("district_officer"),
            source="web",
            target=target,
            value=D(1),
            period_end=dt.date(2022, 9, 30),
            note="已演练",
        )
    assert "证明材料" in str(err.value)


def test_report_workflow_follows_its_transition_table(plan, personas):
    town = personas("town_a_officer")
    office = personas("district_officer")
    report = progress_report_save(actor=town, source="web", plan=plan, period="Q1", body="一季度工作情况……")
    report = progress_report_set_status(
        actor=town, source="web", report=report, status=ReportStatus.SUBMITTED
    )
    with pytest.raises(ValidationError):  # a return needs a reason
        progress_report_set_status(actor=office, source="web", report=report, status=ReportStatus.RETURNED)
    report = progress_report_set_status(
        actor=office, source="web", report=report, status=ReportStatus.RETURNED, note="缺少抽检数据"
    )
    report = progress_report_set_status(
        actor=town, source="web", report=report, status=ReportStatus.SUBMITTED
    )
    report = progress_report_set_status(
        actor=office, source="web", report=report, status=ReportStatus.ACCEPTED
    )
    with pytest.raises(ValidationError):  # accepted is final
        progress_report_set_status(
            actor=office, source="web", report=report, status=ReportStatus.RETURNED, note="x"
        )
    with pytest.raises(ValidationError):  # a submitted report cannot be edited
        progress_report_save(actor=town, source="web", plan=plan, period="Q1", body="改")
    statuses = list(
        AuditEntry.objects.filter(object_type="planning.progressreport", object_id=str(report.pk))
        .order_by("seq")
        .values_list("after__status", flat=True)
    )
    assert statuses[-4:] == ["submitted", "returned", "submitted", "accepted"]


def test_office_may_not_submit_and_towns_may_not_accept(plan, personas):
    town_a, town_b = personas("town_a_officer"), personas("town_b_officer")
    report = progress_report_save(actor=town_a, source="web", plan=plan, period="Q2", body="二季度")
    with pytest.raises(PermissionDenied):
        progress_report_set_status(actor=town_b, source="web", report=report, status=ReportStatus.SUBMITTED)
    report = progress_report_set_status(
        actor=town_a, source="web", report=report, status=ReportStatus.SUBMITTED
    )
    with pytest.raises(PermissionDenied):
        progress_report_set_status(actor=town_a, source="web", report=report, status=ReportStatus.ACCEPTED)


def test_quarterly_report_due_ten_working_days_after_quarter_end(plan):
    q3 = ProgressReport.objects.filter(plan=plan, period="Q3").first()
    # 30 September 2022 + 10 working days, across the National Day holiday: 8, 9 (make-up), 10–14,
    # 17, 18, 19 October.
    assert q3.due == dt.date(2022, 10, 19)
    assert ProgressReport.objects.filter(plan=plan, period="Y").first().due == dt.date(2022, 12, 31)


def test_evaluation_raises_notices_for_lagging_targets_once(plan):
    result = plan_evaluate(actor=None, source="command", plan=plan, as_of=dt.date(2022, 9, 30))
    assert result["notices"] > 0
    notice = SupervisionNotice.objects.filter(target__code="T01-supervision").first()
    assert notice is not None and notice.department_id == "office"
    assert notice.response_due == dt.date(2022, 10, 19)  # 10 working days across National Day
    again = plan_evaluate(actor=None, source="command", plan=plan, as_of=dt.date(2022, 9, 30))
    assert again == {"notices": 0, "interviews": 0}


def test_units_that_stay_behind_go_on_the_interview_list(plan, personas):
    plan_evaluate(actor=None, source="command", plan=plan, as_of=dt.date(2022, 6, 30))
    plan_evaluate(actor=None, source="command", plan=plan, as_of=dt.date(2022, 9, 30))
    listed = set(Interview.objects.values_list("department_id", flat=True))
    # The office is lagging on T01 at both quarter ends (no supervision round held yet).
    assert "office" in listed
    interview = Interview.objects.get(department_id="office")
    assert interview.rule == "beichen-accountability-2022.1" and "连续" in interview.reason


def test_answered_notice_is_recorded(plan, personas):
    education = personas("education_liaison")
    figure_report(
        actor=education,
        source="web",
        target=Target.objects.get(code="T20-open-kitchen-schools"),
        value=D(10),
        period_end=dt.date(2022, 9, 30),
        note="仅 10% 接入",
        evidence_refs="明厨亮灶接入台账",
    )
    figure_review(
        actor=personas("district_officer"),
        source="web",
        figure=ReportedFigure.objects.get(department_id="education"),
        accept=True,
    )
    plan_evaluate(actor=None, source="command", plan=plan, as_of=dt.date(2022, 9, 30))
    notice = SupervisionNotice.objects.filter(department_id="education").first()
    assert notice is not None
    notice = notice_respond(
        actor=education, source="web", notice=notice, response="已部署整改", on=dt.date(2022, 10, 12)
    )
    assert notice.status == "responded"
    other = SupervisionNotice.objects.exclude(department_id="education").first()
    with pytest.raises(PermissionDenied):
        notice_respond(actor=education, source="web", notice=other, response="x")


def test_the_notice_list_filters_by_status_and_exports_as_filtered(plan, personas, client_for):
    """One notice answered; the rest of the 30 September round unanswered and, today, overdue."""
    import io

    import openpyxl

    plan_evaluate(actor=None, source="command", plan=plan, as_of=dt.date(2022, 9, 30))
    answered = SupervisionNotice.objects.filter(department_id="office").first()
    assert answered is not None
    notice_respond(
        actor=personas("district_officer"),
        source="web",
        notice=answered,
        response="已部署督查",
        on=dt.date(2022, 10, 12),
    )
    total = SupervisionNotice.objects.filter(plan=plan).count()
    client = client_for("district_officer")

    def rows(query: str) -> list[dict[str, object]]:
        response = client.get(f"/plan/2022/notices/?{query}format=xlsx")
        content = b"".join(response.streaming_content)
        got = list(openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
        return [dict(zip(got[1], r, strict=True)) for r in got[2:]]

    assert len(rows("")) == total > 1
    responded = rows("status=responded&")
    assert [(r["原因"], r["答复"], r["答复日期"]) for r in responded] == [
        (answered.reason, "已部署督查", "2022-10-12")
    ]
    overdue = rows("status=overdue&")
    assert len(overdue) == total - 1 and {r["是否逾期"] for r in overdue} == {"是"}
    assert answered.reason not in client.get("/plan/2022/notices/?status=overdue").content.decode()
    # The office's to-do of unanswered notices (on a day of the plan's year, past their dates)
    # leads to exactly those.
    from shian.planning.todo import planning_todo

    item = next(
        i
        for i in planning_todo(personas("district_officer"), dt.date(2022, 12, 1))
        if i.key == "notices_unanswered"
    )
    assert item.url == "/plan/2022/notices/?status=overdue" and item.count == len(overdue)


def test_copy_to_next_year_keeps_tasks_and_moves_dates(plan, personas):
    new = plan_copy(actor=personas("district_officer"), source="web", plan=plan, year=2023)
    assert new.status == "draft" and new.tasks.count() == 27 and new.starts == dt.date(2023, 1, 1)
    assert Target.objects.get(task__plan=new, code="T13-batches").due == dt.date(2023, 12, 31)
    assert new.copied_from_id == plan.pk


def test_scoping_of_tasks_and_reports(plan, personas):
    education = personas("education_liaison")
    tasks = plan_tasks_for_user(user=education, plan=plan)
    assert {t.no for t in tasks} == {4, 11, 20, 27}
    town = personas("town_b_officer")
    reports = reports_for_user(user=town, plan=plan)
    assert set(reports.values_list("region_id", flat=True)) == {"120113100"}
    assert reports_for_user(user=personas("lab"), plan=plan).count() == 0
