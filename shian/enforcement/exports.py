"""Rows of the lists as they are exported (xlsx with Chinese headers, JSON for the national credit
system): one definition per list, used by the page export and the API alike."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from shian.core.xlsx import Cell, table_xlsx

from .models import Campaign, Case, CreditFiling, Publication

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
                "、".join(c.penalty_kinds),
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


# The layout of the national enterprise credit information system's penalty record, as this
# platform files it (docs/enforcement.md lists each field and its source in 45号令第四条).
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


def filing_records(filings: Iterable[CreditFiling]) -> list[dict[str, Any]]:
    return [
        {
            **{k: f.payload.get(k, "") for k, _label in FILING_FIELDS},
            "filed_on": f.filed_on.isoformat(),
            "batch": f.batch,
        }
        for f in filings
    ]


def filings_xlsx(filings: Iterable[CreditFiling], *, title: str) -> bytes:
    records = filing_records(filings)
    headers = [label for _k, label in FILING_FIELDS] + ["归集日期", "批次"]
    rows = [[r[k] for k, _l in FILING_FIELDS] + [r["filed_on"], r["batch"]] for r in records]
    return table_xlsx(title=title, headers=headers, rows=rows, sheet="行政处罚信息")


def _d(day: dt.date | None) -> str:
    return day.isoformat() if day else ""
