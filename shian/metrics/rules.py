"""Pure rules of the quarterly food-safety index per town (镇街食品安全指数): normalising each
component to 0–100, combining the available components with re-normalised weights, the coverage
threshold, ranking, trend and each component's contribution. No Django import; the components,
weights, targets and thresholds are versioned data in data/index-YYYY.toml (see docs/town-index.md).

Source of the index itself: 北辰区2022年食品安全监督管理计划 任务（二）“每季度发布北辰区食品安全指数
综合评价各镇街食品安全工作”. No official formula is published: every number here is a local rule."""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

EDITIONS_FILE = Path(__file__).resolve().parent / "data" / "index-2022.toml"

HUNDRED = Decimal(100)
ZERO = Decimal(0)
CENT = Decimal("0.01")  # scores and contributions are published with two decimals
RAW_PLACES = Decimal("0.0001")  # raw indicator values are kept with four


class Direction:
    HIGHER = "higher"
    LOWER = "lower"


class Method:
    TARGET = "target"
    MINMAX = "minmax"


class Trend:
    UP = "up"
    DOWN = "down"
    FLAT = "flat"
    NEW = "new"  # no published score in the previous quarter
    NONE = "none"  # no score this quarter (数据不足)


class EditionError(ValueError):
    """An index edition that cannot be used; `problems` lists every fault found."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Component:
    code: str
    name: str
    weight: Decimal
    direction: str
    method: str
    target: Decimal | None = None
    worst: Decimal | None = None
    unit: str = ""
    basis: str = ""


@dataclass(frozen=True)
class IndexEdition:
    id: str
    valid_from: dt.date
    source: str
    verification: str
    min_coverage: Decimal
    trend_tolerance: Decimal
    levels: tuple[str, ...]
    components: tuple[Component, ...]

    @property
    def total_weight(self) -> Decimal:
        return sum((c.weight for c in self.components), ZERO)


def _decimal(value: Any) -> Decimal:
    # Through str: TOML floats (0.15) must become Decimal("0.15"), not its binary expansion.
    return Decimal(str(value))


def _component(raw: Mapping[str, Any], where: str, problems: list[str]) -> Component | None:
    try:
        comp = Component(
            code=str(raw["code"]),
            name=str(raw["name"]),
            weight=_decimal(raw["weight"]),
            direction=str(raw["direction"]),
            method=str(raw["method"]),
            target=_decimal(raw["target"]) if "target" in raw else None,
            worst=_decimal(raw["worst"]) if "worst" in raw else None,
            unit=str(raw.get("unit", "")),
            basis=str(raw.get("basis", "")),
        )
    except KeyError as exc:
        problems.append(f"{where}: missing key {exc.args[0]!r}")
        return None
    where = f"{where} ({comp.code})"
    if comp.weight <= 0:
        problems.append(f"{where}: weight must be positive")
    if comp.direction not in (Direction.HIGHER, Direction.LOWER):
        problems.append(f"{where}: direction must be 'higher' or 'lower'")
    if comp.method not in (Method.TARGET, Method.MINMAX):
        problems.append(f"{where}: method must be 'target' or 'minmax'")
    if comp.method == Method.TARGET:
        if comp.target is None:
            problems.append(f"{where}: the target method needs a target")
        elif comp.direction == Direction.HIGHER and comp.target <= 0:
            problems.append(f"{where}: a higher-is-better target must be positive")
        elif comp.direction == Direction.LOWER and (comp.worst is None or comp.worst <= comp.target):
            problems.append(f"{where}: a lower-is-better target needs a worst value above the target")
    return comp


def parse_editions(text: str) -> list[IndexEdition]:
    """Editions from TOML text, checked: weights positive and summing to 1, known directions and
    methods, targets where the method needs them, a coverage threshold in (0, 1]."""
    data = tomllib.loads(text)
    problems: list[str] = []
    editions = []
    for i, e in enumerate(data.get("edition", []), start=1):
        where = f"edition {i} ({e.get('id', '?')})"
        components = []
        for j, raw in enumerate(e.get("component", []), start=1):
            comp = _component(raw, f"{where} component {j}", problems)
            if comp is not None:
                components.append(comp)
        try:
            edition = IndexEdition(
                id=str(e["id"]),
                valid_from=e["valid_from"],
                source=str(e["source"]),
                verification=str(e["verification"]),
                min_coverage=_decimal(e["min_coverage"]),
                trend_tolerance=_decimal(e.get("trend_tolerance", 0)),
                levels=tuple(e["levels"]),
                components=tuple(components),
            )
        except KeyError as exc:
            problems.append(f"{where}: missing key {exc.args[0]!r}")
            continue
        if not isinstance(edition.valid_from, dt.date):
            problems.append(f"{where}: valid_from must be a date")
        if not components:
            problems.append(f"{where}: no components")
        elif edition.total_weight != 1:
            problems.append(f"{where}: weights sum to {edition.total_weight}, not 1")
        codes = [c.code for c in components]
        if len(set(codes)) != len(codes):
            problems.append(f"{where}: a component code appears twice")
        if not 0 < edition.min_coverage <= 1:
            problems.append(f"{where}: min_coverage must lie in (0, 1]")
        if edition.trend_tolerance < 0:
            problems.append(f"{where}: trend_tolerance must not be negative")
        editions.append(edition)
    if not editions and not problems:
        problems.append("no [[edition]] in the file")
    if problems:
        raise EditionError(problems)
    return sorted(editions, key=lambda ed: ed.valid_from)


def load_editions(path: Path = EDITIONS_FILE) -> list[IndexEdition]:
    return parse_editions(path.read_text(encoding="utf-8"))


def edition_in_force(on: dt.date, editions: Sequence[IndexEdition] | None = None) -> IndexEdition:
    """The edition whose valid_from is the latest not after `on` (a quarter's last day)."""
    editions = load_editions() if editions is None else editions
    applicable = [e for e in editions if e.valid_from <= on]
    if not applicable:
        raise LookupError(f"no index edition in force on {on}")
    return applicable[-1]


# ------------------------------------------------------------------ normalisation (0–100)


def score_target_higher(value: Decimal, target: Decimal) -> Decimal:
    """Higher is better, against a target: min(value / target, 1) × 100, never below 0. Meeting the
    target earns full marks; exceeding it earns nothing more (a town cannot buy a weak component
    back with an over-achieved one)."""
    return max(ZERO, min(value / target, Decimal(1))) * HUNDRED


def score_target_lower(value: Decimal, target: Decimal, worst: Decimal) -> Decimal:
    """Lower is better, against a target: 100 at or below the target, 0 at or above `worst`, and
    linear in between."""
    if value <= target:
        return HUNDRED
    if value >= worst:
        return ZERO
    return (worst - value) / (worst - target) * HUNDRED


def score_minmax(values: Mapping[str, Decimal | None], direction: str) -> dict[str, Decimal | None]:
    """Relative to the other towns: the best town of the quarter scores 100, the worst 0, others
    linearly between. When all towns with data are equal every one of them is the best and scores
    100. Towns without data stay None and do not move the range."""
    present = [v for v in values.values() if v is not None]
    if not present:
        return dict.fromkeys(values)
    low, high = min(present), max(present)
    out: dict[str, Decimal | None] = {}
    for town, v in values.items():
        if v is None:
            out[town] = None
        elif high == low:
            out[town] = HUNDRED
        elif direction == Direction.HIGHER:
            out[town] = (v - low) / (high - low) * HUNDRED
        else:
            out[town] = (high - v) / (high - low) * HUNDRED
    return out


def normalise(component: Component, values: Mapping[str, Decimal | None]) -> dict[str, Decimal | None]:
    """Each town's raw value of one component as a 0–100 score (two decimals), None where the town
    has no value."""
    if component.method == Method.MINMAX:
        scores = score_minmax(values, component.direction)
    else:
        target, worst = component.target, component.worst
        if target is None or (component.direction == Direction.LOWER and worst is None):
            raise EditionError([f"{component.code}: the target method needs a target (and a worst value)"])
        scores = {}
        for town, v in values.items():
            if v is None:
                scores[town] = None
            elif component.direction == Direction.HIGHER:
                scores[town] = score_target_higher(v, target)
            elif worst is not None:  # always, checked above
                scores[town] = score_target_lower(v, target, worst)
    return {t: None if s is None else s.quantize(CENT, ROUND_HALF_UP) for t, s in scores.items()}


# ------------------------------------------------------------------ combining


@dataclass(frozen=True)
class TownScore:
    """One town's index: None when its coverage is below the threshold (数据不足). `contributions`
    are in the order of the parts given, None for a missing part (and all None without a score)."""

    score: Decimal | None
    coverage: Decimal
    contributions: tuple[Decimal | None, ...]


def split_to_total(parts: Sequence[Decimal], total: Decimal) -> list[Decimal]:
    """Round non-negative `parts` to cents so that they add up exactly to `total` (itself rounded
    to cents from their sum): largest remainder, earlier parts first on equal remainders."""
    floors = [p.quantize(CENT, ROUND_DOWN) for p in parts]
    units = int((total - sum(floors, ZERO)) / CENT)
    order = sorted(range(len(parts)), key=lambda i: (-(parts[i] - floors[i]), i))
    for i in order[:units]:
        floors[i] += CENT
    return floors


def combine(parts: Sequence[tuple[Decimal, Decimal | None]], min_coverage: Decimal) -> TownScore:
    """The index of one town from its (weight, score) parts, a score None meaning missing.

    The index is the weighted mean over the available components, their weights re-normalised to
    sum to 1: Σ wᵢ·sᵢ / Σ wᵢ over the available i. Coverage is the available share of the total
    weight; below `min_coverage` the town gets no score rather than a misleading one. Each
    component's contribution is wᵢ·sᵢ / Σ wᵢ (available), rounded so that they add up to the score."""
    total = sum((w for w, _ in parts), ZERO)
    available = [(i, w, s) for i, (w, s) in enumerate(parts) if s is not None]
    avail_weight = sum((w for _, w, _ in available), ZERO)
    coverage = (avail_weight / total).quantize(RAW_PLACES, ROUND_HALF_UP) if total else ZERO
    none: tuple[Decimal | None, ...] = (None,) * len(parts)
    if not available or avail_weight / total < min_coverage:
        return TownScore(None, coverage, none)
    exact = [w * s / avail_weight for _, w, s in available]
    score = sum(exact, ZERO).quantize(CENT, ROUND_HALF_UP)
    contributions: list[Decimal | None] = [None] * len(parts)
    for (i, _, _), c in zip(available, split_to_total(exact, score), strict=True):
        contributions[i] = c
    return TownScore(score, coverage, tuple(contributions))


def rank(scores: Mapping[str, Decimal | None]) -> dict[str, int | None]:
    """Competition ranking on the published scores, highest first: equal scores share a rank and
    the next rank skips (1, 2, 2, 4). A town without a score has no rank."""
    ordered = sorted((s for s in scores.values() if s is not None), reverse=True)
    first: dict[Decimal, int] = {}
    for position, s in enumerate(ordered, start=1):
        first.setdefault(s, position)
    return {town: None if s is None else first[s] for town, s in scores.items()}


def trend(current: Decimal | None, previous: Decimal | None, tolerance: Decimal) -> str:
    """Against the town's published score of the previous quarter: up, down, or flat within
    ±tolerance points; `new` without a previous score, `none` without a score now."""
    if current is None:
        return Trend.NONE
    if previous is None:
        return Trend.NEW
    change = current - previous
    if change > tolerance:
        return Trend.UP
    if change < -tolerance:
        return Trend.DOWN
    return Trend.FLAT


def previous_quarter(year: int, quarter: int) -> tuple[int, int]:
    return (year - 1, 4) if quarter == 1 else (year, quarter - 1)


def quantize_raw(value: Decimal | None) -> Decimal | None:
    """A raw indicator value as stored (four decimals); scores are computed from the stored value
    so that anyone can recompute them from the published table."""
    return None if value is None else value.quantize(RAW_PLACES, ROUND_HALF_UP)
