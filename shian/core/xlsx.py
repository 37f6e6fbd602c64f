"""A plain table to xlsx, for every list page's "export to Excel". Lives in core so any module can
export without importing the reports layer above it."""

from __future__ import annotations

import io
from collections.abc import Sequence

import xlsxwriter
from django.http import HttpResponse
from django.utils.http import content_disposition_header

# Text that Excel would run as a formula (=, +, -, @, and tab or CR that some versions honour)
# gets a leading apostrophe (OWASP "CSV injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_GUARD = "'"

Cell = str | int | float | None
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    """A workbook as a download named `filename` (a Chinese name encoded as RFC 6266 asks)."""
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def guard_text(text: str) -> str:
    return FORMULA_GUARD + text if text.startswith(FORMULA_TRIGGERS) else text


def table_xlsx(
    *, title: str, headers: Sequence[str], rows: Sequence[Sequence[Cell]], sheet: str = "Sheet1"
) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    ws = book.add_worksheet(sheet[:31])
    bold = book.add_format({"bold": True, "bg_color": "#E8EEF6", "border": 1})
    ws.write_string(0, 0, guard_text(title), book.add_format({"bold": True, "font_size": 13}))
    widths = [max(4, len(h) * 2) for h in headers]
    for c, h in enumerate(headers):
        ws.write_string(1, c, guard_text(h), bold)
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, bool):
                ws.write_boolean(r, c, value)
            elif isinstance(value, int | float):
                ws.write_number(r, c, value)
            else:
                text = guard_text(str(value))
                ws.write_string(r, c, text)
                widths[c] = min(60, max(widths[c], sum(2 if ord(ch) > 127 else 1 for ch in text)))
    for c, w in enumerate(widths):
        ws.set_column(c, c, w + 1)
    ws.freeze_panes(2, 0)
    if rows:
        ws.autofilter(1, 0, len(rows) + 1, len(headers) - 1)
    book.close()
    return buffer.getvalue()
