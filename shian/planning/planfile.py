"""Read a plan file (TOML, see data/beichen-2022.toml) into a checked specification.

Every problem is reported with the line it is on, so whoever typed the file can fix it:
a syntax error by the TOML parser's own line, a wrong value by the line of its key.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from shian.core.rules import text_problem

TARGET_KINDS = ("indicator", "reported", "milestone")
COMPARATORS = (">=", "<=", "=")


class PlanFileError(ValueError):
    def __init__(self, problems: list[tuple[int, str]]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(f"第{line}行：{msg}" for line, msg in self.problems))


@dataclass
class TargetSpec:
    line: int
    task: int
    code: str
    description: str
    kind: str
    indicator: str
    comparator: str
    value: Decimal
    unit: str
    due: dt.date
    owner: str | None
    pace: str = "even"
    may_exceed: bool = False


@dataclass
class TaskSpec:
    line: int
    no: int
    section: int
    title: str
    summary: str
    lead: list[str]
    partners: list[str]
    towns: list[str] | None  # None: every town
    assigned_by_office: bool
    due: dt.date
    targets: list[TargetSpec] = field(default_factory=list)


@dataclass
class PlanSpec:
    year: int
    region: str
    title: str
    source: str
    version: int
    starts: dt.date
    ends: dt.date
    sections: dict[int, str]
    tasks: list[TaskSpec]


class _Locator:
    """Line numbers of array-of-table headers and of keys inside them."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.headers: dict[str, list[int]] = {}
        for number, line in enumerate(self.lines, start=1):
            match = re.match(r"\s*\[\[\s*([A-Za-z_]+)\s*\]\]", line) or re.match(
                r"\s*\[\s*([A-Za-z_]+)\s*\]", line
            )
            if match:
                self.headers.setdefault(match.group(1), []).append(number)

    def table(self, kind: str, index: int) -> int:
        starts = self.headers.get(kind, [])
        return starts[index] if index < len(starts) else 1

    def key(self, kind: str, index: int, key: str) -> int:
        start = self.table(kind, index)
        for number in range(start + 1, len(self.lines) + 1):
            line = self.lines[number - 1]
            if re.match(r"\s*\[", line):
                break
            if re.match(rf"\s*{re.escape(key)}\s*=", line):
                return number
        return start


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    raise ValueError(_("应为日期，如 2022-12-31"))


# The longest text each key may hold (the columns of planning.models that store it).
TEXT_LIMITS = {"title": 200, "description": 300, "code": 40, "unit": 20, "region": 12, "indicator": 80}
# A plan file is a few hundred lines; anything far larger is not one.
MAX_PLAN_BYTES = 2 * 1024 * 1024


def read_plan_text(content: bytes) -> str:
    """A plan file's text: UTF-8 (with or without a BOM) and nothing else. A binary, truncated or
    GBK file is refused with the line and byte where it stops being UTF-8."""
    if len(content) > MAX_PLAN_BYTES:
        raise PlanFileError(
            [
                (
                    1,
                    _("文件过大（%(count)s 字节）：计划文件不超过 %(MAX_PLAN_BYTES)s 字节")
                    % {"count": len(content), "MAX_PLAN_BYTES": MAX_PLAN_BYTES},
                )
            ]
        )
    if b"\x00" in content:
        line = content[: content.index(b"\x00")].count(b"\n") + 1
        raise PlanFileError([(line, _("不是文本文件（含有空字节）：请另存为 UTF-8 编码的 TOML 文本"))])
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        raise PlanFileError(
            [
                (
                    line,
                    _("不是 UTF-8 编码（第 %(value)s 字节）：请用 UTF-8 编码另存（GBK 等编码不能读取）")
                    % {"value": exc.start + 1},
                )
            ]
        ) from None


def parse_plan(text: str, *, departments: set[str], regions: set[str]) -> PlanSpec:
    """Parse and check a plan file. Raises PlanFileError listing every problem with its line."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        raise PlanFileError(
            [(int(match.group(1)) if match else 1, _("格式错误：%(exc)s") % {"exc": exc})]
        ) from None
    except RecursionError:
        # A deeply nested array or table: no plan is shaped like that.
        raise PlanFileError([(1, _("格式错误：数组或表嵌套过深"))]) from None
    loc = _Locator(text)
    problems: list[tuple[int, str]] = []

    def need(table: dict[str, Any], kind: str, index: int, key: str, kind_of: type | tuple[type, ...]) -> Any:
        if key not in table:
            problems.append((loc.table(kind, index), f"[{kind}] 缺少“{key}”"))
            return None
        value = table[key]
        if not isinstance(value, kind_of) or (kind_of is int and isinstance(value, bool)):
            problems.append((loc.key(kind, index, key), f"“{key}”的值类型不对"))
            return None
        if isinstance(value, str) and (problem := text_problem(value, max_length=TEXT_LIMITS.get(key))):
            problems.append((loc.key(kind, index, key), f"“{key}”{problem}"))
            return None
        return value

    plan = data.get("plan")
    if not isinstance(plan, dict):
        raise PlanFileError([(1, _("缺少 [plan] 表"))])
    year = need(plan, "plan", 0, "year", int)
    region = need(plan, "plan", 0, "region", str)
    title = need(plan, "plan", 0, "title", str)
    version = plan.get("version", 1)
    starts = ends = None
    for key in ("starts", "ends"):
        try:
            day = _date(plan.get(key))
        except ValueError as exc:
            problems.append((loc.key("plan", 0, key), f"“{key}”{exc}"))
            continue
        if key == "starts":
            starts = day
        else:
            ends = day
    if region is not None and region not in regions:
        problems.append((loc.key("plan", 0, "region"), f"区划代码“{region}”不在辖区内"))
    if starts and ends and starts > ends:
        problems.append((loc.key("plan", 0, "ends"), "计划结束日期早于开始日期"))

    sections: dict[int, str] = {}
    for i, s in enumerate(data.get("section", [])):
        no = need(s, "section", i, "no", int)
        stitle = need(s, "section", i, "title", str)
        if no is not None:
            if no in sections:
                problems.append((loc.key("section", i, "no"), f"部分编号 {no} 重复"))
            sections[no] = stitle or ""

    tasks: dict[int, TaskSpec] = {}
    for i, t in enumerate(data.get("task", [])):
        no = need(t, "task", i, "no", int)
        section = need(t, "task", i, "section", int)
        ttitle = need(t, "task", i, "title", str)
        lead = t.get("lead", [])
        partners = t.get("partners", [])
        for key, units in (("lead", lead), ("partners", partners)):
            if not isinstance(units, list) or not all(isinstance(u, str) for u in units):
                problems.append((loc.key("task", i, key), f"“{key}”应为单位代码列表"))
                continue
            for unit in units:
                if unit not in departments:
                    problems.append((loc.key("task", i, key), f"单位代码“{unit}”不存在"))
        if isinstance(lead, list) and not lead:
            problems.append((loc.key("task", i, "lead"), "每项任务至少有一个牵头单位"))
        towns_raw = t.get("towns", "all")
        towns: list[str] | None = None
        if towns_raw != "all":
            if not isinstance(towns_raw, list):
                problems.append((loc.key("task", i, "towns"), '“towns”应为 "all" 或镇街代码列表'))
            else:
                towns = [str(x) for x in towns_raw]
                for code in towns:
                    if code not in regions:
                        problems.append((loc.key("task", i, "towns"), f"镇街代码“{code}”不在辖区内"))
        try:
            due = _date(t.get("due"))
        except ValueError as exc:
            problems.append((loc.key("task", i, "due"), f"“due”{exc}"))
            due = ends or dt.date.min
        if section is not None and section not in sections:
            problems.append((loc.key("task", i, "section"), f"部分 {section} 未定义"))
        if no is None:
            continue
        if no in tasks:
            problems.append((loc.key("task", i, "no"), f"任务编号 {no} 重复"))
            continue
        tasks[no] = TaskSpec(
            line=loc.table("task", i),
            no=no,
            section=section or 0,
            title=ttitle or "",
            summary=str(t.get("summary", "")),
            lead=list(lead) if isinstance(lead, list) else [],
            partners=list(partners) if isinstance(partners, list) else [],
            towns=towns,
            assigned_by_office=bool(t.get("assigned_by_office", True)),
            due=due,
        )

    codes: set[str] = set()
    for i, g in enumerate(data.get("target", [])):
        task_no = need(g, "target", i, "task", int)
        code = need(g, "target", i, "code", str)
        description = need(g, "target", i, "description", str)
        kind = need(g, "target", i, "kind", str)
        unit = need(g, "target", i, "unit", str)
        comparator = g.get("comparator", ">=")
        indicator = g.get("indicator", "")
        owner = g.get("owner")
        pace = g.get("pace", "due" if g.get("kind") == "milestone" else "even")
        if pace not in ("even", "due"):
            problems.append((loc.key("target", i, "pace"), f"进度方式“{pace}”应为 even 或 due"))
        if kind is not None and kind not in TARGET_KINDS:
            problems.append(
                (loc.key("target", i, "kind"), f"目标类型“{kind}”应为 {'、'.join(TARGET_KINDS)} 之一")
            )
        if kind == "indicator" and not indicator:
            problems.append((loc.table("target", i), "“indicator”类目标必须指明指标代码"))
        if comparator not in COMPARATORS:
            problems.append((loc.key("target", i, "comparator"), f"比较符“{comparator}”无效"))
        if owner is not None and owner not in departments:
            problems.append((loc.key("target", i, "owner"), f"单位代码“{owner}”不存在"))
        raw_value = g.get("value")
        try:
            if isinstance(raw_value, bool) or not isinstance(raw_value, int | float):
                raise InvalidOperation
            value = Decimal(str(raw_value))
        except InvalidOperation:
            problems.append((loc.key("target", i, "value"), "“value”应为数字"))
            value = Decimal(0)
        try:
            due = _date(g.get("due"))
        except ValueError as exc:
            problems.append((loc.key("target", i, "due"), f"“due”{exc}"))
            due = ends or dt.date.min
        if code is not None:
            if code in codes:
                problems.append((loc.key("target", i, "code"), f"目标代码“{code}”重复"))
            codes.add(code)
        if task_no is not None and task_no not in tasks:
            problems.append((loc.key("target", i, "task"), f"任务 {task_no} 未定义"))
            continue
        if task_no is None or code is None:
            continue
        tasks[task_no].targets.append(
            TargetSpec(
                line=loc.table("target", i),
                task=task_no,
                code=code,
                description=description or "",
                kind=kind or "reported",
                indicator=str(indicator),
                comparator=str(comparator),
                value=value,
                unit=unit or "",
                due=due,
                owner=owner,
                pace=str(pace),
                may_exceed=g.get("may_exceed") is True,
            )
        )
    if not tasks and not problems:
        problems.append((1, "计划中没有任何任务"))
    if problems:
        raise PlanFileError(problems)
    assert year is not None and region is not None and starts is not None and ends is not None  # noqa: S101
    return PlanSpec(
        year=year,
        region=region,
        title=title or "",
        source=str(plan.get("source", "")),
        version=int(version),
        starts=starts,
        ends=ends,
        sections=sections,
        tasks=sorted(tasks.values(), key=lambda t: t.no),
    )
