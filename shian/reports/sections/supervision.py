"""Supervision and reporting: notices and their responses, interviews, commendations, and the
units' and towns' progress reports on time or not."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence

from .. import document as d
from ..data import (
    INTERVIEW_STATUS_LABELS,
    NO_DATA,
    PERIOD_LABELS,
    PERIODS,
    REPORT_STATUS_LABELS,
    TIMELINESS_LABELS,
    FilingLine,
    NoticeLine,
    ReportData,
    Timeliness,
)
from ..document import Block, BulletList, Chart, Heading, Paragraph, Series, Table
from ..text import Numbering, date_text, short_date, task_label


def supervision(data: ReportData, n: Numbering, *, public: bool) -> list[Block]:
    title = "督查督办和责任追究" if public else "督查督办和约谈"
    blocks: list[Block] = [Heading(n.next(title), 1)]
    notices = data.notices
    responded = [x for x in notices if x.responded_on is not None]
    on_time = [x for x in responded if x.responded_on is not None and x.responded_on <= x.response_due]
    overdue = [x for x in notices if x.responded_on is None and x.response_due < data.today]
    if data.evaluations:
        rounds = "、".join(d.format_date(e.as_of) for e in data.evaluations)
        blocks.append(
            Paragraph(f"本期区食安办开展季度末督查督办评估{len(data.evaluations)}次，评估日为{rounds}。")
        )
    else:
        blocks.append(Paragraph(f"本期平台暂无督查督办评估记录（{NO_DATA}）。"))
    if notices:
        blocks.append(
            Paragraph(
                f"本期共发出督办通知{len(notices)}份，已回复{len(responded)}份（其中按期回复{len(on_time)}份），"
                f"{'超过期限尚未回复' if public else '逾期未回复'}{len(overdue)}份。"
            )
        )
        if public:
            units = sorted({x.unit for x in notices})
            blocks.append(
                Table(
                    "督办通知及回复情况（按单位）",
                    ["单位", "督办通知（份）", "已回复（份）", "按期回复（份）", "超过期限尚未回复（份）"],
                    [
                        [
                            u,
                            sum(1 for x in notices if x.unit == u),
                            sum(1 for x in responded if x.unit == u),
                            sum(1 for x in on_time if x.unit == u),
                            sum(1 for x in overdue if x.unit == u),
                        ]
                        for u in units
                    ],
                )
            )
        else:
            blocks.append(
                Table(
                    "督办通知及回复情况",
                    ["下发日期", "单位", "督办事由及回复", "回复情况"],
                    [
                        [
                            short_date(x.issued_on),
                            x.unit,
                            f"{task_label(x.task_no, x.task_title)}：{x.reason}"
                            + (f"\n回复：{x.response}" if x.response else ""),
                            response_state(x, data.today),
                        ]
                        for x in notices
                    ],
                )
            )
    else:
        blocks.append(Paragraph("本期没有发出督办通知。"))
    if data.interviews:
        blocks.append(
            Paragraph(
                f"按计划任务（三）的约谈机制，本期{len(data.interviews)}个单位列入约谈名单："
                + "、".join(sorted({i.unit for i in data.interviews}))
                + "。"
            )
        )
        # The reason is the platform's supervision wording ("连续 2 个季度末任务滞后"): internal only.
        blocks.append(
            Table(
                "约谈名单",
                ["列入日期", "单位", *([] if public else ["事由"]), "状态", "约谈日期"],
                [
                    [
                        short_date(i.listed_on),
                        i.unit,
                        *([] if public else [i.reason]),
                        INTERVIEW_STATUS_LABELS.get(i.status, i.status),
                        short_date(i.held_on),
                    ]
                    for i in data.interviews
                ],
            )
        )
    else:
        blocks.append(Paragraph("本期没有单位列入约谈名单。"))
    if data.kind != "quarterly":
        if data.commendations:
            blocks.append(Paragraph(f"本年度表彰奖励{len(data.commendations)}个单位或个人："))
            blocks.append(
                BulletList(
                    [f"{c.recipient}：{c.reason}（{date_text(c.awarded_on)}）" for c in data.commendations]
                )
            )
        else:
            blocks.append(Paragraph(f"表彰奖励：平台{NO_DATA}。"))
    return blocks


def response_state(notice: NoticeLine, today: dt.date) -> str:
    if notice.responded_on is not None:
        return "按期回复" if notice.responded_on <= notice.response_due else "逾期回复"
    return "逾期未回复" if today > notice.response_due else "待回复"


def _filing_counts(filings: Iterable[FilingLine]) -> Counter[str]:
    return Counter(f.timeliness for f in filings)


def _filing_sentence(counts: Counter[str], total: int) -> str:
    parts = [
        f"{TIMELINESS_LABELS[k]}{counts[k]}份"
        for k in (Timeliness.ON_TIME, Timeliness.LATE, Timeliness.MISSING, Timeliness.NOT_DUE)
        if counts[k]
    ]
    return f"应报{total}份，" + "，".join(parts) if parts else f"应报{total}份"


def _filing_table(caption: str, filings: Sequence[FilingLine]) -> Table:
    return Table(
        caption,
        ["单位或镇街", "类别", "截止日期", "报送日期", "报送情况", "审核状态"],
        [
            [
                f.unit,
                "镇街" if f.is_town else "部门",
                short_date(f.due),
                short_date(f.submitted_on),
                TIMELINESS_LABELS[f.timeliness],
                REPORT_STATUS_LABELS.get(f.status, f.status),
            ]
            for f in filings
        ],
    )


def filings(data: ReportData, n: Numbering) -> list[Block]:
    blocks: list[Block] = [Heading(n.next("工作报告报送情况"), 1)]
    if not data.filings:
        return [*blocks, Paragraph(f"本期没有应报送的工作报告（{NO_DATA}）。")]
    if data.kind == "quarterly":
        counts = _filing_counts(data.filings)
        blocks.append(
            Paragraph(
                f"第{data.quarter}季度工作报告由各成员单位和镇街报送，{_filing_sentence(counts, len(data.filings))}。"
                "报送日期以平台记录的提交时间为准。"
            )
        )
        blocks.append(_filing_table(f"第{data.quarter}季度工作报告报送情况", data.filings))
        return blocks
    blocks.append(
        Paragraph(
            "按计划任务（一），各成员单位和镇街按季度报送工作报告，年底前向区食品安全委员会报告全年食品安全工作情况。"
            "报送日期以平台记录的提交时间为准。"
        )
    )
    periods = [p for p in PERIODS if any(f.period == p for f in data.filings)]
    kinds = (Timeliness.ON_TIME, Timeliness.LATE, Timeliness.MISSING, Timeliness.NOT_DUE)
    per_period = {p: _filing_counts(f for f in data.filings if f.period == p) for p in periods}
    blocks.append(
        Table(
            "各期工作报告报送情况",
            ["报告期", "应报（份）", *(TIMELINESS_LABELS[k] for k in kinds)],
            [
                [PERIOD_LABELS[p], sum(per_period[p].values()), *(per_period[p][k] for k in kinds)]
                for p in periods
            ],
        )
    )
    blocks.append(
        Chart(
            "stacked_bar",
            "各期工作报告报送情况",
            [PERIOD_LABELS[p] for p in periods],
            [
                Series(TIMELINESS_LABELS[k], [float(per_period[p][k]) for p in periods])
                for k in kinds
                if any(per_period[p][k] for p in periods)
            ],
            unit="份",
            width_cm=13,
        )
    )
    year_end = [f for f in data.filings if f.period == "Y"]
    if year_end:
        c = _filing_counts(year_end)
        blocks.append(Heading("年终工作报告", 2))
        blocks.append(Paragraph(f"各成员单位和镇街年终工作报告{_filing_sentence(c, len(year_end))}。"))
        blocks.append(_filing_table("年终工作报告报送情况", year_end))
    return blocks
