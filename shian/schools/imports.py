"""The education bureau's school list as xlsx (or csv): all or nothing. Every problem is located by
row, column and value; a file with any problem writes nothing. Schools are matched by their
identifier (学校标识码): a known one is updated, its suppliers replaced by the file's."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from shian.core.audit import audit_record_many, snapshot
from shian.core.models import AuditAction, Region, User
from shian.core.permissions import SchoolCap, require_cap
from shian.core.scoping import scope_for
from shian.core.xlsx import table_xlsx
from shian.registry.imports import ImportFileError, ImportIssue
from shian.registry.imports import _read_rows as read_rows
from shian.registry.models import Business

from . import rules
from .models import CanteenOperation, Meal, Ownership, School, SchoolLevel, SchoolSupplier, SupplierRole
from .services import school_audit_event

COLUMNS = [
    ("code", "学校标识码"),
    ("name", "学校名称"),
    ("level", "学段"),
    ("ownership", "办学性质"),
    ("rural", "农村学校"),
    ("pupils", "在校学生数"),
    ("region", "镇街"),
    ("address", "地址"),
    ("headmaster", "校长"),
    ("operation", "食堂经营方式"),
    ("meals", "供餐"),
    ("canteen", "食堂统一社会信用代码"),
    ("operator", "承包经营企业统一社会信用代码"),
    ("meal_providers", "校外供餐单位统一社会信用代码"),
    ("ingredients", "食材供应商统一社会信用代码"),
]
REQUIRED = ("code", "name", "level", "ownership", "region")
LEVELS = {
    "幼儿园": SchoolLevel.KINDERGARTEN,
    "小学": SchoolLevel.PRIMARY,
    "初中": SchoolLevel.JUNIOR,
    "初级中学": SchoolLevel.JUNIOR,
    "高中": SchoolLevel.SENIOR,
    "高级中学": SchoolLevel.SENIOR,
    "九年一贯制": SchoolLevel.NINE_YEAR,
    "九年一贯制学校": SchoolLevel.NINE_YEAR,
    "完全中学": SchoolLevel.COMPLETE,
    "职业学校": SchoolLevel.VOCATIONAL,
    "中等职业学校": SchoolLevel.VOCATIONAL,
    "特殊教育学校": SchoolLevel.SPECIAL,
}
OWNERSHIP = {"公办": Ownership.PUBLIC, "民办": Ownership.PRIVATE}
OPERATION = {
    "自营": CanteenOperation.SELF_RUN,
    "委托经营": CanteenOperation.CONTRACTED,
    "承包经营": CanteenOperation.CONTRACTED,
    "无食堂": CanteenOperation.NONE,
}
MEALS = {"早餐": Meal.BREAKFAST, "午餐": Meal.LUNCH, "晚餐": Meal.DINNER}
YES_NO = {"是": True, "否": False, "": False}
SPLIT = re.compile(r"[；;、，,\s]+")


@dataclass
class SchoolRow:
    row: int
    code: str
    name: str
    level: str
    ownership: str
    rural: bool
    pupils: int
    region: str
    address: str
    headmaster: str
    operation: str
    meals: list[str]
    canteen: int | None
    operator: int | None
    suppliers: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    issues: list[ImportIssue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.issues


def _letter(i: int) -> str:
    return chr(ord("A") + i)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def template_xlsx() -> bytes:
    return table_xlsx(
        title="学校名单导入模板（学段：幼儿园/小学/初中/高中/九年一贯制/完全中学/职业学校/特殊教育学校；多个信用代码用；分隔）",
        headers=[h for _k, h in COLUMNS],
        rows=[
            [
                "1112000001",
                "北辰区示范小学",
                "小学",
                "公办",
                "否",
                820,
                "果园新村街道",
                "北辰区示范路1号",
                "张校长",
                "自营",
                "午餐",
                "",
                "",
                "",
                "",
            ]
        ],
        sheet="学校名单",
    )


def parse(*, actor: User | None, filename: str, content: bytes) -> tuple[list[SchoolRow], list[ImportIssue]]:
    issues: list[ImportIssue] = []
    try:
        rows = list(read_rows(filename, content))
    except ImportFileError as exc:
        return [], [exc.issue]
    header_at = next(
        (i for i, (_n, cells) in enumerate(rows[:10]) if "学校名称" in [_text(c) for c in cells]), None
    )
    if header_at is None:
        return [], [ImportIssue(row=0, column="", value="", reason="找不到表头：前10行中没有“学校名称”列")]
    headers = [_text(c) for c in rows[header_at][1]]
    index: dict[str, int] = {}
    for key, label in COLUMNS:
        if label in headers:
            index[key] = headers.index(label)
        elif key in REQUIRED:
            issues.append(
                ImportIssue(row=rows[header_at][0], column="", value="", reason=f"缺少必填列“{label}”")
            )
    if issues:
        return [], issues
    scope = scope_for(actor) if actor is not None else None
    regions = {r.code: r for r in Region.objects.all()}
    by_name = {r.name: r for r in regions.values()}
    codes_seen: dict[str, int] = {}
    wanted_codes: set[str] = set()
    raw: list[tuple[int, dict[str, str]]] = []
    for number, cells in rows[header_at + 1 :]:
        values = {k: _text(cells[i]) if i < len(cells) else "" for k, i in index.items()}
        if not any(values.values()):
            continue
        raw.append((number, values))
        for key in ("canteen", "operator", "meal_providers", "ingredients"):
            wanted_codes.update(c for c in SPLIT.split(values.get(key, "")) if c)
    businesses = dict(Business.objects.filter(credit_code__in=wanted_codes).values_list("credit_code", "pk"))
    out: list[SchoolRow] = []
    for number, v in raw:
        bad = len(issues)

        def issue(key: str, reason: str, _number: int = number, _v: dict[str, str] = v) -> None:
            label = dict(COLUMNS)[key]
            column = f"{_letter(index[key])}（{label}）" if key in index else label
            issues.append(ImportIssue(row=_number, column=column, value=_v.get(key, ""), reason=reason))

        for key in REQUIRED:
            if not v.get(key):
                issue(key, "必填")
        code = v.get("code", "")
        if code:
            try:
                rules.check_school_code(code)
            except ValueError as exc:
                issue("code", str(exc))
            if code in codes_seen:
                issue("code", f"与第 {codes_seen[code]} 行重复")
            codes_seen.setdefault(code, number)
        level = LEVELS.get(v.get("level", ""))
        if v.get("level") and level is None:
            issue("level", "学段应为：" + "、".join(LEVELS))
        ownership = OWNERSHIP.get(v.get("ownership", ""))
        if v.get("ownership") and ownership is None:
            issue("ownership", "办学性质应为“公办”或“民办”")
        rural = YES_NO.get(v.get("rural", ""))
        if rural is None:
            issue("rural", "应为“是”或“否”")
        pupils = 0
        if v.get("pupils"):
            try:
                pupils = int(float(v["pupils"]))
                if pupils < 0 or pupils > 20000:
                    raise ValueError
            except ValueError:
                issue("pupils", "应为0–20000的整数")
        region = regions.get(v.get("region", "")) or by_name.get(v.get("region", ""))
        if v.get("region") and region is None:
            issue("region", "不是本区的镇街（填名称或区划代码）")
        elif region is not None and scope is not None and not scope.allows_region(region.code):
            issue("region", "不在您的辖区")
        operation = OPERATION.get(v.get("operation", "") or "自营")
        if operation is None:
            issue("operation", "食堂经营方式应为：自营、委托经营或无食堂")
        meals: list[str] = []
        for m in SPLIT.split(v.get("meals", "") or "午餐"):
            if m and m not in MEALS:
                issue("meals", "供餐应为早餐、午餐、晚餐（可多项）")
            elif m:
                meals.append(str(MEALS[m]))

        def business(key: str, _v: dict[str, str] = v) -> int | None:
            code_ = _v.get(key, "")
            if not code_:
                return None
            pk = businesses.get(code_)
            if pk is None:
                issue(key, "登记簿中没有该统一社会信用代码的主体")
            return pk

        canteen, operator = business("canteen"), business("operator")
        if operation == CanteenOperation.CONTRACTED and operator is None and not v.get("operator"):
            issue("operator", "委托经营的食堂须填写承包经营企业")
        suppliers: list[tuple[int, str]] = []
        for key, role in (
            ("meal_providers", SupplierRole.MEAL_PROVIDER),
            ("ingredients", SupplierRole.INGREDIENTS),
        ):
            for c in SPLIT.split(v.get(key, "")):
                if not c:
                    continue
                pk = businesses.get(c)
                if pk is None:
                    issues.append(
                        ImportIssue(
                            row=number,
                            column=f"{_letter(index[key])}（{dict(COLUMNS)[key]}）",
                            value=c,
                            reason="登记簿中没有该统一社会信用代码的主体",
                        )
                    )
                elif (pk, role) not in suppliers:
                    suppliers.append((pk, role))
        if len(issues) == bad and level and ownership and region and operation:
            out.append(
                SchoolRow(
                    row=number,
                    code=code,
                    name=v["name"][:100],
                    level=level,
                    ownership=ownership,
                    rural=bool(rural),
                    pupils=pupils,
                    region=region.code,
                    address=v.get("address", "")[:200],
                    headmaster=v.get("headmaster", "")[:50],
                    operation=operation,
                    meals=meals,
                    canteen=canteen,
                    operator=operator,
                    suppliers=suppliers,
                )
            )
    if not raw:
        issues.append(ImportIssue(row=0, column="", value="", reason="文件中没有数据行"))
    return out, issues


FIELDS = (
    "name",
    "level",
    "ownership",
    "rural",
    "pupils",
    "address",
    "headmaster",
    "canteen_operation",
    "meals",
)


def school_import(
    *, actor: User | None, source: str, filename: str, content: bytes, dry_run: bool = False
) -> ImportResult:
    """Import the school list: all or nothing, every problem located."""
    if actor is not None:
        require_cap(actor, SchoolCap.MANAGE)
    rows, issues = parse(actor=actor, filename=filename, content=content)
    result = ImportResult(issues=issues)
    if issues or dry_run:
        return result
    with transaction.atomic():
        existing = {
            s.code: s for s in School.objects.select_for_update().filter(code__in=[r.code for r in rows])
        }
        events = []
        for r in rows:
            school = existing.get(r.code)
            before = snapshot(school, (*FIELDS, "region_id", "canteen_id", "operator_id")) if school else None
            school = school or School(code=r.code)
            school.name, school.level, school.ownership, school.rural = r.name, r.level, r.ownership, r.rural
            school.pupils, school.region_id, school.address, school.headmaster = (
                r.pupils,
                r.region,
                r.address,
                r.headmaster,
            )
            school.canteen_operation, school.meals = r.operation, r.meals
            school.canteen_id, school.operator_id = r.canteen, r.operator
            school.save()
            SchoolSupplier.objects.filter(school=school).delete()
            SchoolSupplier.objects.bulk_create(
                [SchoolSupplier(school=school, business_id=pk, role=role) for pk, role in r.suppliers]
            )
            after = {
                **snapshot(school, (*FIELDS, "region_id", "canteen_id", "operator_id")),
                "suppliers": sorted([pk, role] for pk, role in r.suppliers),
            }
            events.append(
                school_audit_event(
                    AuditAction.UPDATE if before else AuditAction.IMPORT, school, before, after
                )
            )
            if before:
                result.updated += 1
            else:
                result.created += 1
        audit_record_many(actor=actor, source=source, events=events)
    return result


def issues_as_rows(issues: Sequence[ImportIssue]) -> list[list[str | int]]:
    return [[i.row or "", i.column, i.value, i.reason] for i in issues]
