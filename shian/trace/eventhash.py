"""The EPCIS Event Hash ID of CBV 2.0 (section 8.9), pure Python.

The same event gives the same ID whatever its serialisation (JSON key order, EPC URN or Digital
Link, bare CBV term or its URI, list order), and any change of a value gives another: the
platform's capture is idempotent by this ID. The algorithm: the event's fields in the canonical
property order, values normalised (UTC timestamps with milliseconds, no trailing zeros, CBV terms
and CURIEs expanded, EPC URNs as canonical Digital Links), lists sorted, user extensions as
"{namespace}name=value" sorted; the SHA-256 of that pre-hash string as an RFC 6920 "ni" URI.

Where the prose of the algorithm leaves a choice open, this follows the behaviour of its published
reference implementation (epcis-event-hash-generator 1.9.3, MIT): the tests compare the two on
GS1's example documents. Error declarations, eventID and recordTime are not hashed (an error
declaration is added to an existing event; the ID must not change).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from .identifiers import canonical_identifier

CBV = "https://ref.gs1.org/cbv/"
GS1_VOC = "https://gs1.org/voc/"
# CURIE prefixes of the EPCIS 2.0 context (rule 15).
STANDARD_PREFIXES = {"gs1": GS1_VOC, "cbv": CBV, "epcis": "https://ref.gs1.org/epcis/"}
_URN_VOCAB = {
    "urn:epcglobal:cbv:bizstep:": "BizStep-",
    "urn:epcglobal:cbv:disp:": "Disp-",
    "urn:epcglobal:cbv:btt:": "BTT-",
    "urn:epcglobal:cbv:sdt:": "SDT-",
    "urn:epcglobal:cbv:er:": "ER-",
}
_QTY = ("epcClass", "quantity", "uom")
_METADATA = (
    "time",
    "startTime",
    "endTime",
    "deviceID",
    "deviceMetadata",
    "rawData",
    "dataProcessingMethod",
    "bizRules",
)
_REPORT = (
    "type",
    "exception",
    "deviceID",
    "deviceMetadata",
    "rawData",
    "dataProcessingMethod",
    "time",
    "microorganism",
    "chemicalSubstance",
    "value",
    "component",
    "stringValue",
    "booleanValue",
    "hexBinaryValue",
    "uriValue",
    "minValue",
    "maxValue",
    "meanValue",
    "sDev",
    "percRank",
    "percValue",
    "uom",
    "coordinateReferenceSystem",
)
_EPC_LISTS = ("epcList", "inputEPCList", "childEPCs")
_QTY_LISTS_1 = ("quantityList", "childQuantityList", "inputQuantityList")
# Keys of an event that are not user extensions.
_STANDARD_KEYS = frozenset(
    {
        "@context",
        "type",
        "eventID",
        "recordTime",
        "errorDeclaration",
        "eventTime",
        "eventTimeZoneOffset",
        "certificationInfo",
        "parentID",
        "epcList",
        "inputEPCList",
        "childEPCs",
        "quantityList",
        "childQuantityList",
        "inputQuantityList",
        "outputEPCList",
        "outputQuantityList",
        "action",
        "transformationID",
        "bizStep",
        "disposition",
        "persistentDisposition",
        "readPoint",
        "bizLocation",
        "bizTransactionList",
        "sourceList",
        "destinationList",
        "sensorElementList",
        "ilmd",
        # A JSON-LD annotation, not event data.
        "rdfs:comment",
    }
)


def context_prefixes(context: Any) -> dict[str, str]:
    """CURIE prefixes a document declares in its @context (objects of the list), e.g. {"example":
    "http://ns.example.com/epcis/"}."""
    out: dict[str, str] = {}
    items = context if isinstance(context, list) else [context]
    for item in items:
        if isinstance(item, Mapping):
            for k, v in item.items():
                if isinstance(v, str):
                    out[k] = v
    return out


def _time(value: Any) -> str:
    return _time_text(value) if isinstance(value, str) else _time_text(str(value))


@lru_cache(maxsize=65_536)  # a bulk document repeats its times (one shipment, many lots)
def _time_text(value: str) -> str:
    text = value.strip()
    try:
        t = dt.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return text
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.UTC)
    t = t.astimezone(dt.UTC)
    if t.year >= 1000:  # isoformat writes the same digits, several times faster than strftime
        return t.isoformat(timespec="milliseconds")[:-6] + "Z"
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def _number(value: Any) -> str:
    kind = type(value)
    if kind is int:  # the usual quantity: its decimal digits are already canonical
        return str(value)
    if kind is bool:
        return str(value)
    try:
        d = Decimal(str(value).strip())
    except InvalidOperation:
        return str(value).strip()
    text = format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


@lru_cache(maxsize=4096)
def _vocab(value: str, kind: str) -> str:
    """A CBV value in its Web URI form: bare term, URN or CURIE alike (rules 14–16)."""
    v = value.strip()
    for urn, prefix in _URN_VOCAB.items():
        if v.startswith(urn):
            return CBV + prefix + v[len(urn) :]
    if ":" not in v:
        return CBV + kind + v
    return v


class _Hasher:
    """One per document: the document's CURIE prefixes, and the canonical form of every identifier
    met so far (a bulk document names the same parties and lots over and over)."""

    def __init__(self, prefixes: Mapping[str, str]) -> None:
        self.prefixes = {**STANDARD_PREFIXES, **prefixes}
        self._uris: dict[str, str] = {}
        # A source or destination as hashed, by (field, type, identifier): a bulk document names
        # the same parties over and over.
        self._parties: dict[tuple[str, str, str], str] = {}

    def uri(self, value: Any) -> str:
        if type(value) is str:
            known = self._uris.get(value)
            if known is not None:
                return known
        v = str(value).strip()
        prefix, sep, rest = v.partition(":")
        if sep and not rest.startswith("//") and prefix in self.prefixes and not v.startswith("urn:"):
            out = self.prefixes[prefix] + rest
        else:
            out = canonical_identifier(v)
        if type(value) is str and len(self._uris) < 200_000:
            self._uris[value] = out
        return out

    def key(self, name: str) -> str:
        """A user extension's name as {namespace}local (rule 20)."""
        prefix, sep, rest = name.partition(":")
        if sep and prefix in self.prefixes:
            return "{" + self.prefixes[prefix] + "}" + rest
        return name

    def scalar(self, value: Any) -> str:
        if isinstance(value, bool):
            return str(value).lower()
        if isinstance(value, int | float):
            return _number(value)
        text = str(value).strip()
        try:
            Decimal(text)
        except InvalidOperation:
            pass
        else:
            if text and text.lstrip("-").replace(".", "", 1).isdigit():
                return _number(text)
        if ":" in text and not text.startswith(("http://", "https://")) and text.count("T") == 0:
            return self.uri(text)
        return text

    def extension(self, name: str, value: Any) -> list[str]:
        key = self.key(name)
        if isinstance(value, Mapping):
            return [key + "".join(sorted(s for k, v in value.items() for s in self.extension(k, v)))]
        if isinstance(value, list):
            out = []
            for item in value:
                if isinstance(item, Mapping):
                    out.append(
                        key + "".join(sorted(s for k, v in item.items() for s in self.extension(k, v)))
                    )
                else:
                    out.append(f"{key}={self.scalar(item)}")
            return out
        return [f"{key}={self.scalar(value)}"]

    def party(self, field: str, entry: Mapping[str, Any]) -> str:
        """One element of a source or destination list as hashed."""
        kind, value = entry.get("type", ""), entry.get(field, "")
        if type(kind) is str and type(value) is str:
            key = (field, kind, value)
            known = self._parties.get(key)
            if known is None:
                known = self._parties[key] = "type=" + _vocab(kind, "SDT-") + f"{field}=" + self.uri(value)
            return known
        return "type=" + _vocab(str(kind), "SDT-") + f"{field}=" + self.uri(value)

    def extensions(self, obj: Mapping[str, Any], standard: Sequence[str] | frozenset[str]) -> str:
        if isinstance(standard, frozenset) and obj.keys() <= standard:  # no user extension
            return ""
        parts = [s for k, v in obj.items() if k not in standard for s in self.extension(k, v)]
        if not parts:
            return ""
        return "".join(sorted(parts))

    def quantity_list(self, name: str, elements: Sequence[Mapping[str, Any]]) -> str:
        items = []
        for e in elements:
            s = "quantityElement"
            if "epcClass" in e:
                s += "epcClass=" + self.uri(e["epcClass"])
            if "quantity" in e:
                s += "quantity=" + _number(e["quantity"])
            if "uom" in e:
                s += "uom=" + str(e["uom"]).strip()
            items.append(s)
        return name + "".join(sorted(items))

    def sensor_element(self, element: Mapping[str, Any]) -> str:
        s = "sensorElement"
        meta = element.get("sensorMetadata")
        if isinstance(meta, Mapping):
            s += "sensorMetadata"
            for f in _METADATA:
                if f in meta:
                    s += f"{f}=" + (_time(meta[f]) if f.endswith("ime") else self.uri(meta[f]))
            s += self.extensions(meta, _METADATA)
        reports = []
        for report in element.get("sensorReport") or ():
            r = "sensorReport"
            for f in _REPORT:
                if f not in report:
                    continue
                v = report[f]
                if f == "type":
                    text = str(v).strip()
                    r += "type=" + (GS1_VOC + text if ":" not in text else self.uri(text))
                elif f == "time":
                    r += "time=" + _time(v)
                elif f == "component" and ":" not in str(v):
                    r += f"component={CBV}Comp-{str(v).strip()}"
                elif f == "exception" and ":" not in str(v):
                    r += f"exception={GS1_VOC}{str(v).strip()}"
                elif f == "booleanValue":
                    r += f"booleanValue={v}"
                elif isinstance(v, int | float) and not isinstance(v, bool):
                    r += f"{f}=" + _number(v)
                elif f in ("stringValue", "hexBinaryValue", "uom", "exception", "coordinateReferenceSystem"):
                    r += f"{f}={str(v).strip()}"
                else:
                    r += f"{f}=" + self.uri(v)
            r += self.extensions(report, _REPORT)
            reports.append(r)
        s += "".join(sorted(reports))
        s += self.extensions(element, ("sensorMetadata", "sensorReport"))
        return s

    def prehash(self, event: Mapping[str, Any]) -> str:
        e = event
        out = ["eventType=" + str(e.get("type", ""))]
        if "eventTime" in e:
            out.append("eventTime=" + _time(e["eventTime"]))
        if "eventTimeZoneOffset" in e:
            out.append("eventTimeZoneOffset=" + str(e["eventTimeZoneOffset"]).strip())
        cert = e.get("certificationInfo")
        if cert:
            certs = cert if isinstance(cert, list) else [cert]
            out.extend(sorted("certificationInfo=" + self.uri(c) for c in certs))
        if "parentID" in e:
            out.append("parentID=" + self.uri(e["parentID"]))
        for name in _EPC_LISTS:
            if e.get(name):
                out.append(name + "".join(sorted("epc=" + self.uri(x) for x in e[name])))
        for name in _QTY_LISTS_1:
            if e.get(name):
                out.append(self.quantity_list(name, e[name]))
        if e.get("outputEPCList"):
            out.append("outputEPCList" + "".join(sorted("epc=" + self.uri(x) for x in e["outputEPCList"])))
        if e.get("outputQuantityList"):
            out.append(self.quantity_list("outputQuantityList", e["outputQuantityList"]))
        if "action" in e:
            out.append("action=" + str(e["action"]).strip())
        if "transformationID" in e:
            out.append("transformationID=" + self.uri(e["transformationID"]))
        if "bizStep" in e:
            out.append("bizStep=" + _vocab(str(e["bizStep"]), "BizStep-"))
        if "disposition" in e:
            out.append("disposition=" + _vocab(str(e["disposition"]), "Disp-"))
        pd = e.get("persistentDisposition")
        if pd is not None and isinstance(pd, Mapping):
            s = "persistentDisposition"
            for f in ("set", "unset"):
                s += "".join(sorted(f"{f}=" + _vocab(str(v), "Disp-") for v in pd.get(f) or ()))
            out.append(s)
        for name in ("readPoint", "bizLocation"):
            loc = e.get(name)
            if loc is not None and isinstance(loc, Mapping):
                ext = "" if len(loc) == 1 and "id" in loc else self.extensions(loc, ("id",))
                out.append(name + "id=" + self.uri(loc.get("id", "")) + ext)
        if e.get("sensorElementList"):
            out.append(
                "sensorElementList" + "".join(sorted(self.sensor_element(x) for x in e["sensorElementList"]))
            )
        # The reference implementation appends these four in the order of their names (it sorts the
        # fields it has not placed yet); the algorithm's table would put ilmd last.
        tail = []
        if e.get("bizTransactionList"):
            items = []
            for bt in e["bizTransactionList"]:
                t = "type=" + _vocab(str(bt["type"]), "BTT-") if "type" in bt else ""
                items.append(t + "bizTransaction=" + self.uri(bt.get("bizTransaction", "")))
            tail.append("bizTransactionList" + "".join(sorted(items)))
        for name, field in (("sourceList", "source"), ("destinationList", "destination")):
            entries = e.get(name)
            if entries:
                party = self.party
                tail.append(name + "".join(sorted([party(field, x) for x in entries])))
        ilmd = e.get("ilmd")
        if ilmd is not None and isinstance(ilmd, Mapping) and ilmd:
            tail.append("ilmd" + self.extensions(ilmd, ()))
        out.extend(sorted(tail))
        out.append(self.extensions(e, _STANDARD_KEYS))
        return "".join(out)

    def hash_id(self, event: Mapping[str, Any]) -> str:
        digest = hashlib.sha256(self.prehash(event).encode("utf-8")).hexdigest()
        return f"ni:///sha-256;{digest}?ver=CBV2.0"


def hasher(prefixes: Mapping[str, str] | None = None) -> _Hasher:
    """A hasher for the events of one document (its @context's prefixes): `hasher(p).hash_id(e)`
    is `event_hash_id(e, p)`, with what the document repeats computed once."""
    return _Hasher(prefixes or {})


def prehash_string(event: Mapping[str, Any], prefixes: Mapping[str, str] | None = None) -> str:
    return _Hasher(prefixes or {}).prehash(event)


def event_hash_id(event: Mapping[str, Any], prefixes: Mapping[str, str] | None = None) -> str:
    """The event's hash ID: ni:///sha-256;<hex>?ver=CBV2.0 (RFC 6920, CBV 2.0 §8.9)."""
    return _Hasher(prefixes or {}).hash_id(event)
