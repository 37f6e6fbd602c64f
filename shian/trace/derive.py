"""What the lot graph takes from an EPCIS event (pure Python, no Django import): the lots it names
and in which role, where it happened, and which goods moved from which holder to which.

- Shipping (bizStep shipping, departing) moves each lot from the event's holder to the
  destination party; receiving (receiving, arriving, accepting) from the source party to the
  holder. A party is taken as owning party, else possessing party, else location
  (CBV 2.0 source/destination types), the order FSMA 204's "immediate subsequent recipient" reads.
- A transformation joins every input lot to every output lot at the holder.
- The holder is the business location, else the read point, else the party on the holder's side
  of a shipment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from .epcis import parse_time
from .identifiers import canonical_identifier

SHIPPING = frozenset(
    {
        "shipping",
        "departing",
        "https://ref.gs1.org/cbv/BizStep-shipping",
        "urn:epcglobal:cbv:bizstep:shipping",
    }
)
RECEIVING = frozenset(
    {
        "receiving",
        "arriving",
        "accepting",
        "https://ref.gs1.org/cbv/BizStep-receiving",
        "urn:epcglobal:cbv:bizstep:receiving",
    }
)
PARTY_ORDER = ("owning_party", "possessing_party", "location")
# The platform's ILMD fields (namespace "shian" = urn:shian:epcis:) and the CBV master-data ones.
ILMD_NAME = ("shian:productName", "urn:shian:epcis:productName", "cbvmda:descriptionShort")
ILMD_LINE = ("shian:productLine", "urn:shian:epcis:productLine")
ILMD_PRODUCED = ("shian:productionDate", "urn:shian:epcis:productionDate", "cbvmda:productionDate")
ILMD_BEST_BEFORE = (
    "shian:bestBeforeDate",
    "urn:shian:epcis:bestBeforeDate",
    "cbvmda:bestBeforeDate",
    "cbvmda:itemExpirationDate",
)


@dataclass(slots=True)
class LotRef:
    identifier: str
    role: str  # epc, quantity, child, parent, input, output
    quantity: float | None = None
    uom: str = ""


@dataclass(slots=True)
class Derived:
    event_type: str
    action: str
    biz_step: str
    disposition: str
    event_time: dt.datetime
    tz_offset: str
    read_point: str
    biz_location: str
    lots: list[LotRef]
    sources: list[tuple[str, str]]  # (type, canonical identifier)
    destinations: list[tuple[str, str]]
    holder_ids: list[str]  # identifiers that may name the holder, most specific first
    movement: str  # "ship", "receive", "transform" or ""
    ilmd: dict[str, str] = field(default_factory=dict)
    # The party on the other side of a shipment or receipt ("" for other events): see counter_party.
    counter: str = ""


@lru_cache(maxsize=256)
def _party_kind(source_type: str) -> str:
    """The CBV source/destination type's own term: "owning_party" of a bare term, a URN or a URI."""
    return source_type.rsplit("-", 1)[-1].rsplit(":", 1)[-1]


def _party(entries: list[tuple[str, str]]) -> str:
    if len(entries) == 1:  # the usual source or destination list: one party
        return entries[0][1]
    for kind in PARTY_ORDER:
        for t, ident in entries:
            if _party_kind(t) == kind:
                return ident
    return entries[0][1] if entries else ""


def counter_party(d: Derived) -> str:
    """The party on the other side of a shipment: the destination of a shipping, the source of a
    receiving ("" when the event names none)."""
    return d.counter


def _quantities(items: Any, role: str) -> list[LotRef]:
    out = []
    for q in items:
        value = q.get("quantity")
        out.append(
            LotRef(
                canonical_identifier(q["epcClass"]),
                role,
                float(value) if isinstance(value, int | float) else None,
                str(q.get("uom", "")),
            )
        )
    return out


def _ilmd(event: Mapping[str, Any]) -> dict[str, str]:
    ilmd = event.get("ilmd")
    if ilmd is None or not isinstance(ilmd, Mapping):
        return {}
    out = {}
    for key, names in (
        ("name", ILMD_NAME),
        ("line", ILMD_LINE),
        ("produced", ILMD_PRODUCED),
        ("best_before", ILMD_BEST_BEFORE),
    ):
        for n in names:
            v = ilmd.get(n)
            if isinstance(v, str | int | float) and str(v).strip():
                out[key] = str(v).strip()
                break
    return out


# Where an event names its lots, and in which role (identifier lists, then quantity lists).
_EPC_ROLES = (
    ("epcList", "epc"),
    ("childEPCs", "child"),
    ("inputEPCList", "input"),
    ("outputEPCList", "output"),
)
_QUANTITY_ROLES = (
    ("quantityList", "quantity"),
    ("childQuantityList", "child"),
    ("inputQuantityList", "input"),
    ("outputQuantityList", "output"),
)
_MOVING_TYPES = frozenset({"ObjectEvent", "TransactionEvent"})


def derive(event: Mapping[str, Any]) -> Derived:
    """The graph's view of one event that passed validation. Called once per event of a bulk
    capture: the lists an event does not carry cost one dictionary look-up each."""
    get = event.get
    kind = str(event["type"])
    lots: list[LotRef] = []
    for name, role in _EPC_ROLES:
        items = get(name)
        if items:
            lots.extend([LotRef(canonical_identifier(x), role) for x in items])
    for name, role in _QUANTITY_ROLES:
        items = get(name)
        if items:
            lots.extend(_quantities(items, role))
    if "parentID" in event:
        lots.append(LotRef(canonical_identifier(event["parentID"]), "parent"))
    listed = get("sourceList")
    sources = [(str(s.get("type", "")), canonical_identifier(s["source"])) for s in listed] if listed else []
    listed = get("destinationList")
    destinations = (
        [(str(s.get("type", "")), canonical_identifier(s["destination"])) for s in listed] if listed else []
    )
    biz_step = str(get("bizStep", ""))
    rp, bl = get("readPoint"), get("bizLocation")
    read_point = canonical_identifier(rp["id"]) if rp is not None and isinstance(rp, Mapping) else ""
    biz_location = canonical_identifier(bl["id"]) if bl is not None and isinstance(bl, Mapping) else ""
    movement = counter = ""
    holder_ids = [i for i in (biz_location, read_point) if i]
    if kind == "TransformationEvent":
        movement = "transform"
    elif kind in _MOVING_TYPES and biz_step in SHIPPING and destinations:
        movement = "ship"
        counter = _party(destinations)
        if sources:
            holder_ids.append(_party(sources))
    elif kind in _MOVING_TYPES and biz_step in RECEIVING and sources:
        movement = "receive"
        counter = _party(sources)
        if destinations:
            holder_ids.append(_party(destinations))
    when = parse_time(event["eventTime"])
    assert when is not None  # noqa: S101 — the schema requires a date-time
    return Derived(
        kind,
        str(get("action", "")),
        biz_step,
        str(get("disposition", "")),
        when,
        str(get("eventTimeZoneOffset", "")),
        read_point,
        biz_location,
        lots,
        sources,
        destinations,
        holder_ids,
        movement,
        _ilmd(event) if "ilmd" in event else {},
        counter,
    )


def moving_lots(d: Derived) -> list[LotRef]:
    """The lots a shipment or receipt moves (class-level lots and identified items alike)."""
    return [lot for lot in d.lots if lot.role in ("epc", "quantity")]
