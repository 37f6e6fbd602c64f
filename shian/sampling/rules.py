"""Pure rules of food sampling: judging a test item against the limit in force, and the legal
deadlines of a sample's life. No Django import; every number comes from versioned data in data/
(limits-*.toml: GB 2762, GB 2760, GB 2763, GB 31650, GB 29921 and the banned substances;
deadlines.toml: 《食品安全抽样检验管理办法》), each row with its standard, edition and clause.

A judgment is made with the standard edition in force on the production date when it is known,
else on the sampling date (GB 2762-2022 until 2026-09-01, GB 2762-2025 from 2026-09-02).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

from django.utils.translation import gettext as _

DATA_DIR = Path(__file__).resolve().parent / "data"

# ---------------------------------------------------------------------------------------------
# Units. A quantity is converted to its dimension's base unit before any comparison, so a result
# in μg/kg is judged against a limit in mg/kg exactly (Decimal arithmetic, no float rounding).

_MASS = "mass fraction"  # base mg/kg
_VOLUME = "mass concentration"  # base mg/L
UNITS: dict[str, tuple[str, Decimal]] = {
    "mg/kg": (_MASS, Decimal(1)),
    "μg/kg": (_MASS, Decimal("0.001")),
    "ug/kg": (_MASS, Decimal("0.001")),
    "ng/g": (_MASS, Decimal("0.001")),
    "μg/g": (_MASS, Decimal(1)),
    "g/kg": (_MASS, Decimal(1000)),
    "g/100g": (_MASS, Decimal(10000)),
    "mg/100g": (_MASS, Decimal(10)),
    "%": (_MASS, Decimal(10000)),
    "mg/L": (_VOLUME, Decimal(1)),
    "μg/L": (_VOLUME, Decimal("0.001")),
    "g/L": (_VOLUME, Decimal(1000)),
    "g/100mL": (_VOLUME, Decimal(10000)),
    "mg/100mL": (_VOLUME, Decimal(10)),
    "mg/100cm²": ("surface", Decimal(1)),
    "CFU/g": ("count per g", Decimal(1)),
    "CFU/mL": ("count per mL", Decimal(1)),
    "CFU/250mL": ("count per 250 mL", Decimal(1)),
    "CFU/25g": ("count per 25 g", Decimal(1)),
    "CFU/50cm²": ("count per 50 cm²", Decimal(1)),
    "MPN/g": ("MPN per g", Decimal(1)),
    "MPN/100mL": ("MPN per 100 mL", Decimal(1)),
    "%vol": ("alcohol", Decimal(1)),
    "μS/cm": ("conductivity", Decimal(1)),
    "mmol/kg": ("amount per kg", Decimal(1)),
    "": ("ratio", Decimal(1)),
}
_UNIT_ALIASES = {
    "µg/kg": "μg/kg",
    "µg/L": "μg/L",
    "ug/kg": "μg/kg",  # "u" for "μ" where a lab's software has no Greek letter
    "ug/L": "μg/L",
    "ppm": "mg/kg",
    "ppb": "μg/kg",
    "/": "",
    "/25g": "CFU/25g",
    "/50cm²": "CFU/50cm²",
    "uS/cm": "μS/cm",
}


class UnitMismatch(ValueError):
    """The result and the limit are in units of different dimensions (mg/kg against CFU/g)."""


@lru_cache(maxsize=4096)
def normalise_unit(unit: str) -> str:
    u = unicodedata.normalize("NFKC", unit).replace(" ", "").replace("µ", "μ")
    u = u.replace("cm2", "cm²")
    return _UNIT_ALIASES.get(u, u)


def convert(value: Decimal, from_unit: str, to_unit: str) -> Decimal:
    """`value` in `from_unit` expressed in `to_unit` (mg/kg ↔ μg/kg ↔ g/kg ↔ g/100g; mg/L ↔ μg/L)."""
    f, t = normalise_unit(from_unit), normalise_unit(to_unit)
    if f == t:
        return value
    if f not in UNITS or t not in UNITS:
        raise UnitMismatch(f"unknown unit {from_unit!r} or {to_unit!r}")
    (fd, ff), (td, tf) = UNITS[f], UNITS[t]
    if fd != td:
        raise UnitMismatch(f"{from_unit} cannot be compared with {to_unit}")
    return value * ff / tf


# ---------------------------------------------------------------------------------------------
# Reading numbers as labs and bulletins write them: "6.1×10⁵", "3×10^4", "10⁵", "<10", "未检出".

_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
_SUP_RUN = re.compile(r"([⁰¹²³⁴⁵⁶⁷⁸⁹⁻]+)")
# "6.1×10^5" (superscript restored by clean_text), "2.0×105" or "2.0×10 5" (the superscript lost
# in a bulletin: ×10 followed by a one- or two-digit exponent), "3.0E+05", "10^5".
_NUMBER = re.compile(
    r"10\^(?P<exp2>-?\d+)"
    r"|(?P<num>\d+(?:\.\d+)?)(?:\s*[×xX*]\s*10(?:\^(?P<exp1>-?\d+)|\s?(?P<exp3>\d{1,2})(?![\d.]))?"
    r"|[eE](?P<exp4>[+-]?\d+))?"
)
_TIMES_TEN = re.compile(r"[×xX*]\s*10$")
_PARTS = re.compile(r"[;,，；、]\s*|\s{2,}")
_NUMBER_PAIR = re.compile(r"(\d)\s*[~～]\s*(\d)")
_BELOW_LOD = re.compile(r"^[<＜]\s*(LOD|LOQ|检出限|定量限)")
_NOT_DETECTED = ("未检出", "ND", "nd", "N.D.", "not detected", "阴性", "negative", "<LOD", "<LOQ", "<检出限")
_ND_WHOLE = frozenset(_NOT_DETECTED) | {w + "/" for w in _NOT_DETECTED}
_ND_PAREN = tuple(w + "(" for w in _NOT_DETECTED)
# The lab's own detection limit carried in the result: "未检出(检出限 0.5μg/kg)", "0.3 (LOD 0.5μg/kg)".
_LAB_LOD = re.compile(
    r"[(（,，;；]?\s*(?:方法)?(?:检出限|LOD)\s*[:：=为]?\s*(?P<v>\d+(?:\.\d+)?)\s*(?P<u>[μumn]?g/(?:k?g|m?L))?\s*[)）]?"
)
_DETECTED = ("检出", "阳性", "detected", "positive")


@lru_cache(maxsize=65536)
def clean_text(text: str) -> str:
    """Superscript exponents to ^n (before NFKC, which would turn 10⁵ into 105), then NFKC."""
    text = _SUP_RUN.sub(lambda m: "^" + m.group(1).translate(_SUPERSCRIPT), text)
    text = unicodedata.normalize("NFKC", text).replace("µ", "μ")
    return text.replace("≦", "≤").replace("≧", "≥").replace("<=", "≤").replace(">=", "≥")


def parse_number(text: str) -> Decimal | None:
    m = _NUMBER.search(text)
    if not m:
        return None
    if m.group("exp2") is not None:
        return Decimal(10) ** int(m.group("exp2"))
    num = Decimal(m.group("num"))
    m_text = m.group(0)
    exp = m.group("exp1") or m.group("exp3") or m.group("exp4")
    if exp is not None:
        num *= Decimal(10) ** int(exp)
    elif m_text.endswith("10") and _TIMES_TEN.search(m_text):
        num *= 10
    return num


_UNIT_AT_END = re.compile(
    r"(mg/100cm²|/50cm²|/25g|CFU/\d*\s*(?:g|mL|cm²)|MPN/\d*\s*(?:g|mL)|%\s*vol|[μu]S/cm|mmol/kg"
    r"|[μumn]?g/(?:100)?(?:k?g|m?L)|%)\s*$"
)


def split_unit(text: str) -> tuple[str, str]:
    """ "6.71mg/kg" -> ("6.71", "mg/kg"); the unit is whatever follows the last number."""
    text = clean_text(text).strip()
    m = _UNIT_AT_END.search(text)
    if m:
        return text[: m.start()].strip(), normalise_unit(m.group(1))
    if text.endswith("/"):
        return text[:-1].strip(), ""
    return text, ""


@dataclass(frozen=True)
class Measured:
    """A lab result: one value, or the n values of a microbiological plan. `detected` is False for
    "未检出" and for a value below the method's detection limit ("<LOD")."""

    values: tuple[Decimal, ...]
    unit: str
    detected: bool = True
    below: bool = False  # "<10": below the stated figure (the detection or counting limit)
    lod: Decimal | None = None  # the lab's own detection limit, when the result carries one
    lod_unit: str = ""


class UnreadableResult(ValueError):
    pass


@lru_cache(maxsize=65536)
def parse_result(text: str, default_unit: str = "") -> Measured:
    """A lab's result as written: "0.21mg/kg", "2.0×105CFU/g", "<0.01mg/kg", "<LOD", "未检出", "ND",
    "阴性/阳性", "0.1~0.2mg/kg" (a range: both ends), the n units of a plan "20;未检出;…", and the
    lab's own detection limit when given ("未检出(检出限0.5μg/kg)")."""
    raw = clean_text(text).strip()
    lod_m = _LAB_LOD.search(raw) if ("检出限" in raw or "LOD" in raw) else None
    if lod_m:
        raw = (raw[: lod_m.start()] + raw[lod_m.end() :]).strip()
        measured = parse_result(raw or "未检出", default_unit)
        return Measured(
            measured.values,
            measured.unit,
            measured.detected,
            measured.below,
            Decimal(lod_m.group("v")),
            normalise_unit(lod_m.group("u") or "") or measured.unit,
        )
    if "~" in raw or "～" in raw:
        raw = _NUMBER_PAIR.sub(r"\1;\2", raw)  # a range: both ends are results
    body, unit = split_unit(raw)
    unit = unit or normalise_unit(default_unit)
    if body in _ND_WHOLE or body.startswith(_ND_PAREN):
        return Measured((), unit, detected=False)
    parts = [p for p in _PARTS.split(body) if p.strip()]
    values: list[Decimal] = []
    below_all = True
    for part in parts:
        p = part.strip()
        if p.startswith(_NOT_DETECTED):
            values.append(Decimal(0))  # one unit of a plan with nothing found
            continue
        if p.startswith(("<", "＜")):
            n = parse_number(p)
            if n is None and _BELOW_LOD.match(p):
                values.append(Decimal(0))
                continue
            values.append(Decimal(0))  # below the counting or detection limit
            if n is None:
                raise UnreadableResult(text)
            continue
        if p.startswith(_DETECTED) and parse_number(p) is None:
            return Measured((), unit, detected=True)
        n = parse_number(p)
        if n is None:
            raise UnreadableResult(text)
        below_all = False
        values.append(n)
    if not values:
        raise UnreadableResult(text)
    if below_all:
        return Measured(tuple(values), unit, detected=False, below=True)
    return Measured(tuple(values), unit)


# ---------------------------------------------------------------------------------------------
# Limits.


class LimitKind:
    MAX = "max"  # ≤ value: at the limit is qualified
    MIN = "min"  # ≥ value (declared or minimum content)
    RANGE = "range"  # low ≤ x ≤ high
    NOT_DETECTED = "not_detected"  # 不得检出: banned substances, above the method's detection limit
    NOT_PERMITTED = "not_permitted"  # 不得使用: additive not permitted in this food category (GB 2760)
    PLAN = "plan"  # microbiological sampling plan n, c, m, M (GB 4789.1)
    GMP = "gmp"  # 按生产需要适量使用: permitted without a maximum (GB 2760)
    # 标签标示值 ± value: a quality item judged against the value the label declares (酒精度 of
    # 白酒 ±1.0 %vol); the declared value comes from the sample's record, never from a limit table.
    DECLARED = "declared"

    ALL = (MAX, MIN, RANGE, NOT_DETECTED, NOT_PERMITTED, PLAN, GMP, DECLARED)


@dataclass(frozen=True)
class LimitSpec:
    kind: str
    unit: str = ""
    value: Decimal | None = None  # MAX, MIN
    low: Decimal | None = None  # RANGE
    high: Decimal | None = None
    n: int | None = None  # PLAN
    c: int | None = None
    m: Decimal | None = None
    big_m: Decimal | None = None  # None: a two-class plan (M absent)
    detection_limit: Decimal | None = None  # NOT_DETECTED / NOT_PERMITTED: the method's LOD

    def text(self) -> str:
        return _spec_text(self)

    def _text(self) -> str:
        u = self.unit
        if self.kind == LimitKind.MAX:
            return f"≤{_fmt(self.value)}{u}"
        if self.kind == LimitKind.MIN:
            return f"≥{_fmt(self.value)}{u}"
        if self.kind == LimitKind.RANGE:
            return f"{_fmt(self.low)}～{_fmt(self.high)}{u}"
        if self.kind == LimitKind.NOT_DETECTED:
            return "不得检出" + (
                f"（检出限 {_fmt(self.detection_limit)}{u}）" if self.detection_limit else ""
            )
        if self.kind == LimitKind.NOT_PERMITTED:
            return "不得使用"
        if self.kind == LimitKind.GMP:
            return "按生产需要适量使用"
        if self.kind == LimitKind.DECLARED:
            if self.low is not None or self.high is not None:  # a share of the declared value
                low = f"{_fmt(self.low * 100)}%" if self.low is not None else ""
                high = f"{_fmt(self.high * 100)}%" if self.high is not None else ""
                if low and high:
                    return f"标签标示值的{low}～{high}"
                return f"≥标签标示值的{low}" if low else f"≤标签标示值的{high}"
            return f"标签标示值±{_fmt(self.value)}{u}"
        big = f",M={_fmt(self.big_m)}" if self.big_m is not None else ""
        return f"n={self.n},c={self.c},m={_fmt(self.m)}{big}{u}"

    def same_as(self, other: LimitSpec) -> bool:
        """The same limit, whatever the unit it is written in (0.1 g/kg is 100 mg/kg)."""
        if self.kind != other.kind:
            # A banned additive is written "不得使用" or "不得检出" by different bulletins.
            banned = {LimitKind.NOT_DETECTED, LimitKind.NOT_PERMITTED}
            return self.kind in banned and other.kind in banned
        if self.kind in (LimitKind.NOT_DETECTED, LimitKind.NOT_PERMITTED):
            return True

        def eq(a: Decimal | None, b: Decimal | None) -> bool:
            if a is None or b is None:
                return a is b
            try:
                return convert(b, other.unit, self.unit) == a
            except UnitMismatch:
                return False

        if self.kind in (LimitKind.MAX, LimitKind.MIN):
            return eq(self.value, other.value)
        if self.kind == LimitKind.RANGE:
            return eq(self.low, other.low) and eq(self.high, other.high)
        return self.n == other.n and self.c == other.c and eq(self.m, other.m) and eq(self.big_m, other.big_m)


@lru_cache(maxsize=4096)
def _spec_text(spec: LimitSpec) -> str:
    return spec._text()


def _fmt(value: Decimal | None) -> str:
    if value is None:
        return ""
    return format(value.normalize(), "f")


_PLAN = re.compile(
    r"n\s*=\s*(?P<n>\d+)\s*[,，]\s*c\s*=\s*(?P<c>\d+)\s*[,，]\s*m\s*=\s*(?P<m>[^,，]+?)"
    r"(?:\s*[,，]\s*M\s*=\s*(?P<M>.+))?$"
)


class UnreadableLimit(ValueError):
    pass


def parse_limit(text: str) -> LimitSpec:
    """A limit as bulletins and lab reports write it: "≤0.05g/kg", "不得使用", "不得检出",
    "n=5,c=2,m=10,M=10²CFU/g", "≥20mg/kg", "41.0%vol~43.0%vol", "50CFU/g" (a bare figure is a maximum)."""
    t = clean_text(text).strip()
    if t.startswith("≤n"):  # "≤n=5,c=0,m=0CFU/250mL" as some bulletins write a plan
        t = t[1:]
    if not t:
        raise UnreadableLimit(text)
    if "不得使用" in t:
        return LimitSpec(LimitKind.NOT_PERMITTED)
    if "不得检出" in t or t in ("阴性", "0/25g"):
        return LimitSpec(LimitKind.NOT_DETECTED)
    plan = _PLAN.search(t.replace(" ", ""))
    if plan:
        tail = plan.group("M") or plan.group("m")
        _, unit = split_unit(tail)
        m_val = parse_number(split_unit(plan.group("m"))[0])
        big = parse_number(split_unit(plan.group("M"))[0]) if plan.group("M") else None
        if m_val is None:
            raise UnreadableLimit(text)
        return LimitSpec(
            LimitKind.PLAN, unit=unit, n=int(plan.group("n")), c=int(plan.group("c")), m=m_val, big_m=big
        )
    rng = re.match(r"^(?P<a>\d+(?:\.\d+)?)\s*(?:%vol)?\s*[~～\-—]\s*(?P<b>\d+(?:\.\d+)?)\s*(?P<u>.*)$", t)
    if rng:
        return LimitSpec(
            LimitKind.RANGE,
            unit=normalise_unit(rng.group("u")),
            low=Decimal(rng.group("a")),
            high=Decimal(rng.group("b")),
        )
    kind = LimitKind.MAX
    if t.startswith("≥"):
        kind = LimitKind.MIN
    body, unit = split_unit(t.lstrip("≤≥<>").lstrip("≤"))
    if "±" in body:
        raise UnreadableLimit(text)  # a declared content with a tolerance needs the label's figure
    value = parse_number(body)
    if value is None:
        raise UnreadableLimit(text)
    return LimitSpec(kind, unit=unit, value=value)


# ---------------------------------------------------------------------------------------------
# The standards' own food-category trees. A limit row of GB 2762 / GB 2760 / GB 2763 is set for a
# category (a path in the standard's tree) and applies to every food below it unless the row
# excepts the food's category ("……除外") — GB 2762-2025 3.3 and 附录A; GB 2760-2024 3.x / 附录E;
# GB 2763-2021 附录A (a commodity inherits its group's limit unless listed itself). A sampled
# food is placed in each tree by its name (data/food-categories.toml, a maintained synonym table)
# or, failing that, by its sampling category; a food that cannot be placed is reported as such.

TREE_2762 = "GB 2762"
TREE_2760 = "GB 2760"
TREE_2763 = "GB 2763"
# GB 31650-2019 (veterinary drugs): animal product × tissue × species, 动物性食品/肌肉/家禽/鸡; the
# drugs that must not be detected (GB 31650 的"不得检出"兽药, 农业农村部公告第250号) sit at the root.
TREE_31650 = "GB 31650"
TREES = (TREE_2762, TREE_2760, TREE_2763, TREE_31650)
FOODS_FILE = DATA_DIR / "food-categories.toml"
_TREE_KEYS = {"gb2762": TREE_2762, "gb2760": TREE_2760, "gb2763": TREE_2763, "gb31650": TREE_31650}


def code_path(code: str) -> tuple[str, ...]:
    """A GB 2760 附录E code with its ancestors, root first: "04.02.01.01" ->
    ("04.0", "04.02", "04.02.01", "04.02.01.01")."""
    parts = code.split(".")
    out = [f"{parts[0]}.0"]
    for i in range(2, len(parts) + 1):
        c = ".".join(parts[:i])
        if c not in out:
            out.append(c)
    return tuple(out)


@lru_cache(maxsize=65536)
def food_key(name: str) -> str:
    """A food name as compared: NFKC, ASCII brackets, no spaces."""
    t = clean_text(name).replace("（", "(").replace("）", ")")
    return re.sub(r"\s+", "", t)


@dataclass(frozen=True, eq=False)
class FoodClass:
    name: str  # the canonical name ("普通白菜")
    paths: dict[str, tuple[str, ...]]  # tree -> path, root first
    # a commodity of a `commodities` list: its own name is a node below its group's path
    leaf: bool = False
    # a sampling category that also holds foods placed elsewhere in the standards (蔬菜 holds
    # 食用菌: GB 2762 and GB 2763 place fungi apart from vegetables): the names of those classes
    holds: tuple[str, ...] = ()

    @property
    def group(self) -> bool:
        """A group of foods ("甲壳类"), not one commodity ("南美白虾")."""
        return not self.leaf

    def path_text(self, tree: str) -> str:
        return " › ".join(self.paths.get(tree, ()))

    def node_path(self, tree: str) -> tuple[str, ...]:
        """The path of the food's own node in a tree: a commodity's name below its group's path
        (limit rows may name a commodity: 镉 …/食用菌及其制品/香菇); GB 2760 paths are codes only."""
        path = self.paths.get(tree, ())
        if self.leaf and path and path[-1] != self.name and tree != TREE_2760:
            return (*path, self.name)
        return path


@dataclass(frozen=True)
class Placement:
    food: FoodClass | None
    how: str  # in words: "食品名称「老姜」→ 姜"; or why it could not be placed
    # the trees in which the food's place comes from its sampling category alone (all of them
    # when no name placed it): there the category must decide the item's limit, which LimitBook
    # checks item by item (category_decides)
    category_trees: frozenset[str] = frozenset()

    @property
    def by_category(self) -> bool:
        """Placed by its sampling category alone: no name of the food placed it."""
        return self.category_trees == frozenset(TREES)


def load_food_table(path: Path = FOODS_FILE) -> dict[str, FoodClass]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    table: dict[str, FoodClass] = {}
    for i, row in enumerate(data.get("food", []), start=1):
        paths: dict[str, tuple[str, ...]] = {}
        for key, tree in _TREE_KEYS.items():
            if key in row:
                text = str(row[key])
                paths[tree] = code_path(text) if tree == TREE_2760 else tuple(text.split("/"))
        if not paths and not row.get("broad"):
            raise ValueError(f"{path.name} [[food]] #{i}: no category path")
        names = [str(n) for n in row.get("names", [])]
        holds = tuple(food_key(str(h)) for h in row.get("holds", []))
        group = FoodClass(names[0] if names else f"#{i}", paths, holds=holds)
        for n in names:
            table[food_key(n)] = group
        for entry in row.get("commodities", []):
            variants = [v for v in str(entry).split("|") if v]
            p = dict(paths)
            if TREE_2763 in p and p[TREE_2763][-1] != variants[0]:
                p[TREE_2763] = (*p[TREE_2763], variants[0])
            commodity = FoodClass(variants[0], p, leaf=True)
            for v in variants:
                table[food_key(v)] = commodity
    return table


def within(inner: FoodClass, outer: FoodClass) -> bool:
    """Whether `inner` lies in `outer`'s category in every tree both are placed in (咸鸭蛋's
    鸭蛋 is 蛋及蛋制品 in GB 2762 like 蛋制品, but 10.01 鲜蛋, not 10.02 蛋制品, in GB 2760)."""
    if inner is outer:
        return True
    shared = [t for t in TREES if t in inner.paths and t in outer.paths]
    if not shared:
        return False
    for tree in shared:
        a, b = inner.node_path(tree), outer.node_path(tree)
        if a[: len(b)] != b:
            return False
    return True


def merge(named: FoodClass, category: FoodClass) -> tuple[FoodClass, frozenset[str]] | None:
    """A food placed by its name within its sampling category: in each tree the deeper of the
    two places when one lies within the other (花生 within 生干坚果与籽类食品: GB 2762 坚果及籽类/花生,
    GB 2760 04.05.01); None when they contradict each other in a tree (咸鸭蛋's 鸭蛋, 10.01 鲜蛋,
    sampled as 蛋制品, 10.02). Also the trees whose place comes from the category alone."""
    paths: dict[str, tuple[str, ...]] = {}
    from_category: set[str] = set()
    for tree in TREES:
        a, b = named.node_path(tree), category.node_path(tree)
        if not a and not b:
            continue
        if a[: len(b)] == b:
            paths[tree] = a
        elif b[: len(a)] == a:
            paths[tree] = b
            from_category.add(tree)
        else:
            return None
    if named is category:
        return named, frozenset()
    return FoodClass(named.name, paths, leaf=named.leaf), frozenset(from_category)


# The food-name normaliser. A bulletin writes a food as the seller labels it: brand, flavour,
# origin, grade and state around the food's own name, bracketed hints, spaces. Deterministic
# steps, in order (docs/sampling.md):
#   1. NFKC, ASCII brackets, no spaces, no ™/®/"TM"/"·"; "/" separates alternatives ("小葱/香葱");
#   2. bracketed parts are taken out of the name, and each is a candidate name of its own
#      ("豆角(豇豆)", "白玉蒜(酱腌菜)" — a category hint; "(自制)", "(原味)" place nothing);
#   3. the documented modifiers below are stripped from the front (state, freshness, grade,
#      flavour "X味") and the end (grade "一级" or "二号", flavour, a net content or size "500g",
#      "85#", "30枚")
#      until none is left ("鲜姜" → 姜, "冻海水虾" → 海水虾, "豆干五香味" → 豆干);
#   4. a candidate is looked up whole in the synonym table (food-categories.toml);
#   5. failing that, the longest listed name of at least two characters that ENDS the name — a
#      Chinese food name ends with its head noun ("特好剥山核桃", "泰国龙眼", "红糖馒头") — is
#      taken, and only when it lies within the record's sampling category; a shorter ending is
#      never tried after a longer one was refused, nor any ending after a whole listed name was
#      refused (白芸豆, dry beans, sampled as 蔬菜 is not 芸豆), nor an ending after 非/无/不
#      ("非发酵豆制品"); no name inside a name is ever searched. A name listing several foods
#      ("猪肝、猪腰", "A+B") has a head noun only when every part places the same food.
_NAME_MARKS = re.compile(r"[™®©·•]|TM$|\s+")
_PREFIXES = (
    "新鲜", "鲜活", "冰鲜", "冷鲜", "冷冻", "去皮", "带皮", "去壳", "带壳", "散装", "精品", "精选",
    "优选", "特级", "一级", "二级", "有机", "野生", "农家", "本地", "国产", "进口", "原味", "自制", "手工",
    "鲜", "冻", "活",
)  # fmt: skip
_SUFFIXES = ("特级", "一级", "二级", "三级", "精品", "散装", "分装")
_GRADE_NO = re.compile(r"(?<=[\u4e00-\u9fff]{2})[一二三四五六七八九十]号$")  # "碧螺春二号"
_FLAVOUR = re.compile(r"^[\u4e00-\u9fff]{1,4}味(?=[\u4e00-\u9fff]{2})")
_FLAVOUR_END = re.compile(r"(?<=[\u4e00-\u9fff]{2})[\u4e00-\u9fff]{1,2}味$")  # "豆干五香味"
# a net content, count or size after the name: "500g", "2.5kg/袋", "85#", "30枚", "500克装"
_SPEC_END = re.compile(r"(?<=[\u4e00-\u9fff])\d[\dA-Za-z.*×#+~\-/克千公斤两毫升袋盒瓶罐包桶只个枚粒号装]*$")
_LIST = re.compile(r"[、+]")  # "猪肝、猪腰": several foods in one name
_NEGATION = "非无不"  # "非发酵豆制品" does not end with 发酵豆制品 as its head noun
_BRACKETED = re.compile(r"\(([^()]*)\)")


def _strip_modifiers(name: str) -> str:
    changed = True
    while changed and name:
        changed = False
        for p in _PREFIXES:
            if name.startswith(p) and len(name) > len(p):
                name, changed = name[len(p) :], True
        m = _FLAVOUR.match(name)
        if m:
            name, changed = name[m.end() :], True
        m = _FLAVOUR_END.search(name)
        if m:
            name, changed = name[: m.start()], True
        for sfx in _SUFFIXES:
            if name.endswith(sfx) and len(name) > len(sfx):
                name, changed = name[: -len(sfx)], True
        m = _GRADE_NO.search(name)
        if m:
            name, changed = name[: m.start()], True
        m = _SPEC_END.search(name)
        if m and m.start() > 0:
            name, changed = name[: m.start()], True
    return name


@lru_cache(maxsize=65536)
def name_candidates(food: str) -> tuple[str, ...]:
    """The names a food's label may be looked up by, in order (steps 1–3 of the normaliser):
    "椒盐味特好剥山核桃" → (椒盐味特好剥山核桃, 特好剥山核桃); "白玉蒜（酱腌菜）" → (白玉蒜, 酱腌菜)."""
    key = _NAME_MARKS.sub("", food_key(food))
    out: list[str] = []
    for alt in key.split("/"):
        bare = _BRACKETED.sub("", alt).replace("(", "").replace(")", "")
        for cand in (alt, bare, _strip_modifiers(bare)):
            if cand and cand not in out:
                out.append(cand)
        for m in _BRACKETED.finditer(alt):
            inner = _strip_modifiers(m.group(1))
            if inner and inner not in out:
                out.append(inner)
    return tuple(out)


def _hints(food: str) -> tuple[str, ...]:
    """The bracketed parts of a food's name, normalised: category hints such as "(酱腌菜)"."""
    key = _NAME_MARKS.sub("", food_key(food))
    return tuple(_strip_modifiers(m.group(1)) for m in _BRACKETED.finditer(key))


def _head_noun(name: str, table: dict[str, FoodClass]) -> tuple[str, FoodClass] | None:
    """The longest listed name of two characters or more that ends `name` (step 5); for a name
    listing several foods, the food every part names, else none."""
    if _LIST.search(name):
        found: dict[int, tuple[str, FoodClass]] = {}
        for part in _LIST.split(name):
            part = _strip_modifiers(part.strip("()"))
            whole = table.get(part)
            one = (part, whole) if whole is not None else _head_noun(part, table) if len(part) > 2 else None
            if one is None:
                return None
            found[id(one[1])] = one
        return next(iter(found.values())) if len(found) == 1 else None
    for n in range(len(name) - 1, 1, -1):
        fc = table.get(name[-n:])
        if fc is not None:
            if name[-n - 1] in _NEGATION:
                return None
            return name[-n:], fc
    return None


def _outer_classes(category: str, table: dict[str, FoodClass], inner: FoodClass | None) -> list[FoodClass]:
    """The classes of a sampling category's shallower segments (its big category), deepest first."""
    out: list[FoodClass] = []
    for seg in reversed(category_segments(category)):
        found = table.get(food_key(seg)) or table.get(_BRACKETED.sub("", food_key(seg)))
        if found is not None and found.paths and found is not inner and found not in out:
            out.append(found)
    return out


def _merge_held(
    named: FoodClass, category: FoodClass, table: dict[str, FoodClass]
) -> tuple[FoodClass, frozenset[str]] | None:
    """A name within one of the classes the sampling category also holds (香菇 sampled as 蔬菜)."""
    for key in category.holds:
        held = table.get(key)
        both = merge(named, held) if held is not None else None
        if both is not None:
            return both
    return None


# A meat product named by its raw meat ("驴肉" sampled as 酱卤肉制品, "卤猪肝"): GB 2762 附录A places
# the product by the tissue the name gives — 肉制品 for muscle, 畜禽内脏制品 for offal, with 肝脏制品
# and 肾脏制品 below it — and GB 2760 附录E by the cooking its name gives, else by the sampling
# category (which must then decide, item by item, as for a food placed by its category alone).
_MEAT_PRODUCTS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("肉及肉制品", "肉类", "畜禽内脏", "畜禽肝脏"), ("肉及肉制品", "肉制品", "畜禽内脏制品", "肝脏制品")),
    (("肉及肉制品", "肉类", "畜禽内脏", "畜禽肾脏"), ("肉及肉制品", "肉制品", "畜禽内脏制品", "肾脏制品")),
    (("肉及肉制品", "肉类", "畜禽内脏"), ("肉及肉制品", "肉制品", "畜禽内脏制品")),
    (("肉及肉制品", "肉类"), ("肉及肉制品", "肉制品")),
)
_SMOKED_ROASTED = "08.03.02"  # GB 2762 熏、烧、烤肉类, a 肉制品 with rows of its own (苯并[a]芘)
# Cooking words before a raw meat's name, longest first, and the GB 2760 附录E category they make:
# 酱卤肉类 08.03.01.02, 白煮肉类 .01, 糟肉类 .03, 熏、烧、烤肉类 08.03.02, 油炸肉类 08.03.03,
# 腌腊肉制品 08.02.02. "烧" is not one: 烧鸡 is braised (listed as a 酱卤肉类).
_COOKING_WORDS = (
    ("酱卤", "08.03.01.02"), ("五香", "08.03.01.02"), ("卤", "08.03.01.02"), ("酱", "08.03.01.02"),
    ("盐水", "08.03.01.01"), ("白切", "08.03.01.01"), ("白斩", "08.03.01.01"), ("白煮", "08.03.01.01"),
    ("糟", "08.03.01.03"), ("烟熏", _SMOKED_ROASTED), ("熏", _SMOKED_ROASTED), ("烤", _SMOKED_ROASTED),
    ("油炸", "08.03.03"), ("炸", "08.03.03"), ("风干", "08.02.02"), ("腊", "08.02.02"),
)  # fmt: skip


def meat_product(raw: FoodClass, code: str = "", name: str = "") -> FoodClass | None:
    """The product of a raw meat or offal (GB 2762 附录A), cooked as `code` says (GB 2760 附录E) or,
    without it, of no kind the name tells; None when `raw` is no raw meat. `name`: the raw meat as
    the label names it (猪肚, where the table's class is 其他畜禽副产品)."""
    path = raw.paths.get(TREE_2762, ())
    dst = next((dst for src, dst in _MEAT_PRODUCTS if path[: len(src)] == src), None)
    if dst is None:
        return None
    if code == _SMOKED_ROASTED:
        dst = (*dst[:2], "熏、烧、烤肉类", *dst[2:])
    paths: dict[str, tuple[str, ...]] = {TREE_2762: dst, TREE_31650: ("动物性食品",)}
    if code:
        paths[TREE_2760] = code_path(code)
    return FoodClass(f"{name or raw.name}制品", paths)


def _cooked_meat(name: str, table: dict[str, FoodClass]) -> tuple[str, FoodClass] | None:
    """ "卤猪肝" → (卤, the product of 猪肝 at 酱卤肉类): a cooking word, then a listed raw meat's
    whole name."""
    for word, code in _COOKING_WORDS:
        rest = name[len(word) :]
        if name.startswith(word) and rest:
            raw = table.get(rest)  # a whole listed name only: "五香味…" is a flavour, not 五香 cooking
            product = meat_product(raw, code, rest) if raw is not None else None
            if product is not None:
                return word, product
    return None


def _fresh_spice(fc: FoodClass, cat_class: FoodClass) -> bool:
    return cat_class.paths.get(TREE_2762, ())[:2] == ("调味品", "香辛料类") and fc.paths.get(TREE_2762, ())[
        :2
    ] == ("蔬菜及其制品", "新鲜蔬菜")


def category_class(category: str, table: dict[str, FoodClass]) -> tuple[str, FoodClass | None]:
    """The deepest segment of a sampling category ("食用农产品-蔬菜-韭菜") that the table places,
    and its class; a segment marked broad (a category spanning several standard categories,
    "罐头", "餐饮食品") places nothing and stops the search. A big category written alone
    ("糕点", not "糕点-糕点") takes its "(大类)" row where the table has one."""
    segments = category_segments(category)
    big = food_key(category.strip() + "(大类)")
    if len(segments) == 1 and big in table:
        return segments[0], _placing(table[big])
    for seg in reversed(segments):
        found = table.get(food_key(seg))
        if found is None:
            bare = _BRACKETED.sub("", food_key(seg))
            found = table.get(bare) if bare else None
        if found is not None:
            return seg, _placing(found)
    return "", None


def _placing(found: FoodClass) -> FoodClass | None:
    return found if found.paths else None


def place_food(food: str, category: str, table: dict[str, FoodClass]) -> Placement:
    """Place a sampled food: a name the normaliser makes of its label (name_candidates) that the
    synonym table lists and that lies within its sampling category; else its head noun (the
    longest listed name ending it) within that category; else a category word in its name
    ("(酱腌菜)") or its sampling category alone, marked so (the category must then decide the
    item's limit); else "无法归类". A food whose
    sampling category places nothing is placed by a whole listed name only. Fresh spices sampled
    as 香辛料 are placed as the fresh vegetable (GB 2762-2025 表1 注: 新鲜香辛料按对应的新鲜蔬菜执行)."""
    cat_name, cat_class = category_class(category, table)
    candidates = name_candidates(food) if food else ()
    segments, hints = set(category_segments(category)), set(_hints(food))
    spice = "（新鲜香辛料按对应的新鲜蔬菜类别执行）"

    def is_hint(cand: str, fc: FoodClass) -> bool:
        # a category's name given as the food's ("(酱腌菜)", "蔬菜"): it places as a category would
        return not fc.leaf and (cand in hints or cand in segments)

    refused = False  # a listed name outside the category: no head noun is then sought
    hint: tuple[str, FoodClass] | None = None
    beside: Placement | None = None  # a listed name within the big category, beside the sub-category
    for cand in candidates:
        fc = table.get(cand)
        if fc is None or not fc.paths:
            continue
        if is_hint(cand, fc):
            hint = hint or (cand, fc)
            continue
        if cat_class is None:
            return Placement(fc, f"食品名称「{cand}」→ {fc.name}")
        both = merge(fc, cat_class) or _merge_held(fc, cat_class, table)
        if both is not None:
            return Placement(both[0], f"食品名称「{cand}」→ {fc.name}", both[1])
        if _fresh_spice(fc, cat_class):
            return Placement(fc, f"食品名称「{cand}」→ {fc.name}{spice}")
        product = meat_product(fc, name=cand)
        both = merge(product, cat_class) if product is not None else None
        if both is not None:
            # a raw meat's name under a meat product's category: the tissue from the name
            why = f"食品名称「{cand}」→ {both[0].name}（制法按抽样类别「{cat_name}」）"
            return Placement(both[0], why, both[1])
        for big in () if beside else _outer_classes(category, table, cat_class):
            # the food's own listed name places it beside its sub-category, within the big
            # category (梅干菜 sampled as 蔬菜制品-酱腌菜 is a 干制蔬菜), when no other of its
            # names lies within the sub-category ("豆角（豇豆）" under 豇豆 is 豇豆)
            wider = merge(fc, big)
            if wider is not None:
                why = f"食品名称「{cand}」→ {fc.name}（抽样类别「{category}」的大类之内）"
                beside = Placement(wider[0], why, wider[1])
                break
        refused = True
    if beside is not None:
        return beside
    for cand in candidates if cat_class is not None else ():
        cooked = _cooked_meat(cand, table)
        both = merge(cooked[1], cat_class) if cooked is not None and cat_class is not None else None
        if cooked is not None and both is not None:
            return Placement(both[0], f"食品名称「{cand}」：{cooked[0]}制的{cooked[1].name}", both[1])
    if cat_class is not None and not refused:
        for cand in candidates:
            if cand in segments:
                continue
            head = _head_noun(cand, table)
            if head is None:
                continue
            word, fc = head
            both = (merge(fc, cat_class) or _merge_held(fc, cat_class, table)) if fc.paths else None
            product = meat_product(fc, name=word) if both is None else None
            if both is None and product is not None:
                both = merge(product, cat_class)
            if both is not None:
                return Placement(both[0], f"食品名称「{food}」以「{word}」结尾 → {both[0].name}", both[1])
            break  # the head noun lies outside the category: the name does not place the food
    if hint is not None:
        cand, fc = hint
        if cat_class is None or merge(fc, cat_class) is not None:
            deeper = cat_class if cat_class is not None and within(cat_class, fc) else fc
            return Placement(deeper, f"类别提示「{cand}」→ {deeper.name}", frozenset(TREES))
    if cat_class is not None:
        return Placement(cat_class, f"抽样类别「{cat_name}」→ {cat_class.name}", frozenset(TREES))
    if cat_name:
        return Placement(
            None, f"无法归类：抽样类别「{cat_name}」跨多个标准类别，食品「{food}」不在食品分类对照表中"
        )
    return Placement(None, f"无法归类：食品「{food}」（类别「{category}」）不在食品分类对照表中")


def foods_at(table: dict[str, FoodClass], outer: FoodClass, tree: str) -> tuple[FoodClass, ...]:
    """The table's foods at `outer`'s node in one tree or below it (siblings of one code too)."""
    base = outer.node_path(tree)
    if not base:
        return ()
    return tuple({id(fc): fc for fc in table.values() if fc.node_path(tree)[: len(base)] == base}.values())


def foods_below(table: dict[str, FoodClass], outer: FoodClass, tree: str) -> tuple[FoodClass, ...]:
    """The table's foods strictly below `outer` in one tree (a commodity below its group), and the
    classes it also holds with the foods below them."""
    seen: dict[int, FoodClass] = {}
    outers = [outer]
    for key in outer.holds:
        held = table.get(key)
        if held is not None and held.paths:
            seen[id(held)] = held
            outers.append(held)
    for o in outers:
        base = o.node_path(tree)
        if not base:
            continue
        for fc in table.values():
            p = fc.node_path(tree)
            if fc is not outer and len(p) > len(base) and p[: len(base)] == base:
                seen[id(fc)] = fc
    return tuple(seen.values())


@dataclass(frozen=True)
class TreeFind:
    """What a tree walk found: the row (None when no limit applies), the food's path, and why."""

    rule: LimitRule | None
    tree: str
    path: tuple[str, ...]
    reason: str


def _excepted(row: LimitRule, nodes: frozenset[str], food: FoodClass) -> str:
    for e in row.except_names:
        base = re.sub(r"(及其制品|的制品|制品)$", "", e)
        if e in nodes or base in nodes or e == food.name or base == food.name:
            return e
    return ""


ROOT = "*"


def walk_tree(rows: Sequence[LimitRule], food: FoodClass, tree: str, in_force: frozenset[str]) -> TreeFind:
    """The row of the deepest category on the food's path that has a row in force for the item
    and does not except the food; a row excepting it is passed over (its exception names the
    category that has its own row, or none)."""
    path = food.paths.get(tree)
    if path is None:
        return TreeFind(None, tree, (), f"无法在 {tree} 食品分类中归类「{food.name}」")
    # ROOT: a row for every food placed in the tree (GB 28050's tolerances of a declared value)
    nodes = frozenset(path) | {food.name, ROOT}
    depth = {ROOT: -1} | {n: i for i, n in enumerate(path)}
    depth.setdefault(food.name, len(path))
    best: tuple[int, int, int] | None = None
    chosen: LimitRule | None = None
    skipped: list[str] = []
    for order, row in enumerate(rows):
        if not row.path or row.path[-1] not in nodes or not all(p in nodes for p in row.path):
            continue
        if not any(e in in_force for e in row.editions):
            continue
        if row.only and not any(o in nodes for o in row.only):
            continue  # "（仅限…）": the use is limited to the foods named
        why = _excepted(row, nodes, food)
        if why:
            skipped.append(f"{'/'.join(row.path)}（{why}除外）")
            continue
        score = (depth[row.path[-1]], -len(row.editions), -order)
        if best is None or score > best:
            best, chosen = score, row
    if chosen is not None:
        return TreeFind(chosen, tree, path, "")
    where = " › ".join(path)
    if skipped:
        return TreeFind(None, tree, path, f"{tree} 中「{where}」无此项目限量（" + "；".join(skipped) + "）")
    return TreeFind(None, tree, path, f"{tree} 在「{where}」及其上级类别均无此项目限量")


# ---------------------------------------------------------------------------------------------
# Limit data: standards and their editions, aliases of test items, and limit rows.


@dataclass(frozen=True)
class Edition:
    code: str  # "GB 2762-2022"
    standard: str  # "GB 2762"
    title: str
    valid_from: dt.date
    valid_to: dt.date | None  # last day in force; None while in force
    source: str

    def in_force(self, on: dt.date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)


@dataclass(frozen=True)
class LimitRule:
    item: str  # canonical test item
    spec: LimitSpec
    editions: tuple[str, ...]  # edition codes this row belongs to ("GB 2762-2022", "GB 2762-2025")
    clause: str
    foods: tuple[str, ...] = ()  # food names it applies to (contained in the sample's food name)
    categories: tuple[str, ...] = ()  # sampling categories it applies to (a segment of the path)
    except_foods: tuple[str, ...] = ()
    source: str = ""
    verification: str = "M"  # V: read in the standard; V2: compiled table; M: memory; L: local reading
    note: str = ""
    row_id: str = ""
    # Rows placed on a standard's own category tree (GB 2762 附录A, GB 2760 附录E, GB 2763 附录A):
    # the path of the category the limit is set for, and the categories the row excepts.
    tree: str = ""
    path: tuple[str, ...] = ()
    except_names: tuple[str, ...] = ()
    basis: str = ""  # "以…计": Pb, NaNO2, NO2-
    source_edition: str = ""  # the edition the value was read from; older ones are assumed equal
    floor: bool = False  # a safety floor under a stricter label or grade standard (see judge)
    # GB 2760 "（仅限…）": the row applies only to the foods (or categories) named here
    only: tuple[str, ...] = ()

    def matches(self, food: str, category_segments: Sequence[str]) -> int:
        """0 when it does not apply; else a specificity score (food name beats category). A row
        that excepts foods by name cannot apply to a food whose name is not known."""
        if self.except_foods and (not food or any(x in food for x in self.except_foods)):
            return 0
        score = 0.0
        if self.foods:
            if not any(f in food for f in self.foods):
                return 0
            score += 4 + max(len(f) for f in self.foods if f in food) / 100
        if self.categories:
            hit = [c for c in self.categories if c in category_segments]
            if not hit:
                return 0
            # a deeper segment (the sub-category) is more specific than the big category
            score += 1 + max(category_segments.index(c) for c in hit) / 10
        return 1 if score == 0 else int(score * 100)


@dataclass(frozen=True)
class UseList:
    """That an additive's use list on file is complete for the editions named (GB 2760 3.4: an
    additive may be used only in the food categories of 附录A), so that a category none of its
    rows covers is "不得使用" there; except below the `open` categories or foods, whose uses in
    those editions are not verified and stay undetermined."""

    item: str
    editions: tuple[str, ...]
    open: tuple[str, ...] = ()
    clause: str = ""
    source: str = ""
    verification: str = "M"


@dataclass(frozen=True)
class Resolution:
    """The limit row that applies to one item of one food on one day, and how it was found."""

    rule: LimitRule | None
    reason: str = ""  # why there is none
    tree: str = ""
    category_path: tuple[str, ...] = ()
    placed_by: str = ""
    edition: str = ""  # the edition of the row in force on the day


@dataclass(frozen=True)
class LimitBook:
    editions: dict[str, Edition]
    aliases: dict[str, str]  # normalised variant -> canonical item
    rules: dict[str, tuple[LimitRule, ...]]  # canonical item -> rows (scoped by sampling category)
    no_retest_items: frozenset[str] = frozenset()
    foods: dict[str, FoodClass] = field(default_factory=dict)
    # canonical item -> tree -> rows placed on the standard's category tree
    tree_rules: dict[str, dict[str, tuple[LimitRule, ...]]] = field(default_factory=dict)
    additives: frozenset[str] = frozenset()  # GB 2760 additives (canonical items)
    additives_complete: frozenset[str] = frozenset()  # whose use list on file is complete
    use_lists: dict[str, tuple[UseList, ...]] = field(default_factory=dict)  # complete by edition
    _found: dict[tuple[str, str, str, frozenset[str]], Resolution] = field(
        default_factory=dict, compare=False, repr=False
    )
    _in_force: dict[dt.date, frozenset[str]] = field(default_factory=dict, compare=False, repr=False)
    _below: dict[tuple[str, tuple[str, ...]], tuple[FoodClass, ...]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def canonical_item(self, name: str) -> str:
        """The item a lab's name stands for: its alias, else the name without its trailing
        "(以…计)" or other bracketed qualifiers, as far as a limit row knows it."""
        key = item_key(name)
        first = self.aliases.get(key, key)
        cand = key
        while True:
            for c in (self.aliases.get(cand, cand), cand):
                if c in self.rules or c in self.tree_rules:
                    return c
            stripped = re.sub(r"\([^()]*\)$", "", cand)
            if stripped == cand or not stripped:
                return first
            cand = stripped

    def editions_in_force(self, on: dt.date) -> frozenset[str]:
        if on not in self._in_force:
            self._in_force[on] = frozenset(code for code, e in self.editions.items() if e.in_force(on))
        return self._in_force[on]

    def find(self, *, item: str, food: str, category: str, on: dt.date) -> LimitRule | None:
        return self.resolve(item=item, food=food, category=category, on=on).rule

    def resolve(self, *, item: str, food: str, category: str, on: dt.date) -> Resolution:
        in_force = self.editions_in_force(on)
        key = (item, food, category, in_force)
        if key not in self._found:
            found = self._resolve(item, food, category, in_force)
            if found.rule is not None:
                code = next((c for c in found.rule.editions if c in in_force), found.rule.editions[-1])
                found = replace(found, edition=code)
            self._found[key] = found
        return self._found[key]

    def _resolve(self, item: str, food: str, category: str, in_force: frozenset[str]) -> Resolution:
        canonical = self.canonical_item(item)
        by_tree = self.tree_rules.get(canonical, {})
        reasons: list[str] = []
        placed_by = ""
        if by_tree or canonical in self.additives:
            placement = place_food(food, category, self.foods)
            placed_by = placement.how
            if placement.food is None:
                reasons.append(placement.how)
            else:
                for tree in TREES:
                    rows = by_tree.get(tree)
                    if rows is None and not (tree == TREE_2760 and canonical in self.additives):
                        continue
                    found = walk_tree(rows or (), placement.food, tree, in_force)
                    if tree in placement.category_trees and found.path:
                        broad = self.category_decides(rows or (), placement.food, tree, in_force, found)
                        if broad:
                            reasons.append(f"{placement.how}；{broad}")
                            continue
                    if found.rule is not None:
                        return Resolution(found.rule, "", tree, found.path, placed_by)
                    if tree == TREE_2760 and canonical in self.additives and found.path:
                        if not any(e.startswith("GB 2760") for e in in_force):
                            reasons.append("该日期无有效的 GB 2760 版本")
                            continue
                        if canonical in self.additives_complete:
                            return Resolution(
                                _not_permitted(canonical, found.path, in_force),
                                "",
                                tree,
                                found.path,
                                placed_by,
                            )
                        listed = self._use_list(canonical, in_force)
                        if listed is not None:
                            nodes = {*found.path, placement.food.name}
                            if tree in placement.category_trees:  # any food the category holds
                                nodes |= {f.name for f in foods_at(self.foods, placement.food, tree)}
                            gap = next((o for o in listed.open if o in nodes), "")
                            coarse = "" if gap else _coarse(rows or (), placement.food, found.path, in_force)
                            if not gap and not coarse:
                                rule = _not_permitted(canonical, found.path, in_force, listed)
                                return Resolution(rule, "", tree, found.path, placed_by)
                            why = (
                                f"{'、'.join(listed.editions)} 在「{gap}」的使用范围未核实"
                                if gap
                                else f"食品的归类过粗（{coarse}有使用规定）"
                            )
                            reasons.append(found.reason + f"；{why}，不能据此判为“不得使用”")
                            continue
                        reasons.append(found.reason + "；整理表的使用范围不完整，不能据此判为“不得使用”")
                        continue
                    reasons.append(found.reason)
        legacy = self._legacy(canonical, food, category, in_force)
        if legacy is not None:
            return Resolution(legacy, "", "", (), "抽样类别（按类别适用的限量行）")
        if not by_tree and canonical not in self.additives and canonical not in self.rules:
            reasons.append(f"限量数据未收录检验项目「{item}」")
        elif not reasons:
            reasons.append(f"「{item}」在「{category or food}」无适用限量")
        return Resolution(None, "；".join(reasons), "", (), placed_by)

    def category_decides(
        self, rows: Sequence[LimitRule], food: FoodClass, tree: str, in_force: frozenset[str], found: TreeFind
    ) -> str:
        """Whether a food placed by its sampling category alone has its limit decided by the
        category: "" when every row in force below the category's node and every food the table
        places below it lead to the limit the category found (the same value: 07.02 and its
        07.02.04 may share one); else why not, beginning "抽样类别过宽"
        (a name is needed: 菠菜 and 韭菜 are both 蔬菜, with 镉 0.2 and 0.05 mg/kg)."""
        base = food.node_path(tree)
        ours = found.rule

        def same(rule: LimitRule | None) -> bool:
            if rule is None or ours is None:
                return rule is ours
            return rule is ours or (rule.spec.same_as(ours.spec) and rule.spec.kind == ours.spec.kind)

        below: list[str] = []
        for r in rows:
            deeper = len(r.path) > len(base) and r.path[: len(base)] == base
            if deeper and any(e in in_force for e in r.editions) and not same(r):
                below.append(r.path[-1])
        for other in self._foods_below(food, tree):
            if not same(walk_tree(rows, other, tree, in_force).rule):
                below.append(other.name)
        if not below:
            return ""
        names = "、".join(dict.fromkeys(below))
        if len(names) > 40:
            names = names[:40] + "…"
        return f"抽样类别过宽：{tree}「{found.path[-1]}」下的{names}等有各自的限量，须以食品名称归类"

    def _foods_below(self, food: FoodClass, tree: str) -> tuple[FoodClass, ...]:
        key = (tree, (*food.node_path(tree), *food.holds))
        if key not in self._below:
            self._below[key] = foods_below(self.foods, food, tree)
        return self._below[key]

    def _use_list(self, item: str, in_force: frozenset[str]) -> UseList | None:
        """The complete use list of a GB 2760 additive for the edition in force, if on file."""
        for listed in self.use_lists.get(item, ()):
            if any(e in in_force for e in listed.editions):
                return listed
        return None

    def _legacy(self, item: str, food: str, category: str, in_force: frozenset[str]) -> LimitRule | None:
        rows = self.rules.get(item, ())
        if not rows:
            return None
        segments = category_segments(category)
        food_n = clean_text(food)
        best: tuple[int, int] | None = None
        chosen: LimitRule | None = None
        for order, row in enumerate(rows):
            if not any(e in in_force for e in row.editions):
                continue
            score = row.matches(food_n, segments)
            if score and (best is None or (score, -order) > best):
                best, chosen = (score, -order), row
        return chosen

    def edition_for(self, rule: LimitRule, on: dt.date) -> Edition:
        for code in rule.editions:
            e = self.editions[code]
            if e.in_force(on):
                return e
        return self.editions[rule.editions[-1]]


def _coarse(
    rows: Sequence[LimitRule], food: FoodClass, path: tuple[str, ...], in_force: frozenset[str]
) -> str:
    """Why a food's place is too coarse to call an unlisted additive "不得使用": a category below
    it has a use (新鲜水果 › 经表面处理的鲜水果), or a use at its category is "仅限" some foods and
    the food is a group that may hold them (甲壳类 for "仅限海水虾蟹类"). "" when neither."""
    for row in rows:
        if not any(e in in_force for e in row.editions) or not row.path:
            continue
        if len(row.path) > len(path) and row.path[len(path) - 1] == path[-1]:
            return f"{path[-1]} 的下级类别 {row.path[-1]}"
        if row.only and food.group and row.path[-1] in path:
            return f"{row.path[-1]}（仅限{'、'.join(row.only)}）"
    return ""


def _not_permitted(
    item: str, path: tuple[str, ...], in_force: frozenset[str], listed: UseList | None = None
) -> LimitRule:
    editions = tuple(sorted(e for e in in_force if e.startswith("GB 2760")))
    clause = f"3.4 / 附录A：未列入 {path[-1]} 及其上级类别，不得使用"
    return LimitRule(
        item=item,
        spec=LimitSpec(LimitKind.NOT_PERMITTED),
        editions=editions,
        clause=clause + (f"（{listed.clause}）" if listed and listed.clause else ""),
        source=listed.source if listed else "",
        verification=listed.verification if listed else "V2",
        row_id=f"gb2760-not-listed-{path[-1]}",
        tree=TREE_2760,
        path=path,
    )


@lru_cache(maxsize=65536)
def item_key(name: str) -> str:
    """A test item's name as compared: NFKC, ASCII brackets, no spaces, no "初检结果：" prefix."""
    t = clean_text(name)
    t = re.sub(r"^(初检结果|复检结果)\s*[:：]", "", t)
    t = t.replace("（", "(").replace("）", ")").replace("[", "(").replace("]", ")")
    return re.sub(r"\s+", "", t).strip(":：")


@lru_cache(maxsize=65536)
def category_segments(category: str) -> tuple[str, ...]:
    """ "食用农产品-蔬菜-辣椒" -> its segments, deduplicated, in order, brackets normalised."""
    seen: list[str] = []
    for part in re.split(r"[-—/>]", clean_text(category)):
        p = part.strip().replace("（", "(").replace("）", ")")
        if p and p not in seen:
            seen.append(p)
    return tuple(seen)


def _dec(value: object) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError(f"not a number: {value!r}") from exc


def spec_from_row(row: dict[str, object]) -> LimitSpec:
    if "limit" in row:  # written as a bulletin would: "≤0.05g/kg", "n=5,c=2,m=10,M=100CFU/g"
        spec = parse_limit(str(row["limit"]))
        if "detection_limit" in row:
            spec = LimitSpec(**{**spec.__dict__, "detection_limit": _dec(row["detection_limit"])})
        return spec
    kind = str(row["kind"])
    if kind not in LimitKind.ALL:
        raise ValueError(f"unknown limit kind {kind!r}")
    return LimitSpec(
        kind=kind,
        unit=normalise_unit(str(row.get("unit", ""))),
        value=_dec(row.get("value")),
        low=_dec(row.get("low")),
        high=_dec(row.get("high")),
        n=int(str(row["n"])) if "n" in row else None,
        c=int(str(row["c"])) if "c" in row else None,
        m=_dec(row.get("m")),
        big_m=_dec(row.get("M")),
        detection_limit=_dec(row.get("detection_limit")),
    )


def _tuple(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (clean_text(value),)
    if isinstance(value, list):
        return tuple(clean_text(str(v)).replace("（", "(").replace("）", ")") for v in value)
    raise ValueError(f"expected a list, got {value!r}")


def limit_files(directory: Path = DATA_DIR) -> list[Path]:
    """editions first, then the curated rows (limits-*.toml), in name order."""
    return [directory / "editions.toml", *sorted(directory.glob("limits-*.toml"))]


GB2762_DATA = DATA_DIR / "gb2762-contaminants.json"
GB2760_DATA = DATA_DIR / "gb2760-additives.json"


def _editions_of(editions: dict[str, Edition], standard: str) -> tuple[str, ...]:
    return tuple(sorted(c for c, e in editions.items() if e.standard == standard))


def _tree_path(tree: str, text: str) -> tuple[str, ...]:
    if text == ROOT:
        return (ROOT,)
    if tree == TREE_2760:
        return code_path(text)
    return tuple(p for p in text.split("/") if p)


def _json_rows(
    editions: dict[str, Edition], gb2762: Path | None, gb2760: Path | None
) -> tuple[list[LimitRule], dict[str, str], set[str]]:
    """Rows of the converted standard tables (standards_import.py). A row read from the newest
    edition is taken to hold for the standard's older editions on file too, unless a curated row
    at the same category names the older edition (the more specific edition statement wins)."""
    rows: list[LimitRule] = []
    aliases: dict[str, str] = {}
    additives: set[str] = set()
    if gb2762 is not None and gb2762.exists():
        data = json.loads(gb2762.read_text(encoding="utf-8"))
        eds = _editions_of(editions, TREE_2762)
        for r in data["rows"]:
            rows.append(
                LimitRule(
                    item=item_key(r["item"]),
                    spec=parse_limit(r["limit"]),
                    editions=eds,
                    clause=r["clause"],
                    source=data["source"],
                    verification=data["verification"],
                    note=r["note"],
                    row_id=r["id"],
                    tree=TREE_2762,
                    path=tuple(r["path"]),
                    except_names=tuple(r["except"]),
                    basis=r["basis"],
                    source_edition=data["edition"],
                )
            )
    if gb2760 is not None and gb2760.exists():
        data = json.loads(gb2760.read_text(encoding="utf-8"))
        eds = _editions_of(editions, TREE_2760)
        for a in data["additives"]:
            name = item_key(a["name"])
            additives.add(name)
            for alias in a["aliases"]:
                aliases.setdefault(item_key(alias), name)
        for u in data["uses"]:
            if u["kind"] == "gmp":
                spec = LimitSpec(LimitKind.GMP)
            elif u["kind"] == "max":
                spec = LimitSpec(LimitKind.MAX, unit=normalise_unit(u["unit"]), value=Decimal(u["value"]))
            else:
                continue
            rows.append(
                LimitRule(
                    item=item_key(u["item"]),
                    spec=spec,
                    editions=eds,
                    clause=f"附录A 表A.1 {u['item']}：{u['code']} {u['food']}",
                    source=data["source"],
                    verification=data["verification"],
                    note=u["note"],
                    row_id=u["id"],
                    tree=TREE_2760,
                    path=code_path(u["code"]),
                    basis=u["basis"],
                    source_edition=data["edition"],
                )
            )
            if u["residue"]:  # "铝的残留量≤100mg/kg": the residue item judged against it
                rows.append(
                    LimitRule(
                        item=item_key(u["item"]) + "残留量",
                        spec=parse_limit(u["residue"]),
                        editions=eds,
                        clause=f"附录A 表A.1 {u['item']}（残留量）：{u['code']} {u['food']}",
                        source=data["source"],
                        verification=data["verification"],
                        note=u["note"],
                        row_id=u["id"] + "-residue",
                        tree=TREE_2760,
                        path=code_path(u["code"]),
                        source_edition=data["edition"],
                    )
                )
    return rows, aliases, additives


def load_limit_book(
    paths: Iterable[Path] | None = None,
    *,
    gb2762: Path | None = GB2762_DATA,
    gb2760: Path | None = GB2760_DATA,
    foods: Path | None = FOODS_FILE,
) -> LimitBook:
    """Read editions, aliases and limit rows: the curated TOML rows (scoped by sampling category,
    or placed on a standard's tree with `tree` and `path`) and the converted GB 2762 / GB 2760
    tables. Rows of one item keep file order: on equal specificity the earlier row wins."""
    editions: dict[str, Edition] = {}
    aliases: dict[str, str] = {}
    rules: dict[str, list[LimitRule]] = {}
    tree_rules: dict[str, dict[str, list[LimitRule]]] = {}
    no_retest: set[str] = set()
    complete: set[str] = set()
    use_lists: dict[str, list[UseList]] = {}
    suppress_items: set[str] = set()  # converted rows left out (misaligned in the compiled table)
    suppress_rows: set[str] = set()
    curated_tree: list[LimitRule] = []
    for path in limit_files() if paths is None else paths:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for e in data.get("edition", []):
            editions[e["code"]] = Edition(
                code=e["code"],
                standard=e["standard"],
                title=e["title"],
                valid_from=e["valid_from"],
                valid_to=e.get("valid_to"),
                source=e["source"],
            )
        for canonical, variants in data.get("aliases", {}).items():
            for v in [canonical, *variants]:
                aliases[item_key(v)] = item_key(canonical)
        for item in data.get("microbiological", {}).get("no_retest", []):
            no_retest.add(item_key(item))
        for item in data.get("gb2760", {}).get("uses_complete", []):
            complete.add(item_key(item))
        for i, u in enumerate(data.get("gb2760", {}).get("complete", []), start=1):
            eds = _tuple(u["editions"])
            if not eds or any(code not in editions for code in eds):
                raise ValueError(f"{path.name} [[gb2760.complete]] #{i}: unknown edition in {eds!r}")
            name = item_key(str(u["item"]))
            use_lists.setdefault(aliases.get(name, name), []).append(
                UseList(
                    item=aliases.get(name, name),
                    editions=eds,
                    open=tuple(str(x) for x in u.get("open", [])),
                    clause=str(u.get("clause", "")),
                    source=str(u.get("source", "")),
                    verification=str(u.get("verification", "M")),
                )
            )
        conv = data.get("gb2760", {}).get("converted", {})
        suppress_items.update(item_key(x) for x in conv.get("suppress_items", []))
        suppress_rows.update(str(x) for x in conv.get("suppress_rows", []))
        for i, row in enumerate(data.get("limit", []), start=1):
            where = f"{path.name} [[limit]] #{i}"
            try:
                item = item_key(str(row["item"]))
                eds = _tuple(row["editions"])
                for code in eds:
                    if code not in editions:
                        raise ValueError(f"unknown edition {code!r}")
                tree = str(row.get("tree", ""))
                if tree and tree not in TREES:
                    raise ValueError(f"unknown tree {tree!r}")
                rule = LimitRule(
                    item=aliases.get(item, item),
                    spec=spec_from_row(row),
                    editions=eds,
                    clause=str(row.get("clause", "")),
                    foods=_tuple(row.get("foods")),
                    categories=_tuple(row.get("categories")),
                    except_foods=_tuple(row.get("except_foods")),
                    source=str(row.get("source", "")),
                    verification=str(row.get("verification", "M")),
                    note=str(row.get("note", "")),
                    row_id=str(row.get("id", f"{path.stem}#{i}")),
                    tree=tree,
                    path=_tree_path(tree, str(row["path"])) if tree else (),
                    except_names=tuple(str(x) for x in row.get("except", [])),
                    basis=str(row.get("basis", "")),
                    floor=bool(row.get("floor", False)),
                    only=tuple(str(x) for x in row.get("only", [])),
                )
            except (KeyError, ValueError) as exc:
                raise ValueError(f"{where}: {exc}") from exc
            if tree:
                curated_tree.append(rule)
                continue
            if not rule.foods and not rule.categories:
                raise ValueError(f"{where}: a limit needs foods or categories, or a tree and path")
            rules.setdefault(rule.item, []).append(rule)
    converted, additive_aliases, additives = _json_rows(editions, gb2762, gb2760)
    converted = [
        replace(r, item=aliases.get(r.item, r.item))
        for r in converted
        if r.item not in suppress_items and r.row_id not in suppress_rows
    ]
    for variant, canonical in additive_aliases.items():
        aliases.setdefault(variant, canonical)
    for rule in [*curated_tree, *converted]:
        tree_rules.setdefault(rule.item, {}).setdefault(rule.tree, []).append(rule)
        is_additive_row = any(e.startswith("GB 2760") for e in rule.editions)
        if rule.tree == TREE_2760 and is_additive_row and not rule.item.endswith("残留量"):
            additives.add(rule.item)
    additives |= complete | set(use_lists)
    return LimitBook(
        editions,
        aliases,
        {k: tuple(v) for k, v in rules.items()},
        frozenset(no_retest),
        foods=load_food_table(foods) if foods is not None else {},
        tree_rules={k: {t: tuple(v) for t, v in by.items()} for k, by in tree_rules.items()},
        additives=frozenset(additives),
        additives_complete=frozenset(complete),
        use_lists={k: tuple(v) for k, v in use_lists.items()},
    )


@lru_cache(maxsize=1)
def default_limit_book() -> LimitBook:
    return load_limit_book()


# ---------------------------------------------------------------------------------------------
# Judgment.


class Verdict:
    QUALIFIED = "qualified"
    UNQUALIFIED = "unqualified"
    UNDETERMINED = "undetermined"


@dataclass(frozen=True)
class Judgment:
    verdict: str
    reason: str
    limit_text: str = ""
    standard: str = ""
    edition: str = ""
    clause: str = ""
    rule_id: str = ""
    verification: str = ""
    # the result in the limit's unit (for a plan: the number of units above m and above M)
    value_in_limit_unit: Decimal | None = None
    counts: tuple[int, int] | None = None
    spec: LimitSpec | None = field(default=None, compare=False)
    # how the limit was found: the food's category path in the standard and how it was placed
    tree: str = ""
    category_path: str = ""
    placed_by: str = ""
    note: str = ""


def judge_value(
    measured: Measured, spec: LimitSpec
) -> tuple[str, str, Decimal | None, tuple[int, int] | None]:
    """The verdict of one measured result against one limit, with the reason.

    GB 4789.1-2016 §3.3: a two-class plan (c units may exceed m, none may exceed … M absent)
    and a three-class plan (at most c of n units in (m, M], none above M). A value exactly at a
    maximum limit is qualified (GB/T 8170 "修约值比较法" as applied by the sampling rules)."""
    if spec.kind == LimitKind.GMP:
        return Verdict.QUALIFIED, "按生产需要适量使用（GB 2760 未规定最大使用量）", None, None
    if spec.kind in (LimitKind.NOT_DETECTED, LimitKind.NOT_PERMITTED):
        if not measured.detected:
            return Verdict.QUALIFIED, "未检出", None, None
        if not measured.values:
            return Verdict.UNQUALIFIED, "检出（不得检出/不得使用）", None, None
        value = max(measured.values)
        if measured.lod is not None:  # the lab's own detection limit first
            lod_unit = measured.lod_unit or measured.unit
            lab_lod = (
                convert(measured.lod, lod_unit, measured.unit) if measured.unit and lod_unit else measured.lod
            )
            if value < lab_lod:
                return Verdict.QUALIFIED, "低于实验室检出限，视为未检出", value, None
        elif spec.detection_limit is not None and measured.unit and spec.unit:
            lod = convert(spec.detection_limit, spec.unit, measured.unit)
            if value < lod:
                return Verdict.QUALIFIED, "低于方法检出限，视为未检出", value, None
        return Verdict.UNQUALIFIED, "检出（不得检出/不得使用）", value, None
    if spec.kind == LimitKind.PLAN:
        if spec.n is None or spec.c is None or spec.m is None:
            raise ValueError("a sampling plan needs n, c and m")
        if not measured.values:
            if measured.detected:
                return Verdict.UNQUALIFIED, "检出", None, None
            return Verdict.QUALIFIED, "未检出", None, None
        values = [convert(v, measured.unit or spec.unit, spec.unit) for v in measured.values]
        if len(values) == 1 and spec.n > 1:
            # A single figure given for a plan (a summary): all units judged by it.
            values = values * spec.n
        over_m = sum(1 for v in values if v > spec.m)
        over_big = sum(1 for v in values if spec.big_m is not None and v > spec.big_m)
        ok = over_m <= spec.c if spec.big_m is None else (over_big == 0 and over_m <= spec.c)
        reason = f"{len(values)} 件中 {over_m} 件超过 m" + (
            f"，{over_big} 件超过 M" if spec.big_m is not None else ""
        )
        return (Verdict.QUALIFIED if ok else Verdict.UNQUALIFIED), reason, None, (over_m, over_big)
    if not measured.detected:
        if spec.kind == LimitKind.MIN or spec.kind == LimitKind.RANGE:
            return Verdict.UNQUALIFIED, "未检出，低于要求的最低含量", None, None
        return Verdict.QUALIFIED, "未检出或低于检出限", None, None
    if not measured.values:  # "检出" / "阳性" without a figure cannot be compared with a limit value
        raise UnreadableResult("检出但无数值，无法与限量值比较")
    value = max(measured.values) if spec.kind != LimitKind.MIN else min(measured.values)
    if measured.unit and spec.unit:
        value = convert(value, measured.unit, spec.unit)
    if spec.kind == LimitKind.MAX:
        if spec.value is None:
            raise ValueError("a maximum or minimum needs a value")
        ok = value <= spec.value
        return (
            (Verdict.QUALIFIED if ok else Verdict.UNQUALIFIED),
            ("不超过限量" if ok else "超过限量"),
            value,
            None,
        )
    if spec.kind == LimitKind.MIN:
        if spec.value is None:
            raise ValueError("a maximum or minimum needs a value")
        ok = value >= spec.value
        return (
            (Verdict.QUALIFIED if ok else Verdict.UNQUALIFIED),
            ("不低于要求" if ok else "低于要求"),
            value,
            None,
        )
    if spec.low is None or spec.high is None:
        raise ValueError("a range needs both ends")
    ok = spec.low <= value <= spec.high
    return (Verdict.QUALIFIED if ok else Verdict.UNQUALIFIED), ("在范围内" if ok else "超出范围"), value, None


# Molar masses for results expressed "以…计" on another basis than the limit (亚硝酸盐以 NaNO2 计
# in GB 2762 tables, 以 NO2⁻ 计 for water): value × M(limit basis) / M(result basis).
_BASIS_MASS = {
    "NaNO2": Decimal("68.995"),
    "NO2-": Decimal("46.005"),
    "NaNO3": Decimal("84.994"),
    "NO3-": Decimal("62.004"),
}
_ITEM_BASIS = re.compile(r"以\s*([A-Za-z0-9\-+]+)\s*计")


def basis_factor(item: str, rule: LimitRule) -> Decimal:
    """The factor turning a result expressed on the item's basis into the rule's basis (1 when
    the same or not stated)."""
    return _basis_factor(item, rule.basis)


@lru_cache(maxsize=4096)
def _basis_factor(item: str, basis: str) -> Decimal:
    m = _ITEM_BASIS.search(clean_text(item).replace("^-", "-").replace("亚硝酸钠", "NaNO2"))
    ours = clean_text(basis).replace("^-", "-")
    if not m or not ours:
        return Decimal(1)
    theirs = m.group(1)
    if theirs == ours or theirs not in _BASIS_MASS or ours not in _BASIS_MASS:
        return Decimal(1)
    return _BASIS_MASS[ours] / _BASIS_MASS[theirs]


def judge(
    *,
    book: LimitBook,
    item: str,
    result: str,
    food: str,
    category: str,
    on: dt.date,
    unit: str = "",
    detection_limit: str = "",
    declared: str = "",
    concentration: Decimal | None = None,
) -> Judgment:
    """Judge one test item of one sample against the limit in force on `on`: the row of the
    food's category in the standard's tree (or of its sampling category), with the path and the
    way the food was placed; undetermined with the missing piece named when there is none.

    `declared`: the label's declared value of the item, from the sample's record ("42%vol"), for
    a row judged against the label (标签标示值 ± tolerance). `concentration`: the dehydration or
    concentration ratio of a dried or concentrated food (GB 2762-2022 3.5): the limit of the fresh
    food, found by `food`/`category` naming it, is multiplied by it (see `dried_spec`)."""
    found = book.resolve(item=item, food=food, category=category, on=on)
    rule = found.rule
    if rule is None:
        return Judgment(Verdict.UNDETERMINED, f"无适用限量：{found.reason}", placed_by=found.placed_by)
    if rule.spec.kind == LimitKind.DECLARED:
        return _judge_declared(book, found, rule, item, result, declared, on, unit)
    if concentration is not None and rule.spec.kind not in (LimitKind.NOT_DETECTED, LimitKind.NOT_PERMITTED):
        try:
            rule = replace(rule, spec=dried_spec(rule.spec, concentration))
        except ValueError as exc:
            return Judgment(Verdict.UNDETERMINED, f"无法按脱水率折算：{exc}", placed_by=found.placed_by)
    edition = book.editions[found.edition] if found.edition else book.edition_for(rule, on)
    note = ""
    if rule.source_edition and rule.source_edition != edition.code:
        note = f"数值取自 {rule.source_edition}，{edition.code} 同值系假定（未核对）"
    base = {
        "limit_text": rule.spec.text(),
        "standard": edition.standard,
        "edition": edition.code,
        "clause": rule.clause,
        "rule_id": rule.row_id,
        "verification": rule.verification,
        "spec": rule.spec,
        "tree": found.tree,
        "category_path": " › ".join(found.category_path),
        "placed_by": found.placed_by,
        "note": note,
    }
    try:
        measured = parse_result(result, default_unit=unit or rule.spec.unit)
        if detection_limit.strip():  # the lab's detection limit recorded beside the result
            lod_value, lod_unit = split_unit(detection_limit)
            lod = parse_number(lod_value)
            if lod is not None:
                measured = Measured(
                    measured.values,
                    measured.unit,
                    measured.detected,
                    measured.below,
                    lod,
                    lod_unit or measured.unit or rule.spec.unit,
                )
        measured = _item_unit(book.canonical_item(item), measured, rule.spec.unit)
        factor = basis_factor(item, rule)
        if factor != 1 and measured.values:
            measured = Measured(
                tuple(v * factor for v in measured.values),
                measured.unit,
                measured.detected,
                measured.below,
                measured.lod,
                measured.lod_unit,
            )
        verdict, reason, value, counts = judge_value(measured, rule.spec)
    except (UnreadableResult, UnitMismatch) as exc:
        return Judgment(Verdict.UNDETERMINED, f"结果无法判定：{result}（{exc}）", **base)  # type: ignore[arg-type]
    if rule.floor and verdict == Verdict.QUALIFIED:
        verdict = Verdict.UNDETERMINED
        reason = f"符合{edition.code}的限量；是否符合标签标示的产品等级标准，须按其指标判定"
    return Judgment(verdict, reason, value_in_limit_unit=value, counts=counts, **base)  # type: ignore[arg-type]


# Units that convert only for one item: a peroxide value in mmol/kg (GB/T grade standards of oils)
# and in g/100g (GB 2716 and the product standards): GB 5009.227-2016 第一法 gives
# X(g/100g) = (V−V0)·c·0.1269/m·100 and X(mmol/kg) = (V−V0)·c/(2m)·1000, so 1 mmol/kg = 0.02538 g/100g.
_ITEM_UNITS: dict[tuple[str, str, str], Decimal] = {
    ("过氧化值(以脂肪计)", "mmol/kg", "g/100g"): Decimal("0.02538"),
}


def _item_unit(canonical: str, measured: Measured, to_unit: str) -> Measured:
    factor = _ITEM_UNITS.get((canonical, measured.unit, to_unit))
    if factor is None:
        return measured
    return replace(measured, values=tuple(v * factor for v in measured.values), unit=to_unit)


def dried_spec(spec: LimitSpec, concentration: Decimal) -> LimitSpec:
    """GB 2762-2022 3.5 [M: clause number]: a dried, dehydrated or concentrated food without a
    limit of its own is judged by the fresh food's limit converted by the dehydration or
    concentration ratio (fresh weight ÷ dried weight). Only a maximum converts; a ratio below 1
    is no dehydration."""
    if spec.kind != LimitKind.MAX or spec.value is None:
        raise ValueError(_("只有最大限量可按脱水率折算（%(value)s）") % {"value": spec.text()})
    if concentration < 1:
        raise ValueError(
            _("脱水率或浓缩率须不小于 1（%(concentration)s）") % {"concentration": concentration}
        )
    return replace(spec, value=spec.value * concentration)


def _judge_declared(
    book: LimitBook,
    found: Resolution,
    rule: LimitRule,
    item: str,
    result: str,
    declared: str,
    on: dt.date,
    unit: str,
) -> Judgment:
    """A quality item judged against the label: declared − tolerance ≤ result ≤ declared + tolerance
    (the product standard's 允许差). Without the declared value nothing is judged."""
    edition = book.editions[found.edition] if found.edition else book.edition_for(rule, on)
    base = {
        "standard": edition.standard,
        "edition": edition.code,
        "clause": rule.clause,
        "rule_id": rule.row_id,
        "verification": rule.verification,
        "tree": found.tree,
        "category_path": " › ".join(found.category_path),
        "placed_by": found.placed_by,
    }
    if not declared.strip():
        return Judgment(
            Verdict.UNDETERMINED,
            f"须标签标示值：{item}按{rule.spec.text()}判定（{rule.clause}），记录未载明标示值",
            limit_text=rule.spec.text(),
            spec=rule.spec,
            **base,  # type: ignore[arg-type]
        )
    try:
        label = parse_result(declared, default_unit=rule.spec.unit)
        if not label.values:
            raise UnreadableResult("标签标示值无数值")
        measured = parse_result(result, default_unit=unit or rule.spec.unit or label.unit)
        spec_unit = rule.spec.unit or label.unit or measured.unit
        value = convert(label.values[0], label.unit or spec_unit, spec_unit)
        spec = _declared_spec(rule.spec, value, spec_unit)
        verdict, reason, got, counts = judge_value(measured, spec)
    except (UnreadableResult, UnitMismatch) as exc:
        return Judgment(
            Verdict.UNDETERMINED,
            f"结果无法判定：{result}（标签标示值 {declared}；{exc}）",
            limit_text=rule.spec.text(),
            spec=rule.spec,
            **base,  # type: ignore[arg-type]
        )
    return Judgment(
        verdict,
        f"{reason}（标签标示值 {_fmt(value)}{spec_unit}）",
        limit_text=spec.text(),
        value_in_limit_unit=got,
        counts=counts,
        spec=spec,
        **base,
    )


def _declared_spec(rule_spec: LimitSpec, declared: Decimal, unit: str) -> LimitSpec:
    """The limit a declared value sets: declared ± an absolute tolerance (酒精度 ±1.0 %vol), or a
    share of it (GB 28050-2011 表2: 蛋白质 ≥80%, 钠 ≤120% of the declared value)."""
    low, high = rule_spec.low, rule_spec.high
    if low is None and high is None:
        tolerance = rule_spec.value or Decimal(0)
        return LimitSpec(LimitKind.RANGE, unit=unit, low=declared - tolerance, high=declared + tolerance)
    if low is not None and high is not None:
        return LimitSpec(LimitKind.RANGE, unit=unit, low=declared * low, high=declared * high)
    if low is not None:
        return LimitSpec(LimitKind.MIN, unit=unit, value=declared * low)
    return LimitSpec(LimitKind.MAX, unit=unit, value=declared * (high or Decimal(1)))


def sample_conclusion(verdicts: Iterable[str]) -> str:
    """A sample is unqualified when any item is; undetermined when an item cannot be judged."""
    vs = list(verdicts)
    if Verdict.UNQUALIFIED in vs:
        return Verdict.UNQUALIFIED
    if not vs or Verdict.UNDETERMINED in vs:
        return Verdict.UNDETERMINED
    return Verdict.QUALIFIED


# ---------------------------------------------------------------------------------------------
# Deadlines of a sample's life (《食品安全抽样检验管理办法》, SAMR 令第15号), versioned in
# data/deadlines.toml.

DEADLINES_FILE = DATA_DIR / "deadlines.toml"


@dataclass(frozen=True)
class DeadlineRule:
    code: str
    name: str
    days: int
    day_type: str  # "working" | "calendar" | "hours"
    start_event: str
    article: str
    verification: str
    # Whose deadline it is: "bureau" (the office, its lab, its town: late is overdue) or "business"
    # (the sampled business's own window to apply for a re-test or object: it closes, it is never
    # the bureau's lateness).
    party: str = "bureau"


@dataclass(frozen=True)
class DeadlineRules:
    id: str
    valid_from: dt.date
    source: str
    warn_working_days: int
    rules: dict[str, DeadlineRule]

    def __getitem__(self, code: str) -> DeadlineRule:
        return self.rules[code]


def load_deadline_rules(path: Path = DEADLINES_FILE) -> list[DeadlineRules]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    out = []
    for e in data["edition"]:
        rules = {
            d["code"]: DeadlineRule(
                code=d["code"],
                name=d["name"],
                days=int(d["days"]),
                day_type=d["day_type"],
                start_event=d["start_event"],
                article=d["article"],
                verification=d["verification"],
                party=d.get("party", "bureau"),
            )
            for d in e["deadline"]
        }
        out.append(DeadlineRules(e["id"], e["valid_from"], e["source"], int(e["warn_working_days"]), rules))
    return sorted(out, key=lambda r: r.valid_from)


def deadline_rules_in_force(on: dt.date, editions: Sequence[DeadlineRules] | None = None) -> DeadlineRules:
    editions = load_deadline_rules() if editions is None else editions
    applicable = [e for e in editions if e.valid_from <= on]
    if not applicable:
        raise LookupError(f"no sampling deadline rules in force on {on}")
    return applicable[-1]


def due_date(
    rule: DeadlineRule, start: dt.date, add_working_days: Callable[[dt.date, int], dt.date]
) -> dt.date:
    """The due date of a deadline rule counted from `start` (working days through the calendar)."""
    if rule.day_type == "working":
        return add_working_days(start, rule.days)
    if rule.day_type == "calendar":
        return start + dt.timedelta(days=rule.days)
    raise ValueError(f"{rule.code}: {rule.day_type} deadlines are counted in hours, not dates")


class AlertLevel:
    NONE = "none"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    WINDOW_OPEN = "window"  # a business's own window, still open
    WINDOW_CLOSED = "window_closed"  # a business's own window, passed (not the bureau's lateness)


def business_window_codes(editions: Sequence[DeadlineRules] | None = None) -> frozenset[str]:
    """The deadline codes that are the sampled business's own windows, in any edition."""
    if editions is None:
        return _default_window_codes()
    return frozenset(code for e in editions for code, r in e.rules.items() if r.party == "business")


@lru_cache(maxsize=1)
def _default_window_codes() -> frozenset[str]:
    return business_window_codes(load_deadline_rules())


def deadline_alert(
    *, code: str, due: dt.date, today: dt.date, working_days_left: int, warn_working_days: int
) -> str:
    """alert_level for the bureau's deadlines; a business's own window is open or closed, never
    overdue or due soon (《抽样检验管理办法》第三十条、第三十七条: the business's right, its choice)."""
    if code in business_window_codes():
        return AlertLevel.WINDOW_CLOSED if today > due else AlertLevel.WINDOW_OPEN
    return alert_level(
        due=due, today=today, working_days_left=working_days_left, warn_working_days=warn_working_days
    )


def public_article(article: str) -> str:
    """A stored legal reference as readers see it: reviewers' notes in brackets are not theirs."""
    return re.sub(r"（[^（）]*待核对[^（）]*）", "", article)


def alert_level(*, due: dt.date, today: dt.date, working_days_left: int, warn_working_days: int) -> str:
    """Before a deadline: due soon when at most `warn_working_days` working days remain; after it: overdue."""
    if today > due:
        return AlertLevel.OVERDUE
    if working_days_left <= warn_working_days:
        return AlertLevel.DUE_SOON
    return AlertLevel.NONE


def retest_allowed(*, item: str, book: LimitBook) -> bool:
    """No re-test for a failed microbiological item (《抽样检验管理办法》第三十一条, [M])."""
    return book.canonical_item(item) not in book.no_retest_items


def draw_retest_lab(*, candidates: Sequence[str], first_lab: str, seed: int) -> str:
    """The re-test lab drawn at random from the published list, never the first lab (第三十二条)."""
    pool = sorted(c for c in candidates if c != first_lab)
    if not pool:
        raise LookupError("no re-test lab other than the first lab")
    # A seeded draw so that the draw is reproducible from the recorded seed.
    return pool[(seed * 2654435761 % 2**32) % len(pool)]


# ---------------------------------------------------------------------------------------------
# Quick tests (快检) of edible agricultural products, versioned in data/quick-tests.toml.

QUICK_TESTS_FILE = DATA_DIR / "quick-tests.toml"


class QuickResult:
    NEGATIVE = "negative"
    POSITIVE = "positive"


@dataclass(frozen=True)
class QuickTestItem:
    code: str
    name: str
    aliases: tuple[str, ...]
    products: tuple[str, ...]
    method: str
    reading: str
    positive_at_or_above: Decimal | None
    threshold_source: str
    verification: str


@dataclass(frozen=True)
class QuickTestRules:
    id: str
    valid_from: dt.date
    source: str
    objection_hours: int
    objection_article: str
    objection_verification: str
    retest_rapid_method_allowed: bool
    retest_article: str
    followup_working_days: int
    followup_article: str
    followup_verification: str
    measures_required: tuple[str, ...]
    measures_article: str
    measures: dict[str, str]  # code -> name
    items: dict[str, QuickTestItem]  # code -> item

    def item(self, name: str) -> QuickTestItem | None:
        """The item a record names, by its name, its code or one of the names markets use."""
        key = item_key(name)
        for it in self.items.values():
            if key in {item_key(it.name), item_key(it.code), *(item_key(a) for a in it.aliases)}:
                return it
        return None


def load_quick_test_rules(path: Path = QUICK_TESTS_FILE) -> list[QuickTestRules]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    out = []
    for e in data["edition"]:
        items = {
            i["code"]: QuickTestItem(
                code=i["code"],
                name=i["name"],
                aliases=_tuple(i.get("aliases", ())),
                products=_tuple(i.get("products", ())),
                method=i["method"],
                reading=i["reading"],
                positive_at_or_above=_dec(i.get("positive_at_or_above")),
                threshold_source=i["threshold_source"],
                verification=i["verification"],
            )
            for i in e["item"]
        }
        out.append(
            QuickTestRules(
                id=e["id"],
                valid_from=e["valid_from"],
                source=e["source"],
                objection_hours=int(e["objection"]["hours"]),
                objection_article=e["objection"]["article"],
                objection_verification=e["objection"]["verification"],
                retest_rapid_method_allowed=bool(e["retest"]["rapid_method_allowed"]),
                retest_article=e["retest"]["article"],
                followup_working_days=int(e["followup"]["working_days"]),
                followup_article=e["followup"]["article"],
                followup_verification=e["followup"]["verification"],
                measures_required=_tuple(e["measures"]["required_on_positive"]),
                measures_article=e["measures"]["article"],
                measures={m["code"]: m["name"] for m in e["measure"]},
                items=items,
            )
        )
    return sorted(out, key=lambda r: r.valid_from)


@lru_cache(maxsize=1)
def _quick_test_editions() -> tuple[QuickTestRules, ...]:
    return tuple(load_quick_test_rules())


def quick_test_rules_in_force(
    on: dt.date, editions: Sequence[QuickTestRules] | None = None
) -> QuickTestRules:
    editions = _quick_test_editions() if editions is None else editions
    applicable = [e for e in editions if e.valid_from <= on]
    if not applicable:
        raise LookupError(f"no quick-test rules in force on {on}")
    return applicable[-1]


def objection_deadline(*, notified_at: dt.datetime, rules: QuickTestRules) -> dt.datetime:
    """The end of the objection window: clock hours from the moment the operator received the
    result (食品安全法第八十八条第二款 "自收到检测结果时起四小时内"), so nights and holidays count."""
    if notified_at.tzinfo is None:
        raise ValueError("the notification time must be timezone-aware")
    return notified_at + dt.timedelta(hours=rules.objection_hours)


def objection_in_time(*, notified_at: dt.datetime, filed_at: dt.datetime, rules: QuickTestRules) -> bool:
    """An objection counts when raised after the operator was told and no later than the end of
    the window (the last instant of the fourth hour is still "within four hours")."""
    return notified_at <= filed_at <= objection_deadline(notified_at=notified_at, rules=rules)


class UnreadableReading(ValueError):
    pass


_PLAIN_NUMBER = re.compile(r"\d+(\.\d+)?")


def parse_reading(text: str) -> Decimal | None:
    """A reading as a number ("62.5", "62.5%", "抑制率 62.5 %"); None when blank. A reading that is
    not a number (a colour line "T线消失") is left to the qualitative result."""
    t = re.sub(r"\s+", "", clean_text(text).replace("抑制率", "")).removesuffix("%").strip(":：")
    if not t:
        return None
    if not _PLAIN_NUMBER.fullmatch(t):
        raise UnreadableReading(text)
    return Decimal(t)


def reading_result(*, item: QuickTestItem, reading: str) -> str | None:
    """The qualitative result a numeric reading implies where the method fixes a threshold
    (酶抑制法: inhibition ≥ 50 % is positive, GB/T 5009.199-2003 [M]); None when it does not."""
    if item.positive_at_or_above is None:
        return None
    try:
        value = parse_reading(reading)
    except UnreadableReading:
        return None
    if value is None:
        return None
    return QuickResult.POSITIVE if value >= item.positive_at_or_above else QuickResult.NEGATIVE


def followup_due(
    *, confirmed_on: dt.date, rules: QuickTestRules, add_working_days: Callable[[dt.date, int], dt.date]
) -> dt.date:
    """The day the follow-up supervisory sample should be taken by, in working days (a local
    rule, data/quick-tests.toml [L])."""
    return add_working_days(confirmed_on, rules.followup_working_days)


# ---------------------------------------------------------------------------------------------
# Which unit of the plan a sample counts for (data/units.toml): the plan's task (十三) splits the
# district's batches between the market regulator and the agriculture committee.

UNITS_FILE = DATA_DIR / "units.toml"


@dataclass(frozen=True)
class UnitRule:
    id: str
    valid_from: dt.date
    source: str
    verification: str
    default: str
    names: dict[str, str]  # unit code -> name
    by_department: dict[str, str]  # department code -> unit code


def load_unit_rule(path: Path = UNITS_FILE) -> UnitRule:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    rule = data["rule"]
    names = {u["code"]: u["name"] for u in data["unit"]}
    by_department: dict[str, str] = {}
    for u in data["unit"]:
        for dept in u["departments"]:
            if dept in by_department:
                raise ValueError(f"{path.name}: department {dept!r} belongs to two units")
            by_department[dept] = u["code"]
    if rule["default"] not in names:
        raise ValueError(f"{path.name}: default unit {rule['default']!r} is not a [[unit]]")
    return UnitRule(
        rule["id"],
        rule["valid_from"],
        rule["source"],
        rule["verification"],
        rule["default"],
        names,
        by_department,
    )


@lru_cache(maxsize=1)
def default_unit_rule() -> UnitRule:
    return load_unit_rule()


def responsible_unit(department: str | None, rule: UnitRule) -> str:
    """The plan's unit a sample counts for: the unit of the department of whoever recorded the
    on-site sampling; anyone without one of the listed departments counts for the default unit
    (北辰区2022年食品安全监督管理计划 任务（十三）, local working rule)."""
    if department is None:
        return rule.default
    return rule.by_department.get(department, rule.default)


# ---------------------------------------------------------------------------------------------
# Sampling categories and their test items by edition of SAMR's 《食品安全监督抽检实施细则》
# (data/sampling-categories.toml). A sample is classified with the edition in force on its
# sampling date; where an edition's content is not on file the answer says so ("unknown").

CATEGORIES_FILE = DATA_DIR / "sampling-categories.toml"
UNKNOWN = "unknown"


def _category_key(name: str) -> str:
    """A category name as compared: NFKC, ASCII brackets, no spaces."""
    return re.sub(r"\s+", "", clean_text(name).replace("（", "(").replace("）", ")"))


def _short(name: str) -> str:
    """ "果酒(发酵型)" -> "果酒": a sample's path often leaves the qualifier out."""
    return re.sub(r"\([^)]*\)$", "", name)


@dataclass(frozen=True)
class SamplingCategory:
    no: int
    name: str
    subcategories: tuple[str, ...]
    subcategories_complete: bool
    verification: str


@dataclass(frozen=True)
class ItemList:
    category: str
    subcategory: str  # "" for the whole big category
    items: tuple[str, ...]
    complete: bool  # False: the source's list ends in "等" or is known to be partial
    verification: str
    source: str


@dataclass(frozen=True)
class SamplingEdition:
    code: str
    title: str
    valid_from: dt.date
    dates_verification: str
    verification: str
    source: str
    categories: tuple[SamplingCategory, ...]
    items: dict[tuple[str, str], ItemList] = field(default_factory=dict)

    def category(self, name: str) -> SamplingCategory | None:
        key = _category_key(name)
        return next((c for c in self.categories if _category_key(c.name) == key), None)


@dataclass(frozen=True)
class CategoryItems:
    """The answer of test_items_for: which edition, which category, and its test items when on file."""

    edition: str
    edition_title: str
    category: str  # the big category, "" when the path names none of the edition's
    subcategory: str
    items: tuple[str, ...]
    complete: bool
    verification: str  # of the item list; "unknown" when the edition's list is not on file
    source: str

    @property
    def known(self) -> bool:
        return bool(self.items)


def load_sampling_editions(path: Path = CATEGORIES_FILE) -> tuple[SamplingEdition, ...]:
    """Read the editions, oldest first. An edition may take its categories from another
    (`categories_from`), marked with its own verification; its test items are its own."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    raw = {e["code"]: e for e in data["edition"]}
    out = []
    for i, e in enumerate(data["edition"], start=1):
        where = f"{path.name} [[edition]] #{i} ({e.get('code', '?')})"
        try:
            source_edition = raw[e["categories_from"]] if "categories_from" in e else e
            verification = str(e["verification"])
            cats = tuple(
                SamplingCategory(
                    no=int(c["no"]),
                    name=str(c["name"]),
                    subcategories=tuple(str(s) for s in c.get("sub", [])),
                    subcategories_complete=bool(c.get("sub_complete", False)),
                    verification=verification
                    if source_edition is not e
                    else str(c.get("verification", verification)),
                )
                for c in source_edition.get("category", [])
            )
            names = {_category_key(c.name) for c in cats}
            if len(names) != len(cats):
                raise ValueError("a big category is listed twice")
            items: dict[tuple[str, str], ItemList] = {}
            for block in e.get("items", []):
                cat, sub = str(block["category"]), str(block.get("subcategory", ""))
                if _category_key(cat) not in names:
                    raise ValueError(f"test items for {cat!r}, not a category of this edition")
                items[(_category_key(cat), _category_key(sub))] = ItemList(
                    category=cat,
                    subcategory=sub,
                    items=tuple(str(x) for x in block["items"]),
                    complete=bool(block.get("complete", False)),
                    verification=str(block["verification"]),
                    source=str(block["source"]),
                )
            out.append(
                SamplingEdition(
                    code=str(e["code"]),
                    title=str(e["title"]),
                    valid_from=e["valid_from"],
                    dates_verification=str(e["dates_verification"]),
                    verification=verification,
                    source=str(e["source"]),
                    categories=cats,
                    items=items,
                )
            )
        except KeyError as exc:
            raise ValueError(f"{where}: missing {exc}") from exc
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from exc
    return tuple(sorted(out, key=lambda x: x.valid_from))


@lru_cache(maxsize=1)
def default_sampling_editions() -> tuple[SamplingEdition, ...]:
    return load_sampling_editions()


def sampling_edition_in_force(
    on: dt.date, editions: Sequence[SamplingEdition] | None = None
) -> SamplingEdition:
    """The edition of the implementation rules that applies to a sample taken on `on`."""
    editions = default_sampling_editions() if editions is None else editions
    applicable = [e for e in editions if e.valid_from <= on]
    if not applicable:
        raise LookupError(f"no edition of the sampling implementation rules on file for {on}")
    return applicable[-1]


def classify_category(
    category: str, on: dt.date, editions: Sequence[SamplingEdition] | None = None
) -> tuple[SamplingEdition, str, str]:
    """(edition, big category, sub-category) of a sampling category path such as
    "食用农产品-蔬菜-韭菜" in the edition in force on `on`. The first segment naming a big category
    of the edition wins ("食用农产品" in 2022, "蔬菜" in 2026); else a segment naming a
    sub-category gives its big category. ("", "") when the path names neither."""
    edition = sampling_edition_in_force(on, editions)
    segments = [_category_key(s) for s in category_segments(category)]
    bigs = {_category_key(c.name): c for c in edition.categories}
    for i, seg in enumerate(segments):
        big = bigs.get(seg)
        if big is None:
            continue
        subs = {_category_key(s): s for s in big.subcategories} | {
            _short(_category_key(s)): s for s in big.subcategories
        }
        sub = next((subs[s] for s in segments[i + 1 :] if s in subs), "")
        return edition, big.name, sub
    for seg in segments:
        for c in edition.categories:
            for s in c.subcategories:
                if seg in (_category_key(s), _short(_category_key(s))):
                    return edition, c.name, s
    return edition, "", ""


def test_items_for(
    category: str, on: dt.date, editions: Sequence[SamplingEdition] | None = None
) -> CategoryItems:
    """The test items of a sampling category in the edition in force on `on`: the sub-category's
    list when on file, else the big category's; an empty list marked "unknown" when the edition's
    list is not on file (never borrowed from another edition)."""
    edition, big, sub = classify_category(category, on, editions)
    found = edition.items.get((_category_key(big), _category_key(sub))) if sub else None
    found = found or edition.items.get((_category_key(big), ""))
    if found is None:
        return CategoryItems(edition.code, edition.title, big, sub, (), False, UNKNOWN, edition.source)
    return CategoryItems(
        edition.code, edition.title, big, sub, found.items, found.complete, found.verification, found.source
    )


# ---------------------------------------------------------------------------------------------
# Publication (食品安全监督抽检信息公告): which samples the public portal shows. Data in
# data/publication.toml (《食品安全抽样检验管理办法》第四十六条 [M]; the moment an unqualified result
# becomes public is the office's reading [L]).


@dataclass(frozen=True)
class PublicationRule:
    id: str
    valid_from: dt.date
    source: str
    verification: str
    # conclusion ("qualified" / "unqualified") -> the statuses in which a sample so concluded is public
    statuses: dict[str, frozenset[str]]
    articles: dict[str, str]
    verifications: dict[str, str]
    publish: tuple[str, ...]
    withhold: tuple[str, ...]


def load_publication_rules(path: Path | None = None) -> list[PublicationRule]:
    data = tomllib.loads((path or DATA_DIR / "publication.toml").read_text(encoding="utf-8"))
    out = []
    for e in data["edition"]:
        out.append(
            PublicationRule(
                id=e["id"],
                valid_from=e["valid_from"],
                source=e["source"],
                verification=e["verification"],
                statuses={c: frozenset(e[c]["statuses"]) for c in ("qualified", "unqualified")},
                articles={c: e[c]["article"] for c in ("qualified", "unqualified")},
                verifications={c: e[c]["verification"] for c in ("qualified", "unqualified")},
                publish=tuple(e["public_fields"]["publish"]),
                withhold=tuple(e["public_fields"]["withhold"]),
            )
        )
    return sorted(out, key=lambda r: r.valid_from)


@lru_cache(maxsize=1)
def _publication_editions() -> tuple[PublicationRule, ...]:
    return tuple(load_publication_rules())


def publication_rule_in_force(
    on: dt.date, editions: Sequence[PublicationRule] | None = None
) -> PublicationRule:
    editions = _publication_editions() if editions is None else editions
    applicable = [e for e in editions if e.valid_from <= on]
    if not applicable:
        raise LookupError(f"no publication rule in force on {on}")
    return applicable[-1]


def sample_published(*, status: str, conclusion: str, rule: PublicationRule) -> bool:
    """Whether a sample is shown on the public portal: its conclusion is final for publication.
    Qualified once judged; unqualified once the business has been notified (also during re-test,
    objection and disposal); a re-test that overturned the result leaves the final conclusion on the
    sample, which decides. Samples not yet judged, undetermined or cancelled are never public."""
    return status in rule.statuses.get(conclusion, frozenset())


# ---------------------------------------------------------------------------------------------
# The on-site record (现场抽样记录 / 抽样单). 《食品安全抽样检验管理办法》(令第15号): the quantity
# taken must serve the test and the re-test (第十六条 [M]); the test sample and the re-test backup
# sample (复检备份样品) are sealed separately and signed by the business (第十八条 [M]); the form
# records the sampling and photos record the sample's state (第十九条, first paragraph [V2], the
# rest [M]). The business's right to a re-test (食品安全法第八十八条 [V]) needs the backup sample,
# so a supervisory sample without one is refused.


def on_site_problems(
    *,
    quantity: Decimal | None,
    quantity_unit: str,
    backup_quantity: Decimal | None,
    sampled_on: dt.date | None,
    produced_on: dt.date | None,
    today: dt.date,
    signed_by: str,
) -> dict[str, str]:
    """The problems of an on-site record, by field, as sentences a sampler can act on (empty when
    the record is complete)."""
    problems: dict[str, str] = {}
    if quantity is None or quantity <= 0:
        problems["quantity"] = "抽样数量须大于 0（第十六条：抽样数量应满足检验和复检的要求）"
    if not quantity_unit.strip():
        problems["quantity_unit"] = "请填写抽样数量的单位（如 袋、kg、瓶）"
    if backup_quantity is None or backup_quantity <= 0:
        problems["backup_quantity"] = "须留存复检备份样品，备样数量须大于 0（第十八条；食品安全法第八十八条）"
    elif quantity is not None and quantity > 0 and backup_quantity >= quantity:
        problems["backup_quantity"] = "备样数量须小于抽样数量（抽样数量含检验样品和备份样品）"
    if sampled_on is None:
        problems["sampled_on"] = "请填写抽样日期"
    elif sampled_on > today:
        problems["sampled_on"] = f"抽样日期 {sampled_on.isoformat()} 晚于今天 {today.isoformat()}"
    elif produced_on is not None and sampled_on < produced_on:
        problems["sampled_on"] = f"抽样日期 {sampled_on.isoformat()} 早于生产日期 {produced_on.isoformat()}"
    if produced_on is not None and produced_on > today:
        problems["produced_on"] = f"生产日期 {produced_on.isoformat()} 晚于今天 {today.isoformat()}"
    if not signed_by.strip():
        problems["signed_by"] = "请填写被抽样单位签字人姓名（第十八条：由被抽样单位签字确认）"
    return problems
