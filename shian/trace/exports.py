"""The recall scope as a sortable spreadsheet in the layout of FSMA 204 (21 CFR 1.1455(c)(3)(ii)):
one row per event and lot line, with the key data elements of each critical tracking event
(traceability lot code, product, quantity and unit, where, when, the immediate previous source and
subsequent recipient, the lot code's source, the reference document). The column set follows the
KDEs of 21 CFR 1.1340–1.1350 as summarised in the research notes (the FDA template's own header row
was not available); transformations list one row per input."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from typing import Any

import orjson
import xlsxwriter
from django.utils import timezone

from shian.core.xlsx import guard_text

from .models import EventLot, Lot

COLUMNS = [
    ("关键追踪事件（CTE）", "Critical tracking event"),
    ("追溯批次码（TLC）", "Traceability lot code"),
    ("产品描述", "Product description"),
    ("数量", "Quantity"),
    ("单位", "Unit of measure"),
    ("事件日期", "Event date"),
    ("事件时间", "Event time"),
    ("事件地点（主体）", "Location description"),
    ("所在镇街", "Town"),
    ("统一社会信用代码", "Location ID"),
    ("直接上游来源", "Immediate previous source"),
    ("直接下游接收方", "Immediate subsequent recipient"),
    ("批次码来源（TLC source）", "TLC source"),
    ("单据类型", "Reference document type"),
    ("单据编号", "Reference document number"),
    ("转化投入批次码", "Transformation input TLC"),
    ("距源头步数", "Steps from the recalled lot"),
    ("事件哈希ID", "EPCIS event hash ID"),
]
CTE = {
    "shipping": "发货 Shipping",
    "receiving": "收货 Receiving",
    "commissioning": "生产/赋码 Initial packing",
    "transform": "转化 Transformation",
}


def _cte(step: str, event_type: str) -> str:
    if event_type == "TransformationEvent":
        return CTE["transform"]
    key = step.rsplit("-", 1)[-1]
    return CTE.get(key, key)


def _party_name(identifier: str, names: dict[str, str]) -> str:
    return names.get(identifier, identifier)


def fsma_rows(*, lot_ids: Iterable[int], depth_of: dict[int, int]) -> list[list[Any]]:
    """Rows for every event that touched a lot of the scope, in time order."""
    ids = list(lot_ids)
    lots: dict[int, Lot] = {}
    for i in range(0, len(ids), 900):
        lots.update(Lot.objects.select_related("business", "region").in_bulk(ids[i : i + 900]))
    # The source of a lot code: the holder that first named it (commissioning or transformation).
    tlc_source: dict[str, str] = {}
    links: list[EventLot] = []
    for i in range(0, len(ids), 900):
        links.extend(
            EventLot.objects.filter(lot_id__in=ids[i : i + 900]).select_related(
                "event", "lot", "lot__business"
            )
        )
    links.sort(key=lambda link: (link.event.event_time, link.event_id, link.lot_id))
    names: dict[str, str] = {}
    for lot in lots.values():
        if lot.business is not None and lot.business.credit_code:
            names[f"urn:cn:uscc:{lot.business.credit_code}"] = lot.business.name
    rows = []
    seen: set[tuple[int, int, str]] = set()
    for link in links:
        key = (link.event_id, link.lot_id, link.role)
        if key in seen:
            continue
        seen.add(key)
        event = link.event
        lot = lots.get(link.lot_id) or link.lot
        body = orjson.loads(event.body)
        if lot.identifier not in tlc_source and (
            event.biz_step.endswith("commissioning") or link.role == "output"
        ):
            tlc_source[lot.identifier] = lot.business.name if lot.business else lot.holder
        src = [s.get("source", "") for s in body.get("sourceList") or ()]
        dst = [d.get("destination", "") for d in body.get("destinationList") or ()]
        docs = body.get("bizTransactionList") or []
        local = timezone.localtime(event.event_time)
        inputs = ""
        if event.event_type == "TransformationEvent" and link.role == "output":
            inputs = "；".join(str(q.get("epcClass", "")) for q in body.get("inputQuantityList") or ())
        rows.append(
            [
                _cte(event.biz_step, event.event_type),
                lot.identifier,
                lot.product_name,
                float(link.quantity) if link.quantity is not None else None,
                link.uom,
                local.date().isoformat(),
                local.strftime("%H:%M"),
                lot.business.name if lot.business else lot.holder,
                lot.region.name if lot.region else "",
                lot.business.credit_code if lot.business and lot.business.credit_code else "",
                "；".join(_party_name(s, names) for s in src[:1]),
                "；".join(_party_name(d, names) for d in dst[:1]),
                tlc_source.get(lot.identifier, ""),
                "；".join(str(d.get("type", "")) for d in docs),
                "；".join(str(d.get("bizTransaction", "")) for d in docs),
                inputs,
                depth_of.get(lot.pk),
                event.hash_id,
            ]
        )
    return rows


def fsma_xlsx(*, title: str, rows: list[list[Any]], generated: dt.datetime) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "constant_memory": False})
    ws = book.add_worksheet("追溯记录 Sortable")
    head = book.add_format({"bold": True, "bg_color": "#E8EEF6", "border": 1, "text_wrap": True})
    ws.write_string(0, 0, guard_text(title), book.add_format({"bold": True, "font_size": 13}))
    ws.write_string(
        1,
        0,
        f"生成时间 {timezone.localtime(generated):%Y-%m-%d %H:%M}；每行一个事件×批次；转化事件按产出批次列出投入批次码",
    )
    for c, (zh, en) in enumerate(COLUMNS):
        ws.write_string(2, c, f"{zh}\n{en}", head)
        ws.set_column(c, c, 18 if c not in (1, 17) else 40)
    for r, row in enumerate(rows, start=3):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, int | float):
                ws.write_number(r, c, value)
            else:
                ws.write_string(r, c, guard_text(str(value)))
    ws.freeze_panes(3, 0)
    ws.autofilter(2, 0, max(3, len(rows) + 2), len(COLUMNS) - 1)
    book.close()
    return buffer.getvalue()
