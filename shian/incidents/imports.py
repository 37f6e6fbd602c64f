"""Foodborne-disease case reports from hospitals (食品安全法第一百零四条), as xlsx: all or nothing,
every problem located by row, column, value and reason. No name or ID number is read. A case at a
business with an open incident within the cluster window is linked to it."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from python_calamine import CalamineError, CalamineWorkbook

from shian.core.audit import AuditEvent, audit_record
from shian.core.models import AuditAction, AuditSource, Region, RegionLevel, User
from shian.core.permissions import PublicCap, require_cap
from shian.core.scoping import scope_for
from shian.core.xlsx import table_xlsx
from shian.registry.models import Business

from . import rules
from .models import FoodborneCase, Incident

MAX_ROWS = 5000
COLUMNS = [
    "报告卡编号",
    "报告医院",
    "发病日期",
    "年龄",
    "性别",
    "主要症状",
    "可疑食品",
    "进食场所",
    "镇街",
    "统一社会信用代码",
]
REQUIRED = ("报告卡编号", "报告医院", "发病日期", "进食场所", "镇街")


@dataclass(frozen=True)
class Issue:
    row: int
    column: str
    value: str
    reason: str


class ImportRejected(Exception):
    def __init__(self, issues: list[Issue]) -> None:
        super().__init__(f"{len(issues)} 处问题")
        self.issues = issues


def template_xlsx() -> bytes:
    return table_xlsx(
        title="食源性疾病病例报告导入模板（不填写患者姓名和证件号码）",
        headers=COLUMNS,
        rows=[
            [
                "SY202206010001",
                "北辰医院",
                "2022-06-01",
                35,
                "女",
                "腹痛、腹泻",
                "凉拌菜",
                "某餐厅",
                "天穆镇",
                "",
            ]
        ],
        sheet="病例报告",
    )


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return str(value).strip()


def cases_import(*, actor: User, content: bytes, today: dt.date) -> list[FoodborneCase]:
    require_cap(actor, PublicCap.INCIDENT_RECORD)
    try:
        rows = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    except (CalamineError, IndexError, ValueError):
        raise ImportRejected([Issue(0, "", "", "无法读取Excel工作簿，请另存为xlsx后重新导入")]) from None
    header_at = next((i for i, r in enumerate(rows[:5]) if "报告卡编号" in [_text(c) for c in r]), None)
    if header_at is None:
        raise ImportRejected([Issue(1, "", "", "没有找到表头（应含“报告卡编号”等列，见导入模板）")])
    header = [_text(c) for c in rows[header_at]]
    missing = [h for h in REQUIRED if h not in header]
    if missing:
        raise ImportRejected([Issue(header_at + 1, h, "", "缺少必需的列") for h in missing])
    data = rows[header_at + 1 :]
    if len(data) > MAX_ROWS:
        raise ImportRejected([Issue(0, "", str(len(data)), f"一次最多导入 {MAX_ROWS} 行")])
    col = {h: header.index(h) for h in COLUMNS if h in header}
    towns = {
        name: code
        for code, name in Region.objects.exclude(level=RegionLevel.DISTRICT).values_list("code", "name")
    }
    scope = scope_for(actor)
    issues: list[Issue] = []
    good: list[FoodborneCase] = []
    seen: set[str] = set()
    for offset, cells in enumerate(data):
        number = header_at + 2 + offset
        row = {h: _text(cells[i]) if i < len(cells) else "" for h, i in col.items()}
        if not any(row.values()):
            continue
        before = len(issues)
        no = row["报告卡编号"]
        if not no or len(no) > 40:
            issues.append(Issue(number, "报告卡编号", no, "不能为空，最长40个字符"))
        elif no in seen or FoodborneCase.objects.filter(report_no=no).exists():
            issues.append(Issue(number, "报告卡编号", no, "重复或已导入过"))
        seen.add(no)
        try:
            onset = dt.date.fromisoformat(row["发病日期"][:10])
            if onset > today:
                issues.append(Issue(number, "发病日期", row["发病日期"], "晚于今天"))
        except ValueError:
            onset = today
            issues.append(Issue(number, "发病日期", row["发病日期"], "日期应写作 2022-06-01"))
        region = towns.get(row["镇街"]) or (row["镇街"] if row["镇街"] in towns.values() else None)
        if region is None:
            issues.append(Issue(number, "镇街", row["镇街"], "没有这个镇街"))
        elif not scope.allows_region(region):
            issues.append(Issue(number, "镇街", row["镇街"], "不在您的辖区"))
        age = row.get("年龄", "")
        if age and (not age.isdigit() or int(age) > 120):
            issues.append(Issue(number, "年龄", age, "应为0到120的整数"))
        if row.get("性别", "") not in ("", "男", "女"):
            issues.append(Issue(number, "性别", row["性别"], "应为“男”或“女”"))
        business = None
        if row.get("统一社会信用代码"):
            business = Business.objects.filter(credit_code=row["统一社会信用代码"].upper()).first()
            if business is None:
                issues.append(
                    Issue(number, "统一社会信用代码", row["统一社会信用代码"], "登记册中没有这个经营者")
                )
        if not row["进食场所"] or not row["报告医院"]:
            issues.append(Issue(number, "进食场所" if not row["进食场所"] else "报告医院", "", "不能为空"))
        if len(issues) == before and region is not None:
            good.append(
                FoodborneCase(
                    hospital=row["报告医院"][:100],
                    report_no=no,
                    onset_on=onset,
                    age=int(age) if age else None,
                    sex=row.get("性别", ""),
                    symptoms=row.get("主要症状", "")[:200],
                    suspected_food=row.get("可疑食品", "")[:200],
                    place=row["进食场所"][:200],
                    region_id=region,
                    business=business,
                )
            )
    if issues:
        raise ImportRejected(issues)
    window = dt.timedelta(days=rules.CLUSTER_WINDOW_DAYS)
    with transaction.atomic():
        for case in good:
            if case.business_id:
                case.incident = (
                    Incident.objects.filter(
                        business_id=case.business_id,
                        onset_at__date__gte=case.onset_on - window,
                        onset_at__date__lte=case.onset_on + window,
                    )
                    .order_by("onset_at")
                    .first()
                )
            try:
                case.full_clean()
            except ValidationError as exc:
                raise ImportRejected([Issue(0, "", case.report_no, m) for m in exc.messages]) from None
        FoodborneCase.objects.bulk_create(good)
        audit_record(
            actor=actor,
            source=AuditSource.IMPORT,
            event=AuditEvent(
                action=AuditAction.IMPORT,
                object_type="incidents.foodbornecase",
                object_id="",
                object_repr=f"{len(good)} 份病例报告",
                after={"report_nos": [c.report_no for c in good]},
            ),
        )
    return good
