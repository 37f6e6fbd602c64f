"""Rows of the lists as they are exported (xlsx with Chinese headers, JSON for the national credit
system): one definition per list, used by the page export and the API alike."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from typing import Any

import xlsxwriter

from shian.core.xlsx import Cell, guard_text, table_xlsx

from .models import Campaign, Case, CreditFiling, CreditKind, Publication

CASE_HEADERS = (
    "案号",
    "当事人",
    "镇街",
    "案件来源",
    "案由",
    "状态",
    "发现线索",
    "立案",
    "决定",
    "结案",
    "法律依据",
    "处罚种类",
    "罚款（元）",
    "专项行动",
)


def case_rows(cases: Iterable[Case]) -> list[Sequence[Cell]]:
    rows: list[Sequence[Cell]] = []
    for c in cases:
        campaigns = "、".join(str(Campaign(x.campaign).label) for x in c.campaigns.all())
        rows.append(
            (
                c.number,
                c.party_name,
                c.region.name,
                c.get_source_kind_display(),
                c.summary,
                c.get_status_display(),
                _d(c.lead_received_on),
                _d(c.filed_on),
                _d(c.decided_on),
                _d(c.closed_on),
                c.basis_article,
                c.penalty_labels,
                float(c.fine_amount) if c.fine_amount else None,
                campaigns,
            )
        )
    return rows


def cases_xlsx(cases: Iterable[Case], *, title: str) -> bytes:
    return table_xlsx(title=title, headers=CASE_HEADERS, rows=case_rows(cases), sheet="案件")


PUBLICATION_HEADERS = (
    "决定书文号",
    "当事人",
    "统一社会信用代码／证件号码",
    "违法行为",
    "处罚依据",
    "处罚内容",
    "作出决定机关",
    "决定日期",
    "公示日期",
    "公示截止",
)


def publication_rows(pubs: Iterable[Publication]) -> list[Sequence[Cell]]:
    """The public list: the summary as published, a natural person's data masked (45号令第六条)."""
    out: list[Sequence[Cell]] = []
    for p in pubs:
        s = p.summary
        out.append(
            (
                s.get("decision_number", ""),
                s.get("party", ""),
                s.get("credit_code") or s.get("id_number", ""),
                s.get("violation", ""),
                s.get("basis", ""),
                s.get("penalty", ""),
                s.get("authority", ""),
                s.get("decided_on", ""),
                _d(p.published_on),
                _d(p.ends_on),
            )
        )
    return out


# The layout of the national enterprise credit information system's records, as this platform
# files them (docs/enforcement.md lists each field and its source): penalty decisions (45号令第四条),
# unqualified sampling results and disposals (plan task 二十一).
FILING_LAYOUT = "shian-credit-2"
FILING_FIELDS = (
    ("decision_number", "行政处罚决定书文号"),
    ("party", "当事人名称"),
    ("credit_code", "统一社会信用代码"),
    ("legal_representative", "法定代表人"),
    ("violation", "违法行为类型"),
    ("basis", "处罚依据"),
    ("penalty", "处罚内容"),
    ("authority", "作出处罚决定的机关名称"),
    ("decided_on", "作出处罚决定日期"),
)
SAMPLING_FIELDS = (
    ("sample_code", "抽样单编号"),
    ("party", "被抽样单位名称"),
    ("credit_code", "统一社会信用代码"),
    ("food_name", "食品名称"),
    ("manufacturer", "标称生产企业"),
    ("batch", "生产日期／批号"),
    ("sampled_on", "抽样日期"),
    ("unqualified_items", "不合格项目（检验结果／标准值）"),
    ("lab", "检验机构"),
    ("judged_on", "判定日期"),
    ("authority", "组织抽检的机关名称"),
)
DISPOSAL_FIELDS = (
    ("sample_code", "抽样单编号"),
    ("party", "当事人名称"),
    ("credit_code", "统一社会信用代码"),
    ("food_name", "不合格食品名称"),
    ("measures", "核查处置措施"),
    ("opened_on", "核查处置开始日期"),
    ("closed_on", "核查处置完成日期"),
    ("authority", "核查处置机关名称"),
)
FIELDS_OF_KIND: dict[str, tuple[tuple[str, str], ...]] = {
    CreditKind.PENALTY: FILING_FIELDS,
    CreditKind.SAMPLING: SAMPLING_FIELDS,
    CreditKind.DISPOSAL: DISPOSAL_FIELDS,
}


def filing_records(filings: Iterable[CreditFiling]) -> list[dict[str, Any]]:
    """Each filing as the layout names it: its kind, the kind's fields, the day and the batch."""
    out = []
    for f in filings:
        fields = FIELDS_OF_KIND.get(f.kind, FILING_FIELDS)
        out.append(
            {
                "kind": f.kind,
                **{k: f.payload.get(k, "") for k, _label in fields},
                "filed_on": f.filed_on.isoformat(),
                "batch": f.batch,
            }
        )
    return out


def filings_xlsx(filings: Iterable[CreditFiling], *, title: str) -> bytes:
    """One sheet per kind (each kind has its own layout), in the order of CreditKind."""
    records = filing_records(filings)
    sheets = []
    for kind, fields in FIELDS_OF_KIND.items():
        mine = [r for r in records if r["kind"] == kind]
        headers = [label for _k, label in fields] + ["归集日期", "批次"]
        rows = [[r[k] for k, _l in fields] + [r["filed_on"], r["batch"]] for r in mine]
        sheets.append((str(CreditKind(kind).label), headers, rows))
    return tables_xlsx(title=title, sheets=sheets)


def tables_xlsx(
    *, title: str, sheets: Sequence[tuple[str, Sequence[str], Sequence[Sequence[Cell]]]]
) -> bytes:
    """Several tables, one sheet each (name, headers, rows), laid out as core.xlsx lays out one."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold = book.add_format({"bold": True, "bg_color": "#E8EEF6", "border": 1})
    heading = book.add_format({"bold": True, "font_size": 13})
    for sheet, headers, rows in sheets:
        ws = book.add_worksheet(sheet[:31])
        ws.write_string(0, 0, guard_text(title), heading)
        widths = [max(4, len(h) * 2) for h in headers]
        for c, h in enumerate(headers):
            ws.write_string(1, c, guard_text(h), bold)
        for r, row in enumerate(rows, start=2):
            for c, value in enumerate(row):
                text = guard_text("" if value is None else str(value))
                ws.write_string(r, c, text)
                widths[c] = min(60, max(widths[c], sum(2 if ord(ch) > 127 else 1 for ch in text)))
        for c, w in enumerate(widths):
            ws.set_column(c, c, w + 1)
        ws.freeze_panes(2, 0)
        if rows:
            ws.autofilter(1, 0, len(rows) + 1, len(headers) - 1)
    book.close()
    return buffer.getvalue()


def _d(day: dt.date | None) -> str:
    return day.isoformat() if day else ""
