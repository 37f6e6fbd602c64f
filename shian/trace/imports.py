"""Trace events from an xlsx in the platform's layout (docs/trace.md), for businesses that keep their
records in Excel: each row becomes an EPCIS 2.0 event and the document goes through the one capture
service (services.epcis_capture), so it is validated against GS1's schema and refused whole.
A problem is reported by row, column, value and reason; a problem the schema finds in a built
event is mapped back to the row it came from.

`epcis_capture_xlsx` is the service a business portal calls with the uploaded bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import xlsxwriter
from python_calamine import CalamineError, CalamineWorkbook

from shian.core.models import AuditSource, User
from shian.core.xlsx import guard_text

from . import services
from .identifiers import gs1_check_digit, trace_code_schemes, trace_code_uri

# Field -> accepted headers (the first is the template's).
HEADERS: dict[str, tuple[str, ...]] = {
    "step": ("业务环节", "环节"),
    "time": ("事件时间", "时间"),
    "holder": ("本企业统一社会信用代码", "本企业信用代码"),
    "product": ("产品名称", "品名"),
    "gtin": ("商品条码", "GTIN"),
    "lot": ("批号", "生产批号"),
    "code_scheme": ("追溯码类型",),
    "code": ("追溯码",),
    "quantity": ("数量",),
    "unit": ("单位",),
    "other": ("对方统一社会信用代码", "上游或下游信用代码"),
    "doc_type": ("单据类型",),
    "doc_no": ("单据编号",),
    "group": ("转化编号",),
    "role": ("投入或产出",),
    "produced": ("生产日期",),
    "best_before": ("保质期至",),
}
TEMPLATE_HEADERS = [names[0] for names in HEADERS.values()]
REQUIRED = ("step", "time", "holder", "quantity", "unit")
STEPS = {
    "生产": "commissioning",
    "赋码": "commissioning",
    "发货": "shipping",
    "出库": "shipping",
    "收货": "receiving",
    "入库": "receiving",
    "转化": "transforming",
    "检验": "inspecting",
    "销毁": "destroying",
    "零售": "retail_selling",
}
UNITS = {
    "箱": "XBX",
    "件": "XPK",
    "罐": "XCN",
    "袋": "XBG",
    "瓶": "XBO",
    "千克": "KGM",
    "公斤": "KGM",
    "吨": "TNE",
    "个": "H87",
}
DOC_TYPES = {
    "发货单": "desadv",
    "送货单": "desadv",
    "发票": "inv",
    "订单": "po",
    "收货单": "recadv",
    "检验报告": "testres",
}
ROLE_IN, ROLE_OUT = "投入", "产出"
TZ = "+08:00"


@dataclass
class RowIssue:
    row: int
    column: str
    value: str
    reason: str

    def line(self) -> str:
        where = f"第{self.row}行" if self.row else ""
        if self.column:
            where += f" {self.column}"
        if self.value:
            where += f" 值“{self.value}”"
        return f"{where}：{self.reason}" if where else self.reason


class XlsxRejected(Exception):
    def __init__(self, issues: list[RowIssue]) -> None:
        super().__init__(f"{len(issues)} problem(s)")
        self.issues = issues


def _norm(text: Any) -> str:
    return "".join(unicodedata.normalize("NFKC", "" if text is None else str(text)).split()).strip("*")


def _rows(content: bytes) -> list[list[Any]]:
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(content))
        return [list(r) for r in book.get_sheet_by_index(0).to_python()]
    except (CalamineError, IndexError, ValueError):
        raise XlsxRejected([RowIssue(0, "", "", "无法读取Excel工作簿，请另存为xlsx后重新上传")]) from None


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return unicodedata.normalize("NFKC", str(v)).strip()


def _time(v: Any) -> str | None:
    if isinstance(v, dt.datetime):
        return v.replace(tzinfo=None).isoformat(timespec="seconds") + TZ
    if isinstance(v, dt.date):
        return dt.datetime.combine(v, dt.time(0, 0)).isoformat(timespec="seconds") + TZ
    text = _text(v).replace("/", "-")
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            # Local time as typed; the offset is written beside it.
            return dt.datetime.strptime(text, fmt).isoformat(timespec="seconds") + TZ  # noqa: DTZ007
        except ValueError:
            continue
    return None


def _date(v: Any) -> str:
    if isinstance(v, dt.datetime | dt.date):
        return v.isoformat()[:10]
    t = _time(v)
    return t[:10] if t else ""


def _party(code: str) -> str:
    return f"{services.USCC_PREFIX}{code.upper()}"


def _lot_class(fields: dict[str, str], col: dict[str, str], row: int, issues: list[RowIssue]) -> str | None:
    gtin, lot, code, scheme = fields["gtin"], fields["lot"], fields["code"], fields["code_scheme"]
    if code:
        schemes = {s.name: s.code for s in trace_code_schemes()} | {
            s.code: s.code for s in trace_code_schemes()
        }
        key = schemes.get(scheme) if scheme else None
        if key is None:
            compact = re.sub(r"[\s-]", "", code).upper()
            fits = [s.code for s in trace_code_schemes() if re.fullmatch(s.pattern, compact)]
            key = fits[0] if len(fits) == 1 else None
        if key is None:
            issues.append(
                RowIssue(
                    row,
                    col["code_scheme"],
                    scheme,
                    "请写明追溯码类型（重要产品追溯码、婴配乳粉追溯码或食盐追溯码）",
                )
            )
            return None
        return trace_code_uri(key, re.sub(r"[\s-]", "", code))
    if not gtin:
        issues.append(RowIssue(row, col["gtin"], "", "商品条码和追溯码至少填写一项"))
        return None
    digits = gtin.zfill(14)
    if not (digits.isdigit() and len(digits) == 14 and gs1_check_digit(digits[:-1]) == digits[-1]):
        issues.append(RowIssue(row, col["gtin"], gtin, "商品条码不是有效的GTIN（位数或校验位不对）"))
        return None
    if not lot:
        issues.append(RowIssue(row, col["lot"], "", "按商品条码追溯时必须填写批号"))
        return None
    return f"https://id.gs1.org/01/{digits}/10/{lot}"


def xlsx_to_document(content: bytes) -> tuple[dict[str, Any], list[list[int]]]:
    """The EPCIS document the rows describe, and for each event the rows it came from. Raises
    XlsxRejected with every problem located."""
    rows = _rows(content)
    issues: list[RowIssue] = []
    header_at = next(
        (
            i
            for i, r in enumerate(rows[:10])
            if any(_norm(c) in {_norm(h) for h in TEMPLATE_HEADERS} for c in r)
        ),
        None,
    )
    if header_at is None:
        raise XlsxRejected([RowIssue(0, "", "", "找不到表头行，请使用平台提供的模板")])
    names = {_norm(n): f for f, ns in HEADERS.items() for n in ns}
    index: dict[str, int] = {}
    for j, cell in enumerate(rows[header_at]):
        f = names.get(_norm(cell))
        if f and f not in index:
            index[f] = j
    col = {
        f: f"{xlsxwriter.utility.xl_col_to_name(index[f])}（{HEADERS[f][0]}）"
        if f in index
        else HEADERS[f][0]
        for f in HEADERS
    }
    missing = [HEADERS[f][0] for f in REQUIRED if f not in index]
    if missing:
        raise XlsxRejected([RowIssue(header_at + 1, "", "", "缺少必需的列：" + "、".join(missing))])
    events: list[dict[str, Any]] = []
    sources: list[list[int]] = []
    groups: OrderedDict[tuple[str, str], tuple[dict[str, Any], list[int]]] = OrderedDict()
    for i, raw in enumerate(rows[header_at + 1 :], start=header_at + 2):
        fields = {f: _text(raw[j]) if j < len(raw) else "" for f, j in index.items()}
        fields.update({f: "" for f in HEADERS if f not in fields})
        if not any(fields.values()):
            continue
        for f in REQUIRED:
            if not fields[f]:
                issues.append(RowIssue(i, col[f], "", "必填"))
        step = STEPS.get(fields["step"])
        if fields["step"] and step is None:
            issues.append(RowIssue(i, col["step"], fields["step"], "业务环节应为：" + "、".join(STEPS)))
        when = _time(raw[index["time"]]) if "time" in index and fields["time"] else None
        if fields["time"] and when is None:
            issues.append(RowIssue(i, col["time"], fields["time"], "时间格式应为 2022-03-01 09:30"))
        holder = fields["holder"].upper()
        if holder and not re.fullmatch(r"[0-9A-Z]{18}", holder):
            issues.append(RowIssue(i, col["holder"], fields["holder"], "统一社会信用代码应为18位"))
        try:
            qty: float | None = float(fields["quantity"]) if fields["quantity"] else None
        except ValueError:
            qty = None
            issues.append(RowIssue(i, col["quantity"], fields["quantity"], "数量应为数字"))
        unit = UNITS.get(fields["unit"], fields["unit"].upper())
        if fields["unit"] and not re.fullmatch(r"[A-Z0-9]{2,3}", unit):
            issues.append(
                RowIssue(
                    i,
                    col["unit"],
                    fields["unit"],
                    "单位应为：" + "、".join(UNITS) + "，或联合国贸易单位代码（如KGM）",
                )
            )
        epc_class = _lot_class(fields, col, i, issues)
        other = fields["other"].upper()
        if step in ("shipping", "receiving") and not other:
            issues.append(
                RowIssue(i, col["other"], "", "发货须填写收货方、收货须填写发货方的统一社会信用代码")
            )
        if step is None or when is None or epc_class is None or qty is None:
            continue
        quantity = {"epcClass": epc_class, "quantity": qty, "uom": unit}
        ilmd = {
            k: v
            for k, v in (
                ("shian:productName", fields["product"]),
                (
                    "shian:productionDate",
                    _date(raw[index["produced"]]) if "produced" in index and fields["produced"] else "",
                ),
                (
                    "shian:bestBeforeDate",
                    _date(raw[index["best_before"]])
                    if "best_before" in index and fields["best_before"]
                    else "",
                ),
            )
            if v
        }
        if step == "transforming":
            if fields["role"] not in (ROLE_IN, ROLE_OUT):
                issues.append(
                    RowIssue(i, col["role"], fields["role"], f"转化行须注明“{ROLE_IN}”或“{ROLE_OUT}”")
                )
                continue
            key = (holder, fields["group"] or when)
            event, rows_of = groups.setdefault(
                key,
                (
                    {
                        "type": "TransformationEvent",
                        "bizStep": "commissioning",
                        "eventTime": when,
                        "eventTimeZoneOffset": TZ,
                        "inputQuantityList": [],
                        "outputQuantityList": [],
                        "bizLocation": {"id": _party(holder)},
                    },
                    [],
                ),
            )
            event["inputQuantityList" if fields["role"] == ROLE_IN else "outputQuantityList"].append(quantity)
            if fields["role"] == ROLE_OUT and ilmd:
                event.setdefault("ilmd", {}).update(ilmd)
            rows_of.append(i)
            continue
        event = {
            "type": "ObjectEvent",
            "action": "ADD" if step == "commissioning" else "OBSERVE",
            "bizStep": step,
            "eventTime": when,
            "eventTimeZoneOffset": TZ,
            "quantityList": [quantity],
            "bizLocation": {"id": _party(holder)},
        }
        if step == "commissioning" and ilmd:
            event["ilmd"] = ilmd
        if step == "shipping":
            event["sourceList"] = [{"type": "owning_party", "source": _party(holder)}]
            event["destinationList"] = [{"type": "owning_party", "destination": _party(other)}]
        if step == "receiving":
            event["sourceList"] = [{"type": "owning_party", "source": _party(other)}]
            event["destinationList"] = [{"type": "owning_party", "destination": _party(holder)}]
        if fields["doc_no"]:
            bt: dict[str, str] = {
                "bizTransaction": f"urn:shian:doc:{holder}:{re.sub(r'[^0-9A-Za-z._-]', '-', fields['doc_no'])}"
            }
            if fields["doc_type"] in DOC_TYPES:
                bt["type"] = DOC_TYPES[fields["doc_type"]]
            event["bizTransactionList"] = [bt]
        events.append(event)
        sources.append([i])
    for event, rows_of in groups.values():
        if not event["inputQuantityList"] or not event["outputQuantityList"]:
            issues.append(
                RowIssue(rows_of[0], col["group"], "", f"转化须同时有“{ROLE_IN}”行和“{ROLE_OUT}”行")
            )
            continue
        events.append(event)
        sources.append(rows_of)
    if issues:
        raise XlsxRejected(issues)
    if not events:
        raise XlsxRejected([RowIssue(0, "", "", "文件中没有数据行")])
    doc = {
        "@context": [
            "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
            {"shian": "urn:shian:epcis:"},
        ],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "epcisBody": {"eventList": events},
    }
    return doc, sources


def epcis_capture_xlsx(
    *,
    by: User,
    content: bytes,
    filename: str,
    source: str = AuditSource.IMPORT,
    now: dt.datetime | None = None,
) -> services.CaptureResult:
    """Capture the events of an xlsx in the platform's layout: all or nothing. Raises XlsxRejected
    with every problem by row (a schema problem in a built event names the rows it came from)."""
    doc, sources = xlsx_to_document(content)
    try:
        return services.epcis_capture(by=by, document=doc, source=source, filename=filename, now=now)
    except services.CaptureRejected as exc:
        issues = []
        for p in exc.problems:
            m = re.match(r"/epcisBody/eventList/(\d+)(.*)", p.pointer)
            rows = sources[int(m.group(1))] if m else [0]
            issues.append(
                RowIssue(rows[0], m.group(2) if m else "", "", f"{p.message}（{p.detail or p.code}）")
            )
        raise XlsxRejected(issues) from None


def template_xlsx() -> bytes:
    """The layout with two example rows (a shipment, a transformation's input and output)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    ws = book.add_worksheet("追溯事件")
    bold = book.add_format({"bold": True, "bg_color": "#E8EEF6", "border": 1})
    for c, h in enumerate(TEMPLATE_HEADERS):
        ws.write_string(0, c, h, bold)
        ws.set_column(c, c, max(10, len(h) * 2 + 2))
    examples = [
        [
            "发货",
            "2022-03-03 10:00",
            "91120113MA05XXXX0A",
            "婴儿配方奶粉 1段 800g",
            "",
            "",
            "婴配乳粉追溯码",
            "6901234567890123",
            600,
            "罐",
            "91120113MA06YYYY1B",
            "发货单",
            "FH-2022-0303",
            "",
            "",
            "",
            "",
        ],
        [
            "转化",
            "2022-03-02 08:00",
            "91120113MA07ZZZZ2C",
            "散装食用盐",
            "06901234000016",
            "BS2203",
            "",
            "",
            1000,
            "千克",
            "",
            "",
            "",
            "ZH-01",
            "投入",
            "",
            "",
        ],
        [
            "转化",
            "2022-03-02 08:00",
            "91120113MA07ZZZZ2C",
            "精制碘盐 400g",
            "06901234000023",
            "JY2203",
            "",
            "",
            2500,
            "袋",
            "",
            "",
            "",
            "ZH-01",
            "产出",
            "2022-03-02",
            "2025-03-01",
        ],
    ]
    for r, row in enumerate(examples, start=1):
        for c, v in enumerate(row):
            if isinstance(v, int | float):
                ws.write_number(r, c, v)
            elif v:
                ws.write_string(r, c, guard_text(str(v)))
    notes = book.add_worksheet("说明")
    lines = [
        "每行一个事件；“转化”用同一“转化编号”的投入行和产出行组成一个转化事件。",
        "业务环节：" + "、".join(STEPS),
        "单位：" + "、".join(UNITS) + "，或联合国贸易单位代码（如KGM、XCN）。",
        "批次标识：商品条码（GTIN）加批号，或追溯码加追溯码类型。",
        "整个文件逐行检查，任何一行有问题则全部不导入，并列出每个问题所在的行和列。",
    ]
    for r, text in enumerate(lines):
        notes.write_string(r, 0, text)
    notes.set_column(0, 0, 100)
    book.close()
    return buffer.getvalue()
