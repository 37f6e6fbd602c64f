"""The reports page groups the reports by period and flags late ones, as the PDF does: submitted
after the due date (逾期报送), or still not submitted past it (逾期未报)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from shian.core.models import Department, Region
from shian.core.tests.factories import TOWN_A
from shian.planning.models import ProgressReport
from shian.planning.planfile import parse_plan
from shian.planning.services import (
    ensure_reports,
    plan_load,
    progress_report_save,
    progress_report_set_status,
)

pytestmark = pytest.mark.django_db
PLAN_2022 = Path(__file__).resolve().parent.parent / "data" / "beichen-2022.toml"


def test_reports_are_grouped_by_period_and_late_ones_flagged(personas, client_for):
    spec = parse_plan(
        PLAN_2022.read_text(encoding="utf-8"),
        departments=set(Department.objects.values_list("code", flat=True)),
        regions=set(Region.objects.values_list("code", flat=True)),
    )
    plan = plan_load(actor=personas("district_officer"), source="command", spec=spec)
    ensure_reports(plan=plan, periods=["Q1", "Q2"])
    town = personas("town_a_officer")
    progress_report_save(actor=town, source="web", plan=plan, period="Q1", body="一季度工作情况")
    report = ProgressReport.objects.get(plan=plan, period="Q1", region_id=TOWN_A)
    late = dt.datetime.combine(
        report.due + dt.timedelta(days=3), dt.time(10), tzinfo=ZoneInfo("Asia/Shanghai")
    )
    progress_report_set_status(actor=town, source="web", report=report, status="submitted", at=late)
    page = client_for("town_a_officer").get("/plan/2022/reports/").content.decode()
    assert page.count("<h2>") >= 2  # one section per period
    assert "逾期报送" in page
    assert "逾期报送或逾期未报" in page
