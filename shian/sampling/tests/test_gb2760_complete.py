"""GB 2760 additives whose use list on file is complete (data/limits-21-gb2760-complete.toml): a
food whose category none of the additive's rows covers is "不得使用" in the editions the list is
complete for, and stays undetermined below an unverified (`open`) category or where the food's
place is too coarse to tell; "（仅限…）" rows; the edition switch; the placements of foods the
sulphite rows turn on (龙眼, 海水虾, 八角, 年糕)."""

from __future__ import annotations

import datetime as dt
import tomllib

import pytest

from shian.sampling import rules
from shian.sampling.rules import LimitKind, Verdict

BOOK = rules.default_limit_book()
D2024 = dt.date(2024, 6, 1)  # GB 2760-2014 in force
D2026 = dt.date(2026, 3, 1)  # GB 2760-2024 in force (from 2025-02-08)
SO2 = "二氧化硫残留量"


def judge(item: str, result: str, food: str, category: str, on: dt.date = D2026) -> rules.Judgment:
    return rules.judge(book=BOOK, item=item, result=result, food=food, category=category, on=on)


def test_longan_is_a_surface_treated_fresh_fruit():
    """附录E 04.01.01.02 经表面处理的鲜水果: sulphites ≤0.05 g/kg; 龙眼 is traded fumigated."""
    j = judge(SO2, "0.0926g/kg", "龙眼", "食用农产品-水果类")
    assert j.verdict == Verdict.UNQUALIFIED and j.limit_text == "≤0.05g/kg"
    assert j.category_path.endswith("04.01.01.02")
    assert judge(SO2, "0.03g/kg", "桂圆", "水果类-龙眼").verdict == Verdict.QUALIFIED


def test_a_fresh_fruit_of_unknown_kind_is_not_called_not_permitted():
    """新鲜水果 of no named kind may be a surface-treated one (04.01.01.02 has a use): undetermined."""
    j = judge(SO2, "0.09g/kg", "", "食用农产品-水果类")
    assert j.verdict == Verdict.UNDETERMINED and "04.01.01.02" in j.reason
    assert "归类过粗" in j.reason or "抽样类别过宽" in j.reason


def test_dried_spices_are_not_permitted_sulphites():
    """12.09 香辛料类 has no sulphite use: 白芷、良姜、山奈、干姜 → 不得使用, in both editions."""
    for food in ("白芷", "良姜", "山奈", "干姜"):
        for on in (D2024, D2026):
            j = judge(SO2, "0.5g/kg", food, "调味品-其他香辛料调味品", on=on)
            assert j.verdict == Verdict.UNQUALIFIED and j.spec is not None, (food, on)
            assert j.spec.kind == LimitKind.NOT_PERMITTED and "12.09.01" in j.category_path


def test_star_anise_under_the_2024_edition_is_left_open():
    """GB 2760-2024's sulphite uses in 八角 are not verified on file: undetermined, said so; under
    GB 2760-2014 the list is complete and 八角 has none."""
    j = judge(SO2, "0.666g/kg", "八角", "调味品-其他香辛料调味品")
    assert j.verdict == Verdict.UNDETERMINED and "八角" in j.reason and "未核实" in j.reason
    old = judge(SO2, "0.666g/kg", "八角", "调味品-其他香辛料调味品", on=D2024)
    assert old.spec is not None and old.spec.kind == LimitKind.NOT_PERMITTED


def test_only_marine_shrimps_and_crabs_take_the_fresh_aquatic_use():
    """09.01 鲜水产（仅限海水虾蟹类及其制品） 0.1 g/kg: a marine shrimp takes it, a fish in the same
    category does not (不得使用), and a crustacean group that may hold marine shrimps is undetermined."""
    for food in ("南美白虾", "冻海水虾", "虾爬子"):
        j = judge(SO2, "0.212g/kg", food, "食用农产品-水产品")
        assert j.verdict == Verdict.UNQUALIFIED and j.limit_text == "≤0.1g/kg", food
    fish = judge(SO2, "0.05g/kg", "鲫鱼", "食用农产品-水产品")
    assert fish.spec is not None and fish.spec.kind == LimitKind.NOT_PERMITTED
    group = judge(SO2, "0.05g/kg", "甲壳类", "食用农产品-水产品")
    assert group.verdict == Verdict.UNDETERMINED and "仅限" in group.reason


def test_sulphites_in_biscuits_candied_fruit_pickles_and_rice_cakes():
    assert judge(SO2, "0.169g/kg", "钙奶饼干", "饼干").limit_text == "≤0.1g/kg"
    assert judge(SO2, "0.5g/kg", "无核蜜枣", "糖果制品-果脯蜜饯").limit_text == "≤0.35g/kg"
    assert judge(SO2, "0.2g/kg", "糖蒜", "蔬菜制品-酱腌菜").limit_text == "≤0.1g/kg"
    cake = judge(SO2, "0.0638g/kg", "年糕", "粮食加工品-其他谷物粉类制成品")
    assert cake.spec is not None and cake.spec.kind == LimitKind.NOT_PERMITTED
    assert cake.category_path.endswith("06.02.04")
    nuts = judge(SO2, "0.05g/kg", "山核桃", "炒货食品及坚果制品-炒货食品及坚果制品")
    assert nuts.spec is not None and nuts.spec.kind == LimitKind.NOT_PERMITTED


def test_an_additive_permitted_in_one_category_and_not_in_its_sibling():
    """糖精钠 / 苯甲酸: 04.02.02.03 腌渍的蔬菜 has a use, its sibling 04.02.02.02 干制蔬菜 has none."""
    pickled = judge("糖精钠(以糖精计)", "0.265g/kg", "小青瓜（盐渍菜）", "蔬菜制品-酱腌菜")
    assert pickled.verdict == Verdict.UNQUALIFIED and pickled.limit_text == "≤0.15g/kg"
    dried = judge("糖精钠(以糖精计)", "0.02g/kg", "梅干菜", "蔬菜制品-干制蔬菜")
    assert dried.spec is not None and dried.spec.kind == LimitKind.NOT_PERMITTED
    assert dried.category_path.endswith("04.02.02.02")
    assert (
        judge("苯甲酸及其钠盐(以苯甲酸计)", "0.9g/kg", "萝卜干", "蔬菜制品-酱腌菜").verdict
        == Verdict.QUALIFIED
    )
    benzoic = judge("苯甲酸及其钠盐(以苯甲酸计)", "0.249g/kg", "梅干菜", "蔬菜制品-干制蔬菜")
    assert benzoic.spec is not None and benzoic.spec.kind == LimitKind.NOT_PERMITTED


def test_a_group_that_may_hold_an_only_food_or_a_deeper_use_is_undetermined():
    """04.01.02.02 水果干类（仅限芒果干、无花果干） 5.0 g/kg: a dried fruit of unknown kind may be one
    of them; 04.05.02.01 熟制坚果与籽类 has its uses one level down (带壳 6.0 / 脱壳 1.2 g/kg for
    甜蜜素 in GB 2760-2014): 花生 of unknown form is not judged either way."""
    dried = judge("糖精钠(以糖精计)", "0.026g/kg", "", "水果制品-水果干制品")
    assert dried.verdict == Verdict.UNDETERMINED and "仅限芒果干" in dried.reason
    nuts = judge("甜蜜素(以环己基氨基磺酸计)", "0.375g/kg", "花生", "炒货食品", on=D2024)
    assert nuts.verdict == Verdict.UNDETERMINED and "04.05.02.01.0" in nuts.reason


def test_the_edition_switch_for_dha_in_bread_and_cyclamate_in_nuts():
    """脱氢乙酸 面包 0.5 g/kg in GB 2760-2014, deleted by GB 2760-2024 (不得使用); 甜蜜素's uses in
    加工坚果与籽类 under GB 2760-2024 are not verified on file (open), said so."""
    bread = "脱氢乙酸及其钠盐(以脱氢乙酸计)"
    assert judge(bread, "0.3g/kg", "吐司面包", "糕点-面包", on=D2024).verdict == Verdict.QUALIFIED
    j = judge(bread, "0.242g/kg", "吐司面包", "糕点-面包")
    assert j.spec is not None and j.spec.kind == LimitKind.NOT_PERMITTED and j.edition == "GB 2760-2024"
    later = judge("甜蜜素(以环己基氨基磺酸计)", "0.375g/kg", "花生", "炒货食品")
    assert later.verdict == Verdict.UNDETERMINED and "GB 2760-2024 在「04.05.02」" in later.reason


def test_dha_in_pickled_vegetables_is_kept_by_the_2024_edition():
    """r0922 / r1047: 脱氢乙酸 04.02.02.03 腌渍的蔬菜 0.3 g/kg in both editions."""
    j = judge("脱氢乙酸及其钠盐(以脱氢乙酸计)", "0.461g/kg", "韩式泡菜", "蔬菜制品-酱腌菜")
    assert j.verdict == Verdict.UNQUALIFIED and j.limit_text == "≤0.3g/kg" and j.edition == "GB 2760-2024"


def test_solid_drinks_are_open_for_sweeteners_diluted_by_their_label():
    """ "固体饮料按稀释倍数增加使用量": a powder's limit depends on its dilution — not judged."""
    j = judge("糖精钠(以糖精计)", "0.5g/kg", "", "饮料-固体饮料")
    assert j.verdict == Verdict.UNDETERMINED and "14.06" in j.reason


def test_mineral_water_nitrite_is_gb2762s_not_a_product_standards():
    """r0350: 亚硝酸盐(以NO2⁻计) in 饮用天然矿泉水 is 0.1 mg/L in GB 2762 (and GB 8537); the
    bulletin's ≤0.005 mg/L comes from a product standard of the sample, not from GB 2762."""
    j = judge("亚硝酸盐(以NO₂⁻计)", "0.0090mg/L", "饮用天然矿泉水", "饮料-包装饮用水")
    assert j.verdict == Verdict.QUALIFIED and j.limit_text == "≤0.1mg/L" and j.tree == "GB 2762"


def test_peanuts_sampled_as_roasted_nuts_take_the_peanut_aflatoxin_row():
    """r0050 / r0356: GB 2761-2017 黄曲霉毒素B1 花生及其制品 20 μg/kg; the bulletin records' food name
    is the category (其他炒货食品及坚果制品); by the sample's own name the peanut row applies."""
    for food in ("雪糖花生（烘炒类）", "奶香花生米（烘炒类）"):
        j = judge("黄曲霉毒素B1", "36.3μg/kg", food, "炒货食品及坚果制品-炒货食品及坚果制品")
        assert j.limit_text == "≤20μg/kg", food


def test_every_complete_list_has_rows_in_its_editions_and_every_row_names_its_source():
    path = rules.DATA_DIR / "limits-21-gb2760-complete.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    ids = [r["id"] for r in data["limit"]]
    assert len(ids) == len(set(ids))
    for r in data["limit"]:
        assert (
            r["tree"] == "GB 2760" and r["clause"] and r["source"] and r["verification"] in {"M", "V", "V2"}
        )
    for listed in data["gb2760"]["complete"]:
        item = BOOK.canonical_item(listed["item"])
        assert item in BOOK.use_lists and item in BOOK.additives
        rows = BOOK.tree_rules[item]["GB 2760"]
        for edition in listed["editions"]:
            assert any(edition in r.editions for r in rows), (item, edition)
        # the converted table's rows for a completed additive are left out: one source per list
        assert all(not r.row_id.startswith("gb2760-") for r in rows), item


def test_a_name_beside_its_sub_category_within_the_big_category_is_placed_by_the_name():
    """r0899 / r0988: 梅干菜 sampled as 蔬菜制品-酱腌菜 is a dried vegetable — GB 2762 干制蔬菜 铅
    0.8 mg/kg, GB 2760 04.02.02.02 where 苯甲酸 is not permitted; a fresh vegetable's name (香菜)
    does not lie within 蔬菜制品 and keeps the sampling category's place (酱腌菜)."""
    lead = judge("铅(以Pb计)", "1.60mg/kg", "梅干菜", "蔬菜制品-酱腌菜")
    assert lead.limit_text == "≤0.8mg/kg" and "干制蔬菜" in lead.category_path
    benzoic = judge("苯甲酸及其钠盐(以苯甲酸计)", "0.249g/kg", "梅干菜（分装）", "蔬菜制品-酱腌菜")
    assert benzoic.spec is not None and benzoic.spec.kind == LimitKind.NOT_PERMITTED
    coriander = judge("苯甲酸及其钠盐(以苯甲酸计)", "4.56g/kg", "香菜", "蔬菜制品-酱腌菜")
    assert coriander.limit_text == "≤1g/kg" and coriander.category_path.endswith("04.02.02.03")


def test_a_complete_list_naming_an_unknown_edition_is_refused(tmp_path):
    data = tmp_path / "limits-21.toml"
    data.write_text(
        '[[gb2760.complete]]\nitem = "糖精钠"\neditions = ["GB 2760-2011"]\nclause = "x"\n', encoding="utf-8"
    )
    with pytest.raises(ValueError, match="unknown edition"):
        rules.load_limit_book([rules.DATA_DIR / "editions.toml", data])


def test_sugared_cherry_tomatoes_sampled_as_dried_fruit_are_candied_fruit():
    """r0971: 圣女果干 is a 蜜饯 (sulphites 0.35 g/kg, 04.01.02.08), not a 水果干类 (0.1 g/kg);
    a dried fruit of its own name keeps 水果干类."""
    j = judge(SO2, "1.01g/kg", "圣女果干（番茄制品）", "水果制品-水果干制品")
    assert j.limit_text == "≤0.35g/kg" and j.category_path.endswith("04.01.02.08")
    assert judge(SO2, "0.2g/kg", "", "水果制品-水果干制品").limit_text == "≤0.1g/kg"


def test_sorbic_acid_is_stated_not_permitted_only_where_known():
    """豆腐类, 豆干类, 生湿面制品, 发酵面制品 and 生鲜肉 are stated 不得使用 (rows of their own); a
    pastry stays undetermined (GB 2760-2024's change there is not known with confidence: 07.02 is
    open in that edition's use list, limits-22)."""
    for food, category in (
        ("卤水豆腐", "豆制品"),
        ("馒头", "餐饮食品-馒头花卷（自制）"),
        ("鲜面条", "粮食加工品-生湿面制品"),
    ):
        j = judge("山梨酸及其钾盐(以山梨酸计)", "0.5g/kg", food, category)
        assert j.spec is not None and j.spec.kind == LimitKind.NOT_PERMITTED, food
    pastry = judge("山梨酸及其钾盐(以山梨酸计)", "0.5g/kg", "五黑糕", "糕点-糕点")
    assert pastry.verdict == Verdict.UNDETERMINED and "「07.02」的使用范围未核实" in pastry.reason
