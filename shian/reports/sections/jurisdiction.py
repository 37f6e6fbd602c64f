"""The jurisdiction: towns, population, the register of businesses and the coordinators."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from shian.planning.selectors import fmt

from .. import document as d
from ..data import LEVEL_LABELS, NO_DATA, ReportData
from ..document import Block, Chart, Heading, KeyFigures, Paragraph, Series, Table
from ..text import Numbering, comparator_sign, meets, per_10k, percent, period_phrase, population_wan


def register(data: ReportData, n: Numbering) -> list[Block]:
    blocks: list[Block] = [Heading(n.next("监管对象登记情况"), 1)]
    if not data.register_known:
        return [*blocks, Paragraph(f"食品生产经营主体登记簿{NO_DATA}。")]
    total = sum(t.businesses or 0 for t in data.towns)
    population = sum(t.population for t in data.towns)
    densest = max(data.towns, key=lambda t: per_10k(t.businesses, t.population) or 0)
    blocks.append(
        Paragraph(
            f"{period_phrase(data)}，全区在营食品生产经营主体{total}户，每万名常住人口{fmt(Decimal(total) * 10000 / population) if population else NO_DATA}户；"
            f"每万人主体数最多的是{densest.name}（{fmt(Decimal(per_10k(densest.businesses, densest.population) or 0))}户）。"
        )
    )
    blocks.append(
        Table(
            "各镇街在营食品生产经营主体",
            ["镇街", "类别", "常住人口（万人）", "在营主体（户）", "每万人主体数（户）"],
            [
                [
                    t.name,
                    LEVEL_LABELS.get(t.level, t.level),
                    population_wan(t.population),
                    t.businesses,
                    per_10k(t.businesses, t.population),
                ]
                for t in data.towns
            ],
            note="常住人口为平台登记的各镇街人口数。",
        )
    )
    if data.businesses_by_type:
        blocks.append(
            Table(
                "在营食品生产经营主体业态构成",
                ["业态", "在营主体（户）", "占比"],
                [[label, k, percent(Decimal(k) / total, 1)] for label, k in data.businesses_by_type],
            )
        )
        blocks.append(
            Chart(
                "hbar",
                "在营食品生产经营主体业态构成",
                [label for label, _ in data.businesses_by_type],
                [Series("在营主体", [float(k) for _, k in data.businesses_by_type])],
                unit="户",
            )
        )
    return blocks


def roster(data: ReportData, n: Numbering) -> list[Block]:
    blocks: list[Block] = [Heading(n.next("食品安全专职协管员配备情况"), 1)]
    if not data.roster_known:
        return [*blocks, Paragraph(f"专职协管员花名册{NO_DATA}。")]
    total = sum(t.coordinators or 0 for t in data.towns)
    population = sum(t.population for t in data.towns)
    goal = data.coordinator_target
    rates = [(t, per_10k(t.coordinators, t.population)) for t in data.towns]
    text = (
        f"{period_phrase(data)}，全区在岗专职食品安全协管员{total}人，"
        f"每万名常住人口{fmt(Decimal(total) * 10000 / population) if population else NO_DATA}人。"
    )
    if goal is not None:
        comparator, value, unit = goal
        short = [t.name for t, r in rates if meets(r, comparator, value) == "未达标"]
        text += f"计划任务（二十二）要求按常住人口{comparator_sign(comparator)}{fmt(value)}{unit}配备；"
        text += f"{len(short)}个镇街未达标：{'、'.join(short)}。" if short else "各镇街均已达标。"
    blocks.append(Paragraph(text))
    headers = ["镇街", "常住人口（万人）", "专职协管员（人）", "每万人协管员（人）"]
    if goal is not None:
        headers.append("是否达标")
    rows: list[list[d.Cell]] = []
    for t, rate in rates:
        row: list[d.Cell] = [t.name, population_wan(t.population), t.coordinators, rate]
        if goal is not None:
            row.append(meets(rate, goal[0], goal[1]))
        rows.append(row)
    blocks.append(Table("各镇街专职食品安全协管员配备情况", headers, rows))
    blocks.append(
        Chart(
            "hbar",
            "各镇街每万名常住人口专职协管员数",
            [t.name for t, _ in rates],
            [Series("每万人协管员", [r for _, r in rates])],
            unit="人/万人",
        )
    )
    return blocks


def jurisdiction(data: ReportData, n: Numbering) -> list[Block]:
    blocks: list[Block] = [Heading(n.next("辖区概况"), 1)]
    levels = Counter(t.level for t in data.towns)
    population = sum(t.population for t in data.towns)
    businesses = sum(t.businesses or 0 for t in data.towns)
    coordinators = sum(t.coordinators or 0 for t in data.towns)
    parts = "、".join(
        f"{LEVEL_LABELS.get(k, k)}{v}个" for k, v in sorted(levels.items(), key=lambda kv: -kv[1])
    )
    blocks.append(
        Paragraph(
            f"{data.district}下辖{len(data.towns)}个镇街和功能区（{parts}），"
            f"平台登记常住人口合计{fmt(Decimal(population) / 10000)}万人。"
            + (
                f"{period_phrase(data)}，全区在营食品生产经营主体{businesses}户。"
                if data.register_known
                else f"食品生产经营主体登记簿{NO_DATA}。"
            )
        )
    )
    blocks.append(
        KeyFigures(
            [
                ("镇街和功能区", len(data.towns), "个"),
                ("常住人口", fmt(Decimal(population) / 10000), "万人"),
                (
                    "在营食品生产经营主体",
                    businesses if data.register_known else NO_DATA,
                    "户" if data.register_known else "",
                ),
                (
                    "专职协管员",
                    coordinators if data.roster_known else NO_DATA,
                    "人" if data.roster_known else "",
                ),
            ]
        )
    )
    blocks.append(
        Table(
            "各镇街人口、食品生产经营主体和协管员",
            ["镇街", "类别", "常住人口（万人）", "在营主体（户）", "每万人主体数（户）", "专职协管员（人）"],
            [
                [
                    t.name,
                    LEVEL_LABELS.get(t.level, t.level),
                    population_wan(t.population),
                    t.businesses,
                    per_10k(t.businesses, t.population),
                    t.coordinators,
                ]
                for t in data.towns
            ],
            note="“—”表示平台暂无数据。",
        )
    )
    if data.businesses_by_type:
        top = list(data.businesses_by_type[:7])
        rest = sum(k for _, k in data.businesses_by_type[7:])
        if rest:
            top.append(("其他业态", rest))
        blocks.append(
            Chart(
                "pie",
                "在营食品生产经营主体业态构成",
                [label for label, _ in top],
                [Series("在营主体", [float(k) for _, k in top])],
                unit="户",
            )
        )
        blocks.append(
            Table(
                "在营食品生产经营主体业态构成",
                ["业态", "在营主体（户）", "占比"],
                [[label, k, percent(Decimal(k) / businesses, 1)] for label, k in data.businesses_by_type],
            )
        )
    if data.register_known:
        ranked = sorted(data.towns, key=lambda t: -(t.businesses or 0))
        blocks.append(
            Chart(
                "hbar",
                "各镇街在营食品生产经营主体数",
                [t.name for t in ranked],
                [Series("在营主体", [float(t.businesses or 0) for t in ranked])],
                unit="户",
            )
        )
    return blocks
