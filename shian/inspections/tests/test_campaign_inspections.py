"""Campaign inspections: an inspector picks the campaign when starting an inspection (page or API);
it must run on the day and have the business in scope; the inspection then uses the campaign's
checklist, is of kind "campaign" and counts towards campaign coverage."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from shian.core import indicators
from shian.core.indicators import Period
from shian.core.models import AuditSource, Role
from shian.core.tests.factories import UserFactory
from shian.inspections import rules, services
from shian.inspections.models import Inspection
from shian.registry.tests.factories import make_business

pytestmark = pytest.mark.django_db
SPRING = dt.date(2022, 3, 20)  # inside 2022-school-spring (2022-02-14 … 2022-03-31)


@pytest.fixture
def team():
    return [UserFactory.create(username=f"cam{i}", role=Role.INSPECTOR) for i in range(2)]


def test_rule_refuses_a_campaign_out_of_its_period_or_scope():
    spring = rules.load_campaigns()["2022-school-spring"]
    args = {"categories": (), "region_code": "120113001", "region_level": "street"}
    assert rules.campaign_problem(spring, code="x", on=SPRING, business_type="school_canteen", **args) is None
    assert "不含检查日期" in (
        rules.campaign_problem(
            spring, code="x", on=dt.date(2022, 5, 1), business_type="school_canteen", **args
        )
        or ""
    )
    assert "不在" in (
        rules.campaign_problem(spring, code="x", on=SPRING, business_type="catering", **args) or ""
    )
    assert "没有代码" in (
        rules.campaign_problem(None, code="nope", on=SPRING, business_type="catering", **args) or ""
    )


def test_a_campaign_inspection_uses_its_checklist_and_counts_towards_coverage(team):
    school = make_business(region_code="120113001", business_type="school_canteen")
    make_business(region_code="120113001", business_type="school_canteen")
    i = services.inspection_create(
        actor=None,
        source=AuditSource.SYSTEM,
        business=school,
        inspected_on=SPRING,
        inspectors=team,
        campaign="2022-school-spring",
    )
    assert (i.kind, i.campaign, i.checklist) == ("campaign", "2022-school-spring", "catering-2022")
    services.inspection_record_answers(
        actor=None,
        source=AuditSource.SYSTEM,
        inspection=i,
        answers=dict.fromkeys(["C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8", "C9"], "pass"),
    )
    services.inspection_sign(actor=None, source=AuditSource.SYSTEM, inspection=i, signed_by="负责人")
    services.inspection_submit(actor=None, source=AuditSource.SYSTEM, inspection=i)
    camp = indicators.compute(
        "inspections.campaign_coverage", Period(dt.date(2022, 2, 14), dt.date(2022, 3, 31))
    )
    # Two schools in scope of the spring check and of "守底线" (Q1): one of four inspected under a campaign.
    assert camp.region_value("120113001") == D(25)


def test_a_campaign_the_business_is_not_in_is_refused(team):
    shop = make_business(region_code="120113001", business_type="catering")
    with pytest.raises(ValidationError) as err:
        services.inspection_create(
            actor=None,
            source=AuditSource.SYSTEM,
            business=shop,
            inspected_on=SPRING,
            inspectors=team,
            campaign="2022-school-spring",
        )
    assert "campaign" in err.value.message_dict
    assert not Inspection.objects.exists()


def test_the_page_and_the_api_start_a_campaign_inspection(client_for, personas):
    school = make_business(region_code="120113001", business_type="school_canteen")
    officer = personas("district_officer")
    colleague = UserFactory.create(username="colleague", role=Role.INSPECTOR)
    client = client_for("district_officer")
    page = client.get(f"/inspections/new/?business={school.pk}").content.decode()
    assert "春季学校食品安全专项检查" in page and "任务（十一）" in page
    r = client.post(
        "/inspections/new/",
        {
            "business": str(school.pk),
            "inspected_on": SPRING.isoformat(),
            "inspectors": [str(officer.pk), str(colleague.pk)],
            "campaign": "2022-school-spring",
        },
    )
    made = Inspection.objects.get()
    assert r.status_code == 302 and r["Location"].endswith(f"/inspections/{made.pk}/")
    assert made.campaign == "2022-school-spring"
    api = client.post(
        "/api/v1/inspections/",
        {
            "business_id": school.pk,
            "inspected_on": "2022-03-21",
            "inspector_ids": [officer.pk, colleague.pk],
            "campaign": "2022-school-spring",
        },
        content_type="application/json",
    )
    assert api.status_code == 201 and api.json()["campaign"] == "2022-school-spring"
    listed = client.get("/api/v1/inspections/campaigns?on=2022-03-20").json()
    assert "2022-school-spring" in {c["code"] for c in listed}


def test_each_campaign_has_its_own_coverage_and_t04_reads_it():
    """The plan's T04 (“守底线” coverage) binds to its campaign's coverage, not to a typed figure."""
    import tomllib

    codes = {i.code for i in indicators.all_indicators()}
    assert {f"inspections.campaign_coverage.{c}" for c in rules.load_campaigns()} <= codes
    plan = tomllib.loads(
        (rules.DATA.parent.parent / "planning" / "data" / "beichen-2022.toml").read_text("utf-8")
    )
    t04 = next(t for t in plan["target"] if t["code"] == "T04-campaign")
    assert (t04["kind"], t04["indicator"]) == ("indicator", "inspections.campaign_coverage.2022-bottom-line")


def test_one_campaigns_coverage_counts_only_its_own_inspections(team):
    school = make_business(region_code="120113001", business_type="school_canteen")
    i = services.inspection_create(
        actor=None,
        source=AuditSource.SYSTEM,
        business=school,
        inspected_on=SPRING,
        inspectors=team,
        campaign="2022-school-spring",
    )
    services.inspection_record_answers(
        actor=None,
        source=AuditSource.SYSTEM,
        inspection=i,
        answers=dict.fromkeys(["C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8", "C9"], "pass"),
    )
    services.inspection_sign(actor=None, source=AuditSource.SYSTEM, inspection=i, signed_by="负责人")
    services.inspection_submit(actor=None, source=AuditSource.SYSTEM, inspection=i)
    year = Period.year(2022)
    spring = indicators.compute("inspections.campaign_coverage.2022-school-spring", year)
    bottom = indicators.compute("inspections.campaign_coverage.2022-bottom-line", year)
    assert spring.region_value("120113001") == D(100)
    assert bottom.region_value("120113001") == D(0)
