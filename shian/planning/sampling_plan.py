"""The annual sampling plan (任务（十三）): gathers the optimiser's inputs from the records — the
plan's targets, towns and their population, past samples, risk grades, "你点我检" votes, the
working-day calendar — runs `shian.sampling.allocation`, and presents a run or an adopted
allocation to pages, exports and the command. Reads only; adopting is
`services.sampling_allocation_adopt`."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import xlsxwriter
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from shian.complaints import selectors as complaint_selectors
from shian.core.calendar import WorkingCalendar
from shian.core.models import Department, FoodCategory, Region, Role
from shian.core.permissions import Cap, has_cap
from shian.core.scoping import scope_for
from shian.core.xlsx import guard_text, table_xlsx
from shian.registry.imports import ImportFileError, _read_rows, column_label, display_value
from shian.risk import selectors as risk_selectors
from shian.sampling import allocation
from shian.sampling import selectors as sampling_selectors

from .models import AnnualPlan, SamplingAllocation, SamplingVote, Target

# The plan's targets that give each unit its total and the district its density (beichen-2022.toml).
UNIT_TARGETS = {"market": "T13-market", "agriculture": "T13-agri-quantitative"}
DENSITY_TARGET = "T13-density"
MONTH_NAMES = [f"{m}月" for m in allocation.MONTHS]


# ------------------------------------------------------------------ inputs and run


def plan_units(
    plan: AnnualPlan, rules: allocation.AllocationRules, categories: Sequence[str]
) -> list[allocation.Unit]:
    targets = {t.code: t for t in Target.objects.filter(task__plan=plan, code__in=UNIT_TARGETS.values())}
    names = dict(Department.objects.values_list("code", "name"))
    units = []
    for scope in rules.units:
        code = UNIT_TARGETS.get(scope.code)
        if code is None or code not in targets:
            raise ValidationError(
                _("%(year)s年计划中没有目标 %(target)s（%(unit)s抽检批次）")
                % {"year": plan.year, "target": code or scope.code, "unit": names.get(scope.code, scope.code)}
            )
        allowed = (
            tuple(categories)
            if scope.categories is None
            else tuple(c for c in categories if c in scope.categories)
        )
        units.append(
            allocation.Unit(scope.code, names.get(scope.code, scope.code), int(targets[code].value), allowed)
        )
    return units


def month_working_days(year: int) -> dict[int, float]:
    """Working days per month (official holidays and make-up days): the months' natural weights."""
    calendar = WorkingCalendar()
    out: dict[int, float] = defaultdict(float)
    day = dt.date(year, 1, 1)
    while day.year == year:
        if calendar.is_workday(day):
            out[day.month] += 1
        day += dt.timedelta(days=1)
    return dict(out)


def sampling_inputs(*, plan: AnnualPlan, as_of: dt.date | None = None) -> allocation.AllocationInput:
    """The optimiser's inputs for a plan, district-wide (the plan is the district's; pages filter
    what a person sees afterwards). History runs from 1 January `window_years` before the plan
    year to `as_of` (default: today, or the plan's last day if earlier)."""
    rules = allocation.rules_in_force(plan.starts)
    categories = dict(FoodCategory.objects.order_by("sort_order", "code").values_list("code", "name"))
    towns = [
        allocation.Town(code, name, population)
        for code, name, population in Region.objects.filter(parent_id=plan.region_id)
        .order_by("code")
        .values_list("code", "name", "population")
    ]
    density = (
        Target.objects.filter(task__plan=plan, code=DENSITY_TARGET).values_list("value", flat=True).first()
    )
    end = as_of or min(timezone.localdate(), plan.ends)
    start = dt.date(plan.year - rules.window_years, 1, 1)
    history = sampling_selectors.sampling_history_by_category_town(user=None, start=start, end=end)
    mix = risk_selectors.risk_mix_by_category_town(user=None)
    # A register without food categories says nothing of where businesses are: caps then follow
    # the population (allocation.py), rather than every cell holding zero businesses.
    businesses = {cell: n for cell, (n, _, _) in mix.items()} if mix else None
    risky = {cell: risky / graded for cell, (_, graded, risky) in mix.items() if graded}
    votes = dict(SamplingVote.objects.filter(year=plan.year).values_list("category_id", "count"))
    # Votes cast on the public page in the year's published 你点我检 rounds count beside those entered.
    for category, n in complaint_selectors.published_vote_counts(plan.year).items():
        votes[category] = votes.get(category, 0) + n
    return allocation.AllocationInput(
        units=plan_units(plan, rules, list(categories)),
        categories=categories,
        towns=towns,
        density_per_thousand=float(density) if density is not None else 0.0,
        rules=rules,
        history=history,
        businesses=businesses,
        risky_share=risky,
        votes=votes,
        month_weights=month_working_days(plan.year),
    )


def sampling_plan_compute(*, plan: AnnualPlan, as_of: dt.date | None = None) -> allocation.Allocation:
    """Run the optimiser; an input it cannot allocate is a ValidationError naming the constraint."""
    inputs = sampling_inputs(plan=plan, as_of=as_of)
    try:
        return allocation.allocate(inputs)
    except allocation.AllocationError as exc:
        raise ValidationError({exc.constraint: exc.message}) from None


# ------------------------------------------------------------------ what a page shows


@dataclass
class PlanCell:
    unit: str
    category: str
    town: str
    quantity: int
    proportional: int
    months: list[int]
    rate: float
    reason: str


@dataclass
class SamplingPlanView:
    year: int
    adopted: SamplingAllocation | None  # None: a fresh run, not adopted
    cells: list[PlanCell]
    summary: dict[str, Any]
    names: dict[str, dict[str, str]] = field(default_factory=dict)  # unit/category/town -> code -> name

    def name(self, kind: str, code: str) -> str:
        return self.names.get(kind, {}).get(code, code)


def summary_of(result: allocation.Allocation) -> dict[str, Any]:
    return {
        "rules": result.rules_id,
        "total": result.year_total,
        "population": result.population,
        "density": round(result.density, 3),
        "density_target": result.density_target,
        "by_unit": result.by_unit,
        "by_month": result.by_month,
        "by_category": result.by_category,
        "by_town": result.by_town,
        "specials": [{**s, "months": list(s["months"])} for s in result.specials],  # type: ignore[call-overload]
        "expected_found": round(result.expected_found, 2),
        "expected_found_proportional": round(result.expected_found_proportional, 2),
        "expected_found_discounted": round(result.expected_found_discounted, 2),
        "expected_found_proportional_discounted": round(result.expected_found_proportional_discounted, 2),
        "ratio": round(result.ratio, 3),
        "seconds": round(result.seconds, 3),
        "notes": result.notes,
    }


def _names() -> dict[str, dict[str, str]]:
    return {
        "unit": dict(Department.objects.values_list("code", "short_name")),
        "category": dict(FoodCategory.objects.values_list("code", "name")),
        "town": dict(Region.objects.values_list("code", "name")),
    }


def view_of_run(*, plan: AnnualPlan, result: allocation.Allocation) -> SamplingPlanView:
    cells = [
        PlanCell(c.unit, c.category, c.town, c.quantity, c.proportional, list(c.months), c.rate, c.reason)
        for c in result.cells
    ]
    return SamplingPlanView(
        year=plan.year, adopted=None, cells=cells, summary=summary_of(result), names=_names()
    )


def view_of_adopted(*, adopted: SamplingAllocation) -> SamplingPlanView:
    cells: dict[tuple[str, str, str], PlanCell] = {}
    for unit, category, region, month, quantity, proportional, rate, reason in adopted.rows.values_list(
        "unit_id", "category_id", "region_id", "month", "quantity", "proportional", "rate", "explanation"
    ).order_by("unit_id", "category_id", "region_id", "month"):
        cell = cells.get((unit, category, region))
        if cell is None:
            cell = cells[(unit, category, region)] = PlanCell(
                unit, category, region, 0, proportional, [0] * 12, rate, reason
            )
        cell.quantity += quantity
        cell.months[month - 1] += quantity
    return SamplingPlanView(
        year=adopted.plan.year,
        adopted=adopted,
        cells=list(cells.values()),
        summary=adopted.summary,
        names=_names(),
    )


def current_allocation(*, plan: AnnualPlan) -> SamplingAllocation | None:
    return (
        SamplingAllocation.objects.filter(plan=plan, current=True)
        .select_related("plan", "adopted_by")
        .first()
    )


def cells_visible(*, user: Any, cells: Sequence[PlanCell]) -> list[PlanCell]:
    """What a person sees of the district's allocation: the district everything, a town its own
    towns' rows, a unit's liaison its own unit's rows, someone without the plan nothing."""
    if not has_cap(user, Cap.PLAN_VIEW):
        return []
    if getattr(user, "role", None) == Role.DEPARTMENT_LIAISON:
        return [c for c in cells if c.unit == user.department_id]
    scope = scope_for(user)
    if scope.everything:
        return list(cells)
    return [c for c in cells if scope.allows_region(c.town)]


@dataclass(frozen=True)
class CellFilters:
    unit: str = ""
    town: str = ""
    category: str = ""
    month: int = 0

    @classmethod
    def from_mapping(cls, data: Any) -> CellFilters:
        raw = str(data.get("month", "") or "")
        month = int(raw) if raw.isdigit() and 1 <= int(raw) <= 12 else 0
        return cls(
            unit=str(data.get("unit", "") or "")[:40],
            town=str(data.get("town", "") or "")[:12],
            category=str(data.get("category", "") or "")[:8],
            month=month,
        )

    def apply(self, cells: Sequence[PlanCell]) -> list[PlanCell]:
        return [
            c
            for c in cells
            if (not self.unit or c.unit == self.unit)
            and (not self.town or c.town == self.town)
            and (not self.category or c.category == self.category)
            and (not self.month or c.months[self.month - 1])
        ]


# ------------------------------------------------------------------ reasons in plain words

# Allocations adopted before the reasons were reworded keep their stored sentence: these turn its
# modelling phrases into the words the page uses (allocation._explained writes them directly now).
_LEGACY_REASON = [
    (
        r"预计不合格率([\d.]+%)（近(\d+)年抽检(\d+)批、不合格(\d+)批，按先验强度[\d.]+向类别均值([\d.]+%)收缩）",
        r"近\2年在本镇抽检\3批、不合格\4批，参考全区同类食品的不合格情况（\5），估计本镇不合格的可能约为\1",
    ),
    (
        r"预计不合格率([\d.]+%)（无历史抽检，按先验强度[\d.]+向类别均值([\d.]+%)收缩）",
        r"在本镇没有抽检记录，参考全区同类食品的不合格情况（\2），估计本镇不合格的可能约为\1",
    ),
    (r"C/D级经营户占(\d+%)（风险权重[\d.]+）", r"本镇该类经营户中风险等级为C、D级的占\1，相应多抽"),
    (r"“你点我检”(\d+)票（投票权重[\d.]+）", r"群众在“你点我检”中为该类食品投了\1票，相应多抽"),
    (
        r"按比例应为(\d+)批，优化后(\d+)批（[+-]?\d+）",
        r"按人口和经营户数平均分配应为\1批，本计划安排\2批",
    ),
    (r"已达单元格上限（按登记经营户数）", "已达到按本镇该类经营户数能安排的最多批次"),
    (r"为满足类别最低批次而安排", "为保证该类食品全年最少抽检批次而安排"),
    (r"为满足镇街保底批次而安排", "为保证本镇全年最少抽检批次而安排"),
    (r"专项抽检配额：([^；]+)", r"用于完成\1的批次要求"),
    (r"按预期发现价值择优分配", "发现问题的可能较大，优先安排"),
    (r"预期发现价值较低，未安排", "发现问题的可能较小，本年未安排"),
    (
        r"本单元格已超过收益递减点（上限(\d+)批）",
        r"本镇该类已安排较多，再多抽发现新问题的机会变小（最多\1批）",
    ),
]


def plain_reason(text: str) -> str:
    """A cell's reason in plain words, one clause a line: a stored sentence of an older adoption is
    reworded; a current one passes unchanged."""
    for pattern, replacement in _LEGACY_REASON:
        text = re.sub(pattern, replacement, text)
    return text.rstrip("。")


def reason_lines(text: str) -> list[str]:
    return [part for part in plain_reason(text).split("；") if part]


# ------------------------------------------------------------------ summary and pivot


@dataclass(frozen=True)
class PivotRow:
    key: str
    label: str
    values: list[int]
    total: int


@dataclass(frozen=True)
class Pivot:
    """Batches of the visible cells by food category (rows) and town or month (columns)."""

    by: str  # "town" or "month"
    columns: list[tuple[str, str]]  # (key, label); a month's key is "1".."12"
    rows: list[PivotRow]
    column_totals: list[int]
    total: int

    def lines(self) -> list[tuple[PivotRow, list[tuple[str, int]]]]:
        """Each row with its (column key, batches) pairs, for a template."""
        keys = [key for key, _ in self.columns]
        return [(r, list(zip(keys, r.values, strict=True))) for r in self.rows]

    def footer(self) -> list[tuple[str, int]]:
        return list(zip([key for key, _ in self.columns], self.column_totals, strict=True))


PIVOT_AXES = ("town", "month")


def pivot_of(*, view: SamplingPlanView, cells: Sequence[PlanCell], by: str) -> Pivot:
    """The category × town (or category × month) table of `cells`: every row and column sums to
    the cells' batches, so the pivot's total is the allocation's total for what is shown."""
    if by not in PIVOT_AXES:
        by = "town"
    if by == "town":
        keys = sorted({c.town for c in cells if c.quantity})
        columns = [(t, view.name("town", t)) for t in keys]
    else:
        columns = [(str(m), MONTH_NAMES[m - 1]) for m in allocation.MONTHS]
    index = {key: j for j, (key, _) in enumerate(columns)}
    table: dict[str, list[int]] = {}
    for c in cells:
        if not c.quantity:
            continue
        row = table.setdefault(c.category, [0] * len(columns))
        if by == "town":
            row[index[c.town]] += c.quantity
        else:
            for m, q in enumerate(c.months):
                row[m] += q
    order = {code: n for n, code in enumerate(view.names.get("category", {}))}
    rows = [
        PivotRow(cat, f"{cat} {view.name('category', cat)}", values, sum(values))
        for cat, values in sorted(table.items(), key=lambda kv: (order.get(kv[0], 10_000), kv[0]))
    ]
    totals = [sum(r.values[j] for r in rows) for j in range(len(columns))]
    return Pivot(by=by, columns=columns, rows=rows, column_totals=totals, total=sum(totals))


def drill_cells(
    *, cells: Sequence[PlanCell], category: str, town: str = "", month: int = 0
) -> list[PlanCell]:
    """The cells behind one pivot cell (or a whole row or column when a key is empty), largest
    first: their batches (a month's, when the pivot is by month) sum to the pivot cell."""
    out = [
        c
        for c in cells
        if c.quantity
        and (not category or c.category == category)
        and (not town or c.town == town)
        and (not month or c.months[month - 1])
    ]
    return sorted(
        out, key=lambda c: (-(c.months[month - 1] if month else c.quantity), c.unit, c.category, c.town)
    )


def pivot_xlsx(*, pivot: Pivot, title: str) -> bytes:
    """The pivot as shown: one row per category, a column per town (or month), totals."""
    headers = ["食品类别", *[label for _, label in pivot.columns], "合计"]
    rows: list[list[Any]] = [[r.label, *r.values, r.total] for r in pivot.rows]
    rows.append(["合计", *pivot.column_totals, pivot.total])
    sheet = "类别×镇街" if pivot.by == "town" else "类别×月份"
    return table_xlsx(title=title, headers=headers, rows=rows, sheet=sheet)


@dataclass(frozen=True)
class PlanFigures:
    """What the page opens with: the totals of what this person sees and the plan's targets."""

    total: int
    proportional: int
    by_unit: list[tuple[str, int]]  # (unit name, batches): the food and the farm-produce groups
    by_town: list[tuple[str, str, int, float | None]]  # (code, name, batches, per 1,000 residents)
    by_month: list[int]
    density: float
    density_target: float
    density_met: bool
    specials: list[dict[str, Any]]  # name, months, quota, allocated, met
    expected_found: float
    expected_found_even: float

    @property
    def month_max(self) -> int:
        return max(self.by_month) or 1

    @property
    def town_max(self) -> int:
        return max((q for _, _, q, _ in self.by_town), default=0) or 1


def plan_figures(*, view: SamplingPlanView, cells: Sequence[PlanCell]) -> PlanFigures:
    s = view.summary
    population = dict(
        Region.objects.filter(code__in={c.town for c in cells}).values_list("code", "population")
    )
    by_unit: dict[str, int] = defaultdict(int)
    by_town: dict[str, int] = defaultdict(int)
    by_month = [0] * 12
    for c in cells:
        by_unit[c.unit] += c.quantity
        by_town[c.town] += c.quantity
        for m, q in enumerate(c.months):
            by_month[m] += q
    towns = [
        (t, view.name("town", t), q, q / population[t] * 1000 if population.get(t) else None)
        for t, q in sorted(by_town.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    density = float(s.get("density", 0) or 0)
    target = float(s.get("density_target", 0) or 0)
    specials = [
        {**sp, "met": int(sp.get("allocated", 0)) >= int(sp.get("quota", 0))} for sp in s.get("specials", [])
    ]
    return PlanFigures(
        total=sum(by_unit.values()),
        proportional=sum(c.proportional for c in cells),
        by_unit=[(view.name("unit", u), q) for u, q in sorted(by_unit.items())],
        by_town=towns,
        by_month=by_month,
        density=density,
        density_target=target,
        density_met=density >= target,
        specials=specials,
        expected_found=float(s.get("expected_found", 0) or 0),
        expected_found_even=float(s.get("expected_found_proportional", 0) or 0),
    )


# ------------------------------------------------------------------ export


def sampling_plan_xlsx(*, view: SamplingPlanView, cells: Sequence[PlanCell], title: str) -> bytes:
    """Three sheets: the category × town matrix, the long list (unit, category, town, month,
    batches, reasons), and the summary with the comparison against a proportional allocation.
    Text goes through core.xlsx.guard_text (no formula injection)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold = book.add_format({"bold": True, "bg_color": "#E8EEF6", "border": 1})
    head = book.add_format({"bold": True, "font_size": 13})

    def text(ws: Any, r: int, c: int, value: str, fmt: Any = None) -> None:
        ws.write_string(r, c, guard_text(value), fmt)

    towns = sorted({c.town for c in cells})
    categories = sorted({c.category for c in cells})
    matrix: dict[tuple[str, str], int] = defaultdict(int)
    for c in cells:
        matrix[(c.category, c.town)] += c.quantity
    ws = book.add_worksheet("类别×镇街")
    text(ws, 0, 0, f"{title}（类别×镇街，批次）", head)
    text(ws, 1, 0, "食品类别", bold)
    for j, t in enumerate(towns, start=1):
        text(ws, 1, j, view.name("town", t), bold)
    text(ws, 1, len(towns) + 1, "合计", bold)
    for i, cat in enumerate(categories, start=2):
        text(ws, i, 0, f"{cat} {view.name('category', cat)}")
        for j, t in enumerate(towns, start=1):
            ws.write_number(i, j, matrix[(cat, t)])
        ws.write_number(i, len(towns) + 1, sum(matrix[(cat, t)] for t in towns))
    last = len(categories) + 2
    text(ws, last, 0, "合计", bold)
    for j, t in enumerate(towns, start=1):
        ws.write_number(last, j, sum(matrix[(cat, t)] for cat in categories))
    ws.write_number(last, len(towns) + 1, sum(matrix.values()))
    ws.set_column(0, 0, 24)
    ws.set_column(1, len(towns) + 1, 10)
    ws.freeze_panes(2, 1)

    ws = book.add_worksheet("明细")
    headers = [
        "责任单位",
        "类别代码",
        "食品类别",
        "镇街",
        "月份",
        "批次",
        "全年批次",
        "按比例全年批次",
        "预计不合格率",
        "分配理由",
    ]
    text(ws, 0, 0, f"{title}（明细）", head)
    for j, h in enumerate(headers):
        text(ws, 1, j, h, bold)
    r = 2
    for c in cells:
        for m, q in enumerate(c.months, start=1):
            if not q:
                continue
            text(ws, r, 0, view.name("unit", c.unit))
            text(ws, r, 1, c.category)
            text(ws, r, 2, view.name("category", c.category))
            text(ws, r, 3, view.name("town", c.town))
            ws.write_number(r, 4, m)
            ws.write_number(r, 5, q)
            ws.write_number(r, 6, c.quantity)
            ws.write_number(r, 7, c.proportional)
            ws.write_number(r, 8, round(c.rate, 5))
            text(ws, r, 9, plain_reason(c.reason))
            r += 1
    ws.set_column(0, 0, 14)
    ws.set_column(2, 3, 18)
    ws.set_column(9, 9, 80)
    ws.freeze_panes(2, 0)
    if r > 2:
        ws.autofilter(1, 0, r - 1, len(headers) - 1)

    ws = book.add_worksheet("汇总")
    s = view.summary
    text(ws, 0, 0, f"{title}（汇总）", head)
    lines: list[tuple[str, float | str]] = [
        ("规则版本", s.get("rules", "")),
        ("全年总批次", s.get("total", 0)),
        ("每千人批次", s.get("density", 0)),
        ("每千人批次目标", s.get("density_target", 0)),
        ("预计发现不合格批次（优化分配）", s.get("expected_found", 0)),
        ("预计发现不合格批次（按比例分配）", s.get("expected_found_proportional", 0)),
        ("比值", s.get("ratio", 0)),
        ("按收益递减折算（优化分配）", s.get("expected_found_discounted", 0)),
        ("按收益递减折算（按比例分配）", s.get("expected_found_proportional_discounted", 0)),
    ]
    for unit, total in s.get("by_unit", {}).items():
        lines.append((f"{view.name('unit', unit)} 全年批次", total))
    for sp in s.get("specials", []):
        lines.append((f"{sp['name']}（配额 {sp['quota']}）", sp["allocated"]))
    for i, (label, value) in enumerate(lines, start=1):
        text(ws, i, 0, label, bold)
        if isinstance(value, int | float):
            ws.write_number(i, 1, value)
        else:
            text(ws, i, 1, str(value))
    row = len(lines) + 2
    text(ws, row, 0, "月份", bold)
    for j, name in enumerate(MONTH_NAMES, start=1):
        text(ws, row, j, name, bold)
    for i, (unit, months) in enumerate(s.get("by_month", {}).items(), start=row + 1):
        text(ws, i, 0, view.name("unit", unit))
        for j, q in enumerate(months, start=1):
            ws.write_number(i, j, q)
    ws.set_column(0, 0, 36)
    book.close()
    return buffer.getvalue()


# ------------------------------------------------------------------ "你点我检" votes from a file


@dataclass(frozen=True)
class VoteRow:
    row: int
    category: str
    count: int
    note: str


VOTE_HEADERS = {
    "category": ("食品类别", "类别", "类别代码", "食品大类"),
    "count": ("票数", "投票数", "得票数"),
    "note": ("来源说明", "说明", "备注"),
}


def parse_vote_file(*, filename: str, content: bytes) -> list[VoteRow]:
    """Rows of a votes table (xlsx/xls/ods or csv): 食品类别 (code "01" or name), 票数, 来源说明.
    Every row is checked first; any problem raises one ValidationError listing each problem by row,
    column and value, and nothing is written."""
    try:
        rows = list(_read_rows(filename, content))
    except ImportFileError as exc:
        raise ValidationError(str(exc)) from None
    rows = [(n, cells) for n, cells in rows if any(display_value(v).strip() for v in cells)]
    if not rows:
        raise ValidationError(_("文件是空的：第1行应为表头（食品类别、票数、来源说明）"))
    header_row, header = rows[0]
    columns: dict[str, int] = {}
    for j, value in enumerate(header):
        label = display_value(value).strip()
        for key, names in VOTE_HEADERS.items():
            if label in names and key not in columns:
                columns[key] = j
    missing = [VOTE_HEADERS[k][0] for k in ("category", "count") if k not in columns]
    if missing:
        raise ValidationError(
            _("第%(row)s行：表头缺少“%(columns)s”列") % {"row": header_row, "columns": "”“".join(missing)}
        )
    by_code = dict(FoodCategory.objects.values_list("code", "code"))
    by_name = dict(FoodCategory.objects.values_list("name", "code"))
    problems: list[str] = []
    seen: dict[str, int] = {}
    out: list[VoteRow] = []

    def cell(cells: list[Any], key: str) -> Any:
        j = columns.get(key)
        return cells[j] if j is not None and j < len(cells) else None

    for number, cells in rows[1:]:
        raw_cat = display_value(cell(cells, "category")).strip()
        raw_count = display_value(cell(cells, "count")).strip()
        where_cat = _("第%(row)s行 %(column)s") % {
            "row": number,
            "column": column_label(columns["category"], "食品类别"),
        }
        where_count = _("第%(row)s行 %(column)s") % {
            "row": number,
            "column": column_label(columns["count"], "票数"),
        }
        code = by_code.get(raw_cat.zfill(2) if raw_cat.isdigit() else raw_cat) or by_name.get(raw_cat)
        if not raw_cat:
            problems.append(_("%(where)s：食品类别不能为空") % {"where": where_cat})
        elif code is None:
            problems.append(
                _("%(where)s：“%(value)s”不是39个食品大类的代码或名称")
                % {"where": where_cat, "value": raw_cat}
            )
        elif code in seen:
            problems.append(
                _("%(where)s：“%(value)s”与第%(row)s行重复")
                % {"where": where_cat, "value": raw_cat, "row": seen[code]}
            )
        if not raw_count.isdigit():
            problems.append(
                _("%(where)s：“%(value)s”不是非负整数") % {"where": where_count, "value": raw_count}
            )
        elif int(raw_count) > 10_000_000:
            problems.append(_("%(where)s：“%(value)s”过大") % {"where": where_count, "value": raw_count})
        if code is not None and code not in seen and raw_count.isdigit():
            seen[code] = number
            out.append(
                VoteRow(number, code, int(raw_count), display_value(cell(cells, "note")).strip()[:200])
            )
    if problems:
        raise ValidationError(problems)
    if not out:
        raise ValidationError(_("文件中没有投票数据行"))
    return out
