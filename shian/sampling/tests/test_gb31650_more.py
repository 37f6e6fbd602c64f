"""More veterinary drugs on the GB 31650 tree (data/limits-61-gb31650-more.toml): a tissue row for
all food animals reaches every species, a species row wins, eggs are judged from GB 31650.1-2022's
date, shrimp take the 虾 row that crabs do not, and the drugs that must not be detected are judged
against the lab's own detection limit."""

from __future__ import annotations

import datetime as dt
import tomllib

import pytest

from shian.sampling import rules
from shian.sampling.rules import Verdict
from shian.sampling.tests import oracle

BOOK = rules.default_limit_book()
DATA = rules.DATA_DIR / "limits-61-gb31650-more.toml"
D2026 = dt.date(2026, 3, 1)
BULLETIN = oracle.BULLETIN


def judge(
    item: str, result: str, food: str, category: str, on: dt.date = D2026, lod: str = ""
) -> rules.Judgment:
    return rules.judge(
        book=BOOK, item=item, result=result, food=food, category=category, on=on, detection_limit=lod
    )


def test_a_tissue_row_for_all_food_animals_reaches_every_species():
    """GB 31650-2019 磺胺类: 所有食品动物 肌肉、肝、肾 100 μg/kg; 鱼 皮+肉 100 [M]. The lab's name
    "磺胺类（总量）" and the bare "磺胺类" are the same item."""
    for item, food, category in [
        ("磺胺类(总量)", "猪后腿肉", "畜禽肉及副产品-猪肉"),
        ("磺胺类", "牛肝", "畜禽肉及副产品-牛肝"),
        ("磺胺类（总量）", "鸡胸肉", "食用农产品-畜禽肉及副产品"),
        ("磺胺类(总量)", "草鱼", "水产品-淡水鱼"),
    ]:
        j = judge(item, "130μg/kg", food, category)
        assert (j.verdict, j.limit_text, j.tree) == (Verdict.UNQUALIFIED, "≤100μg/kg", "GB 31650"), food
    assert judge("磺胺类", "0.08mg/kg", "猪肉", "畜禽肉及副产品-猪肉").verdict == Verdict.QUALIFIED


def test_a_species_row_overrides_the_other_animals_row():
    """氟苯尼考: 其他动物 肌肉 100; 猪 300; 牛、羊 200; 家禽 100; 鱼 皮+肉 1000 μg/kg [M]."""
    pig = judge("氟苯尼考", "250μg/kg", "猪肉", "畜禽肉及副产品-猪肉")
    cattle = judge("氟苯尼考", "250μg/kg", "牛肉", "畜禽肉及副产品-牛肉")
    chicken = judge("氟苯尼考", "250μg/kg", "鸡肉", "畜禽肉及副产品-鸡肉")
    fish = judge("氟苯尼考(氟苯尼考与氟苯尼考胺之和)", "250μg/kg", "鲈鱼", "水产品-淡水鱼")
    assert (pig.verdict, pig.limit_text, pig.category_path) == (
        Verdict.QUALIFIED,
        "≤300μg/kg",
        "动物性食品 › 肌肉 › 猪",
    )
    assert (cattle.verdict, cattle.limit_text) == (Verdict.UNQUALIFIED, "≤200μg/kg")
    assert (chicken.verdict, chicken.limit_text) == (Verdict.UNQUALIFIED, "≤100μg/kg")
    assert (fish.verdict, fish.limit_text) == (Verdict.QUALIFIED, "≤1000μg/kg")


def test_eggs_are_judged_from_gb31650_1_and_not_before():
    """GB 31650-2019 marks 多西环素, 氟苯尼考, 地克珠利 … 产蛋期禁用 without an egg row; GB
    31650.1-2022, in force from 2023-02-01, sets 蛋 10 μg/kg [M]."""
    before = judge("多西环素", "52.3µg/kg", "鸡蛋", "鲜蛋-鸡蛋", on=dt.date(2023, 1, 31))
    after = judge("多西环素", "52.3µg/kg", "鸡蛋", "鲜蛋-鸡蛋", on=dt.date(2023, 2, 1))
    assert before.verdict == Verdict.UNDETERMINED
    assert (after.verdict, after.limit_text, after.edition) == (
        Verdict.UNQUALIFIED,
        "≤10μg/kg",
        "GB 31650.1-2022",
    )
    for item in ("氟苯尼考", "地克珠利", "托曲珠利", "恩诺沙星"):
        j = judge(item, "9.5μg/kg", "鲜鸭蛋", "食用农产品-鲜蛋")
        assert (j.verdict, j.limit_text) == (Verdict.QUALIFIED, "≤10μg/kg"), item


def test_a_laying_hens_muscle_row_does_not_reach_her_eggs():
    """地克珠利 家禽 肌肉 500 μg/kg [M] is a muscle row: 16 μg/kg in eggs is judged by the egg row."""
    assert judge("地克珠利", "600μg/kg", "鸡肉", "畜禽肉及副产品-鸡肉").limit_text == "≤500μg/kg"
    egg = judge("地克珠利", "16.1µg/kg", "鲜鸡蛋", "鲜蛋-鸡蛋")
    assert (egg.verdict, egg.limit_text) == (Verdict.UNQUALIFIED, "≤10μg/kg")


def test_shrimp_take_the_shrimp_row_and_crabs_do_not():
    """土霉素/金霉素/四环素 虾 肌肉 200 μg/kg [M]; 皮皮虾 is sampled as 海水虾. The table has no 蟹
    row, so a crab is not judged against the shrimp's."""
    j = judge("土霉素/金霉素/四环素(组合含量)", "264.9µg/kg", "虾爬子", "食用农产品-水产品")
    assert (j.verdict, j.limit_text, j.category_path) == (
        Verdict.UNQUALIFIED,
        "≤200μg/kg",
        "动物性食品 › 甲壳类 › 虾",
    )
    assert judge("土霉素", "150μg/kg", "南美白虾", "水产品-海水虾").verdict == Verdict.QUALIFIED
    assert judge("土霉素", "264.9µg/kg", "大闸蟹", "水产品-淡水蟹").verdict == Verdict.UNDETERMINED
    # 恩诺沙星 其他动物 肌肉 100 μg/kg reaches every crustacean
    assert judge("恩诺沙星", "120μg/kg", "梭子蟹", "水产品-海水蟹").verdict == Verdict.UNQUALIFIED


def test_a_banned_quinolone_is_judged_against_the_labs_detection_limit():
    """农业部公告第2292号: 氧氟沙星 … no longer used in food animals from 2016-12-31: 不得检出. A
    figure below the lab's own detection limit is not a detection."""
    found = judge("氧氟沙星", "18.6μg/kg", "牛蛙", "水产品-其他水产品", lod="2μg/kg")
    below = judge("诺氟沙星", "1.5μg/kg", "鲫鱼", "水产品-淡水鱼", lod="2μg/kg")
    nothing = judge("培氟沙星", "未检出", "鸡肉", "畜禽肉及副产品-鸡肉")
    assert (found.verdict, found.edition) == (Verdict.UNQUALIFIED, "农业部公告第2292号")
    assert found.limit_text.startswith("不得检出") and found.tree == "GB 31650"
    assert (below.verdict, below.reason) == (Verdict.QUALIFIED, "低于实验室检出限，视为未检出")
    assert nothing.verdict == Verdict.QUALIFIED
    old = judge("洛美沙星", "5μg/kg", "猪肉", "畜禽肉及副产品-猪肉", on=dt.date(2016, 12, 30))
    assert old.verdict == Verdict.UNDETERMINED


def test_every_beta_agonist_of_the_list_must_not_be_detected():
    """农业农村部公告第250号 β-兴奋剂类: 特布他林, 西马特罗, 齐帕特罗 … in any animal product."""
    for item in (
        "特布他林",
        "西马特罗",
        "齐帕特罗",
        "班布特罗",
        "马布特罗",
        "西布特罗",
        "溴布特罗",
        "氯丙那林",
    ):
        j = judge(item, "0.8μg/kg", "羊肉", "畜禽肉及副产品-羊肉")
        assert j.verdict == Verdict.UNQUALIFIED and j.limit_text == "不得检出", item
    assert (
        judge("特布他林", "0.3μg/kg", "羊肝", "畜禽肉及副产品-羊肝", lod="0.5μg/kg").verdict
        == Verdict.QUALIFIED
    )


def test_every_row_parses_with_a_clause_and_a_path_on_the_tree():
    rows = tomllib.loads(DATA.read_text(encoding="utf-8"))["limit"]
    assert len(rows) >= 60
    nodes = {
        fc.paths["GB 31650"][:i] for fc in BOOK.foods.values() if "GB 31650" in fc.paths for i in range(1, 6)
    }
    book_rows = {r.row_id: r for by in BOOK.tree_rules.values() for r in by.get("GB 31650", ())}
    for row in rows:
        rule = book_rows[row["id"]]
        assert rule.verification == "M" and rule.clause and rule.path in nodes, row["id"]
        assert rule.editions and all(e in BOOK.editions for e in rule.editions), row["id"]
        if rule.spec.kind == rules.LimitKind.NOT_DETECTED:
            assert rule.path == ("动物性食品",), row["id"]
        else:
            assert rule.spec.kind == rules.LimitKind.MAX and rule.spec.unit == "μg/kg", row["id"]


@pytest.mark.skipif(not BULLETIN.exists(), reason="reference data absent")
def test_the_bulletins_animal_product_records_agree_with_these_rows():
    """The 2026 bulletins are the oracle, never the source: every failed item that a row of this
    file judges is judged unqualified, against the same limit the bulletin printed."""
    reached = oracle.items_reached(DATA, BOOK)
    for rid, f, j in reached:
        assert j.verdict == Verdict.UNQUALIFIED, (rid, f.item)
        if j.spec is not None and j.spec.kind == rules.LimitKind.NOT_DETECTED:
            continue  # a bulletin may print the method's detection limit as "≤2μg/kg"
        assert j.spec is not None and j.spec.same_as(rules.parse_limit(f.limit)), (rid, f.item)
    assert len(reached) >= 5
