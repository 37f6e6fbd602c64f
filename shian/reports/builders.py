"""The district's reports assembled from its records: the quarterly report (季度报告), the year-end
report (年度报告) and the annual food-safety white paper (食品安全白皮书), in Chinese.

Two steps, so that the wording is tested without a database:

    data = gather_report(kind="whitepaper", year=2022)    # every read, through the selectors
    doc = build_document(data)                             # pure: ReportData -> Document

`report_file` does both and renders the format asked for; the command and the page call it.
Every figure comes from a record; where there is none the text says "暂无数据".

The work is split by what it does; this module gathers the names in one place:
    data.py        what a report says (ReportData and its lines), the printed labels
    selectors.py   gathering: every read, through the other modules' selectors
    text.py        numbers, percentages, dates and status words as printed
    sections/      the chapters, one module per family
    assemble.py    the three documents put together from their chapters
    export.py      rendering to docx/pdf/xlsx and the audited download
"""

from __future__ import annotations

from .assemble import build_document, build_quarterly, build_whitepaper, build_yearly
from .data import (
    KINDS,
    NO_DATA,
    PUBLIC_STATUS_LABELS,
    CategoryLine,
    CommendationLine,
    CoreResults,
    EvaluationLine,
    FilingLine,
    IndexQuarter,
    IndexRow,
    InterviewLine,
    Kind,
    NoticeLine,
    ReportData,
    ReportError,
    SectionLine,
    TargetLine,
    TaskLine,
    Timeliness,
    TownLine,
    TownResults,
)
from .export import EXPORT_OBJECT_TYPE, FORMATS, ReportFile, filename, render, report_export, report_file
from .selectors import READER, check_request, core_results, gather_report, plan_years, quarter_period
from .text import (
    achieved_text,
    cn_number,
    counts_sentence,
    figure_text,
    goal_text,
    number,
    percent,
    status_label,
    task_label,
)

__all__ = [
    "EXPORT_OBJECT_TYPE",
    "FORMATS",
    "KINDS",
    "NO_DATA",
    "PUBLIC_STATUS_LABELS",
    "READER",
    "CategoryLine",
    "CommendationLine",
    "CoreResults",
    "EvaluationLine",
    "FilingLine",
    "IndexQuarter",
    "IndexRow",
    "InterviewLine",
    "Kind",
    "NoticeLine",
    "ReportData",
    "ReportError",
    "ReportFile",
    "SectionLine",
    "TargetLine",
    "TaskLine",
    "Timeliness",
    "TownLine",
    "TownResults",
    "achieved_text",
    "build_document",
    "build_quarterly",
    "build_whitepaper",
    "build_yearly",
    "check_request",
    "cn_number",
    "core_results",
    "counts_sentence",
    "figure_text",
    "filename",
    "gather_report",
    "goal_text",
    "number",
    "percent",
    "plan_years",
    "quarter_period",
    "render",
    "report_export",
    "report_file",
    "status_label",
    "task_label",
]
