"""The rules of complaints and reports, one test per clause of 《市场监督管理投诉举报处理暂行办法》
(SAMR 令第20号 as amended 2022-03-24) the platform encodes."""

from __future__ import annotations

import datetime as dt

import pytest

from shian.complaints import rules

EDITION = rules.clock_edition_in_force(dt.date(2022, 6, 1))


def test_every_clock_names_its_article_and_whether_it_was_read():
    for clock in EDITION.clocks.values():
        assert clock.article.startswith("第") and clock.verification in ("V", "M"), clock
        assert clock.day_type == "working"


def test_article_14_acceptance_decision_within_seven_working_days():
    clock = EDITION["accept_decision"]
    assert (clock.days, clock.applies_to, clock.start_event, clock.article) == (
        7,
        "complaint",
        "received",
        "第十四条",
    )


def test_article_21_mediation_ends_after_45_working_days_and_parties_are_told_within_seven():
    assert (EDITION["mediation"].days, EDITION["mediation"].start_event) == (45, "accepted")
    assert EDITION["mediation"].article == "第二十一条第一款第（五）项"
    assert (EDITION["mediation_end_notice"].days, EDITION["mediation_end_notice"].article) == (
        7,
        "第二十一条第二款",
    )


def test_article_31_named_reporter_told_within_five_working_days_of_the_case_decision():
    clock = EDITION["report_reply"]
    assert (clock.days, clock.applies_to, clock.start_event) == (5, "report", "case_decided")
    assert clock.article == "第三十一条第二款" and clock.verification == "V"


def test_report_case_decision_clock_is_marked_not_read_in_an_official_text():
    clock = EDITION["report_case_decision"]
    assert clock.days == 15 and clock.verification == "M"
    assert "行政处罚程序规定" in clock.article


def test_clocks_a_status_starts_are_chosen_by_kind():
    assert [c.code for c in EDITION.starting("complaint", "received")] == ["accept_decision"]
    assert [c.code for c in EDITION.starting("report", "received")] == ["report_case_decision"]


def test_a_day_before_the_rules_is_answered_in_chinese():
    with pytest.raises(LookupError, match="不在时限规则范围内"):
        rules.clock_edition_in_force(dt.date(2019, 12, 31))


def test_due_date_counts_working_days_through_the_calendar_it_is_given():
    weekdays = lambda s, n: s + dt.timedelta(days=n + 2 * ((s.weekday() + n) // 5))  # noqa: E731
    assert rules.due_date(EDITION["accept_decision"], dt.date(2022, 6, 6), weekdays) == dt.date(2022, 6, 15)


def test_clock_state_before_and_after_its_act():
    due = dt.date(2022, 6, 15)
    state = rules.clock_state
    assert state(due=due, done_on=dt.date(2022, 6, 15), today=due, working_days_left=0, warn=2) == "met"
    assert state(due=due, done_on=dt.date(2022, 6, 16), today=due, working_days_left=0, warn=2) == "late"
    assert state(due=due, done_on=None, today=dt.date(2022, 6, 16), working_days_left=0, warn=2) == "overdue"
    assert state(due=due, done_on=None, today=dt.date(2022, 6, 13), working_days_left=2, warn=2) == "due_soon"
    assert state(due=due, done_on=None, today=dt.date(2022, 6, 6), working_days_left=7, warn=2) == "open"


def test_article_15_item_4_three_years_from_knowing_of_the_harm():
    assert not rules.time_barred(known_on=dt.date(2019, 6, 1), received_on=dt.date(2022, 6, 1))
    assert rules.time_barred(known_on=dt.date(2019, 6, 1), received_on=dt.date(2022, 6, 2))
    assert rules.time_barred(known_on=dt.date(2020, 2, 29), received_on=dt.date(2023, 3, 1))
    assert not rules.time_barred(known_on=None, received_on=dt.date(2022, 6, 2))


def test_article_15_lists_six_grounds_each_with_its_item():
    assert len(rules.NOT_ACCEPTED_GROUNDS) == 6
    assert all(article.startswith("第十五条") for _t, article in rules.NOT_ACCEPTED_GROUNDS.values())
    assert len(rules.MEDIATION_END_GROUNDS) == 7


def test_article_9_a_complaint_names_its_complainant_a_report_needs_only_a_lead():
    missing = rules.materials_missing(
        kind="complaint", name="", phone="138", address="", business_name="某餐厅", facts="退款"
    )
    assert missing == ["投诉人姓名", "通讯地址"]
    assert (
        rules.materials_missing(
            kind="report", name="", phone="", address="", business_name="某店", facts="无证"
        )
        == []
    )
    assert rules.materials_missing(
        kind="report", name="", phone="", address="", business_name="某店", facts=" "
    ) == ["涉嫌违法的具体线索"]


def test_routing_by_the_town_named_in_the_address():
    towns = {"120113001": "果园新村街道", "120113100": "天穆镇", "120113101": "北仓镇"}
    assert rules.town_from_address("天津市北辰区天穆镇 富锦道3号", towns) == "120113100"
    assert rules.town_from_address("北辰区某路", towns) is None


def test_identity_masks():
    assert rules.mask_name("张三") == "张*"
    assert rules.mask_name("欧阳娜娜") == "欧阳**"
    assert rules.mask_phone("13812345678") == "138****5678"
    assert rules.mask_text("120113199001011234") == "120*************34"
    assert "王小明" not in rules.mask_name("王小明")
