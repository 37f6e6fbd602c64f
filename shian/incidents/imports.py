"""Foodborne-disease case reports from hospitals (食品安全法第一百零四条), as xlsx: all or nothing,
every problem located by row, column, value and reason. No name or ID number is read. A case at a
business with an open incident within the cluster window is linked to it."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError

from shian.core.audit import AuditEvent, audit_record
from shian.core.imports import ImportIssue, SheetRow, sheet_import
from shian.core.imports import ImportRejected as ImportRejected  # what a caller catches
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


def cases_import(*, actor: User, content: bytes, today: dt.date) -> list[FoodborneCase]:
    require_cap(actor, PublicCap.INCIDENT_RECORD)
    towns = {
        name: code
        for code, name in Region.objects.exclude(level=RegionLevel.DISTRICT).values_list("code", "name")
    }
    scope = scope_for(actor)
    seen: set[str] = set()

    def check(row: SheetRow) -> FoodborneCase | None:
        no = row["报告卡编号"]
        if not no or len(no) > 40:
            row.problem("报告卡编号", no, "不能为空，最长40个字符")
        elif no in seen or FoodborneCase.objects.filter(report_no=no).exists():
            row.problem("报告卡编号", no, "重复或已导入过")
        seen.add(no)
        onset = row.day("发病日期", "发病日期", today=today)
        region = towns.get(row["镇街"]) or (row["镇街"] if row["镇街"] in towns.values() else None)
        if region is None:
            row.problem("镇街", row["镇街"], "没有这个镇街")
        elif not scope.allows_region(region):
            row.problem("镇街", row["镇街"], "不在您的辖区")
        age = row.get("年龄", "")
        if age and (not age.isdigit() or int(age) > 120):
            row.problem("年龄", age, "应为0到120的整数")
        if row.get("性别", "") not in ("", "男", "女"):
            row.problem("性别", row["性别"], "应为“男”或“女”")
        business = None
        if row.get("统一社会信用代码"):
            business = Business.objects.filter(credit_code=row["统一社会信用代码"].upper()).first()
            if business is None:
                row.problem("统一社会信用代码", row["统一社会信用代码"], "登记册中没有这个经营者")
        if not row["进食场所"] or not row["报告医院"]:
            row.problem("进食场所" if not row["进食场所"] else "报告医院", "", "不能为空")
        if region is None:
            return None
        return FoodborneCase(
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

    def write(good: list[FoodborneCase]) -> list[FoodborneCase]:
        window = dt.timedelta(days=rules.CLUSTER_WINDOW_DAYS)
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
                raise ImportRejected([ImportIssue(0, "", case.report_no, m) for m in exc.messages]) from None
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

    return sheet_import(
        content,
        columns=dict(zip(COLUMNS, COLUMNS, strict=True)),
        required=REQUIRED,
        max_rows=MAX_ROWS,
        check=check,
        write=write,
    )
