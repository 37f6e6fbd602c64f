"""A licence application checks the persons it names against the bans this module records
(《食品安全法》第一百三十五条), through the register's person checks."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from shian.core.models import AuditEntry, AuditSource
from shian.enforcement import services
from shian.enforcement.tests.test_services import open_case, walk_to_notice
from shian.registry import selectors as registry_selectors
from shian.registry import services as registry_services
from shian.registry.services import PersonInput, application_ban_check
from shian.registry.tests.factories import credit_code, make_business

D = dt.date
WEB = AuditSource.WEB
pytestmark = pytest.mark.django_db


def _revoke(officer, *, prison_sentence: bool = False):
    """A real 2022 revocation of a town-A supermarket: its legal representative 王大明 is banned."""
    shop = make_business(
        name="果园新村示范超市",
        region_code="120113001",
        business_type="wholesale_retail",
        legal_representative="王大明",
    )
    case = open_case(officer, shop, basis_code="fsl-123")
    services.case_facts_record(by=officer, source=WEB, case=case, facts={"goods_value": "5000"})
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
        prison_sentence=prison_sentence,
    )
    return case


def _apply(officer, received_on, *, region="120113100"):
    """王大明 named as the legal representative of a new noodle shop in town B."""
    return registry_services.application_submit(
        actor=officer,
        source=WEB,
        kind="new",
        category="business",
        received_on=received_on,
        persons=[
            PersonInput(role="legal_representative", name="王大明", id_number="120113197512030031"),
            PersonInput(role="safety_manager", name="刘芳", id_number="120113199002146628"),
        ],
        applicant_name="天穆镇王记面馆",
        credit_code=credit_code(),
        address="天津市北辰区天穆镇京津路88号",
        region_code=region,
        business_type="catering",
    )


def test_person_banned_in_2022_applying_in_2024_is_blocked_with_the_case(personas):
    case = _revoke(personas("district_officer"))
    officer = personas("district_officer")
    app = _apply(officer, D(2024, 3, 4))
    assert [b["case_number"] for b in app.ban_blocks] == [case.number]
    registry_services.application_transition(
        actor=officer, source=WEB, application=app, target="review", on=D(2024, 3, 5)
    )
    with pytest.raises(ValidationError) as exc:
        registry_services.application_transition(
            actor=officer, source=WEB, application=app, target="granted", on=D(2024, 3, 8)
        )
    assert case.number in exc.value.message_dict["target"][0]
    app.refresh_from_db()
    assert app.status == "review" and app.checked_on == D(2024, 3, 8) and not app.licence_number
    # The refused grant is on the audit chain.
    entry = (
        AuditEntry.objects.filter(object_type="registry.licenceapplication", object_id=str(app.pk))
        .order_by("seq")
        .last()
    )
    assert entry is not None and entry.after["@refused_transition"] == "granted"
    # The district officer sees the case's date and term; town B's officer, who may not see a
    # town-A case, still gets the block, with the case number only.
    full = registry_selectors.application_blocks_for_user(user=officer, application=app)[0]["message"]
    assert "2022-04-15" in full and "2027-04-14" in full and case.number in full
    town_b = registry_selectors.application_blocks_for_user(user=personas("town_b_officer"), application=app)
    assert case.number in town_b[0]["message"] and "2027" not in town_b[0]["message"]


def test_the_same_person_after_the_ban_ended_is_not_blocked(personas):
    # Decided 15 Apr 2022: barred to 14 Apr 2027 inclusive, free from the 15th.
    _revoke(personas("district_officer"))
    app = _apply(personas("town_b_officer"), D(2024, 3, 4))
    assert application_ban_check(app, D(2027, 4, 14))
    assert application_ban_check(app, D(2027, 4, 15)) == []


def test_a_lifelong_ban_blocks_for_ever(personas):
    _revoke(personas("district_officer"), prison_sentence=True)
    app = _apply(personas("town_b_officer"), D(2024, 3, 4))
    assert app.ban_blocks[0]["until"] is None
    assert application_ban_check(app, D(2060, 1, 1))
    blocks = registry_selectors.application_blocks_for_user(
        user=personas("district_officer"), application=app
    )
    assert "终身" in blocks[0]["message"]


def test_demo_applications_include_one_blocked_by_a_demo_ban(personas):
    from shian.registry.demo import demo_applications_build
    from shian.registry.models import LicenceApplication

    _revoke(personas("district_officer"))
    for i in range(4):
        make_business(
            name=f"北辰区示范餐馆{i}",
            business_type="catering",
            business_licence=f"JY2120113{i:06d}1",
            licence_valid_until=D(2024, 8, 31),
        )
    made = demo_applications_build(seed=3, count=10, banned=["王大明"], out=lambda _m: None)
    assert made == 10
    blocked = LicenceApplication.objects.exclude(ban_blocks=[]).get()
    assert blocked.status == "refused" and "第一百三十五条" in blocked.reason
    assert LicenceApplication.objects.filter(status="granted").exists()
    assert LicenceApplication.objects.filter(status__in=["accepted", "review"]).count() == 6
