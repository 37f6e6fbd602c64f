"""Result strings as labs and bulletins write them, and the lab's own detection limit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from shian.sampling import rules
from shian.sampling.rules import Verdict

BOOK = rules.default_limit_book()


@pytest.mark.parametrize(
    ("text", "values", "unit", "detected"),
    [
        ("2.0×105", ("200000",), "", True),  # the superscript lost in a bulletin: 2.0×10⁵
        ("1.4×102CFU/g", ("140",), "CFU/g", True),
        ("6.1×10⁵", ("610000",), "", True),
        ("4.5×10^3", ("4500",), "", True),
        ("3.0E+05CFU/g", ("300000",), "CFU/g", True),
        ("<LOD", (), "", False),
        ("＜LOD", (), "", False),
        ("<0.01mg/kg", ("0",), "mg/kg", False),
        ("未检出", (), "", False),
        ("ND", (), "", False),
        ("阴性", (), "", False),
        ("阳性", (), "", True),
        ("未检出/25g", (), "CFU/25g", False),
        ("0.1~0.2mg/kg", ("0.1", "0.2"), "mg/kg", True),  # a range: judged by both ends
        ("20;未检出;1.4×102;<10;30", ("20", "0", "140", "0", "30"), "", True),
        ("0.3 g/kg", ("0.3",), "g/kg", True),
        ("5mg/L", ("5",), "mg/L", True),
        ("30MPN/g", ("30",), "MPN/g", True),
        ("2.0×10 5", ("200000",), "", True),  # the lost superscript set off by a space
        ("2.0x105CFU/g", ("200000",), "CFU/g", True),
        ("1.2×10²CFU/g", ("120",), "CFU/g", True),
        ("＜0.01mg/kg", ("0",), "mg/kg", False),
        ("N.D.", (), "", False),
        ("<LOQ", (), "", False),
        ("阴性/25g", (), "CFU/25g", False),
        ("300μg/kg", ("300",), "μg/kg", True),
        ("300ug/kg", ("300",), "μg/kg", True),  # "u" for "μ"
        ("0.15～0.35mg/kg", ("0.15", "0.35"), "mg/kg", True),
        ("<5MPN/g", ("0",), "MPN/g", False),
    ],
)
def test_result_forms(text, values, unit, detected):
    m = rules.parse_result(text)
    assert tuple(v.normalize() for v in m.values) == tuple(Decimal(v).normalize() for v in values)
    assert m.unit == unit and m.detected is detected


def test_unreadable_result_is_undetermined_not_a_crash():
    j = rules.judge(
        book=BOOK,
        item="镉(以Cd计)",
        result="见附页",
        food="大米",
        category="粮食加工品-大米",
        on=dt.date(2026, 3, 1),
    )
    assert j.verdict == Verdict.UNDETERMINED and "结果无法判定" in j.reason


def _banned(result: str, detection_limit: str = "") -> rules.Judgment:
    return rules.judge(
        book=BOOK,
        item="克伦特罗",
        result=result,
        food="猪肉",
        category="食用农产品-畜禽肉及副产品",
        on=dt.date(2026, 3, 1),
        detection_limit=detection_limit,
    )


def test_not_detected_uses_the_labs_detection_limit_when_given():
    """不得检出: a value below the lab's own detection limit is "not detected"; the method's
    limit (0.5 μg/kg, data) is used only when the lab gives none."""
    assert _banned("0.3μg/kg").verdict == Verdict.QUALIFIED  # below the method's 0.5
    assert _banned("0.3μg/kg", detection_limit="0.2μg/kg").verdict == Verdict.UNQUALIFIED
    assert _banned("0.3μg/kg(检出限0.2μg/kg)").verdict == Verdict.UNQUALIFIED
    assert _banned("0.3μg/kg(LOD 1μg/kg)").verdict == Verdict.QUALIFIED
    assert _banned("0.8μg/kg").verdict == Verdict.UNQUALIFIED
    assert _banned("<LOD").verdict == Verdict.QUALIFIED


def test_units_g_per_kg_and_micrograms_against_a_mg_limit():
    """GB 2760 蜜饯 苯甲酸 0.5 g/kg: 450 mg/kg is within it, 0.6 g/kg is not."""
    kw = {"book": BOOK, "item": "苯甲酸及其钠盐(以苯甲酸计)", "food": "话梅", "category": "糖果制品-果脯蜜饯"}
    assert rules.judge(result="450mg/kg", on=dt.date(2026, 3, 1), **kw).verdict == Verdict.QUALIFIED
    assert rules.judge(result="0.6g/kg", on=dt.date(2026, 3, 1), **kw).verdict == Verdict.UNQUALIFIED


def test_odd_inputs_get_an_answer_never_a_crash():
    """Any item, food, category, date and result string: a verdict or an undetermined answer in
    Chinese — never an exception (dates before any edition, "检出" without a figure, empty input)."""
    import random

    rng = random.Random(12)
    items = [*list(BOOK.tree_rules)[:60], *list(BOOK.rules)[:20], "未知项目", "", "(以X计)"]
    foods = [*sorted(BOOK.foods)[:80], "", "???", "（）", "蔬菜（"]
    categories = ["", "-", "食用农产品-蔬菜", "糕点-糕点", "调味品-其他香辛料调味品", "乳制品-液体乳"]
    results = [
        "",
        "0",
        "<",
        "<LOD",
        "检出",
        "检出限abc",
        "~0.2",
        "×10",
        "阳性(",
        ";;;",
        "1.2.3mg/kg",
        "5CFU/25g",
    ]
    for _ in range(3000):
        j = rules.judge(
            book=BOOK,
            item=rng.choice(items),
            result=rng.choice(results),
            food=rng.choice(foods),
            category=rng.choice(categories),
            on=dt.date(rng.choice([2010, 2015, 2022, 2026, 2027]), rng.randint(1, 12), 1),
            detection_limit=rng.choice(["", "abc", "0.5μg/kg"]),
        )
        assert j.verdict in (Verdict.QUALIFIED, Verdict.UNQUALIFIED, Verdict.UNDETERMINED)
        if j.verdict == Verdict.UNDETERMINED:
            assert j.reason


def test_a_result_string_names_its_own_detection_limit():
    m = rules.parse_result("ND（检出限0.5μg/kg）")
    assert (m.detected, m.lod, m.lod_unit) == (False, Decimal("0.5"), "μg/kg")
    m = rules.parse_result("未检出(LOD=0.2μg/kg)")
    assert (m.detected, m.lod) == (False, Decimal("0.2"))


def test_results_in_every_unit_against_their_limit():
    """GB 2762 镉 大米 0.2 mg/kg in μg/kg, g/kg and "ug/kg"; 铅 饮用纯净水 0.01 mg/L: a result
    in mg/kg is not compared with a limit in mg/L (undetermined, never a guess); GB 29921 plans
    in CFU/g with the lost superscript, and a /25g pathogen."""
    on = dt.date(2026, 3, 1)

    def j(item: str, result: str, food: str, category: str) -> rules.Judgment:
        return rules.judge(book=BOOK, item=item, result=result, food=food, category=category, on=on)

    rice = ("镉(以Cd计)", "大米", "粮食加工品-大米")
    for result, verdict in [
        ("300μg/kg", Verdict.UNQUALIFIED),
        ("150ug/kg", Verdict.QUALIFIED),
        ("0.0003g/kg", Verdict.UNQUALIFIED),
        ("0.15~0.25mg/kg", Verdict.UNQUALIFIED),  # a range: its upper end is over
        ("<0.01mg/kg", Verdict.QUALIFIED),
    ]:
        assert j(rice[0], result, rice[1], rice[2]).verdict == verdict, result
    water = ("铅(以Pb计)", "饮用纯净水", "饮料-饮用纯净水")
    assert j(water[0], "0.006mg/L", water[1], water[2]).verdict == Verdict.QUALIFIED
    mismatch = j(water[0], "0.006mg/kg", water[1], water[2])
    assert mismatch.verdict == Verdict.UNDETERMINED and "结果无法判定" in mismatch.reason
    pastry = ("绿豆糕", "糕点-糕点")
    assert j("菌落总数", "2.0×105", *pastry).verdict == Verdict.UNQUALIFIED
    assert j("菌落总数", "1.4×102", *pastry).verdict == Verdict.QUALIFIED
    assert j("沙门氏菌", "未检出/25g", *pastry).verdict == Verdict.QUALIFIED
    assert j("沙门氏菌", "阳性/25g", *pastry).verdict == Verdict.UNQUALIFIED


def test_a_lab_detection_limit_above_the_methods_still_reads_not_detected():
    """A lab that states its own, higher, detection limit and reports "未检出" is not second-
    guessed with the method's lower one: the sample is qualified for a drug that must not be
    detected; a figure at or above the lab's limit is detected."""
    assert _banned("未检出", detection_limit="1μg/kg").verdict == Verdict.QUALIFIED
    assert _banned("<1μg/kg").verdict == Verdict.QUALIFIED
    assert _banned("1μg/kg", detection_limit="1μg/kg").verdict == Verdict.UNQUALIFIED
