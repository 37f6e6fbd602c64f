"""Reported figures you can trust: evidence required, plausibility refused with a clear reason,
the platform's own figure beside the reported one, review by the district office (accept, or
return with a reason, audited), and progress counting accepted figures only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shian.core.models import AuditEntry, Department, Region
from shian.planning import rules
from shian.planning.models import FigureStatus, Target
from shian.planning.planfile import parse_plan
from shian.planning.selectors import plan_status
from shian.planning.services import figure_report, figure_review, plan_load

pytestmark = pytest.mark.django_db
PLAN_2022 = Path(__file__).resolve().parent.parent / "data" / "beichen-2022.toml"
R = rules.rules_in_force(dt.date(2022, 12, 31))


@pytest.fixture
def plan(personas):
    spec = parse_plan(
        PLAN_2022.read_text(encoding="utf-8"),
        departments=set(Department.objects.values_list("code", flat=True)),
        regions=set(Region.objects.values_list("code", flat=True)),
    )
    return plan_load(actor=personas("district_officer"), source="command", spec=spec)


def _report(personas, code, value, *, who="education_liaison", refs="台账", on=dt.date(2022, 9, 30)):
    return figure_report(
        actor=personas(who),
        source="web",
        target=Target.objects.get(code=code),
        value=D(value),
        period_end=on,
        evidence_refs=refs,
    )


def _row(plan, code, as_of=dt.date(2022, 9, 30)):
    return next(r for r in plan_status(plan=plan, as_of=as_of) if r.target.code == code)


# ------------------------------------------------------------------ rules, one per clause


def test_a_rate_above_100_percent_is_implausible_unless_its_definition_allows_it():
    """data/accountability-rules.toml rate_ceiling: a coverage rate is part of a whole; the demo's
    101.83 % and 100.07 % were accepted and shown as met."""
    problem = rules.figure_implausible(D("101.83"), unit="%", may_exceed=False, rules=R)
    assert problem is not None and "比率不能超过100%" in problem and "101.83%" in problem
    assert rules.figure_implausible(D("100"), unit="%", may_exceed=False, rules=R) is None
    assert rules.figure_implausible(D("150"), unit="%", may_exceed=True, rules=R) is None  # a growth rate
    assert rules.figure_implausible(D("150"), unit="批次", may_exceed=False, rules=R) is None
    assert "负数" in (rules.figure_implausible(D("-1"), unit="批次", may_exceed=False, rules=R) or "")


def test_a_reported_rate_more_than_one_point_from_the_records_is_flagged():
    """data/accountability-rules.toml contradiction_rate_pp: typed 98.87 %, records 95.6 %."""
    flag = rules.figure_contradicts(D("98.87"), D("95.6"), R, "%")
    assert flag is not None and "95.6%" in flag and "3.27 个百分点" in flag
    assert rules.figure_contradicts(D("96.4"), D("95.6"), R, "%") is None
    assert rules.figure_contradicts(D("98.87"), None, R, "%") is None


def test_the_review_statuses_have_their_words():
    assert rules.FIGURE_STATUS_LABELS == {"submitted": "待审核", "accepted": "已采纳", "returned": "已退回"}


# ------------------------------------------------------------------ services


def test_rate_above_100_is_refused_with_a_chinese_reason(plan, personas):
    with pytest.raises(ValidationError) as err:
        _report(personas, "T11-haccp", "101.83")
    assert "比率不能超过100%" in str(err.value)


def test_growth_target_marked_may_exceed_in_the_plan_file():
    spec_text = PLAN_2022.read_text(encoding="utf-8")
    assert "may_exceed = true" in spec_text


def test_a_figure_awaits_review_and_counts_only_once_accepted(plan, personas):
    figure = _report(personas, "T11-haccp", "90")
    assert figure.status == FigureStatus.SUBMITTED
    row = _row(plan, "T11-haccp")
    assert row.figure is None and row.pending == figure
    assert "90%待审核" in row.figure_text
    figure_review(actor=personas("district_officer"), source="web", figure=figure, accept=True)
    row = _row(plan, "T11-haccp")
    assert row.figure == 90 and row.figure_source == "reported" and row.pending is None
    entry = AuditEntry.objects.filter(object_type="planning.reportedfigure", action="update").get()
    assert entry.after["status"] == "accepted"


def test_a_returned_figure_says_why_and_never_counts(plan, personas):
    figure = _report(personas, "T11-haccp", "90")
    office = personas("district_officer")
    with pytest.raises(ValidationError):
        figure_review(actor=office, source="web", figure=figure, accept=False, reason=" ")
    figure = figure_review(actor=office, source="web", figure=figure, accept=False, reason="请附认证证书")
    assert (figure.status, figure.review_note) == ("returned", "请附认证证书")
    assert _row(plan, "T11-haccp").figure is None
    with pytest.raises(ValidationError):  # decided once
        figure_review(actor=office, source="web", figure=figure, accept=True)


def test_nobody_reviews_their_own_figure_and_units_do_not_review(plan, personas):
    office = personas("district_officer")
    own = figure_report(
        actor=office,
        source="web",
        target=Target.objects.get(code="T11-haccp"),
        value=D(80),
        period_end=dt.date(2022, 9, 30),
        evidence_refs="纸质报表",
        department=Department.objects.get(pk="education"),
    )
    with pytest.raises(PermissionDenied):
        figure_review(actor=office, source="web", figure=own, accept=True)
    figure_review(actor=personas("district_admin"), source="web", figure=own, accept=True)
    other = _report(personas, "T11-haccp", "85")
    with pytest.raises(PermissionDenied):
        figure_review(actor=personas("education_liaison"), source="web", figure=other, accept=True)


def test_the_platforms_figure_is_kept_beside_a_reported_one(plan, personas, monkeypatch):
    """T09 (producers graded) is reported by the regulator and checked against the risk grades."""
    from shian.core import indicators

    monkeypatch.setitem(
        indicators._REGISTRY,
        "risk.producers_graded",
        indicators.Indicator(
            code="risk.producers_graded",
            name="stand-in",
            unit="%",
            module="risk",
            description="",
            compute=lambda period, regions: indicators.IndicatorResult(D("956"), D("1000"), D(100)),
            factor=D(100),
        ),
    )
    figure = _report(personas, "T09-producers-graded", "98.87", who="district_officer")
    assert figure.computed_value == D("95.6") and "不符" in figure.flag
    figure_review(actor=personas("district_admin"), source="web", figure=figure, accept=True)
    row = _row(plan, "T09-producers-graded")
    assert row.figure == D("98.87") and row.computed == D("95.6")
    assert "平台记录 95.6%" in row.figure_text and "不符" in row.flag


def test_figures_page_and_api_review(plan, personas, client_for):
    figure = _report(personas, "T11-haccp", "90", refs="北辰教育〔2022〕12号")
    page = client_for("district_officer").get("/plan/2022/figures/").content.decode()
    assert "北辰教育〔2022〕12号" in page and "待审核" in page
    town = client_for("town_a_officer").get("/plan/2022/figures/?status=all").content.decode()
    assert "北辰教育〔2022〕12号" not in town  # another unit's figure
    api = client_for("district_officer")
    listed = api.get("/api/v1/plans/2022/figures?status=submitted").json()
    assert [f["id"] for f in listed] == [figure.pk] and listed[0]["status_label"] == "待审核"
    r = api.post(
        f"/api/v1/plans/figures/{figure.pk}/review",
        {"decision": "return", "reason": "请附证书"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["status"] == "returned"
