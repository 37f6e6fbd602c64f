"""The rules of a case and of credit, one test per clause, each naming its source. Pure: no
database. Holidays come from a fixed set (the 2022 National Day week and its make-up Saturdays)
so the counting itself is what is tested."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from shian.enforcement import rules

D = dt.date
ED = rules.edition_in_force(D(2022, 6, 1))
# 2022 National Day: 10-01..10-07 off; Saturday 10-08 and Sunday 10-09 are working days.
HOLIDAYS = {D(2022, 10, d) for d in range(1, 8)}
MAKEUP = {D(2022, 10, 8), D(2022, 10, 9)}


def is_workday(day: dt.date) -> bool:
    if day in MAKEUP:
        return True
    return day not in HOLIDAYS and day.weekday() < 5


def add_wd(start: dt.date, n: int) -> dt.date:
    day = start
    while n:
        day += dt.timedelta(days=1)
        if is_workday(day):
            n -= 1
    return day


def due(code: str, start: dt.date, extensions: int = 0) -> dt.date:
    return rules.clock_due(
        ED.clock(code), start, add_working_days=add_wd, is_workday=is_workday, extensions=extensions
    )


# -- clocks ---------------------------------------------------------------------------------------


def test_filing_decision_is_15_working_days_across_national_day():
    """程序规定第十八条 (M): 15 working days from the lead; the holiday week does not count, the
    make-up weekend does. From Thu 29 Sep: 30 Sep, 8, 9, 10–14, 17–21, 24, 25 Oct → 25 Oct."""
    assert due("filing_decision", D(2022, 9, 29)) == D(2022, 10, 25)
    assert ED.clock("filing_decision").verification == "M"


def test_filing_decision_extension_adds_15_working_days():
    assert due("filing_decision", D(2022, 9, 29), extensions=1) == add_wd(D(2022, 10, 25), 15)


def test_case_term_is_90_calendar_days_rolled_past_a_holiday():
    """程序规定第六十四条 (M): 90 days from filing; a term ending in the holiday ends on the next
    working day. 90 days from 2022-07-05 is 2022-10-03 (holiday) → 2022-10-08 (make-up Saturday)."""
    assert D(2022, 7, 5) + dt.timedelta(days=90) == D(2022, 10, 3)
    assert due("case_term", D(2022, 7, 5)) == D(2022, 10, 8)


def test_case_term_extension_is_30_days():
    assert due("case_term", D(2022, 3, 1), extensions=1) == D(2022, 3, 1) + dt.timedelta(days=120)


def test_hearing_request_is_5_working_days():
    """行政处罚法第六十四条、第八十五条 (M): 五日 means working days. Notice served Fri 30 Sep: 8, 9,
    10, 11, 12 Oct."""
    assert due("hearing_request", D(2022, 9, 30)) == D(2022, 10, 12)


def test_seizure_is_30_days_and_one_extension_of_45():
    """实施条例第六十一条 (V): ≤ 30 days, extension ≤ 45 days."""
    clock = ED.clock("seizure")
    assert (clock.days, clock.extension_days, clock.verification) == (30, 45, "V")
    assert due("seizure", D(2022, 3, 1)) == D(2022, 3, 31)
    assert due("seizure", D(2022, 3, 1), extensions=1) == D(2022, 5, 16)  # 75 days: Sun 15 May → Mon


def test_publication_due_is_20_working_days_across_national_day():
    """45号令第九条 (V): within 20 working days of the decision. Decision Wed 28 Sep 2022: 29, 30 Sep,
    8, 9, 10–14, 17–21, 24–28, 31 Oct."""
    assert due("publication", D(2022, 9, 28)) == D(2022, 10, 31)


def test_a_clock_that_cannot_be_extended_refuses():
    with pytest.raises(ValueError, match="不能延长"):
        due("publication", D(2022, 9, 28), extensions=1)


def test_a_date_before_the_first_edition_gets_a_chinese_answer():
    with pytest.raises(rules.NoEditionInForce, match="早于执法规则的最早版本"):
        rules.edition_in_force(D(2020, 1, 1))


# -- fine and band ------------------------------------------------------------------------------


def test_fine_range_below_the_value_threshold_is_flat():
    """法第一百二十四条 (V): goods under ¥10,000 → ¥50,000–100,000."""
    rng = rules.fine_range(ED.basis("fsl-124"), Decimal(3000))
    assert (rng.low, rng.high) == (Decimal(50000), Decimal(100000))


def test_fine_range_above_the_value_threshold_is_a_multiple():
    """法第一百二十四条 (V): goods ≥ ¥10,000 → 10–20 times."""
    rng = rules.fine_range(ED.basis("fsl-124"), Decimal(20000))
    assert (rng.low, rng.high) == (Decimal(200000), Decimal(400000))


def test_a_fine_outside_the_range_is_refused_with_the_article():
    problem = rules.fine_problem(ED.basis("fsl-126"), None, Decimal(60000), "heavier")
    assert problem and "第一百二十六条" in problem and "5000" in problem


def test_a_fine_in_the_wrong_band_is_refused():
    assert rules.fine_problem(ED.basis("fsl-126"), None, Decimal(6000), "heavier") is not None
    assert rules.fine_problem(ED.basis("fsl-126"), None, Decimal(6000), "lighter") is None


def test_mitigated_fine_must_be_below_the_floor():
    assert rules.fine_problem(ED.basis("fsl-126"), None, Decimal(3000), "mitigated") is None
    assert rules.fine_problem(ED.basis("fsl-126"), None, Decimal(8000), "mitigated") is not None


def test_heavy_decisions_need_collective_discussion():
    """行政处罚法第五十七条第二款 (M)."""
    assert rules.needs_collective_discussion(kinds=frozenset({"licence_revocation"}), band="", edition=ED)
    assert rules.needs_collective_discussion(kinds=frozenset({"fine"}), band="heavier", edition=ED)
    assert not rules.needs_collective_discussion(kinds=frozenset({"fine"}), band="ordinary", edition=ED)


# -- 情节严重 (实施条例第六十七条, V) -----------------------------------------------------------


def _met(tests: list[rules.Test]) -> set[str]:
    return {t.code for t in tests if t.met}


def test_67_1_goods_value_of_20000():
    on = D(2022, 6, 1)
    assert "67-1" in _met(
        rules.aggravation_tests(rules.CaseFacts(goods_value=Decimal(20000)), on=on, edition=ED)
    )
    assert "67-1" not in _met(
        rules.aggravation_tests(rules.CaseFacts(goods_value=Decimal(19999)), on=on, edition=ED)
    )


def test_67_1_duration_of_3_months():
    on = D(2022, 6, 1)
    three = rules.CaseFacts(violation_started=D(2022, 3, 1), violation_ended=D(2022, 6, 1))
    short = rules.CaseFacts(violation_started=D(2022, 3, 2), violation_ended=D(2022, 6, 1))
    assert "67-1" in _met(rules.aggravation_tests(three, on=on, edition=ED))
    assert "67-1" not in _met(rules.aggravation_tests(short, on=on, edition=ED))


def test_67_2_illness():
    on = D(2022, 6, 1)
    assert "67-2" in _met(rules.aggravation_tests(rules.CaseFacts(ill_persons=30), on=on, edition=ED))
    assert "67-2" in _met(
        rules.aggravation_tests(rules.CaseFacts(ill_persons=2, deaths=1), on=on, edition=ED)
    )
    assert "67-2" not in _met(rules.aggravation_tests(rules.CaseFacts(ill_persons=29), on=on, edition=ED))


def test_67_3_and_4_false_information_and_refusal():
    on = D(2022, 6, 1)
    met = _met(
        rules.aggravation_tests(
            rules.CaseFacts(false_information=True, refused_inspection=True), on=on, edition=ED
        )
    )
    assert {"67-3", "67-4"} <= met


def test_67_5_same_violation_within_a_year_of_a_penalty():
    on = D(2022, 6, 1)
    within = rules.CaseFacts(basis_code="fsl-124", prior_penalties=((D(2021, 6, 2), "fsl-124"),))
    other_kind = rules.CaseFacts(basis_code="fsl-124", prior_penalties=((D(2021, 12, 1), "fsl-126"),))
    too_old = rules.CaseFacts(basis_code="fsl-124", prior_penalties=((D(2021, 5, 31), "fsl-124"),))
    assert "67-5" in _met(rules.aggravation_tests(within, on=on, edition=ED))
    assert "67-5" not in _met(rules.aggravation_tests(other_kind, on=on, edition=ED))
    assert "67-5" not in _met(rules.aggravation_tests(too_old, on=on, edition=ED))
    assert "67-5" in _met(rules.aggravation_tests(rules.CaseFacts(prior_criminal=True), on=on, edition=ED))


# -- 法第一百三十四条 and 第一百三十五条 (V) --------------------------------------------------------


def test_134_third_penalty_within_a_year():
    on = D(2022, 6, 1)
    p = [
        (D(2021, 8, 1), "A1", frozenset({"fine"})),
        (D(2022, 1, 5), "A2", frozenset({"warning", "fine"})),
        (D(2022, 6, 1), "A3", frozenset({"fine"})),
    ]
    judgement = rules.third_penalty(p, on=on, edition=ED)
    assert judgement.met and [n for _d, n in judgement.counted] == ["A1", "A2", "A3"]
    assert "第一百三十四条" in judgement.source


def test_134_does_not_count_suspension_or_a_penalty_older_than_a_year():
    on = D(2022, 6, 1)
    p = [
        (D(2021, 6, 1), "old", frozenset({"fine"})),
        (D(2022, 1, 5), "susp", frozenset({"suspension", "fine"})),
        (D(2022, 3, 1), "B", frozenset({"fine"})),
        (D(2022, 6, 1), "C", frozenset({"fine"})),
    ]
    judgement = rules.third_penalty(p, on=on, edition=ED)
    assert not judgement.met and len(judgement.counted) == 2


def test_135_ban_is_five_years_or_for_life():
    assert rules.ban_until(decided_on=D(2022, 6, 1), prison_sentence=False, edition=ED) == D(2027, 5, 31)
    assert rules.ban_until(decided_on=D(2022, 6, 1), prison_sentence=True, edition=ED) is None
    assert rules.ban_in_force(until=D(2027, 5, 31), on=D(2027, 5, 31))
    assert not rules.ban_in_force(until=D(2027, 5, 31), on=D(2027, 6, 1))
    assert rules.ban_in_force(until=None, on=D(2099, 1, 1))


# -- criminal thresholds (两高解释 2021, V) ---------------------------------------------------------


def test_interpretation_3_1_amount_of_200000():
    on = D(2022, 6, 1)
    assert "143-3-1" in _met(
        rules.criminal_tests(rules.CaseFacts(sales_amount=Decimal(200000)), on=on, edition=ED)
    )
    assert "143-3-1" not in _met(
        rules.criminal_tests(rules.CaseFacts(sales_amount=Decimal(199999)), on=on, edition=ED)
    )


def test_interpretation_3_2_to_5_need_the_100000_band_and_a_circumstance():
    on = D(2022, 6, 1)
    base = {"sales_amount": Decimal(150000)}
    assert not _met(rules.criminal_tests(rules.CaseFacts(**base), on=on, edition=ED))
    assert "143-3-2" in _met(
        rules.criminal_tests(rules.CaseFacts(**base, large_quantity=True), on=on, edition=ED)
    )
    assert "143-3-3" in _met(
        rules.criminal_tests(rules.CaseFacts(**base, special_food=True), on=on, edition=ED)
    )
    assert "143-3-4" in _met(
        rules.criminal_tests(rules.CaseFacts(**base, near_minors_or_elderly=True), on=on, edition=ED)
    )
    prior = rules.CaseFacts(**base, prior_penalties=((D(2020, 6, 2), "fsl-124"),))
    assert "143-3-5" in _met(rules.criminal_tests(prior, on=on, edition=ED))
    small = rules.CaseFacts(sales_amount=Decimal(90000), special_food=True)
    assert "143-3-3" not in _met(rules.criminal_tests(small, on=on, edition=ED))


def test_interpretation_144_toxic_non_food_has_no_amount_threshold():
    met = _met(rules.criminal_tests(rules.CaseFacts(toxic_non_food=True), on=D(2022, 6, 1), edition=ED))
    assert "144" in met


def test_interpretation_1_and_2_serious_excess_and_poisoning():
    on = D(2022, 6, 1)
    assert "143-1-1" in _met(rules.criminal_tests(rules.CaseFacts(serious_excess=True), on=on, edition=ED))
    assert "143-2-4" in _met(
        rules.criminal_tests(rules.CaseFacts(serious_poisoning_persons=10), on=on, edition=ED)
    )
    assert "143-2-4" not in _met(
        rules.criminal_tests(rules.CaseFacts(serious_poisoning_persons=9), on=on, edition=ED)
    )


def test_interpretation_18_illegal_income_of_50000():
    met = _met(
        rules.criminal_tests(rules.CaseFacts(illegal_income=Decimal(50000)), on=D(2022, 6, 1), edition=ED)
    )
    assert "225" in met


# -- publication (45号令, V) --------------------------------------------------------------------------


def test_warning_alone_is_not_published():
    """第二条第二款."""
    term = rules.publication_term(
        kinds=frozenset({"warning"}), fine=None, published_on=D(2022, 6, 1), restriction_months=0, edition=ED
    )
    assert not term.published


def test_light_fine_is_published_3_months_other_3_years():
    """第十三条第一款."""
    light = rules.publication_term(
        kinds=frozenset({"fine"}),
        fine=Decimal(5000),
        published_on=D(2022, 6, 1),
        restriction_months=0,
        edition=ED,
    )
    heavy = rules.publication_term(
        kinds=frozenset({"fine"}),
        fine=Decimal(50000),
        published_on=D(2022, 6, 1),
        restriction_months=0,
        edition=ED,
    )
    assert light.light and light.ends == D(2022, 9, 1)
    assert not heavy.light and heavy.ends == D(2025, 6, 1)


def test_restriction_longer_than_3_years_sets_the_term():
    """第十三条第三款."""
    term = rules.publication_term(
        kinds=frozenset({"licence_revocation", "ban"}),
        fine=None,
        published_on=D(2022, 6, 1),
        restriction_months=60,
        edition=ED,
    )
    assert term.ends == D(2027, 6, 1)


def test_early_withdrawal_conditions_and_period():
    """第十四条: minimum period (M), four conditions; never for heavy penalties (第三款)."""
    term = rules.publication_term(
        kinds=frozenset({"fine"}),
        fine=Decimal(50000),
        published_on=D(2022, 6, 1),
        restriction_months=0,
        edition=ED,
    )
    ok = rules.Conditions(True, True, True, True)
    src = ED.publication["source_early"]
    assert rules.early_withdrawal_problems(term=term, conditions=ok, on=D(2023, 6, 1), source=src) == []
    assert rules.early_withdrawal_problems(term=term, conditions=ok, on=D(2023, 5, 31), source=src)
    bad = rules.Conditions(True, False, True, False)
    problems = rules.early_withdrawal_problems(term=term, conditions=bad, on=D(2023, 6, 1), source=src)
    assert (
        len(problems) == 2 and any("第二项" in p for p in problems) and any("第四项" in p for p in problems)
    )
    revoked = rules.publication_term(
        kinds=frozenset({"licence_revocation"}),
        fine=None,
        published_on=D(2022, 6, 1),
        restriction_months=0,
        edition=ED,
    )
    assert any(
        "第三款" in p
        for p in rules.early_withdrawal_problems(term=revoked, conditions=ok, on=D(2025, 1, 1), source=src)
    )


# -- the serious-dishonesty list (44号令, M) ------------------------------------------------------


def test_listing_needs_a_trigger_and_a_heavy_penalty():
    assert rules.listing_proposal(
        triggers=["additive_abuse"], kinds=frozenset({"fine"}), band="heavier", edition=ED
    ).proposed
    assert not rules.listing_proposal(
        triggers=["additive_abuse"], kinds=frozenset({"fine"}), band="ordinary", edition=ED
    ).proposed
    assert not rules.listing_proposal(
        triggers=[], kinds=frozenset({"licence_revocation"}), band="", edition=ED
    ).proposed


def test_listing_term_is_3_years_or_the_longer_restriction():
    assert rules.listing_term_ends(listed_on=D(2022, 6, 1), restriction_ends=None, edition=ED) == D(
        2025, 6, 1
    )
    assert rules.listing_term_ends(listed_on=D(2022, 6, 1), restriction_ends=D(2027, 6, 1), edition=ED) == D(
        2027, 6, 1
    )


def test_repair_after_one_year_with_its_conditions():
    ok = rules.Conditions(True, True, True)
    assert (
        rules.repair_problems(
            listed_on=D(2022, 6, 1), on=D(2023, 6, 1), conditions=ok, restriction_running=False, edition=ED
        )
        == []
    )
    early = rules.repair_problems(
        listed_on=D(2022, 6, 1), on=D(2023, 5, 31), conditions=ok, restriction_running=False, edition=ED
    )
    assert early and "未满一年" in early[0]
    assert rules.repair_problems(
        listed_on=D(2022, 6, 1), on=D(2023, 7, 1), conditions=ok, restriction_running=True, edition=ED
    )


# -- credit class --------------------------------------------------------------------------------


def test_credit_class_from_points_and_listing():
    on = D(2022, 6, 1)
    assert rules.credit_class([], on=on, edition=ED).code == "A"
    assert rules.credit_class([("penalty_decision", D(2022, 1, 1))], on=on, edition=ED).code == "B"
    two = [("penalty_decision", D(2022, 1, 1)), ("penalty_decision", D(2022, 2, 1))]
    assert rules.credit_class(two, on=on, edition=ED).code == "C"
    assert rules.credit_class([("serious_dishonesty_listed", D(2022, 1, 1))], on=on, edition=ED).code == "D"
    # Outside the 36-month window: forgotten.
    assert rules.credit_class([("penalty_decision", D(2019, 5, 1))], on=on, edition=ED).code == "A"
    assert rules.draw_weight("D", edition=ED) > rules.draw_weight("A", edition=ED)


def test_masking_of_natural_persons():
    assert rules.mask_person_name("张三丰") == "张某某"
    assert rules.mask_id_number("120113199001011234") == "1201**********1234"
