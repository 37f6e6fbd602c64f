"""Quick tests' life through the services: the transition table refuses every illegal move, the
4-hour objection window (3h59m accepted, 4h01m refused, nothing changed), the laboratory re-test,
confirmation, the follow-up supervisory sample created exactly once, audit in the same
transaction, the indicators and the demo."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404

from shian.core.indicators import Period, compute
from shian.core.models import AuditEntry, AuditSource, Region
from shian.core.tests.factories import TOWN_A, TOWN_B
from shian.registry.models import Business, BusinessType
from shian.sampling import quicktests
from shian.sampling.models import QuickTest, QuickTestChange, Sample
from shian.sampling.workflow import (
    QUICK_TEST_TRANSITIONS,
    QuickTestStatus,
    SampleStatus,
    quick_test_can_transition,
)

pytestmark = pytest.mark.django_db
BEIJING = ZoneInfo("Asia/Shanghai")
Q = QuickTestStatus
SRC = AuditSource.WEB
TESTED = dt.datetime(2022, 5, 3, 7, 40, tzinfo=BEIJING)
TOLD = dt.datetime(2022, 5, 3, 8, 0, tzinfo=BEIJING)
_n = itertools.count(1)


def market_in(town: str, name: str = "北辰区果园新村农贸市场") -> Business:
    return Business.objects.create(
        name=name,
        credit_code=f"9112011300{next(_n):08d}",
        business_type=BusinessType.AGRI_MARKET,
        region=Region.objects.get(pk=town),
    )


def record(
    officer, market, *, result="positive", reading="", item="有机磷和氨基甲酸酯类农药残留(酶抑制率)", **kw
):
    data = quicktests.QuickTestInput(
        business=market,
        stall=kw.pop("stall", "A12 张记蔬菜"),
        product=kw.pop("product", "韭菜"),
        item=item,
        result=result,
        tested_at=kw.pop("tested_at", TESTED),
        reading=reading,
        kit_batch="20220401",
        tester=officer,
    )
    return quicktests.quick_test_record(actor=officer, source=SRC, data=data)


def notified(officer, market, **kw):
    qt = record(officer, market, reading="68%", **kw)
    return quicktests.quick_test_notify(
        actor=officer, source=SRC, quick_test=qt, measures=["stop_sale", "seal"], at=TOLD
    )


@pytest.fixture
def officer(personas):
    return personas("district_officer")


@pytest.fixture
def market():
    return market_in(TOWN_A)


def test_table_matches_the_diagram():
    assert QUICK_TEST_TRANSITIONS[Q.TESTED] == {Q.NOTIFIED, Q.CLOSED}
    assert QUICK_TEST_TRANSITIONS[Q.NOTIFIED] == {Q.OBJECTION, Q.CONFIRMED}
    assert QUICK_TEST_TRANSITIONS[Q.OBJECTION] == {Q.CONFIRMED, Q.OVERTURNED}
    assert QUICK_TEST_TRANSITIONS[Q.CONFIRMED] == {Q.CLOSED}
    assert not QUICK_TEST_TRANSITIONS[Q.CLOSED]
    assert not quick_test_can_transition(Q.NOTIFIED, Q.CLOSED)  # a positive never closes unseen


def test_every_illegal_transition_is_refused_and_changes_nothing(officer, market):
    qt = record(officer, market, reading="68%")
    illegal = [(a, b) for a, b in itertools.product(Q.values, Q.values) if b not in QUICK_TEST_TRANSITIONS[a]]
    assert len(illegal) == 36 - 8  # eight legal moves
    for old, new in illegal:
        QuickTest.objects.filter(pk=qt.pk).update(status=old)
        audit_before = AuditEntry.objects.count()
        with transaction.atomic(), pytest.raises(ValidationError, match="快检记录不能从"):
            locked = QuickTest.objects.select_for_update().get(pk=qt.pk)
            quicktests._set_status(qt=locked, status=new, actor=officer, source=SRC, at=TOLD)
        assert QuickTest.objects.get(pk=qt.pk).status == old
        assert AuditEntry.objects.count() == audit_before


def test_negative_closes_at_once_with_its_history_and_audit(officer, market):
    before = AuditEntry.objects.count()
    qt = record(officer, market, result="negative", reading="12.5%")
    assert qt.status == Q.CLOSED and qt.region_id == TOWN_A
    assert list(qt.history.values_list("to_status", flat=True)) == [Q.TESTED, Q.CLOSED]
    entries = AuditEntry.objects.filter(object_type="sampling.quicktest", object_id=str(qt.pk))
    assert entries.count() == 2 == AuditEntry.objects.count() - before


def test_reading_contradicting_the_result_is_refused(officer, market):
    with pytest.raises(ValidationError) as err:
        record(officer, market, result="negative", reading="62%")
    assert "应为“阳性”" in str(err.value.message_dict["reading"])
    assert not QuickTest.objects.exists()


def test_unknown_item_and_future_time_are_located(officer, market):
    with pytest.raises(ValidationError) as err:
        record(officer, market, item="苏丹红", tested_at=dt.datetime.now(BEIJING) + dt.timedelta(hours=2))
    assert set(err.value.message_dict) == {"item", "tested_at"}
    assert "未知的检测项目" in err.value.message_dict["item"][0]


def test_a_market_of_another_town_reads_as_unknown(personas):
    with pytest.raises(ValidationError) as err:
        record(personas("town_b_officer"), market_in(TOWN_A))
    assert "不在您的辖区" in err.value.message_dict["business"][0]
    assert not QuickTest.objects.exists()


def test_the_same_test_twice_is_refused(officer, market):
    record(officer, market, result="negative")
    with pytest.raises(ValidationError, match="已有快检记录"):
        record(officer, market, result="negative")


def test_notify_requires_stopping_the_sale(officer, market):
    qt = record(officer, market, reading="68%")
    with pytest.raises(ValidationError, match="暂停销售"):
        quicktests.quick_test_notify(actor=officer, source=SRC, quick_test=qt, measures=["seal"], at=TOLD)
    assert QuickTest.objects.get(pk=qt.pk).status == Q.TESTED


def test_notify_starts_a_four_hour_window(officer, market):
    qt = notified(officer, market)
    assert qt.status == Q.NOTIFIED
    assert qt.objection_deadline == TOLD + dt.timedelta(hours=4)
    assert qt.measures == ["stop_sale", "seal"]


def test_objection_at_3h59_is_accepted(officer, market):
    qt = notified(officer, market)
    qt = quicktests.quick_test_objection_file(
        actor=officer,
        source=SRC,
        quick_test=qt,
        reason="对结果有异议",
        filed_at=TOLD + dt.timedelta(hours=3, minutes=59),
    )
    assert qt.status == Q.OBJECTION and qt.objection_reason == "对结果有异议"


def test_objection_at_4h01_is_refused_naming_the_deadline(officer, market):
    qt = notified(officer, market)
    audit_before = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as err:
        quicktests.quick_test_objection_file(
            actor=officer,
            source=SRC,
            quick_test=qt,
            reason="对结果有异议",
            filed_at=TOLD + dt.timedelta(hours=4, minutes=1),
        )
    message = err.value.message_dict["filed_at"][0]
    assert "异议期已过" in message and "2022-05-03 12:00" in message and "第八十八条第二款" in message
    fresh = QuickTest.objects.get(pk=qt.pk)
    assert (fresh.status, fresh.objection_at) == (Q.NOTIFIED, None)
    assert AuditEntry.objects.count() == audit_before


def test_confirm_waits_for_the_window(officer, market):
    qt = notified(officer, market)
    with pytest.raises(ValidationError, match="异议期尚未届满"):
        quicktests.quick_test_confirm(
            actor=officer, source=SRC, quick_test=qt, at=TOLD + dt.timedelta(hours=3, minutes=30)
        )
    qt = quicktests.quick_test_confirm(
        actor=officer, source=SRC, quick_test=qt, at=TOLD + dt.timedelta(hours=5)
    )
    assert qt.status == Q.CONFIRMED
    assert qt.followup_due == dt.date(
        2022, 5, 10
    )  # five working days after Tuesday 3 May 2022 (4 May: 青年节 is a working day)


def test_an_objected_result_is_confirmed_only_by_the_retest(officer, market):
    qt = notified(officer, market)
    qt = quicktests.quick_test_objection_file(
        actor=officer, source=SRC, quick_test=qt, reason="异议", filed_at=TOLD + dt.timedelta(hours=1)
    )
    with pytest.raises(ValidationError, match="须经复检确认"):
        quicktests.quick_test_confirm(
            actor=officer, source=SRC, quick_test=qt, at=TOLD + dt.timedelta(hours=6)
        )


def test_retest_may_not_use_a_rapid_method(officer, market):
    qt = notified(officer, market)
    qt = quicktests.quick_test_objection_file(
        actor=officer, source=SRC, quick_test=qt, reason="异议", filed_at=TOLD + dt.timedelta(hours=1)
    )
    with pytest.raises(ValidationError, match="复检不得采用快速检测方法"):
        quicktests.quick_test_retest_record(
            actor=officer,
            source=SRC,
            quick_test=qt,
            result="negative",
            method="另一品牌速测卡",
            lab="市场快检室",
            rapid_method=True,
            at=TOLD + dt.timedelta(days=1),
        )
    assert QuickTest.objects.get(pk=qt.pk).retest_result == ""


def test_negative_retest_overturns_and_lifts_the_measures(officer, market):
    qt = notified(officer, market)
    qt = quicktests.quick_test_objection_file(
        actor=officer, source=SRC, quick_test=qt, reason="异议", filed_at=TOLD + dt.timedelta(hours=2)
    )
    qt = quicktests.quick_test_retest_record(
        actor=officer,
        source=SRC,
        quick_test=qt,
        result="negative",
        method="GB 23200.113-2018",
        lab="北辰区食品检验所",
        report="FJ-1",
        at=TOLD + dt.timedelta(days=2),
    )
    assert qt.status == Q.CLOSED and qt.measures_lifted_at is not None
    assert list(qt.history.values_list("to_status", flat=True)) == [
        Q.TESTED,
        Q.NOTIFIED,
        Q.OBJECTION,
        Q.OVERTURNED,
        Q.CLOSED,
    ]
    with pytest.raises(ValidationError):
        quicktests.quick_test_followup_sample(actor=officer, source=SRC, quick_test=qt)
    assert not Sample.objects.exists()


def test_positive_creates_one_linked_sample_exactly_once(officer, market):
    qt = notified(officer, market)
    qt = quicktests.quick_test_objection_file(
        actor=officer, source=SRC, quick_test=qt, reason="异议", filed_at=TOLD + dt.timedelta(hours=2)
    )
    qt = quicktests.quick_test_retest_record(
        actor=officer,
        source=SRC,
        quick_test=qt,
        result="positive",
        method="GB 23200.113-2018",
        lab="北辰区食品检验所",
        at=TOLD + dt.timedelta(days=2),
    )
    assert qt.status == Q.CONFIRMED
    sample = quicktests.quick_test_followup_sample(actor=officer, source=SRC, quick_test=qt)
    qt.refresh_from_db()
    assert qt.status == Q.CLOSED and qt.followup_sample == sample
    assert (sample.status, sample.business, sample.region_id, sample.food_name) == (
        SampleStatus.TASK,
        market,
        TOWN_A,
        "韭菜",
    )
    assert sample.code == f"KJ2022-{qt.pk:06d}"
    with pytest.raises(ValidationError, match="不能重复创建"):
        quicktests.quick_test_followup_sample(actor=officer, source=SRC, quick_test=qt)
    assert Sample.objects.count() == 1
    assert AuditEntry.objects.filter(object_type="sampling.sample", object_id=str(sample.pk)).count() == 1


def test_closing_a_confirmed_positive_needs_its_sample(officer, market):
    qt = notified(officer, market)
    qt = quicktests.quick_test_confirm(
        actor=officer, source=SRC, quick_test=qt, at=TOLD + dt.timedelta(hours=5)
    )
    with transaction.atomic(), pytest.raises(ValidationError, match="须先转监督抽检"):
        quicktests._set_status(
            qt=qt, status=Q.CLOSED, actor=officer, source=SRC, at=TOLD + dt.timedelta(hours=6)
        )


def test_viewers_and_other_towns_cannot_act(personas, officer, market):
    qt = notified(officer, market)
    with pytest.raises(PermissionDenied):
        quicktests.quick_test_confirm(actor=personas("viewer"), source=SRC, quick_test=qt)
    with pytest.raises(Http404):  # another town's record reads as missing
        quicktests.quick_test_confirm(actor=personas("town_b_officer"), source=SRC, quick_test=qt)
    assert QuickTestChange.objects.filter(quick_test=qt).count() == 2


def test_indicators_count_tests_and_followed_positives(officer, market):
    other = market_in(TOWN_B, "天穆镇农贸市场")
    record(officer, market, result="negative", reading="10%")
    for n, (m, follow) in enumerate([(market, True), (market, False), (other, True)]):
        qt = notified(officer, m, stall=f"B{n} 摊位")
        qt = quicktests.quick_test_confirm(
            actor=officer, source=SRC, quick_test=qt, at=TOLD + dt.timedelta(hours=5)
        )
        if follow:
            quicktests.quick_test_followup_sample(actor=officer, source=SRC, quick_test=qt)
    notified(officer, market, stall="C1 摊位")  # still in its window: not counted as standing
    year = Period.year(2022)
    count = compute("sampling.quick_tests", year)
    assert count.value == 5 and count.region_value(TOWN_A) == 4
    followed = compute("sampling.quick_test_positive_followed", year)
    assert (followed.numerator, followed.denominator) == (2, 3)
    assert followed.region_value(TOWN_A) == Decimal(50)
    assert compute("sampling.quick_test_positive_followed", Period.year(2023)).missing


def test_demo_builds_quick_tests_at_the_markets(officer, market):
    from shian.sampling.demo import demo_quick_tests_build

    lines: list[str] = []
    assert demo_quick_tests_build(seed=1, out=lines.append, count=400) == 400
    assert QuickTest.objects.count() == 400
    positives = QuickTest.objects.filter(result="positive")
    assert 0 < positives.count() < 20
    assert not positives.filter(status__in=[Q.TESTED]).exists()
    followed = positives.filter(followup_sample__isnull=False)
    assert all(s.code.startswith("KJ2022-") for s in Sample.objects.filter(quick_test__in=followed))
    assert demo_quick_tests_build(seed=1, out=lines.append, count=400) == 0  # idempotent
