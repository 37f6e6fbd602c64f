"""One scoping rule in the plan: a unit's or a town's reports, notices and figures are its own;
a viewer or inspector attached to a town sees that town's; no one files a figure as another unit;
reports are opened in one transaction, each with its audit entry."""

from __future__ import annotations

import pytest

from shian.core.models import AuditEntry, Region, Role
from shian.core.tests.factories import TOWN_A, TOWN_B, UserFactory
from shian.core.tokens import api_token_create
from shian.planning.models import ProgressReport, ReportedFigure, Target
from shian.planning.selectors import plan_status, reports_for_user

from .test_services import plan  # noqa: F401 — the loaded 2022 plan fixture

pytestmark = pytest.mark.django_db


def _api(personas, client_for, who):
    _, key = api_token_create(user=personas(who), name="t")
    return client_for("anonymous"), {"HTTP_AUTHORIZATION": f"Bearer {key}"}


@pytest.mark.parametrize("role", [Role.VIEWER, Role.INSPECTOR])
def test_a_town_attached_reader_sees_only_that_towns_reports(plan, role, client_for):  # noqa: F811
    user = UserFactory.create(username=f"town-a-{role}", role=role, region=Region.objects.get(pk=TOWN_A))
    seen = reports_for_user(user=user, plan=plan)
    assert seen.exists() and set(seen.values_list("region_id", flat=True)) == {TOWN_A}
    assert not seen.filter(department__isnull=False).exists()
    client = client_for("anonymous")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    b = ProgressReport.objects.get(plan=plan, period="Q1", region_id=TOWN_B)
    unit = ProgressReport.objects.get(plan=plan, period="Q1", department_id="education")
    assert client.get(f"/plan/reports/{b.pk}/").status_code == 404
    assert client.get(f"/plan/reports/{unit.pk}/").status_code == 404
    _, key = api_token_create(user=user, name="t")
    listed = (
        client_for("anonymous").get("/api/v1/plans/2022/reports", HTTP_AUTHORIZATION=f"Bearer {key}").json()
    )
    assert {r["region_id"] for r in listed} == {TOWN_A}


def test_a_town_officer_cannot_file_a_figure_as_another_unit(plan, personas, client_for):  # noqa: F811
    target = Target.objects.get(code="T11-haccp")
    client, auth = _api(personas, client_for, "town_a_officer")
    status_before = {r.target.code: r.status for r in plan_status(plan=plan, as_of=plan.ends)}["T11-haccp"]
    r = client.post(
        f"/api/v1/plans/targets/{target.pk}/figures",
        {"value": "100", "period_end": "2022-09-30", "department": "propaganda", "evidence_refs": "汇总表"},
        content_type="application/json",
        **auth,
    )
    assert r.status_code == 422 and "department" in r.json()["detail"]
    assert not ReportedFigure.objects.exists()
    assert {r.target.code: r.status for r in plan_status(plan=plan, as_of=plan.ends)}[
        "T11-haccp"
    ] == status_before
    # Reporting for its own town is the town's right.
    own = client.post(
        f"/api/v1/plans/targets/{target.pk}/figures",
        {"value": "90", "period_end": "2022-09-30", "evidence_refs": "本镇汇总表"},
        content_type="application/json",
        **auth,
    )
    assert own.status_code == 201
    figure = ReportedFigure.objects.get()
    assert (figure.department_id, figure.region_id) == (None, TOWN_A)


def test_a_targets_page_lists_only_the_readers_own_figures(plan, personas, client_for):  # noqa: F811
    import datetime as dt
    from decimal import Decimal

    from shian.planning.services import figure_report

    target = Target.objects.get(code="T11-haccp")
    for who, value in (("town_a_officer", "71"), ("town_b_officer", "43")):
        figure_report(
            actor=personas(who),
            source="web",
            target=target,
            value=Decimal(value),
            period_end=dt.date(2022, 6, 30),
            note=f"{who}的数",
            evidence_refs="镇街汇总表",
        )
    page = client_for("town_a_officer").get(f"/plan/2022/targets/{target.pk}/").content.decode()
    assert "town_a_officer的数" in page and "town_b_officer的数" not in page
    office = client_for("district_officer").get(f"/plan/2022/targets/{target.pk}/").content.decode()
    assert "town_a_officer的数" in office and "town_b_officer的数" in office


def test_reports_are_opened_with_an_audit_entry_each(plan):  # noqa: F811
    opened = ProgressReport.objects.filter(plan=plan).count()
    entries = AuditEntry.objects.filter(object_type="planning.progressreport", action="create")
    assert opened > 0 and entries.count() == opened
