"""Quality items judged against the label's declared value (酒精度 ± the product standard's
allowed difference), dried foods judged by the fresh food's limit and the dehydration ratio
(GB 2762 3.5), and the product standards' rows added for nuts (GB 19300) and 蜜饯 (GB 14884)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from shian.sampling import bulletins, rules
from shian.sampling.rules import Verdict

BOOK = rules.default_limit_book()
D2026 = dt.date(2026, 3, 1)


def judge(item: str, result: str, food: str, category: str, **kw: object) -> rules.Judgment:
    return rules.judge(book=BOOK, item=item, result=result, food=food, category=category, on=D2026, **kw)  # type: ignore[arg-type]


def test_alcohol_is_judged_against_the_declared_value_within_one_percent():
    """GB/T 10781 白酒: 酒精度 实测值与标签标示值允许差 ±1.0 %vol [M]. Label 52 %vol."""
    low = judge("酒精度(20°C)", "50.4%vol", "梦幻黄山白酒", "酒类-白酒", declared="52%vol")
    edge = judge("酒精度", "51.0%vol", "梦幻黄山白酒", "酒类-白酒", declared="52%vol")
    assert low.verdict == Verdict.UNQUALIFIED and low.limit_text == "51～53%vol"
    assert edge.verdict == Verdict.QUALIFIED and "标签标示值 52%vol" in edge.reason
    assert low.clause.startswith("GB/T 10781") and low.verification == "M"


def test_alcohol_without_the_declared_value_is_not_judged():
    j = judge("酒精度", "13.2%vol", "三年陈加饭酒", "酒类-黄酒")
    assert j.verdict == Verdict.UNDETERMINED and "须标签标示值" in j.reason
    assert j.limit_text == "标签标示值±1%vol"


def test_beer_has_no_label_tolerance_on_file():
    j = judge("酒精度", "2.5%vol", "国涵啤酒", "酒类", declared="3.1%vol")
    assert j.verdict == Verdict.UNDETERMINED and "无此项目限量" in j.reason


def test_a_bulletin_record_carrying_the_label_value_is_judged_and_one_without_is_not():
    record = {
        "id": "x1",
        "food_name_canonical": "鳄鱼鞭酒",
        "category": "酒类-白酒",
        "prod_date": "2025-10-01",
        "fail_raw": "酒精度║48.2%vol║51.0~53.0%vol",
    }
    without = bulletins.judge_record(record, BOOK, D2026)
    with_label = bulletins.judge_record({**record, "declared": {"酒精度": "52%vol"}}, BOOK, D2026)
    assert not without.covered and bulletins.reason_kind(without.reasons[0]).startswith("按标签标示值")
    assert with_label.covered and with_label.agrees


def test_a_dried_food_takes_the_fresh_limit_times_the_dehydration_ratio():
    """GB 2762 3.5: 干制食品按相应新鲜食品的限量结合脱水率折算. 铅 in 新鲜蔬菜 (鳞茎类)
    0.1 mg/kg; a dried onion at ratio 8 → 0.8 mg/kg."""
    fresh = judge("铅(以Pb计)", "0.5mg/kg", "洋葱", "食用农产品-蔬菜")
    dried = judge("铅(以Pb计)", "0.5mg/kg", "洋葱", "食用农产品-蔬菜", concentration=Decimal(8))
    assert fresh.verdict == Verdict.UNQUALIFIED and fresh.limit_text == "≤0.1mg/kg"
    assert dried.verdict == Verdict.QUALIFIED and dried.limit_text == "≤0.8mg/kg"


def test_the_dehydration_ratio_applies_to_maxima_only_and_not_below_one():
    spec = rules.parse_limit("≤0.1mg/kg")
    assert rules.dried_spec(spec, Decimal("2.5")).value == Decimal("0.25")
    with pytest.raises(ValueError):
        rules.dried_spec(spec, Decimal("0.5"))
    with pytest.raises(ValueError):
        rules.dried_spec(rules.parse_limit("不得检出"), Decimal(3))
    plan = judge(
        "菌落总数", "900;1200;800;5000;700", "甘草话李", "糖果制品-果脯蜜饯", concentration=Decimal(3)
    )
    assert plan.verdict == Verdict.UNDETERMINED and "脱水率" in plan.reason
    banned = judge("氯霉素", "0.3μg/kg", "鲫鱼", "水产品-淡水鱼", concentration=Decimal(3))
    assert banned.verdict == Verdict.UNQUALIFIED  # not detected stays not detected, dried or fresh


def test_nuts_peroxide_by_product_class():
    """GB 19300-2014 表1 过氧化值（以脂肪计）: 葵花籽及其制品 0.80, 花生及其制品 0.50, 其他 0.50
    g/100g [M]."""
    nuts = "炒货食品及坚果制品-炒货食品及坚果制品"
    seeds = judge("过氧化值(以脂肪计)", "0.72g/100g", "原味瓜子", nuts)
    pine = judge("过氧化值(以脂肪计)", "0.72g/100g", "开口松子", nuts)
    assert (seeds.verdict, seeds.limit_text) == (Verdict.QUALIFIED, "≤0.8g/100g")
    assert (pine.verdict, pine.limit_text) == (Verdict.UNQUALIFIED, "≤0.5g/100g")
    assert seeds.category_path == "坚果及籽类 › 葵花籽"


def test_candied_fruit_microbiological_plan():
    """GB 14884-2016 表2: 菌落总数 n=5 c=2 m=10³ M=10⁴ CFU/g; 霉菌 ≤50 CFU/g [M]."""
    tpc = judge("菌落总数", "900;1200;800;5000;700", "甘草话李", "糖果制品-果脯蜜饯")
    mould = judge("霉菌", "60CFU/g", "山楂片", "糖果制品-果脯蜜饯")
    assert tpc.verdict == Verdict.QUALIFIED and tpc.counts == (2, 0)
    assert mould.verdict == Verdict.UNQUALIFIED and mould.edition == "GB 14884-2016"


def test_the_preservatives_ratio_sum_is_at_most_one_in_every_category():
    """GB 2760 附录A 使用说明: 同一功能的添加剂混合使用时各自用量占其最大使用量的比例之和不应超过1."""
    item = "防腐剂混合使用时各自用量占其最大使用量的比例之和"
    pickles = judge(item, "2.17", "芥菜丝", "蔬菜制品-酱腌菜")
    cake = judge(item, "0.8", "轻乳奶酪蛋糕", "糕点")
    assert (pickles.verdict, pickles.limit_text, pickles.tree) == (Verdict.UNQUALIFIED, "≤1", "GB 2760")
    assert cake.verdict == Verdict.QUALIFIED


def test_aluminium_in_ready_to_eat_jellyfish():
    """GB 2760 硫酸铝钾、硫酸铝铵: 海蜇 铝的残留量 ≤500 mg/kg（以即食海蜇中Al计）[M]."""
    j = judge("铝的残留量(以即食海蜇中Al计)", "812mg/kg", "海蜇丝", "水产制品-其他水产制品")
    assert j.verdict == Verdict.UNQUALIFIED and j.limit_text == "≤500mg/kg"


def test_nitrite_residue_in_meat_products_by_gb2760_category():
    """GB 2760 亚硝酸钠、亚硝酸钾 残留量（以亚硝酸钠计）: 酱卤肉制品类 ≤30, 西式火腿 ≤70 mg/kg [M];
    vegetables keep GB 2762's 亚硝酸盐 rows."""
    pig_ear = judge("亚硝酸盐(以亚硝酸钠计)", "41mg/kg", "五香猪耳", "肉制品-熟肉制品")
    ham = judge("亚硝酸盐(以亚硝酸钠计)", "41mg/kg", "西式火腿", "肉制品-熏煮香肠火腿制品")
    pickles = judge("亚硝酸盐(以亚硝酸钠计)", "41mg/kg", "榨菜", "蔬菜制品-酱腌菜")
    assert (pig_ear.verdict, pig_ear.limit_text, pig_ear.tree) == (Verdict.UNQUALIFIED, "≤30mg/kg", "GB 2760")
    assert (ham.verdict, ham.limit_text) == (Verdict.QUALIFIED, "≤70mg/kg")
    assert pickles.tree == "GB 2762" and pickles.verdict == Verdict.UNQUALIFIED


def test_aluminium_residue_where_alum_may_be_used():
    """GB 2760 硫酸铝钾、硫酸铝铵: 粉丝、粉条 ≤200, 焙烤食品 ≤100 mg/kg（干样品，以Al计）[M]."""
    noodles = judge("铝的残留量(干样品,以Al计)", "312mg/kg", "红薯粉丝", "淀粉及淀粉制品-粉丝粉条")
    cake = judge("铝的残留量(干样品,以Al计)", "150mg/kg", "蛋糕", "餐饮食品-糕点（自制）")
    assert (noodles.verdict, noodles.limit_text) == (Verdict.UNQUALIFIED, "≤200mg/kg")
    assert noodles.category_path.endswith("06.05.02.01")
    assert (cake.verdict, cake.limit_text) == (Verdict.UNQUALIFIED, "≤100mg/kg")


def test_carbon_dioxide_volume_is_a_minimum():
    """GB/T 10792-2008 碳酸饮料: 二氧化碳气容量（20 ℃）≥1.5 倍 [M]; a bulletin printing "≤1.5倍"
    for a 1.22 that failed is a misprint, not a maximum."""
    low = judge("二氧化碳气容量(20°C)", "1.22倍", "老汽水", "饮料-碳酸饮料")
    ok = judge("二氧化碳气容量", "2.1倍", "碳酸饮料(汽水)", "饮料-碳酸饮料")
    assert (low.verdict, low.limit_text) == (Verdict.UNQUALIFIED, "≥1.5")
    assert ok.verdict == Verdict.QUALIFIED
