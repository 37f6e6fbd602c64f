"""The sample's life: the transition table refuses illegal moves; deadlines are counted in working
days across holidays; alerts before and after a deadline; the re-test lab is never the first lab."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from shian.core.calendar import WorkingCalendar
from shian.core.models import Region
from shian.core.tests.factories import TOWN_A
from shian.sampling import rules, services
from shian.sampling.models import SampleDeadline, StatusChange
from shian.sampling.tests.helpers import lab_for
from shian.sampling.workflow import TRANSITIONS, SampleStatus, can_transition

S = SampleStatus


def test_no_status_skips_the_lab_or_the_judgment():
    assert not can_transition(S.TASK, S.TESTED)
    assert not can_transition(S.SAMPLED, S.JUDGED_UNQUALIFIED)
    assert not can_transition(S.JUDGED_UNQUALIFIED, S.CLOSED)  # unqualified food closes through disposal
    assert not any(TRANSITIONS[S.CLOSED])


def test_every_status_is_reachable_from_a_task():
    seen, frontier = {S.TASK.value}, [S.TASK.value]
    while frontier:
        nxt = [t for s in frontier for t in TRANSITIONS[s] if t not in seen]
        seen.update(nxt)
        frontier = nxt
    assert seen == set(S.values)


def test_deadline_rules_carry_the_known_values():
    book = rules.deadline_rules_in_force(dt.date(2026, 1, 1))
    assert (book["delivery"].days, book["lab_report"].days) == (5, 20)
    assert (book["retest_application"].days, book["retest_acceptance"].days) == (7, 5)


def test_delivery_deadline_across_national_day():
    """Sampled 2025-09-30: 1–8 October are holidays, Saturday 11 October is a make-up working day."""
    due = rules.due_date(
        rules.deadline_rules_in_force(dt.date(2025, 9, 30))["delivery"],
        dt.date(2025, 9, 30),
        lambda s, n: WorkingCalendar(overrides={}).deadline(s, n).due,
    )
    assert due == dt.date(2025, 10, 14)


def test_alerts_before_and_after_a_deadline():
    due = dt.date(2025, 10, 14)
    assert (
        rules.alert_level(due=due, today=dt.date(2025, 10, 9), working_days_left=4, warn_working_days=2)
        == "none"
    )
    assert (
        rules.alert_level(due=due, today=dt.date(2025, 10, 13), working_days_left=1, warn_working_days=2)
        == "due_soon"
    )
    assert (
        rules.alert_level(due=due, today=dt.date(2025, 10, 15), working_days_left=0, warn_working_days=2)
        == "overdue"
    )


def test_retest_lab_is_drawn_and_never_the_first_lab():
    labs = ["A", "B", "C"]
    drawn = {rules.draw_retest_lab(candidates=labs, first_lab="B", seed=s) for s in range(50)}
    assert drawn == {"A", "C"}
    with pytest.raises(LookupError):
        rules.draw_retest_lab(candidates=["B"], first_lab="B", seed=1)


def test_microbiological_items_allow_no_retest():
    book = rules.default_limit_book()
    assert not rules.retest_allowed(item="菌落总数", book=book)
    assert rules.retest_allowed(item="镉(以Cd计)", book=book)


@pytest.mark.django_db
def test_service_refuses_an_illegal_transition_and_records_a_legal_one(personas):
    officer = personas("district_officer")
    sample = services.sample_create(
        by=officer,
        code="BC2025-0001",
        region=Region.objects.get(pk=TOWN_A),
        food_name="大米",
        category_path="粮食加工品-大米",
    )
    with pytest.raises(ValidationError):
        services.sample_set_status(sample=sample, status=S.TESTED, by=officer, on=dt.date(2025, 9, 30))
    services.sample_set_status(sample=sample, status=S.SAMPLED, by=officer, on=dt.date(2025, 9, 30))
    deadline = SampleDeadline.objects.get(sample=sample, code="delivery")
    assert deadline.due == dt.date(2025, 10, 14)
    assert StatusChange.objects.filter(sample=sample).count() == 1


@pytest.mark.django_db
def test_results_are_judged_and_an_unqualified_sample_starts_the_clock(personas):
    officer = personas("district_officer")
    lab = personas("lab")
    sample = services.sample_create(
        by=officer,
        code="BC2026-0002",
        region=Region.objects.get(pk=TOWN_A),
        food_name="大米",
        category_path="粮食加工品-大米",
        produced_on=dt.date(2026, 3, 1),
        lab=lab_for(lab),
    )
    for status in (S.SAMPLED, S.DELIVERED):
        services.sample_set_status(sample=sample, status=status, by=officer, on=dt.date(2026, 3, 10))
    items = services.sample_results_record(
        sample=sample,
        results=[("镉(以Cd计)", "0.32mg/kg"), ("铅(以Pb计)", "0.05mg/kg")],
        by=lab,
        on=dt.date(2026, 3, 20),
    )
    assert {i.item: i.verdict for i in items} == {"镉(以Cd计)": "unqualified", "铅(以Pb计)": "qualified"}
    sample.refresh_from_db()
    assert (sample.status, sample.conclusion) == (S.JUDGED_UNQUALIFIED, "unqualified")
    assert items[0].edition == "GB 2762-2022" and items[0].limit_text == "≤0.2mg/kg"
    assert SampleDeadline.objects.get(sample=sample, code="lab_report").met_on == dt.date(2026, 3, 20)
    assert SampleDeadline.objects.filter(sample=sample, code="notify", met_on__isnull=True).exists()


@pytest.mark.django_db
def test_a_town_officer_cannot_create_a_sample_in_another_town(personas):
    from django.http import Http404

    with pytest.raises(Http404):  # another town reads as missing
        services.sample_create(
            by=personas("town_b_officer"), code="X-1", region=Region.objects.get(pk=TOWN_A), food_name="大米"
        )


@pytest.mark.django_db
def test_pass_rate_by_town_counts_judged_samples(personas):
    from shian.core.indicators import Period, compute

    officer, lab = personas("district_officer"), personas("lab")
    for n, result in enumerate(["0.32mg/kg", "0.1mg/kg"]):
        s = services.sample_create(
            by=officer,
            code=f"BC2026-1{n}",
            region=Region.objects.get(pk=TOWN_A),
            food_name="大米",
            category_path="粮食加工品-大米",
            lab=lab_for(lab),
        )
        for status in (S.SAMPLED, S.DELIVERED):
            services.sample_set_status(sample=s, status=status, by=officer, on=dt.date(2026, 3, 10))
        services.sample_results_record(
            sample=s, results=[("镉(以Cd计)", result)], by=lab, on=dt.date(2026, 3, 20)
        )
    r = compute("sampling.pass_rate", Period.year(2026))
    assert r.value == 50
    assert r.region_value(TOWN_A) == 50
    assert compute("sampling.batches_done", Period.year(2026)).value == 2
