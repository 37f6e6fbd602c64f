"""Rule data of quick tests (data/quick-tests.toml), each clause with its source, and the pure
functions of rules.py that read it. No database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from shian.sampling import rules

BEIJING = ZoneInfo("Asia/Shanghai")
BOOK = rules.quick_test_rules_in_force(dt.date(2022, 5, 3))
TOLD = dt.datetime(2022, 5, 3, 8, 30, tzinfo=BEIJING)


def test_objection_window_is_four_clock_hours_from_the_result():
    """食品安全法第八十八条第二款: "可以自收到检测结果时起四小时内申请复检" [V]."""
    assert BOOK.objection_hours == 4
    assert "第八十八条第二款" in BOOK.objection_article
    assert BOOK.objection_verification == "V"
    assert rules.objection_deadline(notified_at=TOLD, rules=BOOK) == dt.datetime(
        2022, 5, 3, 12, 30, tzinfo=BEIJING
    )


def test_objection_window_runs_through_the_night_and_holidays():
    """食品安全法第八十八条第二款: hours, not working days — told at 22:00 on the eve of National
    Day, the window closes at 02:00 on a holiday."""
    told = dt.datetime(2022, 9, 30, 22, 0, tzinfo=BEIJING)
    assert rules.objection_deadline(notified_at=told, rules=BOOK) == dt.datetime(
        2022, 10, 1, 2, 0, tzinfo=BEIJING
    )


@pytest.mark.parametrize(
    ("after", "in_time"),
    [
        (dt.timedelta(hours=3, minutes=59), True),
        (dt.timedelta(hours=4), True),  # the last instant of the fourth hour is still within it
        (dt.timedelta(hours=4, minutes=1), False),
        (dt.timedelta(minutes=-1), False),  # before the operator was told
    ],
)
def test_objection_in_time(after, in_time):
    """食品安全法第八十八条第二款: within four hours of receiving the result."""
    assert rules.objection_in_time(notified_at=TOLD, filed_at=TOLD + after, rules=BOOK) is in_time


def test_objection_deadline_needs_an_aware_time():
    """An hour count is meaningless without the time zone of the market (Beijing time)."""
    with pytest.raises(ValueError, match="timezone-aware"):
        rules.objection_deadline(notified_at=dt.datetime(2022, 5, 3, 8, 30), rules=BOOK)  # noqa: DTZ001


def test_retest_may_not_use_a_rapid_method():
    """食品安全法第八十八条第二款: "复检不得采用快速检测方法" [V]."""
    assert BOOK.retest_rapid_method_allowed is False
    assert "第八十八条第二款" in BOOK.retest_article


def test_followup_deadline_is_a_local_rule_in_working_days():
    """No regulation fixes it: the office's own rule (verification L), counted in working days.
    Confirmed on Friday 2022-09-30: 1–7 October are holidays, 8–9 October make-up working days."""
    from shian.core import rules as core_rules

    assert BOOK.followup_verification == "L"
    assert BOOK.followup_working_days == 5
    holidays = {dt.date(2022, 10, d) for d in range(1, 8)}
    makeup = {dt.date(2022, 10, 8), dt.date(2022, 10, 9)}

    def is_workday(d: dt.date) -> bool:
        return d in makeup or (d.weekday() < 5 and d not in holidays)

    due = rules.followup_due(
        confirmed_on=dt.date(2022, 9, 30),
        rules=BOOK,
        add_working_days=lambda s, n: core_rules.add_working_days(s, n, is_workday),
    )
    assert due == dt.date(2022, 10, 12)


def test_stop_sale_is_required_on_a_positive():
    """Risk control on a positive (《食用农产品市场销售质量安全监督管理办法》, research §2 [M]):
    sale stops at once."""
    assert BOOK.measures_required == ("stop_sale",)
    assert BOOK.measures["stop_sale"] == "暂停销售"


def test_enzyme_inhibition_of_fifty_percent_is_positive():
    """GB/T 5009.199-2003 (酶抑制法): inhibition ≥ 50 % is positive [M]."""
    item = BOOK.item("农残")
    assert item is not None and item.code == "op_carbamate"
    assert item.positive_at_or_above == Decimal(50)
    assert rules.reading_result(item=item, reading="50%") == "positive"
    assert rules.reading_result(item=item, reading="抑制率 49.9 %") == "negative"
    assert rules.reading_result(item=item, reading="") is None


def test_a_colour_line_kit_has_no_numeric_threshold():
    """Colloidal-gold kits for β-agonists are read by their test line, not a number."""
    item = BOOK.item("盐酸克伦特罗")
    assert item is not None and item.name == "克伦特罗"
    assert rules.reading_result(item=item, reading="12") is None


def test_reading_must_be_a_number():
    with pytest.raises(rules.UnreadableReading):
        rules.parse_reading("T线消失")
    assert rules.parse_reading("６２.５％") == Decimal("62.5")


def test_every_item_names_its_source_and_verification():
    """Every test item of the list carries the source of its judgment and a verification mark."""
    assert {"克伦特罗", "莱克多巴胺", "沙丁胺醇", "孔雀石绿", "二氧化硫", "甲醛", "吊白块"} <= {
        i.name for i in BOOK.items.values()
    }
    for item in BOOK.items.values():
        assert item.threshold_source and item.verification in {"V", "V2", "M", "L"}


def test_no_rules_before_the_2015_law():
    """Article 88 paragraph 2 arrived with the 2015 revision of the Food Safety Law."""
    with pytest.raises(LookupError):
        rules.quick_test_rules_in_force(dt.date(2015, 9, 30))
