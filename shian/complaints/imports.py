"""The 12315 platform's export of complaints and reports, as xlsx: all or nothing. Every problem is
located by row, column, value and reason; a file with any problem writes nothing. Each good row goes
through `services.complaint_file`, the same write path as the pages and the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from shian.core.imports import ImportRejected as ImportRejected  # what a caller catches
from shian.core.imports import SheetRow, sheet_import
from shian.core.models import AuditSource, Region, RegionLevel, User
from shian.core.scoping import scope_for
from shian.core.xlsx import table_xlsx
from shian.registry.models import Business

from . import rules, services
from .models import Channel, Complaint, ComplaintKind

MAX_ROWS = 5000
# The export's columns (the 12315 platform's Chinese headers); the first five must be present.
COLUMNS = {
    "登记编号": "external_ref",
    "登记日期": "received_on",
    "类别": "kind",
    "被投诉举报对象": "business_name",
    "事实和诉求": "facts",
    "统一社会信用代码": "credit_code",
    "经营地址": "business_address",
    "姓名": "person_name",
    "联系电话": "person_phone",
    "联系地址": "person_address",
    "诉求": "request",
}
REQUIRED = ("登记编号", "登记日期", "类别", "被投诉举报对象", "事实和诉求")
KINDS = {"投诉": ComplaintKind.COMPLAINT, "举报": ComplaintKind.REPORT}


def template_xlsx() -> bytes:
    return table_xlsx(
        title="12315投诉举报导入模板（第2行为表头，从第3行起每行一件）",
        headers=list(COLUMNS),
        rows=[
            [
                "1120113202206010001",
                "2022-06-01",
                "投诉",
                "果园新村甲餐厅",
                "菜品中有异物",
                "",
                "北辰区果园新村街道示例路1号",
                "张三",
                "13800000000",
                "北辰区示例小区",
                "退款",
            ]
        ],
        sheet="投诉举报",
    )


def complaints_import(*, actor: User, content: bytes, today: dt.date) -> list[Complaint]:
    """Import the 12315 export; ImportRejected with every located problem, nothing written."""
    towns = dict(Region.objects.exclude(level=RegionLevel.DISTRICT).values_list("code", "name"))
    scope = scope_for(actor)
    seen: set[str] = set()

    def check(row: SheetRow) -> dict[str, Any]:
        ref = row["external_ref"]
        if not ref:
            row.problem("登记编号", ref, "不能为空")
        elif ref in seen:
            row.problem("登记编号", ref, "文件中重复")
        elif Complaint.objects.filter(external_ref=ref).exists():
            row.problem("登记编号", ref, "已导入过")
        seen.add(ref)
        received = row.day("received_on", "登记日期", today=today)
        kind = KINDS.get(row["kind"])
        if kind is None:
            row.problem("类别", row["kind"], "应为“投诉”或“举报”")
        business = None
        if row.get("credit_code"):
            business = Business.objects.filter(credit_code=row["credit_code"].upper()).first()
            if business is None or not scope.allows(
                region=business.region_id, business_type=business.business_type
            ):
                row.problem("统一社会信用代码", row["credit_code"], "登记册中没有这个经营者")
                business = None
        town = (
            business.region_id
            if business
            else rules.town_from_address(row.get("business_address", ""), towns)
        )
        if town is None:
            row.problem("经营地址", row.get("business_address", ""), "无法确定所在镇街")
        elif not scope.allows_region(town):
            row.problem("经营地址", row.get("business_address", ""), "不在您的辖区")
        if not row["facts"]:
            row.problem("事实和诉求", "", "不能为空")
        return {**row.values, "kind": kind, "received_on": received, "business": business}

    def write(prepared: list[dict[str, Any]]) -> list[Complaint]:
        out = []
        for item in prepared:
            item.pop("credit_code", None)
            out.append(
                services.complaint_file(
                    actor=actor,
                    source=AuditSource.IMPORT,
                    channel=Channel.HOTLINE_12315,
                    real_name=bool(item.get("person_name") or item.get("person_phone")),
                    today=today,
                    **item,
                )
            )
        return out

    return sheet_import(
        content, columns=COLUMNS, required=REQUIRED, max_rows=MAX_ROWS, check=check, write=write
    )
