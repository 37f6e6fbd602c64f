"""Import of the food-business register from an xlsx or csv file with Chinese headers.

All or nothing (DESIGN.md): every row is checked with the register's own rules
(`rules.clean_business` with the actor's lookups) and against the register
(`services.business_match`) before anything is written; every problem is reported with its
row, column, value and reason; a clean file is written by `services.business_bulk_upsert`
in one transaction together with one summary audit entry.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import hashlib
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import xlsxwriter
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum
from xlsxwriter.utility import xl_cell_to_rowcol, xl_col_to_name

from shian.core.audit import AuditEvent, audit_record
from shian.core.imports import ImportIssue
from shian.core.models import AuditAction, AuditSource, Region, RegionLevel, User
from shian.core.permissions import Cap, require_cap
from shian.core.rules import make_credit_code
from shian.core.xlsx import FORMULA_GUARD, FORMULA_TRIGGERS

from .lookups import build_lookups
from .models import Business, BusinessFoodCategory
from .rules import CATEGORY_SEPARATORS, FIELDS, BusinessInput, Lookups, clean_business
from .services import (
    UpsertConflict,
    _input_state,  # the one definition of the audited state, shared with the writer
    business_bulk_upsert,
    business_match,
    business_state,
)

IMPORT_OBJECT_TYPE = "registry.import"
# The report lists this many issues (the web page and the error workbook show them); all are counted.
MAX_LISTED_ISSUES = 1000
# A title row or two above the header is common in the registers towns keep; look this far for it.
HEADER_SEARCH_ROWS = 10
# Rows matched and written per call of the register's services, inside the import's one transaction.
APPLY_CHUNK = 5000

# Field -> accepted headers; the first is the canonical one, used by the export and the template.
HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "name": ("名称", "企业名称", "经营者名称", "主体名称", "单位名称"),
    "credit_code": ("统一社会信用代码", "社会信用代码", "信用代码"),
    "production_licence": ("食品生产许可证编号", "生产许可证编号", "SC编号"),
    "business_licence": ("食品经营许可证编号", "经营许可证编号", "JY编号"),
    "business_type": ("业态", "主体业态", "经营类型"),
    "categories": ("食品类别",),
    "scale": ("规模",),
    "region_code": ("所属镇街", "镇街", "所属区域"),
    "address": ("地址", "经营场所", "住所"),
    "legal_representative": ("法定代表人", "负责人", "法定代表人(负责人)"),
    "longitude": ("经度",),
    "latitude": ("纬度",),
    "status": ("状态", "经营状态"),
    "opened_on": ("开业日期", "成立日期"),
    "licence_valid_until": ("许可证有效期至", "有效期至"),
    "closed_on": ("注销日期",),
}
IMPORT_HEADERS: list[str] = [HEADER_SYNONYMS[f][0] for f in FIELDS]
HEADER_OF: dict[str, str] = {f: HEADER_SYNONYMS[f][0] for f in FIELDS}
REQUIRED_FIELDS = ("name", "business_type", "region_code")
IDENTIFIER_FIELDS = ("credit_code", "production_licence", "business_licence")

# Export guards text that a spreadsheet would run as a formula with a leading apostrophe
# (exports.py); the importer takes it off again, so an exported file re-imports unchanged.

_REMARK = re.compile(r"\((必填|选填|可选|必须填写)\)$")


def _normalise_header(text: object) -> str:
    """Header as compared: NFKC (full-width to half-width), no spaces, no required-marks, lower case."""
    value = unicodedata.normalize("NFKC", "" if text is None else str(text))
    value = "".join(value.split()).strip("*")
    return _REMARK.sub("", value).lower()


_HEADER_FIELD: dict[str, str] = {}
for _field, _names in HEADER_SYNONYMS.items():
    _HEADER_FIELD[_normalise_header(_field)] = _field
    for _name in _names:
        _HEADER_FIELD[_normalise_header(_name)] = _field


@dataclass
class ImportReport:
    ok: bool
    dry_run: bool
    filename: str
    rows: int
    created: int
    updated: int
    unchanged: int
    issues: list[ImportIssue]
    issue_count: int

    def lines(self) -> list[str]:
        out = [issue.line() for issue in self.issues]
        if self.issue_count > len(self.issues):
            out.append(f"……另有{self.issue_count - len(self.issues)}个问题未列出")
        return out


class ImportFileError(Exception):
    """The file as a whole cannot be read (format, encoding, no data)."""

    def __init__(self, reason: str, *, row: int = 0) -> None:
        super().__init__(reason)
        self.issue = ImportIssue(row=row, column="", value="", reason=reason)


# --------------------------------------------------------------------------------------------
# Reading: xlsx (and xls/ods) through calamine, csv in UTF-8, UTF-8 with BOM or GB18030/GBK.

Cell = Any  # str, int, float, bool, date, datetime, time, timedelta or None
Row = tuple[int, list[Cell]]  # (row number as the spreadsheet shows it, cells from column A)

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls (and encrypted .xlsx)
_SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")


def _is_workbook(filename: str, content: bytes) -> bool:
    if content.startswith((_ZIP_MAGIC, _OLE_MAGIC)):
        return True
    if filename.lower().endswith(_SPREADSHEET_SUFFIXES):
        raise ImportFileError(
            _("文件扩展名是Excel工作簿，但内容不是有效的xlsx文件，请在Excel中另存为xlsx后重新导入")
        )
    return False


def _workbook_rows(content: bytes, *, max_rows: int | None = None) -> Iterator[Row]:
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(content))
        index = next(
            (
                i
                for i, meta in enumerate(book.sheets_metadata)
                if meta.typ == SheetTypeEnum.WorkSheet and meta.visible == SheetVisibleEnum.Visible
            ),
            None,
        )
        if index is None:
            raise ImportFileError(_("工作簿中没有可见的工作表"))
        sheet = book.get_sheet_by_index(index)
        # The sheet's used range is known before a row is read: refuse an oversized one at once.
        if max_rows is not None and sheet.height > max_rows + HEADER_SEARCH_ROWS:
            raise _too_many_rows(max_rows)
        start = sheet.start
        if start is None:
            return
        # calamine yields rows from row 1 but cells from the first used column: pad to column A.
        pad: list[Cell] = [""] * start[1]
        for number, cells in enumerate(sheet.iter_rows(), start=1):
            yield number, pad + cells if pad else cells
    except CalamineError as exc:
        raise ImportFileError(
            _("无法读取Excel工作簿（%(name__)s），文件可能已损坏或已加密") % {"name__": type(exc).__name__}
        ) from None


def _decode_csv(content: bytes) -> str:
    """The text of a csv file in UTF-8 (with or without BOM) or GB18030 (which includes GBK).

    A file whose lines are partly UTF-8 and partly GBK (rows appended by another program) is
    refused, naming the first line in the minority encoding: guessing would garble those rows.
    """
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportFileError(_("不支持UTF-16编码的CSV文件，请另存为“CSV UTF-8（逗号分隔）”后重新导入"))
    if b"\x00" in content:
        raise ImportFileError(_("文件不是文本格式的CSV，也不是Excel工作簿，无法识别"))
    body = content[3:] if content.startswith(b"\xef\xbb\xbf") else content
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    utf8_lines: list[int] = []
    other_lines: list[int] = []
    for number, line in enumerate(body.split(b"\n"), start=1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            other_lines.append(number)
        else:
            utf8_lines.append(number)
    if utf8_lines and other_lines:
        if len(other_lines) < len(utf8_lines) or (
            len(other_lines) == len(utf8_lines) and other_lines[0] > utf8_lines[0]
        ):
            line_no, minority, majority = other_lines[0], "GBK（GB18030）", "UTF-8"
        else:
            line_no, minority, majority = utf8_lines[0], "UTF-8", "GBK（GB18030）"
        raise ImportFileError(
            _(
                "文件混用了两种编码：大部分行是%(majority)s，第%(line_no)s行起有%(minority)s编码的行。请将整个文件另存为同一种编码（建议UTF-8）后重新导入"
            )
            % {"majority": majority, "line_no": line_no, "minority": minority},
            row=line_no,
        )
    try:
        return body.decode("gb18030")
    except UnicodeDecodeError as exc:
        line_no = body.count(b"\n", 0, exc.start) + 1
        raise ImportFileError(
            _(
                "第%(line_no)s行含有无法识别的字符：文件既不是UTF-8也不是GBK（GB18030）编码的CSV，也不是Excel工作簿"
            )
            % {"line_no": line_no},
            row=line_no,
        ) from None


def _csv_rows(text: str) -> Iterator[Row]:
    # Comma-separated, or tab-separated as Excel saves “Unicode text”: judged on the first lines.
    head = "\n".join(text.split("\n", HEADER_SEARCH_ROWS)[:HEADER_SEARCH_ROWS])
    delimiter = "\t" if head.count("\t") > head.count(",") else ","
    try:
        for number, cells in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), 1):
            yield number, list(cells)
    except csv.Error as exc:
        raise ImportFileError(_("CSV格式错误：%(exc)s") % {"exc": exc}) from None


def _too_many_rows(limit: int) -> ImportFileError:
    return ImportFileError(
        _("文件超过%(limit)s行数据的导入上限（设置 SHIAN_IMPORT_MAX_ROWS）：请拆分为几个文件分别导入")
        % {"limit": limit}
    )


def _limited(rows: Iterator[Row], limit: int) -> Iterator[Row]:
    # The header may sit a few rows down: the limit counts data rows, with room for it.
    for number, cells in rows:
        if number > limit + HEADER_SEARCH_ROWS:
            raise _too_many_rows(limit)
        yield number, cells


def _read_rows(filename: str, content: bytes) -> Iterator[Row]:
    """Every import's rows, within the upload limits (settings SHIAN_IMPORT_MAX_BYTES and
    SHIAN_IMPORT_MAX_ROWS): a larger file is refused whole, with the limit named."""
    max_bytes, max_rows = settings.SHIAN_IMPORT_MAX_BYTES, settings.SHIAN_IMPORT_MAX_ROWS
    if len(content) > max_bytes:
        raise ImportFileError(
            _(
                "文件大小 %(value)s MB 超过导入上限 %(value2)s MB（设置 SHIAN_IMPORT_MAX_BYTES）：请拆分为几个文件分别导入"
            )
            % {"value": format(len(content) / 1048576, ".1f"), "value2": format(max_bytes / 1048576, ".0f")}
        )
    if _is_workbook(filename, content):
        return _limited(_workbook_rows(content, max_rows=max_rows), max_rows)
    return _limited(_csv_rows(_decode_csv(content)), max_rows)


def _tolerant_rows(filename: str, content: bytes) -> Iterator[Row]:
    """The rows for the error workbook, even from a file the importer refused."""
    try:
        if _is_workbook(filename, content):
            yield from _workbook_rows(content)
            return
        text = _decode_csv(content)
    except ImportFileError:
        if content.startswith((_ZIP_MAGIC, _OLE_MAGIC)):
            return
        lines = []
        for line in content.removeprefix(b"\xef\xbb\xbf").split(b"\n"):
            try:
                lines.append(line.decode("utf-8"))
            except UnicodeDecodeError:
                lines.append(line.decode("gb18030", errors="replace"))
        text = "\n".join(lines).replace("\x00", "")
    try:
        yield from _csv_rows(text)
    except ImportFileError:
        return


# --------------------------------------------------------------------------------------------
# Cells.


def _is_empty(value: Cell) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def display_value(value: Cell) -> str:
    """A cell as the user typed it, for messages."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _unguard(value: Cell) -> Cell:
    if isinstance(value, str) and value[:1] == FORMULA_GUARD and value[1:2] in FORMULA_TRIGGERS:
        return value[1:]
    return value


def column_label(index: int, header: str) -> str:
    return f"{xl_col_to_name(index)}（{header}）" if header else xl_col_to_name(index)


# --------------------------------------------------------------------------------------------
# Header.


@dataclass
class _Header:
    row: int
    fields: dict[str, int]  # field -> column index
    labels: dict[int, str]  # column index -> header text as written
    unnamed: set[int]  # columns without a header (allowed while they stay empty)
    issues: list[ImportIssue]

    def column(self, fname: str) -> str:
        index = self.fields.get(fname)
        return "" if index is None else column_label(index, self.labels[index])


def _parse_header(number: int, cells: Sequence[Cell]) -> _Header:
    header = _Header(row=number, fields={}, labels={}, unnamed=set(), issues=[])
    for index, cell in enumerate(cells):
        text = display_value(cell).strip()
        if not text:
            header.unnamed.add(index)
            continue
        header.labels[index] = text
        fname = _HEADER_FIELD.get(_normalise_header(text))
        where = column_label(index, text)
        if fname is None:
            header.issues.append(
                ImportIssue(number, where, text, "表头无法识别，可用的表头为：" + "、".join(IMPORT_HEADERS))
            )
        elif fname in header.fields:
            first = header.fields[fname]
            header.issues.append(
                ImportIssue(
                    number,
                    where,
                    text,
                    f"表头重复：与{xl_col_to_name(first)}列“{header.labels[first]}”都表示“{HEADER_OF[fname]}”",
                )
            )
        else:
            header.fields[fname] = index
    for fname in REQUIRED_FIELDS:
        if fname not in header.fields:
            header.issues.append(ImportIssue(number, "", "", f"缺少必需的列“{HEADER_OF[fname]}”"))
    if not any(f in header.fields for f in IDENTIFIER_FIELDS):
        header.issues.append(
            ImportIssue(
                number,
                "",
                "",
                "缺少代码列：统一社会信用代码、食品生产许可证编号、食品经营许可证编号至少需要一列",
            )
        )
    return header


def _known_headers(cells: Sequence[Cell]) -> int:
    return sum(1 for c in cells if _normalise_header(display_value(c)) in _HEADER_FIELD)


def _find_header(rows: Iterator[Row]) -> tuple[Row | None, list[Row]]:
    """The header row: the first of the first few non-empty rows naming two known columns
    (rows above it are titles); else the first non-empty row. Returns it and the rows read past it."""
    seen: list[Row] = []
    for row in rows:
        if all(_is_empty(c) for c in row[1]):
            continue
        seen.append(row)
        if _known_headers(row[1]) >= 2:
            return row, []
        if len(seen) >= HEADER_SEARCH_ROWS:
            break
    if not seen:
        return None, []
    return seen[0], seen[1:]


# --------------------------------------------------------------------------------------------
# Validation.


def _system_lookups(lookups: Lookups) -> Lookups:
    """The system actor (a command run without --user) may name every town and street."""
    regions: dict[str, str] = {}
    for code, name in Region.objects.exclude(level=RegionLevel.DISTRICT).values_list("code", "name"):
        regions[code.lower()] = code
        regions[name.lower()] = code
    return dataclasses.replace(lookups, regions=regions)


def _category_splitter(lookups: Lookups) -> list[tuple[re.Pattern[str], str]]:
    """Category names that themselves contain a separator (“食用油、油脂及其制品”), as patterns to
    replace by their code before the list is split, so that “食用油、油脂及其制品、饮料” is two."""
    sep = CATEGORY_SEPARATORS.pattern
    out = []
    for key, code in sorted(lookups.categories.items(), key=lambda kv: -len(kv[0])):
        if CATEGORY_SEPARATORS.search(key):
            parts = [p for p in CATEGORY_SEPARATORS.split(key) if p]
            out.append((re.compile(sep.join(re.escape(p) for p in parts), re.IGNORECASE), code))
    return out


def _categories_cell(value: Cell, splitter: list[tuple[re.Pattern[str], str]]) -> Cell:
    if not isinstance(value, str):
        return value
    for pattern, code in splitter:
        if pattern.search(value):
            value = pattern.sub(f"、{code}、", value)
    return value


@dataclass
class _Checked:
    rows: int = 0
    inputs: list[BusinessInput] = field(default_factory=list)
    row_numbers: list[int] = field(default_factory=list)
    cells: list[list[Cell]] = field(default_factory=list)  # raw identifier cells, for located conflicts
    issues: list[ImportIssue] = field(default_factory=list)


def _check_rows(rows: Iterable[Row], header: _Header, lookups: Lookups, *, scoped: bool) -> _Checked:
    out = _Checked()
    splitter = _category_splitter(lookups)
    all_regions = _system_lookups(lookups).regions if scoped else lookups.regions
    first_seen: dict[tuple[str, str], int] = {}  # (field, canonical code) -> row number
    unnamed = sorted(header.unnamed)  # columns without a header, inside the header's width
    reported: set[int] = set()
    header_width = max(header.labels, default=-1) + 1
    columns = list(header.fields.items())
    width = max(header.fields.values(), default=-1) + 1
    id_columns = [(f, header.fields[f]) for f in IDENTIFIER_FIELDS if f in header.fields]

    for number, cells in rows:
        if all(_is_empty(c) for c in cells):
            continue
        out.rows += 1
        if len(cells) < width:
            cells = cells + [None] * (width - len(cells))
        # A value in a column without a header is reported once, at the first row that has one.
        if unnamed or len(cells) > header_width:
            for index in (*unnamed, *range(header_width, len(cells))):
                if index not in reported and index < len(cells) and not _is_empty(cells[index]):
                    reported.add(index)
                    out.issues.append(
                        ImportIssue(
                            number,
                            column_label(index, ""),
                            display_value(cells[index]),
                            "该列没有表头，无法确定填写的是什么；请补上表头或删除该列",
                        )
                    )
        raw: dict[str, Cell] = {fname: cells[index] for fname, index in columns}
        for fname, value in raw.items():
            if isinstance(value, str) and value[:1] == FORMULA_GUARD:
                raw[fname] = _unguard(value)
        if "categories" in raw:
            raw["categories"] = _categories_cell(raw["categories"], splitter)
        data, errors = clean_business(raw, lookups)

        if "region_code" in errors and scoped:
            typed = display_value(raw.get("region_code")).strip()
            if typed.lower() in all_regions:
                errors["region_code"] = f"所属镇街“{typed}”不在您的辖区内，不能导入其他镇街的经营主体"
        for fname, reason in errors.items():
            col = header.fields.get(fname)
            out.issues.append(
                ImportIssue(
                    number,
                    header.column(fname),
                    display_value(cells[col]) if col is not None else "",
                    reason,
                )
            )
        duplicate = False
        for fname, index in id_columns:
            code = getattr(data, fname)
            if not code or fname in errors:
                continue
            earlier = first_seen.setdefault((fname, code), number)
            if earlier != number:
                duplicate = True
                out.issues.append(
                    ImportIssue(
                        number,
                        header.column(fname),
                        display_value(cells[index]),
                        f"与第{earlier}行的{HEADER_OF[fname]}重复，同一经营主体只能出现一次",
                    )
                )
        if not errors and not duplicate:
            out.inputs.append(data)
            out.row_numbers.append(number)
            out.cells.append([cells[index] for _, index in id_columns])
    return out


def _register_issues(
    checked: _Checked,
    header: _Header,
    actor: User | None,
    *,
    plan: bool,
    matches_out: list[Business | None] | None = None,
) -> tuple[int, int, int]:
    """Conflicts with the register (services.business_match, a chunk at a time), and two rows that
    would both change the same registered business. With `plan`, also what a clean import would
    do: created, updated, unchanged. With `matches_out`, the match of every input is appended to
    it (the writer reuses them when this runs inside its transaction)."""
    id_fields = [f for f in IDENTIFIER_FIELDS if f in header.fields]
    region_column = header.column("region_code")
    claimed: dict[int, int] = {}  # business pk -> row number
    totals = [0, 0, 0]
    for start in range(0, len(checked.inputs), APPLY_CHUNK):
        part = checked.inputs[start : start + APPLY_CHUNK]
        matches, problems = business_match(part, user=actor)
        if matches_out is not None:
            matches_out.extend(matches)
        for j, match in enumerate(matches):
            i = start + j
            number = checked.row_numbers[i]
            if j in problems:
                if "辖区" in problems[j] and region_column:
                    issue = ImportIssue(number, region_column, checked.inputs[i].region_code, problems[j])
                else:
                    issue = _identifier_issue(checked, header, id_fields, i, problems[j])
                checked.issues.append(issue)
                continue
            if match is None:
                continue
            earlier = claimed.setdefault(match.pk, number)
            if earlier != number:
                reason = (
                    f"与第{earlier}行指向登记簿中的同一经营主体（{match.name}），同一经营主体只能出现一次"
                )
                checked.issues.append(_identifier_issue(checked, header, id_fields, i, reason))
        if plan and not checked.issues:
            for k, n in enumerate(_planned_counts(part, matches)):
                totals[k] += n
    return totals[0], totals[1], totals[2]


def _identifier_issue(
    checked: _Checked, header: _Header, id_fields: list[str], i: int, reason: str
) -> ImportIssue:
    """An issue on the first filled code cell of input `i`."""
    for fname, value in zip(id_fields, checked.cells[i], strict=True):
        if not _is_empty(value):
            return ImportIssue(checked.row_numbers[i], header.column(fname), display_value(value), reason)
    return ImportIssue(checked.row_numbers[i], "", "", reason)


def _planned_counts(
    inputs: Sequence[BusinessInput], matches: Sequence[Business | None]
) -> tuple[int, int, int]:
    """What an import would do (for a dry run): created, updated, unchanged."""
    existing = [m.pk for m in matches if m is not None]
    categories: dict[int, list[str]] = {}
    for i in range(0, len(existing), 900):  # SQLite allows 999 parameters per statement
        for bid, code in BusinessFoodCategory.objects.filter(
            business_id__in=existing[i : i + 900]
        ).values_list("business_id", "category_id"):
            categories.setdefault(bid, []).append(code)
    created = updated = unchanged = 0
    for data, match in zip(inputs, matches, strict=True):
        if match is None:
            created += 1
        elif business_state(match, categories.get(match.pk, [])) == _input_state(data):
            unchanged += 1
        else:
            updated += 1
    return created, updated, unchanged


def _sort_key(issue: ImportIssue) -> tuple[int, int]:
    letter = issue.column.partition("（")[0]
    return issue.row, (xl_cell_to_rowcol(f"{letter}1")[1] if letter else -1)


def _report(
    *,
    dry_run: bool,
    filename: str,
    rows: int = 0,
    issues: list[ImportIssue] | None = None,
    counts: tuple[int, int, int] = (0, 0, 0),
) -> ImportReport:
    issues = sorted(issues or [], key=_sort_key)
    return ImportReport(
        ok=not issues,
        dry_run=dry_run,
        filename=filename,
        rows=rows,
        created=counts[0],
        updated=counts[1],
        unchanged=counts[2],
        issues=issues[:MAX_LISTED_ISSUES],
        issue_count=len(issues),
    )


# --------------------------------------------------------------------------------------------
# The import.


def business_import(
    *, actor: User | None, source: str, filename: str, content: bytes, dry_run: bool = False
) -> ImportReport:
    """Check a register file and, when every row is good and not `dry_run`, write it.

    `actor` None is the system (a command run without --user): no permission check, every town.
    `source` is the audit source of every entry written (AuditSource.IMPORT from the web page,
    COMMAND from the command line).
    """
    if source not in AuditSource.values:
        raise ValueError(f"unknown audit source {source!r}")
    if actor is not None:
        require_cap(actor, Cap.REGISTER_IMPORT)
    try:
        rows = _read_rows(filename, content)
        header_row, pending = _find_header(rows)
        if header_row is None:
            raise ImportFileError(_("文件中没有数据：没有表头，也没有数据行"))
        header = _parse_header(*header_row)
        if header.issues:
            return _report(dry_run=dry_run, filename=filename, issues=header.issues)
        lookups = build_lookups(actor)
        if actor is None:
            lookups = _system_lookups(lookups)
        checked = _check_rows(_chain(pending, rows), header, lookups, scoped=actor is not None)
    except ImportFileError as exc:
        return _report(dry_run=dry_run, filename=filename, issues=[exc.issue])
    if checked.rows == 0:
        issue = ImportIssue(header.row, "", "", "文件中没有数据行：表头下面没有任何经营主体")
        return _report(dry_run=dry_run, filename=filename, issues=[issue])

    if dry_run:
        planned = _register_issues(checked, header, actor, plan=True)
        if checked.issues:
            return _report(dry_run=True, filename=filename, rows=checked.rows, issues=checked.issues)
        return _report(dry_run=True, filename=filename, rows=checked.rows, counts=planned)

    try:
        with transaction.atomic():
            # Matched inside the writing transaction, once: what the rows are checked against is
            # what they are written against (a concurrent insert of the same code still ends in
            # an IntegrityError below, and nothing is written).
            matches: list[Business | None] = []
            _register_issues(checked, header, actor, plan=False, matches_out=matches)
            if checked.issues:
                return _report(dry_run=False, filename=filename, rows=checked.rows, issues=checked.issues)
            # Chunks bound the memory the writer needs; the one transaction keeps it all or nothing.
            totals = [0, 0, 0]
            for start in range(0, len(checked.inputs), APPLY_CHUNK):
                try:
                    result = business_bulk_upsert(
                        actor=actor,
                        source=source,
                        data=checked.inputs[start : start + APPLY_CHUNK],
                        check_permission=actor is not None,
                        matches=matches[start : start + APPLY_CHUNK],
                    )
                except UpsertConflict as exc:
                    raise UpsertConflict({start + i: m for i, m in exc.problems.items()}) from None
                totals[0] += result.created
                totals[1] += result.updated
                totals[2] += result.unchanged
            audit_record(
                actor=actor,
                source=source,
                event=AuditEvent(
                    action=AuditAction.IMPORT,
                    object_type=IMPORT_OBJECT_TYPE,
                    # The file's own fingerprint: the same file imported twice has one history.
                    object_id=hashlib.sha256(content).hexdigest()[:16],
                    object_repr=filename,
                    region_code=(actor.region_id or "") if actor is not None else "",
                    after={
                        "filename": filename,
                        "rows": checked.rows,
                        "created": totals[0],
                        "updated": totals[1],
                        "unchanged": totals[2],
                    },
                ),
            )
    except UpsertConflict as exc:
        # Someone changed the register between the check and the write: report, write nothing.
        id_fields = [f for f in IDENTIFIER_FIELDS if f in header.fields]
        issues = [_identifier_issue(checked, header, id_fields, i, m) for i, m in exc.problems.items()]
        return _report(dry_run=False, filename=filename, rows=checked.rows, issues=issues)
    except IntegrityError:
        issue = ImportIssue(0, "", "", "写入登记簿时与其他人同时进行的修改冲突，未写入任何数据，请重新导入")
        return _report(dry_run=False, filename=filename, rows=checked.rows, issues=[issue])
    return _report(
        dry_run=False, filename=filename, rows=checked.rows, counts=(totals[0], totals[1], totals[2])
    )


def _chain(first: list[Row], rest: Iterator[Row]) -> Iterator[Row]:
    yield from first
    yield from rest


# --------------------------------------------------------------------------------------------
# Workbooks: the error report and the empty template.


def _write_cell(sheet: Any, row: int, col: int, value: Cell, fmt: Any, date_fmt: Any) -> None:
    """Write a cell as data, never as a formula (xlsxwriter's write() would run “=…” text)."""
    if isinstance(value, bool):
        sheet.write_boolean(row, col, value, fmt)
    elif isinstance(value, int | float):
        sheet.write_number(row, col, value, fmt)
    elif isinstance(value, dt.date):
        sheet.write_datetime(row, col, value, date_fmt)
    elif _is_empty(value):
        if fmt is not None:
            sheet.write_blank(row, col, None, fmt)
    else:
        sheet.write_string(row, col, display_value(value), fmt)


def import_error_workbook(*, report: ImportReport, filename: str, content: bytes) -> bytes:
    """An xlsx for the person who uploaded the file: sheet “错误清单” lists every listed issue, sheet
    “原始数据” repeats the uploaded rows with each bad cell filled red and the reason as a comment
    (an issue not tied to one cell marks the row's first cell)."""
    marks: dict[tuple[int, int], list[str]] = {}
    for issue in report.issues:
        if issue.row <= 0:
            continue
        letter = issue.column.partition("（")[0]
        col = xl_cell_to_rowcol(f"{letter}1")[1] if letter else 0
        marks.setdefault((issue.row - 1, col), []).append(issue.reason)
    marked_columns: dict[int, set[int]] = {}
    for r, c in marks:
        marked_columns.setdefault(r, set()).add(c)

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True})
    bold = book.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    red = book.add_format({"bg_color": "#FF9999", "font_color": "#9C0006"})
    red_date = book.add_format({"bg_color": "#FF9999", "font_color": "#9C0006", "num_format": "yyyy-mm-dd"})
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})

    listing = book.add_worksheet("错误清单")
    listing.set_column(0, 0, 8)
    listing.set_column(1, 1, 26)
    listing.set_column(2, 2, 30)
    listing.set_column(3, 3, 70)
    for col, title in enumerate(("行号", "列", "值", "原因")):
        listing.write_string(0, col, title, bold)
    listing.freeze_panes(1, 0)
    for r, issue in enumerate(report.issues, start=1):
        if issue.row:
            listing.write_number(r, 0, issue.row)
        listing.write_string(r, 1, issue.column)
        listing.write_string(r, 2, issue.value)
        listing.write_string(r, 3, issue.reason, wrap)
    last = len(report.issues) + 1
    if report.issue_count > len(report.issues):
        listing.write_string(last, 3, f"共{report.issue_count}个问题，以上列出前{len(report.issues)}个")
    elif not report.issues:
        listing.write_string(last, 3, "没有发现问题")

    data = book.add_worksheet("原始数据")
    data.freeze_panes(1, 0)
    data.set_column(0, 40, 16)
    for number, cells in _tolerant_rows(filename, content):
        r = number - 1
        width = max(len(cells), max(marked_columns.get(r, ()), default=-1) + 1)
        for c in range(width):
            value = cells[c] if c < len(cells) else None
            reasons = marks.get((r, c))
            if reasons:
                fmt = red_date if isinstance(value, dt.date) else red
                _write_cell(data, r, c, value, fmt, red_date)
                data.write_comment(r, c, "\n".join(reasons), {"x_scale": 2.5, "y_scale": 1.5})
            else:
                _write_cell(data, r, c, value, None, date_fmt)
    book.close()
    return buffer.getvalue()


def import_template_xlsx() -> bytes:
    """An empty register template: the canonical headers, one example row, and how to fill it."""
    region = (
        Region.objects.exclude(level=RegionLevel.DISTRICT)
        .order_by("code")
        .values_list("name", flat=True)
        .first()
        or "果园新村街道"
    )
    example: dict[str, Cell] = {
        "name": "天津市北辰区示例餐厅（导入前请删除本行）",
        "credit_code": make_credit_code(authority="9", kind="2", division="120113", org_body="MA05K3T1"),
        "business_licence": "JY21201130000010",
        "business_type": "餐饮",
        "categories": "餐饮食品",
        "scale": "小",
        "region_code": region,
        "address": "天津市北辰区示例路1号",
        "legal_representative": "张三",
        "longitude": 117.135,
        "latitude": 39.225,
        "status": "在营",
        "opened_on": dt.date(2020, 3, 1),
        "licence_valid_until": dt.date(2025, 2, 28),
    }
    notes = {
        "name": "必填。营业执照上的名称",
        "credit_code": "18位统一社会信用代码；与两种许可证编号至少填写一项",
        "production_licence": "SC加14位数字；食品生产者必填",
        "business_licence": "JY加14位数字",
        "business_type": "必填。如：餐饮、销售、单位食堂、学校食堂、食品生产、小作坊",
        "categories": "抽检实施细则大类名称或代码，多个用“、”分隔",
        "scale": "大、中、小、微；不填为小",
        "region_code": "必填。镇街名称或9位区划代码",
        "status": "在营、停业、注销；不填为在营",
        "opened_on": "日期，如2022-03-01",
        "licence_valid_until": "日期，如2027-02-28",
        "closed_on": "日期；注销的经营主体填写",
    }
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold = book.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1})
    grey = book.add_format({"italic": True, "font_color": "#808080"})
    grey_date = book.add_format({"italic": True, "font_color": "#808080", "num_format": "yyyy-mm-dd"})
    sheet = book.add_worksheet("经营主体")
    help_sheet = book.add_worksheet("填写说明")
    for col, fname in enumerate(FIELDS):
        sheet.write_string(0, col, HEADER_OF[fname], bold)
        sheet.set_column(col, col, 24 if fname in ("name", "address", "credit_code") else 14)
        _write_cell(sheet, 1, col, example.get(fname), grey, grey_date)
    sheet.freeze_panes(1, 0)
    for col, title in enumerate(("表头", "也可写作", "填写要求")):
        help_sheet.write_string(0, col, title, bold)
    help_sheet.set_column(0, 1, 26)
    help_sheet.set_column(2, 2, 60)
    for r, fname in enumerate(FIELDS, start=1):
        help_sheet.write_string(r, 0, HEADER_OF[fname])
        help_sheet.write_string(r, 1, "、".join(HEADER_SYNONYMS[fname][1:]))
        help_sheet.write_string(r, 2, notes.get(fname, ""))
    book.close()
    return buffer.getvalue()
