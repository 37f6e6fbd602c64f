"""Incident grading and reporting clocks (rule data marked not read in an official text), the
timeline, the ledger, drills and the indicators the town index and the plan read."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from shian.core.indicators import Period, compute
from shian.core.models import Region
from shian.incidents import rules, selectors, services
from shian.incidents.models import IncidentStep
from shian.incidents.todo import incidents_todo
from shian.registry.models import BusinessEvent
from shian.registry.tests.factories import make_business

TZ = dt.timezone(dt.timedelta(hours=8))
EDITION = rules.edition_in_force(dt.date(2022, 6, 1))
TOWN_A, TOWN_B = "120113001", "120113100"


@pytest.mark.parametrize(
    ("ill", "deaths", "level"),
    [
        (29, 0, None),  # below level IV: an event, not a graded incident
        (30, 0, "IV"),  # 一般：30人以上，未出现死亡
        (99, 0, "IV"),
        (100, 0, "III"),  # 较大：100人以上
        (5, 1, "III"),  # 较大：出现死亡病例
        (100, 1, "II"),  # 重大：100人以上并出现死亡
        (12, 10, "II"),  # 重大：10例以上死亡
        (40, 30, "I"),  # 特别重大：30人以上死亡
    ],
)
def test_grading_by_the_plan_thresholds(ill, deaths, level):
    got = rules.grade(ill=ill, deaths=deaths, edition=EDITION)
    assert (got.code if got else None) == level


def test_grading_rows_are_marked_not_read_in_an_official_text():
    assert all(lv.verification == "M" for lv in EDITION.levels)
    assert all(c.verification == "M" for c in EDITION.clocks)


def test_grading_refuses_more_deaths_than_ill_and_dates_before_the_plan():
    with pytest.raises(ValueError, match="死亡人数"):
        rules.grade(ill=1, deaths=2, edition=EDITION)
    with pytest.raises(LookupError, match="早于"):
        rules.edition_in_force(dt.date(2010, 1, 1))


def test_report_clock_runs_through_a_holiday_in_clock_hours():
    initial = next(c for c in EDITION.clocks if c.code == "initial_report")
    known = dt.datetime(2022, 10, 1, 23, 30, tzinfo=TZ)  # National Day: hours still count
    assert rules.report_due(initial, known) == dt.datetime(2022, 10, 2, 1, 30, tzinfo=TZ)


def test_clusters_of_foodborne_case_reports():
    d = dt.date(2022, 6, 1)
    cases = [
        ("b1", d),
        ("b1", d + dt.timedelta(days=2)),
        ("b2", d),
        ("b3", d),
        ("b3", d + dt.timedelta(days=9)),
    ]
    assert rules.clusters(cases) == [("b1", d, 2)]


@pytest.fixture
def canteen(db):
    return make_business(name="果园新村小学食堂", region_code=TOWN_A, business_type="school_canteen")


def report(actor, canteen, ill=12, deaths=0):
    return services.incident_report(
        actor=actor,
        source="web",
        place="果园新村小学食堂",
        business=canteen,
        onset_at=dt.datetime(2022, 9, 28, 12, 0, tzinfo=TZ),
        known_at=dt.datetime(2022, 9, 28, 16, 0, tzinfo=TZ),
        ill=ill,
        hospitalised=2,
        deaths=deaths,
        suspected_food="午餐豆角",
    )


def test_reported_escalated_and_closed_with_its_timeline(personas, canteen):
    officer = personas("town_a_officer")
    incident = report(officer, canteen)
    assert incident.level == rules.BELOW_GRADING
    assert BusinessEvent.objects.filter(business=canteen, kind="incident").count() == 1
    services.incident_report_sent(
        actor=officer,
        source="web",
        incident=incident,
        clock="initial_report",
        at=dt.datetime(2022, 9, 28, 19, 0, tzinfo=TZ),
    )
    initial = next(c for c in selectors.incident_clocks(incident) if c.code == "initial_report")
    assert initial.due == dt.datetime(2022, 9, 28, 18, 0, tzinfo=TZ) and initial.late
    services.incident_update(
        actor=officer,
        source="web",
        incident=incident,
        at=dt.datetime(2022, 9, 29, 9, 0, tzinfo=TZ),
        ill=36,
        hospitalised=8,
        deaths=0,
    )
    assert incident.level == "IV" and incident.status == "investigating"
    assert incident.steps.filter(kind=IncidentStep.Kind.ESCALATED).count() == 1
    with pytest.raises(ValidationError, match="第一百零七条"):
        services.incident_close(
            actor=officer, source="web", incident=incident, closed_on=dt.date(2022, 10, 20), cause=""
        )
    services.incident_close(
        actor=officer,
        source="web",
        incident=incident,
        closed_on=dt.date(2022, 10, 20),
        cause="豆角未煮熟（皂素中毒）",
        sample_codes="DC22001",
    )
    assert incident.status == "closed"


def test_town_b_cannot_report_or_see_town_a_incidents(personas, canteen):
    with pytest.raises(Http404):
        report(personas("town_b_officer"), canteen)
    incident = report(personas("district_officer"), canteen)
    with pytest.raises(Http404):
        selectors.incident_get(personas("town_b_officer"), incident.pk)


def test_incidents_per_100k_by_town_missing_before_any_record(personas, canteen):
    period = Period.quarter(2022, 3)
    assert compute("incidents.count_per_100k", period, [TOWN_A, TOWN_B]).missing
    report(personas("district_officer"), canteen)
    result = compute("incidents.count_per_100k", period, [TOWN_A, TOWN_B])
    pop_a = Region.objects.get(pk=TOWN_A).population
    assert result.region_value(TOWN_A) == Decimal(1) / Decimal(pop_a) * 100000
    assert result.region_value(TOWN_B) == 0


def test_drills_feed_the_plan_and_future_drills_are_refused(personas):
    officer = personas("district_officer")
    with pytest.raises(ValidationError, match="晚于今天"):
        services.drill_record(
            actor=officer,
            source="web",
            region_code="120113",
            held_on=dt.date(2022, 10, 1),
            title="演练",
            plan="预案",
            participants=10,
            today=dt.date(2022, 9, 1),
        )
    services.drill_record(
        actor=officer,
        source="web",
        region_code="120113",
        held_on=dt.date(2022, 9, 20),
        title="学校食堂食物中毒应急演练",
        plan="北辰区食品安全事故应急预案",
        participants=60,
        today=dt.date(2022, 9, 21),
    )
    assert compute("incidents.drills_held", Period.year(2022)).value == 1
    assert compute("incidents.drills_held", Period.year(2021)).value == 0


def test_todo_lists_incidents_without_a_first_report(personas, canteen):
    officer = personas("town_a_officer")
    incident = report(officer, canteen)
    items = {i.key: i for i in incidents_todo(officer, dt.date(2022, 9, 28))}
    assert items["initial_report_missing"].count == 1
    services.incident_report_sent(
        actor=officer,
        source="web",
        incident=incident,
        clock="initial_report",
        at=dt.datetime(2022, 9, 28, 17, 0, tzinfo=TZ),
    )
    items = {i.key: i for i in incidents_todo(officer, dt.date(2022, 9, 28))}
    assert items["initial_report_missing"].count == 0 and items["open"].count == 1
