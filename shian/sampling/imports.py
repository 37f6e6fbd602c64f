"""Import of a lab's results from an xlsx or csv file: one row per test item of a sample.

All or nothing (DESIGN.md): every row is checked first (the sample exists in the importer's list
and awaits results, the item is named once, the value reads with its unit, the method detection
limit and the label's declared value read); every problem is located by row, column, value and reason; a clean file is written
sample by sample through `services.sample_results_record` in one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from shian.core.bulk import filter_in
from shian.core.models import AuditSource, User
from shian.core.permissions import Cap, require_cap
from shian.core.scoping import scope_for
from shian.core.xlsx import table_xlsx

# The register's reader is the one reader of uploaded tables (xlsx/xls/ods via calamine; csv in
# UTF-8 or GB18030); its issues are located the same way.
from shian.registry.imports import ImportFileError, ImportIssue, _read_rows, column_label, display_value
from shian.registry.models import Business, BusinessType

from . import quicktests, rules, services
from .models import QuickResult, QuickTest, Sample
from .selectors import samples_for_user
from .workflow import SampleStatus

MAX_LISTED_ISSUES = 1000
HEADERS: dict[str, tuple[str, ...]] = {
    "code": ("样品编号", "抽样单编号", "样品码"),
    "item": ("检验项目", "项目名称"),
    "result": ("检验结果", "结果", "实测值"),
    "unit": ("单位", "结果单位"),
    "detection_limit": ("方法检出限", "检出限"),
    "declared": ("标示值", "标签标示值"),
}
REQUIRED = ("code", "item", "result")
TEMPLATE_HEADERS = ["样品编号", "检验项目", "检验结果", "单位", "方法检出限", "标示值"]


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
    declared: str = ""  # the label's declared value with its unit ("42%vol"); "" when none

    @property
    def text(self) -> str:
        """The result with its unit appended when given apart ("0.32" + "mg/kg")."""
        if not self.unit or rules.split_unit(self.result)[1]:
            return self.result
        return f"{self.result}{self.unit}"


def result_row_problems(row: ResultRow) -> list[tuple[str, str, str]]:
    """Problems of one result as (field, value, reason): the value must read in a known unit; the
    method detection limit, when given, must read too and the value must not be below it; the
    label's declared value, when given, must be one figure in a unit comparable with the result's."""
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
    if row.declared:
        problems.extend(_declared_problems(row.declared, measured))
    return problems


def _declared_problems(declared: str, measured: rules.Measured) -> list[tuple[str, str, str]]:
    """The label's declared value: one positive figure, with a unit that compares with the result's."""
    try:
        label = rules.parse_result(declared, default_unit=measured.unit)
    except rules.UnreadableResult:
        return [("declared", declared, "标示值无法读取，应为一个数值（可带单位），如“42%vol”")]
    if not label.detected or len(label.values) != 1 or label.values[0] <= 0:
        return [("declared", declared, "标示值应为一个正数（可带单位），如“42%vol”")]
    if label.unit and label.unit not in rules.UNITS:
        return [("declared", declared, f"标示值的单位“{label.unit}”无法识别")]
    if label.unit and measured.unit:
        try:
            rules.convert(label.values[0], label.unit, measured.unit)
        except rules.UnitMismatch:
            return [("declared", declared, "标示值的单位与结果不可比")]
    return []


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
        reason = "找不到表头：需要列“样品编号”“检验项目”“检验结果”（可选“单位”“方法检出限”“标示值”）"
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
        row = ResultRow(
            values["item"], values["result"], values["unit"], values["detection_limit"], values["declared"]
        )
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
        s.code: s for s in filter_in(samples_for_user(by).only("id", "code", "status"), "code", by_code)
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
        declared_values={r.item: r.declared for r in rows if r.declared},
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
        rows=[
            ["BC2026-0001", "镉(以Cd计)", "0.05", "mg/kg", "0.002", ""],
            ["BC2026-0002", "酒精度", "41.6", "%vol", "", "42%vol"],
        ],
    )


# -- quick tests (快检) -----------------------------------------------------------------------------
# Many markets keep their quick tests in Excel, one row per test. All or nothing, as above: every
# row is checked (the market is in the importer's area, the time has its hour and minute, the item
# is known, the reading agrees with the result, no row twice); a clean file is written row by row
# through `quicktests.quick_test_record` in one transaction.

QUICK_HEADERS: dict[str, tuple[str, ...]] = {
    "tested_at": ("检测时间", "快检时间", "检测日期时间"),
    "market": ("市场", "市场名称", "农贸市场"),
    "stall": ("摊位/经营者", "摊位", "经营者", "摊位号", "经营户"),
    "product": ("产品名称", "样品名称", "品名"),
    "item": ("检测项目", "项目"),
    "result": ("检测结果", "结果", "定性结果"),
    "reading": ("抑制率/读数", "抑制率", "读数", "抑制率(%)"),
    "kit_batch": ("试剂批号", "批号"),
    "tester": ("检测人", "检测员"),
    "kit_name": ("试剂名称", "检测方法", "试剂/方法"),
}
QUICK_REQUIRED = ("tested_at", "market", "stall", "product", "item", "result")
QUICK_TEMPLATE_HEADERS = [
    "检测时间",
    "市场",
    "摊位/经营者",
    "产品名称",
    "检测项目",
    "检测结果",
    "抑制率/读数",
    "试剂批号",
    "检测人",
]
QUICK_RESULT_WORDS = {
    "阴性": QuickResult.NEGATIVE,
    "阴": QuickResult.NEGATIVE,
    "-": QuickResult.NEGATIVE,
    "合格": QuickResult.NEGATIVE,
    "negative": QuickResult.NEGATIVE,
    "阳性": QuickResult.POSITIVE,
    "阳": QuickResult.POSITIVE,
    "+": QuickResult.POSITIVE,
    "不合格": QuickResult.POSITIVE,
    "positive": QuickResult.POSITIVE,
}
_TIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日%H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
)
# The service's field -> the column it is read from.
_FIELD_COLUMN = {
    "business": "market",
    "tested_at": "tested_at",
    "stall": "stall",
    "product": "product",
    "item": "item",
    "result": "result",
    "reading": "reading",
}


@dataclass
class QuickTestImportReport:
    ok: bool
    dry_run: bool
    filename: str
    rows: int
    issues: list[ImportIssue] = field(default_factory=list)
    issue_count: int = 0
    positives: int = 0

    def lines(self) -> list[str]:
        return [i.line() for i in self.issues]


class UnreadableTime(ValueError):
    pass


def parse_test_time(value: Any) -> dt.datetime:
    """A test time from a cell: a spreadsheet date-time or text with the hour and minute, in
    Beijing time. A date alone is refused: the objection window is counted in hours."""
    if isinstance(value, dt.datetime):
        naive = value.replace(tzinfo=None) if value.tzinfo is None else None
        if naive is None:
            return value
        if naive.time() == dt.time():
            raise UnreadableTime("只有日期，缺少时刻（时:分）：异议期按小时计算")
        return timezone.make_aware(naive)
    if isinstance(value, dt.date):
        raise UnreadableTime("只有日期，缺少时刻（时:分）：异议期按小时计算")
    text = display_value(value).strip().replace("：", ":")
    text = " ".join(text.split())
    for fmt in _TIME_FORMATS:
        try:
            parsed = dt.datetime.strptime(text, fmt)  # noqa: DTZ007 - made aware in Beijing time below
        except ValueError:
            continue
        return timezone.make_aware(parsed)
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日"):
        try:
            dt.datetime.strptime(text, fmt)  # noqa: DTZ007 - only to recognise a date without a time
        except ValueError:
            continue
        raise UnreadableTime("只有日期，缺少时刻（时:分）：异议期按小时计算")
    raise UnreadableTime("检测时间无法读取，应写作“2022-05-03 08:15”")


def _quick_header_map(cells: list[Any]) -> dict[str, int]:
    found: dict[str, int] = {}
    for idx, cell in enumerate(cells):
        text = rules.clean_text(display_value(cell)).strip().replace(" ", "")
        for key, names in QUICK_HEADERS.items():
            if text in names and key not in found:
                found[key] = idx
    return found


def _markets_by_name(by: User, names: set[str]) -> dict[str, list[Business]]:
    """The businesses of the importer's area named in the file (a market of another town reads
    as unknown, as in every scoped lookup)."""
    out: dict[str, list[Business]] = defaultdict(list)
    visible = scope_for(by).apply(Business.objects.all(), region_field="region", type_field="business_type")
    for b in filter_in(visible, "name", names):
        out[b.name].append(b)
    return out


def quick_tests_import(
    *, by: User, filename: str, content: bytes, dry_run: bool = False
) -> QuickTestImportReport:
    require_cap(by, Cap.SAMPLING_MANAGE)
    try:
        rows = list(_read_rows(filename, content))
    except ImportFileError as exc:
        return QuickTestImportReport(False, dry_run, filename, 0, [exc.issue], 1)
    header_row, header = None, {}
    for number, cells in rows[:10]:
        header = _quick_header_map(cells)
        if all(k in header for k in QUICK_REQUIRED):
            header_row = number
            break
    if header_row is None:
        found = max((_quick_header_map(c) for _n, c in rows[:10]), key=len, default={})
        missing = "、".join(f"“{QUICK_HEADERS[k][0]}”" for k in QUICK_REQUIRED if k not in found)
        reason = f"找不到表头：缺少列{missing}（需要列：{'、'.join(QUICK_TEMPLATE_HEADERS)}）"
        return QuickTestImportReport(False, dry_run, filename, 0, [ImportIssue(1, "", "", reason)], 1)
    labels = {k: column_label(i, QUICK_HEADERS[k][0]) for k, i in header.items()}
    issues: list[ImportIssue] = []
    parsed: list[tuple[int, dict[str, Any]]] = []
    for number, cells in rows:
        if number <= header_row:
            continue

        def cell(key: str, cells: list[Any] = cells) -> Any:
            i = header.get(key)
            return cells[i] if i is not None and i < len(cells) else None

        values = {k: display_value(cell(k)).strip() for k in QUICK_HEADERS}
        if not any(values.values()):
            continue
        for key in QUICK_REQUIRED:
            if not values[key]:
                issues.append(ImportIssue(number, labels[key], "", "必填项为空"))
        row: dict[str, Any] = dict(values)
        if values["tested_at"]:
            try:
                row["tested_at"] = parse_test_time(cell("tested_at"))
            except UnreadableTime as exc:
                issues.append(ImportIssue(number, labels["tested_at"], values["tested_at"], str(exc)))
                row["tested_at"] = None
        else:
            row["tested_at"] = None
        if values["result"]:
            word = rules.clean_text(values["result"]).strip().lower()
            row["result"] = QUICK_RESULT_WORDS.get(word, "")
            if not row["result"]:
                issues.append(
                    ImportIssue(number, labels["result"], values["result"], "检测结果应为“阴性”或“阳性”")
                )
        parsed.append((number, row))
    markets = _markets_by_name(by, {r["market"] for _n, r in parsed if r["market"]})
    testers = {
        u.full_name: u
        for u in filter_in(
            User.objects.filter(is_active=True), "full_name", {r["tester"] for _n, r in parsed if r["tester"]}
        )
    }
    seen: dict[tuple[Any, ...], int] = {}
    inputs: list[tuple[int, quicktests.QuickTestInput]] = []
    for number, row in parsed:
        business = None
        if row["market"]:
            candidates = markets.get(row["market"], [])
            if len(candidates) > 1:
                candidates = [b for b in candidates if b.business_type == BusinessType.AGRI_MARKET]
            if not candidates:
                issues.append(
                    ImportIssue(
                        number, labels["market"], row["market"], "登记簿中没有此市场，或此市场不在您的辖区"
                    )
                )
            elif len(candidates) > 1:
                issues.append(
                    ImportIssue(
                        number,
                        labels["market"],
                        row["market"],
                        "登记簿中有多个同名市场，请在登记簿中核对名称",
                    )
                )
            else:
                business = candidates[0]
        data = quicktests.QuickTestInput(
            business=business,
            stall=row["stall"],
            product=row["product"],
            item=row["item"],
            result=row["result"],
            tested_at=row["tested_at"],
            reading=row["reading"],
            kit_name=row["kit_name"],
            kit_batch=row["kit_batch"],
            tester=testers.get(row["tester"]),
            tester_name=row["tester"],
        )
        if business is None or data.tested_at is None or not data.result:
            continue  # already located; the remaining checks need these
        for fname, value, reason in quicktests.quick_test_problems(data):
            issues.append(ImportIssue(number, labels.get(_FIELD_COLUMN.get(fname, ""), ""), value, reason))
        book_item = rules.quick_test_rules_in_force(timezone.localdate(data.tested_at)).item(data.item)
        row_key = (
            business.pk,
            data.stall,
            data.product,
            book_item.code if book_item else data.item,
            data.tested_at.replace(second=0, microsecond=0),
        )
        if row_key in seen:
            issues.append(
                ImportIssue(
                    number,
                    labels["tested_at"],
                    row["market"],
                    f"与第{seen[row_key]}行重复：同一摊位同一产品同一项目同一时间",
                )
            )
        seen[row_key] = number
        if (
            book_item is not None
            and QuickTest.objects.filter(
                business=business,
                stall=data.stall,
                product=data.product,
                item_code=book_item.code,
                tested_at=row_key[4],
            ).exists()
        ):
            issues.append(
                ImportIssue(
                    number, labels["tested_at"], quicktests.local_text(data.tested_at), "此条快检记录已导入过"
                )
            )
        inputs.append((number, data))
    if not parsed and not issues:
        issues.append(ImportIssue(header_row, "", "", "表头之下没有数据行"))
    if issues:
        issues.sort(key=lambda i: (i.row, i.column))
        return QuickTestImportReport(
            False, dry_run, filename, len(parsed), issues[:MAX_LISTED_ISSUES], len(issues)
        )
    report = QuickTestImportReport(True, dry_run, filename, len(parsed))
    report.positives = sum(d.result == QuickResult.POSITIVE for _n, d in inputs)
    if dry_run:
        return report
    with transaction.atomic():
        for number, data in inputs:
            try:
                quicktests.quick_test_record(actor=by, source=AuditSource.IMPORT, data=data)
            except (ValidationError, PermissionDenied) as exc:
                transaction.set_rollback(True)
                reason = "；".join(getattr(exc, "messages", [str(exc)]))
                return QuickTestImportReport(
                    False, dry_run, filename, len(parsed), [ImportIssue(number, "", "", reason)], 1
                )
    return report


def quick_tests_error_workbook(*, report: QuickTestImportReport) -> bytes:
    return table_xlsx(
        title=f"{report.filename} 的问题（共{report.issue_count}个）",
        headers=["行", "列", "值", "问题"],
        rows=[[i.row or None, i.column, i.value, i.reason] for i in report.issues],
    )


def quick_tests_template_xlsx() -> bytes:
    return table_xlsx(
        title="快检结果导入模板",
        headers=QUICK_TEMPLATE_HEADERS,
        rows=[
            [
                "2022-05-03 07:40",
                "北辰区某农贸市场",
                "A12 张记蔬菜",
                "小白菜",
                "有机磷和氨基甲酸酯类农药残留(酶抑制率)",
                "阴性",
                "12.5%",
                "20220401",
                "王检测",
            ],
            [
                "2022-05-03 07:55",
                "北辰区某农贸市场",
                "B03 李记肉铺",
                "猪肉",
                "克伦特罗",
                "阴性",
                "",
                "KL2204",
                "王检测",
            ],
        ],
    )
