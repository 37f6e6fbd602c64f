"""Small text helpers every section uses: Chinese numerals, figures as cells, percentages, dates,
the status sentences and the chapter numbering."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from decimal import Decimal

from shian.planning import rules as plan_rules
from shian.planning.selectors import STATUS_LABELS, fmt

from . import document as d
from .data import CN_NUMERALS, NO_DATA, PUBLIC_STATUS_LABELS, STATUS_ORDER, ReportData, TargetLine


def cn_number(n: int) -> str:
    """1..99 in Chinese numerals (一, 十, 十三, 二十七), as the plan numbers its parts and tasks."""
    if not 1 <= n <= 99:
        return str(n)
    tens, ones = divmod(n, 10)
    text = ("" if tens <= 1 else CN_NUMERALS[tens - 1]) + ("十" if tens else "")
    return text + (CN_NUMERALS[ones - 1] if ones else "")


def task_label(no: int, title: str = "") -> str:
    return f"（{cn_number(no)}）{title}"


def number(value: Decimal | int | None) -> int | float | None:
    """A figure as a table cell: whole numbers as int, others to at most 2 decimals."""
    if value is None:
        return None
    dec = Decimal(value)
    if dec == dec.to_integral_value():
        return int(dec)
    return float(fmt(dec))


def percent(share: Decimal | None, places: int = 0) -> str:
    if share is None:
        return NO_DATA
    return f"{fmt(share * 100, places)}%"


def comparator_sign(comparator: str) -> str:
    return plan_rules.comparator_symbol(comparator)


def figure_text(line: TargetLine) -> str:
    return NO_DATA if line.figure is None else f"{fmt(line.figure)}{line.unit}"


def goal_text(line: TargetLine) -> str:
    return f"{comparator_sign(line.comparator)}{fmt(line.value)}{line.unit}"


def status_label(status: str, public: bool = False) -> str:
    """A target's status as the internal reports print it (逾期未完成), or in the white paper's
    plain words (未完成)."""
    return (PUBLIC_STATUS_LABELS if public else STATUS_LABELS)[status]


def achieved_text(line: TargetLine, public: bool = False) -> str:
    """ "全年食品安全监督抽检批次：6675批次（目标≥6570批次），已完成"."""
    return f"{line.description}：{figure_text(line)}（目标{goal_text(line)}），{status_label(line.status, public)}"


def status_counts(targets: Iterable[TargetLine]) -> Counter[str]:
    return Counter(t.status for t in targets)


def counts_sentence(counts: Counter[str], unit: str = "个", public: bool = False) -> str:
    """ "已完成3个，按进度推进22个，滞后3个" — the statuses present, in a fixed order."""
    parts = [f"{status_label(s, public)}{counts[s]}{unit}" for s in STATUS_ORDER if counts[s]]
    return "，".join(parts) if parts else NO_DATA


def date_text(day: dt.date | None) -> str:
    return d.format_date(day) if day else "—"


def short_date(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def population_wan(population: int) -> float:
    return float(fmt(Decimal(population) / 10000))


def per_10k(n: int | None, population: int) -> float | None:
    if n is None or not population:
        return None
    return float(fmt(Decimal(n) * 10000 / Decimal(population)))


def meets(value: float | None, comparator: str, goal: Decimal) -> str:
    if value is None:
        return NO_DATA
    v = Decimal(str(value))
    ok = v >= goal if comparator == ">=" else v <= goal if comparator == "<=" else v == goal
    return "达标" if ok else "未达标"


def task_status(targets: Sequence[TargetLine]) -> str | None:
    """A task's status from its targets: done when all are; else the most pressing one; None for
    a task the plan gives no target."""
    if not targets:
        return None
    statuses = {t.status for t in targets}
    if statuses == {plan_rules.Status.DONE}:
        return plan_rules.Status.DONE
    for status in (plan_rules.Status.LATE, plan_rules.Status.LAGGING, plan_rules.Status.ON_TRACK):
        if status in statuses:
            return status
    if plan_rules.Status.DONE in statuses:  # done and no data: partly known
        return plan_rules.Status.ON_TRACK
    return plan_rules.Status.NO_DATA


def period_phrase(data: ReportData) -> str:
    return f"截至{d.format_date(data.as_of)}"


class Numbering:
    """Chapter numbers 一、二、三… in the order chapters are written."""

    def __init__(self) -> None:
        self.n = 0

    def next(self, title: str) -> str:
        self.n += 1
        return f"{cn_number(self.n)}、{title}"
