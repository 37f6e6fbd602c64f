"""Reading the provincial bulletins of unqualified results (the JSON layout of
reference/bulletins/): one record per sample, its failed items as "item║result║limit" triples.
Pure Python; `shian sampling judge-bulletins` judges each record with `rules.judge`."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from . import rules

SEPARATORS = "；;\n,，"
_RETEST = re.compile(r"复检结果\s*[:：]")
_FIRST = re.compile(r"^\s*[:：]?\s*初检结果\s*[:：]\s*")


@dataclass(frozen=True)
class FailedItem:
    item: str
    result: str
    limit: str


def _split_last_item(token: str) -> tuple[str, str]:
    """ "≤100mg/kg,铝的残留量(干样品,以Al计)" -> ("≤100mg/kg", "铝的残留量(干样品,以Al计)"): the
    last separator outside parentheses ends the limit and starts the next item's name."""
    depth = 0
    cut = -1
    for i, ch in enumerate(token):
        if ch in "(（[":
            depth += 1
        elif ch in ")）]":
            depth = max(0, depth - 1)
        elif ch in SEPARATORS and depth == 0:
            cut = i
    if cut < 0:
        return token, ""
    return token[:cut], token[cut + 1 :]


def parse_failed_items(raw: str) -> list[FailedItem]:
    """The failed items of a record's `fail_raw`. When the bulletin gives the first test and the
    re-test (初检结果 … 复检结果 …), the first test is read: it is the result that was judged."""
    text = rules.clean_text(raw)
    text = _RETEST.split(text)[0]
    text = _FIRST.sub("", text).strip().rstrip("；;,，").strip()
    tokens = text.split("║")
    items: list[FailedItem] = []
    name = tokens[0].strip().lstrip(":：").strip()
    i = 1
    while i + 1 < len(tokens):
        result = tokens[i].strip()
        limit = tokens[i + 1].strip()
        following = ""
        if i + 2 < len(tokens):
            limit, following = _split_last_item(limit)
        items.append(FailedItem(item=name, result=result, limit=limit.strip().rstrip("；;,，")))
        name = following.strip()
        i += 2
    return items


_EXCEL_EPOCH = dt.date(1899, 12, 30)


def record_date(value: object, fallback: dt.date) -> dt.date:
    """A bulletin's production date: ISO, "2025/11/3", or an Excel serial ("45951.0"); else the fallback."""
    text = str(value or "").strip()
    m = re.match(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", text)
    if m:
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return fallback
    m = re.match(r"^(\d{5})(?:\.0)?$", text)
    if m:
        return _EXCEL_EPOCH + dt.timedelta(days=int(m.group(1)))
    return fallback


@dataclass(frozen=True)
class RecordOutcome:
    record_id: str
    covered: bool
    agrees: bool
    reasons: tuple[str, ...]


def judge_record(
    record: dict[str, Any], book: rules.LimitBook, fallback: dt.date, *, use_food_name: bool = True
) -> RecordOutcome:
    """A record is covered when every failed item has a limit in force and a readable result; it
    agrees when the platform judges every failed item unqualified against the same limit as the
    bulletin (the same value, whatever the unit it is written in)."""
    # The food's name as the bulletin wrote it first: its brackets often name the product type
    # ("可可奥巧（奥巧慕斯味装饰饼干）"); the compiled short name when the written one cannot be placed.
    food = (
        str(record.get("food_name_raw") or record.get("food_name_canonical") or "") if use_food_name else ""
    )
    short = str(record.get("food_name_canonical") or "") if use_food_name else ""
    category = str(record.get("category") or record.get("sub_category") or "")
    on = record_date(record.get("prod_date"), fallback)
    items = parse_failed_items(str(record.get("fail_raw") or ""))
    # The label's declared values, where a record carries them ({"酒精度": "42%vol"}): a quality
    # item judged against the label needs the sample's own label, never the bulletin's limit.
    declared = record.get("declared") or {}
    rid = str(record.get("id", ""))
    if not items:
        return RecordOutcome(rid, False, False, ("不合格项目无法读取",))
    covered, agrees, reasons = True, True, []
    for f in items:
        label = str(declared.get(f.item, "")) if isinstance(declared, dict) else ""
        j = rules.judge(
            book=book, item=f.item, result=f.result, food=food, category=category, on=on, declared=label
        )
        if j.verdict == rules.Verdict.UNDETERMINED and "无法归类" in j.reason and short and short != food:
            j = rules.judge(
                book=book, item=f.item, result=f.result, food=short, category=category, on=on, declared=label
            )
        if j.verdict == rules.Verdict.UNDETERMINED:
            covered = False
            reasons.append(f"{f.item}：{j.reason}")
            continue
        try:
            theirs: rules.LimitSpec | None = rules.parse_limit(f.limit)
        except rules.UnreadableLimit:
            theirs = None
        if j.verdict != rules.Verdict.UNQUALIFIED:
            agrees = False
            reasons.append(
                f"{f.item}：平台判定合格（{j.limit_text}，{j.edition}），通报判定不合格（{f.limit}）"
            )
        elif theirs is None or j.spec is None or not (j.spec.same_as(theirs) or _sign_misprint(j, theirs, f)):
            agrees = False
            reasons.append(f"{f.item}：限量不同（平台 {j.limit_text} {j.edition}，通报 {f.limit}）")
    return RecordOutcome(rid, covered, covered and agrees, tuple(reasons))


def _sign_misprint(j: rules.Judgment, theirs: rules.LimitSpec, f: FailedItem) -> bool:
    """The bulletin prints a minimum as a maximum ("≤1.5倍" for GB/T 10792's 二氧化碳气容量 ≥1.5 倍):
    the same figure in the other direction, and its own result would pass the printed sign, so the
    printed sign cannot be the one it judged by."""
    ours = j.spec
    if ours is None or ours.kind != rules.LimitKind.MIN or theirs.kind != rules.LimitKind.MAX:
        return False
    if not rules.LimitSpec(rules.LimitKind.MAX, ours.unit, ours.value).same_as(theirs):
        return False
    try:
        measured = rules.parse_result(f.result, default_unit=theirs.unit)
    except rules.UnreadableResult:
        return False
    return bool(measured.values) and theirs.value is not None and max(measured.values) <= theirs.value


_REASON_KIND = (
    ("无法归类", "食品无法归入标准的食品分类"),
    ("须标签标示值", "按标签标示值判定，记录未载明标示值"),
    ("产品等级标准", "符合食品安全标准的底线，须按标签标示的产品等级标准判定"),
    ("限量数据未收录检验项目", "限量数据未收录该检验项目"),
    ("不能据此判为", "GB 2760 整理表未列该添加剂在该类别的使用（不完整，不判“不得使用”）"),
    ("无此项目限量", "标准在该食品类别无此项目限量"),
    ("无适用限量", "无适用限量"),
    ("结果无法判定", "结果或单位无法读取"),
    ("不合格项目无法读取", "通报的不合格项目无法读取"),
)


def reason_kind(reason: str) -> str:
    for marker, kind in _REASON_KIND:
        if marker in reason:
            return kind
    return "其他"


def group_reasons(outcomes: list[RecordOutcome]) -> list[tuple[str, list[str]]]:
    """Undetermined records grouped by the kind of what is missing, then by item: the largest
    groups first ("限量数据未收录该检验项目 · 噻虫胺": r0001 r0007 …)."""
    groups: dict[str, list[str]] = {}
    for o in outcomes:
        seen: set[str] = set()
        for r in o.reasons:
            item = r.split("：", 1)[0]
            key = f"{reason_kind(r)} · {item}"
            if key not in seen:
                seen.add(key)
                groups.setdefault(key, []).append(o.record_id)
    return sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))
