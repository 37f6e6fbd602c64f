"""The plan's chapters: the overall execution, the targets behind, the plan's parts task by task
and (for the white paper) the main targets achieved."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from decimal import Decimal

from shian.planning import rules as plan_rules
from shian.planning.selectors import fmt

from .. import document as d
from ..data import BEHIND, NO_DATA, STATUS_ORDER, ReportData, TargetLine
from ..document import Block, BulletList, Chart, Heading, KeyFigures, Paragraph, Series, Table
from ..text import (
    Numbering,
    achieved_text,
    cn_number,
    counts_sentence,
    goal_text,
    number,
    percent,
    period_phrase,
    status_counts,
    status_label,
    task_label,
    task_status,
)


def target_text(t: TargetLine) -> str:
    """ "（十三）全年食品安全监督抽检批次（目标≥6570批次）": the task, the target and its value."""
    return f"{task_label(t.task_no)}{t.description}（目标{goal_text(t)}）"


def _target_rows(
    targets: Iterable[TargetLine], *, expected: bool = True, public: bool = False
) -> list[list[d.Cell]]:
    rows: list[list[d.Cell]] = []
    for t in targets:
        row: list[d.Cell] = [
            target_text(t),
            number(t.figure),
            None if t.progress is None else percent(t.progress),
        ]
        if expected:
            row.append(percent(t.expected))
        row.append(status_label(t.status, public))
        rows.append(row)
    return rows


# Tables are laid out in proportion to their widest cells: one long text column (the target) and
# short ones, so that figures and status words never break across lines in the PDF.
TARGET_HEADERS = ["目标", "完成值", "进度", "应达", "状态"]
TARGET_NOTE = (
    "完成值的单位同目标值；进度为完成值占目标值的比例，应达为截至统计日按时间应完成的比例；"
    "“—”表示平台暂无数据。"
)


def plan_overview(data: ReportData, n: Numbering) -> list[Block]:
    counts = status_counts(data.targets)
    blocks: list[Block] = [Heading(n.next("计划执行总体情况"), 1)]
    if not data.targets:
        return [*blocks, Paragraph(f"计划未设量化目标，{NO_DATA}。")]
    elapsed = plan_rules.year_elapsed(data.as_of, data.plan_starts, data.plan_ends)
    blocks.append(
        Paragraph(
            f"《{data.plan_title}》共{len(data.sections)}个部分、{len(data.tasks)}项任务、{len(data.targets)}个量化目标。"
            f"{period_phrase(data)}，全年时间进度为{percent(elapsed)}；量化目标中{counts_sentence(counts)}。"
        )
    )
    blocks.append(
        KeyFigures(
            [
                ("计划任务", len(data.tasks), "项"),
                ("量化目标", len(data.targets), "个"),
                *[(status_label(s), counts[s], "个") for s in STATUS_ORDER],
                ("全年时间进度", percent(elapsed), ""),
            ],
        )
    )
    blocks.append(
        Chart(
            "bar",
            "各状态量化目标数",
            [status_label(s) for s in STATUS_ORDER],
            [Series("目标数", [float(counts[s]) for s in STATUS_ORDER])],
            unit="个",
            width_cm=12,
        )
    )
    blocks.append(Table("计划目标完成情况", TARGET_HEADERS, _target_rows(data.targets), note=TARGET_NOTE))
    flagged = [t for t in data.targets if t.flag]
    if flagged:
        blocks.append(Paragraph("以下上报数字与平台记录不符，已提示责任单位核实："))
        blocks.append(BulletList([f"{task_label(t.task_no)}{t.description}：{t.flag}" for t in flagged]))
    return blocks


def behind(data: ReportData, n: Numbering) -> list[Block]:
    behind = [t for t in data.targets if t.status in BEHIND]
    no_data = [t for t in data.targets if t.status == plan_rules.Status.NO_DATA]
    blocks: list[Block] = [Heading(n.next("滞后和逾期目标"), 1)]
    if not behind:
        blocks.append(Paragraph(f"{period_phrase(data)}，没有滞后或逾期未完成的量化目标。"))
    else:
        units = Counter(u for t in behind for u in t.owners)
        blocks.append(
            Paragraph(
                f"{period_phrase(data)}，{len(behind)}个量化目标滞后或逾期未完成，涉及"
                + "、".join(f"{u}（{k}个）" for u, k in units.most_common())
                + "。按计划任务（一）的督查督办规则，季度末评估时向责任单位发出督办通知。"
            )
        )
        blocks.append(
            Table(
                "滞后和逾期目标及责任单位",
                ["目标", "完成值", "进度", "状态", "责任单位"],
                [
                    [
                        target_text(t),
                        number(t.figure),
                        None if t.progress is None else percent(t.progress),
                        status_label(t.status),
                        "、".join(t.owners) or None,
                    ]
                    for t in behind
                ],
                note="完成值的单位同目标值。",
            )
        )
    if no_data:
        blocks.append(
            Paragraph(f"以下{len(no_data)}个量化目标平台暂无数据，需责任单位报送完成情况及佐证材料：")
        )
        blocks.append(
            BulletList(
                [
                    f"{task_label(t.task_no)}{t.description}（目标{goal_text(t)}，"
                    f"{d.format_date(t.due)}前；责任单位：{'、'.join(t.owners) or '—'}）"
                    for t in no_data
                ]
            )
        )
    return blocks


# ------------------------------------------------------------------------------- the nine parts


def plan_parts(data: ReportData, n: Numbering, *, public: bool) -> list[Block]:
    title = "重点工作进展" if public else "各部分任务完成情况"
    blocks: list[Block] = [Heading(n.next(title), 1)]
    by_task: dict[int, list[TargetLine]] = {}
    for t in data.targets:
        by_task.setdefault(t.task_no, []).append(t)
    section_counts: list[Counter[str]] = []
    for section in data.sections:
        tasks = [t for t in data.tasks if t.section_no == section.no]
        targets = [t for task in tasks for t in by_task.get(task.no, [])]
        counts = status_counts(targets)
        section_counts.append(counts)
        blocks.append(Heading(f"（{cn_number(section.no)}）{section.title}", 2))
        if targets:
            text = f"本部分共{len(tasks)}项任务、{len(targets)}个量化目标，{period_phrase(data)}{counts_sentence(counts, public=public)}。"
        else:
            text = f"本部分共{len(tasks)}项任务，计划未设量化目标，平台{NO_DATA}。"
        unmeasured = [task for task in tasks if task.no not in by_task]
        if targets and unmeasured:
            text += "其中" + "、".join(task_label(t.no, t.title) for t in unmeasured) + "计划未设量化目标。"
        by_status: dict[str, list[str]] = {}
        for task in tasks:
            status = task_status(by_task.get(task.no, []))
            if status is not None:
                by_status.setdefault(status, []).append(task_label(task.no))
        if by_status:
            text += (
                "按任务看，"
                + "；".join(
                    f"{status_label(s, public)}的{'、'.join(by_status[s])}"
                    for s in STATUS_ORDER
                    if s in by_status
                )
                + "。"
            )
        blocks.append(Paragraph(text))
        rows: list[list[d.Cell]] = [
            [
                task_label(task.no, task.title) + (f"\n牵头：{'、'.join(task.leads)}" if task.leads else ""),
                _achieved_lines(by_task[task.no], public) if task.no in by_task else "计划未设量化目标",
            ]
            for task in tasks
        ]
        blocks.append(Table(f"{section.title}：任务及完成情况", ["任务", "量化目标及完成情况"], rows))
    if data.targets:
        blocks.append(
            Chart(
                "stacked_bar",
                "计划各部分量化目标完成情况",
                [f"{cn_number(s.no)}、{s.title}" for s in data.sections],
                [
                    Series(status_label(s, public), [float(c[s]) for c in section_counts])
                    for s in STATUS_ORDER
                    if any(c[s] for c in section_counts)
                ],
                unit="个",
            )
        )
    return blocks


def _achieved_lines(targets: Sequence[TargetLine], public: bool) -> str:
    if len(targets) == 1:
        return achieved_text(targets[0], public)
    return "\n".join(f"{i}. {achieved_text(t, public)}" for i, t in enumerate(targets, start=1))


def achievements(data: ReportData, n: Numbering, counts: Counter[str]) -> list[Block]:
    blocks: list[Block] = [Heading(n.next("主要目标完成情况"), 1)]
    if not data.targets:
        return [*blocks, Paragraph(f"计划未设量化目标，{NO_DATA}。")]
    done = counts[plan_rules.Status.DONE]
    blocks.append(
        Paragraph(
            f"{data.year}年计划设定量化目标{len(data.targets)}个，{period_phrase(data)}{counts_sentence(counts, public=True)}，"
            f"完成率{percent(Decimal(done) / len(data.targets))}。"
        )
    )
    blocks.append(
        KeyFigures(
            [
                ("量化目标", len(data.targets), "个"),
                ("已完成", done, "个"),
                ("目标完成率", percent(Decimal(done) / len(data.targets)), ""),
                ("督办通知", len(data.notices), "份"),
            ]
        )
    )
    # The headline numbers: the largest counts achieved (批次, 次, 项 …), not rates, in the plan's order.
    counted = [t for t in data.targets if t.figure and t.unit != "%" and "/" not in t.unit]
    largest = sorted(counted, key=lambda t: -(t.figure or 0))[:8]
    headline = [t for t in counted if t in largest]
    if headline:
        blocks.append(Paragraph("全年主要工作量："))
        blocks.append(KeyFigures([(t.description, fmt(t.figure), t.unit) for t in headline]))
    present = [s for s in STATUS_ORDER if counts[s]]
    blocks.append(
        Chart(
            "pie",
            "量化目标完成状态",
            [status_label(s, True) for s in present],
            [Series("目标数", [float(counts[s]) for s in present])],
            unit="个",
            width_cm=13,
        )
    )
    blocks.append(
        Table(
            "计划量化目标完成情况", TARGET_HEADERS, _target_rows(data.targets, public=True), note=TARGET_NOTE
        )
    )
    return blocks
