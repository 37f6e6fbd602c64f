"""The sample list as a workbook in the layout of the provincial sampling bulletins
(食品安全监督抽检信息公告: 合格/不合格产品信息), one row per sample, the unqualified items with
their result and limit in the bulletin's "不合格项目║检验结果║标准值" column."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Prefetch, QuerySet

from shian.core.xlsx import table_xlsx

from .models import Sample, TestItem, Verdict

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
