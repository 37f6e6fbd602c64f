"""Plan endpoints call the same services as the pages; scope and workflow hold through the API."""

from __future__ import annotations

import pytest
from django.test import Client

from shian.core.tokens import api_token_create
from shian.planning.models import Target

from .test_services import plan  # noqa: F401 — the loaded 2022 plan fixture

pytestmark = pytest.mark.django_db


def _client(personas, name):
    _, key = api_token_create(user=personas(name), name="t")
    return Client(headers={"Authorization": f"Bearer {key}"})


def test_status_is_scoped_to_the_units_tasks(plan, personas):  # noqa: F811
    rows = _client(personas, "education_liaison").get("/api/v1/plans/2022/status?as_of=2022-06-30").json()
    assert {r["task_no"] for r in rows} == {4, 11, 20, 27}  # the tasks education leads or partners
    all_rows = _client(personas, "district_officer").get("/api/v1/plans/2022/status").json()
    assert len(all_rows) == 33
    assert _client(personas, "lab").get("/api/v1/plans/2022/status").status_code == 403
    assert _client(personas, "district_officer").get("/api/v1/plans/2019/status").status_code == 404


def test_figure_through_the_api_and_invisible_target_is_404(plan, personas):  # noqa: F811
    client = _client(personas, "education_liaison")
    own = Target.objects.get(code="T11-haccp")
    response = client.post(
        f"/api/v1/plans/targets/{own.pk}/figures",
        data={
            "value": "100",
            "period_end": "2022-09-30",
            "note": "全部建立",
            "evidence_refs": "体系认证汇总表",
        },
        content_type="application/json",
    )
    assert response.status_code == 201 and response.json()["flag"] == ""
    other = Target.objects.get(code="T13-batches")
    response = client.post(
        f"/api/v1/plans/targets/{other.pk}/figures",
        data={"value": "1", "period_end": "2022-09-30"},
        content_type="application/json",
    )
    assert response.status_code == 404


def test_report_workflow_through_the_api(plan, personas):  # noqa: F811
    town = _client(personas, "town_a_officer")
    office = _client(personas, "district_officer")
    report = town.post(
        "/api/v1/plans/2022/reports", data={"period": "Q1", "body": "一季度"}, content_type="application/json"
    ).json()
    assert report["status"] == "draft"
    assert (
        town.post(
            f"/api/v1/plans/reports/{report['id']}/status",
            data={"status": "accepted"},
            content_type="application/json",
        ).status_code
        == 422
    )
    assert (
        town.post(
            f"/api/v1/plans/reports/{report['id']}/status",
            data={"status": "submitted"},
            content_type="application/json",
        ).json()["status"]
        == "submitted"
    )
    assert (
        _client(personas, "town_b_officer")
        .post(
            f"/api/v1/plans/reports/{report['id']}/status",
            data={"status": "accepted"},
            content_type="application/json",
        )
        .status_code
        == 404
    )
    assert (
        office.post(
            f"/api/v1/plans/reports/{report['id']}/status",
            data={"status": "accepted"},
            content_type="application/json",
        ).json()["status"]
        == "accepted"
    )
