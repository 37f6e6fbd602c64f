"""Workbooks of the inspections app: one inspection record (with the drawn signature), the
inspections list and the rectification follow-up list. Text cells go through core.xlsx.guard_text
(formula injection). The two lists take an optional `progress(done, total)` callback: a background
job reports through it (shian.jobs)."""

from __future__ import annotations

import base64
import datetime as dt
import io
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from typing import Any

import xlsxwriter
from django.utils import timezone

from shian.core.calendar import unofficial_years
from shian.core.xlsx import guard_text, table_xlsx

from . import rules, selectors
from .models import Inspection, RectificationStatus

Progress = Callable[[int, int], None]
CHUNK = 2000

ANSWER_LABELS = {"pass": "符合", "fail": "不符合", "na": "不适用", "": "未填写"}
RESULT_LABELS = {"pass": "符合", "basic": "基本符合", "fail": "不符合", "": ""}
STATUS_LABELS = {"draft": "草稿", "submitted": "已提交（锁定）"}
RECT_STATUS_LABELS = {"open": "整改中", "done": "已办结"}


def _local(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def inspection_record_xlsx(inspection: Inspection) -> bytes:
    """The record as printed for the file: facts, every checklist item with its answer and
    finding, the rectification deadline, and the representative's drawn signature as an image."""
    checklist = rules.load_checklists()[inspection.checklist]
    findings = {f.item_code: f for f in inspection.findings.prefetch_related("photos")}
    orders = {f.item_code: getattr(f, "rectification", None) for f in findings.values()}
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    ws = book.add_worksheet("检查记录")
    bold = book.add_format({"bold": True})
    head = book.add_format({"bold": True, "bg_color": "#E8EEF6", "border": 1, "text_wrap": True})
    wrap = book.add_format({"text_wrap": True, "valign": "top", "border": 1})
    ws.set_column(0, 0, 10)
    ws.set_column(1, 1, 8)
    ws.set_column(2, 2, 46)
    ws.set_column(3, 3, 10)
    ws.set_column(4, 4, 36)
    ws.set_column(5, 7, 12)

    def text(row: int, col: int, value: Any, fmt: Any = None) -> None:
        ws.write_string(row, col, guard_text(str(value)), fmt)

    text(
        0, 0, f"食品生产经营监督检查记录 · {checklist.name}", book.add_format({"bold": True, "font_size": 14})
    )
    facts = [
        ("被检查单位", inspection.business.name),
        ("统一社会信用代码", inspection.business.credit_code),
        ("镇街", inspection.region.name),
        ("检查日期", inspection.inspected_on.isoformat()),
        ("检查类型", inspection.get_kind_display()),
        ("检查人员", "、".join(u.full_name or u.username for u in inspection.inspectors.all())),
        ("检查结果", RESULT_LABELS.get(inspection.result, inspection.result) or "（未提交）"),
        ("状态", STATUS_LABELS.get(inspection.status, inspection.status)),
        ("提交时间", _local(inspection.submitted_at)),
        ("结果公示期限", inspection.publish_due.isoformat() if inspection.publish_due else ""),
        (
            "记录编号",
            f"#{inspection.pk}" + (f"（更正 #{inspection.corrects_id}）" if inspection.corrects_id else ""),
        ),
    ]
    row = 2
    for label, value in facts:
        text(row, 0, label, bold)
        text(row, 2, value)
        row += 1
    row += 1
    for col, h in enumerate(
        ["编号", "重点项", "检查内容", "结论", "发现的问题", "当场整改", "照片", "整改期限"]
    ):
        text(row, col, h, head)
    for item in checklist.items:
        row += 1
        f = findings.get(item.code)
        order = orders.get(item.code)
        cells = [
            item.code,
            "是" if item.key else "",
            item.text,
            ANSWER_LABELS.get(inspection.answers.get(item.code, ""), ""),
            f.description if f else "",
            "是" if f and f.corrected_on_spot else "",
            f"{len(f.photos.all())} 张" if f and f.photos.all() else "",
            order.due.isoformat() if order else "",
        ]
        for col, value in enumerate(cells):
            text(row, col, value, wrap)
    row += 2
    text(row, 0, "被检查单位负责人签字", bold)
    text(row, 2, inspection.signed_by or "（未签字）")
    if inspection.signed_at:
        text(row, 4, f"签字时间 {_local(inspection.signed_at)}")
    if inspection.signature.startswith(rules.SIGNATURE_PREFIX):
        png = base64.b64decode(inspection.signature[len(rules.SIGNATURE_PREFIX) :])
        ws.insert_image(
            row + 1,
            2,
            "signature.png",
            {"image_data": io.BytesIO(png), "x_scale": 0.5, "y_scale": 0.5, "object_position": 3},
        )
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    book.close()
    return buffer.getvalue()


RECTIFICATION_HEADERS = [
    "主体",
    "镇街",
    "检查项目",
    "发现的问题",
    "责令整改日期",
    "整改期限",
    "期限（工作日）",
    "状态",
    "逾期天数",
    "复查记录",
    "复查结果",
    "办结日期",
]


def rectifications_xlsx(
    rows: Sequence[dict[str, Any]], *, today: dt.date, provisional_years: Collection[int] = ()
) -> bytes:
    """The follow-up list as a workbook. A due date in a year whose holiday arrangement is not yet
    known was counted Monday to Friday: its cell says 暂定, as the page does."""
    out = []
    for row in rows:
        r = row["r"]
        f = r.finding
        out.append(
            (
                f.inspection.business.name,
                r.region.name,
                f.item_code + ("（重点项）" if f.key_item else ""),
                f.description,
                r.ordered_on.isoformat(),
                r.due.isoformat() + ("（暂定）" if r.due.year in provisional_years else ""),
                r.working_days,
                RECT_STATUS_LABELS.get(r.status, r.status),
                row["overdue"],
                f"#{r.follow_up_id}" if r.follow_up_id else "",
                RESULT_LABELS.get(r.follow_up.result, "") if r.follow_up else "",
                r.closed_on.isoformat() if r.closed_on else "",
            )
        )
    return table_xlsx(
        title=f"整改跟踪（截至 {today.isoformat()}）",
        headers=RECTIFICATION_HEADERS,
        rows=out,
        sheet="整改跟踪",
    )


INSPECTION_HEADERS = [
    "主体",
    "镇街",
    "检查日期",
    "类型",
    "全项检查",
    "检查结果",
    "状态",
    "结果公示期限",
    "重点项不符合",
    "一般项不符合",
    "检查人员",
    "签字人",
    "手写签名",
]


def _counted(items: Iterable[Any], total: int, progress: Progress | None) -> Iterator[Any]:
    """The items, reporting every CHUNK of them (and the end) to `progress`."""
    n = 0
    for n, item in enumerate(items, start=1):
        yield item
        if progress and n % CHUNK == 0:
            progress(n, total)
    if progress:
        progress(n, max(total, n))


def inspections_xlsx(
    *, user: Any, filters: selectors.InspectionFilters, progress: Progress | None = None
) -> bytes:
    """The inspections list as filtered on the page (the same filters, the same scope). A
    publication deadline in a year whose holiday arrangement is not yet known was counted Monday
    to Friday: its cell says 暂定, as the record's page does."""
    qs = selectors.inspection_list_for_user(user=user, filters=filters)
    total = qs.count() if progress else 0
    raw = [
        (i, "、".join(str(u) for u in i.inspectors.all()))
        for i in _counted(qs.prefetch_related("inspectors").iterator(chunk_size=CHUNK), total, progress)
    ]
    provisional = unofficial_years(i.publish_due for i, _names in raw)
    rows = [
        (
            i.business.name,
            i.region.name,
            i.inspected_on.isoformat(),
            i.get_kind_display(),
            "是" if i.full_check else "否",
            i.get_result_display(),
            i.get_status_display(),
            (i.publish_due.isoformat() + ("（暂定）" if i.publish_due.year in provisional else ""))
            if i.publish_due
            else "",
            i.key_failed,
            i.general_failed,
            names,
            i.signed_by,
            "是" if i.signature else "否",
        )
        for i, names in raw
    ]
    return table_xlsx(title="监督检查记录", headers=INSPECTION_HEADERS, rows=rows, sheet="监督检查")


def rectification_rows(qs: Iterable[Any], today: dt.date) -> list[dict[str, Any]]:
    """Each order with its days overdue (calendar days past the deadline while still open)."""
    rows = []
    for r in qs:
        overdue = (today - r.due).days if r.status == RectificationStatus.OPEN and r.due < today else 0
        rows.append({"r": r, "overdue": overdue})
    return rows


def rectifications_export_xlsx(
    *,
    user: Any,
    filters: selectors.RectificationFilters,
    today: dt.date,
    progress: Progress | None = None,
) -> bytes:
    """The follow-up list as filtered on the page, in the user's scope."""
    qs = selectors.rectification_list_for_user(user=user, filters=filters, today=today)
    total = qs.count() if progress else 0
    rows = rectification_rows(_counted(qs.iterator(chunk_size=CHUNK), total, progress), today)
    unofficial = unofficial_years(row["r"].due for row in rows)
    return rectifications_xlsx(rows, today=today, provisional_years=unofficial)
