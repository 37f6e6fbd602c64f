"""Placement of foods the platform has never seen: a bulletin's food name as the seller writes it
(brand, flavour, origin, state, bracketed hints) is normalised and looked up in the synonym table
within its sampling category, never searched for inside; a sampling category alone places a food
only where it decides the item's limit; the held-out check (names dropped) finds no guess."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from shian.sampling import bulletins, rules
from shian.sampling.rules import Verdict

BOOK = rules.default_limit_book()
D2026 = dt.date(2026, 3, 1)
BULLETIN = Path(__file__).resolve().parents[4] / "shared" / "reference" / "bulletins"
BULLETIN_FILE = BULLETIN / "unqualified-2026-sd-ah-zj.json"


def place(food: str, category: str) -> rules.Placement:
    return rules.place_food(food, category, BOOK.foods)


def judge(item: str, result: str, food: str, category: str, on: dt.date = D2026) -> rules.Judgment:
    return rules.judge(book=BOOK, item=item, result=result, food=food, category=category, on=on)


@pytest.mark.parametrize(
    ("food", "category", "placed_as"),
    [
        # flavour and marketing words before the food's own name (its head noun ends the name)
        ("椒盐味特好剥山核桃", "炒货食品及坚果制品-炒货食品及坚果制品", "山核桃"),
        ("奶油味好好剥山核桃", "炒货食品及坚果制品-炒货食品及坚果制品", "山核桃"),
        # origin, freshness and state
        ("泰国龙眼", "食用农产品-水果类", "龙眼"),
        ("鲜龙眼", "水果类-龙眼", "龙眼"),  # the sub-category's own name, given as the food's
        ("冻海水虾", "食用农产品-水产品", "海水虾"),
        ("去皮芋头", "食用农产品-蔬菜", "芋"),
        ("新鲜小葱/香葱", "蔬菜-葱", "葱"),
        ("小台芒一级", "水果类-芒果", "芒果"),
        # "(自制)", bracketed grades and spaces
        ("油条（自制）", "餐饮食品-油饼油条（自制）", "油炸面制品"),
        ("原味葵花籽（大粒）", "炒货食品及坚果制品-炒货食品及坚果制品", "葵花籽"),
        ("海纳 普洱茶（熟茶）紧压茶", "茶叶及相关制品-茶叶", "茶叶"),
        ("红糖馒头", "餐饮食品-馒头花卷（自制）", "发酵面制品"),
        ("沙土花生（五香味）", "炒货食品及坚果制品-炒货食品及坚果制品", "花生"),
        ("香辣牛肉干", "肉制品-熟肉干制品", "熟肉干制品"),
        # a bracketed name of the food itself
        ("精品豇豆（长豆角）", "食用农产品-蔬菜", "豇豆"),
    ],
)
def test_a_bulletins_name_forms_are_placed_by_the_normaliser(food, category, placed_as):
    p = place(food, category)
    assert p.food is not None and p.food.name == placed_as, p.how
    assert not p.by_category
    # none of these label forms is itself in the synonym table: the normaliser found the name
    assert rules.food_key(food) not in BOOK.foods


def test_the_normaliser_is_documented_and_deterministic():
    assert rules.name_candidates("椒盐味特好剥山核桃") == ("椒盐味特好剥山核桃", "特好剥山核桃")
    assert rules.name_candidates("白玉蒜（酱腌菜）") == ("白玉蒜(酱腌菜)", "白玉蒜", "酱腌菜")
    assert rules.name_candidates("鲜姜") == ("鲜姜", "姜")
    assert rules.name_candidates("御方汉结茶TM") == ("御方汉结茶",)


def test_a_category_hint_in_brackets_places_as_the_category_not_the_vegetable():
    """白玉蒜 (a pickled garlic) sampled as 酱腌菜: not 大蒜 (a fresh bulb vegetable)."""
    p = place("白玉蒜（酱腌菜）", "蔬菜制品-酱腌菜")
    assert p.food is not None and p.food.path_text("GB 2760").endswith("04.02.02.03")
    j = judge("铅(以Pb计)", "0.4mg/kg", "白玉蒜（酱腌菜）", "蔬菜制品-酱腌菜")
    assert j.verdict == Verdict.QUALIFIED and j.limit_text == "≤0.5mg/kg"


@pytest.mark.parametrize(
    ("food", "category", "not_as"),
    [
        ("山药葛根玉米羹", "方便食品-冲调类方便食品", "玉米"),  # a name inside a name is never searched
        ("南瓜馒头", "餐饮食品-馒头花卷（自制）", "南瓜"),
        ("杨桃", "食用农产品-水果类", "桃"),  # a one-character ending is not a head noun
        ("咸鸭蛋", "蛋制品-再制蛋", "鸭蛋"),  # 鸭蛋 is 10.01 鲜蛋, not within 10.02 再制蛋
        ("干豆角", "调味品-其他香辛料调味品", "豆角"),  # dried, not a fresh spice
        ("干枸杞", "茶叶及相关制品-代用茶", "枸杞"),
        ("贾寨豆干五香味（非发酵豆制品）", "豆制品", "发酵豆制品"),  # 非… is not its head noun
        ("白芸豆", "食用农产品-蔬菜", "菜豆"),  # listed as dry beans: no other ending is sought
    ],
)
def test_no_name_is_guessed_from_a_part_of_another_name(food, category, not_as):
    p = place(food, category)
    assert p.food is None or p.food.name != not_as, p.how


def test_a_name_outside_its_sampling_category_does_not_place_the_food():
    """香菜 sampled as 酱腌菜 is a pickle: the fresh leafy vegetable lies outside the category."""
    p = place("香菜", "蔬菜制品-酱腌菜")
    assert p.by_category and p.food is not None and p.food.name == "酱腌菜"


def test_a_fungus_sampled_as_a_vegetable_is_placed_as_a_fungus():
    """The rules sample fresh fungi under 蔬菜; GB 2762 and GB 2763 place them in 食用菌."""
    p = place("鲜香菇", "食用农产品-蔬菜")
    assert p.food is not None and p.food.name == "香菇" and not p.by_category
    assert p.food.paths[rules.TREE_2762][0] == "食用菌及其制品"
    assert place("香菇", "蔬菜制品-酱腌菜").by_category  # not a pickle's own category


def test_a_broad_sampling_category_places_by_a_whole_listed_name_only():
    assert place("凉皮", "餐饮食品-其他餐饮食品").food is not None
    p = place("蟹香蛋黄味锅巴条", "餐饮食品-其他餐饮食品")
    assert p.food is None and "跨多个标准类别" in p.how


def test_a_category_too_broad_for_the_item_says_so():
    """GB 2762 镉: 新鲜蔬菜 0.05 mg/kg, 叶菜蔬菜 0.2: a vegetable sampled as 蔬菜 with no name
    cannot be judged; its sub-category (韭菜) or its name (菠菜) places it."""
    j = judge("镉(以Cd计)", "0.1mg/kg", "", "食用农产品-蔬菜")
    assert j.verdict == Verdict.UNDETERMINED and "抽样类别过宽" in j.reason and "叶菜蔬菜" in j.reason
    assert judge("镉(以Cd计)", "0.1mg/kg", "菠菜", "食用农产品-蔬菜").verdict == Verdict.QUALIFIED
    assert judge("镉(以Cd计)", "0.1mg/kg", "", "蔬菜-韭菜").verdict == Verdict.UNQUALIFIED


def test_a_category_decides_an_item_with_one_limit_for_all_its_foods(tmp_path):
    """A pesticide with GB 2763 蔬菜 0.01 mg/kg: 蔬菜 alone decides it only once 食用菌, which the
    rules sample as 蔬菜 and GB 2763 places apart, has the same limit on file."""
    rows = [("蔬菜", "≤0.01mg/kg")]

    def book_with(rows: list[tuple[str, str]]) -> rules.LimitBook:
        data = tmp_path / "limits-x.toml"
        data.write_text(
            "\n".join(
                f'[[limit]]\nid = "t{i}"\nitem = "某农药"\ntree = "GB 2763"\npath = "{p}"\nlimit = "{v}"\n'
                f'editions = ["GB 2763-2021"]\nclause = "第4章 某农药"\nverification = "M"\n'
                for i, (p, v) in enumerate(rows)
            ),
            encoding="utf-8",
        )
        return rules.load_limit_book([rules.DATA_DIR / "editions.toml", data], gb2762=None, gb2760=None)

    def alone(book: rules.LimitBook) -> rules.Judgment:
        return rules.judge(
            book=book, item="某农药", result="0.02mg/kg", food="", category="食用农产品-蔬菜", on=D2026
        )

    j = alone(book_with(rows))
    assert j.verdict == Verdict.UNDETERMINED and "抽样类别过宽" in j.reason
    j = alone(book_with([*rows, ("食用菌", "≤0.01mg/kg")]))
    assert (j.verdict, j.limit_text) == (Verdict.UNQUALIFIED, "≤0.01mg/kg")
    shiitake = rules.judge(
        book=book_with(rows),
        item="某农药",
        result="0.02mg/kg",
        food="香菇",
        category="食用农产品-蔬菜",
        on=D2026,
    )
    assert shiitake.verdict == Verdict.UNDETERMINED and "食用菌" in shiitake.category_path + shiitake.reason


def test_the_sampling_sub_category_refines_the_category():
    record = {"category": "食用农产品-蔬菜", "sub_category": "蔬菜-山药", "food_name_raw": "山药"}
    category, food = bulletins.record_placing(record, BOOK.foods)
    assert category.endswith("山药") and food == "山药"
    # a compiled name that is a category word does not replace the bulletin's own name
    record = {**record, "food_name_canonical": "食用农产品"}
    assert bulletins.record_placing(record, BOOK.foods)[1] == "山药"
    # a record with no category but its big category
    record = {"big_category": "蔬菜", "sub_category": "蔬菜-山药", "food_name_raw": "铁棍山药"}
    category, food = bulletins.record_placing(record, BOOK.foods)
    assert category == "蔬菜-蔬菜-山药" and place(food, category).food.name == "山药"


def test_contradicting_category_fields_are_settled_by_the_name():
    """生干坚果 (04.05.01) and 炒货 (04.05.02.01) contradict each other: a roasted peanut's name
    lies within 炒货, and GB 2761's peanut row (20 μg/kg) applies, not the other nuts' 5."""
    record = {
        "category": "食用农产品-生干坚果与籽类食品",
        "sub_category": "炒货食品及坚果制品-炒货食品及坚果制品",
        "food_name_raw": "雪糖花生（烘炒类）",
    }
    category, food = bulletins.record_placing(record, BOOK.foods)
    assert category == record["sub_category"]
    assert judge("黄曲霉毒素B1", "15μg/kg", food, category).limit_text == "≤20μg/kg"
    # a broad category ("方便食品") is refined by its sub-category
    record = {"category": "方便食品", "sub_category": "粮食加工品-挂面", "food_name_raw": "荞麦挂面"}
    assert bulletins.record_placing(record, BOOK.foods)[0].endswith("粮食加工品-挂面")


def test_every_placed_sampling_category_names_real_standard_categories():
    """Each sampling category of the rules maps to a GB 2760 code of 附录E and a GB 2762 path
    whose root is a category of 附录A (the converted tables' own names)."""
    data = json.loads((rules.DATA_DIR / "gb2760-additives.json").read_text(encoding="utf-8"))
    codes = {c["code"] for c in data["categories"]}
    roots_2762 = {r.path[0] for by in BOOK.tree_rules.values() for r in by.get(rules.TREE_2762, ())}
    seen = 0
    for edition in rules.default_sampling_editions():
        for c in edition.categories:
            for name in [c.name, *c.subcategories]:
                path = c.name if name == c.name else f"{c.name}-{name}"
                p = place("", path)
                if p.food is None:
                    assert "跨多个标准类别" in p.how, path
                    continue
                seen += 1
                assert p.by_category
                if rules.TREE_2760 in p.food.paths:
                    assert p.food.paths[rules.TREE_2760][-1] in codes, path
                if rules.TREE_2762 in p.food.paths:
                    assert p.food.paths[rules.TREE_2762][0] in roots_2762, path
    assert seen > 60


def _record(rid: str, category: str, sub: str, food: str, fail: str) -> dict[str, str]:
    return {"id": rid, "category": category, "sub_category": sub, "food_name_raw": food, "fail_raw": fail}


def test_held_out_check_finds_a_category_that_would_guess(monkeypatch):
    """The held-out check compares the category alone with the name: with the too-broad check
    switched off, 蔬菜 alone would take 新鲜蔬菜's 0.05 mg/kg for a spinach (0.2) — a conflict."""
    records = [
        _record("a", "食用农产品-蔬菜", "蔬菜-蔬菜", "菠菜", "镉(以Cd计)║0.3mg/kg║≤0.2mg/kg"),
        _record("b", "食用农产品-蔬菜", "蔬菜-韭菜", "紫根韭菜", "镉(以Cd计)║0.08mg/kg║≤0.05mg/kg"),
    ]
    decided, conflicts = bulletins.held_out_conflicts(records, BOOK, D2026)
    assert decided == 1 and conflicts == []  # 韭菜 decided by its sub-category; 蔬菜 alone is not
    guessing = rules.load_limit_book()
    monkeypatch.setattr(rules.LimitBook, "category_decides", lambda *a, **k: "")
    decided, conflicts = bulletins.held_out_conflicts(records, guessing, D2026)
    assert decided == 2 and [c.record_id for c in conflicts] == ["a"]


@pytest.mark.skipif(not BULLETIN_FILE.exists(), reason="reference bulletins absent")
def test_held_out_no_record_is_placed_by_a_guess():
    """Every record of the visible bulletins with its food name dropped: its sampling category
    alone either cannot place it for the item or gives the limit its name gives."""
    records = json.loads(BULLETIN_FILE.read_text(encoding="utf-8"))["records"]
    decided, conflicts = bulletins.held_out_conflicts(records, BOOK, dt.date(2026, 1, 1))
    assert conflicts == []
    assert decided > len(records) / 3


REFERENCE = BULLETIN.parent / "standards"


@pytest.mark.skipif(not REFERENCE.exists(), reason="reference data absent")
def test_every_entry_of_both_reference_datasets_is_converted_or_accounted_for(tmp_path):
    """The whole of gb2760-2024-additives.json (231 additives, 1,148 food entries, 370 categories)
    and gb2762-2025-contaminants.json (its 12 contaminant tables): each GB 2760 food entry is a
    converted use on the 附录E tree unless it is an "各类食品" row (表A.2, no category code) or one
    of the compiled table's 10 misaligned cells; the converted tables load into the limit book."""
    from shian.sampling import standards_import

    src = json.loads((REFERENCE / standards_import.GB2760_FILE).read_text(encoding="utf-8"))
    entries = [it for a in src["by_additive"]["additives"] for it in a["items"]]
    assert len(entries) == src["stats"]["food_entry_count"] == 1148
    counts = standards_import.convert_all(REFERENCE, tmp_path)
    uncoded = [it for it in entries if not standards_import._CODE.match(str(it["food_code"]).strip())]
    assert counts["gb2760_uses"] + len(uncoded) == 1148
    every_food = [it for it in uncoded if str(it["food_name"]).startswith("各类食品")]
    # the compiled table's misaligned cells: no code, or two codes run together ("07.04 14.04")
    misaligned = [it for it in uncoded if it not in every_food]
    assert len(every_food) == 56 and len(misaligned) == 10
    assert all(not str(it["food_code"]).strip() or " " in str(it["food_code"]).strip() for it in misaligned)
    s2762 = json.loads((REFERENCE / standards_import.GB2762_FILE).read_text(encoding="utf-8"))
    assert {t["table_no"] for t in s2762["additives"]} == set(range(1, 13))  # 表1–表12
    book = rules.load_limit_book(
        gb2762=tmp_path / "gb2762-contaminants.json", gb2760=tmp_path / "gb2760-additives.json"
    )
    converted = {r.row_id for by in book.tree_rules.values() for rs in by.values() for r in rs}
    assert sum(1 for r in converted if r.startswith("gb2762-")) >= counts["gb2762_rows"] - 5


def test_the_command_reports_the_held_out_check_and_keeps_its_last_line(tmp_path):
    import io

    from django.core.management import call_command

    records = [
        _record("a", "食用农产品-蔬菜", "蔬菜-蔬菜", "菠菜", "镉(以Cd计)║0.3mg/kg║≤0.2mg/kg"),
        _record("b", "食用农产品-蔬菜", "蔬菜-韭菜", "紫根韭菜", "镉(以Cd计)║0.08mg/kg║≤0.05mg/kg"),
    ]
    path = tmp_path / "bulletin.json"
    path.write_text(json.dumps({"records": records}, ensure_ascii=False), encoding="utf-8")
    out = io.StringIO()
    call_command("sampling", "judge-bulletins", str(path), "--held-out", stdout=out)
    lines = out.getvalue().splitlines()
    assert (
        "held out (names dropped): 1 items placed by the category alone, 0 contradicted by the name" in lines
    )
    assert lines[-1] == "coverage 100.0% agreement 100.0%"
    out = io.StringIO()
    call_command("sampling", "judge-bulletins", str(path), "--ignore-food-names", stdout=out)
    assert out.getvalue().splitlines()[-1] == "coverage 50.0% agreement 100.0%"


@pytest.mark.skipif(not BULLETIN_FILE.exists(), reason="reference bulletins absent")
def test_a_brand_origin_grade_or_flavour_around_a_name_never_moves_the_food_elsewhere():
    """Each visible record whose name places its food, written as another seller would: the food
    is placed as before, or — where the normaliser cannot see through the wording — not by its
    name at all; never as another food."""
    records = json.loads(BULLETIN_FILE.read_text(encoding="utf-8"))["records"]
    forms = [
        "某某牌{}",
        "{}（散装）",
        "新鲜{}",
        "精品{}",
        "{}（自制）",
        "五香味{}",
        "{} ",
        "云南{}",
        "{}一级",
    ]
    kept = moved = tried = 0
    for r in records:
        category, food = bulletins.record_placing(r, BOOK.foods)
        p = place(food, category)
        if p.food is None or p.by_category:
            continue
        for form in forms:
            q = place(form.format(food), category)
            tried += 1
            if q.food is None or q.by_category:
                continue
            if (q.food.name, q.food.paths) == (p.food.name, p.food.paths):
                kept += 1
            else:
                moved += 1
    assert moved == 0
    assert kept > 0.95 * tried
