"""The problems found and the measures that follow, written from the figures, never typed: the food
categories with the lowest pass rates, the towns behind on inspection coverage, disposals and
rectifications past their working-day deadlines, the towns with the largest share of high-risk
businesses, positives not followed, and the plan's targets not met.

Each problem carries its measure, so the two chapters always agree. The words are plain (超过时限),
fit for the white paper as well as for the internal reports.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from shian.planning import rules as plan_rules

from ..data import BEHIND, CoreResults, ReportData, TownResults, share
from ..document import Block, BulletList, Heading, Paragraph
from ..text import Numbering, percent

# A category is named among the lowest pass rates only when enough of its batches were judged for
# the rate to say something; a town is named as lagging when below the district's own figure.
MIN_JUDGED = 5
NAMED = 3  # at most this many categories or towns named in one problem


@dataclass(frozen=True)
class Finding:
    problem: str
    measure: str


def next_period(data: ReportData) -> str:
    return "下季度" if data.kind == "quarterly" else f"{data.year + 1}年"


def _names(towns: list[tuple[str, str]]) -> str:
    """ "果园新村街道（12.5%）、天穆镇（20%）"."""
    return "、".join(f"{name}（{figure}）" for name, figure in towns)


def _low_pass_rates(r: CoreResults, when: str) -> Finding | None:
    overall = r.pass_rate
    if overall is None:
        return None
    low = sorted(
        (
            c
            for c in r.categories
            if c.category and c.judged >= MIN_JUDGED and c.unqualified and (c.pass_rate or 0) < overall
        ),
        key=lambda c: (c.pass_rate or Decimal(0), -c.judged),
    )[:NAMED]
    if not low:
        return None
    listed = "、".join(f"{c.name}（合格率{percent(c.pass_rate, 1)}，不合格{c.unqualified}批次）" for c in low)
    return Finding(
        f"部分食品类别抽检合格率偏低：{listed}，低于全区平均合格率{percent(overall, 1)}。",
        f"将{'、'.join(c.name for c in low)}列为{when}抽检重点，增加抽检批次和频次，"
        "对不合格产品的生产经营者开展跟踪抽检。",
    )


def _disposals_late(r: CoreResults) -> Finding | None:
    late, overdue = r.total("disposals_late"), r.total("disposals_overdue")
    if not late and not overdue:
        return None
    towns = sorted(
        (t for t in r.towns if t.disposals_late + t.disposals_overdue),
        key=lambda t: -(t.disposals_late + t.disposals_overdue),
    )[:NAMED]
    parts = []
    if late:
        parts.append(f"{late}件超过时限才完成")
    if overdue:
        parts.append(f"{overdue}件超过时限尚未完成")
    where = _names([(t.name, f"{t.disposals_late + t.disposals_overdue}件") for t in towns])
    return Finding(
        f"不合格食品核查处置不够及时：{'，'.join(parts)}，主要在{where}。",
        f"督促{'、'.join(t.name for t in towns)}在工作日时限内完成不合格食品核查处置，"
        + (f"对尚未完成的{overdue}件逐件跟踪至办结。" if overdue else "处置进度按周跟踪。"),
    )


def _coverage_lagging(r: CoreResults, when: str) -> Finding | None:
    businesses = r.businesses
    if not businesses or not r.total("inspections"):
        return None
    overall = share(r.inspected, businesses)
    if overall is None:
        return None
    low = sorted(
        (t for t in r.towns if t.coverage is not None and t.coverage < overall),
        key=lambda t: t.coverage or Decimal(0),
    )[:NAMED]
    if not low:
        return None
    return Finding(
        f"监督检查覆盖不均衡：{_names([(t.name, percent(t.coverage, 1)) for t in low])}的检查覆盖率"
        f"低于全区平均水平（{percent(overall, 1)}）。",
        f"{'、'.join(t.name for t in low)}按在营主体名单补齐日常监督检查，{when}提高检查覆盖率。",
    )


def _rectification_overdue(r: CoreResults) -> Finding | None:
    overdue = r.total("rectification_overdue")
    if not overdue:
        return None
    towns = sorted((t for t in r.towns if t.rectification_overdue), key=lambda t: -t.rectification_overdue)
    return Finding(
        f"检查发现的问题中有{overdue}项超过整改期限尚未整改到位，主要在"
        f"{_names([(t.name, f'{t.rectification_overdue}项') for t in towns[:NAMED]])}。",
        f"对超过整改期限的{overdue}项问题逐项复查，依法处理拒不整改的主体。",
    )


def _risky_towns(r: CoreResults) -> Finding | None:
    a, b, c, d = r.grades
    overall = share(c + d, a + b + c + d)
    if not overall:
        return None
    high: list[TownResults] = sorted(
        (t for t in r.towns if t.risky_share is not None and t.risky_share > overall),
        key=lambda t: -(t.risky_share or Decimal(0)),
    )[:NAMED]
    if not high:
        return None
    return Finding(
        f"C级和D级风险主体占比较高的镇街：{_names([(t.name, percent(t.risky_share, 1)) for t in high])}，"
        f"全区为{percent(overall, 1)}。",
        f"对{'、'.join(t.name for t in high)}的C级、D级主体提高监督检查频次，并纳入重点抽检。",
    )


def _positives_not_followed(r: CoreResults) -> Finding | None:
    left = r.quick_confirmed - r.quick_followed
    if left <= 0:
        return None
    return Finding(
        f"经确认的快检阳性中有{left}批次尚未转监督抽检。",
        "快检阳性确认后及时转监督抽检，依法处置不合格产品。",
    )


def _targets(data: ReportData, when: str) -> Finding | None:
    if data.kind == "quarterly":
        open_ = [t for t in data.targets if t.status in BEHIND]
        what = "进度落后于时间进度或已过期限"
    else:
        open_ = [t for t in data.targets if t.status != plan_rules.Status.DONE]
        what = "未完成或暂无统计"
    if not open_:
        return None
    units = Counter(u for t in open_ for u in t.owners)
    owners = "、".join(u for u, _k in units.most_common(5))
    return Finding(
        f"年度计划{len(data.targets)}个量化目标中，{len(open_)}个{what}"
        + (f"，涉及{owners}等单位" if owners else "")
        + "。",
        f"将上述{len(open_)}个目标纳入{when}督查督办，责任单位逐项制定补齐措施。",
    )


def findings(data: ReportData) -> list[Finding]:
    """Every problem the figures show, with its measure, in a fixed order."""
    when = next_period(data)
    found: list[Finding | None] = [_targets(data, when)]
    r = data.results
    if r is not None:
        found += [
            _low_pass_rates(r, when),
            _disposals_late(r),
            _coverage_lagging(r, when),
            _rectification_overdue(r),
            _risky_towns(r),
            _positives_not_followed(r),
        ]
    return [f for f in found if f is not None]


def problems(data: ReportData, n: Numbering) -> list[Block]:
    blocks: list[Block] = [Heading(n.next("存在的问题"), 1)]
    found = findings(data)
    if not found:
        return [*blocks, Paragraph("本期平台记录没有显示需要专门指出的问题。")]
    blocks.append(Paragraph("根据平台记录的数字，本期工作存在以下问题："))
    blocks.append(BulletList([f.problem for f in found]))
    return blocks


def measures(data: ReportData, n: Numbering, title: str) -> list[Block]:
    blocks: list[Block] = [Heading(n.next(title), 1)]
    found = findings(data)
    if not found:
        return [*blocks, Paragraph(f"{next_period(data)}继续按计划推进各项工作。")]
    blocks.append(Paragraph(f"针对上述问题，{next_period(data)}重点采取以下措施："))
    blocks.append(BulletList([f.measure for f in found]))
    return blocks
