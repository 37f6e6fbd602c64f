"""Licensing rules, one test per clause (registry.rules: LICENSING_EDITIONS, bans_blocking)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from shian.registry import rules

D = dt.date


def test_decision_term_is_ten_working_days_under_the_2023_measures():
    # 《食品经营许可和备案管理办法》（令第78号，2023-12-01 施行）: 10 个工作日 from acceptance (M).
    assert rules.licensing_edition(D(2024, 3, 1)).decision_working_days == 10


def test_decision_term_before_december_2023_is_the_administrative_licensing_laws_twenty_days():
    # 《食品安全法》第三十五条第二款 → 《行政许可法》第四十二条: 二十日 (第八十二条: working days) (M).
    edition = rules.licensing_edition(D(2023, 11, 30))
    assert edition.decision_working_days == 20 and "第四十二条" in edition.decision_source


def test_no_rules_before_the_first_edition():
    with pytest.raises(LookupError):
        rules.licensing_edition(D(2010, 1, 1))


def test_licence_valid_for_five_years_regulation_article_15():
    # 《食品安全法实施条例》第十五条: 食品生产经营许可的有效期为5年 (V).
    edition = rules.licensing_edition(D(2024, 5, 6))
    assert edition.validity_years == 5 and edition.validity_verified == "V"
    assert rules.licence_valid_until(granted_on=D(2024, 5, 6), current_until=None, renewal=False) == D(
        2029, 5, 5
    )


def test_renewal_runs_on_from_the_current_licences_end():
    until = rules.licence_valid_until(granted_on=D(2024, 5, 6), current_until=D(2024, 6, 30), renewal=True)
    assert until == D(2029, 6, 30)
    # A licence already expired: the new term starts on the grant.
    assert rules.licence_valid_until(
        granted_on=D(2024, 5, 6), current_until=D(2024, 1, 31), renewal=True
    ) == D(2029, 5, 5)


def _ban(**kw: Any) -> rules.BanRecord:
    data: dict[str, Any] = {
        "person_name": "王大明",
        "id_key": "",
        "decided_on": D(2022, 4, 15),
        "until": D(2027, 4, 14),
        "case_id": 1,
        "case_number": "北辰市监案〔2022〕3号",
        "case_region": "120113001",
    } | kw
    return rules.BanRecord(**data)


def test_five_year_ban_blocks_within_its_term_law_article_135_first_paragraph():
    # 法第一百三十五条第一款: 自处罚决定作出之日起五年内不得申请食品生产经营许可.
    person = rules.NamedPerson(name="王大明", id_key="")
    assert rules.ban_applies(_ban(), person, on=D(2024, 3, 1))
    assert rules.ban_applies(_ban(), person, on=D(2027, 4, 14))
    assert not rules.ban_applies(_ban(), person, on=D(2027, 4, 15))
    assert not rules.ban_applies(_ban(), person, on=D(2022, 4, 14))  # not yet decided


def test_lifetime_ban_blocks_for_ever_law_article_135_second_paragraph():
    # 第二款: 因食品安全犯罪被判处有期徒刑以上刑罚的，终身不得从事食品生产经营管理工作.
    person = rules.NamedPerson(name="王大明", id_key="")
    assert rules.ban_applies(_ban(until=None), person, on=D(2060, 1, 1))


def test_id_number_decides_when_both_carry_one():
    ban = _ban(id_key="k1")
    assert rules.ban_applies(ban, rules.NamedPerson(name="王明", id_key="k1"), on=D(2024, 1, 1))
    # The same name, another person.
    assert not rules.ban_applies(ban, rules.NamedPerson(name="王大明", id_key="k2"), on=D(2024, 1, 1))
    blocks = rules.bans_blocking(
        [rules.NamedPerson("李四", "k9"), rules.NamedPerson("王明", "k1")], [ban], on=D(2024, 1, 1)
    )
    assert [(p.name, b.case_number) for p, b in blocks] == [("王明", "北辰市监案〔2022〕3号")]


def test_masked_id_keeps_four_and_four():
    assert rules.mask_id("120113198001011234") == "1201**********1234"


def test_licence_numbers_fit_the_registers_validators():
    from shian.core.rules import validate_business_licence, validate_production_licence

    jy = rules.business_licence_number(
        business_type="catering", region_code="120113001", serial=42, production=False
    )
    sc = rules.business_licence_number(
        business_type="production", region_code="120113001", serial=42, production=True
    )
    assert validate_business_licence(jy) == jy == "JY21201130000420"
    assert validate_production_licence(sc) == sc
