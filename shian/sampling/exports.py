"""The sample list as a workbook in the layout of the provincial sampling bulletins
(食品安全监督抽检信息公告: 合格/不合格产品信息), one row per sample, the unqualified items with
their result and limit in the bulletin's "不合格项目║检验结果║标准值" column."""

from __future__ import annotations

import base64
import datetime as dt
import io
from collections.abc import Iterable
from decimal import Decimal

import xlsxwriter
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from shian.core.xlsx import guard_text, table_xlsx

from .models import QuickTest, Sample, TestItem, Verdict

BULLETIN_HEADERS = [
    "序号",
    "抽样编号",
    "被抽样单位名称",
    "被抽样单位所在乡镇（街道）",
    "食品名称",
    "生产日期/批号",
    "分类",
    "不合格项目║检验结果║标准值",
    "检验结论",
    "检验机构",
    "抽样日期",
    "备注",
    # Appended, not in the bulletin's order, so the columns above keep their places.
    "标称生产企业名称",
    "规格型号",
]
CONCLUSION: dict[str, str] = {
    Verdict.QUALIFIED: "合格",
    Verdict.UNQUALIFIED: "不合格",
    Verdict.UNDETERMINED: "待判定",
}


def bulletin_rows(samples: Iterable[Sample]) -> list[list[str | int | None]]:
    rows: list[list[str | int | None]] = []
    for n, s in enumerate(samples, start=1):
        bad = [i for i in s.items.all() if i.verdict == Verdict.UNQUALIFIED]
        rows.append(
            [
                n,
                s.code,
                s.business.name if s.business else "",
                s.region.name,
                s.food_name,
                " ".join(x for x in (s.produced_on.isoformat() if s.produced_on else "", s.batch) if x),
                s.category_path,
                "；".join(f"{i.item}║{i.result}║{i.limit_text}" for i in bad),
                CONCLUSION.get(s.conclusion, "") if s.conclusion else "",
                s.lab.name if s.lab else s.lab_name,
                s.sampled_on.isoformat() if s.sampled_on else "",
                "；".join(f"{i.standard}（{i.edition}）{i.clause}" for i in bad),
                s.manufacturer,
                s.specification,
            ]
        )
    return rows


def bulletin_xlsx(*, samples: QuerySet[Sample]) -> bytes:
    qs = samples.prefetch_related(Prefetch("items", queryset=TestItem.objects.order_by("id")))
    return table_xlsx(
        title="食品安全监督抽检信息", headers=BULLETIN_HEADERS, rows=bulletin_rows(qs), sheet="抽检信息"
    )


UNQUALIFIED_HEADERS = [*BULLETIN_HEADERS, "样品状态", "核查处置", "处置完成时限", "办结日期", "是否超期"]


def unqualified_xlsx(*, samples: QuerySet[Sample], today: dt.date, disposals: bool) -> bytes:
    """The unqualified food list as filtered: the bulletin's columns, then the sample's status and
    (for those who see disposal work) its own disposal task's state, due date, closing date and
    whether it is or was late."""
    qs = list(samples.prefetch_related(Prefetch("items", queryset=TestItem.objects.order_by("id"))))
    rows = bulletin_rows(qs)
    for row, s in zip(rows, qs, strict=True):
        task = s.disposal if disposals else None
        late = task is not None and (task.closed_on or today) > task.due
        row += [
            s.get_status_display(),
            task.get_status_display() if task else None,
            task.due.isoformat() if task else None,
            task.closed_on.isoformat() if task and task.closed_on else None,
            ("是" if late else "否") if task else None,
        ]
    return table_xlsx(title="不合格食品核查处置", headers=UNQUALIFIED_HEADERS, rows=rows, sheet="不合格食品")


QUICK_TEST_HEADERS = [
    "序号",
    "检测时间",
    "镇街",
    "市场",
    "摊位/经营者",
    "产品名称",
    "检测项目",
    "检测结果",
    "抑制率/读数",
    "试剂/方法",
    "试剂批号",
    "检测人",
    "状态",
    "告知时间",
    "异议截止时间",
    "复检结果",
    "监督抽检样品编号",
]


def _local(when: dt.datetime | None) -> str:
    return timezone.localtime(when).strftime("%Y-%m-%d %H:%M") if when else ""


def quick_tests_xlsx(*, quick_tests: QuerySet[QuickTest]) -> bytes:
    """The quick-test list as a workbook, one row per test (Beijing time)."""
    rows: list[list[str | int | None]] = [
        [
            n,
            _local(q.tested_at),
            q.region.name,
            q.business.name,
            q.stall,
            q.product,
            q.item,
            q.get_result_display(),
            q.reading,
            q.kit_name,
            q.kit_batch,
            q.tester_name,
            q.get_status_display(),
            _local(q.notified_at),
            _local(q.objection_deadline),
            q.get_retest_result_display() if q.retest_result else "",
            q.followup_sample.code if q.followup_sample else "",
        ]
        for n, q in enumerate(quick_tests.select_related("region", "business", "followup_sample"), start=1)
    ]
    return table_xlsx(title="快检记录", headers=QUICK_TEST_HEADERS, rows=rows, sheet="快检记录")


def _amount(value: Decimal | None, unit: str) -> str:
    return f"{value.normalize():f}{unit}" if value is not None else ""


def sampling_form_xlsx(*, sample: Sample) -> bytes:
    """The sampling form (抽样单, 《食品安全抽样检验管理办法》第十九条) of one sample, printable on
    one A4 page: the on-site record and the business's drawn signature. Text is formula-guarded."""
    business = sample.business
    rows: list[tuple[str, str]] = [
        ("抽样编号", sample.code),
        ("被抽样单位名称", business.name if business else ""),
        ("统一社会信用代码", (business.credit_code or "") if business else ""),
        ("所在镇街", sample.region.name),
        ("食品名称", sample.food_name),
        ("食品分类", sample.category_path),
        ("标称生产企业", sample.manufacturer),
        ("规格型号", sample.specification),
        ("生产日期", sample.produced_on.isoformat() if sample.produced_on else ""),
        ("批号", sample.batch),
        ("抽样日期", sample.sampled_on.isoformat() if sample.sampled_on else ""),
        ("抽样数量", _amount(sample.quantity, sample.quantity_unit)),
        ("备样数量", _amount(sample.backup_quantity, sample.quantity_unit)),
        ("备样存放", sample.backup_kept_by),
        ("承检机构", sample.lab.name if sample.lab else sample.lab_name),
        ("被抽样单位签字人", sample.signed_by),
        (
            "签字时间",
            timezone.localtime(sample.signed_at).strftime("%Y-%m-%d %H:%M") if sample.signed_at else "",
        ),
    ]
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    ws = book.add_worksheet("抽样单")
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 1)
    title = book.add_format({"bold": True, "font_size": 15, "align": "center"})
    label = book.add_format({"bold": True, "bg_color": "#E8EEF6", "border": 1})
    cell = book.add_format({"border": 1, "text_wrap": True})
    ws.set_column(0, 0, 20)
    ws.set_column(1, 1, 50)
    ws.merge_range(0, 0, 0, 1, "食品安全抽样检验抽样单", title)
    for r, (name, value) in enumerate(rows, start=2):
        ws.write_string(r, 0, name, label)
        ws.write_string(r, 1, guard_text(value), cell)
    r = len(rows) + 2
    ws.write_string(r, 0, "被抽样单位签名", label)
    if sample.signature.startswith("data:image/png;base64,"):
        png = base64.b64decode(sample.signature.split(",", 1)[1])
        ws.set_row(r, 80)
        ws.insert_image(
            r,
            1,
            "signature.png",
            {"image_data": io.BytesIO(png), "x_scale": 0.3, "y_scale": 0.3, "object_position": 1},
        )
    book.close()
    return buffer.getvalue()
