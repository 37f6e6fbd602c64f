"""The annual sampling plan optimiser: how many batches each responsible unit samples of each food
category in each town in each month. Pure Python, NumPy and SciPy (no Django): the planning app
gathers the inputs from the records and calls `allocate`.

The model (docs/sampling.md, "年度抽检计划"):

* Expected failure rate of a cell (category × town): past unqualified batches shrunk towards the
  category's mean by a beta prior of `prior_strength` pseudo-batches (and the category's mean
  towards the overall mean), so one batch with one failure does not dominate.
* Value of a batch in a cell: rate × risk weight (share of C/D-graded businesses) × vote weight
  ("你点我检"), falling along segments of the cell's cap (diminishing returns, linear pieces), the
  cap being proportional to the businesses registered for the category in the town.
* Stage 1, a MILP (HiGHS through scipy.optimize.milp): integer batches per unit × category × town,
  maximising the value, with exact totals per unit, the density per thousand residents, minimums
  per category, a floor per town and the special-sampling quotas as category totals.
* Stage 2, a MILP per unit: integer batches per category × month keeping each month within its
  share of the year, meeting the holiday and school-term quotas in their months, otherwise as
  close as possible to the months' working-day weights. The failure rate does not depend on the
  month, so splitting the year after stage 1 loses nothing of the objective.
* Stage 3: each unit × category's batches are split across towns and months by an exact integer
  interleaving (each town's batches spread over the months in proportion), keeping every total.

The comparison is a plain proportional allocation (population × the category's share of the
registered businesses), scored with the same failure rates.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import time
import tomllib
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from django.utils.translation import gettext
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array

RULES_FILE = Path(__file__).resolve().parent / "data" / "allocation-rules.toml"
MONTHS = tuple(range(1, 13))


class AllocationError(ValueError):
    """The inputs cannot be allocated; `constraint` names the constraint that cannot be met."""

    def __init__(self, constraint: str, message: str) -> None:
        super().__init__(message)
        self.constraint = constraint
        self.message = message


# ------------------------------------------------------------------ rule data


@dataclass(frozen=True)
class UnitScope:
    code: str
    categories: tuple[str, ...] | None  # None: every category
    source: str
    verification: str


@dataclass(frozen=True)
class CategoryMinimum:
    category: str
    batches: int
    source: str
    verification: str


@dataclass(frozen=True)
class SpecialSampling:
    code: str
    name: str
    months: tuple[int, ...]
    units: tuple[str, ...]
    categories: tuple[str, ...]
    quota: int
    source: str
    verification: str


@dataclass(frozen=True)
class AllocationRules:
    id: str
    valid_from: dt.date
    source: str
    verification: str
    units: tuple[UnitScope, ...]
    prior_strength: float
    default_rate: float
    window_years: int
    risk_beta: float
    vote_gamma: float
    cell_floor: int
    cap_per_business: float
    cap_even_multiple: float
    segments: tuple[tuple[float, float], ...]
    town_floor_share: float
    month_min_share: float
    month_max_share: float
    all_categories_minimum: int
    category_minimums: tuple[CategoryMinimum, ...]
    specials: tuple[SpecialSampling, ...]

    def unit_scope(self, code: str) -> UnitScope | None:
        return next((u for u in self.units if u.code == code), None)

    def minimum_for(self, category: str) -> int:
        named = [m.batches for m in self.category_minimums if m.category == category]
        return max([self.all_categories_minimum, *named])


def _edition(e: Mapping) -> AllocationRules:
    where = f"edition {e.get('id', '?')}"
    segments = tuple((float(a), float(b)) for a, b in e["cell"]["segments"])
    if abs(sum(a for a, _ in segments) - 1) > 1e-9:
        raise ValueError(f"{where}: cell.segments shares must add up to 1")
    if any(b2 > b1 for (_, b1), (_, b2) in itertools.pairwise(segments)):
        raise ValueError(f"{where}: cell.segments value factors must not increase (diminishing returns)")
    specials = tuple(
        SpecialSampling(
            code=s["code"],
            name=s["name"],
            months=tuple(int(m) for m in s["months"]),
            units=tuple(s["units"]),
            categories=tuple(s["categories"]),
            quota=int(s["quota"]),
            source=s["source"],
            verification=s["verification"],
        )
        for s in e.get("special", [])
    )
    for i, a in enumerate(specials):
        for b in specials[i + 1 :]:
            if set(a.months) & set(b.months) and set(a.categories) & set(b.categories):
                raise ValueError(
                    f"{where}: special {a.code} and {b.code} share months and categories; "
                    "a batch would count twice"
                )
    month = e["month"]
    if not 0 <= month["min_share"] * 12 <= 1 <= month["max_share"] * 12:
        raise ValueError(f"{where}: month shares cannot hold a year (min × 12 ≤ 1 ≤ max × 12)")
    return AllocationRules(
        id=e["id"],
        valid_from=e["valid_from"],
        source=e["source"],
        verification=e["verification"],
        units=tuple(
            UnitScope(
                code=u["code"],
                categories=None if u["categories"] == "all" else tuple(u["categories"]),
                source=u["source"],
                verification=u["verification"],
            )
            for u in e["unit"]
        ),
        prior_strength=float(e["smoothing"]["prior_strength"]),
        default_rate=float(e["smoothing"]["default_rate"]),
        window_years=int(e["smoothing"]["window_years"]),
        risk_beta=float(e["weights"]["risk_beta"]),
        vote_gamma=float(e["weights"]["vote_gamma"]),
        cell_floor=int(e["cell"]["floor"]),
        cap_per_business=float(e["cell"]["cap_per_business"]),
        cap_even_multiple=float(e["cell"]["cap_even_multiple"]),
        segments=segments,
        town_floor_share=float(e["town"]["floor_share"]),
        month_min_share=float(month["min_share"]),
        month_max_share=float(month["max_share"]),
        all_categories_minimum=int(e["minimum"]["all_categories"]),
        category_minimums=tuple(
            CategoryMinimum(
                category=m["category"],
                batches=int(m["batches"]),
                source=m["source"],
                verification=m["verification"],
            )
            for m in e["minimum"].get("category", [])
        ),
        specials=specials,
    )


def load_rules(path: Path = RULES_FILE) -> list[AllocationRules]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return sorted((_edition(e) for e in data["edition"]), key=lambda r: r.valid_from)


def rules_in_force(on: dt.date, editions: Sequence[AllocationRules] | None = None) -> AllocationRules:
    """The edition whose valid_from is the latest not after `on`."""
    editions = load_rules() if editions is None else editions
    applicable = [r for r in editions if r.valid_from <= on]
    if not applicable:
        raise LookupError(f"no sampling allocation rules in force on {on}")
    return applicable[-1]


# ------------------------------------------------------------------ inputs and result


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    total: int
    categories: tuple[str, ...]


@dataclass(frozen=True)
class Town:
    code: str
    name: str
    population: int


Cell = tuple[str, str]  # (category, town)


@dataclass
class AllocationInput:
    units: Sequence[Unit]
    categories: Mapping[str, str]  # code -> name, in display order
    towns: Sequence[Town]
    density_per_thousand: float
    rules: AllocationRules
    history: Mapping[Cell, tuple[int, int]] = field(default_factory=dict)  # (sampled, unqualified)
    # Businesses registered for the category in the town; None when unknown (the cap then follows
    # the proportional quantity).
    businesses: Mapping[Cell, int] | None = None
    risky_share: Mapping[Cell, float] = field(default_factory=dict)  # share graded C or D
    votes: Mapping[str, int] = field(default_factory=dict)  # "你点我检" votes per category
    month_weights: Mapping[int, float] | None = None  # e.g. working days per month
    time_limit: float = 60.0


@dataclass(frozen=True)
class CellPlan:
    unit: str
    category: str
    town: str
    quantity: int
    proportional: int
    months: tuple[int, ...]  # 12 monthly quantities
    rate: float
    sampled: int
    unqualified: int
    category_rate: float
    risky_share: float
    risk_weight: float
    votes: int
    vote_weight: float
    value: float  # value of the first batch: rate × risk weight × vote weight
    cap: int
    bound: tuple[str, ...]
    reason: str


@dataclass
class Allocation:
    rules_id: str
    year_total: int
    population: int
    density: float
    density_target: float
    cells: list[CellPlan]
    by_unit: dict[str, int]
    by_month: dict[str, list[int]]  # unit -> 12 monthly totals
    by_category: dict[str, int]
    by_town: dict[str, int]
    specials: list[dict[str, object]]
    expected_found: float
    expected_found_proportional: float
    # The same, each batch counted at its segment's value factor (the model's diminishing returns).
    expected_found_discounted: float
    expected_found_proportional_discounted: float
    seconds: float
    notes: list[str]

    @property
    def ratio(self) -> float:
        if self.expected_found_proportional <= 0:
            return math.inf if self.expected_found > 0 else 1.0
        return self.expected_found / self.expected_found_proportional

    def rows(self) -> list[tuple[str, str, str, int, int, str]]:
        """(unit, category, town, month, quantity, reason) of every non-zero month."""
        return [
            (c.unit, c.category, c.town, m, q, c.reason)
            for c in self.cells
            for m, q in zip(MONTHS, c.months, strict=True)
            if q
        ]


# ------------------------------------------------------------------ pieces


def smoothed_rates(
    history: Mapping[Cell, tuple[int, int]],
    categories: Sequence[str],
    towns: Sequence[str],
    *,
    prior_strength: float,
    default_rate: float,
) -> tuple[dict[Cell, float], dict[str, float]]:
    """Empirical-Bayes failure rates: (k + s·μ_c) / (n + s) per cell, μ_c = (k_c + s·μ) / (n_c + s)
    per category and μ = (k + s·default) / (n + s) overall."""
    s = prior_strength
    n_all = sum(n for n, _ in history.values())
    k_all = sum(k for _, k in history.values())
    overall = (k_all + s * default_rate) / (n_all + s)
    by_cat_n: dict[str, int] = defaultdict(int)
    by_cat_k: dict[str, int] = defaultdict(int)
    for (c, _), (n, k) in history.items():
        by_cat_n[c] += n
        by_cat_k[c] += k
    cat_rate = {c: (by_cat_k[c] + s * overall) / (by_cat_n[c] + s) for c in categories}
    rates = {}
    for c in categories:
        for t in towns:
            n, k = history.get((c, t), (0, 0))
            rates[(c, t)] = (k + s * cat_rate[c]) / (n + s)
    return rates, cat_rate


def largest_remainder(quotas: Sequence[float], total: int) -> list[int]:
    """Integers proportional to `quotas` adding up to `total` (Hamilton's method; ties by order)."""
    weight = sum(quotas)
    if total <= 0 or weight <= 0:
        return [0] * len(quotas)
    exact = [q * total / weight for q in quotas]
    out = [math.floor(x) for x in exact]
    short = total - sum(out)
    order = sorted(range(len(quotas)), key=lambda i: (-(exact[i] - out[i]), i))
    for i in order[:short]:
        out[i] += 1
    return out


def discounted_batches(quantity: int, cap: int, rules: AllocationRules) -> float:
    """Batches of a cell counted at their segment's value factor; beyond the cap (possible only in
    the proportional allocation) at the last factor."""
    left, out = float(quantity), 0.0
    sizes = [math.floor(share * cap) for share, _ in rules.segments]
    sizes[-1] = cap - sum(sizes[:-1])
    for (_, factor), size in zip(rules.segments, sizes, strict=True):
        take = min(left, size)
        out += take * factor
        left -= take
    return out + left * rules.segments[-1][1]


def interleave(by_town: Sequence[int], by_month: Sequence[int]) -> list[list[int]]:
    """Split batches given per town and per month (equal sums) into a town × month integer table
    whose rows and columns keep their totals: each town's batches are placed at evenly spaced
    points of one sequence, which the months then take in order."""
    points = sorted(((k + 0.5) / n, t) for t, n in enumerate(by_town) if n for k in range(n))
    table = [[0] * len(by_month) for _ in by_town]
    i = 0
    for m, need in enumerate(by_month):
        for _, t in points[i : i + need]:
            table[t][m] += 1
        i += need
    return table


def _proportional(inp: AllocationInput, biz: Mapping[Cell, float]) -> dict[tuple[str, str, str], int]:
    pop = [t.population for t in inp.towns]
    out: dict[tuple[str, str, str], int] = {}
    for u in inp.units:
        shares = [sum(biz.get((c, t.code), 0.0) for t in inp.towns) + 1.0 for c in u.categories]
        quotas = [s * p for s in shares for p in pop]
        counts = largest_remainder(quotas, u.total)
        keys = [(u.code, c, t.code) for c in u.categories for t in inp.towns]
        out.update(zip(keys, counts, strict=True))
    return out


def _precheck(inp: AllocationInput, caps: Mapping[Cell, int], minimums: Mapping[str, int]) -> None:
    rules = inp.rules
    population = sum(t.population for t in inp.towns)
    total = sum(u.total for u in inp.units)
    if population <= 0:
        raise AllocationError("population", gettext("各镇街常住人口合计为0，无法计算每千人抽检批次"))
    for u in inp.units:
        if u.total < 0:
            raise AllocationError(
                "unit_total",
                gettext("单位“%(name)s”的抽检总批次不能为负数（%(total)s）")
                % {"name": u.name, "total": u.total},
            )
        if u.total and not u.categories:
            raise AllocationError(
                "unit_total",
                gettext("单位“%(name)s”没有可抽检的食品类别，却安排了 %(total)s 批次")
                % {"name": u.name, "total": u.total},
            )
        capacity = sum(caps[(c, t.code)] for c in u.categories for t in inp.towns)
        if u.total > capacity:
            raise AllocationError(
                "cell_cap",
                gettext(
                    "单位“%(name)s”的 %(total)s 批次超过其可抽检类别在各镇街的单元格上限之和 %(capacity)s"
                )
                % {"name": u.name, "total": u.total, "capacity": capacity},
            )
    needed = math.ceil(inp.density_per_thousand * population / 1000 - 1e-9)
    if total < needed:
        raise AllocationError(
            "density",
            gettext(
                "全年抽检 %(total)s 批次低于每千人 %(value)s 批次的要求：常住人口 %(population)s 人应至少 %(needed)s 批次"
            )
            % {
                "total": total,
                "value": format(inp.density_per_thousand, "g"),
                "population": population,
                "needed": needed,
            },
        )
    sampled_by = defaultdict(list)
    for u in inp.units:
        for c in u.categories:
            sampled_by[c].append(u)
    for c, need in minimums.items():
        if need <= 0:
            continue
        name = inp.categories.get(c, c)
        if not sampled_by[c]:
            raise AllocationError(
                "category_min",
                gettext("类别“%(c)s %(name)s”最低 %(need)s 批次，但没有单位负责抽检该类别")
                % {"c": c, "name": name, "need": need},
            )
        capacity = min(sum(caps[(c, t.code)] for t in inp.towns), sum(u.total for u in sampled_by[c]))
        if need > capacity:
            raise AllocationError(
                "category_min",
                gettext(
                    "类别“%(c)s %(name)s”最低 %(need)s 批次，超过可安排的上限 %(capacity)s 批次（各镇街单元格上限之和或负责单位总批次）"
                )
                % {"c": c, "name": name, "need": need, "capacity": capacity},
            )
    if sum(minimums.values()) > total:
        raise AllocationError(
            "category_min",
            gettext("各类别最低批次合计 %(value)s，超过全年总批次 %(total)s")
            % {"value": sum(minimums.values()), "total": total},
        )
    for s in rules.specials:
        units = [u for u in inp.units if u.code in s.units]
        cats = [c for c in s.categories if any(c in u.categories for u in units)]
        capacity = min(sum(caps[(c, t.code)] for c in cats for t in inp.towns), sum(u.total for u in units))
        if s.quota > capacity:
            raise AllocationError(
                "special",
                gettext("“%(name)s”至少 %(quota)s 批次，超过负责单位在相关类别可安排的 %(capacity)s 批次")
                % {"name": s.name, "quota": s.quota, "capacity": capacity},
            )
        per_month = sum(math.ceil(rules.month_max_share * u.total) for u in units) * len(s.months)
        if s.quota > per_month:
            raise AllocationError(
                "special",
                gettext("“%(name)s”至少 %(quota)s 批次，超过 %(count)s 个月的每月上限合计 %(per_month)s 批次")
                % {"name": s.name, "quota": s.quota, "count": len(s.months), "per_month": per_month},
            )


FAMILY_TEXT = {
    "unit_total": "各单位总批次",
    "category_min": "各类别最低批次",
    "town_floor": "各镇街保底批次",
    "special": "节假日和开学专项抽检配额",
    "cell_cap": "单元格上限（按登记经营户数）",
}


# ------------------------------------------------------------------ the optimiser


def allocate(inp: AllocationInput) -> Allocation:
    started = time.perf_counter()
    rules = inp.rules
    cats = list(inp.categories)
    towns = [t.code for t in inp.towns]
    t_index = {t: i for i, t in enumerate(towns)}
    population = sum(t.population for t in inp.towns)
    units = [
        Unit(u.code, u.name, u.total, tuple(c for c in cats if c in set(u.categories))) for u in inp.units
    ]
    inp = AllocationInput(**{**inp.__dict__, "units": units})
    year_total = sum(u.total for u in units)

    # Each cell's share of an even spread of each unit over its categories (or of the category's
    # minimum, if higher), by population.
    per_cat = {
        c: max(
            sum(u.total / len(u.categories) for u in units if c in u.categories),
            rules.minimum_for(c) if any(c in u.categories for u in units) else 0,
        )
        for c in cats
    }
    even = {(c, t.code): t.population / max(population, 1) * per_cat[c] for c in cats for t in inp.towns}
    registered = inp.businesses is not None
    biz: Mapping[Cell, float] = (
        {(c, t): float(inp.businesses.get((c, t), 0)) for c in cats for t in towns}
        if inp.businesses is not None
        else even
    )
    # A cell holds `cap_per_business` batches per registered business, but never less than
    # `cap_even_multiple` times its even share (sites the register does not list: farms, bases,
    # stalls) nor less than `floor`.
    caps = {
        cell: max(
            rules.cell_floor,
            math.ceil(rules.cap_per_business * biz[cell] - 1e-9) if registered else 0,
            math.ceil(rules.cap_even_multiple * even[cell] - 1e-9),
        )
        for cell in even
    }
    sampled_cats = {c for u in units for c in u.categories}
    minimums = {c: rules.minimum_for(c) for c in cats if c in sampled_cats}
    _precheck(inp, caps, minimums)

    rates, cat_rate = smoothed_rates(
        inp.history, cats, towns, prior_strength=rules.prior_strength, default_rate=rules.default_rate
    )
    max_votes = max(inp.votes.values(), default=0)
    vote_w = {c: 1 + rules.vote_gamma * (inp.votes.get(c, 0) / max_votes if max_votes else 0.0) for c in cats}
    risk_w = {cell: 1 + rules.risk_beta * inp.risky_share.get(cell, 0.0) for cell in rates}
    value = {cell: rates[cell] * risk_w[cell] * vote_w[cell[0]] for cell in rates}

    # ---- stage 1: unit × category × town
    y_keys = [(u.code, c, t) for u in units for c in u.categories for t in towns]
    y_idx = {k: i for i, k in enumerate(y_keys)}
    cells = [(c, t) for c in cats if c in sampled_cats for t in towns]
    n_y, n_seg = len(y_keys), len(rules.segments)
    n_z = len(cells) * n_seg
    seg_caps = np.zeros(n_z)
    obj = np.zeros(n_y + n_z)
    for j, cell in enumerate(cells):
        sizes = [math.floor(share * caps[cell]) for share, _ in rules.segments]
        sizes[-1] = caps[cell] - sum(sizes[:-1])
        for k, ((_, factor), size) in enumerate(zip(rules.segments, sizes, strict=True)):
            seg_caps[j * n_seg + k] = size
            obj[n_y + j * n_seg + k] = -value[cell] * factor
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    lb: list[float] = []
    ub: list[float] = []
    family: list[str] = []

    def add(entries: Sequence[tuple[int, float]], lo: float, hi: float, fam: str) -> None:
        r = len(lb)
        for col, v in entries:
            rows.append(r)
            cols.append(col)
            vals.append(v)
        lb.append(lo)
        ub.append(hi)
        family.append(fam)

    by_cell: dict[Cell, list[int]] = defaultdict(list)
    by_unit: dict[str, list[int]] = defaultdict(list)
    by_cat: dict[str, list[int]] = defaultdict(list)
    by_town: dict[str, list[int]] = defaultdict(list)
    for i, (uc, c, t) in enumerate(y_keys):
        by_cell[(c, t)].append(i)
        by_unit[uc].append(i)
        by_cat[c].append(i)
        by_town[t].append(i)
    for j, cell in enumerate(cells):
        add(
            [(i, 1.0) for i in by_cell[cell]] + [(n_y + j * n_seg + k, -1.0) for k in range(n_seg)],
            0,
            0,
            "cell_cap",
        )
    for u in units:
        add([(i, 1.0) for i in by_unit[u.code]], u.total, u.total, "unit_total")
    for c, need in minimums.items():
        if need > 0:
            add([(i, 1.0) for i in by_cat[c]], need, np.inf, "category_min")
    town_floor = {
        t.code: math.floor(rules.town_floor_share * year_total * t.population / population) for t in inp.towns
    }
    for t in towns:
        if town_floor[t] > 0:
            add([(i, 1.0) for i in by_town[t]], town_floor[t], np.inf, "town_floor")
    special_idx = {}
    for sp in rules.specials:
        entries = [
            (y_idx[(uc, c, t)], 1.0)
            for uc in sp.units
            for c in sp.categories
            for t in towns
            if (uc, c, t) in y_idx
        ]
        if sp.quota > 0 and entries:
            special_idx[sp.code] = [i for i, _ in entries]
            add(entries, sp.quota, np.inf, "special")

    y_cap = np.array([caps[(c, t)] for _, c, t in y_keys], dtype=float)
    upper = np.concatenate([y_cap, seg_caps])
    integrality = np.concatenate([np.ones(n_y), np.zeros(n_z)])

    def solve(drop: str | None = None, *, relax: bool = False) -> object:
        keep = [r for r, f in enumerate(family) if f != drop or f == "unit_total"]
        remap = {r: k for k, r in enumerate(keep)}
        mask = [k for k, r in enumerate(rows) if r in remap]
        matrix = coo_array(
            ([vals[k] for k in mask], ([remap[rows[k]] for k in mask], [cols[k] for k in mask])),
            shape=(len(keep), n_y + n_z),
        ).tocsr()
        hi = np.full_like(upper, np.inf) if drop == "cell_cap" else upper
        return milp(
            obj,
            constraints=LinearConstraint(matrix, np.array(lb)[keep], np.array(ub)[keep]),
            integrality=np.zeros_like(integrality) if relax else integrality,
            bounds=Bounds(np.zeros(n_y + n_z), hi),
            options={"disp": False, "time_limit": inp.time_limit, "mip_rel_gap": 1e-6},
        )

    res = solve()
    if res.x is None:  # type: ignore[attr-defined]
        for fam in ("category_min", "town_floor", "special", "cell_cap"):
            if solve(fam, relax=True).x is not None:  # type: ignore[attr-defined]
                raise AllocationError(
                    fam,
                    gettext(
                        "无法同时满足全部约束：%(value)s与其余约束（各单位总批次、单元格上限等）冲突；放宽%(value)s后可以分配"
                    )
                    % {"value": FAMILY_TEXT[fam]},
                )
        raise AllocationError("unit_total", gettext("无法同时满足全部约束，请检查各单位总批次和各项最低批次"))
    y = np.rint(res.x[:n_y]).astype(int)  # type: ignore[attr-defined]
    for u in units:
        got = int(y[by_unit[u.code]].sum())
        if got != u.total:  # HiGHS keeps integrality within 1e-6: this never happens short of a bug
            raise AllocationError(
                "unit_total",
                gettext("求解结果与单位“%(name)s”总批次不一致（%(got)s ≠ %(total)s）")
                % {"name": u.name, "got": got, "total": u.total},
            )
    notes = []
    if res.status == 1:  # type: ignore[attr-defined]
        notes.append(f"求解达到时间上限 {inp.time_limit:g} 秒，结果为可行解而非已证明的最优解")

    # ---- stage 2: per unit, category × month
    weights = [float((inp.month_weights or {}).get(m, 1.0)) for m in MONTHS]
    weights = [w / sum(weights) for w in weights]
    quantity = {k: int(y[i]) for k, i in y_idx.items()}
    cat_total = {
        (u.code, c): sum(quantity[(u.code, c, t)] for t in towns) for u in units for c in u.categories
    }
    by_month_cat: dict[tuple[str, str], list[int]] = {}
    for u in units:
        by_month_cat.update(_months_for_unit(u, cat_total, weights, rules, inp.categories))

    # ---- stage 3: towns × months, and the explanations
    proportional = _proportional(inp, biz)
    cell_total = {cell: sum(int(y[i]) for i in by_cell[cell]) for cell in cells}
    cat_sum = {c: sum(int(y[i]) for i in by_cat[c]) for c in minimums}
    town_sum = {t: sum(int(y[i]) for i in by_town[t]) for t in towns}
    quota = {s.code: s.quota for s in rules.specials}
    tight_special = {code: int(y[idx].sum()) <= quota[code] for code, idx in special_idx.items()}
    history = inp.history
    plans: list[CellPlan] = []
    for u in units:
        for c in u.categories:
            per_town = [quantity[(u.code, c, t)] for t in towns]
            table = interleave(per_town, by_month_cat[(u.code, c)])
            for t in towns:
                q = quantity[(u.code, c, t)]
                base = proportional.get((u.code, c, t), 0)
                if not q and not base:
                    continue
                cell = (c, t)
                bound = []
                if cell_total[cell] >= caps[cell]:
                    bound.append("cell_cap")
                if cat_sum.get(c, 0) <= minimums.get(c, 0) and minimums.get(c, 0) > 0:
                    bound.append("category_min")
                if town_floor[t] and town_sum[t] <= town_floor[t]:
                    bound.append("town_floor")
                for s in rules.specials:
                    if tight_special.get(s.code) and u.code in s.units and c in s.categories:
                        bound.append(f"special:{s.code}")
                n, k = history.get(cell, (0, 0))
                plan = CellPlan(
                    unit=u.code,
                    category=c,
                    town=t,
                    quantity=q,
                    proportional=base,
                    months=tuple(table[t_index[t]]),
                    rate=rates[cell],
                    sampled=n,
                    unqualified=k,
                    category_rate=cat_rate[c],
                    risky_share=inp.risky_share.get(cell, 0.0),
                    risk_weight=risk_w[cell],
                    votes=int(inp.votes.get(c, 0)),
                    vote_weight=vote_w[c],
                    value=value[cell],
                    cap=caps[cell],
                    bound=tuple(bound),
                    reason="",
                )
                plans.append(_explained(plan, rules, cell_total[cell]))
    expected = sum(p.quantity * p.rate for p in plans)
    expected_base = sum(p.proportional * p.rate for p in plans)
    base_cell: dict[Cell, int] = defaultdict(int)
    for (_, c, t), q in proportional.items():
        base_cell[(c, t)] += q
    discounted = sum(rates[cell] * discounted_batches(q, caps[cell], rules) for cell, q in cell_total.items())
    discounted_base = sum(
        rates[cell] * discounted_batches(q, caps[cell], rules) for cell, q in base_cell.items()
    )
    months_by_unit = {
        u.code: [sum(by_month_cat[(u.code, c)][m] for c in u.categories) for m in range(12)] for u in units
    }
    specials = []
    for sp in rules.specials:
        got = sum(
            by_month_cat[(uc, c)][m - 1]
            for uc in sp.units
            for c in sp.categories
            if (uc, c) in by_month_cat
            for m in sp.months
        )
        specials.append(
            {"code": sp.code, "name": sp.name, "months": sp.months, "quota": sp.quota, "allocated": got}
        )
    return Allocation(
        rules_id=rules.id,
        year_total=year_total,
        population=population,
        density=year_total / population * 1000,
        density_target=inp.density_per_thousand,
        cells=plans,
        by_unit={u.code: u.total for u in units},
        by_month=months_by_unit,
        by_category={c: sum(cat_total.get((u.code, c), 0) for u in units) for c in cats},
        by_town=town_sum,
        specials=specials,
        expected_found=expected,
        expected_found_proportional=expected_base,
        expected_found_discounted=discounted,
        expected_found_proportional_discounted=discounted_base,
        seconds=time.perf_counter() - started,
        notes=notes,
    )


def _months_for_unit(
    unit: Unit,
    cat_total: Mapping[tuple[str, str], int],
    weights: Sequence[float],
    rules: AllocationRules,
    names: Mapping[str, str],
) -> dict[tuple[str, str], list[int]]:
    """Stage 2: a unit's batches per category × month (integer), each month within its share of
    the unit's total, special quotas met in their months, otherwise close to the months' weights
    (L1 distance, linearised with one deviation variable per category × month)."""
    cats = [c for c in unit.categories if cat_total[(unit.code, c)] > 0]
    if not cats:
        return {(unit.code, c): [0] * 12 for c in unit.categories}
    n_g = len(cats) * 12
    obj = np.concatenate([np.zeros(n_g), np.ones(n_g)])
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    lb: list[float] = []
    ub: list[float] = []

    def add(entries: Sequence[tuple[int, float]], lo: float, hi: float) -> None:
        r = len(lb)
        for col, v in entries:
            rows.append(r)
            cols.append(col)
            vals.append(v)
        lb.append(lo)
        ub.append(hi)

    for i, c in enumerate(cats):
        total = cat_total[(unit.code, c)]
        add([(i * 12 + m, 1.0) for m in range(12)], total, total)
        # Integer targets keep the relaxation's vertices near-integral, so HiGHS branches little.
        targets = largest_remainder(weights, total)
        for m in range(12):
            target = targets[m]
            add([(i * 12 + m, 1.0), (n_g + i * 12 + m, -1.0)], -np.inf, target)  # g − d ≤ target
            add([(i * 12 + m, 1.0), (n_g + i * 12 + m, 1.0)], target, np.inf)  # g + d ≥ target
    lo_m = math.floor(rules.month_min_share * unit.total)
    hi_m = math.ceil(rules.month_max_share * unit.total)
    for m in range(12):
        add([(i * 12 + m, 1.0) for i in range(len(cats))], lo_m, hi_m)
    for s in rules.specials:
        if unit.code not in s.units or s.quota <= 0:
            continue
        entries = [(i * 12 + m - 1, 1.0) for i, c in enumerate(cats) if c in s.categories for m in s.months]
        add(entries, s.quota, np.inf)
    matrix = coo_array((vals, (rows, cols)), shape=(len(lb), 2 * n_g)).tocsr()
    res = milp(
        obj,
        constraints=LinearConstraint(matrix, np.array(lb), np.array(ub)),
        integrality=np.concatenate([np.ones(n_g), np.zeros(n_g)]),
        bounds=Bounds(np.zeros(2 * n_g), np.full(2 * n_g, np.inf)),
        options={"disp": False, "time_limit": 60, "mip_rel_gap": 1e-3},
    )
    if res.x is None:
        raise AllocationError(
            "special",
            gettext(
                "单位“%(name)s”的节假日和开学专项抽检配额无法在每月上限（%(hi_m)s 批次）和下限（%(lo_m)s 批次）内安排"
            )
            % {"name": unit.name, "hi_m": hi_m, "lo_m": lo_m},
        )
    g = np.rint(res.x[:n_g]).astype(int)
    out = {(unit.code, c): [0] * 12 for c in unit.categories}
    for i, c in enumerate(cats):
        out[(unit.code, c)] = [int(v) for v in g[i * 12 : i * 12 + 12]]
    return out


BOUND_TEXT = {
    "cell_cap": "已达到按本镇该类经营户数能安排的最多批次",
    "category_min": "为保证该类食品全年最少抽检批次而安排",
    "town_floor": "为保证本镇全年最少抽检批次而安排",
}


def _explained(plan: CellPlan, rules: AllocationRules, cell_total: int) -> CellPlan:
    """Why the cell holds what it holds, in plain Chinese for the people who carry the plan out:
    what was found here before, who is riskier, what the public asked for, how it compares with an
    even share, and which requirement fixed the number. No modelling terms (the page and the
    export show this sentence as it is)."""
    if plan.sampled:
        history = f"近{rules.window_years}年在本镇抽检{plan.sampled}批、不合格{plan.unqualified}批"
    else:
        history = f"近{rules.window_years}年在本镇没有抽检记录"
    parts = [
        f"{history}，参考全区同类食品的不合格情况（{plan.category_rate:.1%}），"
        f"估计本镇不合格的可能约为{plan.rate:.1%}"
    ]
    if plan.risky_share:
        parts.append(f"本镇该类经营户中风险等级为C、D级的占{plan.risky_share:.0%}，相应多抽")
    if plan.votes:
        parts.append(f"群众在“你点我检”中为该类食品投了{plan.votes}票，相应多抽")
    diff = plan.quantity - plan.proportional
    even = f"按人口和经营户数平均分配应为{plan.proportional}批"
    if diff > 0:
        parts.append(f"{even}，本计划安排{plan.quantity}批，多{diff}批")
    elif diff < 0:
        parts.append(f"{even}，本计划安排{plan.quantity}批，少{-diff}批")
    else:
        parts.append(f"{even}，本计划同样安排{plan.quantity}批")
    bound = [
        BOUND_TEXT.get(b)
        or f"用于完成{next(s.name for s in rules.specials if 'special:' + s.code == b)}的批次要求"
        for b in plan.bound
    ]
    if not bound:
        bound = ["发现问题的可能较大，优先安排" if plan.quantity else "发现问题的可能较小，本年未安排"]
    if cell_total and rules.segments[0][0] * plan.cap < cell_total < plan.cap:
        bound.append(f"本镇该类已安排较多，再多抽发现新问题的机会变小（最多{plan.cap}批）")
    return CellPlan(**{**plan.__dict__, "reason": "；".join(parts + bound) + "。"})


# ------------------------------------------------------------------ synthetic inputs


def synthetic_input(
    *,
    seed: int,
    towns: int,
    totals: Mapping[str, int],
    categories: Mapping[str, str],
    rules: AllocationRules,
    density_per_thousand: float = 0.0,
    population: int | None = None,
) -> AllocationInput:
    """A deterministic, skewed input for benchmarks and tests: towns of uneven size, businesses per
    cell, three years of history whose failure rates differ by category and town, C/D shares and
    votes. `population` defaults to what the totals need at `density_per_thousand`."""
    rng = np.random.default_rng(seed)
    sizes = rng.lognormal(0, 0.6, towns)
    total = sum(totals.values())
    pop_total = population or (
        int(total / density_per_thousand * 1000) if density_per_thousand else 40_000 * towns
    )
    pops = largest_remainder(list(sizes), pop_total)
    town_list = [Town(f"T{i:04d}", f"镇街{i + 1}", p) for i, p in enumerate(pops)]
    cats = list(categories)
    cat_rate = rng.beta(1.2, 40, len(cats))
    units = []
    for scope in rules.units:
        if scope.code not in totals:
            continue
        allowed = tuple(cats) if scope.categories is None else tuple(c for c in cats if c in scope.categories)
        units.append(Unit(scope.code, scope.code, totals[scope.code], allowed))
    businesses: dict[Cell, int] = {}
    history: dict[Cell, tuple[int, int]] = {}
    risky: dict[Cell, float] = {}
    popularity = 0.5 + rng.lognormal(0, 0.8, len(cats))
    for ci, c in enumerate(cats):
        for t in town_list:
            b = int(rng.poisson(t.population / 1000 * popularity[ci] * 1.5))
            businesses[(c, t.code)] = b
            n = int(rng.poisson(total * 3 * t.population / pop_total / len(cats)))
            p = min(0.5, cat_rate[ci] * rng.lognormal(0, 0.7))
            history[(c, t.code)] = (n, int(rng.binomial(n, p)) if n else 0)
            risky[(c, t.code)] = float(rng.beta(1, 6))
    votes = {
        c: int(v)
        for c, v in zip(cats, rng.poisson(20, len(cats)) * (rng.random(len(cats)) < 0.4), strict=True)
    }
    return AllocationInput(
        units=units,
        categories=categories,
        towns=town_list,
        density_per_thousand=density_per_thousand,
        rules=rules,
        history=history,
        businesses=businesses,
        risky_share=risky,
        votes=votes,
    )
