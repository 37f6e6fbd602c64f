"""Plan, index and dashboard pages for every persona: a unit sees and reports its own tasks, a
town its own reports; the office runs the supervision; the lab sees none of it."""

from __future__ import annotations

import pytest
from django.test import Client

from shian.demo.plan_demo import demo_plan_build
from shian.planning.models import ProgressReport, Target

pytestmark = pytest.mark.django_db

P = [
    "district_admin",
    "district_officer",
    "town_a_officer",
    "town_b_officer",
    "education_liaison",
    "inspector",
    "lab",
    "viewer",
    "anonymous",
]


def row(*codes: int) -> dict[str, int]:
    return dict(zip(P, codes, strict=True))


@pytest.fixture
def world(personas):
    personas("district_officer")
    plan = demo_plan_build(seed=7, out=lambda s: None)
    return {
        "plan": plan,
        "edu_target": Target.objects.get(task__plan=plan, code="T20-open-kitchen-schools").pk,
        "market_target": Target.objects.get(task__plan=plan, code="T13-batches").pk,
        "town_a_report": ProgressReport.objects.get(plan=plan, period="Q2", region_id="120113001").pk,
        "edu_report": ProgressReport.objects.get(plan=plan, period="Q2", department_id="education").pk,
    }


VIEW = row(200, 200, 200, 200, 200, 200, 403, 200, 302)
PAGES = [
    ("/plan/2022/", VIEW),
    ("/plan/2022/?format=xlsx", VIEW),
    ("/plan/2022/reports/", VIEW),
    ("/plan/2022/notices/", VIEW),
    # A record's page is found before the plan right is checked: a lab gets "not found" (404).
    ("/plan/2022/targets/{edu_target}/", row(200, 200, 200, 200, 200, 200, 404, 200, 302)),
    # The education bureau's liaison does not see a target of the market regulator's task.
    ("/plan/2022/targets/{market_target}/", row(200, 200, 200, 200, 404, 200, 404, 200, 302)),
    ("/plan/reports/{town_a_report}/", row(200, 200, 200, 404, 404, 200, 404, 200, 302)),
    ("/plan/reports/{edu_report}/", row(200, 200, 404, 404, 200, 200, 404, 200, 302)),
    ("/plan/2019/", row(404, 404, 404, 404, 404, 404, 403, 404, 302)),
    ("/index/2022/q2/", row(200, 200, 404, 404, 404, 404, 403, 404, 302)),  # drafts: the office only
    ("/index/towns/120113001/", VIEW),
    ("/index/units/education/", row(200, 200, 200, 200, 200, 200, 403, 200, 302)),
    ("/index/units/market/", row(200, 200, 200, 200, 404, 200, 403, 200, 302)),
]


@pytest.mark.parametrize("persona", P)
def test_plan_pages(persona, world, client_for):
    client = client_for(persona)
    wrong = {}
    for path, expected in PAGES:
        url = path.format(**world)
        got = client.get(url).status_code
        if got != expected[persona]:
            wrong[url] = (got, expected[persona])
    assert not wrong, f"{persona}: (got, expected) {wrong}"


def test_unit_files_and_office_accepts_through_the_pages(world, client_for):
    """The ecology bureau never filed its year-end report in the demo: it files it through the page
    and the office accepts it."""
    from shian.core.models import Department, Role
    from shian.core.tests.factories import UserFactory

    plan = world["plan"]
    report = ProgressReport.objects.get(plan=plan, period="Y", department_id="ecology")
    assert report.status == "draft"
    liaison = UserFactory(
        username="ecology_liaison",
        role=Role.DEPARTMENT_LIAISON,
        department=Department.objects.get(pk="ecology"),
    )
    unit = Client()
    unit.force_login(liaison, backend="django.contrib.auth.backends.ModelBackend")
    unit.post(f"/plan/reports/{report.pk}/", {"action": "save", "body": "年度总结"})
    unit.post(f"/plan/reports/{report.pk}/", {"action": "submitted"})
    report.refresh_from_db()
    assert report.status == "submitted" and report.body == "年度总结"
    # Another unit cannot touch it; the office accepts it.
    assert (
        client_for("education_liaison")
        .post(f"/plan/reports/{report.pk}/", {"action": "accepted"})
        .status_code
        == 404
    )
    client_for("district_officer").post(f"/plan/reports/{report.pk}/", {"action": "accepted"})
    report.refresh_from_db()
    assert report.status == "accepted"


def test_a_town_reports_a_figure_on_the_target_page(world, client_for):
    client = client_for("town_a_officer")
    # A reported target given to every town (the education bureau's targets now come from records).
    target = Target.objects.get(task__plan=world["plan"], code="T04-holiday-sampling")
    url = f"/plan/2022/targets/{target.pk}/"
    response = client.post(url, {"value": "88", "period_end": "2022-12-31", "note": "年末"})
    assert response.status_code == 200  # refused: no evidence
    assert "证明材料" in response.content.decode()
    response = client.post(
        url,
        {
            "value": "88",
            "period_end": "2022-12-31",
            "note": "年末",
            "evidence_refs": "节日热销食品专项抽检台账",
        },
    )
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "88" in page and "年末" in page and "节日热销食品专项抽检台账" in page and "待审核" in page


def test_plan_overview_lists_lagging_targets_and_exports(world, client_for):
    client = client_for("district_officer")
    page = client.get("/plan/2022/?as_of=2022-09-30").content.decode()
    assert "滞后" in page and "6570" in page
    response = client.get("/plan/2022/?format=xlsx")
    import io

    import openpyxl

    ws = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    codes = [r[1] for r in ws.iter_rows(min_row=3, values_only=True)]
    assert "T13-batches" in codes and len(codes) == 33


def test_office_records_an_interview_and_a_commendation_on_the_page(world, client_for):
    from shian.planning.models import Commendation, Interview

    interview = Interview.objects.filter(plan=world["plan"], status="listed").first()
    assert interview is not None
    office = client_for("district_officer")
    office.post(
        "/plan/2022/notices/",
        {"interview": interview.pk, "status": "held", "on": "2023-01-10", "record": "约谈记录：限期整改"},
    )
    interview.refresh_from_db()
    assert interview.status == "held" and interview.record == "约谈记录：限期整改"
    office.post(
        "/plan/2022/notices/",
        {"commend": "1", "department": "education", "reason": "成效突出", "awarded_on": "2022-12-30"},
    )
    assert Commendation.objects.filter(department_id="education", reason="成效突出").exists()
    page = office.get("/plan/2022/notices/").content.decode()
    assert "约谈记录：限期整改" in page and "成效突出" in page
    # A town officer sees the list but has no form and cannot post.
    town = client_for("town_a_officer")
    assert 'name="record"' not in town.get("/plan/2022/notices/").content.decode()
    town.post(
        "/plan/2022/notices/", {"commend": "1", "person": "某", "reason": "自荐", "awarded_on": "2022-12-30"}
    )
    assert not Commendation.objects.filter(reason="自荐").exists()
