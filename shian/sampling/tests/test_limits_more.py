"""Further product-standard and notice rows (data/limits-44-micro-quality-more.toml): 过氧化值 of
GB 19295-2021 (速冻面米制品) and GB 10136-2015 (dried aquatic products), the packaged water items of
GB 19298-2014 with 饮用天然矿泉水 excepted and judged by GB 8537-2018, the substances that must not
be detected in bean sprouts (2015年第11号公告), and GB 16740-2014 霉菌和酵母 of 保健食品; and GB
2762-2017 / -2022 镉 in meat (data/limits-11-gb2762-meat-cadmium.toml), and GB 2761-2017
脱氧雪腐镰刀菌烯醇, 玉米赤霉烯酮 and 黄曲霉毒素M1 (data/limits-51-gb2761-more.toml). Each clause is tried on a
food that inherits the row from its category, an exception, and the edition's first day or the
edition switch where the rule changed; the bulletin records the rows reach agree with them."""

from __future__ import annotations

import datetime as dt
import tomllib

import pytest

from shian.sampling import rules
from shian.sampling.rules import Verdict
from shian.sampling.tests import oracle

BOOK = rules.default_limit_book()
FILE = rules.DATA_DIR / "limits-44-micro-quality-more.toml"
ON = dt.date(2025, 10, 1)
FROZEN = "速冻食品-速冻面米食品"
WATER = "饮料-包装饮用水"
SPROUTS = "食用农产品-蔬菜-豆芽"


def judge(item: str, result: str, food: str, category: str, on: dt.date = ON) -> rules.Judgment:
    return rules.judge(book=BOOK, item=item, result=result, food=food, category=category, on=on)


# --- GB 19295-2021 过氧化值: every 速冻面米制品 (06.08) inherits the row -------------------------------


@pytest.mark.parametrize(
    ("food", "result", "verdict"),
    [
        ("猪肉大葱水饺（速冻食品）", "0.97g/100g", Verdict.UNQUALIFIED),
        ("黑芝麻汤圆", "0.20g/100g", Verdict.QUALIFIED),
        ("", "0.26g/100g", Verdict.UNQUALIFIED),  # the sampling category alone decides: one row below 06.08
    ],
)
def test_frozen_rice_and_flour_products_inherit_the_peroxide_value_row(food, result, verdict):
    j = judge("过氧化值(以脂肪计)", result, food, FROZEN)
    assert (j.verdict, j.limit_text, j.edition, j.rule_id) == (
        verdict,
        "≤0.25g/100g",
        "GB 19295-2021",
        "gb19295-pov",
    )
    assert (j.tree, j.category_path, j.verification) == ("GB 2760", "06.0 › 06.08", "M")


def test_the_frozen_products_row_holds_from_the_2021_editions_first_day():
    """GB 19295-2011 is not on file: a dumpling made the day before GB 19295-2021 came into force
    has no 过氧化值 row and stays undetermined rather than judged by the newer edition."""
    before = judge("过氧化值(以脂肪计)", "0.97g/100g", "水饺", FROZEN, on=dt.date(2022, 2, 21))
    after = judge("过氧化值(以脂肪计)", "0.97g/100g", "水饺", FROZEN, on=dt.date(2022, 2, 22))
    assert before.verdict == Verdict.UNDETERMINED and "无此项目限量" in before.reason
    assert (after.verdict, after.edition) == (Verdict.UNQUALIFIED, "GB 19295-2021")


def test_frozen_meat_preparations_are_not_reached_by_the_flour_products_row():
    """速冻调理肉制品 lie on the meat tree (08.02), outside 06.08: GB 19295's scope for them was not
    recalled, so the item stays undetermined."""
    j = judge("过氧化值(以脂肪计)", "0.33g/100g", "小酥肉（速冻调理肉制品）", "速冻食品-速冻调理肉制品")
    assert j.verdict == Verdict.UNDETERMINED


# --- GB 10136-2015 过氧化值: dried aquatic products (09.03.04) ----------------------------------------


def test_a_dried_fish_takes_the_dried_aquatic_products_row():
    j = judge("过氧化值(以脂肪计)", "2.7g/100g", "银鱼干", "水产制品-预制动物性水产干制品")
    assert (j.verdict, j.limit_text, j.edition) == (Verdict.UNQUALIFIED, "≤0.6g/100g", "GB 10136-2015")
    assert j.category_path == "09.0 › 09.03 › 09.03.04"
    within = judge("过氧化值(以脂肪计)", "0.45g/100g", "银鱼干", "水产制品-预制动物性水产干制品")
    assert within.verdict == Verdict.QUALIFIED


def test_the_dried_row_does_not_reach_a_cooked_or_a_jellyfish_product():
    """09.04 熟制水产品 and 海蜇 are siblings of 09.03.04, not below it."""
    for food, category in [("海蜇丝", "水产制品"), ("鱿鱼丝", "水产制品-熟制动物性水产制品")]:
        j = judge("过氧化值(以脂肪计)", "2.7g/100g", food, category)
        assert j.verdict == Verdict.UNDETERMINED, food


# --- 包装饮用水: GB 19298-2014 for all but 饮用天然矿泉水, GB 8537-2018 for that ---------------------


@pytest.mark.parametrize(
    ("food", "category", "path"),
    [
        ("饮用天然泉水", "饮料-包装饮用水-其他类饮用水", "14.0 › 14.01 › 14.01.03"),
        ("纯净水", "饮料-饮用纯净水", "14.0 › 14.01 › 14.01.02"),
    ],
)
def test_every_packaged_water_but_mineral_water_inherits_the_gb19298_rows(food, category, path):
    bromate = judge("溴酸盐", "0.0175mg/L", food, category)
    chlorine = judge("余氯(游离氯)", "0.08mg/L", food, category)
    chloroform = judge("三氯甲烷", "0.015mg/L", food, category)
    assert (bromate.verdict, bromate.limit_text, bromate.edition) == (
        Verdict.UNQUALIFIED,
        "≤0.01mg/L",
        "GB 19298-2014",
    )
    assert (chlorine.verdict, chlorine.limit_text) == (Verdict.UNQUALIFIED, "≤0.05mg/L")
    assert (chloroform.verdict, chloroform.limit_text) == (Verdict.QUALIFIED, "≤0.02mg/L")
    assert bromate.category_path == path
    ctc = judge("四氯化碳", "0.003mg/L", food, category)
    assert (ctc.verdict, ctc.limit_text) == (Verdict.UNQUALIFIED, "≤0.002mg/L")


def test_the_bare_packaged_water_category_decides_bromate_but_not_free_chlorine():
    """包装饮用水 alone may be a mineral water: 溴酸盐 is 0.01 mg/L in both standards, so the category
    decides; 余氯 has no mineral-water row, so a name is needed."""
    bromate = judge("溴酸盐", "0.0175mg/L", "", WATER)
    assert (bromate.verdict, bromate.category_path) == (Verdict.UNQUALIFIED, "14.0 › 14.01")
    chlorine = judge("余氯(游离氯)", "0.08mg/L", "", WATER)
    assert chlorine.verdict == Verdict.UNDETERMINED and "抽样类别过宽" in chlorine.reason


def test_mineral_water_is_excepted_and_takes_its_own_standards_bromate_row():
    """GB 19298-2014 excepts 饮用天然矿泉水; GB 8537-2018 writes 溴酸盐 <0.01 mg/L and sets no 余氯."""
    bromate = judge("溴酸盐", "0.012mg/L", "饮用天然矿泉水", "饮料-饮用天然矿泉水")
    assert (bromate.verdict, bromate.edition, bromate.rule_id) == (
        Verdict.UNQUALIFIED,
        "GB 8537-2018",
        "gb8537-bromate",
    )
    chlorine = judge("余氯", "0.08mg/L", "矿泉水", "饮料-饮用天然矿泉水")
    assert chlorine.verdict == Verdict.UNDETERMINED and "14.01.01除外" in chlorine.reason


def test_mineral_water_bromate_from_gb8537_2018s_first_day():
    """Before GB 8537-2018 (no older edition on file) a mineral water has no bromate row, while the
    other packaged waters keep GB 19298-2014's."""
    day = dt.date(2019, 6, 20)
    mineral = judge("溴酸盐", "0.012mg/L", "矿泉水", "饮料-饮用天然矿泉水", on=day)
    pure = judge("溴酸盐", "0.012mg/L", "纯净水", "饮料-饮用纯净水", on=day)
    assert mineral.verdict == Verdict.UNDETERMINED
    assert (pure.verdict, pure.edition) == (Verdict.UNQUALIFIED, "GB 19298-2014")
    first = judge("溴酸盐", "0.012mg/L", "矿泉水", "饮料-饮用天然矿泉水", on=dt.date(2019, 6, 21))
    assert (first.verdict, first.edition) == (Verdict.UNQUALIFIED, "GB 8537-2018")


# --- 豆芽: not detected (2015年第11号公告), the other 芽菜类 commodities excepted -----------------------


@pytest.mark.parametrize(
    ("item", "food"),
    [
        ("6-苄基腺嘌呤(6-BA)", "绿豆芽"),
        ("4-氯苯氧乙酸钠(以4-氯苯氧乙酸计)", "黄豆芽"),
        ("赤霉素", "绿豆芽"),
    ],
)
def test_a_bean_sprout_must_not_contain_the_banned_substances(item, food):
    j = judge(item, "0.0169mg/kg", food, SPROUTS)
    assert (j.verdict, j.limit_text, j.edition) == (
        Verdict.UNQUALIFIED,
        "不得检出",
        "原食药总局公告2015年第11号",
    )
    assert j.category_path == f"蔬菜 › 芽菜类 › {food}"


def test_the_labs_own_detection_limit_decides_not_detected_in_sprouts():
    below = judge("4-氯苯氧乙酸钠", "0.005mg/kg(LOD 0.01mg/kg)", "绿豆芽", SPROUTS)
    none = judge("6-苄基腺嘌呤", "未检出(检出限0.01mg/kg)", "绿豆芽", SPROUTS)
    assert below.verdict == Verdict.QUALIFIED and "检出限" in below.reason
    assert none.verdict == Verdict.QUALIFIED


def test_pea_shoots_are_excepted_and_a_bare_sprout_category_does_not_decide():
    """豌豆苗 is a 芽菜类 commodity but not a bean sprout: the row excepts it. Placed by the sampling
    category alone (芽菜类, which holds 豌豆苗 and 香椿芽 too) the row cannot be applied."""
    pea = judge("6-苄基腺嘌呤", "0.02mg/kg", "豌豆苗", "食用农产品-蔬菜")
    assert pea.verdict == Verdict.UNDETERMINED and "豌豆苗除外" in pea.reason
    bare = judge("6-苄基腺嘌呤", "0.02mg/kg", "", SPROUTS)
    assert bare.verdict == Verdict.UNDETERMINED and "抽样类别过宽" in bare.reason


def test_the_sprout_ban_holds_from_the_notices_day():
    before = judge("6-苄基腺嘌呤", "0.02mg/kg", "绿豆芽", SPROUTS, on=dt.date(2015, 4, 12))
    after = judge("6-苄基腺嘌呤", "0.02mg/kg", "绿豆芽", SPROUTS, on=dt.date(2015, 4, 13))
    assert before.verdict == Verdict.UNDETERMINED
    assert after.verdict == Verdict.UNQUALIFIED


# --- GB 16740-2014 保健食品: scoped by the sampling category (a 保健食品 is on no tree) --------------------


def test_a_health_food_of_any_form_takes_the_mould_and_yeast_limit_by_its_category():
    powder = judge("霉菌和酵母", "3300CFU/g", "富硒破壁灵芝孢子粉", "保健食品-保健食品")
    tablet = judge("霉菌和酵母", "30CFU/g", "维生素C咀嚼片", "保健食品")
    assert (powder.verdict, powder.limit_text, powder.edition) == (
        Verdict.UNQUALIFIED,
        "≤50CFU/g",
        "GB 16740-2014",
    )
    assert (tablet.verdict, tablet.rule_id) == (Verdict.QUALIFIED, "gb16740-mould-yeast")
    before = judge("霉菌和酵母", "3300CFU/g", "灵芝孢子粉", "保健食品", on=dt.date(2015, 5, 23))
    assert before.verdict == Verdict.UNDETERMINED


def test_the_health_food_row_does_not_reach_another_category():
    """A 固体饮料 of the same herbs is not a 保健食品: GB 7101's rows, or none, judge it."""
    j = judge("霉菌和酵母", "3300CFU/g", "灵芝孢子粉固体饮料", "饮料-固体饮料")
    assert j.rule_id != "gb16740-mould-yeast"


# --- the file as data, and the oracle --------------------------------------------------------------


def test_every_row_names_its_standard_clause_and_a_memory_mark_on_a_node_of_its_tree():
    rows = tomllib.loads(FILE.read_text(encoding="utf-8"))["limit"]
    assert len(rows) >= 10
    book_rows = {r.row_id: r for by in BOOK.tree_rules.values() for t in by.values() for r in t}
    book_rows |= {r.row_id: r for rows_ in BOOK.rules.values() for r in rows_}
    nodes = {
        (tree, fc.paths[tree][:i])
        for fc in BOOK.foods.values()
        for tree in fc.paths
        for i in range(1, len(fc.paths[tree]) + 1)
    }
    for row in rows:
        rule = book_rows[row["id"]]
        assert rule.verification == "M" and rule.clause, row["id"]
        assert all(code in BOOK.editions for code in rule.editions), row["id"]
        assert (rule.tree, rule.path) in nodes or (not rule.tree and rule.categories), row["id"]


def test_the_rows_left_out_for_a_bulletins_other_limit_are_not_on_file():
    """The solid-beverage mould plan of GB 7101-2022 and GB 2763-2019's tea glyphosate row were
    recalled and then contradicted by a bulletin record: they stay out (the header says so)."""
    ids = oracle.row_ids(FILE)
    assert not {"gb7101-2022-mould-solid", "gb2763-2019-glyphosate-tea"} & ids
    solid = judge("霉菌", "70CFU/g", "鱼胶原蛋白肽粉（固体饮料）", "饮料-固体饮料")
    assert solid.verdict == Verdict.UNDETERMINED


@pytest.mark.skipif(not oracle.BULLETIN.exists(), reason="reference data absent")
def test_the_bulletin_records_these_rows_reach_agree_with_them():
    """The 2026 bulletins are the oracle, never the source: every failed item a row of this file
    judges is judged unqualified, against the limit the bulletin printed."""
    reached = oracle.items_reached(FILE, BOOK, each_category=True)
    for rid, f, j in reached:
        assert j.verdict == Verdict.UNQUALIFIED, (rid, f.item)
        assert j.spec is not None and j.spec.same_as(rules.parse_limit(f.limit)), (rid, f.item)
    expected = {"r0066", "r0120", "r0158", "r0192", "r0273", "r0425", "r1115", "r1019", "r1188"}
    assert {rid for rid, _, _ in reached} >= expected


# --- GB 2762-2017 / -2022 镉 in meat (limits-11): the older editions' own rows ------------------------

CADMIUM = "镉(以Cd计)"
CD_FILE = rules.DATA_DIR / "limits-11-gb2762-meat-cadmium.toml"


@pytest.mark.parametrize(
    ("food", "category", "result", "verdict", "limit", "rule_id"),
    [
        (
            "火腿肠",
            "肉制品-熏煮香肠火腿制品",
            "0.3mg/kg",
            Verdict.UNQUALIFIED,
            "≤0.1mg/kg",
            "cd-meat-products-2017",
        ),
        (
            "猪肝",
            "食用农产品-畜禽肉及副产品-猪肝",
            "0.3mg/kg",
            Verdict.QUALIFIED,
            "≤0.5mg/kg",
            "cd-liver-2017",
        ),
        (
            "驴肉",
            "食用农产品-畜禽肉及副产品-其他畜肉",
            "0.15mg/kg",
            Verdict.UNQUALIFIED,
            "≤0.1mg/kg",
            "cd-meat-2017",
        ),
    ],
)
def test_meat_cadmium_before_2025_is_the_older_editions_own_row(
    food, category, result, verdict, limit, rule_id
):
    """A food inherits 肉类 / 肉制品 or takes its organ's row, stated for GB 2762-2017 and -2022
    themselves (no "同值系假定"); from 2026-09-02 the converted GB 2762-2025 row with the same value."""
    for on, edition in [(dt.date(2022, 6, 1), "GB 2762-2017"), (dt.date(2026, 9, 1), "GB 2762-2022")]:
        j = judge(CADMIUM, result, food, category, on=on)
        assert (j.verdict, j.limit_text, j.edition, j.rule_id) == (verdict, limit, edition, rule_id)
        assert "同值系假定" not in j.note and j.verification == "M"
    later = judge(CADMIUM, result, food, category, on=dt.date(2026, 9, 2))
    assert (later.verdict, later.limit_text, later.edition) == (verdict, limit, "GB 2762-2025")
    assert later.rule_id.startswith("gb2762-t2-")


def test_offal_products_lose_their_cadmium_limit_with_gb2762_2025(tmp_path):
    """GB 2762-2017 / -2022: 肉制品（肝脏制品、肾脏制品除外）0.1 mg/kg reaches a tripe product; GB
    2762-2025 excepts every 畜禽内脏制品, so the same product has no 镉 limit from 2026-09-02, while a
    liver product keeps 0.5 mg/kg in both."""
    foods = tmp_path / "foods.toml"
    foods.write_text(
        '[[food]]\nnames = ["肉制品"]\ngb2762 = "肉及肉制品/肉制品"\n\n'
        '[[food]]\nnames = ["卤猪肚"]\ngb2762 = "肉及肉制品/肉制品/畜禽内脏制品"\n\n'
        '[[food]]\nnames = ["卤猪肝"]\ngb2762 = "肉及肉制品/肉制品/肝脏制品"\n',
        encoding="utf-8",
    )
    book = rules.load_limit_book(foods=foods)

    def cd(food: str, on: dt.date) -> rules.Judgment:
        return rules.judge(book=book, item=CADMIUM, result="0.3mg/kg", food=food, category="肉制品", on=on)

    tripe_2022, tripe_2025 = cd("卤猪肚", dt.date(2026, 9, 1)), cd("卤猪肚", dt.date(2026, 9, 2))
    assert (tripe_2022.verdict, tripe_2022.limit_text, tripe_2022.rule_id) == (
        Verdict.UNQUALIFIED,
        "≤0.1mg/kg",
        "cd-meat-products-2017",
    )
    assert tripe_2025.verdict == Verdict.UNDETERMINED and "畜禽内脏制品除外" in tripe_2025.reason
    liver_2022, liver_2025 = cd("卤猪肝", dt.date(2026, 9, 1)), cd("卤猪肝", dt.date(2026, 9, 2))
    assert (liver_2022.limit_text, liver_2022.rule_id) == ("≤0.5mg/kg", "cd-liver-products-2017")
    assert (liver_2025.limit_text, liver_2025.edition) == ("≤0.5mg/kg", "GB 2762-2025")


def test_the_meat_cadmium_rows_are_older_edition_rows_on_the_gb2762_tree():
    rows = tomllib.loads(CD_FILE.read_text(encoding="utf-8"))["limit"]
    book_rows = {r.row_id: r for r in BOOK.tree_rules[CADMIUM]["GB 2762"]}
    assert len(rows) == 6
    for row in rows:
        rule = book_rows[row["id"]]
        assert rule.editions == ("GB 2762-2017", "GB 2762-2022") and rule.verification == "M"
        assert rule.clause.startswith("4.2 镉 表2 肉及肉制品："), row["id"]


# --- GB 2761-2017 脱氧雪腐镰刀菌烯醇, 玉米赤霉烯酮, 黄曲霉毒素M1 (limits-51) --------------------------------

GB2761_FILE = rules.DATA_DIR / "limits-51-gb2761-more.toml"


@pytest.mark.parametrize(
    ("item", "food", "category", "result", "verdict", "limit"),
    [
        ("脱氧雪腐镰刀菌烯醇", "玉米面", "粮食加工品-玉米粉", "1200μg/kg", Verdict.UNQUALIFIED, "≤1000μg/kg"),
        ("脱氧雪腐镰刀菌烯醇", "面粉", "粮食加工品-小麦粉", "1.2mg/kg", Verdict.UNQUALIFIED, "≤1000μg/kg"),
        ("脱氧雪腐镰刀菌烯醇", "燕麦片", "粮食加工品", "800μg/kg", Verdict.QUALIFIED, "≤1000μg/kg"),
        ("玉米赤霉烯酮", "玉米糁", "粮食加工品", "80μg/kg", Verdict.UNQUALIFIED, "≤60μg/kg"),
        ("玉米赤霉烯酮", "通用小麦粉", "粮食加工品-小麦粉", "50μg/kg", Verdict.QUALIFIED, "≤60μg/kg"),
        ("黄曲霉毒素M1", "纯牛奶", "乳制品-液体乳", "0.6μg/kg", Verdict.UNQUALIFIED, "≤0.5μg/kg"),
        ("黄曲霉毒素M1", "酸奶", "乳制品-液体乳", "0.4μg/kg", Verdict.QUALIFIED, "≤0.5μg/kg"),
    ],
)
def test_a_grain_or_dairy_food_inherits_its_gb2761_row(item, food, category, result, verdict, limit):
    """玉米糁 is a 玉米面（渣、片）, 面粉 a 小麦粉, 酸奶 a 乳制品: each takes its category's row [M]."""
    j = judge(item, result, food, category)
    assert (j.verdict, j.limit_text, j.edition, j.tree) == (verdict, limit, "GB 2761-2017", "GB 2762")


def test_milk_powder_is_excepted_from_the_dairy_m1_row():
    """GB 2761 表2: 乳粉按生乳折算 — a powder's result is not compared with 0.5 μg/kg as it stands."""
    j = judge("黄曲霉毒素M1", "0.6μg/kg", "全脂乳粉", "乳制品-乳粉")
    assert j.verdict == Verdict.UNDETERMINED and "乳粉和调制乳粉除外" in j.reason


def test_grain_products_gb2761_does_not_list_stay_undetermined():
    """GB 2761 sets 玉米赤霉烯酮 for wheat and maize only (not rice); 挂面 lies above 小麦粉 in the
    synonym table's tree, so its category does not decide."""
    rice = judge("玉米赤霉烯酮", "80μg/kg", "大米", "粮食加工品-大米")
    noodles = judge("脱氧雪腐镰刀菌烯醇", "1200μg/kg", "挂面", "粮食加工品-挂面")
    assert rice.verdict == Verdict.UNDETERMINED and noodles.verdict == Verdict.UNDETERMINED


def test_the_gb2761_rows_hold_from_the_2017_editions_first_day():
    day = BOOK.editions["GB 2761-2017"].valid_from
    before = judge("玉米赤霉烯酮", "80μg/kg", "玉米面", "粮食加工品", on=day - dt.timedelta(days=1))
    after = judge("玉米赤霉烯酮", "80μg/kg", "玉米面", "粮食加工品", on=day)
    assert before.verdict == Verdict.UNDETERMINED and after.verdict == Verdict.UNQUALIFIED


def test_the_gb2761_rows_are_memory_rows_naming_their_table():
    rows = tomllib.loads(GB2761_FILE.read_text(encoding="utf-8"))["limit"]
    assert len(rows) == 6
    for row in rows:
        rule = next(r for r in BOOK.tree_rules[row["item"]]["GB 2762"] if r.row_id == row["id"])
        assert rule.editions == ("GB 2761-2017",) and rule.verification == "M"
        assert rule.clause.startswith("GB 2761-2017 4.") and row["item"] in rule.clause
