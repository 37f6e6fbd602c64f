"""Render a Document as PDF with reportlab, the CJK font embedded so it reads anywhere.

The font is embedded as subsets with a ToUnicode map, so the text can be searched and copied.
It has a single weight, so bold text is drawn by also stroking the glyph outlines.
"""

from __future__ import annotations

import functools
import io
import math
from xml.sax.saxutils import escape

from reportlab.lib import colors, textsplit
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    HRFlowable,
    Image,
    KeepTogether,
    ListFlowable,
    ListItem,
    PageBreak,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import Paragraph as PdfParagraph
from reportlab.platypus import Table as PdfTable
from reportlab.platypus import paragraph as reportlab_paragraph

from . import document as d
from .charts import chart_size_px, render_chart
from .fonts import cjk_font

FONT = "ShianCJK"
ACCENT = colors.HexColor("#2F5597")
HEADER_FILL = colors.HexColor("#D9E2F3")
STRIPE_FILL = colors.HexColor("#F5F7FB")
KEY_FIGURE_FILL = colors.HexColor("#EEF3FA")
GRID = colors.HexColor("#7F7F7F")
_ALIGN = {"left": TA_LEFT, "center": TA_CENTER, "right": TA_RIGHT}
# Chinese punctuation that must not begin a line (GB/T 15834, W3C clreq "禁则"); reportlab's list
# is Japanese and lacks the full-width comma, colon, semicolon, marks, closing quotes and ellipsis.
CANNOT_START_LINE = "，；：！？”’》〉」』）】〕…"


@functools.cache
def register_font() -> str:
    """Register the CJK font with reportlab once per process; returns its reportlab name."""
    font = cjk_font()
    # reportlab's CJK line breaking reads these module globals at each call: extend them once,
    # for every Paragraph in the process (a gain for any Chinese text, a no-op for the rest).
    for module in (textsplit, reportlab_paragraph):
        module.ALL_CANNOT_START += "".join(
            ch for ch in CANNOT_START_LINE if ch not in module.ALL_CANNOT_START
        )
    pdfmetrics.registerFont(TTFont(FONT, font.path, subfontIndex=font.subfont_index))
    # One face for all four: <b> and <i> markup then keep the CJK glyphs instead of failing.
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT, italic=FONT, boldItalic=FONT)
    return FONT


def _style(
    name: str, size: float, *, leading: float = 1.5, align: int = TA_LEFT, **kw: object
) -> ParagraphStyle:
    return ParagraphStyle(
        name, fontName=FONT, fontSize=size, leading=size * leading, alignment=align, wordWrap="CJK", **kw
    )


@functools.cache
def _styles() -> dict[str, ParagraphStyle]:
    return {
        "title": _style("title", 22, leading=1.35, align=TA_CENTER, spaceBefore=12, spaceAfter=12),
        "subtitle": _style("subtitle", 16, leading=1.35, align=TA_CENTER, spaceAfter=10),
        "meta": _style("meta", 14, align=TA_CENTER, spaceAfter=4),
        "h1": _style("h1", 16, leading=1.4, spaceBefore=14, spaceAfter=6),
        "h2": _style("h2", 14, leading=1.4, spaceBefore=10, spaceAfter=5),
        "h3": _style("h3", 12, leading=1.4, spaceBefore=8, spaceAfter=4),
        "body": _style("body", 12, leading=1.6, firstLineIndent=24, spaceAfter=3),
        "bullet": _style("bullet", 12, leading=1.6),
        "caption": _style("caption", 10.5, align=TA_CENTER, spaceBefore=4, spaceAfter=4),
        "header": _style("header", 10.5, leading=1.3, align=TA_CENTER),
        "note": _style("note", 9, spaceBefore=3, spaceAfter=8),
        "key_value": _style("key_value", 18, leading=1.3, align=TA_CENTER, textColor=ACCENT),
        "key_label": _style("key_label", 10.5, leading=1.3, align=TA_CENTER),
        "footer": _style("footer", 9, align=TA_CENTER),
        **{f"cell_{a}": _style(f"cell_{a}", 10.5, leading=1.3, align=_ALIGN[a]) for a in d.ALIGNS},
    }


def _text(text: str) -> str:
    """Plain text as reportlab paragraph markup."""
    return escape(text).replace("\n", "<br/>")


class _BoldParagraph(PdfParagraph):
    """A paragraph in a heavier weight: the glyphs are filled, then their outlines stroked
    (text render mode 2), as Word and LibreOffice embolden a font that has no bold face."""

    def draw(self) -> None:
        canvas = self.canv
        canvas.saveState()
        canvas.setStrokeColor(self.style.textColor)
        canvas.setLineWidth(self.style.fontSize * 0.035)
        canvas.addLiteral("2 Tr")  # a text state operator: holds for the text objects drawn next
        try:
            super().draw()
        finally:
            canvas.restoreState()


class _Template(SimpleDocTemplate):
    """Adds a PDF outline (bookmarks) entry for every heading."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._outline_level = -1

    def afterFlowable(self, flowable: Flowable) -> None:
        level = getattr(flowable, "outline_level", None)
        if level is None:
            return
        # An outline cannot skip a level (a 3 straight under a 1): clamp to one below the last.
        level = min(level, self._outline_level + 1)
        self._outline_level = level
        key = f"h{self.page}-{id(flowable)}"
        self.canv.bookmarkPage(key)
        self.canv.addOutlineEntry(flowable.getPlainText(), key, level=level, closed=level > 0)


def _page_number(canvas: Canvas, template: SimpleDocTemplate) -> None:
    canvas.saveState()
    canvas.setFont(FONT, 9)
    canvas.drawCentredString(d.PAGE_WIDTH_CM * cm / 2, 1.4 * cm, f"第 {template.page} 页")
    canvas.restoreState()


def render_pdf(doc: d.Document) -> bytes:
    """The document as PDF bytes."""
    register_font()
    buffer = io.BytesIO()
    template = _Template(
        buffer,
        pagesize=(d.PAGE_WIDTH_CM * cm, d.PAGE_HEIGHT_CM * cm),
        topMargin=d.MARGIN_TOP_CM * cm,
        bottomMargin=d.MARGIN_BOTTOM_CM * cm,
        leftMargin=d.MARGIN_LEFT_CM * cm,
        rightMargin=d.MARGIN_RIGHT_CM * cm,
        title=doc.title,
        subject=doc.subtitle,
        author=doc.author_org,
        creator="shian",
        lang="zh-CN",
        displayDocTitle=True,
        initialFontName=FONT,  # else every page also references an unembedded Helvetica
    )
    story = _title_block(doc)
    blocks = list(d.numbered(doc.blocks))
    for i, (block, number) in enumerate(blocks):
        following = blocks[i + 1][0] if i + 1 < len(blocks) else None
        story += _flowables(block, number, following)
    template.build(story, onFirstPage=_page_number, onLaterPages=_page_number)
    return buffer.getvalue()


def _title_block(doc: d.Document) -> list[Flowable]:
    s = _styles()
    story: list[Flowable] = [PdfParagraph(_text(doc.title), s["title"])]
    if doc.subtitle:
        story.append(PdfParagraph(_text(doc.subtitle), s["subtitle"]))
    if doc.author_org:
        story.append(PdfParagraph(_text(doc.author_org), s["meta"]))
    if doc.date:
        story.append(PdfParagraph(_text(d.format_date(doc.date)), s["meta"]))
    story += [Spacer(1, 0.3 * cm), HRFlowable(width="100%", thickness=1.2, color=ACCENT), Spacer(1, 0.4 * cm)]
    return story


def _space_needed(block: d.Block | None) -> float:
    """Room a block needs at the foot of a page before it is worth starting there."""
    if isinstance(block, d.Chart):
        width_px, height_px = chart_size_px(block)
        return block.width_cm * cm * height_px / width_px + 1.5 * cm
    if isinstance(block, d.Table | d.KeyFigures):
        return 4 * cm
    return 2 * cm


def _flowables(block: d.Block, number: int, following: d.Block | None) -> list[Flowable]:
    s = _styles()
    if isinstance(block, d.Heading):
        heading = PdfParagraph(_text(block.text), s[f"h{block.level}"])
        heading.outline_level = block.level - 1  # read by _Template
        # Never leave a heading alone at the foot of a page: it goes with what follows it.
        return [CondPageBreak(1.5 * cm + _space_needed(following)), heading]
    if isinstance(block, d.Paragraph):
        text = _text(block.text)
        return [(_BoldParagraph if block.bold else PdfParagraph)(text, s["body"])]
    if isinstance(block, d.BulletList):
        items = [ListItem(PdfParagraph(_text(item), s["bullet"])) for item in block.items]
        return [
            ListFlowable(
                items, bulletType="bullet", start="•", bulletFontName=FONT, leftIndent=18, bulletFontSize=12
            )
        ]
    if isinstance(block, d.Table):
        return _table(block, number)
    if isinstance(block, d.Chart):
        return [_chart(block, number)]
    if isinstance(block, d.KeyFigures):
        return _key_figures(block)
    if isinstance(block, d.PageBreak):
        return [PageBreak()]
    raise TypeError(f"Unknown block {block!r}")


def _table(block: d.Table, number: int) -> list[Flowable]:
    s = _styles()
    weights = block.column_weights()
    width = d.TEXT_WIDTH_CM * cm
    col_widths = [width * w / sum(weights) for w in weights]
    aligns = block.alignments()
    data: list[list[Flowable]] = [[_BoldParagraph(_text(h), s["header"]) for h in block.headers]]
    data += [
        [PdfParagraph(_text(d.format_cell(v)), s[f"cell_{aligns[c]}"]) for c, v in enumerate(row)]
        for row in block.rows
    ]
    table = PdfTable(data, colWidths=col_widths, repeatRows=1, hAlign="CENTER")
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 10.5),  # the default, Helvetica, is not embedded
                ("GRID", (0, 0), (-1, -1), 0.5, GRID),
                ("BOX", (0, 0), (-1, -1), 0.9, colors.black),
                ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, STRIPE_FILL]),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                ("LEFTPADDING", (0, 0), (-1, -1), 4),
                ("RIGHTPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    caption = PdfParagraph(_text(f"{d.table_label(number)} {block.caption}"), s["caption"])
    story: list[Flowable] = [CondPageBreak(4 * cm), caption, table]
    if block.note:
        note = block.note if block.note.startswith("注") else f"注：{block.note}"
        story.append(PdfParagraph(_text(note), s["note"]))
    else:
        story.append(Spacer(1, 0.3 * cm))
    return story


def _chart(block: d.Chart, number: int) -> Flowable:
    png = render_chart(block, with_title=False)
    width_px, height_px = chart_size_px(block)
    width = block.width_cm * cm
    image = Image(io.BytesIO(png), width=width, height=width * height_px / width_px)
    caption = PdfParagraph(_text(f"{d.figure_label(number)} {block.title}"), _styles()["caption"])
    return KeepTogether([Spacer(1, 0.2 * cm), image, caption])


def _key_figures(block: d.KeyFigures) -> list[Flowable]:
    s = _styles()
    story: list[Flowable] = []
    if block.title:
        story.append(PdfParagraph(_text(block.title), s["caption"]))
    count = len(block.items)
    if not count:
        return story
    cols = math.ceil(count / math.ceil(count / 4))  # at most 4 a row, rows evenly filled
    cells: list[list[Flowable] | str] = []
    for label, value, unit in block.items:
        unit_markup = f' <font size="10.5" color="black">{_text(unit)}</font>' if unit else ""
        cells.append(
            [
                PdfParagraph(f"{_text(d.format_cell(value))}{unit_markup}", s["key_value"]),
                PdfParagraph(_text(label), s["key_label"]),
            ]
        )
    cells += [""] * (-count % cols)
    rows = [cells[i : i + cols] for i in range(0, len(cells), cols)]
    width = d.TEXT_WIDTH_CM * cm
    table = PdfTable(rows, colWidths=[width / cols] * cols, hAlign="CENTER")
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 10.5),
                ("BACKGROUND", (0, 0), (-1, -1), KEY_FIGURE_FILL),
                ("BOX", (0, 0), (-1, -1), 1.2, ACCENT),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 7),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
            ]
        )
    )
    return [*story, table, Spacer(1, 0.4 * cm)]
