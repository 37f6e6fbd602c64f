"""Predictive targeting, pure parts: features without leakage, the time-split evaluation on data
whose answer is known, AUC, reasons in Chinese, and the plan's visits kept whole by the ordering.

The method follows the Chicago food-inspection evaluation (Chicago/food-inspections-evaluation,
REPORTS/forecasting-restaurants-with-critical-violations-in-Chicago.Rmd): re-order the test
period's inspections by score on the same days and measure how much earlier critical findings come."""

from __future__ import annotations

import datetime as dt
import itertools
import random

import pytest

from shian.risk import rules, targeting
from shian.risk.targeting import BusinessFacts, EvalRow, History, InspectionFact

D = dt.date


def _ins(
    i: int, bid: int, day: dt.date, result: str = "pass", kf: int = 0, kind: str = "routine"
) -> InspectionFact:
    return InspectionFact(i, bid, day, kind, result, key_failed=kf, general_failed=0, full_check=True)


SHOP = BusinessFacts(1, "120113001", "catering", "small", ("restaurant",), D(2015, 3, 1))


def test_features_at_a_date_ignore_every_later_record():
    """No leakage: a record dated on or after the cut-off never changes the features at it."""
    early = [_ins(1, 1, D(2022, 3, 1), "fail", 1), _ins(2, 1, D(2022, 9, 1), "basic")]
    later = [_ins(3, 1, D(2023, 7, 1), "fail", 2), _ins(4, 1, D(2023, 6, 30), "fail", 1)]
    before = History.build(inspections=early, failed_samples=[(1, D(2023, 1, 5))])
    after = History.build(
        inspections=early + later,
        failed_samples=[(1, D(2023, 1, 5)), (1, D(2023, 6, 30)), (1, D(2024, 1, 1))],
        events=[(1, D(2023, 6, 30), "incident")],
    )
    cut = D(2023, 6, 30)
    assert targeting.features_at(SHOP, before, cut) == targeting.features_at(SHOP, after, cut)
    f = targeting.features_at(SHOP, after, cut)
    assert (f["serious_1y"], f["serious_3y"], f["days_since_last"], f["failed_samples_2y"]) == (0, 1, 302, 1)
    assert f["days_since_serious"] == (cut - D(2022, 3, 1)).days
    assert f["licence_years"] == pytest.approx(8.33, abs=0.01)
    # The next day the 2023-06-30 records are known.
    g = targeting.features_at(SHOP, after, cut + dt.timedelta(days=1))
    assert (g["serious_1y"], g["days_since_last"], g["failed_samples_2y"], g["adverse_events_1y"]) == (
        1,
        1,
        2,
        1,
    )


def test_never_inspected_business_gets_the_capped_gaps():
    f = targeting.features_at(SHOP, History.build(inspections=[]), D(2024, 1, 1))
    assert f["never_inspected"] == 1
    assert f["days_since_last"] == f["days_since_serious"] == targeting.LONG_DAYS
    assert f["complaints_1y"] == 0  # no complaints module in the platform yet


def test_grade_feature_is_the_2016_grade_on_the_day():
    """The grade used as a feature is rules.grade with the latest full check before the date
    (2016 办法: static + dynamic score), not today's stored grade."""
    h = History.build(inspections=[_ins(1, 1, D(2022, 5, 1), "fail", 5)])
    assert (
        targeting.features_at(SHOP, h, D(2022, 5, 1))["grade"]
        != targeting.features_at(SHOP, h, D(2022, 5, 2))["grade"]
    )
    edition = rules.rules_in_force(D(2022, 5, 2))
    expected = rules.grade(
        rules.GradeInput("catering", "small", ("restaurant",), last_full_check=(D(2022, 5, 1), 5, 0)), edition
    ).grade
    assert rules.GRADES[targeting.features_at(SHOP, h, D(2022, 5, 2))["grade"]] == expected == "D"


def test_training_with_a_cutoff_is_unchanged_by_later_history():
    """The model trained up to a cut-off is the same whether or not later inspections exist."""
    rng = random.Random(5)
    shops = {b: BusinessFacts(b, "120113001", "catering", "small", (), D(2012, 1, 1)) for b in range(1, 61)}
    bad = {b: b % 4 == 0 for b in shops}
    rows, n = [], 0
    for b in shops:
        for year in (2021, 2022, 2023, 2024):
            n += 1
            fail = rng.random() < (0.7 if bad[b] else 0.1)
            rows.append(_ins(n, b, D(year, 1 + rng.randrange(12), 10), "fail" if fail else "pass", int(fail)))
    cut = D(2023, 6, 30)
    full = targeting.fit_until(shops, History.build(inspections=rows), cut)
    short = targeting.fit_until(shops, History.build(inspections=[r for r in rows if r.day <= cut]), cut)
    assert full.as_dict() == short.as_dict()
    assert full.trained_to is not None and full.trained_to <= cut
    # Past serious findings carry the signal of this synthetic history.
    assert dict(full.weights())["serious_3y"] > 0


def test_evaluation_on_a_known_answer():
    """Four inspections on days 1–4, the only serious one on day 4 with the highest score: in model
    order it is found on day 1, three days earlier; it moves from the second half to the first."""
    rows = [
        EvalRow(1, "t", D(2024, 7, 1), False, 0.1),
        EvalRow(2, "t", D(2024, 7, 2), False, 0.2),
        EvalRow(3, "t", D(2024, 7, 3), False, 0.3),
        EvalRow(4, "t", D(2024, 7, 4), True, 0.9),
    ]
    ev = targeting.evaluate(rows, start=D(2024, 7, 1), end=D(2024, 7, 4))
    assert (ev.days_earlier_mean, ev.days_earlier_max, ev.found_later_share) == (3, 3, 0)
    assert (ev.first_half_schedule, ev.first_half_model, ev.auc) == (0, 1, 1)


def test_evaluation_keeps_each_towns_days_and_counts_later_findings():
    """Re-ordering stays inside a town (its inspectors) and keeps each day's number of visits; a
    serious finding the model ranks low is counted as found later."""
    rows = [
        EvalRow(1, "a", D(2024, 7, 1), True, 0.2),
        EvalRow(2, "a", D(2024, 7, 1), False, 0.5),
        EvalRow(3, "a", D(2024, 7, 9), False, 0.1),
        EvalRow(4, "b", D(2024, 7, 2), False, 0.99),
        EvalRow(5, "b", D(2024, 7, 5), True, 0.98),
    ]
    moved = targeting.reorder(rows)
    assert sorted(moved[i] for i in (1, 2, 3)) == [D(2024, 7, 1), D(2024, 7, 1), D(2024, 7, 9)]
    assert moved[1] == D(2024, 7, 1) and moved[5] == D(2024, 7, 5)
    ev = targeting.evaluate(rows, start=D(2024, 7, 1), end=D(2024, 7, 10))
    assert ev.days_earlier_mean == 0 and ev.serious == 2
    rows[0] = EvalRow(1, "a", D(2024, 7, 1), True, 0.05)  # now ranked last in town a: day 9
    ev = targeting.evaluate(rows, start=D(2024, 7, 1), end=D(2024, 7, 10))
    assert (ev.days_earlier_mean, ev.found_later_share) == (-4, 0.5)


def test_auc_counts_ties_half():
    assert targeting.auc([False, False, True, True], [0.1, 0.4, 0.35, 0.8]) == 0.75
    assert targeting.auc([False, True], [0.5, 0.5]) == 0.5
    assert targeting.auc([True, True], [0.1, 0.2]) is None


def test_reasons_are_chinese_and_only_raise_the_score():
    h = History.build(
        inspections=[_ins(1, 1, D(2023, 3, 1), "fail", 1), _ins(2, 1, D(2023, 9, 1), "fail", 1)],
        failed_samples=[(1, D(2023, 10, 1))],
    )
    f = targeting.features_at(SHOP, h, D(2024, 1, 1))
    names = (*targeting.NUMERIC_FEATURES, "business_type=catering", "business_type=school_canteen")
    model = targeting.LinearModel(
        edition="t",
        names=names,
        mean=tuple(0.0 for _ in names),
        scale=tuple(1.0 for _ in names),
        coef=tuple(
            {
                "serious_1y": 1.0,
                "failed_samples_2y": 0.5,
                "days_since_last": 0.001,
                "licence_years": -1.0,
            }.get(n, 0.0)
            for n in names
        ),
        intercept=-3,
        examples=1,
        positives=1,
        trained_from=None,
        trained_to=None,
    )
    reasons = targeting.explain(model, f, labels={"catering": "餐饮服务"})
    assert [r["text"] for r in reasons] == [
        "近一年检查不符合 2 次",
        "近两年抽检不合格 1 批次",
        "距上次检查 122 天",
    ]
    assert 0 < model.score(f) < 1
    assert targeting.reason_text("business_type=catering", f, {"catering": "餐饮服务"}) == "业态：餐饮服务"
    assert targeting.reason_text("business_type=school_canteen", f) is None


def test_training_without_both_outcomes_is_refused_with_a_sentence():
    h = History.build(inspections=[_ins(i, 1, D(2021 + i % 3, 1 + i % 12, 1)) for i in range(1, 30)])
    with pytest.raises(targeting.TargetingError, match="训练数据须同时包含"):
        targeting.fit_until({1: SHOP}, h, D(2024, 1, 1))
    with pytest.raises(targeting.TargetingError, match="不足一年"):
        targeting.fit_until({1: SHOP}, h, D(2021, 6, 1))


def _plan(bs: list[rules.PlanBusiness]) -> rules.AnnualPlan:
    freq = rules.rules_in_force(D(2025, 1, 1)).frequency
    return rules.annual_plan(year=2025, businesses=bs, inspectors={"*": [11, 12, 13, 14]}, freq=freq)


def test_ordering_the_plan_keeps_every_legally_required_visit():
    """The legal minimums (2016 办法 frequencies, via rules.annual_plan) are untouched: the ordered
    list holds exactly the plan's visits, each in its own due window; only the order inside a
    window follows the score."""
    grades = "ABCD"
    bs = [
        rules.PlanBusiness(i, "120113001" if i % 2 else "120113100", grades[i % 4], "catering", D(2026, 6, 1))
        for i in range(1, 41)
    ]
    plan = _plan(bs)
    scores = {i: (i * 37 % 41) / 41 for i in range(1, 41)}
    ordered = targeting.order_plan_visits(plan.visits, scores)
    assert sorted(ordered, key=repr) == sorted(plan.visits, key=repr)
    assert plan.under_minimum == []
    per_business = {b.id: sum(1 for v in ordered if v.business_id == b.id) for b in bs}
    assert all(
        per_business[b.id] >= rules.minimum_per_year(b.grade, rules.load_frequencies()["samr-2016"])
        for b in bs
    )
    for a, b in itertools.pairwise(ordered):
        if (a.region, a.due) == (b.region, b.due):
            assert scores[a.business_id] >= scores[b.business_id]
        else:
            assert (a.region, a.due) < (b.region, b.due)
    # An inspector's list is their share of the same visits, in the same order.
    mine = targeting.inspector_worklist(plan.visits, scores, 11)
    assert mine == [v for v in ordered if 11 in v.inspectors]
