"""GB 2763-2021 pesticide limits for fresh vegetables and edible fungi (limits-32): a commodity
inherits its group's row, a commodity row overrides it, what is not on file stays undetermined, and
every row of the file is well formed and sits on the commodity tree."""

from __future__ import annotations

import datetime as dt
import tomllib

import pytest

from shian.sampling import rules
from shian.sampling.rules import Verdict
from shian.sampling.tests import oracle

BOOK = rules.default_limit_book()
FILE = rules.DATA_DIR / "limits-32-gb2763-vegetables.toml"
BULLETIN = oracle.BULLETIN
D2026 = dt.date(2026, 3, 1)
VEG = "食用农产品-蔬菜"


def judge(item: str, result: str, food: str, category: str = VEG, on: dt.date = D2026) -> rules.Judgment:
    return rules.judge(book=BOOK, item=item, result=result, food=food, category=category, on=on)


@pytest.mark.parametrize(
    ("item", "food", "result", "limit", "path"),
    [
        ("毒死蜱", "胡萝卜", "0.077mg/kg", "≤0.02mg/kg", "蔬菜 › 根茎类和薯芋类 › 胡萝卜"),
        ("毒死蜱", "红薯", "0.034mg/kg", "≤0.02mg/kg", "蔬菜 › 根茎类和薯芋类 › 甘薯"),
        ("乙酰甲胺磷", "长豆角", "0.039mg/kg", "≤0.02mg/kg", "蔬菜 › 豆类 › 豇豆"),
        ("乐果", "西葫芦", "0.03mg/kg", "≤0.01mg/kg", "蔬菜 › 瓜类 › 西葫芦"),
        ("敌敌畏", "尖椒", "0.26mg/kg", "≤0.2mg/kg", "蔬菜 › 茄果类 › 辣椒"),
        ("辛硫磷", "西芹", "0.13mg/kg", "≤0.05mg/kg", "蔬菜 › 叶菜类 › 芹菜"),
    ],
)
def test_a_commodity_not_listed_takes_its_groups_row(item, food, result, limit, path):
    """GB 2763-2021 附录A: a limit set for a group applies to every commodity in it [M]."""
    j = judge(item, result, food)
    assert (j.verdict, j.limit_text, j.category_path) == (Verdict.UNQUALIFIED, limit, path)
    assert (j.tree, j.edition, j.verification) == ("GB 2763", "GB 2763-2021", "M")


def test_a_commodity_row_overrides_its_group_row():
    """氯氟氰菊酯和高效氯氟氰菊酯: 根茎类和薯芋类蔬菜 0.01, 马铃薯 0.02; 叶菜类蔬菜 2, 大白菜 1 [M]."""
    item = "氯氟氰菊酯和高效氯氟氰菊酯"
    potato = judge(item, "0.015mg/kg", "土豆")
    radish = judge(item, "0.015mg/kg", "白萝卜")
    assert (potato.verdict, potato.limit_text) == (Verdict.QUALIFIED, "≤0.02mg/kg")
    assert (radish.verdict, radish.limit_text) == (Verdict.UNQUALIFIED, "≤0.01mg/kg")
    cabbage = judge(item, "1.5mg/kg", "娃娃菜")  # a synonym of 大白菜
    pak_choi = judge(item, "1.5mg/kg", "上海青")
    assert (cabbage.verdict, cabbage.limit_text) == (Verdict.UNQUALIFIED, "≤1mg/kg")
    assert (pak_choi.verdict, pak_choi.limit_text) == (Verdict.QUALIFIED, "≤2mg/kg")


def test_a_commodity_row_of_the_older_file_still_wins_over_a_group_row_here():
    """毒死蜱: 叶菜类蔬菜 0.02 (limits-32) and 芹菜 0.05 (limits-31): the deeper row is the celery's."""
    celery = judge("毒死蜱", "0.04mg/kg", "芹菜")
    spinach = judge("毒死蜱", "0.04mg/kg", "菠菜")
    assert (celery.verdict, celery.limit_text) == (Verdict.QUALIFIED, "≤0.05mg/kg")
    assert (spinach.verdict, spinach.limit_text) == (Verdict.UNQUALIFIED, "≤0.02mg/kg")


@pytest.mark.parametrize(
    ("item", "food"),
    [
        ("毒死蜱", "结球甘蓝"),  # 芸薹属类 not on file: its commodity rows were not recalled
        ("涕灭威", "山药"),  # 根茎类和薯芋类 not on file
        ("噻虫嗪", "大葱"),  # no vegetable row of 噻虫嗪 on file
        ("多菌灵", "荷兰豆"),  # 食荚豌豆 not on file
        ("咪鲜胺和咪鲜胺锰盐", "黑木耳"),  # 木耳类（鲜） not on file
    ],
)
def test_what_is_not_on_file_stays_undetermined_with_its_reason(item, food):
    j = judge(item, "9mg/kg", food)
    assert j.verdict == Verdict.UNDETERMINED and "无此项目限量" in j.reason, j.reason


def test_an_item_with_no_row_at_all_says_it_is_not_on_file():
    j = judge("呋虫胺", "0.8mg/kg", "辣椒")
    assert j.verdict == Verdict.UNDETERMINED and "限量数据未收录" in j.reason


def test_fresh_mushrooms_sit_on_the_edible_fungi_branch():
    """GB 2763-2021 附录A 食用菌 › 蘑菇类（鲜）; 咪鲜胺和咪鲜胺锰盐 蘑菇类（鲜） 2 mg/kg [M]."""
    j = judge("咪鲜胺和咪鲜胺锰盐", "2.6mg/kg", "香菇", "食用农产品-食用菌")
    assert (j.verdict, j.limit_text) == (Verdict.UNQUALIFIED, "≤2mg/kg")
    assert j.category_path == "食用菌 › 蘑菇类（鲜） › 香菇"


def test_the_rows_apply_from_the_2021_editions_first_day():
    before = judge("毒死蜱", "0.05mg/kg", "胡萝卜", on=dt.date(2021, 9, 2))
    after = judge("毒死蜱", "0.05mg/kg", "胡萝卜", on=dt.date(2021, 9, 3))
    assert before.verdict == Verdict.UNDETERMINED
    assert after.verdict == Verdict.UNQUALIFIED


def test_every_row_parses_names_its_clause_and_sits_on_the_tree():
    raw = tomllib.loads(FILE.read_text(encoding="utf-8"))["limit"]
    book = rules.load_limit_book([rules.DATA_DIR / "editions.toml", FILE], gb2762=None, gb2760=None)
    rows = [r for by in book.tree_rules.values() for r in by.get(rules.TREE_2763, ())]
    assert len(rows) == len(raw) > 90
    assert len({r.row_id for r in rows}) == len(rows)
    tree_paths = {fc.paths[rules.TREE_2763] for fc in BOOK.foods.values() if rules.TREE_2763 in fc.paths}
    for r in rows:
        assert r.editions == ("GB 2763-2021",) and r.verification == "M", r.row_id
        assert r.clause.startswith(f"第4章 {r.item} 最大残留限量表："), r.row_id
        assert r.clause.endswith(r.path[-1]) or r.clause.endswith(r.path[-1] + "蔬菜"), r.row_id
        assert (
            r.path[0] in ("蔬菜", "食用菌")
            and r.spec.kind == rules.LimitKind.MAX
            and r.spec.value is not None
        ), r.row_id
        assert any(p[: len(r.path)] == r.path for p in tree_paths), r.row_id
        assert "通报" not in r.clause, r.row_id


@pytest.mark.skipif(not BULLETIN.exists(), reason="reference data absent")
def test_the_bulletins_vegetable_records_agree_with_these_rows():
    """The 2026 bulletins are the oracle, never the source: every failed item that a row of this
    file judges is judged unqualified against the same limit the bulletin printed."""
    reached = oracle.items_reached(FILE, BOOK)
    for rid, f, j in reached:
        assert j.verdict == Verdict.UNQUALIFIED, (rid, f.item)
        assert j.spec is not None and j.spec.same_as(rules.parse_limit(f.limit)), (rid, f.item)
    assert len(reached) >= 40
