"""A case from an unqualified sample to closure through the services, as the pages and the API
call them: the clocks through the working-day calendar, the ledger, the publication, the listing,
bans, the transfer, and refusals that write nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from shian.core.indicators import Period, compute
from shian.core.models import AuditEntry, AuditSource, Region
from shian.enforcement import selectors, services
from shian.enforcement.models import (
    Ban,
    Case,
    CaseCampaign,
    Listing,
    ListingStatus,
    PoliceAnswer,
    Publication,
    PublicationStatus,
)
from shian.enforcement.rules import Conditions
from shian.enforcement.workflow import CaseStatus
from shian.registry.models import BusinessEvent, BusinessEventKind
from shian.registry.tests.factories import make_business

D = dt.date
WEB = AuditSource.WEB
pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    return make_business(
        name="果园新村示范超市",
        region_code="120113001",
        business_type="wholesale_retail",
        legal_representative="王大明",
    )


def open_case(by, shop, **kw):
    data = {
        "by": by,
        "source": WEB,
        "source_kind": "sample",
        "source_type": "sampling.sample",
        "source_id": "17",
        "summary": "销售农药残留超标的芹菜",
        "lead_received_on": D(2022, 3, 1),
        "business": shop,
        "campaigns": ["iron_fist"],
        "basis_code": "fsl-124",
    } | kw
    return services.case_open(**data)


FILED, NOTICE = D(2022, 3, 8), D(2022, 4, 1)


def walk_to_notice(by, case, *, filed=FILED, notice=NOTICE):
    services.case_transition(by=by, source=WEB, case=case, to=CaseStatus.FILED, on=filed)
    services.case_transition(by=by, source=WEB, case=case, to=CaseStatus.INVESTIGATION, on=filed)
    services.case_transition(by=by, source=WEB, case=case, to=CaseStatus.NOTICE, on=notice)
    return case


def test_case_from_sample_to_closure_writes_ledger_publication_and_timeline(personas, shop):
    officer = personas("town_a_officer")
    case = open_case(officer, shop)
    assert case.number.startswith("北辰市监案〔2022〕") and case.status == CaseStatus.LEAD
    assert list(CaseCampaign.objects.filter(case=case).values_list("campaign", flat=True)) == ["iron_fist"]
    clocks = {c.code: c for c in selectors.case_clocks(case, today=D(2022, 3, 2))}
    # 15 working days from Tue 1 Mar 2022 (no holiday): 22 Mar.
    assert clocks["filing_decision"].due == D(2022, 3, 22)
    walk_to_notice(officer, case)
    services.case_facts_record(by=officer, source=WEB, case=case, facts={"goods_value": "3000"})
    services.case_decide(
        by=officer,
        source=WEB,
        case=case,
        on=D(2022, 4, 15),
        decision_number="津辰市监罚〔2022〕15号",
        kinds=["fine", "confiscation"],
        fine_amount="60000",
        band="lighter",
        confiscated_amount="800",
    )
    services.case_transition(by=officer, source=WEB, case=case, to=CaseStatus.EXECUTION, on=D(2022, 4, 18))
    services.case_transition(by=officer, source=WEB, case=case, to=CaseStatus.CLOSED, on=D(2022, 5, 6))
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.closed_on == D(2022, 5, 6)
    event = BusinessEvent.objects.get(business=shop, kind=BusinessEventKind.PENALTY_DECISION)
    assert (event.occurred_on, event.origin_id) == (D(2022, 4, 15), str(case.pk))
    pub = Publication.objects.get(case=case)
    # 45号令第九条: 20 working days from Fri 15 Apr 2022 across Qingming (none) and Labour Day
    # (30 Apr–4 May off, Sun 24 Apr and Sat 7 May worked): 18–22, 24, 25–29 Apr, 5–7, 9–13, 16 May.
    assert pub.due_on == D(2022, 5, 16)
    assert [s.to_status for s in case.steps.all()] == [
        "lead",
        "filed",
        "investigation",
        "notice",
        "decided",
        "execution",
        "closed",
    ]
    assert AuditEntry.objects.filter(object_type="enforcement.case", object_id=str(case.pk)).count() >= 7


def test_decision_without_legal_basis_is_refused_and_writes_nothing(personas, shop):
    officer = personas("town_a_officer")
    case = open_case(officer, shop, basis_code="")
    services.case_transition(
        by=officer, source=WEB, case=case, to=CaseStatus.NOT_FILED, on=D(2022, 3, 2), note="不属于本局管辖"
    )
    case2 = open_case(officer, shop)
    walk_to_notice(officer, case2)
    Case.objects.filter(pk=case2.pk).update(basis_code="")
    case2.refresh_from_db()
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.case_decide(
            by=officer, source=WEB, case=case2, on=D(2022, 4, 15), decision_number="X", kinds=["warning"]
        )
    assert "basis_code" in exc.value.message_dict
    assert AuditEntry.objects.count() == before
    case2.refresh_from_db()
    assert case2.status == CaseStatus.NOTICE and not Publication.objects.filter(case=case2).exists()


def test_fine_outside_its_band_is_refused_with_the_field_named(personas, shop):
    officer = personas("town_a_officer")
    case = walk_to_notice(officer, open_case(officer, shop))
    with pytest.raises(ValidationError) as exc:
        services.case_decide(
            by=officer,
            source=WEB,
            case=case,
            on=D(2022, 4, 15),
            decision_number="X",
            kinds=["fine"],
            fine_amount="120000",
            band="heavier",
        )
    assert "第一百二十四条" in exc.value.message_dict["fine_amount"][0]
    with pytest.raises(ValidationError) as exc:
        services.case_decide(
            by=officer,
            source=WEB,
            case=case,
            on=D(2022, 4, 15),
            decision_number="X",
            kinds=["fine"],
            fine_amount="95000",
            band="heavier",
        )
    assert "collective_discussion_on" in exc.value.message_dict


def test_a_date_before_the_case_opened_is_refused(personas, shop):
    officer = personas("town_a_officer")
    case = open_case(officer, shop)
    with pytest.raises(ValidationError) as exc:
        services.case_transition(by=officer, source=WEB, case=case, to=CaseStatus.FILED, on=D(2022, 2, 28))
    assert "早于本案发现线索日期" in exc.value.message_dict["on"][0]
    case.refresh_from_db()
    assert case.status == CaseStatus.LEAD and case.filed_on is None


def test_decision_before_the_statement_period_ends_is_refused(personas, shop):
    officer = personas("town_a_officer")
    case = walk_to_notice(officer, open_case(officer, shop), notice=D(2022, 4, 1))
    # Notice served Fri 1 Apr 2022; Qingming 3–5 Apr off, Sat 2 Apr worked: 2, 6, 7, 8, 11 Apr.
    with pytest.raises(ValidationError) as exc:
        services.case_decide(
            by=officer, source=WEB, case=case, on=D(2022, 4, 11), decision_number="X", kinds=["warning"]
        )
    assert "2022-04-11" in exc.value.message_dict["on"][0]
    services.case_decide(
        by=officer, source=WEB, case=case, on=D(2022, 4, 12), decision_number="X", kinds=["warning"]
    )
    # A warning alone is not published (45号令第二条第二款).
    assert not Publication.objects.filter(case=case).exists()


def test_illegal_transition_is_refused(personas, shop):
    officer = personas("town_a_officer")
    case = open_case(officer, shop)
    with pytest.raises(ValidationError) as exc:
        services.case_transition(by=officer, source=WEB, case=case, to=CaseStatus.CLOSED, on=D(2022, 3, 2))
    assert "不能转为" in exc.value.message_dict["to"][0]


def test_another_towns_officer_cannot_touch_the_case(personas, shop):
    case = open_case(personas("town_a_officer"), shop)
    with pytest.raises(Http404):
        services.case_transition(
            by=personas("town_b_officer"), source=WEB, case=case, to=CaseStatus.FILED, on=D(2022, 3, 2)
        )
    assert not selectors.cases_for_user(personas("town_b_officer")).filter(pk=case.pk).exists()
    assert selectors.cases_for_user(personas("town_a_inspector")).filter(pk=case.pk).exists()


def test_unlicensed_person_case_masks_the_name_in_publication(personas):
    officer = personas("district_officer")
    case = services.case_open(
        by=officer,
        source=WEB,
        source_kind="complaint",
        summary="无证加工销售熟食",
        lead_received_on=D(2022, 3, 1),
        region=Region.objects.get(pk="120113100"),
        party_kind="person",
        party_name="李小红",
        party_id_number="120113199001011234",
        basis_code="fsl-122",
        campaigns=["rural_counterfeit"],
    )
    walk_to_notice(officer, case)
    services.case_decide(
        by=officer,
        source=WEB,
        case=case,
        on=D(2022, 4, 15),
        decision_number="津辰罚〔2022〕2号",
        kinds=["fine"],
        fine_amount="55000",
        band="lighter",
    )
    summary = Publication.objects.get(case=case).summary
    assert summary["party"] == "李某某" and summary["id_number"] == "1201**********1234"


def test_revocation_bans_the_responsible_person_and_proposes_listing(personas, shop):
    officer = personas("district_officer")
    case = open_case(officer, shop, basis_code="fsl-123")
    services.case_facts_record(
        by=officer,
        source=WEB,
        case=case,
        facts={"goods_value": "5000"},
        listing_triggers=["non_food_substance"],
    )
    walk_to_notice(officer, case)
    services.case_decide(
        by=officer,
        source=WEB,
        case=case,
        on=D(2022, 4, 15),
        decision_number="津辰罚〔2022〕3号",
        kinds=["fine", "licence_revocation"],
        fine_amount="120000",
        band="ordinary",
        collective_discussion_on=D(2022, 4, 14),
    )
    ban = Ban.objects.get(case=case)
    assert ban.person_name == "王大明" and ban.until == D(2027, 4, 14)
    assert [b.pk for b in selectors.bans_matching(name="王大明", on=D(2026, 1, 1))] == [ban.pk]
    assert selectors.bans_matching(name="王大明", on=D(2027, 4, 15)) == []
    assert BusinessEvent.objects.filter(business=shop, kind=BusinessEventKind.LICENCE_REVOKED).exists()
    listing = Listing.objects.get(case=case)
    services.listing_decide(by=officer, source=WEB, listing=listing, on=D(2022, 4, 20), list_it=True)
    listing.refresh_from_db()
    assert listing.status == ListingStatus.LISTED and listing.ends_on == D(2025, 4, 20)
    assert selectors.credit_classes([shop.pk], on=D(2022, 5, 1))[shop.pk].code == "D"
    with pytest.raises(ValidationError) as exc:
        services.listing_repair(
            by=officer,
            source=WEB,
            listing=listing,
            on=D(2023, 4, 19),
            conditions=Conditions(True, True, True),
        )
    assert "未满一年" in exc.value.message_dict["conditions"][0]
    services.listing_repair(
        by=officer, source=WEB, listing=listing, on=D(2023, 4, 20), conditions=Conditions(True, True, True)
    )
    listing.refresh_from_db()
    assert listing.status == ListingStatus.REPAIRED


def test_publication_publish_expire_and_early_withdrawal(personas, shop):
    officer = personas("district_officer")
    case = walk_to_notice(officer, open_case(officer, shop, basis_code="fsl-126"))
    services.case_decide(
        by=officer,
        source=WEB,
        case=case,
        on=D(2022, 4, 15),
        decision_number="津辰罚〔2022〕4号",
        kinds=["fine"],
        fine_amount="8000",
        band="lighter",
    )
    pub = Publication.objects.get(case=case)
    with pytest.raises(Exception):  # noqa: B017 — the town officer may not publish: PermissionDenied
        services.publication_publish(
            by=personas("town_a_officer"), source=WEB, publication=pub, on=D(2022, 4, 20)
        )
    services.publication_publish(by=officer, source=WEB, publication=pub, on=D(2022, 4, 20))
    pub.refresh_from_db()
    # A fine of ¥8,000 is a 较低数额罚款 under the placeholder ceiling: 3 months (第十三条).
    assert pub.light and pub.ends_on == D(2022, 7, 20) and pub.early_from == D(2022, 7, 20)
    with pytest.raises(ValidationError):
        services.publication_withdraw(
            by=officer,
            source=WEB,
            publication=pub,
            on=D(2022, 5, 1),
            reason="申请",
            early=True,
            conditions=Conditions(True, True, True, True),
        )
    assert list(selectors.publications_current(today=D(2022, 7, 19))) == [pub]
    assert services.publications_expire(today=D(2022, 7, 20), source=AuditSource.SYSTEM) == 1
    pub.refresh_from_db()
    assert (
        pub.status == PublicationStatus.EXPIRED
        and list(selectors.publications_current(today=D(2022, 7, 20))) == []
    )


def test_transfer_to_police_and_back(personas, shop):
    officer = personas("district_officer")
    case = open_case(officer, shop, basis_code="fsl-123")
    services.case_facts_record(
        by=officer, source=WEB, case=case, facts={"toxic_non_food": True}, campaigns=["kunlun"]
    )
    services.case_transition(by=officer, source=WEB, case=case, to=CaseStatus.FILED, on=D(2022, 3, 3))
    services.case_transition(
        by=officer,
        source=WEB,
        case=case,
        to=CaseStatus.TRANSFERRED,
        on=D(2022, 3, 10),
        police_unit="北辰公安分局",
        documents="涉嫌犯罪案件移送书；检验报告",
    )
    transfer = case.transfers.get()
    assert "144" in transfer.tests_met
    with pytest.raises(ValidationError):
        services.case_transition(
            by=officer, source=WEB, case=case, to=CaseStatus.INVESTIGATION, on=D(2022, 3, 15)
        )
    services.transfer_answer(
        by=officer, source=WEB, transfer=transfer, answer=PoliceAnswer.ACCEPTED, on=D(2022, 3, 14)
    )
    services.case_transition(
        by=officer, source=WEB, case=case, to=CaseStatus.CLOSED, on=D(2022, 3, 20), note="公安已立案"
    )
    assert compute("enforcement.transfers", Period.year(2022)).value == 1
    assert compute("enforcement.cases_kunlun", Period.year(2022)).value == 1


def test_third_penalty_in_a_year_is_shown_with_its_records(personas, shop):
    officer = personas("district_officer")
    numbers = []
    for i, (lead, decided) in enumerate(
        ((D(2022, 1, 4), D(2022, 2, 28)), (D(2022, 3, 1), D(2022, 4, 15)), (D(2022, 5, 5), D(2022, 6, 20)))
    ):
        case = open_case(officer, shop, lead_received_on=lead, basis_code="fsl-126")
        walk_to_notice(
            officer, case, filed=lead + dt.timedelta(days=2), notice=decided - dt.timedelta(days=14)
        )
        services.case_decide(
            by=officer,
            source=WEB,
            case=case,
            on=decided,
            decision_number=f"N{i}",
            kinds=["fine"],
            fine_amount="6000",
            band="lighter",
        )
        numbers.append(case.number)
    judgement = selectors.case_third_penalty(case, on=D(2022, 6, 20))
    assert judgement.met and [n for _d, n in judgement.counted] == numbers
    tests = {t.code: t for t in selectors.case_aggravation(case, on=D(2022, 6, 20))}
    assert tests["67-5"].met  # same basis within a year of a penalty


def test_indicators_t15_and_t21_from_records(personas, shop):
    officer = personas("district_officer")
    assert compute("enforcement.results_filed", Period.year(2022)).missing
    case = walk_to_notice(officer, open_case(officer, shop, basis_code="fsl-126"))
    services.case_decide(
        by=officer,
        source=WEB,
        case=case,
        on=D(2022, 4, 15),
        decision_number="N",
        kinds=["fine"],
        fine_amount="6000",
        band="lighter",
    )
    assert compute("enforcement.results_filed", Period.year(2022)).value == 0
    services.credit_filing_record(by=officer, source=WEB, cases=[case], on=D(2022, 4, 20), batch="2022-04")
    assert compute("enforcement.results_filed", Period.year(2022)).value == 100
    services.case_transition(by=officer, source=WEB, case=case, to=CaseStatus.EXECUTION, on=D(2022, 4, 18))
    services.case_transition(by=officer, source=WEB, case=case, to=CaseStatus.CLOSED, on=D(2022, 5, 6))
    services.typical_case_publish(
        by=officer, source=WEB, case=case, title="某超市案", text="王大明经营的超市……", on=D(2022, 5, 10)
    )
    assert compute("enforcement.typical_case_quarters", Period.year(2022)).value == 1
    assert "王某某" in case.typical.text


def test_seizure_term_and_its_one_extension(personas, shop):
    officer = personas("town_a_officer")
    case = open_case(officer, shop)
    m = services.measure_take(
        by=officer, source=WEB, case=case, kind="seize", items="芹菜 20 公斤", taken_on=D(2022, 3, 2)
    )
    # 30 days from 2 Mar: 1 Apr (a Friday).
    assert m.due_on == D(2022, 4, 1)
    services.measure_extend(by=officer, source=WEB, measure=m, on=D(2022, 3, 30))
    assert m.due_on == D(2022, 5, 16)  # 75 days: Sun 15 May rolls to Mon 16 May
    with pytest.raises(ValidationError):
        services.measure_extend(by=officer, source=WEB, measure=m, on=D(2022, 4, 5))


def test_unknown_fact_and_bad_amount_are_located(personas, shop):
    officer = personas("town_a_officer")
    case = open_case(officer, shop)
    with pytest.raises(ValidationError) as exc:
        services.case_facts_record(
            by=officer, source=WEB, case=case, facts={"goods_value": "abc", "colour": "red"}
        )
    assert set(exc.value.message_dict) == {"goods_value", "colour"}
    assert Decimal(0) == Decimal(case.facts.get("goods_value") or 0)
