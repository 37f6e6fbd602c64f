"""Grading from evidence, bulk regrade, events, draws recorded and re-run, conflicts excluded."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from shian.core.models import AuditSource, Role
from shian.core.tests.factories import UserFactory
from shian.inspections import services as inspection_services
from shian.registry import services as registry_services
from shian.registry.models import BusinessEventKind
from shian.registry.tests.factories import make_business
from shian.risk import selectors, services
from shian.risk.models import Draw, RiskGrade

pytestmark = pytest.mark.django_db
ON = dt.date(2024, 12, 31)


@pytest.fixture
def world():
    inspectors = [UserFactory.create(username=f"ins{i}", role=Role.INSPECTOR) for i in range(4)]
    shops = [
        make_business(name=f"店{i}", region_code="120113001", business_type="catering") for i in range(6)
    ]
    school = make_business(name="中心小学食堂", region_code="120113100", business_type="school_canteen")
    return inspectors, [*shops, school]


def _inspect(b, inspectors, fail=(), day=dt.date(2024, 5, 6), full=True):
    i = inspection_services.inspection_create(
        actor=None,
        source=AuditSource.SYSTEM,
        business=b,
        inspected_on=day,
        inspectors=inspectors[:2],
        full_check=full,
    )
    codes = ["C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8", "C9"]
    inspection_services.inspection_record_answers(
        actor=None,
        source=AuditSource.SYSTEM,
        inspection=i,
        answers={c: "fail" if c in fail else "pass" for c in codes},
        findings=dict.fromkeys(fail, "问题"),
    )
    inspection_services.inspection_sign(
        actor=None, source=AuditSource.SYSTEM, inspection=i, signed_by="负责人"
    )
    return inspection_services.inspection_submit(actor=None, source=AuditSource.SYSTEM, inspection=i)


def test_regrade_one_business_uses_latest_full_check_and_events(world):
    inspectors, bs = world
    _inspect(bs[0], inspectors, fail=("C3", "C4"))
    g = services.risk_regrade(actor=None, source=AuditSource.SYSTEM, business=bs[0], on=ON)
    assert (g.static_score, g.dynamic_score, g.total, g.grade) == (26, 24, 50, "C")
    assert g.breakdown["dynamic"]["from"] == "2024-05-06"
    registry_services.business_event_append(
        actor=None,
        source=AuditSource.SYSTEM,
        business=bs[0],
        kind="failed_supervisory_sample",
        occurred_on=dt.date(2024, 8, 1),
        origin_type="sampling.sample",
        origin_id="1",
    )
    g = services.risk_regrade(actor=None, source=AuditSource.SYSTEM, business=bs[0], on=ON)
    assert g.grade == "D" and g.adjustment == 1 and g.evidence["reasons"]


def test_ledger_kinds_the_grading_rules_do_not_name_are_not_graded_and_do_not_crash(world):
    """The ledger holds kinds other readers use (a penalty decision, an upheld complaint): the 2016
    method's step list does not name them, so grading skips them instead of refusing the business."""
    inspectors, bs = world
    _inspect(bs[0], inspectors, fail=("C3", "C4"))
    for kind in ("penalty_decision", "complaint_upheld"):
        registry_services.business_event_append(
            actor=None,
            source=AuditSource.SYSTEM,
            business=bs[0],
            kind=kind,
            occurred_on=dt.date(2024, 8, 1),
            origin_type="test",
            origin_id=kind,
        )
    g = services.risk_regrade(actor=None, source=AuditSource.SYSTEM, business=bs[0], on=ON)
    assert (g.grade, g.adjustment) == ("C", 0)
    mix = services.risk_regrade_bulk(actor=None, source=AuditSource.COMMAND, on=ON)
    assert sum(mix.values()) == 7


def test_clean_year_lowers_the_grade(world):
    inspectors, bs = world
    _inspect(bs[1], inspectors, fail=("C1", "C2"), day=dt.date(2023, 11, 1))
    _inspect(bs[1], inspectors, day=dt.date(2024, 6, 3), full=False)
    g = services.risk_regrade(actor=None, source=AuditSource.SYSTEM, business=bs[1], on=ON)
    assert (g.total, g.score_grade, g.grade, g.adjustment) == (32, "B", "A", -1)
    school = services.risk_regrade(actor=None, source=AuditSource.SYSTEM, business=bs[-1], on=ON)
    # Never fully inspected: default dynamic score 30, no clean year to lower it.
    assert (school.total, school.grade) == (61, "D")


def test_a_newly_opened_business_is_graded_on_its_static_score_converted(world):
    """2016 办法 (新开办, V2): without a full check a business opened in the last twelve months takes
    its static score converted to 100 points; one open longer takes the office's default of 30.
    The bulk regrade gives the same as the single one."""
    new = make_business(
        name="新开张小学食堂",
        region_code="120113100",
        business_type="school_canteen",
        opened_on=dt.date(2024, 9, 1),
    )
    g = services.risk_regrade(actor=None, source=AuditSource.SYSTEM, business=new, on=ON)
    # static 31 → 77.5 of 100: dynamic 46.5 → 47, total 78 (D); the old school (opened 2020) 31 + 30.
    assert (g.static_score, g.dynamic_score, g.total, g.grade) == (31, 47, 78, "D")
    assert g.breakdown["dynamic"]["basis"] == "static_converted"
    old = services.risk_regrade(actor=None, source=AuditSource.SYSTEM, business=world[1][-1], on=ON)
    assert (old.static_score, old.dynamic_score, old.breakdown["dynamic"]["basis"]) == (31, 30, "default")
    small = make_business(name="新开张小店", scale="micro", opened_on=dt.date(2024, 6, 1))
    g_small = services.risk_regrade(actor=None, source=AuditSource.SYSTEM, business=small, on=ON)
    services.risk_regrade_bulk(actor=None, source=AuditSource.COMMAND, on=ON)
    for single in (g, old, g_small):
        bulk = RiskGrade.objects.get(business_id=single.business_id)
        assert (bulk.dynamic_score, bulk.total, bulk.breakdown) == (
            single.dynamic_score,
            single.total,
            single.breakdown,
        )


def test_bulk_regrade_matches_single_and_prints_mix(world, capsys):
    inspectors, bs = world
    _inspect(bs[0], inspectors, fail=("C3", "C4"))
    mix = services.risk_regrade_bulk(actor=None, source=AuditSource.COMMAND, on=ON)
    assert sum(mix.values()) == 7
    bulk = RiskGrade.objects.get(business=bs[0])
    stored = {g.business_id: g for g in RiskGrade.objects.all()}
    single = services.risk_regrade(actor=None, source=AuditSource.SYSTEM, business=bs[0], on=ON)
    assert (bulk.grade, bulk.total, bulk.breakdown) == (single.grade, single.total, single.breakdown)
    # The bulk path writes breakdown and evidence as JSON text it encodes itself (parts cached
    # across businesses): every business reads back what the single path computes.
    for b in bs:
        if b.pk not in stored:
            continue
        again = services.risk_regrade(actor=None, source=AuditSource.SYSTEM, business=b, on=ON)
        # The single regrade runs after the bulk one, so its previous grade is the bulk's grade.
        assert stored[b.pk].evidence["previous_grade"] is None
        assert again.evidence["previous_grade"] == stored[b.pk].grade
        assert stored[b.pk].breakdown == again.breakdown
        assert {**stored[b.pk].evidence, "previous_grade": "-"} == {**again.evidence, "previous_grade": "-"}
    call_command("risk", "regrade", "--region", "120113001", "--on", "2024-12-31")
    assert "共 6 户" in capsys.readouterr().out


def test_bulk_regrade_gives_businesses_alike_but_for_dates_their_own_dates(world):
    """The bulk regrade grades each distinct input once; businesses that differ only in the date
    of their latest full check (same failures) share the grade but each keeps its own date."""
    inspectors, bs = world
    _inspect(bs[2], inspectors, fail=("C5",), day=dt.date(2024, 3, 4))
    _inspect(bs[3], inspectors, fail=("C5",), day=dt.date(2024, 9, 10))
    _inspect(bs[4], inspectors, fail=("C5", "C6"), day=dt.date(2024, 9, 10))
    services.risk_regrade_bulk(actor=None, source=AuditSource.COMMAND, on=ON)
    stored = {g.business_id: g for g in RiskGrade.objects.filter(business__in=bs[2:5])}
    assert stored[bs[2].pk].breakdown["dynamic"]["from"] == "2024-03-04"
    assert stored[bs[3].pk].breakdown["dynamic"]["from"] == "2024-09-10"
    assert stored[bs[2].pk].total == stored[bs[3].pk].total < stored[bs[4].pk].total
    for b in bs[2:5]:
        single = services.risk_regrade(actor=None, source=AuditSource.SYSTEM, business=b, on=ON)
        assert (single.grade, single.total, single.breakdown) == (
            stored[b.pk].grade,
            stored[b.pk].total,
            stored[b.pk].breakdown,
        )
    # Regrading the city again updates the rows in place (the first grading was a plain load).
    services.risk_regrade_bulk(actor=None, source=AuditSource.COMMAND, on=ON + dt.timedelta(days=1))
    again = {g.business_id: g for g in RiskGrade.objects.filter(business__in=bs[2:5])}
    assert {g.graded_on for g in again.values()} == {ON + dt.timedelta(days=1)}
    assert [again[b.pk].breakdown for b in bs[2:5]] == [stored[b.pk].breakdown for b in bs[2:5]]
    assert RiskGrade.objects.count() == len(bs)
    # Never fully inspected, same facts: one grade, and no date at all.
    never = list(RiskGrade.objects.filter(business__in=[bs[0], bs[5]]))
    assert len(never) == 2 and never[0].total == never[1].total
    assert [g.breakdown["dynamic"]["from"] for g in never] == [None, None]


def test_plan_command_prints_no_business_under_minimum(world, capsys):
    services.risk_regrade_bulk(actor=None, source=AuditSource.COMMAND, on=ON)
    call_command("inspections", "plan", "--year", "2025")
    out = capsys.readouterr().out
    assert "低于法定最低频次的主体：无" in out and "120113001" in out


def test_draw_recorded_rerun_and_published(world, client):
    inspectors, bs = world
    services.risk_regrade_bulk(actor=None, source=AuditSource.COMMAND, on=ON)
    pop = services.draw_population()
    services.conflict_declare(
        actor=None, source=AuditSource.SYSTEM, inspector=inspectors[0], business=bs[0], reason="亲属", on=ON
    )
    d = services.draw_create(
        actor=None,
        source=AuditSource.SYSTEM,
        code="2025-01",
        title="一季度",
        seed=99,
        population=pop,
        ratios={"A": 1, "B": 1, "C": 1, "D": 1},
        on=ON,
    )
    assert len(d.result["businesses"]) == 7
    assert inspectors[0].pk not in d.result["assignments"][str(bs[0].pk)]
    rerun = services.draw_rerun(Draw.objects.get(code="2025-01"))
    assert rerun.businesses == d.result["businesses"]
    assert {str(k): list(v) for k, v in rerun.assignments.items()} == d.result["assignments"]
    assert d.results_due == dt.date(2025, 2, 5)  # 20 working days across the Spring Festival 2025
    page = client.get("/risk/draws/2025-01/")
    assert page.status_code == 200 and "99" in page.content.decode()


def test_draw_with_inspector_conflicted_for_all_refused_and_nothing_recorded(world):
    inspectors, bs = world
    services.risk_regrade_bulk(actor=None, source=AuditSource.COMMAND, on=ON)
    for ins in inspectors[:3]:
        services.conflict_declare(
            actor=None, source=AuditSource.SYSTEM, inspector=ins, business=bs[0], reason="持股", on=ON
        )
    with pytest.raises(ValidationError, match="不足2名"):
        services.draw_create(
            actor=None,
            source=AuditSource.SYSTEM,
            code="x",
            title="x",
            seed=1,
            population=[(bs[0].pk, "A")],
            ratios={"A": 1},
            on=ON,
        )
    assert not Draw.objects.exists()


def test_draw_command_prints_the_draw(world, capsys):
    services.risk_regrade_bulk(actor=None, source=AuditSource.COMMAND, on=ON)
    call_command(
        "inspections", "draw", "--population", "grade", "--ratio", "A=0.5", "--seed", "7", "--code", "cli-7"
    )
    out = capsys.readouterr().out
    assert "种子 7" in out and "检查人员" in out


def test_grade_page_names_each_part_and_the_evidence_in_chinese(world, client):
    """Every grade shows its breakdown and the evidence it used, in the user's language."""
    inspectors, bs = world
    _inspect(bs[0], inspectors, fail=("C3", "C4"))
    services.risk_regrade(actor=None, source=AuditSource.SYSTEM, business=bs[0], on=ON)
    client.force_login(
        UserFactory.create(username="officer", role=Role.DISTRICT_OFFICER),
        backend="django.contrib.auth.backends.ModelBackend",
    )
    response = client.get(f"/risk/grades/{bs[0].pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200, response
    page = response.content.decode()
    assert "食品类别" in page and "业态" in page and "消费对象" in page
    assert "business_type" not in page and "consumer_group" not in page
    assert "2024-05-06" in page and "关键项2项、一般项0项不符合" in page
    assert "近一年检查1次" in page and "上次等级" in page


def test_draw_stratified_by_credit_class_raises_the_ratio_of_the_listed(world, capsys):
    """Credit-risk classes (from the credit file, a separate axis from the grade) set the draw's
    strata and default ratios: a listed business is class D, drawn at three times the base ratio."""
    _inspectors, bs = world
    services.risk_regrade_bulk(actor=None, source=AuditSource.COMMAND, on=ON)
    registry_services.business_event_append(
        actor=None,
        source=AuditSource.SYSTEM,
        business=bs[0],
        kind=BusinessEventKind.SERIOUS_DISHONESTY_LISTED,
        occurred_on=timezone.localdate() - dt.timedelta(days=30),
        origin_type="test",
        origin_id="1",
    )
    pop = dict(services.draw_population(stratify="credit"))
    assert pop[bs[0].pk] == "credit-D" and pop[bs[1].pk] == "credit-A"
    call_command("inspections", "draw", "--population", "credit", "--seed", "7")
    out = capsys.readouterr().out
    assert "credit-D: 总体 1" in out and "比例 0.3" in out and "credit-A" in out and "比例 0.05" in out


def test_a_listed_business_is_planned_at_the_next_grades_frequency(world):
    """食品安全法第一百一十三条 and the list's measures: credit class D (listed) raises a grade-C
    business to grade D's visits in the annual plan."""
    _inspectors, bs = world
    services.risk_regrade_bulk(actor=None, source=AuditSource.COMMAND, on=ON)
    RiskGrade.objects.filter(business=bs[0]).update(grade="C")

    def visits() -> int:
        return sum(1 for v in selectors.annual_plan(year=2025).visits if v.business_id == bs[0].pk)

    before = visits()
    registry_services.business_event_append(
        actor=None,
        source=AuditSource.SYSTEM,
        business=bs[0],
        kind=BusinessEventKind.SERIOUS_DISHONESTY_LISTED,
        occurred_on=dt.date(2024, 12, 1),
        origin_type="test",
        origin_id="2",
    )
    assert visits() > before
