"""The town food-safety index: one quarter's ranking, or the year's trend."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from shian.planning.selectors import fmt

from .. import document as d
from ..data import NO_DATA, TREND_LABELS, IndexQuarter, ReportData
from ..document import Block, Chart, Heading, Paragraph, Series, Table
from ..text import Numbering, number, percent


def _index_rows(q: IndexQuarter) -> list[list[d.Cell]]:
    return [
        [
            r.rank,
            r.town,
            number(r.score) if r.score is not None else "数据不足",
            percent(r.coverage),
            number(r.previous),
            TREND_LABELS.get(r.trend, r.trend),
        ]
        for r in q.rows
    ]


def index_quarter(data: ReportData, n: Numbering) -> list[Block]:
    blocks: list[Block] = [Heading(n.next("镇街食品安全指数"), 1)]
    if not data.index_available:
        return [*blocks, Paragraph(f"镇街食品安全指数模块尚未启用，本季度指数尚未计算（{NO_DATA}）。")]
    if not data.index:
        return [*blocks, Paragraph(f"第{data.quarter}季度镇街食品安全指数尚未计算或尚未发布（{NO_DATA}）。")]
    q = data.index[0]
    blocks += _index_ranking(q)
    return blocks


def _index_ranking(q: IndexQuarter) -> list[Block]:
    scored = q.scored
    blocks: list[Block] = []
    if scored:
        best, worst = scored[0], scored[-1]
        text = (
            f"第{q.quarter}季度镇街食品安全指数对{len(q.rows)}个镇街评分，{len(scored)}个镇街得分，"
            f"最高为{best.town}（{fmt(best.score)}分），最低为{worst.town}（{fmt(worst.score)}分）。"
        )
        if len(scored) < len(q.rows):
            text += f"{len(q.rows) - len(scored)}个镇街数据不足，未予评分。"
    else:
        text = f"第{q.quarter}季度镇街食品安全指数已发布，但各镇街均数据不足，未予评分。"
    if q.missing_components:
        text += f"以下指标平台暂无数据，未计入本期指数：{'、'.join(q.missing_components)}。"
    blocks.append(Paragraph(text))
    blocks.append(
        Table(
            f"第{q.quarter}季度镇街食品安全指数排名",
            ["名次", "镇街", "得分", "数据覆盖率", "上期得分", "变化"],
            _index_rows(q),
            note="数据覆盖率为有数据的指标权重之和；覆盖率不足的镇街不予评分。",
        )
    )
    if scored:
        blocks.append(
            Chart(
                "hbar",
                f"第{q.quarter}季度镇街食品安全指数",
                [r.town for r in scored],
                [Series("得分", [float(r.score) for r in scored if r.score is not None])],
                unit="分",
            )
        )
    return blocks


def index_year(data: ReportData, n: Numbering) -> list[Block]:
    blocks: list[Block] = [Heading(n.next("镇街食品安全指数"), 1)]
    if not data.index_available:
        return [*blocks, Paragraph(f"镇街食品安全指数模块尚未启用，指数尚未计算（{NO_DATA}）。")]
    published = [q for q in data.index if q.scored]
    if not published:
        due = len(data.index_quarters_due)
        return [
            *blocks,
            Paragraph(
                f"{data.year}年已结束的{due}个季度中，{len(data.index)}个季度发布了镇街食品安全指数，"
                f"均无镇街得分，指数趋势{NO_DATA}。"
                if data.index
                else f"{data.year}年镇街食品安全指数尚未发布（{NO_DATA}）。"
            ),
        ]
    blocks.append(
        Paragraph(
            f"按计划任务（二），区食安办每季度发布镇街食品安全指数，综合评价各镇街食品安全工作。"
            f"{data.year}年已发布{len(data.index)}期（"
            + "、".join(f"第{q.quarter}季度" for q in data.index)
            + "）。"
        )
    )
    labels = [f"第{q.quarter}季度" for q in data.index]

    def stat(fn: Callable[[list[Decimal]], Decimal]) -> list[float | None]:
        out: list[float | None] = []
        for q in data.index:
            scores = [r.score for r in q.scored if r.score is not None]
            out.append(float(fmt(fn(scores))) if scores else None)
        return out

    def mean(values: list[Decimal]) -> Decimal:
        return sum(values, Decimal(0)) / len(values)

    blocks.append(
        Chart(
            "line",
            f"{data.year}年镇街食品安全指数走势",
            labels,
            [Series("最高分", stat(max)), Series("平均分", stat(mean)), Series("最低分", stat(min))],
            unit="分",
            width_cm=14,
        )
    )
    towns = sorted({r.town for q in data.index for r in q.rows}, key=lambda name: _town_order(data, name))
    scores = {(q.quarter, r.town): r.score for q in data.index for r in q.rows}
    blocks.append(
        Table(
            f"{data.year}年各镇街食品安全指数得分",
            ["镇街", *labels],
            [[town, *(number(scores.get((q.quarter, town))) for q in data.index)] for town in towns],
            note="“—”表示该季度数据不足，未予评分。",
        )
    )
    blocks += _index_ranking(data.index[-1])
    return blocks


def _town_order(data: ReportData, name: str) -> str:
    for t in data.towns:
        if t.name == name:
            return t.code
    return name
