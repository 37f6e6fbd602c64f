"""The three documents put together from their sections: the quarterly report, the year-end report
and the white paper. Pure: `ReportData` in, `Document` out, no database."""

from __future__ import annotations

from shian.planning import rules as plan_rules

from .data import NO_DATA, ReportData
from .document import Block, BulletList, Document, Heading, Paragraph
from .sections.findings import measures, problems
from .sections.index import index_quarter, index_year
from .sections.jurisdiction import jurisdiction, register, roster
from .sections.plan import achievements, behind, plan_overview, plan_parts
from .sections.results import core_results
from .sections.supervision import filings, supervision
from .text import (
    Numbering,
    counts_sentence,
    figure_text,
    goal_text,
    period_phrase,
    status_counts,
    status_label,
    task_label,
)


def build_document(data: ReportData) -> Document:
    builders = {"quarterly": build_quarterly, "yearly": build_yearly, "whitepaper": build_whitepaper}
    return builders[data.kind](data)


def _document(data: ReportData, subtitle: str, blocks: list[Block]) -> Document:
    return Document(
        title=data.title, subtitle=subtitle, author_org=data.author_org, date=data.today, blocks=blocks
    )


def build_quarterly(data: ReportData) -> Document:
    n = Numbering()
    blocks: list[Block] = [
        Paragraph(
            f"本报告根据食品安全监管平台的记录，汇总{period_phrase(data)}《{data.plan_title}》的执行进度、"
            "监督抽检、监督检查、风险分级和快速检测的主要结果，督查督办和约谈、各单位和镇街工作报告报送、"
            "监管对象登记、专职协管员配备和镇街食品安全指数情况，以及由这些数字得出的问题和下一步措施。"
            f"平台没有记录的项目标注“{NO_DATA}”。"
        )
    ]
    blocks += plan_overview(data, n)
    blocks += behind(data, n)
    blocks += core_results(data, n, public=False)
    blocks += supervision(data, n, public=False)
    blocks += filings(data, n)
    blocks += register(data, n)
    blocks += roster(data, n)
    blocks += index_quarter(data, n)
    blocks += problems(data, n)
    blocks += measures(data, n, "下一步工作措施")
    subtitle = f"（数据{period_phrase(data)}）"
    return _document(data, subtitle, blocks)


def build_yearly(data: ReportData) -> Document:
    n = Numbering()
    blocks: list[Block] = [
        Paragraph(
            f"本报告根据食品安全监管平台的记录，总结{data.year}年《{data.plan_title}》的执行情况"
            f"（数据{period_phrase(data)}）：计划目标完成情况、计划九个部分各项任务的进展，监督抽检、监督检查、"
            "风险分级和快速检测的主要结果，督查督办和约谈、各单位和镇街季度及年终工作报告、监管对象登记、"
            "专职协管员配备和镇街食品安全指数，以及由这些数字得出的问题和下一年度工作措施。"
            f"平台没有记录的项目标注“{NO_DATA}”。"
        )
    ]
    blocks += plan_overview(data, n)
    blocks += plan_parts(data, n, public=False)
    blocks += core_results(data, n, public=False)
    blocks += behind(data, n)
    blocks += supervision(data, n, public=False)
    blocks += filings(data, n)
    blocks += register(data, n)
    blocks += roster(data, n)
    blocks += index_year(data, n)
    blocks += problems(data, n)
    blocks += measures(data, n, f"{data.year + 1}年工作措施")
    subtitle = f"（数据{period_phrase(data)}）"
    return _document(data, subtitle, blocks)


def build_whitepaper(data: ReportData) -> Document:
    n = Numbering()
    counts = status_counts(data.targets)
    not_done = [t for t in data.targets if t.status != plan_rules.Status.DONE]
    blocks: list[Block] = [
        Heading("前言", 1),
        Paragraph(
            f"食品安全关系人民群众身体健康和生命安全。{data.year}年，{data.district}依据《{data.plan_title}》，"
            f"围绕{len(data.sections)}个方面、{len(data.tasks)}项重点任务推进食品安全工作。为便于社会各界了解"
            f"全区食品安全工作、参与和监督食品安全社会共治，{data.author_org}根据食品安全监管平台的记录编制本白皮书，"
            "公开辖区概况、计划目标完成情况、各项重点工作进展、监督抽检和监督检查等主要监管工作结果、"
            "督查督办和责任追究、镇街食品安全指数，以及存在的问题和下一年度的工作措施。"
        ),
        Paragraph(
            f"本白皮书所列数字均取自平台记录，数据{period_phrase(data)}；平台尚无记录的项目注明“{NO_DATA}”。"
        ),
    ]
    blocks += jurisdiction(data, n)
    blocks += achievements(data, n, counts)
    blocks += plan_parts(data, n, public=True)
    blocks += core_results(data, n, public=True)
    blocks += supervision(data, n, public=True)
    blocks += index_year(data, n)
    blocks += problems(data, n)
    blocks += measures(data, n, f"{data.year + 1}年重点措施和工作展望")
    if not_done:
        blocks.append(
            Paragraph(
                f"{data.year}年计划的{len(data.targets)}个量化目标中，{counts_sentence(counts, public=True)}。"
                f"尚未完成的{len(not_done)}个目标及其责任单位如下，将纳入下一年度督查督办，督促责任单位补齐短板："
            )
        )
        blocks.append(
            BulletList(
                [
                    f"{task_label(t.task_no)}{t.description}：{figure_text(t)}（目标{goal_text(t)}，"
                    f"{status_label(t.status, True)}；责任单位：{'、'.join(t.owners) or '—'}）"
                    for t in not_done
                ]
            )
        )
    elif data.targets:
        blocks.append(Paragraph(f"{data.year}年计划的{len(data.targets)}个量化目标均已完成。"))
    blocks.append(
        Paragraph(
            f"{data.year + 1}年，{data.district}将继续压实食品安全党政同责和属地管理责任，按季度发布镇街食品安全指数，"
            "以平台记录跟踪年度计划每一项目标的进度，及时向社会公开食品安全工作情况，接受社会监督。"
        )
    )
    return _document(data, f"（{data.year}年度）", blocks)
