"""Limits resolved through the standards' own food-category trees: a food inherits its category's
limit, an exception row overrides it, a food that cannot be placed or has no limit says so; the
edition switch by date; the converted reference tables load whole."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from shian.sampling import rules, standards_import
from shian.sampling.rules import Verdict

BOOK = rules.default_limit_book()
D2026 = dt.date(2026, 3, 1)
REFERENCE = Path(__file__).resolve().parents[3] / ".." / "shared" / "reference" / "standards"


def judge(item: str, result: str, food: str, category: str, on: dt.date = D2026) -> rules.Judgment:
    return rules.judge(book=BOOK, item=item, result=result, food=food, category=category, on=on)


def test_a_food_inherits_its_categorys_limit():
    """GB 2762 表2 镉: 叶菜蔬菜 0.2 mg/kg — 菠菜 is not listed itself, it inherits 叶菜蔬菜's row."""
    j = judge("镉(以Cd计)", "0.15mg/kg", "菠菜", "食用农产品-蔬菜")
    assert j.verdict == Verdict.QUALIFIED and j.limit_text == "≤0.2mg/kg"
    assert "叶菜蔬菜" in j.category_path and j.tree == "GB 2762"


def test_an_exception_leaves_the_general_row():
    """GB 2762 表2 镉: 新鲜蔬菜 0.05 mg/kg (叶菜蔬菜、豆类蔬菜、块根和块茎蔬菜、茎类蔬菜、黄花菜除外):
    韭菜 takes the general row, 山药 (块根和块茎) its own 0.1 mg/kg."""
    assert judge("镉(以Cd计)", "0.08mg/kg", "韭菜", "食用农产品-蔬菜").verdict == Verdict.UNQUALIFIED
    j = judge("镉(以Cd计)", "0.08mg/kg", "铁棍山药", "食用农产品-蔬菜")
    assert j.verdict == Verdict.QUALIFIED and j.limit_text == "≤0.1mg/kg"
    assert "山药" in j.placed_by


def test_an_exception_with_its_own_deeper_row():
    """GB 2762 表2 镉: 茎类蔬菜 0.1 mg/kg (芹菜除外); 芹菜 0.2 mg/kg."""
    j = judge("镉(以Cd计)", "0.15mg/kg", "西芹", "蔬菜-芹菜")
    assert j.verdict == Verdict.QUALIFIED and j.limit_text == "≤0.2mg/kg"


def test_lead_in_potatoes_and_ginger_rows():
    """GB 2762 表1 铅: 新鲜蔬菜 0.1 (芸薹类、叶菜、豆类、生姜、薯类除外); 薯类 0.2; 生姜 0.2."""
    assert judge("铅(以Pb计)", "0.15mg/kg", "马铃薯", "食用农产品-蔬菜").verdict == Verdict.QUALIFIED
    assert judge("铅(以Pb计)", "0.15mg/kg", "老姜", "食用农产品-蔬菜").verdict == Verdict.QUALIFIED
    assert judge("铅(以Pb计)", "0.15mg/kg", "黄瓜", "食用农产品-蔬菜").verdict == Verdict.UNQUALIFIED


def test_a_fresh_spice_is_judged_as_the_fresh_vegetable():
    """GB 2762 表1 注: 新鲜香辛料(如姜、葱、蒜等)应按对应的新鲜蔬菜类别执行."""
    j = judge("铅(以Pb计)", "0.15mg/kg", "鲜姜", "调味品-其他香辛料调味品")
    assert j.limit_text == "≤0.2mg/kg" and "新鲜蔬菜" in j.category_path


def test_a_food_named_as_fresh_but_sampled_processed_takes_its_category():
    """香菜 sampled as 酱腌菜 is a pickle (GB 2762 表1 铅 酱腌菜 0.5 mg/kg), not a fresh leafy vegetable."""
    j = judge("铅(以Pb计)", "0.4mg/kg", "香菜", "蔬菜制品-酱腌菜")
    assert j.verdict == Verdict.QUALIFIED and j.limit_text == "≤0.5mg/kg"


def test_a_food_that_cannot_be_placed_says_so():
    j = judge("铅(以Pb计)", "0.4mg/kg", "神秘星球果", "未知类别")
    assert j.verdict == Verdict.UNDETERMINED and "无法归类" in j.reason


def test_no_limit_for_this_item_in_this_food_says_so():
    """GB 2762 sets no 苯并[a]芘 limit for fresh vegetables."""
    j = judge("苯并[a]芘", "3μg/kg", "菠菜", "食用农产品-蔬菜")
    assert j.verdict == Verdict.UNDETERMINED and "均无此项目限量" in j.reason


def test_an_item_not_on_file_says_so():
    j = judge("双炔酰菌胺", "0.3mg/kg", "韭菜", "食用农产品-蔬菜")
    assert j.verdict == Verdict.UNDETERMINED and "未收录" in j.reason


def test_gb2763_commodity_inherits_the_vegetable_limit():
    """GB 2763-2021 甲拌磷: 蔬菜 0.01 mg/kg applies to 韭菜 (鳞茎类) and 豇豆 (豆类) alike [M]."""
    assert judge("甲拌磷", "0.02mg/kg", "韭菜", "食用农产品-蔬菜").verdict == Verdict.UNQUALIFIED
    j = judge("甲拌磷", "0.008mg/kg", "长豆角", "蔬菜-豇豆")
    assert j.verdict == Verdict.QUALIFIED and j.tree == "GB 2763" and "豇豆" in j.category_path


def test_gb2760_use_by_category_code():
    """GB 2760 附录A 苯甲酸及其钠盐: 04.01.02.08 蜜饯 0.5 g/kg (以苯甲酸计)."""
    j = judge("苯甲酸及其钠盐(以苯甲酸计)", "0.6g/kg", "蜜饯类", "糖果制品-果脯蜜饯")
    assert j.verdict == Verdict.UNQUALIFIED and j.limit_text == "≤0.5g/kg"
    assert j.category_path.endswith("04.01.02.08")
    # 话梅 (话化类 04.01.02.08.04) inherits the 蜜饯 row of its parent category
    assert (
        judge("苯甲酸及其钠盐(以苯甲酸计)", "0.6g/kg", "话梅", "糖果制品-果脯蜜饯").limit_text == "≤0.5g/kg"
    )


def test_gb2760_not_listed_is_not_permitted_when_the_use_list_is_complete():
    """GB 2760-2024: 脱氢乙酸及其钠盐 no longer permitted in 糕点 (07.02); GB 2760-2014 allowed 0.5 g/kg."""
    new = judge("脱氢乙酸及其钠盐(以脱氢乙酸计)", "0.3g/kg", "绿豆糕", "糕点-糕点", on=dt.date(2025, 3, 1))
    old = judge("脱氢乙酸及其钠盐(以脱氢乙酸计)", "0.3g/kg", "绿豆糕", "糕点-糕点", on=dt.date(2025, 1, 10))
    assert (
        new.verdict == Verdict.UNQUALIFIED and new.limit_text == "不得使用" and new.edition == "GB 2760-2024"
    )
    assert old.verdict == Verdict.QUALIFIED and old.edition == "GB 2760-2014"


def test_gb2760_not_listed_with_an_incomplete_use_list_is_not_guessed():
    """赤藓红's use list is not on file whole (柠檬黄's is: limits-22, 酱油 不得使用)."""
    j = judge("赤藓红", "0.05g/kg", "古法酱油", "调味品-酱油")
    assert j.verdict == Verdict.UNDETERMINED and "不能据此判为" in j.reason


def test_edition_switch_for_milk_lead():
    """GB 2762-2022 铅 巴氏杀菌乳 0.05 mg/kg; GB 2762-2025 (from 2026-09-02) 0.02 mg/kg."""
    before = judge("铅(以Pb计)", "0.03mg/kg", "鲜牛奶", "乳制品-液体乳", on=dt.date(2026, 9, 1))
    after = judge("铅(以Pb计)", "0.03mg/kg", "鲜牛奶", "乳制品-液体乳", on=dt.date(2026, 9, 2))
    assert (before.verdict, before.edition) == (Verdict.QUALIFIED, "GB 2762-2022")
    assert (after.verdict, after.edition) == (Verdict.UNQUALIFIED, "GB 2762-2025")
    assert "同值系假定" not in after.note


def test_an_older_edition_assumed_equal_says_so():
    j = judge("镉(以Cd计)", "0.1mg/kg", "菠菜", "食用农产品-蔬菜", on=dt.date(2022, 6, 1))
    assert j.edition == "GB 2762-2017" and "同值系假定" in j.note


def test_nitrite_expressed_on_another_basis_is_converted():
    """GB 2762 表8 亚硝酸盐 酱腌菜 20 mg/kg 以 NaNO2 计: 14 mg/kg 以 NO2⁻ 计 = 21 mg/kg 以 NaNO2 计."""
    j = judge("亚硝酸盐(以NO₂⁻计)", "14mg/kg", "榨菜", "蔬菜制品-酱腌菜")
    assert j.verdict == Verdict.UNQUALIFIED
    assert judge("亚硝酸盐(以NaNO2计)", "14mg/kg", "榨菜", "蔬菜制品-酱腌菜").verdict == Verdict.QUALIFIED


def test_units_are_converted_against_tree_rows():
    assert judge("镉(以Cd计)", "210μg/kg", "大米", "粮食加工品-大米").verdict == Verdict.UNQUALIFIED
    assert judge("镉(以Cd计)", "0.15mg/kg", "小麦粉", "粮食加工品-小麦粉").verdict == Verdict.UNQUALIFIED


def test_code_path_of_gb2760_codes():
    assert rules.code_path("04.02.01.01") == ("04.0", "04.02", "04.02.01", "04.02.01.01")
    assert rules.code_path("07.0") == ("07.0",)


def test_exceptions_are_read_from_the_remark():
    assert standards_import.exceptions_of("以Cd计。糙米、大米（粉）除外。") == ["糙米", "大米"]
    assert standards_import.exceptions_of("以Pb计。") == []


@pytest.mark.skipif(not REFERENCE.exists(), reason="reference data absent")
def test_the_whole_of_both_reference_tables_converts_and_loads(tmp_path):
    counts = standards_import.convert_all(REFERENCE, tmp_path)
    assert counts["gb2760_additives"] == 231 and counts["gb2760_categories"] == 370
    assert counts["gb2762_rows"] > 250
    src = json.loads((REFERENCE / standards_import.GB2762_FILE).read_text(encoding="utf-8"))
    tables = {t["name"] for t in src["additives"]}
    assert tables <= set(standards_import.CONTAMINANT_ITEMS)
    book = rules.load_limit_book(
        gb2762=tmp_path / "gb2762-contaminants.json", gb2760=tmp_path / "gb2760-additives.json"
    )
    assert len(book.additives) >= 231
    # the committed files are what the converter makes of the reference tables
    for name in ("gb2762-contaminants.json", "gb2760-additives.json"):
        assert (tmp_path / name).read_text(encoding="utf-8") == (rules.DATA_DIR / name).read_text(
            encoding="utf-8"
        )


def test_a_colour_not_listed_for_pastry_is_not_permitted_but_the_decoration_keeps_its_use():
    """GB 2760 3.4 / 附录A: 柠檬黄 is not listed for 07.02 糕点 (07.02.04 糕点上彩装 has its own use)."""
    j = judge("柠檬黄", "0.01g/kg", "绿豆糕", "糕点-糕点")
    assert j.verdict == Verdict.UNQUALIFIED and j.limit_text == "不得使用"
    assert j.category_path.endswith("07.02")


def test_cyclamate_in_liquor_and_in_pickles():
    """GB 2760 附录A 甜蜜素: not listed for 15.01.01 白酒; 04.02.02.03 腌渍的蔬菜 1.0 g/kg;
    蜜饯凉果 1.0 g/kg but 话化类 (a child category with its own row) 8.0 g/kg."""
    assert (
        judge("甜蜜素(以环己基氨基磺酸计)", "5g/kg", "话梅", "糖果制品-果脯蜜饯").verdict == Verdict.QUALIFIED
    )
    assert (
        judge("甜蜜素(以环己基氨基磺酸计)", "5g/kg", "蜜饯类", "糖果制品-果脯蜜饯").verdict
        == Verdict.UNQUALIFIED
    )
    assert judge("甜蜜素(以环己基氨基磺酸计)", "0.02g/kg", "米烧", "酒类-白酒").verdict == Verdict.UNQUALIFIED
    j = judge("甜蜜素(以环己基氨基磺酸计)", "0.8g/kg", "榨菜", "蔬菜制品-酱腌菜")
    assert j.verdict == Verdict.QUALIFIED and j.limit_text == "≤1g/kg"


def test_a_misaligned_converted_row_is_left_out():
    """The compiled table's 柠檬黄 rows for 08.03.01… carry 纳他霉素's remark: not used."""
    rows = BOOK.tree_rules["柠檬黄及其铝色淀"]["GB 2760"]
    assert not any(r.row_id == "gb2760-08.005-1" for r in rows)
    assert all(r.row_id.startswith("acesulfame-") for r in BOOK.tree_rules["安赛蜜"]["GB 2760"])


def test_a_safety_floor_under_a_grade_standard_is_not_a_pass():
    """GB 2716 植物油 酸价 ≤3 mg/g is a floor: the label's grade standard may be stricter."""
    within = judge("酸价(KOH)", "2.6mg/g", "菜籽油", "食用油、油脂及其制品-食用植物油")
    above = judge("酸价(KOH)", "3.4mg/g", "菜籽油", "食用油、油脂及其制品-食用植物油")
    assert within.verdict == Verdict.UNDETERMINED and "产品等级标准" in within.reason
    assert above.verdict == Verdict.UNQUALIFIED


def test_the_product_standard_for_packaged_water_is_stricter_than_gb2762():
    """GB 19298-2014 亚硝酸盐 (以 NO2- 计) ≤0.005 mg/L for packaged water; GB 2762 0.1 mg/L."""
    j = judge("亚硝酸盐(以NO₂⁻计)", "0.031mg/L", "饮用纯净水", "饮料-包装饮用水")
    assert j.verdict == Verdict.UNQUALIFIED and j.edition == "GB 19298-2014"


# Big categories too broad to place a food by (a food name is needed): the answer is "无法归类".
TOO_BROAD = {
    "罐头",
    "速冻食品",
    "茶叶及相关制品",
    "保健食品",
    "餐饮食品",
    "食品添加剂",
    "食用农产品",
    "方便食品",  # 方便米面制品 06.07, but also 冲调 products of any kind
    "薯类和膨化食品",  # 薯类食品 04.02.02.08 and 膨化食品 16.06
    "糖果制品",  # 糖果 and 巧克力 (05.0), but 果冻 (16.01) too
    "可可及焙烤咖啡产品",  # 可可制品 05.01 and 焙炒咖啡 (GB 2762 生咖啡豆及烘焙咖啡豆)
}


def test_every_sampling_category_of_the_implementation_rules_is_placed_or_said_to_be_too_broad():
    for edition in rules.default_sampling_editions():
        for c in edition.categories:
            for name in [c.name, *c.subcategories]:
                path = c.name if name == c.name else f"{c.name}-{name}"
                placed = rules.place_food("", path, BOOK.foods)
                if name in TOO_BROAD:
                    assert placed.food is None and "无法归类" in placed.how, path
                else:
                    assert placed.food is not None, f"{edition.code} {path}"


def test_gb2761_on_the_gb2762_tree_with_its_exceptions():
    """GB 2761-2017 表1 黄曲霉毒素B1: 植物油脂（花生油、玉米油除外）10 μg/kg; 花生油 20; 花生及其制品
    20; 其他熟制坚果及籽类 5.0 (GB 2761 uses GB 2762's 附录A categories)."""
    oil = "食用油、油脂及其制品-食用植物油"
    assert judge("黄曲霉毒素B₁", "15μg/kg", "压榨花生油", oil).verdict == Verdict.QUALIFIED
    assert judge("黄曲霉毒素B₁", "15μg/kg", "菜籽油", oil).verdict == Verdict.UNQUALIFIED
    nuts = "炒货食品及坚果制品-炒货食品及坚果制品"
    assert judge("黄曲霉毒素B1", "15μg/kg", "五香花生", nuts).limit_text == "≤20μg/kg"
    assert judge("黄曲霉毒素B1", "15μg/kg", "原味瓜子", nuts).limit_text == "≤5μg/kg"


def test_gb2763_a_citrus_inherits_the_fruit_limit():
    """GB 2763-2021 甲基异柳磷: 水果 0.01 mg/kg — 砂糖橘 (柑橘类/橘) is not listed itself [M]."""
    j = judge("甲基异柳磷", "0.02mg/kg", "砂糖橘", "食用农产品-水果类")
    assert j.verdict == Verdict.UNQUALIFIED and j.category_path == "水果 › 柑橘类 › 橘"


def test_every_limit_row_names_its_standard_edition_clause_and_verification_and_none_is_from_a_bulletin():
    rows = [r for rs in BOOK.rules.values() for r in rs]
    rows += [r for by in BOOK.tree_rules.values() for rs in by.values() for r in rs]
    assert len(rows) > 1000
    for r in rows:
        assert r.editions and all(e in BOOK.editions for e in r.editions), r.row_id
        assert r.verification in {"V", "V2", "M", "L"}, r.row_id  # never "B" (read off a bulletin)
        assert r.row_id and r.clause, r.row_id
    tree_rows = [r for by in BOOK.tree_rules.values() for rs in by.values() for r in rs]
    assert all(r.clause and r.path for r in tree_rows)
    assert not list(rules.DATA_DIR.glob("limits-*bulletin*"))
