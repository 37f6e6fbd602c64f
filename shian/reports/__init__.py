"""Document rendering for the district's reports: one document model, rendered as docx, pdf
and xlsx with Chinese text, tables and charts. It knows nothing of the database.

    from shian.reports import Document, Heading, Table, render_docx, render_pdf, tables_to_xlsx

The functions are bound here, over the submodules of the same name (render_docx, render_pdf),
so `from shian.reports import render_pdf` is always the function.
"""

from __future__ import annotations

from .charts import render_chart
from .document import (
    Block,
    BulletList,
    Cell,
    Chart,
    Document,
    Heading,
    KeyFigure,
    KeyFigures,
    PageBreak,
    Paragraph,
    Series,
    Table,
)
from .fonts import FontInfo, FontNotFoundError, cjk_font
from .render_docx import render_docx
from .render_pdf import render_pdf
from .xlsx import tables_to_xlsx

__all__ = [
    "Block",
    "BulletList",
    "Cell",
    "Chart",
    "Document",
    "FontInfo",
    "FontNotFoundError",
    "Heading",
    "KeyFigure",
    "KeyFigures",
    "PageBreak",
    "Paragraph",
    "Series",
    "Table",
    "cjk_font",
    "render_chart",
    "render_docx",
    "render_pdf",
    "tables_to_xlsx",
]
