"""GB 2763-2021 pesticide limits of limits-34 (further neonicotinoid and fungicide rows for 芹菜,
芒果 and 番木瓜) on the 附录A commodity tree: a commodity row reaches the commodity's synonyms, wins
over a group row beside it and never leaks to a sibling, the edition by date, every row is well
formed on a node of the tree, and the bulletin records these rows reach agree with them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from shian.sampling import rules
from shian.sampling.rules import Verdict
from shian.sampling.tests import oracle

BOOK = rules.default_limit_book()
FILE = rules.DATA_DIR / "limits-34-gb2763-more.toml"
BULLETIN = oracle.BULLETIN
D2026 = dt.date(2026, 3, 1)
FRUIT = "食用农产品-水果类"
VEG = "食用农产品-蔬菜"


def judge(
    item: str, result: str, food: str, category: str, on: dt.date = D2026, book: rules.LimitBook = BOOK
) -> rules.Judgment:
    return rules.judge(book=book, item=item, result=result, food=food, category=category, on=on)


@pytest.mark.parametrize(
    ("item", "food", "category", "result", "limit", "path"),
    [
        ("噻虫嗪", "山芹", VEG, "3.1mg/kg", "≤1mg/kg", "蔬菜 › 叶菜类 › 芹菜"),
        ("噻虫嗪", "西芹", VEG, "1.2mg/kg", "≤1mg/kg", "蔬菜 › 叶菜类 › 芹菜"),
        ("噻虫胺", "小台农芒果", FRUIT, "0.076mg/kg", "≤0.04mg/kg", "水果 › 热带和亚热带水果 › 芒果"),
        ("噻虫胺", "番木瓜", FRUIT, "0.015mg/kg", "≤0.01mg/kg", "水果 › 热带和亚热带水果 › 番木瓜"),
        ("噻虫嗪", "番木瓜", FRUIT, "0.034mg/kg", "≤0.01mg/kg", "水果 › 热带和亚热带水果 › 番木瓜"),
        ("苯醚甲环唑", "贵妃芒", FRUIT, "0.26mg/kg", "≤0.2mg/kg", "水果 › 热带和亚热带水果 › 芒果"),
    ],
)
def test_a_commodity_row_reaches_the_commoditys_names(item, food, category, result, limit, path):
    """山芹 and 西芹 are 芹菜, 小台农芒果 and 贵妃芒 are 芒果 in 附录A; each takes the commodity's row [M]."""
    j = judge(item, result, food, category)
    assert (j.verdict, j.limit_text, j.category_path) == (Verdict.UNQUALIFIED, limit, path)
    assert (j.tree, j.edition, j.verification) == ("GB 2763", "GB 2763-2021", "M")
    assert j.clause == f"第4章 {item} 最大残留限量表：{path.rsplit(' › ', 1)[1]}"


def test_a_result_within_the_limit_is_qualified():
    assert judge("噻虫嗪", "0.8mg/kg", "芹菜", VEG).verdict == Verdict.QUALIFIED
    assert judge("噻虫胺", "0.03mg/kg", "大青芒", FRUIT).verdict == Verdict.QUALIFIED
    assert judge("苯醚甲环唑", "0.15mg/kg", "芒果", FRUIT).verdict == Verdict.QUALIFIED


def test_a_commodity_row_does_not_leak_to_its_siblings_or_its_group():
    """噻虫嗪 芹菜 reaches neither 菠菜 (another 叶菜类) nor 葱; 噻虫胺 芒果 not 荔枝; each stays
    undetermined with the pesticide named, since the group holds no row."""
    for item, food, category in [
        ("噻虫嗪", "菠菜", VEG),
        ("噻虫嗪", "大葱", VEG),
        ("噻虫胺", "荔枝", FRUIT),
        ("苯醚甲环唑", "荔枝", FRUIT),
    ]:
        j = judge(item, "5mg/kg", food, category)
        assert j.verdict == Verdict.UNDETERMINED and "限量" in j.reason, (item, food)


def test_a_commodity_row_wins_over_a_group_row_beside_it(tmp_path: Path):
    """With a 叶菜类 row for 噻虫嗪 on file beside the file's 芹菜 row, 芹菜 keeps its own (1 mg/kg)
    and 菠菜, a 叶菜类 commodity without a row, inherits the group's."""
    extra = tmp_path / "limits-x.toml"
    extra.write_text(
        '[[limit]]\nid = "x"\nitem = "噻虫嗪"\ntree = "GB 2763"\npath = "蔬菜/叶菜类"\nlimit = "≤5mg/kg"\n'
        'editions = ["GB 2763-2021"]\nclause = "第4章 噻虫嗪 表：叶菜类蔬菜"\nverification = "M"\n',
        encoding="utf-8",
    )
    book = rules.load_limit_book([rules.DATA_DIR / "editions.toml", FILE, extra], gb2762=None, gb2760=None)
    celery = judge("噻虫嗪", "2mg/kg", "西芹", VEG, book=book)
    spinach = judge("噻虫嗪", "2mg/kg", "菠菜", VEG, book=book)
    assert (celery.verdict, celery.limit_text, celery.rule_id) == (
        Verdict.UNQUALIFIED,
        "≤1mg/kg",
        "gb2763-thiamethoxam-celery",
    )
    assert (spinach.verdict, spinach.limit_text, spinach.category_path) == (
        Verdict.QUALIFIED,
        "≤5mg/kg",
        "蔬菜 › 叶菜类 › 菠菜",
    )


def test_the_rows_judge_from_the_2021_editions_first_day():
    before = judge("噻虫胺", "0.1mg/kg", "芒果", FRUIT, on=dt.date(2021, 9, 2))
    after = judge("噻虫胺", "0.1mg/kg", "芒果", FRUIT, on=dt.date(2021, 9, 3))
    assert before.verdict == Verdict.UNDETERMINED
    assert (after.verdict, after.edition) == (Verdict.UNQUALIFIED, "GB 2763-2021")


def test_every_row_parses_with_a_clause_and_a_path_on_the_tree():
    oracle.assert_gb2763_rows_on_tree(FILE, BOOK, at_least=5)


@pytest.mark.skipif(not BULLETIN.exists(), reason="reference data absent")
def test_the_bulletin_records_these_rows_reach_agree_with_them():
    """The 2026 bulletins are the oracle, never the source: every failed item a row of this file
    judges is judged unqualified, against the same limit the bulletin printed."""
    reached = oracle.items_reached(FILE, BOOK, each_category=True)
    for rid, f, j in reached:
        assert j.verdict == Verdict.UNQUALIFIED, (rid, f.item)
        assert j.spec is not None and j.spec.same_as(rules.parse_limit(f.limit)), (rid, f.item)
    assert len({rid for rid, _, _ in reached}) >= 8
