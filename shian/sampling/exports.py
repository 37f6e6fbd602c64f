"""The sample list as a workbook in the layout of the provincial sampling bulletins
(食品安全监督抽检信息公告: 合格/不合格产品信息), one row per sample, the unqualified items with
their result and limit in the bulletin's "不合格项目║检验结果║标准值" column."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from shian.core.xlsx import table_xlsx

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
            ]
        )
    return rows


def bulletin_xlsx(*, samples: QuerySet[Sample]) -> bytes:
    qs = samples.prefetch_related(Prefetch("items", queryset=TestItem.objects.order_by("id")))
    return table_xlsx(
        title="食品安全监督抽检信息", headers=BULLETIN_HEADERS, rows=bulletin_rows(qs), sheet="抽检信息"
    )


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
