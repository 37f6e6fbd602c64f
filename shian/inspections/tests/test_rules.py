"""Inspection rules, one test per clause of 总局令第49号 (sources in data/*.toml)."""

from __future__ import annotations

import datetime as dt

import pytest

from shian.inspections import rules

R = rules.rules_in_force(dt.date(2024, 1, 1))
CATERING = rules.checklist_for("catering", dt.date(2024, 1, 1))


def test_edition_in_force_and_its_source():
    assert R.id == "samr-49-2022.1" and "49号" in R.source
    with pytest.raises(LookupError):
        rules.rules_in_force(dt.date(2022, 3, 14))


def test_checklists_for_each_sector_have_key_and_general_items():
    """第十三条: the checklist has 重点项目 and 一般项目; templates for production, sale, catering."""
    for btype in ("production", "wholesale_retail", "school_canteen"):
        c = rules.checklist_for(btype, dt.date(2024, 1, 1))
        assert any(i.key for i in c.items) and any(not i.key for i in c.items)
    with pytest.raises(rules.InspectionRuleError):
        rules.checklist_for("spaceship", dt.date(2024, 1, 1))


def _answers(fail: tuple[str, ...] = ()) -> dict[str, str]:
    return {i.code: ("fail" if i.code in fail else "pass") for i in CATERING.items}


def test_result_by_rule():
    """第三十二条、第三十三条: a failed key item → 不符合; only general failures → 基本符合; none → 符合."""
    assert rules.inspection_result(CATERING, _answers(), R) == rules.Result.PASS
    assert rules.inspection_result(CATERING, _answers(("C1", "C2")), R) == rules.Result.BASIC
    assert rules.inspection_result(CATERING, _answers(("C3",)), R) == rules.Result.FAIL
    assert rules.inspection_result(CATERING, _answers(("C1", "C2", "C6", "C7")), R) == rules.Result.FAIL


def test_missing_key_items_are_refused_with_their_codes():
    answers = _answers()
    del answers["C3"], answers["C5"]
    with pytest.raises(rules.InspectionRuleError, match="C3、C5"):
        rules.validate_answers(CATERING, answers, full=False)
    partial = {i.code: "pass" for i in CATERING.items if i.key}
    rules.validate_answers(CATERING, partial, full=False)
    with pytest.raises(rules.InspectionRuleError, match="全项检查"):
        rules.validate_answers(CATERING, partial, full=True)
    with pytest.raises(rules.InspectionRuleError):
        rules.validate_answers(CATERING, {**_answers(), "C3": "maybe"}, full=False)


def test_at_least_two_inspectors():
    """第二十三条."""
    rules.check_inspectors([1, 2], R)
    with pytest.raises(rules.InspectionRuleError, match="不少于2名"):
        rules.check_inspectors([1, 1], R)


def test_full_check_every_two_years():
    """第二十二条: each business gets a full-checklist inspection at least once every two years."""
    assert rules.full_check_due(dt.date(2023, 4, 10), dt.date(2024, 1, 1), R) == dt.date(2025, 4, 10)
    assert rules.full_check_due(None, dt.date(2024, 1, 1), R) == dt.date(2024, 1, 1)


def test_no_repeat_within_three_months_of_higher_level():
    """第四十二条: no re-inspection of the same items within 3 months, unless a violation is suspected."""
    higher = [(dt.date(2024, 3, 10), ["C1", "C3"])]
    assert rules.higher_level_conflict(
        on=dt.date(2024, 6, 9), items=["C1", "C2"], higher_level=higher, rules=R
    ) == ["C1"]
    assert (
        rules.higher_level_conflict(on=dt.date(2024, 6, 10), items=["C1"], higher_level=higher, rules=R) == []
    )
    assert (
        rules.higher_level_conflict(
            on=dt.date(2024, 4, 1), items=["C1"], higher_level=higher, rules=R, suspected_violation=True
        )
        == []
    )


def test_publication_within_20_working_days_is_rule_data():
    """第三十九条."""
    assert R.publish_working_days == 20


def test_campaign_scope():
    c = rules.load_campaigns()["2022-school-spring"]
    assert c.covers(business_type="school_canteen", categories=[], region_code="x", region_level="street")
    assert not c.covers(business_type="catering", categories=["31"], region_code="x", region_level="street")
    rural = rules.load_campaigns()["2022-rural-counterfeit"]
    assert rural.covers(business_type="agri_market", categories=[], region_code="x", region_level="town")
    assert not rural.covers(
        business_type="agri_market", categories=[], region_code="x", region_level="street"
    )
    assert {c.code for c in rules.campaigns_for_year(2022)} >= {"2022-bottom-line", "2022-health-food"}
