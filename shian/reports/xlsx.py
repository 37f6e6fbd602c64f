"""The tables of a Document as an xlsx workbook: one sheet per table, for readers who compute.

Sheet layout: the numbered caption in row 1, the header in row 2, data below (numbers stay
numbers, a missing value is an empty cell), the note after a blank row.
"""

from __future__ import annotations

import io
import re

import xlsxwriter

from shian.core.xlsx import guard_text  # text Excel would run as a formula gets a leading apostrophe

from . import document as d

SHEET_NAME_MAX = 31
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def sheet_names(captions: list[str]) -> list[str]:
    """Valid, unique sheet names from captions: "表N caption", cut to Excel's 31 characters."""
    names: list[str] = []
    taken: set[str] = set()
    for number, caption in enumerate(captions, start=1):
        clean = _SHEET_NAME_FORBIDDEN.sub(" ", caption)
        base = f"{d.table_label(number)} {clean}".strip().strip("'")[:SHEET_NAME_MAX].rstrip()
        name, n = base, 1
        while name.casefold() in taken:  # Excel compares sheet names ignoring case
            n += 1
            suffix = f"({n})"
            name = base[: SHEET_NAME_MAX - len(suffix)] + suffix
        taken.add(name.casefold())
        names.append(name)
    return names


def tables_to_xlsx(doc: d.Document) -> bytes:
    """Every Table block of the document, each on its own sheet, as xlsx bytes."""
    buffer = io.BytesIO()
    tables = doc.tables()
    workbook = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    workbook.set_properties({"title": doc.title, "author": doc.author_org, "subject": doc.subtitle})
    caption_format = workbook.add_format({"bold": True, "font_size": 12})
    header_format = workbook.add_format(
        {
            "bold": True,
            "bg_color": "#D9E2F3",
            "border": 1,
            "align": "center",
            "valign": "vcenter",
            "text_wrap": True,
        }
    )
    cell_formats = {a: workbook.add_format({"border": 1, "align": a, "valign": "vcenter"}) for a in d.ALIGNS}
    note_format = workbook.add_format({"italic": True, "font_color": "#595959"})

    for number, (table, name) in enumerate(
        zip(tables, sheet_names([t.caption for t in tables]), strict=True), 1
    ):
        sheet = workbook.add_worksheet(name)
        aligns = table.alignments()
        sheet.write_string(0, 0, guard_text(f"{d.table_label(number)} {table.caption}"), caption_format)
        for col, header in enumerate(table.headers):
            sheet.write_string(1, col, guard_text(header), header_format)
        for r, row in enumerate(table.rows, start=2):
            for col, value in enumerate(row):
                fmt = cell_formats[aligns[col]]
                if value is None:
                    sheet.write_blank(r, col, None, fmt)
                elif isinstance(value, int | float) and not isinstance(value, bool):
                    sheet.write_number(r, col, value, fmt)
                else:
                    sheet.write_string(r, col, guard_text(str(value)), fmt)
        if table.note:
            sheet.write_string(len(table.rows) + 3, 0, guard_text(table.note), note_format)
        for col, header in enumerate(table.headers):
            widest = max(
                [d.display_width(header), *(d.display_width(d.format_cell(row[col])) for row in table.rows)]
            )
            sheet.set_column(col, col, min(max(widest + 2, 8), 50))
        sheet.freeze_panes(2, 0)
        if table.rows:
            sheet.autofilter(1, 0, len(table.rows) + 1, len(table.headers) - 1)
    workbook.close()
    return buffer.getvalue()
