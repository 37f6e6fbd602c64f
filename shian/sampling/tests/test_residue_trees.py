"""Pesticide residues on the GB 2763-2021 commodity tree and veterinary drugs on the GB 31650 tree
(animal product × tissue × species): a commodity inherits its group's limit, a listed commodity or
species overrides it, a banned drug is unqualified at any detected level, the edition by date."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from shian.sampling import rules
from shian.sampling.rules import Verdict

BOOK = rules.default_limit_book()
D2026 = dt.date(2026, 3, 1)


def judge(
    item: str, result: str, food: str, category: str, on: dt.date = D2026, book: rules.LimitBook = BOOK
) -> rules.Judgment:
    return rules.judge(book=book, item=item, result=result, food=food, category=category, on=on)


# --- GB 2763-2021 ----------------------------------------------------------------------------


def test_a_listed_commodity_takes_its_own_row():
    """GB 2763-2021 第4章 噻虫胺 表：辣椒 0.05 mg/kg [M]; 线椒 is a 辣椒 (附录A 茄果类)."""
    j = judge("噻虫胺", "0.12mg/kg", "线椒", "食用农产品-蔬菜")
    assert j.verdict == Verdict.UNQUALIFIED and j.limit_text == "≤0.05mg/kg"
    assert j.tree == "GB 2763" and j.category_path == "蔬菜 › 茄果类 › 辣椒"
    assert j.edition == "GB 2763-2021" and j.verification == "M"


def test_a_commodity_inherits_its_groups_row():
    """GB 2763-2021 联苯菊酯 表：柑橘类水果 0.05 mg/kg [M]: 沃柑 (柑) and 砂糖橘 (橘) are not listed
    themselves; 氯氟氰菊酯和高效氯氟氰菊酯 仁果类水果 0.2 mg/kg reaches 库尔勒香梨 (梨)."""
    for food in ("沃柑", "砂糖橘", "赣南脐橙"):
        j = judge("联苯菊酯", "0.08mg/kg", food, "食用农产品-水果类")
        assert j.verdict == Verdict.UNQUALIFIED and j.limit_text == "≤0.05mg/kg", food
        assert j.category_path.startswith("水果 › 柑橘类 › "), food
    j = judge("氯氟氰菊酯和高效氯氟氰菊酯", "0.15mg/kg", "库尔勒香梨（梨子）", "食用农产品-水果类")
    assert j.verdict == Verdict.QUALIFIED and j.limit_text == "≤0.2mg/kg"


def test_a_commodity_row_overrides_the_group_row_and_the_class_row(tmp_path: Path):
    """附录A: a commodity inherits its group's limit unless listed itself; the group inherits the
    class's. Three rows of one pesticide: 蔬菜 1, 叶菜类 2, 芹菜 0.5."""
    data = tmp_path / "limits-x.toml"
    rows = [("蔬菜", "≤1mg/kg"), ("蔬菜/叶菜类", "≤2mg/kg"), ("蔬菜/叶菜类/芹菜", "≤0.5mg/kg")]
    data.write_text(
        "\n".join(
            f'[[limit]]\nid = "t{i}"\nitem = "某农药"\ntree = "GB 2763"\npath = "{p}"\nlimit = "{v}"\n'
            f'editions = ["GB 2763-2021"]\nclause = "第4章 某农药 表"\nverification = "M"\n'
            for i, (p, v) in enumerate(rows)
        ),
        encoding="utf-8",
    )
    book = rules.load_limit_book([rules.DATA_DIR / "editions.toml", data], gb2762=None, gb2760=None)
    assert judge("某农药", "1mg/kg", "西芹", "食用农产品-蔬菜", book=book).limit_text == "≤0.5mg/kg"
    assert judge("某农药", "1mg/kg", "菠菜", "食用农产品-蔬菜", book=book).limit_text == "≤2mg/kg"
    assert judge("某农药", "1mg/kg", "黄瓜", "食用农产品-蔬菜", book=book).limit_text == "≤1mg/kg"


def test_a_commodity_with_no_row_and_no_group_row_is_not_guessed():
    """噻虫胺 has rows for 辣椒, 芹菜, 姜, 豇豆, 香蕉 on file, none for 韭菜 or 鳞茎类 or 蔬菜."""
    j = judge("噻虫胺", "0.3mg/kg", "韭菜", "食用农产品-蔬菜")
    assert j.verdict == Verdict.UNDETERMINED and "无此项目限量" in j.reason


def test_tea_sits_on_the_gb2763_tree():
    """GB 2763-2021 草甘膦 表：茶叶 1 mg/kg [M]."""
    j = judge("草甘膦", "1.6mg/kg", "高山云雾绿茶", "茶叶及相关制品-茶叶")
    assert j.verdict == Verdict.UNQUALIFIED and j.category_path == "饮料类 › 茶叶"


def test_gb2763_by_date_the_2021_edition_from_its_first_day():
    """GB 2763-2021 in force from 2021-09-03; the 2019 edition is not on file, so a banana produced
    the day before is not judged rather than judged by the newer edition."""
    before = judge("噻虫胺", "0.05mg/kg", "香蕉", "食用农产品-水果类", on=dt.date(2021, 9, 2))
    after = judge("噻虫胺", "0.05mg/kg", "香蕉", "食用农产品-水果类", on=dt.date(2021, 9, 3))
    assert before.verdict == Verdict.UNDETERMINED
    assert (after.verdict, after.edition, after.limit_text) == (
        Verdict.UNQUALIFIED,
        "GB 2763-2021",
        "≤0.02mg/kg",
    )


def test_gb2763_1_rows_apply_from_its_date(tmp_path: Path):
    """GB 2763.1-2022 (112 further pesticides) is in force from 2023-05-11: its rows judge only
    foods produced from that day."""
    data = tmp_path / "limits-x.toml"
    data.write_text(
        '[[limit]]\nid = "t"\nitem = "某新农药"\ntree = "GB 2763"\npath = "水果"\nlimit = "≤0.1mg/kg"\n'
        'editions = ["GB 2763.1-2022"]\nclause = "第4章 某新农药 表：水果"\nverification = "M"\n',
        encoding="utf-8",
    )
    book = rules.load_limit_book([rules.DATA_DIR / "editions.toml", data], gb2762=None, gb2760=None)
    before = judge("某新农药", "0.2mg/kg", "苹果", "水果类-苹果", on=dt.date(2023, 5, 10), book=book)
    after = judge("某新农药", "0.2mg/kg", "苹果", "水果类-苹果", on=dt.date(2023, 5, 11), book=book)
    assert before.verdict == Verdict.UNDETERMINED
    assert (after.verdict, after.edition) == (Verdict.UNQUALIFIED, "GB 2763.1-2022")


# --- GB 31650-2019 and the banned list -------------------------------------------------------


def test_a_species_row_overrides_the_all_animals_row():
    """GB 31650-2019 恩诺沙星: 肌肉 100 μg/kg for all food animals; 肝 猪 200, 牛 300 [M]."""
    muscle = judge("恩诺沙星", "150μg/kg", "猪肉", "畜禽肉及副产品-猪肉")
    pig_liver = judge("恩诺沙星", "250μg/kg", "猪肝", "畜禽肉及副产品-猪肝")
    cattle_liver = judge("恩诺沙星", "250μg/kg", "牛肝", "畜禽肉及副产品-牛肝")
    assert (muscle.verdict, muscle.limit_text, muscle.tree) == (Verdict.UNQUALIFIED, "≤100μg/kg", "GB 31650")
    assert (pig_liver.verdict, pig_liver.limit_text) == (Verdict.UNQUALIFIED, "≤200μg/kg")
    assert (cattle_liver.verdict, cattle_liver.limit_text) == (Verdict.QUALIFIED, "≤300μg/kg")
    assert pig_liver.category_path == "动物性食品 › 肝 › 猪"


def test_a_fish_takes_the_skin_and_muscle_row():
    """GB 31650-2019 鱼 皮+肉: 恩诺沙星 100, 甲氧苄啶 50 μg/kg [M]."""
    j = judge("恩诺沙星(以恩诺沙星与环丙沙星之和计)", "164μg/kg", "鲤鱼", "水产品-淡水鱼")
    assert j.verdict == Verdict.UNQUALIFIED and j.tree == "GB 31650" and "皮+肉" in j.category_path
    assert judge("甲氧苄啶", "145µg/kg", "黄鳝", "水产品-淡水鱼").limit_text == "≤50μg/kg"


def test_a_tissue_row_reaches_every_species():
    """土霉素/金霉素/四环素 (单个或组合): 所有食品动物 肌肉 200, 蛋 400 μg/kg [M]."""
    assert judge("金霉素", "280.2µg/kg", "羊肉", "食用农产品-畜禽肉及副产品").verdict == Verdict.UNQUALIFIED
    assert judge("四环素", "300µg/kg", "鲜鸡蛋", "鲜蛋-鲜蛋-鸡蛋").verdict == Verdict.QUALIFIED


def test_a_drug_banned_in_laying_hens_has_no_egg_limit_to_guess_before_gb31650_1():
    """多西环素 家禽（产蛋期禁用）: GB 31650-2019 sets no limit for eggs; before GB 31650.1-2022
    (2023-02-01) an egg is not judged against a guess."""
    j = judge("多西环素", "122μg/kg", "鸡蛋", "食用农产品-鲜蛋", on=dt.date(2023, 1, 31))
    assert j.verdict == Verdict.UNDETERMINED and "无此项目限量" in j.reason


def test_a_banned_drug_is_unqualified_at_any_detected_level_in_any_animal_product():
    """农业农村部公告第250号 氯霉素; GB 31650-2019 不得检出的兽药 甲硝唑 [M]."""
    cases = [
        ("氯霉素", "0.46μg/kg", "洋槐蜂蜜", "蜂产品"),
        ("氯霉素", "1.62μg/kg", "鲫鱼", "食用农产品-水产品"),
        ("氯霉素", "0.56µg/kg", "猪肉贡丸（速冻调制食品）", "速冻食品-速冻调制食品"),
        ("甲硝唑", "1.93µg/kg", "鸡蛋", "食用农产品-鲜蛋"),
        ("五氯酚酸钠(以五氯酚计)", "7.9µg/kg", "牛蛙", "水产品-其他水产品"),
    ]
    for item, result, food, category in cases:
        j = judge(item, result, food, category)
        assert j.verdict == Verdict.UNQUALIFIED and j.limit_text.startswith("不得检出"), (item, food)
        assert j.tree == "GB 31650", (item, food)
    assert judge("氯霉素", "未检出", "鲫鱼", "食用农产品-水产品").verdict == Verdict.QUALIFIED
    below = judge("氯霉素", "0.05μg/kg", "鲫鱼", "食用农产品-水产品")
    assert below.verdict == Verdict.QUALIFIED  # below the method's detection limit 0.1 μg/kg


def test_every_residue_row_is_from_memory_of_the_standard_and_says_so():
    rows = [r for by in BOOK.tree_rules.values() for t in ("GB 2763", "GB 31650") for r in by.get(t, ())]
    assert len(rows) > 80
    for r in rows:
        assert r.verification == "M" and r.clause and r.path, r.row_id
        assert "通报" not in r.clause and "bulletin" not in r.source.lower(), r.row_id
