"""What every import shares: the located problem (`ImportIssue`), and the all-or-nothing loop of a
one-sheet xlsx import (`sheet_import`): read the first sheet, find the header, check each row with
every problem located by row, column and value, write nothing if any row has one, else write every
row in one transaction. Each import keeps its own columns, its own checks and its own write path,
which records its audit entries."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction
from python_calamine import CalamineError, CalamineWorkbook

T = TypeVar("T")
R = TypeVar("R")


@dataclass
class ImportIssue:
    """One problem: the row as the spreadsheet numbers it (header = 1; 0 = the file as a whole),
    the column as "C（统一社会信用代码）" or by its header alone ("" when not tied to one cell), the
    value as typed."""

    row: int
    column: str
    value: str
    reason: str

    def line(self) -> str:
        """The located message: 第N行 第X列（表头）值“…”：原因."""
        where = f"第{self.row}行" if self.row else ""
        if self.column:
            letter, _, header = self.column.partition("（")
            where += (" " if where else "") + (f"第{letter}列（{header}" if header else f"第{letter}列")
        if self.value:
            where += f"值“{self.value}”" if self.column else f" 值“{self.value}”"
        return f"{where}：{self.reason}" if where else self.reason


class ImportRejected(Exception):
    """A file refused whole, with every problem found."""

    def __init__(self, issues: list[ImportIssue]) -> None:
        super().__init__(f"{len(issues)} 处问题")
        self.issues = issues


def cell_text(value: Any) -> str:
    """A cell as text: whole numbers without ".0", a date-time by its day, text stripped."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return str(value).strip()


@dataclass
class SheetRow:
    """One data row being checked: its number as the spreadsheet shows it, its cells as text by
    the import's keys, and the problems found in it."""

    number: int
    values: dict[str, str]
    issues: list[ImportIssue] = field(default_factory=list)

    def __getitem__(self, key: str) -> str:
        return self.values[key]

    def get(self, key: str, default: str = "") -> str:
        return self.values.get(key, default)

    def problem(self, column: str, value: str, reason: str) -> None:
        self.issues.append(ImportIssue(self.number, column, value, reason))

    def day(self, key: str, column: str, *, today: dt.date) -> dt.date:
        """The cell as a date written 2022-06-01 (a time after it is ignored), not later than
        today; otherwise the problem is recorded and today returned, so the row's other checks
        still run."""
        text = self.values[key]
        try:
            day = dt.date.fromisoformat(text[:10])
        except ValueError:
            self.problem(column, text, "日期应写作 2022-06-01")
            return today
        if day > today:
            self.problem(column, text, "晚于今天")
        return day


def _sheet(content: bytes) -> list[list[Any]]:
    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    except (CalamineError, IndexError, ValueError):
        raise ImportRejected(
            [ImportIssue(0, "", "", "无法读取Excel工作簿，请另存为xlsx后重新导入")]
        ) from None


def sheet_import(
    content: bytes,
    *,
    columns: Mapping[str, str],
    required: Sequence[str],
    max_rows: int,
    check: Callable[[SheetRow], T | None],
    write: Callable[[list[T]], R],
) -> R:
    """A one-sheet import, all or nothing: the rows (`sheet_rows`), each checked (`checked_rows`),
    then `write` of every checked row in one transaction; ImportRejected with every located
    problem, and nothing written, when anything is wrong."""
    good = checked_rows(sheet_rows(content, columns=columns, required=required, max_rows=max_rows), check)
    return written(lambda: write(good))


def sheet_rows(
    content: bytes, *, columns: Mapping[str, str], required: Sequence[str], max_rows: int
) -> list[SheetRow]:
    """The non-empty data rows of the first sheet, their cells keyed by `columns` (header as
    written -> key). The header is the row among the first five that holds the first required
    column; every required column must be there, and at most `max_rows` rows below it."""
    rows = _sheet(content)
    marker = required[0]
    header_at = next((i for i, r in enumerate(rows[:5]) if marker in [cell_text(c) for c in r]), None)
    if header_at is None:
        raise ImportRejected([ImportIssue(1, "", "", f"没有找到表头（应含“{marker}”等列，见导入模板）")])
    header = [cell_text(c) for c in rows[header_at]]
    missing = [h for h in required if h not in header]
    if missing:
        raise ImportRejected([ImportIssue(header_at + 1, h, "", "缺少必需的列") for h in missing])
    data = rows[header_at + 1 :]
    if len(data) > max_rows:
        raise ImportRejected([ImportIssue(0, "", str(len(data)), f"一次最多导入 {max_rows} 行")])
    index = {key: header.index(h) for h, key in columns.items() if h in header}
    out = []
    for offset, cells in enumerate(data):
        values = {k: cell_text(cells[i]) if i < len(cells) else "" for k, i in index.items()}
        if any(values.values()):
            out.append(SheetRow(header_at + 2 + offset, values))
    return out


def checked_rows(rows: Sequence[SheetRow], check: Callable[[SheetRow], T | None]) -> list[T]:
    """Each row through `check`, which records its problems on the row and returns what to write
    (None when it cannot). ImportRejected with every problem of every row if any has one."""
    issues: list[ImportIssue] = []
    good: list[T] = []
    for row in rows:
        item = check(row)
        issues.extend(row.issues)
        if not row.issues and item is not None:
            good.append(item)
    if issues:
        raise ImportRejected(issues)
    return good


def written(write: Callable[[], R]) -> R:
    """`write` in one transaction: a refusal of the write path undoes every row and is reported
    as a problem of the file."""
    try:
        with transaction.atomic():
            return write()
    except ValidationError as exc:
        raise ImportRejected([ImportIssue(0, "", "", m) for m in exc.messages]) from None
