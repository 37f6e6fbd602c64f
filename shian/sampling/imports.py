"""Import of a lab's results from an xlsx or csv file: one row per test item of a sample.

All or nothing (DESIGN.md): every row is checked first (the sample exists in the importer's list
and awaits results, the item is named once, the value reads with its unit, the method detection
limit reads); every problem is located by row, column, value and reason; a clean file is written
sample by sample through `services.sample_results_record` in one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from shian.core.models import AuditSource, User
from shian.core.permissions import Cap, require_cap
from shian.core.xlsx import table_xlsx

# The register's reader is the one reader of uploaded tables (xlsx/xls/ods via calamine; csv in
# UTF-8 or GB18030); its issues are located the same way.
from shian.registry.imports import ImportFileError, ImportIssue, _read_rows, column_label, display_value

from . import rules, services
from .models import Sample
from .selectors import samples_for_user
from .workflow import SampleStatus

MAX_LISTED_ISSUES = 1000
HEADERS: dict[str, tuple[str, ...]] = {
    "code": ("样品编号", "抽样单编号", "样品码"),
    "item": ("检验项目", "项目名称"),
    "result": ("检验结果", "结果", "实测值"),
    "unit": ("单位", "结果单位"),
    "detection_limit": ("方法检出限", "检出限"),
}
REQUIRED = ("code", "item", "result")
TEMPLATE_HEADERS = ["样品编号", "检验项目", "检验结果", "单位", "方法检出限"]


@dataclass
class ResultsImportReport:
    ok: bool
    dry_run: bool
    filename: str
    rows: int
    samples: int
    issues: list[ImportIssue] = field(default_factory=list)
    issue_count: int = 0
    unqualified: int = 0

    def lines(self) -> list[str]:
        return [i.line() for i in self.issues]


@dataclass
class ResultRow:
    """One item of a result as the importer, the API and the page hand it to the service."""

    item: str
    result: str
    unit: str = ""
    detection_limit: str = ""

    @property
    def text(self) -> str:
        """The result with its unit appended when given apart ("0.32" + "mg/kg")."""
        if not self.unit or rules.split_unit(self.result)[1]:
            return self.result
        return f"{self.result}{self.unit}"


def result_row_problems(row: ResultRow) -> list[tuple[str, str, str]]:
    """Problems of one result as (field, value, reason): the value must read in a known unit; the
    method detection limit, when given, must read too and the value must not be below it."""
    problems: list[tuple[str, str, str]] = []
    if not row.item.strip():
        problems.append(("item", row.item, "检验项目为空"))
    if row.unit and rules.normalise_unit(row.unit) not in rules.UNITS:
        problems.append(("unit", row.unit, "无法识别的单位"))
        return problems
    try:
        measured = rules.parse_result(row.text)
    except rules.UnreadableResult:
        problems.append(("result", row.result, "检验结果无法读取：应为数值（可带单位）、“未检出”或“<检出限”"))
        return problems
    if measured.unit and measured.unit not in rules.UNITS:
        problems.append(("result", row.result, f"无法识别的单位“{measured.unit}”"))
    if row.detection_limit:
        try:
            lod = rules.parse_result(row.detection_limit, default_unit=measured.unit)
        except rules.UnreadableResult:
            problems.append(
                ("detection_limit", row.detection_limit, "方法检出限无法读取，应为数值（可带单位）")
            )
            return problems
        if not lod.values or lod.values[0] <= 0:
            problems.append(("detection_limit", row.detection_limit, "方法检出限应为正数"))
        elif measured.detected and measured.values and measured.unit:
            try:
                limit = rules.convert(lod.values[0], lod.unit or measured.unit, measured.unit)
            except rules.UnitMismatch:
                problems.append(("detection_limit", row.detection_limit, "方法检出限的单位与结果不可比"))
            else:
                if len(measured.values) == 1 and measured.values[0] < limit:
                    problems.append(("result", row.result, "结果低于方法检出限，应报告为“未检出”或“<检出限”"))
    return problems


def _header_map(cells: list[Any]) -> dict[str, int]:
    found: dict[str, int] = {}
    for idx, cell in enumerate(cells):
        text = display_value(cell).strip().replace(" ", "")
        for key, names in HEADERS.items():
            if text in names and key not in found:
                found[key] = idx
    return found


def results_import(
    *, by: User, filename: str, content: bytes, on: dt.date, dry_run: bool = False
) -> ResultsImportReport:
    require_cap(by, Cap.SAMPLING_RESULTS)
    try:
        rows = list(_read_rows(filename, content))
    except ImportFileError as exc:
        return ResultsImportReport(False, dry_run, filename, 0, 0, [exc.issue], 1)
    header_row, header = None, {}
    for number, cells in rows[:10]:
        header = _header_map(cells)
        if all(k in header for k in REQUIRED):
            header_row = number
            break
    if header_row is None:
        reason = "找不到表头：需要列“样品编号”“检验项目”“检验结果”（可选“单位”“方法检出限”）"
        return ResultsImportReport(False, dry_run, filename, 0, 0, [ImportIssue(1, "", "", reason)], 1)
    labels = {k: column_label(i, HEADERS[k][0]) for k, i in header.items()}
    issues: list[ImportIssue] = []
    by_code: dict[str, list[tuple[int, ResultRow]]] = defaultdict(list)
    seen: dict[tuple[str, str], int] = {}
    count = 0
    for number, cells in rows:
        if number <= header_row:
            continue

        def cell(key: str, cells: list[Any] = cells) -> str:
            i = header.get(key)
            return display_value(cells[i]).strip() if i is not None and i < len(cells) else ""

        values = {k: cell(k) for k in HEADERS}
        if not any(values.values()):
            continue
        count += 1
        for key in REQUIRED:
            if not values[key]:
                issues.append(ImportIssue(number, labels[key], "", "必填项为空"))
        if not all(values[k] for k in REQUIRED):
            continue
        row = ResultRow(values["item"], values["result"], values["unit"], values["detection_limit"])
        for key, value, reason in result_row_problems(row):
            issues.append(ImportIssue(number, labels.get(key, ""), value, reason))
        dup = seen.get((values["code"], row.item))
        if dup is not None:
            issues.append(
                ImportIssue(number, labels["item"], row.item, f"与第{dup}行重复：同一样品的同一项目")
            )
        seen[(values["code"], row.item)] = number
        by_code[values["code"]].append((number, row))
    visible = {
        s.code: s for s in samples_for_user(by).filter(code__in=list(by_code)).only("id", "code", "status")
    }
    for code, entries in by_code.items():
        first = entries[0][0]
        sample = visible.get(code)
        if sample is None:
            # a sample of another lab or town reads as missing (one 404, STYLE.md rule 5)
            issues.append(
                ImportIssue(first, labels["code"], code, "没有此样品，或此样品不是送交本单位检验的")
            )
        elif sample.status != SampleStatus.DELIVERED:
            issues.append(
                ImportIssue(
                    first,
                    labels["code"],
                    code,
                    f"样品状态为“{SampleStatus(sample.status).label}”，不在待检验状态，不能录入结果",
                )
            )
    if count == 0 and not issues:
        issues.append(ImportIssue(header_row, "", "", "表头之下没有数据行"))
    if issues:
        issues.sort(key=lambda i: (i.row, i.column))
        return ResultsImportReport(
            False, dry_run, filename, count, len(by_code), issues[:MAX_LISTED_ISSUES], len(issues)
        )
    report = ResultsImportReport(True, dry_run, filename, count, len(by_code))
    if dry_run:
        return report
    with transaction.atomic():
        for code, entries in by_code.items():
            try:
                items = results_record(
                    sample=visible[code],
                    rows=[r for _n, r in entries],
                    by=by,
                    on=on,
                    source=AuditSource.IMPORT,
                )
            except (ValidationError, PermissionDenied) as exc:
                transaction.set_rollback(True)
                reason = "；".join(getattr(exc, "messages", [str(exc)]))
                return ResultsImportReport(
                    False,
                    dry_run,
                    filename,
                    count,
                    len(by_code),
                    [ImportIssue(entries[0][0], labels["code"], code, reason)],
                    1,
                )
            report.unqualified += any(i.verdict == "unqualified" for i in items)
    return report


def results_record(*, sample: Sample, rows: list[ResultRow], by: User, on: dt.date, source: str) -> list[Any]:
    """Validate then record: the check shared by the page, the import and the API before the
    one service writes."""
    problems = [(r.item, p) for r in rows for p in result_row_problems(r)]
    if problems:
        raise ValidationError([f"{item}: {value} {reason}" for item, (_k, value, reason) in problems])
    return services.sample_results_record(
        sample=sample,
        results=[(r.item, r.text) for r in rows],
        detection_limits={r.item: r.detection_limit for r in rows if r.detection_limit},
        by=by,
        on=on,
        source=source,
    )


def results_error_workbook(*, report: ResultsImportReport) -> bytes:
    return table_xlsx(
        title=f"{report.filename} 的问题（共{report.issue_count}个）",
        headers=["行", "列", "值", "问题"],
        rows=[[i.row or None, i.column, i.value, i.reason] for i in report.issues],
    )


def results_template_xlsx() -> bytes:
    return table_xlsx(
        title="检验结果导入模板",
        headers=TEMPLATE_HEADERS,
        rows=[["BC2026-0001", "镉(以Cd计)", "0.05", "mg/kg", "0.002"]],
    )
