"""The edition in force by date, one test per switch: the 2022 plan year's editions of each
standard, GB 2762-2025 from 2026-09-02, and a limit that a newer edition no longer sets."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from shian.sampling import rules
from shian.sampling.rules import Verdict

BOOK = rules.default_limit_book()


def judge(
    item: str, result: str, food: str, category: str, on: dt.date, book: rules.LimitBook = BOOK
) -> rules.Judgment:
    return rules.judge(book=book, item=item, result=result, food=food, category=category, on=on)


@pytest.mark.parametrize("on", [dt.date(2022, 1, 1), dt.date(2022, 12, 31)])
@pytest.mark.parametrize(
    ("item", "result", "food", "category", "edition"),
    [
        ("镉(以Cd计)", "0.3mg/kg", "菠菜", "食用农产品-蔬菜", "GB 2762-2017"),
        ("甲拌磷", "0.02mg/kg", "韭菜", "食用农产品-蔬菜", "GB 2763-2021"),
        ("苯甲酸及其钠盐(以苯甲酸计)", "0.6g/kg", "话梅", "糖果制品-果脯蜜饯", "GB 2760-2014"),
        ("恩诺沙星", "150μg/kg", "鸡肉", "食用农产品-畜禽肉及副产品", "GB 31650-2019"),
    ],
)
def test_the_2022_plan_year_judges_by_the_editions_then_in_force(item, result, food, category, edition, on):
    j = judge(item, result, food, category, on)
    assert (j.verdict, j.edition) == (Verdict.UNQUALIFIED, edition)


def test_gb2762_2025_from_2026_09_02():
    """铅 调制乳: GB 2762-2022 0.05 mg/kg; GB 2762-2025 0.04 mg/kg."""
    before = judge("铅(以Pb计)", "0.045mg/kg", "调制乳", "乳制品-液体乳", dt.date(2026, 9, 1))
    after = judge("铅(以Pb计)", "0.045mg/kg", "调制乳", "乳制品-液体乳", dt.date(2026, 9, 2))
    assert (before.verdict, before.edition, before.limit_text) == (
        Verdict.QUALIFIED,
        "GB 2762-2022",
        "≤0.05mg/kg",
    )
    assert (after.verdict, after.edition, after.limit_text) == (
        Verdict.UNQUALIFIED,
        "GB 2762-2025",
        "≤0.04mg/kg",
    )


def test_a_limit_a_newer_edition_drops_gives_way_to_its_rule_for_the_category(tmp_path: Path):
    """A contaminant with 新鲜蔬菜 0.1 mg/kg in every edition and 叶菜蔬菜 0.3 in GB 2762-2017 and
    -2022 only: from 2026-09-02 a spinach is judged by GB 2762-2025's 新鲜蔬菜 row, not left
    undetermined because its own row is gone."""
    data = tmp_path / "limits-x.toml"
    rows = [
        ("veg", "蔬菜及其制品/新鲜蔬菜", "≤0.1mg/kg", '["GB 2762-2017", "GB 2762-2022", "GB 2762-2025"]'),
        ("leafy", "蔬菜及其制品/新鲜蔬菜/叶菜蔬菜", "≤0.3mg/kg", '["GB 2762-2017", "GB 2762-2022"]'),
    ]
    data.write_text(
        "\n".join(
            f'[[limit]]\nid = "{i}"\nitem = "某污染物"\ntree = "GB 2762"\npath = "{p}"\nlimit = "{v}"\n'
            f'editions = {e}\nclause = "表 某污染物"\nverification = "M"\n'
            for i, p, v, e in rows
        ),
        encoding="utf-8",
    )
    book = rules.load_limit_book([rules.DATA_DIR / "editions.toml", data], gb2762=None, gb2760=None)
    before = judge("某污染物", "0.2mg/kg", "菠菜", "食用农产品-蔬菜", dt.date(2026, 9, 1), book)
    after = judge("某污染物", "0.2mg/kg", "菠菜", "食用农产品-蔬菜", dt.date(2026, 9, 2), book)
    assert (before.verdict, before.edition, before.limit_text) == (
        Verdict.QUALIFIED,
        "GB 2762-2022",
        "≤0.3mg/kg",
    )
    assert (after.verdict, after.edition, after.limit_text) == (
        Verdict.UNQUALIFIED,
        "GB 2762-2025",
        "≤0.1mg/kg",
    )
    assert "新鲜蔬菜" in after.category_path


def test_gb2760_2024_from_2025_02_08_and_a_use_it_withdrew():
    """GB 2760-2024 withdrew 脱氢乙酸及其钠盐 from 糕点 (GB 2760-2014: 0.5 g/kg): by the newer
    edition's rule for the category it is not permitted, not undetermined."""
    before = judge("脱氢乙酸及其钠盐(以脱氢乙酸计)", "0.3g/kg", "绿豆糕", "糕点-糕点", dt.date(2025, 2, 7))
    after = judge("脱氢乙酸及其钠盐(以脱氢乙酸计)", "0.3g/kg", "绿豆糕", "糕点-糕点", dt.date(2025, 2, 8))
    assert (before.verdict, before.edition) == (Verdict.QUALIFIED, "GB 2760-2014")
    assert (after.verdict, after.edition, after.limit_text) == (
        Verdict.UNQUALIFIED,
        "GB 2760-2024",
        "不得使用",
    )
