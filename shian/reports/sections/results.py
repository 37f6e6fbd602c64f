"""The regulator's core results, from the records: supervisory sampling and the disposal of
unqualified food, inspections and rectification, the risk-grade mix and the quick tests.

One chapter, four parts. The internal reports name the platform's states (逾期未办结); the white
paper says the same figures in plain words (超过时限尚未完成), with no status label of the platform.
"""

from __future__ import annotations

from decimal import Decimal

from .. import document as d
from ..data import GRADES, NO_DATA, CoreResults, ReportData, TownResults, share
from ..document import Block, Chart, Heading, KeyFigures, Paragraph, Series, Table
from ..text import Numbering, percent, period_phrase

# How a disposal or a rectification stood at the date of the data, in the two registers.
WORK_LABELS = {
    False: {"on_time": "按时办结", "late": "逾期办结", "overdue": "逾期未办结", "open": "办理中"},
    True: {"on_time": "按时完成", "late": "超过时限完成", "overdue": "超过时限尚未完成", "open": "正在办理"},
}
GRADE_NOTE = (
    "单位：户。风险等级为生成本报告时平台记录的现行等级（平台只保存每户主体的现行等级），"
    "按《食品生产经营风险分级管理办法》评定，A级风险最低，D级风险最高。"
)


def rate(part: int, whole: int, places: int = 1) -> str:
    """part ÷ whole as a percentage, or 暂无数据."""
    return percent(share(part, whole), places)


def core_results(data: ReportData, n: Numbering, *, public: bool) -> list[Block]:
    blocks: list[Block] = [Heading(n.next("主要监管工作情况"), 1)]
    r = data.results
    if r is None:
        return [*blocks, Paragraph(f"平台{NO_DATA}。")]
    blocks.append(
        Paragraph(
            f"{period_phrase(data)}，本期"
            + ("" if data.kind == "quarterly" else "全年")
            + f"完成食品安全监督抽检{r.total('batches')}批次，"
            f"已判定{r.total('judged')}批次，合格率{percent(r.pass_rate, 1)}；"
            f"开展监督检查{r.total('inspections')}户次，检查主体{r.inspected}户，发现问题{r.total('findings')}项；"
            f"开展食用农产品快速检测{r.total('quick_tests')}批次，阳性{r.total('quick_positive')}批次。"
        )
    )
    blocks.append(
        KeyFigures(
            [
                ("监督抽检", r.total("batches"), "批次"),
                ("抽检合格率", percent(r.pass_rate, 1), ""),
                ("不合格", r.total("unqualified"), "批次"),
                ("监督检查", r.total("inspections"), "户次"),
                ("检查主体", r.inspected, "户"),
                ("发现问题", r.total("findings"), "项"),
                ("快速检测", r.total("quick_tests"), "批次"),
                ("快检阳性", r.total("quick_positive"), "批次"),
            ]
        )
    )
    blocks += _sampling(data, r, public)
    blocks += _inspections(data, r, public)
    blocks += _grades(r)
    blocks += _quick_tests(r)
    return blocks


# ------------------------------------------------------------------------------------- sampling


def _sampling(data: ReportData, r: CoreResults, public: bool) -> list[Block]:
    blocks: list[Block] = [Heading("食品安全监督抽检和不合格食品核查处置", 2)]
    batches, judged, bad = r.total("batches"), r.total("judged"), r.total("unqualified")
    if not batches:
        return [*blocks, Paragraph(f"本期平台没有监督抽检记录（{NO_DATA}）。")]
    text = (
        f"本期监督抽检{batches}批次，覆盖{len([c for c in r.categories if c.category])}个食品大类；"
        f"已出检验结论{judged}批次，其中合格{judged - bad}批次、不合格{bad}批次，合格率{percent(r.pass_rate, 1)}。"
    )
    judged_categories = [c for c in r.categories if c.judged]
    if bad and judged_categories:
        worst = sorted(judged_categories, key=lambda c: (c.pass_rate or Decimal(1), -c.judged))[0]
        if worst.unqualified:
            text += f"合格率最低的食品类别是{worst.name}（{percent(worst.pass_rate, 1)}）。"
    blocks.append(Paragraph(text))
    blocks.append(
        Table(
            "各食品类别监督抽检情况",
            ["食品类别", "抽检批次", "已判定批次", "不合格批次", "合格率"],
            [[c.name, c.batches, c.judged, c.unqualified, percent(c.pass_rate, 1)] for c in r.categories],
            note="食品类别按抽样日期适用的《食品安全监督抽检实施细则》大类归类；合格率 = 合格批次 ÷ 已判定批次。",
        )
    )
    rated = [c for c in r.categories if c.judged]
    if rated:
        ranked = sorted(rated, key=lambda c: c.pass_rate or Decimal(0))[:12]
        blocks.append(
            Chart(
                "hbar",
                "各食品类别抽检合格率（由低到高）",
                [c.name for c in ranked],
                [Series("合格率", [float((c.pass_rate or Decimal(0)) * 100) for c in ranked])],
                unit="%",
            )
        )
    blocks += _disposals(r, public)
    return blocks


def _disposals(r: CoreResults, public: bool) -> list[Block]:
    words = WORK_LABELS[public]
    total = r.total("disposals")
    if not total:
        return [Paragraph("本期没有需要核查处置的不合格食品。")]
    on_time, late, overdue = (
        r.total("disposals_on_time"),
        r.total("disposals_late"),
        r.total("disposals_overdue"),
    )
    parts = [f"{words['on_time']}{on_time}件"]
    if late:
        parts.append(f"{words['late']}{late}件")
    if overdue:
        parts.append(f"{words['overdue']}{overdue}件")
    if r.disposals_in_progress:
        parts.append(f"{words['open']}{r.disposals_in_progress}件")
    blocks: list[Block] = [
        Paragraph(
            f"不合格食品核查处置：本期启动核查处置{total}件，" + "，".join(parts) + "；"
            f"按时完成率{rate(on_time, total)}。处置时限按工作日计算，遇法定节假日顺延。"
        )
    ]
    towns = [t for t in r.towns if t.disposals]
    blocks.append(
        Table(
            "各镇街不合格食品核查处置情况",
            ["镇街", "核查处置", words["on_time"], words["late"], words["overdue"], "按时完成率"],
            [
                [
                    t.name,
                    t.disposals,
                    t.disposals_on_time,
                    t.disposals_late,
                    t.disposals_overdue,
                    rate(t.disposals_on_time, t.disposals),
                ]
                for t in towns
            ],
            note="单位：件；时限按工作日计算。",
        )
    )
    return blocks


# ----------------------------------------------------------------------------------- inspections


def _inspections(data: ReportData, r: CoreResults, public: bool) -> list[Block]:
    words = WORK_LABELS[public]
    blocks: list[Block] = [Heading("监督检查和问题整改", 2)]
    checks = r.total("inspections")
    if not checks:
        return [*blocks, Paragraph(f"本期平台没有监督检查记录（{NO_DATA}）。")]
    compliant, basic, failed = r.results
    businesses = r.businesses
    text = (
        f"本期开展监督检查{checks}户次，检查食品生产经营主体{r.inspected}户"
        + (f"，占在营主体{businesses}户的{rate(r.inspected, businesses)}" if businesses else "")
        + f"。检查结果为符合的{compliant}户次、基本符合的{basic}户次、不符合的{failed}户次；"
        f"发现问题{r.total('findings')}项，其中当场整改{r.corrected_on_spot}项。"
    )
    ordered = r.total("rectifications")
    if ordered:
        on_time, late, overdue = (
            r.total("rectified_on_time"),
            r.total("rectified_late"),
            r.total("rectification_overdue"),
        )
        parts = [f"{words['on_time']}{on_time}项"]
        if late:
            parts.append(f"{words['late']}{late}项")
        if overdue:
            parts.append(f"{words['overdue']}{overdue}项")
        if r.rectification_in_progress:
            parts.append(f"{words['open']}{r.rectification_in_progress}项")
        text += f"责令限期整改{ordered}项，" + "，".join(parts) + f"，按时整改率{rate(on_time, ordered)}。"
    else:
        text += "本期没有责令限期整改的问题。"
    blocks.append(Paragraph(text))
    blocks.append(
        Table(
            "各镇街监督检查和问题整改情况",
            [
                "镇街",
                "检查户次",
                "检查主体",
                "在营主体",
                "覆盖率",
                "发现问题",
                "责令整改",
                "按时整改",
                "超时未整改" if public else "逾期未整改",
            ],
            [
                [
                    t.name,
                    t.inspections,
                    t.inspected,
                    t.businesses,
                    percent(t.coverage, 1) if t.businesses else None,
                    t.findings,
                    t.rectifications,
                    t.rectified_on_time,
                    t.rectification_overdue,
                ]
                for t in r.towns
            ],
            note="检查主体、在营主体单位为户，发现问题和整改单位为项；同一主体检查多次只计一户；"
            "覆盖率 = 检查主体 ÷ 在营主体；整改时限按工作日计算。",
        )
    )
    covered = [t for t in r.towns if t.coverage is not None]
    if covered:
        ranked = sorted(covered, key=lambda t: t.coverage or Decimal(0))
        blocks.append(
            Chart(
                "hbar",
                "各镇街监督检查覆盖率",
                [t.name for t in ranked],
                [Series("覆盖率", [float((t.coverage or Decimal(0)) * 100) for t in ranked])],
                unit="%",
            )
        )
    return blocks


# ----------------------------------------------------------------------------------- risk grades


def _grade_cells(t: TownResults) -> list[d.Cell]:
    total = t.graded
    return [t.name, *t.grades, total, *(percent(share(k, total), 1) if total else None for k in t.grades)]


def _grades(r: CoreResults) -> list[Block]:
    blocks: list[Block] = [Heading("食品生产经营风险分级", 2)]
    mix = r.grades
    graded = sum(mix)
    if not graded:
        return [*blocks, Paragraph(f"平台尚无风险分级记录（{NO_DATA}）。")]
    text = (
        f"全区已评定风险等级的在营主体{graded}户，其中"
        + "、".join(f"{g}级{k}户（{rate(k, graded)}）" for g, k in zip(GRADES, mix, strict=True))
        + "。"
    )
    risky = [t for t in r.towns if t.graded]
    if risky:
        top = max(risky, key=lambda t: (t.risky_share or Decimal(0), t.graded))
        if top.risky_share:
            text += f"C级和D级主体占比最高的是{top.name}（{percent(top.risky_share, 1)}）。"
    blocks.append(Paragraph(text))
    total_row = TownResults(code="", name="全区", grades=mix)
    blocks.append(
        Table(
            "各镇街食品生产经营主体风险等级分布",
            ["镇街", "A级", "B级", "C级", "D级", "合计", "A级占比", "B级占比", "C级占比", "D级占比"],
            [_grade_cells(t) for t in r.towns] + [_grade_cells(total_row)],
            note=GRADE_NOTE,
        )
    )
    shown = [t for t in r.towns if t.graded]
    blocks.append(
        Chart(
            "stacked_bar",
            "各镇街风险等级分布",
            [t.name for t in shown],
            [Series(f"{g}级", [float(t.grades[i]) for t in shown]) for i, g in enumerate(GRADES)],
            unit="户",
        )
    )
    return blocks


# ----------------------------------------------------------------------------------- quick tests


def _quick_tests(r: CoreResults) -> list[Block]:
    blocks: list[Block] = [Heading("食用农产品快速检测", 2)]
    tests, positive = r.total("quick_tests"), r.total("quick_positive")
    if not tests:
        return [*blocks, Paragraph(f"本期平台没有快速检测记录（{NO_DATA}）。")]
    text = f"本期在集贸市场开展食用农产品快速检测{tests}批次，阳性{positive}批次，阳性率{rate(positive, tests, 2)}。"
    if r.quick_confirmed:
        text += (
            f"经告知和复检确认的阳性{r.quick_confirmed}批次，已转监督抽检{r.quick_followed}批次"
            f"（{rate(r.quick_followed, r.quick_confirmed)}）。"
        )
    blocks.append(Paragraph(text))
    towns = [t for t in r.towns if t.quick_tests]
    blocks.append(
        Table(
            "各镇街食用农产品快速检测情况",
            ["镇街", "快检批次", "阳性批次", "阳性率"],
            [
                [t.name, t.quick_tests, t.quick_positive, rate(t.quick_positive, t.quick_tests, 2)]
                for t in towns
            ],
        )
    )
    return blocks
