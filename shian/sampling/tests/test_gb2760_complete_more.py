"""Use lists of 山梨酸及其钾盐, 安赛蜜 and of the synthetic colours (data/limits-22-gb2760-complete-more.toml),
complete outside their `open` categories: a permitted category and a sibling without a use, per
additive; a food below an open category stays undetermined and says why; 山梨酸 in 糕点, listed
in GB 2760-2014 and open in GB 2760-2024."""

from __future__ import annotations

import datetime as dt
import tomllib

import pytest

from shian.sampling import rules
from shian.sampling.rules import LimitKind, Verdict

BOOK = rules.default_limit_book()
D2024 = dt.date(2024, 6, 1)  # GB 2760-2014 in force
D2026 = dt.date(2026, 3, 1)  # GB 2760-2024 in force (from 2025-02-08)
DATA = rules.DATA_DIR / "limits-22-gb2760-complete-more.toml"


def judge(item: str, result: str, food: str, category: str, on: dt.date = D2026) -> rules.Judgment:
    return rules.judge(book=BOOK, item=item, result=result, food=food, category=category, on=on)


def not_permitted(j: rules.Judgment) -> bool:
    return j.spec is not None and j.spec.kind == LimitKind.NOT_PERMITTED


@pytest.mark.parametrize("on", [D2024, D2026])
def test_yellows_in_candied_fruit_but_not_in_dried_fruit(on):
    """柠檬黄 / 日落黄 04.01.02.08 蜜饯凉果 0.1 g/kg; its sibling 04.01.02.02 水果干类 has no use in
    either edition."""
    for item in ("柠檬黄", "日落黄"):
        j = judge(item, "0.13g/kg", "话梅", "糖果制品-果脯蜜饯", on=on)
        assert j.verdict == Verdict.UNQUALIFIED and j.limit_text == "≤0.1g/kg", item
        assert judge(item, "0.05g/kg", "话梅", "糖果制品-果脯蜜饯", on=on).verdict == Verdict.QUALIFIED
        raisin = judge(item, "0.0146g/kg", "葡萄干", "水果制品-水果干制品", on=on)
        assert not_permitted(raisin) and raisin.category_path.endswith("04.01.02.02"), (item, on)
        assert raisin.verdict == Verdict.UNQUALIFIED and raisin.edition.startswith("GB 2760")


def test_tartrazine_in_pickles_and_not_in_spices_or_seasoned_raw_meat():
    pickle = judge("柠檬黄", "0.130g/kg", "油菜苔（盐水渍菜）", "蔬菜制品-酱腌菜")
    assert pickle.verdict == Verdict.UNQUALIFIED and pickle.limit_text == "≤0.1g/kg"
    cumin = judge("柠檬黄", "0.0128g/kg", "孜然", "调味品-其他香辛料调味品")
    assert not_permitted(cumin) and "12.09.01" in cumin.category_path
    nuggets = judge("柠檬黄", "0.0209g/kg", "速冻调理肉制品", "速冻食品")
    assert not_permitted(nuggets) and nuggets.category_path.endswith("08.02.01")


def test_allura_red_in_sausages_but_not_in_roast_meat():
    """诱惑红 08.03.05 肉灌肠类 0.015 g/kg, 08.03.04 西式火腿 0.025 g/kg; its sibling 08.03.02
    熏、烧、烤肉类 has no use."""
    sausage = judge("诱惑红", "0.0191g/kg", "淀粉肉灌肠", "肉制品-熟肉制品")
    assert sausage.verdict == Verdict.UNQUALIFIED and sausage.limit_text == "≤0.015g/kg"
    duck = judge("诱惑红", "0.01g/kg", "烤鸭", "肉制品-熏烧烤肉制品")
    assert not_permitted(duck) and duck.category_path.endswith("08.03.02")


def test_amaranth_and_ponceau_in_candied_fruit_and_candy_but_not_in_dried_fruit_or_shrimp():
    for item in ("苋菜红", "胭脂红"):
        cake = judge(item, "0.105g/kg", "雪丽球", "糖果制品-果脯蜜饯")
        assert cake.verdict == Verdict.UNQUALIFIED and cake.limit_text == "≤0.05g/kg", item
        candy = judge(item, "0.04g/kg", "水果硬糖", "糖果制品-糖果")
        assert candy.verdict == Verdict.QUALIFIED and candy.limit_text == "≤0.05g/kg", item
        raisin = judge(item, "0.01g/kg", "葡萄干", "水果制品-水果干制品")
        assert not_permitted(raisin) and raisin.category_path.endswith("04.01.02.02"), item
    shrimp = judge("胭脂红", "0.00247g/kg", "红虾皮", "水产制品-预制动物性水产干制品")
    assert not_permitted(shrimp) and shrimp.category_path.startswith("09.0")


def test_brilliant_blue_in_pickles_but_not_in_dried_fruit():
    pickle = judge("亮蓝", "0.03g/kg", "酱黄瓜", "蔬菜制品-酱腌菜")
    assert pickle.verdict == Verdict.UNQUALIFIED and pickle.limit_text == "≤0.025g/kg"
    raisin = judge("亮蓝", "0.01g/kg", "葡萄干", "水果制品-水果干制品", on=D2024)
    assert not_permitted(raisin) and raisin.edition == "GB 2760-2014"


def test_a_food_below_an_open_category_stays_undetermined():
    """Candied fruit for 亮蓝 and 诱惑红, beverages and fruit cans for every colour: uses whose
    levels or "仅限" scopes are not held on file — undetermined, and the reason names the gap."""
    for item, food, category, gap in (
        ("亮蓝", "山楂片", "糖果制品-果脯蜜饯", "04.01.02.08"),
        ("诱惑红", "玫瑰蜜酱", "糖果制品-果脯蜜饯", "04.01.02.08"),
        ("柠檬黄", "水果类罐头", "罐头-水果罐头", "04.01.02.04"),
        ("苋菜红", "100%石榴汁", "饮料-果蔬汁", "14.0"),
    ):
        j = judge(item, "0.01g/kg", food, category)
        assert j.verdict == Verdict.UNDETERMINED and f"「{gap}」的使用范围未核实" in j.reason, item


def test_every_colour_list_names_both_editions_and_leaves_out_the_converted_rows():
    data = tomllib.loads(DATA.read_text(encoding="utf-8"))
    ids = [r["id"] for r in data["limit"]]
    assert len(ids) == len(set(ids))
    listed = {BOOK.canonical_item(u["item"]) for u in data["gb2760"]["complete"]}
    assert len(listed) == 8
    for item in listed:
        editions = {e for u in BOOK.use_lists[item] for e in u.editions}
        assert editions == {"GB 2760-2014", "GB 2760-2024"}, item
        rows = BOOK.tree_rules[item]["GB 2760"]
        assert rows and all(not r.row_id.startswith("gb2760-") for r in rows), item
    for r in data["limit"]:
        assert r["tree"] == "GB 2760" and r["clause"] and r["source"] and r["verification"] == "M"


def test_sorbic_acid_in_tofu_products_of_the_second_kind_but_not_in_dried_vegetables():
    """山梨酸 04.04.01.03 豆干再制品 1.0 g/kg; 04.02.02.03 腌渍的蔬菜 1.0 g/kg and its sibling
    04.02.02.02 干制蔬菜 none; 04.01.02.02 水果干类 none (蜜饯凉果 0.5 g/kg)."""
    pickle = judge("山梨酸及其钾盐(以山梨酸计)", "1.2g/kg", "酱黄瓜", "蔬菜制品-酱腌菜")
    assert pickle.verdict == Verdict.UNQUALIFIED and pickle.limit_text == "≤1g/kg"
    dried = judge("山梨酸及其钾盐(以山梨酸计)", "0.1g/kg", "梅干菜", "蔬菜制品-干制蔬菜")
    assert not_permitted(dried) and dried.category_path.endswith("04.02.02.02")
    candied = judge("山梨酸及其钾盐(以山梨酸计)", "0.6g/kg", "话梅", "糖果制品-果脯蜜饯")
    assert candied.verdict == Verdict.UNQUALIFIED and candied.limit_text == "≤0.5g/kg"
    raisin = judge("山梨酸及其钾盐(以山梨酸计)", "0.1g/kg", "葡萄干", "水果制品-水果干制品")
    assert not_permitted(raisin) and raisin.category_path.endswith("04.01.02.02")


def test_sorbic_acid_in_pastry_is_listed_in_2014_and_open_in_2024_and_bread_keeps_its_use():
    old = judge("山梨酸及其钾盐(以山梨酸计)", "0.5g/kg", "麦丝瑞可轻牛乳蛋糕", "糕点-糕点", on=D2024)
    assert old.verdict == Verdict.QUALIFIED and old.limit_text == "≤1g/kg" and old.edition == "GB 2760-2014"
    new = judge("山梨酸及其钾盐(以山梨酸计)", "0.5g/kg", "麦丝瑞可轻牛乳蛋糕", "糕点-糕点")
    assert new.verdict == Verdict.UNDETERMINED and "GB 2760-2024 在「07.02」的使用范围未核实" in new.reason
    for on in (D2024, D2026):
        bread = judge("山梨酸及其钾盐(以山梨酸计)", "1.44g/kg", "蔓越莓贝果面包", "糕点", on=on)
        assert bread.verdict == Verdict.UNQUALIFIED and bread.limit_text == "≤1g/kg", on


def test_sorbic_acid_in_sausages_and_in_soy_sauce_left_open():
    """08.03.05 肉灌肠类 1.5 g/kg beside 08.03 熟肉制品 0.075 g/kg (limits-20); 酱油 lies in 12.0,
    open for 山梨酸 (its GB 2760-2024 uses in 调味品 are not held with confidence)."""
    sausage = judge("山梨酸及其钾盐(以山梨酸计)", "1.0g/kg", "淀粉肉灌肠", "肉制品-熟肉制品")
    assert sausage.verdict == Verdict.QUALIFIED and sausage.limit_text == "≤1.5g/kg"
    soy = judge("山梨酸及其钾盐(以山梨酸计)", "0.532g/kg", "特级生抽", "调味品-酱油")
    assert soy.verdict == Verdict.UNDETERMINED and "「12.0」的使用范围未核实" in soy.reason


def test_acesulfame_in_pickles_but_not_in_dried_vegetables_or_cooked_meat():
    """安赛蜜 04.02.02.03 腌渍的蔬菜 0.3 g/kg (limits-20); its sibling 04.02.02.02 干制蔬菜 and
    熟肉制品 have no use; 固体饮料 stays open (按稀释倍数)."""
    pickle = judge("安赛蜜", "0.494g/kg", "酱黄瓜", "蔬菜制品-酱腌菜")
    assert pickle.verdict == Verdict.UNQUALIFIED and pickle.limit_text == "≤0.3g/kg"
    dried = judge("安赛蜜", "0.1g/kg", "梅干菜", "蔬菜制品-干制蔬菜", on=D2024)
    assert not_permitted(dried) and dried.edition == "GB 2760-2014"
    meat = judge("安赛蜜", "0.1g/kg", "烤鸭", "肉制品-熏烧烤肉制品")
    assert not_permitted(meat) and meat.category_path.endswith("08.03.02")
    powder = judge("安赛蜜", "0.494g/kg", "灵芝酸枣仁原浆", "饮料-固体饮料")
    assert powder.verdict == Verdict.UNDETERMINED and "「14.0」的使用范围未核实" in powder.reason
