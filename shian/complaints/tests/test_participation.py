"""Public participation: one vote per phone or ID per round with an address limit, published votes
fed to the sampling plan, the red and black lists by rule with the right to reply, 随机查餐厅 events,
and the satisfaction survey by town computing T02."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from shian.complaints import participation, rules, views
from shian.complaints.models import ListEntry
from shian.core.indicators import Period, compute
from shian.core.models import Department, Region
from shian.planning import planfile
from shian.planning.planfile import parse_plan
from shian.planning.sampling_plan import sampling_inputs
from shian.planning.services import plan_load
from shian.registry.services import business_event_append
from shian.registry.tests.factories import make_business

pytestmark = pytest.mark.django_db
TOWN_A, TOWN_B = "120113001", "120113100"
TODAY = dt.date(2022, 3, 10)


def test_voter_identity_accepts_a_mobile_or_a_valid_id_number_only():
    assert rules.voter_identity("138 0000 1111") == "P13800001111"
    assert rules.voter_identity("11010519491231002X") == "I11010519491231002X"  # GB 11643 check digit X
    assert rules.voter_identity("110105194912310021") is None  # wrong check digit
    assert rules.voter_identity("12345") is None


@pytest.fixture
def vote_round(personas):
    return participation.vote_round_open(
        actor=personas("district_officer"),
        source="web",
        kind="pick",
        year=2022,
        title="2022年你点我检",
        opens_on=dt.date(2022, 3, 1),
        closes_on=dt.date(2022, 3, 31),
        categories=["24", "30"],
    )


def test_one_vote_per_phone_per_round_and_a_limit_per_address(vote_round, monkeypatch):
    option = vote_round.options.get(category_id="24")
    participation.vote_cast(
        round=vote_round, option_id=option.pk, identity="13800001111", address="1.1.1.1", today=TODAY
    )
    with pytest.raises(ValidationError, match="已在本轮投过票"):
        participation.vote_cast(
            round=vote_round, option_id=option.pk, identity="13800001111", address="2.2.2.2", today=TODAY
        )
    monkeypatch.setattr(rules, "VOTES_PER_ADDRESS_PER_ROUND", 2)
    participation.vote_cast(
        round=vote_round, option_id=option.pk, identity="13800001112", address="1.1.1.1", today=TODAY
    )
    with pytest.raises(ValidationError, match="上限"):
        participation.vote_cast(
            round=vote_round, option_id=option.pk, identity="13800001113", address="1.1.1.1", today=TODAY
        )
    with pytest.raises(ValidationError, match="不在进行中"):
        participation.vote_cast(
            round=vote_round,
            option_id=option.pk,
            identity="13800001114",
            address="3.3.3.3",
            today=dt.date(2022, 4, 1),
        )
    assert not vote_round.votes.filter(voter_key__contains="1380000").exists()  # the number is not kept


def test_published_votes_feed_the_sampling_plan(personas, vote_round):
    text = (Path(planfile.__file__).parent / "data" / "beichen-2022.toml").read_text(encoding="utf-8")
    spec = parse_plan(
        text,
        departments=set(Department.objects.values_list("code", flat=True)),
        regions=set(Region.objects.values_list("code", flat=True)),
    )
    plan = plan_load(actor=personas("district_officer"), source="command", spec=spec)
    option = vote_round.options.get(category_id="24")
    for i in range(3):
        participation.vote_cast(
            round=vote_round, option_id=option.pk, identity=f"1390000000{i}", address="a", today=TODAY
        )
    assert sampling_inputs(plan=plan, as_of=dt.date(2022, 6, 30)).votes.get("24", 0) == 0  # not published yet
    with pytest.raises(ValidationError, match="截止后"):
        participation.vote_round_publish(
            actor=personas("district_officer"), source="web", round=vote_round, on=TODAY
        )
    participation.vote_round_publish(
        actor=personas("district_officer"), source="web", round=vote_round, on=dt.date(2022, 4, 1)
    )
    assert sampling_inputs(plan=plan, as_of=dt.date(2022, 6, 30)).votes["24"] == 3


@pytest.fixture
def shop():
    return make_business(name="果园新村丁餐厅", region_code=TOWN_A, business_type="catering")


def _event(shop, kind, day, origin):
    business_event_append(
        actor=None, source="web", business=shop, kind=kind, occurred_on=day, origin_type="t", origin_id=origin
    )


def test_black_list_needs_two_adverse_events_within_a_year(personas, shop):
    officer = personas("town_a_officer")
    _event(shop, "complaint_upheld", dt.date(2021, 5, 1), "1")
    _event(shop, "failed_supervisory_sample", dt.date(2022, 6, 1), "2")
    with pytest.raises(ValidationError, match="不符合黑榜规则"):
        participation.list_entry_publish(
            actor=officer, source="web", business=shop, kind="black", reason="", on=dt.date(2022, 7, 1)
        )
    _event(shop, "incident", dt.date(2022, 6, 20), "3")
    entry = participation.list_entry_publish(
        actor=officer, source="web", business=shop, kind="black", reason="", on=dt.date(2022, 7, 1)
    )
    assert "failed_supervisory_sample" in entry.reason and "incident" in entry.reason
    with pytest.raises(ValidationError, match="近两年有不良事件"):
        participation.list_entry_publish(
            actor=officer, source="web", business=shop, kind="red", reason="示范", on=dt.date(2022, 7, 1)
        )
    with pytest.raises(Http404):
        participation.list_entry_publish(
            actor=personas("town_b_officer"),
            source="web",
            business=shop,
            kind="black",
            reason="",
            on=dt.date(2022, 7, 1),
        )


def test_reply_and_answer_withdraw_the_entry_and_the_public_list_shows_them(personas, shop, client_for):
    officer = personas("town_a_officer")
    entry = ListEntry.objects.create(
        kind="black", business=shop, region_id=TOWN_A, reason="多次投诉", published_on=dt.date(2022, 7, 1)
    )
    with pytest.raises(ValidationError, match="尚未申辩"):
        participation.list_entry_answer(
            actor=officer, source="web", entry=entry, answer="维持", on=dt.date(2022, 7, 5)
        )
    participation.list_entry_reply(
        actor=officer, source="web", entry=entry, reply="投诉涉及的菜品已下架整改", on=dt.date(2022, 7, 3)
    )
    page = client_for("anonymous").get("/ts/lists/").content.decode()
    assert "果园新村丁餐厅" in page and "已下架整改" in page
    participation.list_entry_answer(
        actor=officer,
        source="web",
        entry=entry,
        answer="经复查属实，撤下",
        on=dt.date(2022, 7, 8),
        withdraw=True,
    )
    assert "果园新村丁餐厅" not in client_for("anonymous").get("/ts/lists/").content.decode()


def test_the_lists_page_filters_and_exports_as_filtered(personas, shop, client_for):
    """A black-list entry answered and withdrawn, a current red-list entry, and one in another town."""
    import io

    import openpyxl

    other = make_business(name="天穆镇戊饭店", region_code="120113100", business_type="catering")
    red = make_business(name="果园新村己餐厅", region_code=TOWN_A, business_type="catering")
    ListEntry.objects.create(
        kind="black",
        business=shop,
        region_id=TOWN_A,
        reason="多次投诉",
        published_on=dt.date(2022, 7, 1),
        withdrawn_on=dt.date(2022, 7, 8),
        reply="已整改",
        reply_on=dt.date(2022, 7, 3),
        answer="经复查属实，撤下",
        answer_on=dt.date(2022, 7, 8),
    )
    ListEntry.objects.create(
        kind="red", business=red, region_id=TOWN_A, reason="示范", published_on=dt.date(2022, 7, 1)
    )
    ListEntry.objects.create(
        kind="black", business=other, region_id="120113100", reason="事故", published_on=dt.date(2022, 8, 1)
    )
    district = client_for("district_officer")
    names = ("果园新村丁餐厅", "果园新村己餐厅", "天穆镇戊饭店")

    def shown(query: str, client=district) -> set[str]:
        page = client.get(f"/complaints/lists/?{query}").content.decode()
        return {n for n in names if n in page}

    assert shown("") == set(names)
    assert shown("kind=black") == {"果园新村丁餐厅", "天穆镇戊饭店"}
    assert shown("state=current") == {"果园新村己餐厅", "天穆镇戊饭店"}
    assert shown("state=withdrawn") == {"果园新村丁餐厅"}
    assert shown(f"region={TOWN_A}&kind=red") == {"果园新村己餐厅"}
    assert shown("q=戊") == {"天穆镇戊饭店"}
    assert shown("", client_for("town_a_officer")) == {"果园新村丁餐厅", "果园新村己餐厅"}

    response = district.get("/complaints/lists/?state=withdrawn&format=xlsx")
    got = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    rows = [dict(zip(got[1], r, strict=True)) for r in got[2:]]
    assert len(rows) == 1
    assert rows[0]["经营者"] == "果园新村丁餐厅" and rows[0]["榜单"] == "黑榜"
    assert (rows[0]["撤下日期"], rows[0]["答复"]) == ("2022-07-08", "经复查属实，撤下")


def test_random_restaurant_check_records_residents_and_findings(personas, shop):
    event = participation.check_event_record(
        actor=personas("town_a_officer"),
        source="web",
        region_code=TOWN_A,
        held_on=dt.date(2022, 5, 20),
        title="随机查餐厅（第3期）",
        residents=8,
        visits=[(shop, "后厨地面积水", None)],
    )
    assert [(v.business_id, v.finding) for v in event.visits.all()] == [(shop.pk, "后厨地面积水")]
    other = make_business(name="天穆镇某餐厅", region_code=TOWN_B, business_type="catering")
    with pytest.raises(Http404):
        participation.check_event_record(
            actor=personas("town_a_officer"),
            source="web",
            region_code=TOWN_A,
            held_on=dt.date(2022, 5, 20),
            title="x",
            residents=3,
            visits=[(other, "", None)],
        )


def test_survey_results_by_town_and_t02(personas):
    with pytest.raises(ValidationError, match="满意人数"):
        participation.parse_results("120113001 100")
    results = participation.parse_results(f"{TOWN_A} 200 180\n{TOWN_B}，150，120")
    officer = personas("district_officer")
    with pytest.raises(ValidationError, match="0到样本量"):
        participation.survey_record(
            actor=officer,
            source="web",
            year=2022,
            title="x",
            conducted_from=dt.date(2022, 10, 1),
            conducted_to=dt.date(2022, 10, 31),
            method="电话",
            results={TOWN_A: (10, 11)},
        )
    participation.survey_record(
        actor=officer,
        source="web",
        year=2022,
        title="2022年满意度调查",
        conducted_from=dt.date(2022, 10, 1),
        conducted_to=dt.date(2022, 10, 31),
        method="入户与电话，分层随机",
        results=results,
    )
    rate = compute("complaints.satisfaction_rate", Period.year(2022), [TOWN_A, TOWN_B])
    assert rate.region_value(TOWN_A) == Decimal(90) and rate.region_value(TOWN_B) == Decimal(80)
    assert compute("complaints.surveys_held", Period.year(2022)).value == 1
    with pytest.raises(PermissionDenied):  # only district staff run the survey
        participation.survey_record(
            actor=personas("town_a_officer"),
            source="web",
            year=2022,
            title="x",
            conducted_from=dt.date(2022, 10, 1),
            conducted_to=dt.date(2022, 10, 31),
            method="电话",
            results=results,
        )


def test_public_vote_page_on_a_phone_rejects_a_bad_number(vote_round, client_for, monkeypatch):
    views.public_limits_reset("127.0.0.1")
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a: TODAY)
    client = client_for("anonymous")
    option = vote_round.options.get(category_id="30")
    bad = client.post(f"/ts/vote/{vote_round.pk}/", {"option": option.pk, "identity": "12345"})
    assert bad.status_code == 400 and "手机号码" in bad.content.decode()
    ok = client.post(f"/ts/vote/{vote_round.pk}/", {"option": option.pk, "identity": "13700001111"})
    assert ok.status_code == 200 and "投票成功" in ok.content.decode()
