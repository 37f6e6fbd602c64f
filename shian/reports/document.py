"""The document model every report is written in: plain data, no rendering and no database.

A report module builds a `Document` from its selectors' results; `render_docx`, `render_pdf`
and `tables_to_xlsx` turn the same `Document` into files, so the three always agree.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal, NamedTuple, get_args

Cell = str | int | float | None
Align = Literal["left", "center", "right"]
ChartKind = Literal["bar", "hbar", "line", "pie", "stacked_bar"]
CHART_KINDS: tuple[str, ...] = get_args(ChartKind)
ALIGNS: tuple[str, ...] = get_args(Align)

# Shown in place of a missing value (None): a dash, as Chinese statistical tables do.
MISSING = "—"

# The page every renderer lays out: A4 portrait, margins in cm, so a 16 cm wide text block.
PAGE_WIDTH_CM, PAGE_HEIGHT_CM = 21.0, 29.7
MARGIN_TOP_CM, MARGIN_BOTTOM_CM, MARGIN_LEFT_CM, MARGIN_RIGHT_CM = 2.8, 2.6, 2.5, 2.5
TEXT_WIDTH_CM = PAGE_WIDTH_CM - MARGIN_LEFT_CM - MARGIN_RIGHT_CM


@dataclass
class Heading:
    text: str
    level: int = 1

    def __post_init__(self) -> None:
        if self.level not in (1, 2, 3):
            raise ValueError(f"Heading level must be 1, 2 or 3, not {self.level!r}")


@dataclass
class Paragraph:
    text: str
    bold: bool = False


@dataclass
class BulletList:
    items: list[str]


@dataclass
class Table:
    caption: str
    headers: list[str]
    rows: list[list[Cell]]
    col_align: list[Align] | None = None  # default: numbers right, text left
    note: str = ""  # printed under the table ("注：…")

    def __post_init__(self) -> None:
        if not self.headers:
            raise ValueError(f"Table {self.caption!r} has no columns")
        width = len(self.headers)
        for number, row in enumerate(self.rows, start=1):
            if len(row) != width:
                raise ValueError(f"Table {self.caption!r}, row {number}: {len(row)} cells, expected {width}")
        if self.col_align is not None:
            if len(self.col_align) != width:
                raise ValueError(f"Table {self.caption!r}: col_align has {len(self.col_align)} entries")
            bad = [a for a in self.col_align if a not in ALIGNS]
            if bad:
                raise ValueError(f"Table {self.caption!r}: unknown alignment {bad[0]!r}")

    def column_weights(self) -> list[float]:
        """Relative column widths from the widest text in each column (headers count less:
        they may wrap), so that short number columns stay narrow and names stay on one line."""
        weights = []
        for col, header in enumerate(self.headers):
            cells = [display_width(format_cell(row[col])) for row in self.rows]
            widest = max([*cells, display_width(header) * 0.6, 4.0])
            weights.append(min(widest, 40.0) + 2.0)
        return weights

    def alignments(self) -> list[Align]:
        """The alignment of each column: as given, else right for numeric columns, left for text."""
        if self.col_align is not None:
            return list(self.col_align)
        aligns: list[Align] = []
        for col in range(len(self.headers)):
            values = [row[col] for row in self.rows if row[col] is not None]
            numeric = bool(values) and all(_is_number(v) for v in values)
            aligns.append("right" if numeric else "left")
        return aligns


@dataclass
class Series:
    name: str
    values: list[float | None]


@dataclass
class Chart:
    kind: ChartKind
    title: str
    categories: list[str]
    series: list[Series]
    unit: str = ""
    width_cm: float = 15.0

    def __post_init__(self) -> None:
        if self.kind not in CHART_KINDS:
            raise ValueError(
                f"Chart {self.title!r}: unknown kind {self.kind!r}, expected one of {CHART_KINDS}"
            )
        if not self.series:
            raise ValueError(f"Chart {self.title!r} has no series")
        for s in self.series:
            if len(s.values) != len(self.categories):
                raise ValueError(
                    f"Chart {self.title!r}, series {s.name!r}: {len(s.values)} values "
                    f"for {len(self.categories)} categories"
                )
        if self.kind == "pie" and len(self.series) != 1:
            raise ValueError(f"Chart {self.title!r}: a pie chart has exactly one series")
        if not 4 <= self.width_cm <= TEXT_WIDTH_CM:
            raise ValueError(f"Chart {self.title!r}: width_cm must be between 4 and {TEXT_WIDTH_CM:g}")


class KeyFigure(NamedTuple):
    label: str
    value: str | int | float
    unit: str = ""


@dataclass
class KeyFigures:
    """A highlighted box of headline numbers ("抽检 7,000 批次")."""

    items: Sequence[tuple[str, str | int | float, str]]  # (label, value, unit) or KeyFigure
    title: str = ""

    def __post_init__(self) -> None:
        self.items = [KeyFigure(*item) for item in self.items]


@dataclass
class PageBreak:
    pass


Block = Heading | Paragraph | BulletList | Table | Chart | KeyFigures | PageBreak


@dataclass
class Document:
    title: str
    subtitle: str = ""
    author_org: str = ""
    date: dt.date | None = None
    blocks: list[Block] = field(default_factory=list)

    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def format_cell(value: Cell) -> str:
    """A cell as printed: None as a dash, whole floats without ".0", other floats to 2 places.

    Callers that need a fixed format (percentages, thousands separators) pass a string.
    """
    if value is None:
        return MISSING
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return str(value)


def display_width(text: str) -> float:
    """Width in half-width characters: a Chinese character (or full-width sign) counts 2."""
    return float(sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text))


def format_date(date: dt.date) -> str:
    return f"{date.year}年{date.month}月{date.day}日"


TABLE_PREFIX, FIGURE_PREFIX = "表", "图"


def table_label(number: int) -> str:
    return f"{TABLE_PREFIX}{number}"


def figure_label(number: int) -> str:
    return f"{FIGURE_PREFIX}{number}"


def numbered(blocks: Sequence[Block]) -> Iterator[tuple[Block, int]]:
    """Each block with its number among blocks of its kind: tables and charts are numbered
    separately (表1, 表2 …; 图1, 图2 …); other blocks get 0."""
    tables = charts = 0
    for block in blocks:
        if isinstance(block, Table):
            tables += 1
            yield block, tables
        elif isinstance(block, Chart):
            charts += 1
            yield block, charts
        else:
            yield block, 0
