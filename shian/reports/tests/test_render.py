"""The renderers, checked by reopening what they wrote: docx with python-docx, pdf with pypdf
(its text comes back only if the CJK font is embedded with a ToUnicode map), xlsx with openpyxl."""

from __future__ import annotations

import datetime as dt
import io
import warnings
from collections.abc import Iterator
from typing import Any

import docx
import openpyxl
import pytest
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph as DocxParagraph
from pypdf import PdfReader

from shian.reports import (
    BulletList,
    Chart,
    Document,
    Heading,
    KeyFigures,
    PageBreak,
    Paragraph,
    Series,
    Table,
    cjk_font,
    render_chart,
    render_docx,
    render_pdf,
    tables_to_xlsx,
)
from shian.reports import fonts as fonts_module
from shian.reports.charts import chart_size_px
from shian.reports.document import format_cell
from shian.reports.xlsx import sheet_names

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
TOWNS = [
    "果园镇",
    "天穗镇",
    "宜兴埠镇",
    "小淀镇",
    "双街镇",
    "双口镇",
    "青光镇",
    "西堤头镇",
    "大张庄镇",
    "北仓镇",
]
LONG_SENTENCE = (
    "2022年，全区食品安全工作坚持以习近平新时代中国特色社会主义思想为指导，严格落实“四个最严”要求，"
    "围绕食品生产、流通、餐饮服务各环节，全面开展风险分级管理、监督抽检、专项整治和社会共治，"
    "全区食品安全形势总体稳定向好，未发生区域性、系统性食品安全事件，群众满意度持续提升。"
)


def _town_rows() -> list[list[str | int | float | None]]:
    rows: list[list[str | int | float | None]] = []
    for t, town in enumerate(TOWNS):
        for quarter in range(1, 5):
            inspections = 100 + 7 * t + quarter
            rows.append([town, f"第{quarter}季度", inspections, 20 + t + quarter, 97.5 + quarter / 10, None])
    return rows


def sample_document() -> Document:
    return Document(
        title="北辰区2022年食品安全白皮书",
        subtitle="（征求意见稿）",
        author_org="天津市北辰区食品安全委员会办公室",
        date=dt.date(2023, 3, 15),
        blocks=[
            Heading("一、总体情况"),
            Paragraph(LONG_SENTENCE),
            KeyFigures(
                [
                    ("监督检查", 12345, "户次"),
                    ("监督抽检", 7000, "批次"),
                    ("抽检合格率", "98.6", "%"),
                    ("投诉举报", 512, "件"),
                ],
                title="主要指标",
            ),
            Heading("（一）监督检查", level=2),
            Paragraph("检查发现问题的处理方式：A&B <限期整改> 与 “立案查处”。", bold=True),
            BulletList(["完成风险分级评定", "落实“双随机、一公开”", "开展校园食品安全专项整治"]),
            Table(
                caption="各镇街分季度监督检查情况",
                headers=["镇街", "季度", "检查户次", "抽检批次", "合格率（%）", "备注"],
                rows=_town_rows(),
                note="数据截至2022年12月31日。",
            ),
            Heading("（二）监督抽检", level=2),
            Chart(
                kind="bar",
                title="各镇街抽检批次",
                categories=TOWNS,
                series=[Series("抽检批次", [812, 640, 933, 520, 470, 388, 602, 455, 530, 701])],
                unit="批次",
            ),
            Chart(
                kind="pie",
                title="抽检食品类别构成",
                categories=["粮食加工品", "食用农产品", "餐饮食品", "乳制品", "酒类", "其他"],
                series=[Series("批次", [1200, 3100, 1400, 300, 250, 750])],
                unit="批次",
                width_cm=13,
            ),
            PageBreak(),
            Heading("二、不合格食品核查处置"),
            Table(
                caption="不合格项目",
                headers=["项目", "批次"],
                rows=[['=HYPERLINK("x")', 3], ["-农药残留", 5], ["+1", -2], ["@sum", None]],
            ),
        ],
    )


@pytest.fixture(scope="module")
def sample() -> Document:
    return sample_document()


@pytest.fixture(scope="module")
def docx_bytes(sample: Document) -> bytes:
    return render_docx(sample)


@pytest.fixture(scope="module")
def opened_docx(docx_bytes: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(docx_bytes))


@pytest.fixture(scope="module")
def pdf_bytes(sample: Document) -> bytes:
    return render_pdf(sample)


@pytest.fixture(scope="module")
def pdf_pages(pdf_bytes: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf_bytes)).pages]


@pytest.fixture(scope="module")
def workbook(sample: Document) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(tables_to_xlsx(sample)))


# --- docx ----------------------------------------------------------------------------------------


def _style(paragraph: DocxParagraph) -> str:
    return paragraph.style.name if paragraph.style is not None else ""


def test_docx_starts_with_the_title_block(opened_docx: docx.document.Document) -> None:
    texts = [p.text for p in opened_docx.paragraphs[:4]]
    assert texts == [
        "北辰区2022年食品安全白皮书",
        "（征求意见稿）",
        "天津市北辰区食品安全委员会办公室",
        "2023年3月15日",
    ]
    assert opened_docx.core_properties.title == "北辰区2022年食品安全白皮书"


def test_docx_headings_use_heading_styles(opened_docx: docx.document.Document) -> None:
    headings = {p.text: _style(p) for p in opened_docx.paragraphs if _style(p).startswith("Heading")}
    assert headings["一、总体情况"] == "Heading 1"
    assert headings["（一）监督检查"] == "Heading 2"


def test_docx_paragraph_keeps_the_long_sentence_and_special_characters(
    opened_docx: docx.document.Document,
) -> None:
    texts = [p.text for p in opened_docx.paragraphs]
    assert LONG_SENTENCE in texts
    assert "检查发现问题的处理方式：A&B <限期整改> 与 “立案查处”。" in texts


def test_docx_table_holds_every_value(opened_docx: docx.document.Document) -> None:
    table = opened_docx.tables[1]  # tables[0] is the key figures box
    assert [c.text for c in table.rows[0].cells] == [
        "镇街",
        "季度",
        "检查户次",
        "抽检批次",
        "合格率（%）",
        "备注",
    ]
    assert len(table.rows) == 41
    assert [c.text for c in table.rows[1].cells] == ["果园镇", "第1季度", "101", "21", "97.6", "—"]
    assert [c.text for c in table.rows[40].cells] == ["北仓镇", "第4季度", "167", "33", "97.9", "—"]


def test_docx_table_header_repeats_on_each_page_and_is_shaded(opened_docx: docx.document.Document) -> None:
    header = opened_docx.tables[1].rows[0]._tr
    assert header.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None
    fills = [tc.find(f"{qn('w:tcPr')}/{qn('w:shd')}").get(qn("w:fill")) for tc in header.findall(qn("w:tc"))]
    assert fills == ["D9E2F3"] * 6


def test_docx_numbers_tables_and_figures(opened_docx: docx.document.Document) -> None:
    captions = [p.text for p in opened_docx.paragraphs if _style(p) == "Caption" and p.text[:1] in "表图"]
    assert captions == [
        "表1 各镇街分季度监督检查情况",
        "图1 各镇街抽检批次",
        "图2 抽检食品类别构成",
        "表2 不合格项目",
    ]
    instructions = [t.text.strip() for t in opened_docx.element.body.iter(qn("w:instrText"))]
    assert instructions.count("SEQ Table \\* ARABIC") == 2
    assert instructions.count("SEQ Figure \\* ARABIC") == 2


def test_docx_embeds_each_chart_as_an_inline_png(opened_docx: docx.document.Document) -> None:
    assert len(opened_docx.inline_shapes) == 2
    images = [p for p in opened_docx.part.package.parts if p.content_type == "image/png"]
    assert len(images) == 2
    assert all(image.blob.startswith(PNG_SIGNATURE) for image in images)


def test_docx_declares_chinese_fonts(opened_docx: docx.document.Document) -> None:
    def fonts(style_name: str) -> dict[str, str]:
        rfonts = opened_docx.styles[style_name].element.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
        return {k.split("}")[1]: v for k, v in rfonts.attrib.items()}

    assert fonts("Normal")["eastAsia"] == "宋体"
    for level in (1, 2, 3):
        declared = fonts(f"Heading {level}")
        assert declared["eastAsia"] == "黑体"
        assert "eastAsiaTheme" not in declared  # a theme font would override the declared one


def test_docx_is_a4_with_page_numbers_in_the_footer(opened_docx: docx.document.Document) -> None:
    section = opened_docx.sections[0]
    assert section.page_width is not None and section.page_height is not None
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    footer = section.footer.paragraphs[0]
    assert footer.text == "第 1 页"
    assert [t.text.strip() for t in footer._p.iter(qn("w:instrText"))] == ["PAGE"]


def test_docx_key_figures_box(opened_docx: docx.document.Document) -> None:
    cells = [c.text for c in opened_docx.tables[0].rows[0].cells]
    assert cells == ["12345 户次\n监督检查", "7000 批次\n监督抽检", "98.6 %\n抽检合格率", "512 件\n投诉举报"]


# --- pdf -----------------------------------------------------------------------------------------


def test_pdf_is_a_pdf_with_searchable_chinese_text(pdf_bytes: bytes, pdf_pages: list[str]) -> None:
    assert pdf_bytes.startswith(b"%PDF-")
    text = "".join(pdf_pages)
    squeezed = "".join(text.split())
    assert "北辰区2022年食品安全白皮书" in squeezed
    assert "宜兴埠镇" in squeezed
    assert "167" in squeezed
    assert "表1各镇街分季度监督检查情况" in squeezed
    assert "图2抽检食品类别构成" in squeezed
    assert "A&B<限期整改>" in squeezed  # markup characters are escaped, not swallowed


def test_pdf_embeds_a_subset_of_the_cjk_font(pdf_bytes: bytes) -> None:
    reader = PdfReader(io.BytesIO(pdf_bytes))
    fonts: dict[str, Any] = {}
    for page in reader.pages:
        resources: Any = page["/Resources"]
        for ref in resources["/Font"].values():
            font = ref.get_object()
            fonts[font["/BaseFont"]] = font
    assert fonts
    for name, font in fonts.items():
        descriptor = font["/FontDescriptor"]
        assert "/FontFile2" in descriptor, f"{name} is not embedded"
        assert "/ToUnicode" in font, f"{name} has no ToUnicode map: its text could not be copied"
        assert "+" in name, f"{name} is not a subset"  # subset fonts are named ABCDEF+Name


def test_pdf_long_table_breaks_across_pages_with_its_header_repeated(pdf_pages: list[str]) -> None:
    assert len(pdf_pages) > 2
    pages_with_rows = [text for text in pdf_pages if "第3季度" in text]
    assert len(pages_with_rows) >= 2
    assert all("检查户次" in text for text in pages_with_rows)


def test_pdf_numbers_its_pages(pdf_pages: list[str]) -> None:
    for number, text in enumerate(pdf_pages, start=1):
        assert f"第 {number} 页" in text


def test_pdf_never_starts_a_line_with_closing_punctuation() -> None:
    # 禁则: a line may not begin with "，" "。" "”" etc.; at some width each of them falls there.
    from reportlab.platypus import Paragraph as PdfParagraph

    from shian.reports.render_pdf import CANNOT_START_LINE, _styles, register_font

    register_font()
    starts = []
    for width in range(120, 460, 3):
        paragraph = PdfParagraph(LONG_SENTENCE, _styles()["body"])
        paragraph.wrap(width, 10_000)
        for line in paragraph.blPara.lines[1:]:
            text = "".join(line[1]) if isinstance(line, tuple) else "".join(w.text for w in line.words)
            starts.append(text[:1])
    assert starts
    assert not [ch for ch in starts if ch in CANNOT_START_LINE + "、。"]


def test_pdf_draws_bold_text_heavier(pdf_bytes: bytes) -> None:
    # The CJK font has one weight; bold text (the bold paragraph, table headers) is also stroked.
    first_page = PdfReader(io.BytesIO(pdf_bytes)).pages[0].get_contents()
    assert first_page is not None
    assert b"2 Tr" in first_page.get_data()


def test_pdf_has_an_outline_of_the_headings(pdf_bytes: bytes) -> None:
    outline = PdfReader(io.BytesIO(pdf_bytes)).outline
    assert [entry.title for entry in outline if not isinstance(entry, list)] == [
        "一、总体情况",
        "二、不合格食品核查处置",
    ]


def test_pdf_draws_the_charts(pdf_bytes: bytes) -> None:
    images = [image for page in PdfReader(io.BytesIO(pdf_bytes)).pages for image in page.images]
    assert len(images) == 2


# --- xlsx ----------------------------------------------------------------------------------------


def test_xlsx_has_one_sheet_per_table(workbook: openpyxl.Workbook) -> None:
    assert workbook.sheetnames == ["表1 各镇街分季度监督检查情况", "表2 不合格项目"]


def test_xlsx_keeps_numbers_as_numbers(workbook: openpyxl.Workbook) -> None:
    sheet = workbook["表1 各镇街分季度监督检查情况"]
    assert sheet["A1"].value == "表1 各镇街分季度监督检查情况"
    assert [c.value for c in sheet[2]] == ["镇街", "季度", "检查户次", "抽检批次", "合格率（%）", "备注"]
    assert [c.value for c in sheet[3]] == ["果园镇", "第1季度", 101, 21, pytest.approx(97.6), None]
    assert sheet.max_row == 2 + 40 + 2  # caption, header, 40 rows, blank, note
    assert sheet["A44"].value == "数据截至2022年12月31日。"
    assert sheet.freeze_panes == "A3"


def test_xlsx_guards_against_formula_injection(workbook: openpyxl.Workbook) -> None:
    sheet = workbook["表2 不合格项目"]
    assert [[c.value for c in row] for row in sheet.iter_rows(min_row=3)] == [
        ['\'=HYPERLINK("x")', 3],
        ["'-农药残留", 5],
        ["'+1", -2],
        ["'@sum", None],
    ]
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def test_sheet_names_are_valid_unique_and_short() -> None:
    names = sheet_names(["各镇街分季度监督检查情况及整改落实统计表（按季度）", "a/b:c?", "a/b:c?", ""])
    assert all(len(n) <= 31 for n in names)
    assert len({n.casefold() for n in names}) == len(names)
    assert names[0] == "表1 各镇街分季度监督检查情况及整改落实统计表（按季度）"[:31]
    assert names[1] == "表2 a b c"
    assert names[3] == "表4"


# --- charts --------------------------------------------------------------------------------------


@pytest.fixture
def glyph_warnings() -> Iterator[list[warnings.WarningMessage]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield caught


def _missing_glyphs(caught: list[warnings.WarningMessage]) -> list[str]:
    return [
        str(w.message) for w in caught if "missing from font" in str(w.message) or "Glyph" in str(w.message)
    ]


@pytest.mark.parametrize("kind", ["bar", "hbar", "line", "pie", "stacked_bar"])
def test_chart_is_a_png_of_the_expected_size_with_chinese_glyphs(
    kind: str, glyph_warnings: list[warnings.WarningMessage]
) -> None:
    from PIL import Image

    series = [Series("抽检批次", [812, 640, 933, 520, 470, 388, 602, 455, 530, 701])]
    if kind in ("line", "stacked_bar", "hbar"):
        series.append(Series("不合格批次", [12, 10, 13, 5, 4, None, 6, 5, 3, 9]))
    chart = Chart(kind=kind, title="各镇街抽检批次（2022年）", categories=TOWNS, series=series, unit="批次")  # type: ignore[arg-type]
    png = render_chart(chart)
    assert png.startswith(PNG_SIGNATURE)
    assert Image.open(io.BytesIO(png)).size == chart_size_px(chart)
    assert _missing_glyphs(glyph_warnings) == []


def test_glyph_check_would_see_a_chart_drawn_without_the_cjk_font(
    glyph_warnings: list[warnings.WarningMessage],
) -> None:
    # The check above means something only if matplotlib does warn without the CJK font.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure()
    FigureCanvasAgg(figure)
    figure.suptitle("食品安全", family="DejaVu Sans")
    figure.canvas.draw()
    assert _missing_glyphs(glyph_warnings)


def test_chart_bytes_are_deterministic() -> None:
    chart = Chart(kind="bar", title="抽检", categories=TOWNS[:3], series=[Series("批次", [1, 2, 3])])
    assert render_chart(chart) == render_chart(chart)


# --- fonts and model -----------------------------------------------------------------------------


def test_cjk_font_is_a_truetype_font_on_this_machine() -> None:
    from fontTools.ttLib import TTFont

    info = cjk_font()
    font = TTFont(info.path, fontNumber=info.subfont_index, lazy=True)
    assert "glyf" in font
    assert ord("食") in font.getBestCmap()


def test_missing_cjk_font_names_the_debian_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts_module, "KNOWN_FONTS", ())
    monkeypatch.setattr(fonts_module.shutil, "which", lambda _name: None)
    fonts_module.cjk_font.cache_clear()
    try:
        with pytest.raises(fonts_module.FontNotFoundError, match="apt-get install fonts-wqy-microhei"):
            fonts_module.cjk_font()
    finally:
        fonts_module.cjk_font.cache_clear()


def test_model_refuses_inconsistent_blocks() -> None:
    with pytest.raises(ValueError, match="row 2: 1 cells, expected 2"):
        Table(caption="t", headers=["a", "b"], rows=[[1, 2], [1]])
    with pytest.raises(ValueError, match="3 values for 2 categories"):
        Chart(kind="bar", title="c", categories=["a", "b"], series=[Series("s", [1, 2, 3])])
    with pytest.raises(ValueError, match="exactly one series"):
        Chart(kind="pie", title="c", categories=["a"], series=[Series("s", [1]), Series("t", [2])])
    with pytest.raises(ValueError, match="unknown kind"):
        Chart(kind="radar", title="c", categories=["a"], series=[Series("s", [1])])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="level"):
        Heading("h", level=4)


@pytest.mark.parametrize(
    ("value", "text"),
    [(None, "—"), (3, "3"), (3.0, "3"), (97.55, "97.55"), (0.1 + 0.2, "0.3"), ("98.6%", "98.6%")],
)
def test_cells_print_as_a_reader_expects(value: str | int | float | None, text: str) -> None:
    assert format_cell(value) == text


def test_alignment_defaults_to_right_for_numbers() -> None:
    table = Table(
        caption="t", headers=["镇街", "批次", "备注"], rows=[["果园镇", 3, None], ["天穗镇", 2.5, "x"]]
    )
    assert table.alignments() == ["left", "right", "left"]
