"""EPCIS documents for the trace tests, shaped like a real chain: a dairy commissions a lot of infant
formula, ships it to a wholesaler in another town, which ships it on to shops; a salt works packs
bulk salt into retail lots (a transformation)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from shian.core.models import Region
from shian.registry.models import Business, BusinessType
from shian.registry.tests.factories import credit_code

CONTEXT = ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"shian": "urn:shian:epcis:"}]
REFERENCE = Path(__file__).resolve().parents[4] / "shared" / "reference" / "epcis"
# The same tree seen from the main checkout (worktrees live one level deeper).
REFERENCE_ALT = Path(__file__).resolve().parents[5] / "shared" / "reference" / "epcis"


def reference_dir() -> Path | None:
    for p in (REFERENCE, REFERENCE_ALT):
        if p.is_dir():
            return p
    return None


def business(name: str, town: str, kind: str = BusinessType.WHOLESALE_RETAIL) -> Business:
    return Business.objects.create(
        name=name, credit_code=credit_code(), business_type=kind, region=Region.objects.get(pk=town)
    )


def party(b: Business) -> str:
    return f"urn:cn:uscc:{b.credit_code}"


def document(*events: dict[str, Any]) -> dict[str, Any]:
    return {
        "@context": copy.deepcopy(CONTEXT),
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2022-03-01T08:00:00+08:00",
        "epcisBody": {"eventList": [copy.deepcopy(e) for e in events]},
    }


def lot_uri(lot: str, gtin_ref: str = "012345") -> str:
    return f"urn:epc:class:lgtin:6901234.{gtin_ref}.{lot}"


def commission(
    at: Business, lot: str, *, when: str, name: str, line: str = "infant_formula", qty: float = 1000
) -> dict[str, Any]:
    return {
        "type": "ObjectEvent",
        "action": "ADD",
        "bizStep": "commissioning",
        "disposition": "active",
        "eventTime": when,
        "eventTimeZoneOffset": "+08:00",
        "quantityList": [{"epcClass": lot_uri(lot), "quantity": qty, "uom": "XCN"}],
        "bizLocation": {"id": party(at)},
        "ilmd": {"shian:productName": name, "shian:productLine": line, "shian:productionDate": when[:10]},
    }


def ship(
    frm: Business, to: Business, lot: str, *, when: str, qty: float, epc_class: str | None = None
) -> dict[str, Any]:
    return {
        "type": "ObjectEvent",
        "action": "OBSERVE",
        "bizStep": "shipping",
        "disposition": "in_transit",
        "eventTime": when,
        "eventTimeZoneOffset": "+08:00",
        "quantityList": [{"epcClass": epc_class or lot_uri(lot), "quantity": qty, "uom": "XCN"}],
        "bizLocation": {"id": party(frm)},
        "sourceList": [{"type": "owning_party", "source": party(frm)}],
        "destinationList": [{"type": "owning_party", "destination": party(to)}],
        "bizTransactionList": [{"type": "desadv", "bizTransaction": f"urn:shian:desadv:{lot}-{to.pk}"}],
    }


def receive(frm: Business, to: Business, lot: str, *, when: str, qty: float) -> dict[str, Any]:
    return {
        "type": "ObjectEvent",
        "action": "OBSERVE",
        "bizStep": "receiving",
        "disposition": "in_progress",
        "eventTime": when,
        "eventTimeZoneOffset": "+08:00",
        "quantityList": [{"epcClass": lot_uri(lot), "quantity": qty, "uom": "XCN"}],
        "bizLocation": {"id": party(to)},
        "sourceList": [{"type": "owning_party", "source": party(frm)}],
        "destinationList": [{"type": "owning_party", "destination": party(to)}],
    }


def transform(
    at: Business, inputs: list[tuple[str, float]], outputs: list[tuple[str, float]], *, when: str
) -> dict[str, Any]:
    return {
        "type": "TransformationEvent",
        "bizStep": "repackaging",
        "eventTime": when,
        "eventTimeZoneOffset": "+08:00",
        "inputQuantityList": [
            {"epcClass": lot_uri(i, "054321"), "quantity": q, "uom": "KGM"} for i, q in inputs
        ],
        "outputQuantityList": [{"epcClass": lot_uri(o), "quantity": q, "uom": "XCN"} for o, q in outputs],
        "bizLocation": {"id": party(at)},
        "ilmd": {"shian:productName": "精制碘盐 400g", "shian:productLine": "salt"},
    }


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))
