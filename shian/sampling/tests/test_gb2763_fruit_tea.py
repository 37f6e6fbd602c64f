"""GB 2763-2021 pesticide limits for fruit and tea (data/limits-33-gb2763-fruit-tea.toml) on the
附录A commodity tree: a group row reaches every commodity of the group, a commodity's own row wins
over its class's, a sibling's row never leaks, the edition by date, and every row is placed on a
node of the tree."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from shian.sampling import rules
from shian.sampling.rules import Verdict
from shian.sampling.tests import oracle

BOOK = rules.default_limit_book()
DATA = rules.DATA_DIR / "limits-33-gb2763-fruit-tea.toml"
D2026 = dt.date(2026, 3, 1)
BULLETIN = oracle.BULLETIN


def judge(
    item: str, result: str, food: str, category: str, on: dt.date = D2026, book: rules.LimitBook = BOOK
) -> rules.Judgment:
    return rules.judge(book=book, item=item, result=result, food=food, category=category, on=on)


def test_a_stone_fruit_group_row_reaches_every_stone_fruit():
    """氯氟氰菊酯和高效氯氟氰菊酯 核果类水果 0.5 mg/kg [M]: 枣桃 is a 桃, 冬枣 a 枣, 车厘子 a 樱桃;
    油桃 is a commodity of its own in 附录A and still inherits the group's row."""
    for food, category in [
        ("枣桃（桃）", "水果类-桃"),
        ("油桃", "食用农产品-水果类"),
        ("沾化冬枣", "食用农产品-水果类"),
        ("车厘子", "水果类-水果类"),
    ]:
        j = judge("氯氟氰菊酯和高效氯氟氰菊酯", "0.77mg/kg", food, category)
        assert (j.verdict, j.limit_text, j.edition) == (Verdict.UNQUALIFIED, "≤0.5mg/kg", "GB 2763-2021"), (
            food
        )
        assert j.category_path.startswith("水果 › 核果类 › "), food
        assert j.clause.endswith("核果类水果"), food
    assert (
        judge("氯氟氰菊酯和高效氯氟氰菊酯", "0.4mg/kg", "水蜜桃", "食用农产品-水果类").verdict
        == Verdict.QUALIFIED
    )


def test_a_commodity_row_wins_over_a_class_row(tmp_path: Path):
    """The file's 苹果 row (戊唑醇 2 mg/kg) stays in force when a row for all fruit is on file beside
    it; 山楂, another 仁果类 commodity without a row, takes the class's."""
    extra = tmp_path / "limits-x.toml"
    extra.write_text(
        '[[limit]]\nid = "x"\nitem = "戊唑醇"\ntree = "GB 2763"\npath = "水果"\nlimit = "≤9mg/kg"\n'
        'editions = ["GB 2763-2021"]\nclause = "第4章 戊唑醇 表：水果"\nverification = "M"\n',
        encoding="utf-8",
    )
    book = rules.load_limit_book([rules.DATA_DIR / "editions.toml", DATA, extra], gb2762=None, gb2760=None)
    apple = judge("戊唑醇", "3mg/kg", "红富士苹果", "食用农产品-水果类", book=book)
    haw = judge("戊唑醇", "3mg/kg", "山楂", "食用农产品-水果类", book=book)
    assert (apple.verdict, apple.limit_text, apple.category_path) == (
        Verdict.UNQUALIFIED,
        "≤2mg/kg",
        "水果 › 仁果类 › 苹果",
    )
    assert (haw.verdict, haw.limit_text) == (Verdict.QUALIFIED, "≤9mg/kg")


def test_a_commoditys_row_does_not_leak_to_its_siblings():
    """戊唑醇: 苹果 2, 梨 0.5, 芒果 0.05, 香蕉 3 mg/kg [M] — each its own; 荔枝 has no row and no
    group or class row, so it is not judged."""
    assert judge("戊唑醇", "0.8mg/kg", "库尔勒香梨", "食用农产品-水果类").limit_text == "≤0.5mg/kg"
    assert judge("戊唑醇", "0.8mg/kg", "苹果", "食用农产品-水果类").verdict == Verdict.QUALIFIED
    mango = judge("戊唑醇", "0.10mg/kg", "小台芒", "食用农产品-水果类")
    assert (mango.verdict, mango.limit_text) == (Verdict.UNQUALIFIED, "≤0.05mg/kg")
    assert judge("戊唑醇", "2.5mg/kg", "香蕉", "水果类-香蕉").verdict == Verdict.QUALIFIED
    litchi = judge("戊唑醇", "0.8mg/kg", "荔枝", "食用农产品-水果类")
    assert litchi.verdict == Verdict.UNDETERMINED and "荔枝" in litchi.reason


def test_citrus_rows_are_per_commodity_and_kumquat_is_not_a_tangerine():
    """苯醚甲环唑 柑、橘、橙 0.2 mg/kg [M]; 金橘 is a commodity of its own in 附录A (柑橘类), with no
    row on file, so the 橘 row does not reach it."""
    for food in ("砂糖橘", "沃柑", "赣南脐橙"):
        j = judge("苯醚甲环唑", "0.34mg/kg", food, "食用农产品-水果类")
        assert (j.verdict, j.limit_text) == (Verdict.UNQUALIFIED, "≤0.2mg/kg"), food
    kumquat = judge("苯醚甲环唑", "0.34mg/kg", "金桔", "食用农产品-水果类")
    assert kumquat.verdict == Verdict.UNDETERMINED


def test_passion_fruit_is_a_small_fruit_in_gb2763():
    """附录A places 西番莲 (百香果) among 浆果和其他小型水果 (小型攀缘类, 皮不可食)."""
    fc = BOOK.foods[rules.food_key("百香果")]
    assert fc.paths["GB 2763"] == ("水果", "浆果和其他小型水果", "西番莲")


def test_tea_rows_and_tea_names_placed_by_name():
    """GB 2763-2021 茶叶: 联苯菊酯 5, 水胺硫磷 0.05, 克百威 0.05 mg/kg [M]; 碧螺春 and 信阳毛尖
    are teas by their names."""
    j = judge("联苯菊酯", "6.2mg/kg", "洞庭碧螺春", "茶叶及相关制品-茶叶")
    assert (j.verdict, j.limit_text, j.category_path) == (Verdict.UNQUALIFIED, "≤5mg/kg", "饮料类 › 茶叶")
    assert judge("水胺硫磷", "0.099mg/kg", "信阳毛尖", "茶叶及相关制品-茶叶").verdict == Verdict.UNQUALIFIED
    assert judge("克百威", "0.03mg/kg", "绿茶", "茶叶及相关制品-茶叶").verdict == Verdict.QUALIFIED


def test_tea_items_not_on_file_stay_undetermined():
    """啶虫脒, 乙酰甲胺磷, 三氯杀螨醇 in tea: no confident value of GB 2763-2021 on file."""
    for item in ("啶虫脒", "乙酰甲胺磷", "三氯杀螨醇"):
        j = judge(item, "0.3mg/kg", "黑茶", "茶叶及相关制品-茶叶")
        assert j.verdict == Verdict.UNDETERMINED and "限量" in j.reason, item


def test_the_2021_edition_judges_from_its_first_day():
    before = judge("毒死蜱", "1.5mg/kg", "苹果", "食用农产品-水果类", on=dt.date(2021, 9, 2))
    after = judge("毒死蜱", "1.5mg/kg", "苹果", "食用农产品-水果类", on=dt.date(2021, 9, 3))
    assert before.verdict == Verdict.UNDETERMINED
    assert (after.verdict, after.edition, after.limit_text) == (
        Verdict.UNQUALIFIED,
        "GB 2763-2021",
        "≤1mg/kg",
    )


def test_every_row_parses_with_a_clause_and_a_path_on_the_tree():
    oracle.assert_gb2763_rows_on_tree(DATA, BOOK, at_least=50)


@pytest.mark.skipif(not BULLETIN.exists(), reason="reference data absent")
def test_the_bulletins_fruit_and_tea_records_agree_with_these_rows():
    """The 2026 bulletins are the oracle, never the source: every failed item that a row of this
    file judges is judged unqualified, against the same limit the bulletin printed."""
    reached = oracle.items_reached(DATA, BOOK)
    for rid, f, j in reached:
        assert j.verdict == Verdict.UNQUALIFIED, (rid, f.item)
        assert j.spec is not None and j.spec.same_as(rules.parse_limit(f.limit)), (rid, f.item)
    assert len(reached) >= 15
