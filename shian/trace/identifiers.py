"""Identifiers of what is traced, in one canonical form (pure Python, no Django import).

EPCIS lets a business name the same lot as an EPC URN (``urn:epc:class:lgtin:4012345.012345.998877``)
or as a GS1 Digital Link URI (``https://id.gs1.org/01/04012345123456/10/998877``). The platform keys
its lots by the canonical Digital Link form, the one the CBV 2.0 event hash algorithm also uses
(its rules 17 and 18): an EPC URN is converted to it, a Digital Link on a company's own domain is
moved to id.gs1.org, its query string dropped, and only the most fine-grained key kept.

Chinese trace codes (GB/T 44583-2024 重要产品追溯 追溯码, the infant-formula and salt platforms'
codes) are kept as ``urn:cn:trace:<scheme>:<code>`` URIs; which schemes exist and how a typed code is
recognised is rule data (data/trace-codes.toml), read by ``trace_code_schemes``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

DL_ROOT = "https://id.gs1.org"
CN_PREFIX = "urn:cn:trace:"
DATA = Path(__file__).resolve().parent / "data"


@lru_cache(maxsize=65_536)
def gs1_check_digit(digits: str) -> str:
    """The GS1 mod-10 check digit of a key's digits without it (GS1 General Specifications 7.9.1):
    weights 3 and 1 alternate from the rightmost digit."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        total += int(ch) * (3 if i % 2 == 0 else 1)
    return str((10 - total % 10) % 10)


def _gtin14(company_prefix: str, item_ref: str) -> str:
    # The item reference's first digit is the indicator digit (EPC Tag Data Standard 6.3.1).
    body = item_ref[:1] + company_prefix + item_ref[1:]
    return body + gs1_check_digit(body)


def _key13(company_prefix: str, ref: str) -> str:
    body = company_prefix + ref
    return body + gs1_check_digit(body)


def urn_to_digital_link(urn: str) -> str | None:
    """The canonical Digital Link of an EPC URN (EPC Tag Data Standard 2.0 section 6), or None when
    the URN is not one of the schemes food traceability uses."""
    m = re.fullmatch(r"urn:epc:(id|class|idpat):([a-z0-9]+):(.+)", urn)
    if m is None:
        return None
    kind, scheme, rest = m.groups()
    parts = rest.split(".")
    try:
        if kind == "class" and scheme == "lgtin" and len(parts) >= 3:
            return f"{DL_ROOT}/01/{_gtin14(parts[0], parts[1])}/10/{unquote('.'.join(parts[2:]))}"
        if kind == "idpat" and scheme == "sgtin" and len(parts) == 3 and parts[2] == "*":
            return f"{DL_ROOT}/01/{_gtin14(parts[0], parts[1])}"
        if kind != "id":
            return None
        if scheme == "sgtin" and len(parts) >= 3:
            return f"{DL_ROOT}/01/{_gtin14(parts[0], parts[1])}/21/{unquote('.'.join(parts[2:]))}"
        if scheme == "sscc" and len(parts) == 2:
            body = parts[1][:1] + parts[0] + parts[1][1:]
            return f"{DL_ROOT}/00/{body}{gs1_check_digit(body)}"
        if scheme == "sgln" and len(parts) >= 3:
            ext = unquote(".".join(parts[2:]))
            gln = _key13(parts[0], parts[1])
            return f"{DL_ROOT}/414/{gln}" + (f"/254/{ext}" if ext != "0" else "")
        if scheme == "pgln" and len(parts) == 2:
            return f"{DL_ROOT}/417/{_key13(parts[0], parts[1])}"
        if scheme == "grai" and len(parts) >= 3:
            return f"{DL_ROOT}/8003/0{_key13(parts[0], parts[1])}{unquote('.'.join(parts[2:]))}"
        if scheme == "giai" and len(parts) >= 2:
            return f"{DL_ROOT}/8004/{parts[0]}{unquote('.'.join(parts[1:]))}"
        if scheme == "gsrn" and len(parts) == 2:
            body = parts[0] + parts[1]
            return f"{DL_ROOT}/8018/{body}{gs1_check_digit(body)}"
        if scheme == "gdti" and len(parts) >= 3:
            return f"{DL_ROOT}/253/{_key13(parts[0], parts[1])}{unquote('.'.join(parts[2:]))}"
    except ValueError:
        return None
    return None


# CBV 2.0 hash algorithm rule 18 (III): the keys and key qualifiers a constrained canonical Digital
# Link keeps, most fine-grained first within each primary key.
_DL_KEEP: dict[str, tuple[tuple[str, ...], ...]] = {
    "01": (("21",), ("10",), ("235",), ()),
    "414": (("254",), ()),
    "8006": (("21",), ("10",), ()),
    "8010": (("8011",), ()),
}
_DL_PRIMARY = {
    "00",
    "01",
    "253",
    "255",
    "401",
    "402",
    "414",
    "417",
    "8003",
    "8004",
    "8006",
    "8010",
    "8017",
    "8018",
}


def canonical_digital_link(uri: str) -> str | None:
    """A GS1 Digital Link URI (on any domain) in its constrained canonical form, or None when the
    path holds no GS1 primary key."""
    parts = urlsplit(uri)
    if parts.scheme not in ("http", "https"):
        return None
    segments = [s for s in parts.path.split("/") if s]
    # The key may follow a path prefix of the resolver's own; find the first primary key.
    for start in range(len(segments) - 1):
        ai = segments[start]
        if ai not in _DL_PRIMARY:
            continue
        value = unquote(segments[start + 1])
        pairs = dict(
            zip(segments[start + 2 :: 2], (unquote(s) for s in segments[start + 3 :: 2]), strict=False)
        )
        if ai == "01" and value.isdigit():
            value = value.zfill(14)
        out = f"{DL_ROOT}/{ai}/{value}"
        for qualifiers in _DL_KEEP.get(ai, ((),)):
            if all(q in pairs for q in qualifiers):
                for q in qualifiers:
                    out += f"/{q}/{pairs[q]}"
                break
        return out
    return None


@lru_cache(maxsize=65_536)  # a bulk capture names the same parties and lots over and over
def canonical_identifier(value: str) -> str:
    """The one form the platform keys an identifier by: canonical Digital Link for GS1 keys
    (URN or Digital Link alike), the URI itself otherwise (a trace code URN, a company's own URI)."""
    text = value.strip()
    if text.startswith("urn:epc:"):
        return urn_to_digital_link(text) or text
    if text.startswith(("http://", "https://")):
        return canonical_digital_link(text) or text
    return text


@dataclass(frozen=True)
class ParsedKey:
    """What a canonical identifier says: the GTIN and lot of a class-level lot, a serial, a GLN."""

    identifier: str
    gtin: str = ""
    lot: str = ""
    serial: str = ""
    scheme: str = ""  # "gs1" or a trace-code scheme's code
    code: str = ""  # a trace code as printed


@lru_cache(maxsize=65_536)  # a capture parses every new lot's key; ParsedKey is immutable
def parse_identifier(identifier: str) -> ParsedKey:
    if identifier.startswith(DL_ROOT + "/01/"):
        seg = identifier[len(DL_ROOT) + 1 :].split("/")
        pairs = dict(zip(seg[::2], seg[1::2], strict=False))
        return ParsedKey(
            identifier,
            gtin=pairs.get("01", ""),
            lot=pairs.get("10", ""),
            serial=pairs.get("21", ""),
            scheme="gs1",
        )
    if identifier.startswith(CN_PREFIX):
        scheme, _, code = identifier[len(CN_PREFIX) :].partition(":")
        return ParsedKey(identifier, scheme=scheme, code=code, lot=code)
    return ParsedKey(identifier)


# -- Chinese trace codes and what a consumer types -----------------------------------------------


@dataclass(frozen=True)
class TraceCodeScheme:
    code: str
    name: str
    pattern: str
    product_line: str
    source: str
    verification: str


@lru_cache(maxsize=1)
def trace_code_schemes() -> tuple[TraceCodeScheme, ...]:
    data = tomllib.loads((DATA / "trace-codes.toml").read_text(encoding="utf-8"))
    return tuple(
        TraceCodeScheme(
            code=s["code"],
            name=s["name"],
            pattern=s["pattern"],
            product_line=s.get("product_line", "other"),
            source=s["source"],
            verification=s["verification"],
        )
        for s in data["scheme"]
    )


def trace_code_uri(scheme: str, code: str) -> str:
    return f"{CN_PREFIX}{scheme}:{code.strip().upper()}"


_GS1_ELEMENT = re.compile(r"\((\d{2,4})\)([^(]+)")


def parse_gs1_element_string(text: str) -> str | None:
    """A human-readable GS1 element string as printed under a barcode, e.g.
    "(01)06901234567892(10)A2203": the canonical Digital Link of its GTIN with lot or serial."""
    pairs = dict(_GS1_ELEMENT.findall(text.replace(" ", "")))
    gtin = pairs.get("01", "")
    if not (gtin.isdigit() and len(gtin) in (8, 12, 13, 14)):
        return None
    gtin = gtin.zfill(14)
    if gs1_check_digit(gtin[:-1]) != gtin[-1]:
        return None
    out = f"{DL_ROOT}/01/{gtin}"
    if "21" in pairs:
        return f"{out}/21/{pairs['21']}"
    if "10" in pairs:
        return f"{out}/10/{pairs['10']}"
    return out


def public_code(identifier: str) -> str:
    """The short form of an identifier in the public page's address (and its QR code): a Digital
    Link's path ("01/06901234123451/10/F2203A"), "cn/<scheme>/<code>" for a Chinese trace code."""
    if identifier.startswith(DL_ROOT + "/"):
        return identifier[len(DL_ROOT) + 1 :]
    if identifier.startswith(CN_PREFIX):
        scheme, _, code = identifier[len(CN_PREFIX) :].partition(":")
        return f"cn/{scheme}/{code}"
    return identifier


def resolve_typed_code(text: str) -> list[str]:
    """The canonical identifiers a code a consumer typed or scanned may stand for: a Digital Link
    or EPC URN as it is; a GS1 element string; else every trace-code scheme whose pattern it fits
    (a bare number may fit more than one; the caller keeps the ones the platform holds)."""
    value = text.strip()
    if not value or len(value) > 300:
        return []
    if value.startswith(("urn:", "http://", "https://")):
        return [canonical_identifier(value)]
    if re.fullmatch(r"(00|01|253|255|401|402|414|417|8003|8004|8006|8010|8017|8018)/.+", value):
        return [canonical_digital_link(f"{DL_ROOT}/{value}") or f"{DL_ROOT}/{value}"]
    if value.startswith("cn/") and value.count("/") == 2:
        _cn, scheme, code = value.split("/")
        return [trace_code_uri(scheme, code)]
    if value.startswith("("):
        dl = parse_gs1_element_string(value)
        return [dl] if dl else []
    compact = re.sub(r"[\s-]", "", value).upper()
    return [trace_code_uri(s.code, compact) for s in trace_code_schemes() if re.fullmatch(s.pattern, compact)]
