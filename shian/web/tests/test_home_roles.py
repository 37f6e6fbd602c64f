"""Each role's home opens with its own to-do and its own key figures, gathered from the modules'
todo.py (core.todo): an inspector's visits, drafts and orders to follow; a town's disposal tasks,
overdue orders and reports; a lab's samples; a business's orders and licence; the office's late
items above the district overview. Nobody sees another role's figures."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from shian.core.models import AuditSource, Role
from shian.core.tests.factories import BUSINESS_A_CREDIT_CODE, TOWN_A, TOWN_B, UserFactory
from shian.inspections import services
from shian.registry.tests.factories import make_business

pytestmark = pytest.mark.django_db
ALL = ["C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8", "C9"]
TODAY = dt.date(2024, 10, 21)  # a Monday

FIGURE = re.compile(
    r'class="kpi key-figure[^"]*" data-module="[^"]*" data-key="([^"]*)">\s*'
    r'<span class="kpi-label">[^<]*</span>\s*<span class="kpi-value">([^<]*)</span>'
)
TODO = re.compile(r'class="todo-item[^"]*" data-module="[^"]*" data-key="([^"]*)"')


def _submitted(business, on: dt.date, team):
    i = services.inspection_create(
        actor=None, source=AuditSource.SYSTEM, business=business, inspected_on=on, inspectors=team
    )
    services.inspection_record_answers(
        actor=None,
        source=AuditSource.SYSTEM,
        inspection=i,
        answers={c: ("fail" if c == "C1" else "pass") for c in ALL},
        findings={"C1": "问题"},
    )
    services.inspection_sign(actor=None, source=AuditSource.SYSTEM, inspection=i, signed_by="负责人")
    return services.inspection_submit(actor=None, source=AuditSource.SYSTEM, inspection=i)


@pytest.fixture
def world(monkeypatch, personas):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)
    inspector = personas("town_a_inspector")
    partner = UserFactory.create(username="partner", role=Role.INSPECTOR, full_name="李协查")
    a = make_business(
        name="果园新村甲饭店",
        region_code=TOWN_A,
        business_type="catering",
        credit_code=BUSINESS_A_CREDIT_CODE,
    )
    a2 = make_business(name="果园新村乙饭店", region_code=TOWN_A, business_type="catering")
    b = make_business(name="天穆丙饭店", region_code=TOWN_B, business_type="catering")
    _submitted(a, dt.date(2024, 9, 27), [inspector, partner])  # due 10-16: overdue on the 21st
    _submitted(a2, dt.date(2024, 10, 18), [inspector, partner])  # due 11-01
    _submitted(b, dt.date(2024, 9, 27), [personas("inspector"), partner])  # town B's, overdue
    services.inspection_create(
        actor=None,
        source=AuditSource.SYSTEM,
        business=a2,
        inspected_on=TODAY,
        inspectors=[inspector, partner],
    )


def _home(client_for, who: str) -> tuple[str, dict[str, str], list[str]]:
    response = client_for(who).get("/")
    assert response.status_code == 200
    html = response.content.decode()
    return html, dict(FIGURE.findall(html)), TODO.findall(html)


def test_the_inspector_starts_with_their_visits_drafts_and_orders(world, client_for):
    html, figures, todo = _home(client_for, "town_a_inspector")
    assert list(figures) == ["visits_today", "visits_week", "drafts", "rectifications_to_follow"]
    assert figures["drafts"] == "1" and figures["rectifications_to_follow"] == "2"
    assert "rectifications_overdue_mine" in todo and any(k.startswith("draft-") for k in todo)
    assert "<h1>我的检查</h1>" in html
    # Not the town's, the lab's or the office's; no district overview.
    assert not {"disposals_open", "rectifications_overdue", "samples_due", "reports_to_decide"} & set(figures)
    assert (
        "rectifications_overdue" not in todo
        and "chart-by-region" not in html
        and "dashboard-data" not in html
    )
    # The to-do comes before the figures, which come first on the page.
    assert html.index('id="todo-title"') < html.index("key-figures")


def test_the_town_officer_starts_with_the_towns_tasks(world, client_for):
    html, figures, todo = _home(client_for, "town_a_officer")
    assert {"rectifications_overdue", "disposals_open", "plan_overdue", "town_index"} <= set(figures)
    assert figures["rectifications_overdue"] == "1"  # its own town's, not town B's
    assert figures["town_index"] == "—" and "尚未发布指数" in html  # none published in this world
    assert not {"visits_today", "drafts", "samples_due", "rectifications_to_follow"} & set(figures)
    assert "rectifications_overdue" in todo and "rectifications_overdue_mine" not in todo
    assert "<h1>本镇街工作台</h1>" in html and "果园新村街道" in html and "天穆镇" not in html
    _, b_figures, _ = _home(client_for, "town_b_officer")
    assert b_figures["rectifications_overdue"] == "1"


def test_the_lab_starts_with_its_samples(world, client_for):
    html, figures, todo = _home(client_for, "lab")
    assert list(figures) == ["samples_due", "reports_late"]
    assert "<h1>检验工作台</h1>" in html
    assert "rectifications" not in " ".join(todo) and "chart-by-region" not in html


def test_the_business_starts_with_its_orders_and_licence(world, client_for):
    html, figures, todo = _home(client_for, "business_a")
    assert list(figures) == ["rectifications_open", "licence_valid_until"]
    assert figures["rectifications_open"] == "1"
    assert "rectifications_to_report" in todo and "<h1>我的企业</h1>" in html
    assert "chart-by-region" not in html and "plan_overdue" not in figures


def test_the_office_starts_with_late_items_above_the_district_overview(world, client_for):
    html, figures, todo = _home(client_for, "district_officer")
    assert figures["rectifications_overdue"] == "2"
    assert {"disposals_open", "plan_overdue"} <= set(figures)
    assert "rectifications_overdue" in todo and "rectifications_overdue_mine" not in todo
    assert not {"visits_today", "drafts", "samples_due", "rectifications_open"} & set(figures)
    assert "<h1>全区概览</h1>" in html and "dashboard-data" in html
    assert html.index("key-figures") < html.index("dashboard-data")
