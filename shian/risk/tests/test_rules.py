"""Risk-grading, frequency, plan and draw rules, one test per clause (sources in
data/risk-grading.toml and research/cn-regulation.md §1)."""

from __future__ import annotations

import datetime as dt
import random
import tomllib
from collections import Counter

import pytest

from shian.risk import rules

R = rules.rules_in_force(dt.date(2024, 1, 1))
F = R.frequency
XL = rules.load_frequencies()["xilingol-2024-catering"]


def test_edition_in_force_is_chosen_by_date_and_carries_its_source():
    assert R.id == "cfda-2016-115.beichen.2"
    # Grades recorded under the edition's earlier id still read as its source.
    assert rules.edition_source("cfda-2016-115.beichen.1") == R.source
    assert "115号" in R.source and R.verification == "V2"
    with pytest.raises(LookupError):
        rules.rules_in_force(dt.date(2016, 11, 30))


def test_static_score_four_factors_capped_at_40():
    """2016 办法: static risk = food category + business type + scale + consumer group, ≤ 40."""
    s = rules.static_score(business_type="special_food", scale="large", categories=["30"], rules=R)
    assert (s["category"], s["business_type"], s["scale"], s["consumer_group"]) == (20, 10, 5, 5)
    assert s["total"] == 40
    low = rules.static_score(business_type="wholesale_retail", scale="micro", categories=["14"], rules=R)
    assert low["total"] == 6 + 3 + 2 + 2


def test_static_score_uses_riskiest_category():
    s = rules.static_score(business_type="wholesale_retail", scale="small", categories=["14", "05"], rules=R)
    assert s["category"] == 18


def test_dynamic_score_from_latest_full_check_capped_at_60():
    """2016 办法: dynamic risk ≤ 60, from the latest full-checklist inspection."""
    day = dt.date(2023, 5, 1)
    assert rules.dynamic_score((day, 0, 0), R) == 0
    assert rules.dynamic_score((day, 1, 2), R) == 12 + 6
    assert rules.dynamic_score((day, 9, 9), R) == 60
    assert rules.dynamic_score(None, R) == R.dynamic_default


# 新开办 (2016 办法, as explained in its published Q&A, V2): a newly opened business may skip the
# dynamic assessment; its risk score is converted from its static score (折算) to the 100-point scale.
def test_new_business_without_full_check_takes_its_static_score_converted():
    """static 21 of 40 → 52.5 of 100 → dynamic 31.5 rounded half up to 32; total 53 (C)."""
    assert R.new_business_dynamic == "static_converted"
    assert rules.dynamic_score(None, R, new_business=True, static_total=21) == 32
    assert rules.dynamic_score(None, R, new_business=True, static_total=20) == 30
    assert rules.dynamic_score(None, R, new_business=True, static_total=40) == 60
    out = rules.grade(
        rules.GradeInput(
            business_type="wholesale_retail", scale="micro", categories=("14",), new_business=True
        ),
        R,
    )
    # static 6 + 3 + 2 + 2 = 13 → 32.5 of 100 → dynamic 19.5 → 20; total 33, grade B.
    assert (out.static_score, out.dynamic_score, out.total, out.grade) == (13, 20, 33, "B")
    assert out.breakdown["dynamic"]["basis"] == "static_converted"


def test_new_business_with_a_full_check_is_scored_from_it():
    """The conversion replaces only a missing dynamic assessment, never an inspection's findings."""
    day = dt.date(2024, 3, 1)
    assert rules.dynamic_score((day, 1, 0), R, new_business=True, static_total=40) == 12
    assert rules.dynamic_basis((day, 1, 0), True, R) == "full_check"


def test_business_open_longer_without_full_check_gets_the_offices_default():
    """The method says nothing here: the office's own setting (labelled local in the data)."""
    assert rules.dynamic_score(None, R, new_business=False, static_total=21) == R.dynamic_default == 30
    assert rules.dynamic_basis(None, False, R) == "default"
    data = tomllib.loads(rules.RULES_FILE.read_text(encoding="utf-8"))["edition"][-1]
    assert data["dynamic_default_verification"] == "local"
    assert data["new_business_verification"] == "V2"


@pytest.mark.parametrize(
    ("opened_on", "new"),
    [
        (dt.date(2023, 12, 31), False),  # exactly twelve months before the grading day
        (dt.date(2024, 1, 1), True),
        (dt.date(2024, 12, 31), True),  # opened on the grading day
        (dt.date(2025, 1, 1), False),  # not open yet
        (None, False),  # opening date unknown: not taken as new
    ],
)
def test_newly_opened_means_within_twelve_months_before_grading(opened_on, new):
    """The office's reading of 新开办 (new_business_months = 12, local)."""
    assert rules.is_new_business(opened_on, dt.date(2024, 12, 31), R) is new


@pytest.mark.parametrize(
    ("score", "grade"),
    [(0, "A"), (30, "A"), (31, "B"), (45, "B"), (46, "C"), (60, "C"), (61, "D"), (100, "D")],
)
def test_grade_thresholds(score, grade):
    """A 0–30 (inclusive), B >30–45, C >45–60, D >60."""
    assert rules.grade_for_score(score, R) == grade


def test_negative_score_is_refused():
    with pytest.raises(rules.RiskRuleError):
        rules.grade_for_score(-1, R)


def test_adjustment_up_one_or_two_grades_for_listed_events():
    """2016 办法 第十九条: up one or two grades; at most two in all."""
    day = dt.date(2023, 6, 1)
    assert (
        rules.adjustment(events=[("failed_supervisory_sample", day)], clean_inspections=True, rules=R)[0] == 1
    )
    assert rules.adjustment(events=[("incident", day)], clean_inspections=False, rules=R)[0] == 2
    steps, reasons = rules.adjustment(
        events=[("incident", day), ("refused_recall", day)], clean_inspections=False, rules=R
    )
    assert steps == 2 and len(reasons) == 2
    with pytest.raises(rules.RiskRuleError):
        rules.adjustment(events=[("parking_ticket", day)], clean_inspections=False, rules=R)


def test_adjustment_down_one_after_clean_year():
    """2016 办法 第二十条: down one grade after a clean year."""
    assert rules.adjustment(events=[], clean_inspections=True, rules=R)[0] == -1
    assert rules.adjustment(events=[], clean_inspections=False, rules=R)[0] == 0


def test_grade_combines_score_and_adjustment_within_a_to_d():
    data = rules.GradeInput(
        business_type="catering",
        scale="small",
        categories=("31",),
        last_full_check=(dt.date(2023, 1, 5), 2, 0),
        events=(("incident", dt.date(2023, 3, 1)),),
    )
    out = rules.grade(data, R)
    assert out.static_score == 14 + 7 + 3 + 2 and out.dynamic_score == 24
    assert out.score_grade == "C" and out.grade == "D" and out.edition == R.id
    assert out.breakdown["dynamic"]["from"] == "2023-01-05"
    clean = rules.grade(
        rules.GradeInput(
            business_type="wholesale_retail",
            scale="micro",
            categories=("14",),
            last_full_check=(dt.date(2023, 1, 5), 0, 0),
            clean_inspections=True,
        ),
        R,
    )
    assert clean.grade == "A"  # already A: a clean year cannot go lower


def test_minimum_inspections_per_year_by_grade():
    """2016 办法: A ≥1, B 1–2, C 2–3, D 3–4 per year."""
    assert [rules.minimum_per_year(g, F) for g in "ABCD"] == [1, 1, 2, 3]
    assert [rules.planned_per_year(g, F, priority=True) for g in "ABCD"] == [1, 2, 3, 4]


def test_at_least_one_per_interval_form():
    """锡林郭勒盟 2024: A yearly, B half-yearly, C every 4 months, D quarterly."""
    assert [rules.minimum_per_year(g, XL) for g in "ABCD"] == [1, 2, 3, 4]
    dues = rules.due_dates("D", XL, 2024, 4)
    assert rules.meets_interval_rule(dues, "D", XL, 2024)
    assert not rules.meets_interval_rule(
        [dt.date(2024, 1, 5), dt.date(2024, 2, 5), dt.date(2024, 3, 5), dt.date(2024, 12, 1)], "D", XL, 2024
    )


def test_priority_groups():
    """49号令 第二十二条: special-food producers, C/D producers, D operators, central kitchens."""
    assert rules.priority_groups("special_food", "A") == ["special_food_producer"]
    assert rules.priority_groups("production", "C") == ["cd_producer"]
    assert rules.priority_groups("production", "B") == []
    assert rules.priority_groups("catering", "D") == ["d_operator"]
    assert rules.priority_groups("catering", "C") == []
    assert rules.priority_groups("central_kitchen", "A") == ["central_kitchen"]


def _plan_businesses(n: int) -> list[rules.PlanBusiness]:
    rng = random.Random(1)
    return [
        rules.PlanBusiness(
            i,
            f"12011300{i % 3}",
            rng.choice("ABCD"),
            rng.choice(["catering", "production", "central_kitchen"]),
            dt.date(2024 + i % 3, 6, 1),
        )
        for i in range(n)
    ]


def test_annual_plan_meets_every_minimum_and_full_check():
    """The plan leaves no business under its legal minimum; a full check falls due once in two years."""
    bs = _plan_businesses(300)
    plan = rules.annual_plan(year=2024, businesses=bs, inspectors={"*": [1, 2, 3, 4, 5]}, freq=F)
    assert plan.under_minimum == []
    per = Counter(v.business_id for v in plan.visits)
    for b in bs:
        assert per[b.id] >= rules.minimum_per_year(b.grade, F)
    full = {v.business_id for v in plan.visits if v.full_check}
    assert full == {b.id for b in bs if b.full_check_due <= dt.date(2024, 12, 31)}
    assert all(len(set(v.inspectors)) == 2 for v in plan.visits)
    loads = plan.workload.values()
    assert max(loads) - min(loads) <= 3  # pairs taken in turn: the work is even


def test_plan_needs_two_inspectors_per_town():
    with pytest.raises(rules.RiskRuleError):
        rules.annual_plan(year=2024, businesses=_plan_businesses(1), inspectors={"*": [1]}, freq=F)


def test_plan_marks_overdue_visits():
    b = rules.PlanBusiness(1, "x", "D", "catering", dt.date(2030, 1, 1))
    plan = rules.annual_plan(
        year=2024, businesses=[b], inspectors={"*": [1, 2]}, freq=F, as_of=dt.date(2024, 7, 1)
    )
    assert plan.by_region["x"]["overdue"] == 2  # Q1 and Q2 visits not done


POP = [(i, "ABCD"[i % 4]) for i in range(1, 401)]


def test_draw_is_reproducible_from_its_seed():
    """49号令 第五条 (双随机): same seed, same population → same draw, in any input order."""
    a = rules.draw(
        seed=42, population=POP, ratios={"A": 0.05, "B": 0.1, "C": 0.2, "D": 0.5}, inspectors=range(1, 11)
    )
    b = rules.draw(
        seed=42,
        population=list(reversed(POP)),
        ratios={"A": 0.05, "B": 0.1, "C": 0.2, "D": 0.5},
        inspectors=range(1, 11),
    )
    assert a == b
    assert a.strata == {"A": (100, 5), "B": (100, 10), "C": (100, 20), "D": (100, 50)}
    assert (
        rules.draw(seed=43, population=POP, ratios={"A": 0.05}, inspectors=range(1, 11)).businesses
        != a.businesses[:5]
    )


def test_draw_assigns_two_inspectors_excluding_conflicts():
    """49号令 第二十三条 (≥2 inspectors) and 回避: a conflicted inspector is never drawn."""
    conflicts = {b: frozenset({1, 2}) for b, _ in POP}
    r = rules.draw(seed=7, population=POP, ratios={"D": 1.0}, inspectors=[1, 2, 3, 4], conflicts=conflicts)
    assert all(set(v) == {3, 4} for v in r.assignments.values())
    with pytest.raises(rules.RiskRuleError, match="不足2名"):
        rules.draw(seed=7, population=POP, ratios={"D": 1.0}, inspectors=[1, 2, 3], conflicts=conflicts)
    with pytest.raises(rules.RiskRuleError):
        rules.draw(seed=7, population=POP, ratios={"D": 1.0}, inspectors=[1, 2, 3], per_inspection=1)


def test_draw_is_uniform_within_strata():
    """Every member of a stratum is equally likely to be drawn: χ² over 2,000 seeded draws stays
    under the 0.1 % critical value in each stratum."""
    pop = [(i, "AB"[i % 2]) for i in range(1, 61)]
    counts: Counter[int] = Counter()
    for seed in range(2000):
        counts.update(rules.draw_businesses(pop, {"A": 0.1, "B": 0.5}, random.Random(seed))[0])
    for stratum in "AB":
        observed = [counts[b] for b, s in pop if s == stratum]
        stat, dof = rules.chi_square_uniform(observed)
        assert stat < rules.chi_square_critical(dof), (stratum, stat)
    # and the test does detect a biased draw
    biased = [100] * 29 + [300]
    assert rules.chi_square_uniform(biased)[0] > rules.chi_square_critical(29)
