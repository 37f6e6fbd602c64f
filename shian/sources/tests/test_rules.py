"""The sources rules, clause by clause: the pesticide lists by date (名录2019, 公告第536号),
restricted uses by crop, the certificate duty (农产品质量安全法第三十九条), grain monitoring density
and cadmium (plan task 八, GB 2762), farmland measures (土壤污染防治法第五十三、五十四条)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from shian.sources import rules

D = dt.date


def test_2019_list_bans_46_and_536_adds_four_from_2024_09_01():
    before = dict(rules.banned_on(D(2024, 8, 31)))
    after = dict(rules.banned_on(D(2024, 9, 1)))
    assert len(before) == 46
    assert len(after) == 50
    assert set(after) - set(before) == {"甲拌磷", "甲基异柳磷", "水胺硫磷", "灭线磷"}
    assert after["甲拌磷"].source == "农业农村部公告第536号（2022年）"


def test_substance_status_follows_the_date_and_the_crop():
    # 甲拌磷 in 2022: restricted on vegetables (名录 在部分范围禁止使用), banned outright from 2024-09-01.
    assert rules.pesticide_status("甲拌磷", on=D(2022, 6, 1), product="韭菜").status == "restricted"
    assert rules.pesticide_status("甲拌磷", on=D(2022, 6, 1), product="小麦").status == "restricted_elsewhere"
    assert rules.pesticide_status("甲拌磷", on=D(2024, 9, 1), product="小麦").status == "banned"
    assert rules.pesticide_status("百草枯", on=D(2022, 6, 1)).status == "banned"


def test_chlorpyrifos_is_restricted_on_vegetables_only():
    assert rules.pesticide_status("毒死蜱", on=D(2022, 6, 1), product="芹菜").flagged
    assert not rules.pesticide_status("毒死蜱", on=D(2022, 6, 1), product="苹果").flagged
    assert rules.pesticide_status("氟苯虫酰胺", on=D(2022, 6, 1), product="大米").status == "restricted"


def test_an_unlisted_substance_is_not_flagged():
    st = rules.pesticide_status("吡虫啉", on=D(2022, 6, 1), product="黄瓜")
    assert st.status == "not_listed" and not st.flagged


def test_a_date_before_the_lists_gets_a_chinese_answer_not_a_guess():
    with pytest.raises(LookupError, match="早于平台所载禁限用农药名录"):
        rules.pesticide_status("百草枯", on=D(2018, 12, 31))


def test_banned_hits_judges_each_item_on_its_date():
    hits = rules.banned_hits(["克百威", "吡虫啉", "氧乐果"], on=D(2022, 5, 1), product="豇豆")
    assert [h.substance for h in hits] == ["克百威", "氧乐果"]


def test_the_plan_phases_out_the_four_of_announcement_536():
    assert rules.phase_out_substances() == ["甲拌磷", "甲基异柳磷", "水胺硫磷", "灭线磷"]


def test_certificate_duty_article_39():
    # 第三十九条: 农产品生产企业、农民专业合作社 issue; 农户 are encouraged only.
    assert rules.certificate_required("enterprise", on=D(2022, 6, 1))
    assert rules.certificate_required("cooperative", on=D(2022, 6, 1))
    assert not rules.certificate_required("farmer", on=D(2022, 6, 1))
    with pytest.raises(LookupError):
        rules.certificate_required("enterprise", on=D(2021, 12, 31))


def test_market_match_rate_and_its_empty_denominator():
    assert rules.match_rate(40, 38) == Decimal(95)
    assert rules.match_rate(0, 0) is None


def test_one_monitoring_sample_per_10000_tonnes_rounded_up():
    on = D(2022, 10, 1)
    assert rules.samples_needed(Decimal(10000), on=on) == 1
    assert rules.samples_needed(Decimal(10001), on=on) == 2
    assert rules.samples_needed(Decimal(500), on=on) == 1
    assert rules.samples_needed(Decimal(0), on=on) == 0
    assert rules.samples_per_10k(3, Decimal(25000)) == Decimal("1.2")


def test_cadmium_is_mandatory_for_rice_and_judged_against_gb2762():
    on = D(2022, 10, 1)
    assert rules.cadmium_mandatory("rice", on=on) and not rules.cadmium_mandatory("wheat", on=on)
    assert rules.cadmium_verdict("rice", Decimal("0.20"), on=on) == "qualified"
    assert rules.cadmium_verdict("rice", Decimal("0.21"), on=on) == "unqualified"
    assert rules.cadmium_verdict("wheat", Decimal("0.15"), on=on) == "unqualified"


def test_farmland_measures_fit_their_class():
    on = D(2022, 5, 1)
    assert rules.measure_fits("safe_use", "low_accumulation", on=on)
    assert not rules.measure_fits("safe_use", "retire", on=on)
    assert rules.measure_fits("strict_control", "structure", on=on)
    assert rules.counted_class("strict_control", on=on) and not rules.counted_class("priority", on=on)
