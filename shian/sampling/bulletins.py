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


def record_placing(record: dict[str, Any], table: dict[str, rules.FoodClass]) -> tuple[str, str]:
    """A record's sampling category and the food name to judge by. The category is the record's
    `category` ("食用农产品-蔬菜", else its `big_category`) made finer by its `sub_category` ("蔬菜-山药") when that lies
    within it, or standing for it when the category places nothing ("速冻食品") — unless the
    food's name contradicts the sub-category but lies within the category. When the two
    contradict each other ("方便食品" / "粮食加工品-挂面"), the one within which the food's name
    places the food is taken, else `category`. The name is the bulletin's as written
    (food_name_raw), or the compiled one (food_name_canonical) when only that one places."""
    category = str(record.get("category") or record.get("big_category") or "")
    sub = str(record.get("sub_category") or "")
    names = [str(record.get(k) or "").strip() for k in ("food_name_raw", "food_name_canonical")]
    names = [n for n in dict.fromkeys(names) if n]
    options = [category or sub]
    if sub and category and sub != category:
        _, outer = rules.category_class(category, table)
        _, inner = rules.category_class(sub, table)
        if inner is not None and (outer is None or rules.within(inner, outer)):
            options = [f"{category}-{sub}", category]  # the name may contradict the finer one
        elif inner is not None and outer is not None and not rules.within(outer, inner):
            options = [category, sub]  # a contradiction: the name decides, else the category
    for cat in options:
        for n in names:
            p = rules.place_food(n, cat, table)
            if p.food is not None and not p.by_category:
                return cat, n
    return options[0], (names[0] if names else "")


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
    category, food = record_placing(record, book.foods)
    if not use_food_name:
        food = ""
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
        elif (
            theirs is None
            or j.spec is None
            or not (
                j.spec.same_as(theirs)
                or _sign_misprint(j, theirs, f)
                or _detection_limit_printed(j, theirs, f)
            )
        ):
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


def _detection_limit_printed(j: rules.Judgment, theirs: rules.LimitSpec, f: FailedItem) -> bool:
    """A banned substance (不得检出) for which the bulletin prints a maximum ("≤2μg/kg" for
    氧氟沙星 under 农业部公告第2292号): a substance that may not be detected has no maximum, so the
    printed figure is the method's detection limit the lab judged "detected" by. The same limit,
    provided the bulletin's own result is above its printed figure (else it could not have been
    judged detected by it)."""
    ours = j.spec
    if ours is None or ours.kind != rules.LimitKind.NOT_DETECTED or theirs.kind != rules.LimitKind.MAX:
        return False
    try:
        measured = rules.parse_result(f.result, default_unit=theirs.unit)
    except rules.UnreadableResult:
        return False
    if not measured.detected or not measured.values or theirs.value is None:
        return False
    try:
        return rules.convert(max(measured.values), measured.unit, theirs.unit) > theirs.value
    except rules.UnitMismatch:
        return False


_REASON_KIND = (
    ("抽样类别过宽", "抽样类别过宽，该项目须按食品名称归类"),
    ("跨多个标准类别", "抽样类别跨多个标准类别，食品名称未能归类"),
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


@dataclass(frozen=True)
class HeldOutConflict:
    record_id: str
    item: str
    by_category: str  # the row the category alone gave, in words
    by_name: str  # the row the food's name gives


def held_out_conflicts(
    records: list[dict[str, Any]], book: rules.LimitBook, fallback: dt.date
) -> tuple[int, list[HeldOutConflict]]:
    """The held-out check of placement: each record's food name is dropped, as for a name the
    platform has never seen, and the limit its sampling category alone gives is compared with
    the limit its name gives. A category alone may only say "cannot place" or give the same
    limit: any other would be a guess. A record whose name places the food outside its sampling
    category (correcting it, not refining it: 梅干菜 sampled as 酱腌菜) is left out. Returns how
    many items the category alone decided, and the conflicts (none expected)."""
    decided = 0
    conflicts: list[HeldOutConflict] = []
    for record in records:
        category, food = record_placing(record, book.foods)
        on = record_date(record.get("prod_date"), fallback)
        # a name that places the food outside its sampling category corrects the category (梅干菜
        # sampled as 酱腌菜 is a 干制蔬菜): the category alone then states, not guesses, its place
        placed = rules.place_food(food, category, book.foods)
        _, cat_class = rules.category_class(category, book.foods)
        outside = bool(
            placed.food is not None
            and cat_class is not None
            and not placed.by_category
            and rules.merge(placed.food, cat_class) is None
        )
        for f in parse_failed_items(str(record.get("fail_raw") or "")):
            alone = book.resolve(item=f.item, food="", category=category, on=on)
            if alone.rule is None or alone.rule.floor:
                # a safety floor (GB 2716 溶剂残留量 ≤20 under 压榨油's 不得检出) never passes a
                # sample by itself: a stricter rule the name finds cannot contradict it
                continue
            if outside:
                continue
            decided += 1
            named = book.resolve(item=f.item, food=food, category=category, on=on)
            if named.rule is None or not alone.rule.spec.same_as(named.rule.spec):
                conflicts.append(
                    HeldOutConflict(
                        str(record.get("id", "")),
                        f.item,
                        f"{alone.rule.spec.text()} {alone.rule.row_id}（{alone.placed_by}）",
                        f"{named.rule.spec.text()} {named.rule.row_id}（{named.placed_by}）"
                        if named.rule is not None
                        else named.reason,
                    )
                )
    return decided, conflicts
