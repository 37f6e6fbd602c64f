"""Pure rules of risk-based supervision: the food risk grade (A–D), the minimum inspection
frequency, the priority groups, the annual inspection plan and the random draw (双随机).
No Django import. Rule values come from data/risk-grading.toml (editions with valid_from, source
and verification); each judgment records the edition it used.

The food risk grade is distinct from the enterprise credit class (信用分类) and from the catering
display rating (量化分级): none of those is read or written here."""

from __future__ import annotations

import calendar
import datetime as dt
import math
import random
import tomllib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

RULES_FILE = Path(__file__).resolve().parent / "data" / "risk-grading.toml"
GRADES = ("A", "B", "C", "D")


class RiskRuleError(ValueError):
    """Bad input to a rule; the message is a sentence a user can act on."""


@dataclass(frozen=True)
class Frequency:
    id: str
    form: str  # "per_year" or "per_interval"
    source: str
    verification: str
    per_year: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    interval_months: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class GradingRules:
    id: str
    valid_from: dt.date
    source: str
    verification: str
    static_max: int
    dynamic_max: int
    grade_upper: Mapping[str, int]
    dynamic_key_item_points: int
    dynamic_general_item_points: int
    dynamic_default: int
    new_business_dynamic: str  # "static_converted" (2016 办法) or "default" (dynamic_default)
    new_business_months: int
    adjust_up_max: int
    adjust_down_clean_year: int
    event_steps: Mapping[str, int]
    # Ledger kinds that bar the clean-year step without raising the grade (第二十条).
    clean_year_blockers: frozenset[str]
    # Earlier ids of this edition (corrected in place): what was recorded under them reads as this.
    replaces: tuple[str, ...]
    category_points: Mapping[str, int]
    type_points: Mapping[str, int]
    scale_points: Mapping[str, int]
    consumer_points: Mapping[str, int]
    frequency: Frequency


@cache
def load_frequencies() -> dict[str, Frequency]:
    data = tomllib.loads(RULES_FILE.read_text(encoding="utf-8"))
    out = {}
    for f in data["frequency"]:
        out[f["id"]] = Frequency(
            id=f["id"],
            form=f["form"],
            source=f["source"],
            verification=f["verification"],
            per_year={g: (int(v[0]), int(v[1])) for g, v in f.get("per_year", {}).items()},
            interval_months={g: int(v) for g, v in f.get("interval_months", {}).items()},
        )
    return out


@cache
def load_rules() -> tuple[GradingRules, ...]:
    data = tomllib.loads(RULES_FILE.read_text(encoding="utf-8"))
    freqs = load_frequencies()
    eds = []
    for e in data["edition"]:
        eds.append(
            GradingRules(
                id=e["id"],
                valid_from=e["valid_from"],
                source=e["source"],
                verification=e["verification"],
                static_max=int(e["static_max"]),
                dynamic_max=int(e["dynamic_max"]),
                grade_upper=dict(e["grade_upper"]),
                dynamic_key_item_points=int(e["dynamic_key_item_points"]),
                dynamic_general_item_points=int(e["dynamic_general_item_points"]),
                dynamic_default=int(e["dynamic_default"]),
                new_business_dynamic=str(e.get("new_business_dynamic", "default")),
                new_business_months=int(e.get("new_business_months", 0)),
                adjust_up_max=int(e["adjust_up_max"]),
                adjust_down_clean_year=int(e["adjust_down_clean_year"]),
                event_steps=dict(e["event_steps"]),
                clean_year_blockers=frozenset(e.get("clean_year_blocked_by", ())),
                replaces=tuple(e.get("replaces", ())),
                category_points=dict(e["category_points"]),
                type_points=dict(e["type_points"]),
                scale_points=dict(e["scale_points"]),
                consumer_points=dict(e["consumer_points"]),
                frequency=freqs[e["frequency"]],
            )
        )
    return tuple(sorted(eds, key=lambda r: r.valid_from))


def rules_in_force(on: dt.date, editions: Sequence[GradingRules] | None = None) -> GradingRules:
    """The edition whose valid_from is the latest not after `on`."""
    applicable = [r for r in (editions or load_rules()) if r.valid_from <= on]
    if not applicable:
        raise LookupError(f"no risk-grading rules in force on {on}")
    return applicable[-1]


# ---------------------------------------------------------------------------------------------
# Scores and grade (2016 办法: static ≤ 40 + dynamic ≤ 60; A ≤ 30, B ≤ 45, C ≤ 60, D > 60).


@dataclass(frozen=True)
class GradeInput:
    """What the grade is computed from: the register's facts and the evidence."""

    business_type: str
    scale: str
    categories: tuple[str, ...]
    # Latest full-checklist inspection: (date, failed key items, failed general items), or None.
    last_full_check: tuple[dt.date, int, int] | None = None
    # Adverse events in the 12 months before grading: (kind, date).
    events: tuple[tuple[str, dt.date], ...] = ()
    previous_grade: str | None = None
    # Inspections of the past 12 months all 符合 and at least one of them (for the clean-year step).
    clean_inspections: bool = False
    # Newly opened (新开办) on the grading date: see `is_new_business`.
    new_business: bool = False


@dataclass(frozen=True)
class GradeOutcome:
    grade: str
    score_grade: str
    static_score: int
    dynamic_score: int
    total: int
    breakdown: dict[str, Any]
    adjustment: int
    reasons: tuple[str, ...]
    edition: str


def static_score(
    *, business_type: str, scale: str, categories: Iterable[str], rules: GradingRules
) -> dict[str, int]:
    """静态风险因素 (2016 办法): food category (the riskiest of the business's categories), business
    type, scale and consumer group; the sum is capped at `static_max` (40)."""
    cp = rules.category_points
    cats = list(categories)
    category = max((cp.get(c, cp["_default"]) for c in cats), default=cp["_default"])
    parts = {
        "category": category,
        "business_type": rules.type_points.get(business_type, 0),
        "scale": rules.scale_points.get(scale, 0),
        "consumer_group": rules.consumer_points.get(business_type, rules.consumer_points["_default"]),
    }
    parts["total"] = min(rules.static_max, sum(parts.values()))
    return parts


def is_new_business(opened_on: dt.date | None, on: dt.date, rules: GradingRules) -> bool:
    """Newly opened (新开办) on `on`: opened within the `new_business_months` before it (the
    office's setting; the 2016 method does not define the term). Unknown opening date: not new."""
    if opened_on is None or rules.new_business_months <= 0 or opened_on > on:
        return False
    return opened_on > _add_months(on, -rules.new_business_months)


def _add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (earlier when negative), or the month's last day."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def dynamic_basis(
    last_full_check: tuple[dt.date, int, int] | None, new_business: bool, rules: GradingRules
) -> str:
    """Where the dynamic score comes from: "full_check" (the latest full-checklist inspection),
    "static_converted" (a new business without one, 2016 办法) or "default" (the office's setting)."""
    if last_full_check is not None:
        return "full_check"
    if new_business and rules.new_business_dynamic == "static_converted":
        return "static_converted"
    return "default"


def dynamic_score(
    last_full_check: tuple[dt.date, int, int] | None,
    rules: GradingRules,
    *,
    new_business: bool = False,
    static_total: int = 0,
) -> int:
    """动态风险因素 from the latest full-checklist inspection: points per failed key and general item,
    capped at `dynamic_max` (60). Without one: a newly opened business's score is converted from its
    static score (2016 办法: 新开办的可按静态风险分值折算确定风险分值), so the dynamic part is
    static × dynamic_max ÷ static_max, rounded half up; any other business gets `dynamic_default`
    (the office's setting)."""
    basis = dynamic_basis(last_full_check, new_business, rules)
    if basis == "static_converted":
        converted = (2 * static_total * rules.dynamic_max + rules.static_max) // (2 * rules.static_max)
        return min(rules.dynamic_max, converted)
    if last_full_check is None:
        return rules.dynamic_default
    _when, key_failed, general_failed = last_full_check
    points = key_failed * rules.dynamic_key_item_points + general_failed * rules.dynamic_general_item_points
    return min(rules.dynamic_max, points)


def grade_for_score(total: int, rules: GradingRules) -> str:
    """A: 0–30 (inclusive), B: >30–45, C: >45–60, D: >60."""
    if total < 0:
        raise RiskRuleError(_("风险分值不能为负"))
    for g in ("A", "B", "C"):
        if total <= rules.grade_upper[g]:
            return g
    return "D"


def shift_grade(grade: str, steps: int) -> str:
    return GRADES[max(0, min(3, GRADES.index(grade) + steps))]


def adjustment(
    *, events: Iterable[tuple[str, dt.date]], clean_inspections: bool, rules: GradingRules
) -> tuple[int, list[str]]:
    """2016 办法 第十九条、第二十条 [M]: up one or two grades for the listed events in the past year
    (at most `adjust_up_max` in all); down one after a clean year (no event, inspections all 符合).
    Kinds in `clean_year_blockers` (problems found at an inspection) raise nothing but bar the
    clean-year step: the year had violations."""
    reasons = []
    up = 0
    blocked = False
    for kind, when in events:
        if kind in rules.clean_year_blockers:
            blocked = True
            reasons.append(f"{when.isoformat()} {kind} 不予下调")
            continue
        if kind not in rules.event_steps:
            raise RiskRuleError(_("未知的风险调整事件“%(kind)s”") % {"kind": kind})
        up += rules.event_steps[kind]
        reasons.append(f"{when.isoformat()} {kind} +{rules.event_steps[kind]}")
    if up:
        return min(up, rules.adjust_up_max), reasons
    if clean_inspections and not blocked:
        return -rules.adjust_down_clean_year, ["上一年度无违法违规行为且检查均为符合 -1"]
    return 0, reasons


def grade(
    data: GradeInput,
    rules: GradingRules,
    static_cache: dict[tuple[str, str, tuple[str, ...]], dict[str, int]] | None = None,
) -> GradeOutcome:
    """The grade, its breakdown and its reasons. `static_cache` (one dict per run and edition)
    keeps the static score of each (type, scale, categories): a city has few such combinations."""
    key = (data.business_type, data.scale, data.categories)
    static = static_cache.get(key) if static_cache is not None else None
    if static is None:
        static = static_score(
            business_type=data.business_type, scale=data.scale, categories=data.categories, rules=rules
        )
        if static_cache is not None:
            static_cache[key] = static
    dynamic = dynamic_score(
        data.last_full_check, rules, new_business=data.new_business, static_total=static["total"]
    )
    total = static["total"] + dynamic
    score_grade = grade_for_score(total, rules)
    steps, reasons = adjustment(events=data.events, clean_inspections=data.clean_inspections, rules=rules)
    breakdown = {
        "static": dict(static),
        "dynamic": {
            "score": dynamic,
            "basis": dynamic_basis(data.last_full_check, data.new_business, rules),
            "from": data.last_full_check[0].isoformat() if data.last_full_check else None,
            "key_failed": data.last_full_check[1] if data.last_full_check else None,
            "general_failed": data.last_full_check[2] if data.last_full_check else None,
        },
    }
    return GradeOutcome(
        grade=shift_grade(score_grade, steps),
        score_grade=score_grade,
        static_score=static["total"],
        dynamic_score=dynamic,
        total=total,
        breakdown=breakdown,
        adjustment=steps,
        reasons=tuple(reasons),
        edition=rules.id,
    )


# ---------------------------------------------------------------------------------------------
# Frequency and priority groups.


def minimum_per_year(grade: str, freq: Frequency) -> int:
    """The legal minimum number of inspections in a year for the grade: the lower end of the range
    (per_year form: A ≥1, B 1–2, C 2–3, D 3–4), or one per interval (per_interval form)."""
    if freq.form == "per_year":
        return freq.per_year[grade][0]
    return math.ceil(12 / freq.interval_months[grade])


def planned_per_year(grade: str, freq: Frequency, *, priority: bool) -> int:
    """What the plan schedules: the upper end of the range for a priority business (重点监督检查 allows
    more frequent inspection, 49号令 第二十二条), the minimum otherwise."""
    if freq.form == "per_year" and priority:
        return freq.per_year[grade][1]
    return minimum_per_year(grade, freq)


def due_dates(grade: str, freq: Frequency, year: int, count: int) -> list[dt.date]:
    """Due dates of `count` visits in the year: the last day of each of `count` equal slices (so
    the per-interval form's "at least one per interval" holds when count covers every interval)."""
    out = []
    for i in range(1, count + 1):
        month = math.ceil(12 * i / count)
        nxt = dt.date(year + 1, 1, 1) if month == 12 else dt.date(year, month + 1, 1)
        out.append(nxt - dt.timedelta(days=1))
    return out


def meets_interval_rule(visits: Sequence[dt.date], grade: str, freq: Frequency, year: int) -> bool:
    """The "at least one per interval" form: each interval of the year holds at least one visit."""
    months = freq.interval_months[grade] if freq.form == "per_interval" else 12
    for start in range(1, 13, months):
        lo = dt.date(year, start, 1)
        end_month = start + months
        hi = dt.date(year + 1, 1, 1) if end_month > 12 else dt.date(year, end_month, 1)
        if not any(lo <= v < hi for v in visits):
            return False
    return True


PRIORITY_LABELS = {
    "special_food_producer": "特殊食品生产者",
    "cd_producer": "风险等级为C、D级的食品生产者",
    "d_operator": "风险等级为D级的食品经营者",
    "central_kitchen": "中央厨房、集体用餐配送单位",
}
PRODUCER_TYPES = frozenset({"production", "special_food", "small_workshop"})


def priority_groups(business_type: str, grade: str) -> list[str]:
    """49号令 第二十二条: the groups of 重点监督检查 a business belongs to."""
    out = []
    if business_type == "special_food":
        out.append("special_food_producer")
    if business_type in PRODUCER_TYPES and grade in ("C", "D"):
        out.append("cd_producer")
    if business_type not in PRODUCER_TYPES and grade == "D":
        out.append("d_operator")
    if business_type == "central_kitchen":
        out.append("central_kitchen")
    return out


# ---------------------------------------------------------------------------------------------
# The annual inspection plan.


@dataclass(frozen=True)
class PlanBusiness:
    id: int
    region: str
    grade: str
    business_type: str
    full_check_due: dt.date  # from inspections.rules.full_check_due
    done: tuple[dt.date, ...] = ()  # inspections already made this year


@dataclass(frozen=True)
class PlannedVisit:
    business_id: int
    region: str
    due: dt.date
    full_check: bool
    inspectors: tuple[int, int]
    done: bool


@dataclass
class AnnualPlan:
    year: int
    visits: list[PlannedVisit]
    under_minimum: list[tuple[int, int, int]]  # (business, planned, legal minimum)
    workload: dict[int, int]
    by_region: dict[str, dict[str, int]]


def annual_plan(
    *,
    year: int,
    businesses: Iterable[PlanBusiness],
    inspectors: Mapping[str, Sequence[int]],
    freq: Frequency,
    min_inspectors: int = 2,
    as_of: dt.date | None = None,
) -> AnnualPlan:
    """Every business gets at least its grade's minimum visits, the upper end of the range when it
    is a priority business, and one full-checklist visit when that falls due within the year.
    Visits are spread over the year and given pairs of the town's inspectors in turn, so the work
    is even. `as_of` marks visits whose due date has passed and which were not done as overdue."""
    if min_inspectors != 2:
        raise RiskRuleError(_("计划按每次两名检查人员编排"))
    year_end = dt.date(year, 12, 31)
    visits: list[PlannedVisit] = []
    under: list[tuple[int, int, int]] = []
    workload: dict[int, int] = defaultdict(int)
    turn: dict[str, int] = defaultdict(int)
    by_region: dict[str, dict[str, int]] = defaultdict(lambda: {"businesses": 0, "visits": 0, "overdue": 0})
    pools: dict[str, list[int]] = {}
    for b in businesses:
        # The town's own inspectors first, then the district's ("*"), who serve every town.
        if b.region not in pools:
            pools[b.region] = list(dict.fromkeys([*inspectors.get(b.region, ()), *inspectors.get("*", ())]))
        pool = pools[b.region]
        if len(pool) < 2:
            raise RiskRuleError(
                _("镇街 %(region)s 的检查人员少于两名，无法编排检查计划") % {"region": b.region}
            )
        priority = bool(priority_groups(b.business_type, b.grade))
        n = planned_per_year(b.grade, freq, priority=priority)
        dues = due_dates(b.grade, freq, year, n)
        full_index = None
        if b.full_check_due <= year_end:
            full_index = next((i for i, d in enumerate(dues) if d >= b.full_check_due), len(dues) - 1)
        minimum = minimum_per_year(b.grade, freq)
        if len(dues) < minimum:
            under.append((b.id, len(dues), minimum))
        done = sorted(b.done)
        reg = by_region[b.region]
        reg["businesses"] += 1
        for i, due in enumerate(dues):
            k = turn[b.region]
            turn[b.region] = k + 1
            pair = (pool[(2 * k) % len(pool)], pool[(2 * k + 1) % len(pool)])
            if pair[0] == pair[1]:
                pair = (pair[0], pool[(2 * k + 2) % len(pool)])
            workload[pair[0]] += 1
            workload[pair[1]] += 1
            is_done = i < len(done)
            visits.append(PlannedVisit(b.id, b.region, due, i == full_index, pair, is_done))
            reg["visits"] += 1
            if as_of is not None and not is_done and due < as_of:
                reg["overdue"] += 1
    return AnnualPlan(year, visits, under, dict(workload), dict(by_region))


# ---------------------------------------------------------------------------------------------
# The random draw (双随机, 49号令 第五条).


@dataclass(frozen=True)
class DrawResult:
    seed: int
    businesses: list[int]
    assignments: dict[int, tuple[int, ...]]
    strata: dict[str, tuple[int, int]]  # stratum -> (population, drawn)


def draw_businesses(
    population: Iterable[tuple[int, str]], ratios: Mapping[str, float], rng: random.Random
) -> tuple[list[int], dict[str, tuple[int, int]]]:
    """Draw ⌈ratio × n⌉ businesses uniformly without replacement within each stratum (a grade or a
    class). The population is sorted first, so the result depends only on the seed and the set."""
    strata: dict[str, list[int]] = defaultdict(list)
    for bid, stratum in population:
        strata[stratum].append(bid)
    drawn: list[int] = []
    counts = {}
    for stratum in sorted(strata):
        members = sorted(strata[stratum])
        ratio = float(ratios.get(stratum, 0))
        if not 0 <= ratio <= 1:
            raise RiskRuleError(_("分层“%(stratum)s”的抽取比例应在0至1之间") % {"stratum": stratum})
        k = math.ceil(ratio * len(members) - 1e-9)
        picked = rng.sample(members, k)
        drawn.extend(sorted(picked))
        counts[stratum] = (len(members), k)
    return drawn, counts


def assign_inspectors(
    businesses: Sequence[int],
    inspectors: Sequence[int],
    conflicts: Mapping[int, frozenset[int]],
    rng: random.Random,
    per_inspection: int = 2,
) -> dict[int, tuple[int, ...]]:
    """Random inspectors for each drawn business, `per_inspection` (≥ 2, 49号令 第二十三条) of them,
    never one who declared a conflict with that business (回避)."""
    if per_inspection < 2:
        raise RiskRuleError(_("每次检查应分配不少于2名检查人员"))
    pool = sorted(set(inspectors))
    out = {}
    for bid in businesses:
        eligible = [i for i in pool if i not in conflicts.get(bid, frozenset())]
        if len(eligible) < per_inspection:
            raise RiskRuleError(
                _("主体 %(bid)s 排除回避人员后可选检查人员不足%(per_inspection)s名")
                % {"bid": bid, "per_inspection": per_inspection}
            )
        out[bid] = tuple(sorted(rng.sample(eligible, per_inspection)))
    return out


def draw(
    *,
    seed: int,
    population: Iterable[tuple[int, str]],
    ratios: Mapping[str, float],
    inspectors: Sequence[int],
    conflicts: Mapping[int, frozenset[int]] | None = None,
    per_inspection: int = 2,
) -> DrawResult:
    """A seeded draw: anyone with the seed, the population and the inspector list gets the same
    result (the draw is published with all three)."""
    rng = random.Random(seed)  # noqa: S311 - a draw must be reproducible from its published seed
    businesses, strata = draw_businesses(population, ratios, rng)
    assignments = assign_inspectors(businesses, inspectors, conflicts or {}, rng, per_inspection)
    return DrawResult(seed, businesses, assignments, strata)


def chi_square_uniform(counts: Sequence[int]) -> tuple[float, int]:
    """Pearson's statistic of observed counts against equal expected counts, with its degrees of freedom."""
    n = len(counts)
    expected = sum(counts) / n
    return sum((c - expected) ** 2 / expected for c in counts), n - 1


def chi_square_critical(dof: int, z: float = 3.09) -> float:
    """Upper critical value of χ² (Wilson–Hilferty); z = 3.09 is the 0.1 % one-sided level."""
    k = float(dof)
    return k * (1 - 2 / (9 * k) + z * math.sqrt(2 / (9 * k))) ** 3


def edition_source(edition_id: str) -> str:
    """What a grade's recorded edition is called for a reader: the source it was drawn from (the
    measures and the article), never its internal identifier; an unknown one says so in words."""
    for e in load_rules():
        if e.id == edition_id or edition_id in e.replaces:
            return e.source
    return "（评定所依据的规则版本未登记）"
