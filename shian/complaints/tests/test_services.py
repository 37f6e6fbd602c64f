"""Filing, clocks across holidays, the transition tables, the ledger, identity masking in pages,
API, export and audit, the public pages and the on-time indicator."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from shian.complaints import services, views
from shian.complaints.indicators import handled_on_time
from shian.complaints.models import Complaint, ComplaintClock
from shian.complaints.todo import complaints_todo
from shian.core.indicators import Period
from shian.core.models import AuditEntry
from shian.core.tokens import api_token_create
from shian.registry.models import BusinessEvent
from shian.registry.tests.factories import make_business
from shian.risk.selectors import targeting_history

pytestmark = pytest.mark.django_db
TOWN_A, TOWN_B = "120113001", "120113100"
NAME, PHONE = "王小明", "13812345678"


@pytest.fixture
def shop():
    return make_business(name="果园新村乙餐厅", region_code=TOWN_A, business_type="catering")


def file(shop, *, kind="complaint", on=dt.date(2022, 6, 1), actor=None, real_name=True, **kw):
    return services.complaint_file(
        actor=actor,
        source="web",
        kind=kind,
        channel="phone",
        received_on=on,
        business=shop,
        business_name="",
        facts="汤里有苍蝇",
        request="退款并道歉",
        person_name=NAME,
        person_phone=PHONE,
        person_address="果园新村街道测试路1号",
        real_name=real_name,
        **kw,
    )


def clock(c, code):
    return ComplaintClock.objects.get(complaint=c, code=code)


def test_acceptance_clock_runs_seven_working_days_across_national_day(shop):
    # 2022: 1–7 October off, Saturday 8 and Sunday 9 October worked (国务院办公厅 2021年12月 通知).
    c = file(shop, on=dt.date(2022, 9, 29))
    assert clock(c, "accept_decision").due_on == dt.date(2022, 10, 13)
    assert c.region_id == TOWN_A and c.rule_edition == "samr-order-20-2022"


def test_report_case_decision_clock_runs_across_the_spring_festival(shop):
    # 2022: 31 January – 6 February off, Saturday 29 and Sunday 30 January worked.
    c = file(shop, kind="report", on=dt.date(2022, 1, 27))
    # 28, 29, 30 Jan; 7–11 Feb; 14–18 Feb; 21, 22 Feb: the 15th working day is 22 February.
    assert clock(c, "report_case_decision").due_on == dt.date(2022, 2, 22)
    assert not ComplaintClock.objects.filter(complaint=c, code="accept_decision").exists()


def test_mediation_clock_45_working_days_from_acceptance_across_qingming_and_labour_day(personas, shop):
    officer = personas("town_a_officer")
    c = file(shop, on=dt.date(2022, 3, 28))
    services.complaint_transition(
        actor=officer, complaint=c, to="accepted", on=dt.date(2022, 3, 30), source="web"
    )
    accept = clock(c, "accept_decision")
    assert accept.done_on == dt.date(2022, 3, 30) and accept.done_on <= accept.due_on
    # Qingming 3–5 April (2 April worked), Labour Day 30 April – 4 May (24 April and 7 May worked).
    assert clock(c, "mediation").due_on == dt.date(2022, 6, 6)


def test_mediation_end_notice_seven_working_days_then_closing_meets_it(personas, shop):
    officer = personas("town_a_officer")
    c = file(shop, on=dt.date(2022, 6, 1))
    services.complaint_transition(
        actor=officer, complaint=c, to="accepted", on=dt.date(2022, 6, 2), source="web"
    )
    services.complaint_transition(
        actor=officer,
        complaint=c,
        to="mediation_ended",
        on=dt.date(2022, 6, 2),
        ground="refused",
        source="web",
    )
    # Dragon Boat Festival: Friday 3 June 2022 off.
    assert clock(c, "mediation_end_notice").due_on == dt.date(2022, 6, 14)
    services.complaint_transition(
        actor=officer, complaint=c, to="closed", on=dt.date(2022, 6, 10), source="web"
    )
    assert clock(c, "mediation_end_notice").done_on == dt.date(2022, 6, 10)


def test_named_reporter_is_told_within_five_working_days_an_anonymous_one_is_not(personas, shop):
    officer = personas("district_officer")
    named = file(shop, kind="report", on=dt.date(2022, 9, 26))
    anonymous = file(shop, kind="report", on=dt.date(2022, 9, 26), real_name=False)
    assert anonymous.person_name == "" and anonymous.person_phone == ""
    for c in (named, anonymous):
        services.complaint_transition(
            actor=officer, complaint=c, to="verifying", on=dt.date(2022, 9, 27), source="web"
        )
        services.complaint_transition(
            actor=officer,
            complaint=c,
            to="case_opened",
            on=dt.date(2022, 9, 30),
            case_number="津北市监立〔2022〕1号",
            source="web",
        )
    assert clock(named, "report_reply").due_on == dt.date(2022, 10, 12)
    assert not ComplaintClock.objects.filter(complaint=anonymous, code="report_reply").exists()


def test_illegal_transition_refused_in_chinese(personas, shop):
    c = file(shop)
    with pytest.raises(ValidationError, match="不能从"):
        services.complaint_transition(
            actor=personas("town_a_officer"),
            complaint=c,
            to="case_opened",
            on=dt.date(2022, 6, 2),
            source="web",
        )


def test_not_accepting_a_complaint_requires_a_ground_of_article_15(personas, shop):
    officer = personas("town_a_officer")
    c = file(shop)
    with pytest.raises(ValidationError, match="第十五条"):
        services.complaint_transition(
            actor=officer, complaint=c, to="not_accepted", on=dt.date(2022, 6, 2), source="web"
        )
    services.complaint_transition(
        actor=officer,
        complaint=c,
        to="not_accepted",
        on=dt.date(2022, 6, 2),
        ground="time_barred",
        source="web",
    )
    c.refresh_from_db()
    assert c.status == "not_accepted" and c.outcome_ground == "time_barred"


def test_opening_a_case_enters_the_ledger_once_and_feeds_the_ranking(personas, shop):
    officer = personas("district_officer")
    c = file(shop, kind="report", on=dt.date(2022, 6, 1))
    services.complaint_transition(
        actor=officer, complaint=c, to="verifying", on=dt.date(2022, 6, 2), source="web"
    )
    with pytest.raises(ValidationError, match="立案编号"):
        services.complaint_transition(
            actor=officer, complaint=c, to="case_opened", on=dt.date(2022, 6, 8), source="web"
        )
    services.complaint_transition(
        actor=officer,
        complaint=c,
        to="case_opened",
        on=dt.date(2022, 6, 8),
        case_number="津北市监立〔2022〕9号",
        source="web",
    )
    events = BusinessEvent.objects.filter(business=shop, kind="complaint_upheld")
    assert [(e.occurred_on, e.origin_id) for e in events] == [(dt.date(2022, 6, 8), str(c.pk))]
    history = targeting_history(end=dt.date(2022, 12, 31))
    assert history.complaints[shop.pk] == [dt.date(2022, 6, 8)]
    assert shop.pk not in history.events  # an upheld complaint is not also an adverse event


def test_reward_only_for_a_report_found_true(personas, shop):
    officer = personas("district_officer")
    c = file(shop, kind="report")
    with pytest.raises(ValidationError, match="查证属实"):
        services.complaint_reward_record(actor=officer, complaint=c, amount=Decimal("500"), source="web")
    services.complaint_transition(
        actor=officer, complaint=c, to="verifying", on=dt.date(2022, 6, 2), source="web"
    )
    services.complaint_transition(
        actor=officer, complaint=c, to="case_opened", on=dt.date(2022, 6, 3), case_number="1", source="web"
    )
    services.complaint_reward_record(actor=officer, complaint=c, amount=Decimal("500"), source="web")
    assert Complaint.objects.get(pk=c.pk).reward_amount == Decimal("500")


def test_town_b_officer_cannot_file_or_act_on_town_a(personas, shop):
    with pytest.raises(Http404):
        file(shop, actor=personas("town_b_officer"))
    c = file(shop)
    with pytest.raises(Http404):
        services.complaint_transition(
            actor=personas("town_b_officer"), complaint=c, to="accepted", on=dt.date(2022, 6, 2), source="web"
        )


def test_unlicensed_premises_routed_by_the_town_in_the_address():
    c = services.complaint_file(
        actor=None,
        source="web",
        kind="report",
        channel="portal",
        received_on=dt.date(2022, 6, 1),
        business_name="路边无名烧烤",
        business_address="北辰区天穆镇某村口",
        facts="无证经营",
        real_name=False,
    )
    assert c.region_id == TOWN_B and c.business_id is None
    with pytest.raises(ValidationError, match="镇街"):
        services.complaint_file(
            actor=None,
            source="web",
            kind="report",
            channel="portal",
            received_on=dt.date(2022, 6, 1),
            business_name="某摊",
            business_address="不知道在哪",
            facts="无证",
            real_name=False,
        )


# -- identity -------------------------------------------------------------------------------------


def test_identity_shown_only_to_the_handling_officer_in_pages_api_export_and_audit(
    personas, client_for, shop
):
    c = file(shop)
    handler = personas("town_a_officer")
    services.complaint_take(actor=handler, complaint=c, source="web")
    own = client_for("town_a_officer").get(f"/complaints/{c.pk}/").content.decode()
    assert NAME in own and PHONE in own
    for who in ("district_officer", "district_admin", "inspector", "viewer"):
        page = client_for(who).get(f"/complaints/{c.pk}/").content.decode()
        assert NAME not in page and PHONE not in page and "138****5678" in page, who
        export = client_for(who).get("/complaints/?format=xlsx").content
        cells = [
            str(v)
            for row in openpyxl.load_workbook(io.BytesIO(export)).active.iter_rows(values_only=True)
            for v in row
        ]
        assert NAME not in cells and PHONE not in cells and "王*" in "".join(cells), who
        _, key = api_token_create(user=personas(who), name="t")
        body = (
            client_for("anonymous")
            .get(f"/api/v1/complaints/{c.pk}", HTTP_AUTHORIZATION=f"Bearer {key}")
            .json()
        )
        assert body["person_name"] == "王**" and body["identity_masked"] is True, who
    entries = AuditEntry.objects.filter(object_type="complaints.complaint")
    audit_text = "".join(str(e.before) + str(e.after) for e in entries)
    assert entries.count() == 2 and "138****5678" in audit_text
    assert PHONE not in audit_text and NAME not in audit_text


# -- public pages ---------------------------------------------------------------------------------


def test_public_filing_gives_a_code_and_tracking_shows_status_only(client_for):
    views.public_limits_reset("127.0.0.1")
    client = client_for("anonymous")
    r = client.post(
        "/ts/",
        {
            "kind": "complaint",
            "business_name": "天穆镇某饭店",
            "business_address": "北辰区天穆镇幸福路1号",
            "facts": "吃后腹泻",
            "request": "赔偿医药费",
            "person_name": NAME,
            "person_phone": PHONE,
            "person_address": "天穆镇幸福路2号",
        },
    )
    assert r.status_code == 200
    c = Complaint.objects.get()
    assert c.code in r.content.decode() and c.region_id == TOWN_B and c.channel == "portal"
    page = client.get(f"/ts/track/?code={c.code.lower()}").content.decode()
    assert "已收到，等待受理" in page
    assert NAME not in page and PHONE not in page and "天穆镇某饭店" not in page


def test_public_complaint_without_a_name_is_refused_on_the_page(client_for):
    views.public_limits_reset("127.0.0.1")
    r = client_for("anonymous").post(
        "/ts/", {"kind": "complaint", "business_name": "某店", "business_address": "天穆镇", "facts": "变质"}
    )
    assert r.status_code == 400 and "第九条" in r.content.decode()
    assert not Complaint.objects.exists()


def test_public_filing_rate_limited_per_address(client_for):
    views.public_limits_reset("127.0.0.1")
    client = client_for("anonymous")
    codes = [
        client.post("/ts/", {"kind": "report"}).status_code for _ in range(views.PUBLIC_FILINGS_PER_HOUR + 1)
    ]
    assert codes[:-1] == [400] * views.PUBLIC_FILINGS_PER_HOUR and codes[-1] == 429
    other = client.post("/ts/", {"kind": "report"}, REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 400
    views.public_limits_reset("127.0.0.1")
    views.public_limits_reset("10.0.0.9")


# -- indicator and to-do --------------------------------------------------------------------------


def test_on_time_share_by_town_and_missing_without_records(personas, shop):
    assert handled_on_time(Period.quarter(2022, 2), None).missing
    officer = personas("district_officer")
    on_time = file(shop, on=dt.date(2022, 6, 1))
    late = file(shop, on=dt.date(2022, 5, 1))
    services.complaint_transition(
        actor=officer,
        complaint=on_time,
        to="not_accepted",
        on=dt.date(2022, 6, 2),
        ground="other_law",
        source="web",
    )
    services.complaint_transition(
        actor=officer, complaint=on_time, to="closed", on=dt.date(2022, 6, 2), source="web"
    )
    services.complaint_transition(
        actor=officer,
        complaint=late,
        to="not_accepted",
        on=dt.date(2022, 6, 20),
        ground="other_law",
        source="web",
    )
    services.complaint_transition(
        actor=officer, complaint=late, to="closed", on=dt.date(2022, 6, 20), source="web"
    )
    result = handled_on_time(Period.quarter(2022, 2), frozenset({TOWN_A, TOWN_B}))
    assert result.region_value(TOWN_A) == Decimal(50)
    assert result.region_value(TOWN_B) is None  # nothing closed there: missing, not zero


def test_todo_counts_overdue_clocks_in_the_officers_town_only(personas, shop):
    file(shop, on=dt.date(2022, 6, 1))
    items = {i.key: i for i in complaints_todo(personas("town_a_officer"), dt.date(2022, 6, 20))}
    assert items["clocks_overdue"].count == 1 and items["clocks_overdue"].overdue
    other = {i.key: i for i in complaints_todo(personas("town_b_officer"), dt.date(2022, 6, 20))}
    assert other["clocks_overdue"].count == 0
    assert complaints_todo(personas("viewer"), dt.date(2022, 6, 20)) == []
