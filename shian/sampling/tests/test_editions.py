"""Sampling categories and test items per edition of SAMR's 《食品安全监督抽检实施细则》
(data/sampling-categories.toml), the edition chosen by the sampling date, and the unit a batch
counts for (data/units.toml)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from shian.sampling import rules

REFERENCE = Path(__file__).resolve().parents[4] / "shared" / "reference" / "standards"
EDITIONS = rules.load_sampling_editions()


def edition(code: str) -> rules.SamplingEdition:
    return next(e for e in EDITIONS if e.code == code)


def test_the_edition_in_force_follows_the_sampling_date():
    """Working rule (data/sampling-categories.toml, verification local): an edition applies from
    1 January of its year until the next edition on file; 2024 and 2025 are not on file."""
    assert rules.sampling_edition_in_force(dt.date(2022, 12, 31)).code == "2022"
    assert rules.sampling_edition_in_force(dt.date(2023, 1, 1)).code == "2023"
    assert rules.sampling_edition_in_force(dt.date(2025, 6, 30)).code == "2023"
    assert rules.sampling_edition_in_force(dt.date(2026, 1, 1)).code == "2026"
    with pytest.raises(LookupError):
        rules.sampling_edition_in_force(dt.date(2021, 12, 31))
    assert all(e.dates_verification == "local" for e in EDITIONS)


def test_2023_edition_has_the_29_categories_of_its_table_of_contents_and_four_more():
    """2023 edition table of contents, items 一 to 二十九 [V2] (research/cn-regulation.md §5);
    items 30–33 婴幼儿配方食品, 餐饮食品, 食品添加剂, 食用农产品 [M]."""
    e = edition("2023")
    assert [c.name for c in e.categories[:3]] == ["粮食加工品", "食用油、油脂及其制品", "调味品"]
    assert e.categories[28].name == "特殊医学用途配方食品" and e.categories[28].verification == "V2"
    assert [(c.no, c.name, c.verification) for c in e.categories[29:]] == [
        (30, "婴幼儿配方食品", "M"),
        (31, "餐饮食品", "M"),
        (32, "食品添加剂", "M"),
        (33, "食用农产品", "M"),
    ]
    assert e.category("糕点").subcategories == ("糕点", "月饼", "粽子")  # no 面包 before 2026


def test_2022_edition_borrows_the_2023_structure_marked_unverified():
    """research/cn-regulation.md §5 [M]: the 2022 and 2023 editions share one structure; the 2022
    table of contents was not read, so every category of 2022 carries the mark M."""
    e = edition("2022")
    assert [c.name for c in e.categories] == [c.name for c in edition("2023").categories]
    assert {c.verification for c in e.categories} == {"M"}
    assert e.items == {}


def test_2026_edition_splits_edible_agricultural_products_into_seven_categories():
    """2026 edition (reference/standards/sampling-categories-2026.json [V2]): 39 big categories,
    33–39 畜禽肉及副产品 … 生干坚果与籽类食品; 32 食品添加剂 from core's food-categories-2026.json."""
    e = edition("2026")
    assert len(e.categories) == 39 and e.category("食用农产品") is None
    assert [c.name for c in e.categories[32:]] == [
        "畜禽肉及副产品",
        "蔬菜",
        "水产品",
        "水果类",
        "鲜蛋",
        "豆类",
        "生干坚果与籽类食品",
    ]
    assert e.categories[31].name == "食品添加剂"
    assert "面包" in e.category("糕点").subcategories


@pytest.mark.parametrize(
    ("path", "on", "big", "sub"),
    [
        ("食用农产品-蔬菜-韭菜", dt.date(2022, 6, 1), "食用农产品", "蔬菜"),
        ("食用农产品-蔬菜-韭菜", dt.date(2026, 6, 1), "蔬菜", ""),
        ("食用农产品-水产品-淡水鱼", dt.date(2023, 6, 1), "食用农产品", "水产品"),
        ("食用农产品-水产品-淡水鱼", dt.date(2026, 6, 1), "水产品", "淡水鱼"),
        ("粮食加工品-大米", dt.date(2022, 3, 1), "粮食加工品", "大米"),
        ("大米", dt.date(2026, 3, 1), "粮食加工品", "大米"),  # a sub-category alone names its parent
        ("酒类-果酒", dt.date(2026, 3, 1), "酒类", "果酒(发酵型)"),  # the qualifier may be left out
        ("糕点-面包", dt.date(2023, 3, 1), "糕点", ""),
        ("糕点-面包", dt.date(2026, 3, 1), "糕点", "面包"),
        ("火星食品", dt.date(2026, 3, 1), "", ""),
    ],
)
def test_a_category_path_is_classified_with_the_edition_in_force(path, on, big, sub):
    """《食品安全监督抽检实施细则》 2022/2023/2026 category tables (data/sampling-categories.toml)."""
    _edition, got_big, got_sub = rules.classify_category(path, on)
    assert (got_big, got_sub) == (big, sub)


def test_test_items_switch_with_the_edition():
    """2026: the items a 2026 bulletin tested for 粮食加工品 (its attachment 1, marked B, list
    open-ended); 2022: the edition's lists are not on file, so none is given — never the 2026 list."""
    rice_2026 = rules.test_items_for("粮食加工品-大米", dt.date(2026, 4, 1))
    assert rice_2026.edition == "2026" and rice_2026.known
    assert rice_2026.items[:2] == ("铅(以Pb计)", "镉(以Cd计)")
    assert (rice_2026.verification, rice_2026.complete) == ("B", False)
    rice_2022 = rules.test_items_for("粮食加工品-大米", dt.date(2022, 4, 1))
    assert rice_2022.edition == "2022" and rice_2022.category == "粮食加工品"
    assert not rice_2022.known and rice_2022.items == () and rice_2022.verification == rules.UNKNOWN


def test_vegetable_items_of_2026_are_a_heuristic_list():
    """The 2026 vegetable list is a third party's heuristic (GB 2763 high-frequency pesticides plus
    GB 2762 lead and cadmium), marked H, found through the sub-category path of 2022's shape."""
    veg = rules.test_items_for("食用农产品-蔬菜-韭菜", dt.date(2026, 5, 1))
    assert veg.category == "蔬菜" and veg.verification == "H"
    assert {"腐霉利", "毒死蜱", "镉(以Cd计)"} <= set(veg.items)
    assert not rules.test_items_for("食用农产品-蔬菜-韭菜", dt.date(2023, 5, 1)).known


def test_the_loader_locates_a_bad_row(tmp_path):
    bad = tmp_path / "cats.toml"
    bad.write_text(
        '[[edition]]\ncode = "2030"\ntitle = "t"\nvalid_from = 2030-01-01\ndates_verification = "local"\n'
        'verification = "M"\nsource = "s"\ncategory = [{ no = 1, name = "粮食加工品" }]\n'
        '[[edition.items]]\ncategory = "酒类"\nitems = ["甲醇"]\nverification = "M"\nsource = "s"\n',
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match=r"cats.toml \[\[edition\]\] #1 \(2030\).*酒类"):
        rules.load_sampling_editions(bad)


@pytest.mark.skipif(not REFERENCE.exists(), reason="reference data not on this machine")
def test_2026_categories_agree_with_the_reference_compilation():
    """Every big category and listed sub-category of reference/standards/sampling-categories-2026.json
    is in the 2026 edition on file, and every category with test items there has them here, except
    the bulletin's mixed 食用农产品 group."""
    ref = json.loads((REFERENCE / "sampling-categories-2026.json").read_text(encoding="utf-8"))
    e = edition("2026")
    for cat in ref["categories"]:
        ours = e.category(cat["name"])
        assert ours is not None, cat["name"]
        names = {rules._category_key(s) for s in ours.subcategories}
        assert {rules._category_key(s["name"]) for s in cat["subcategories"]} <= names, cat["name"]
    items = json.loads((REFERENCE / "sampling-test-items-by-category.json").read_text(encoding="utf-8"))
    listed = set(items["categories"]) - {"食用农产品"}
    assert {c for c, _sub in e.items} == {rules._category_key(c) for c in listed}


def test_a_batch_counts_for_the_unit_of_whoever_took_it():
    """北辰区2022年食品安全监督管理计划 任务（十三）: market regulator 4,750, agriculture committee 1,820
    (data/units.toml, local rule): agriculture's staff for agriculture; the office, the market
    regulator and anyone without a unit for the market regulator."""
    rule = rules.load_unit_rule()
    assert rules.responsible_unit("agriculture", rule) == "agriculture"
    assert rules.responsible_unit("office", rule) == "market"
    assert rules.responsible_unit("market", rule) == "market"
    assert rules.responsible_unit(None, rule) == "market"
    assert rules.responsible_unit("education", rule) == "market"
    assert rule.verification == "local"
