"""EPCIS 2.0 document validation (pure Python, no Django import).

A captured document is checked against GS1's EPCIS 2.0 JSON Schema (data/epcis-json-schema-2.0.json)
and then against the standard's rules the schema cannot express and the platform's own
(data/epcis-rules.toml). Every problem carries the JSON pointer (RFC 6901) of the value it concerns,
so a business can find it in its file; a document with any problem is refused whole.

The schema is applied by jsonschema-rs (a compiled draft-07 validator): the reference Python
implementation, jsonschema, takes about 7 ms for one event of this schema on the development
machine, far from the bulk capture target; the test suite checks that both libraries agree on
GS1's example documents and on every broken document of the tests.
"""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema_rs

DATA = Path(__file__).resolve().parent / "data"
SCHEMA_FILE = DATA / "epcis-json-schema-2.0.json"
EVENT_TYPES = (
    "ObjectEvent",
    "AggregationEvent",
    "TransformationEvent",
    "TransactionEvent",
    "AssociationEvent",
)
# Identifier lists and quantity lists of each event type: where the "what" of an event lives.
EPC_LISTS = ("epcList", "childEPCs", "inputEPCList", "outputEPCList")
QUANTITY_LISTS = ("quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList")
MAX_EVENTS = 100_000


@dataclass(frozen=True)
class Problem:
    """One reason a document is refused: where (JSON pointer), which check, what to do."""

    pointer: str
    code: str
    message: str
    detail: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"pointer": self.pointer, "code": self.code, "message": self.message, "detail": self.detail}


def pointer(path: Iterable[str | int]) -> str:
    """RFC 6901: "/" before each token, "~" written "~0" and "/" written "~1"."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return data


@lru_cache(maxsize=1)
def _validator() -> Any:
    return jsonschema_rs.validator_for(schema(), validate_formats=True)


@lru_cache(maxsize=1)
def rule_messages() -> dict[str, str]:
    data = tomllib.loads((DATA / "epcis-rules.toml").read_text(encoding="utf-8"))
    return {r["code"]: r["message"] for r in data["rule"]}


# Chinese wording per JSON Schema keyword; the library's own message goes beside it as detail.
_KEYWORD_MESSAGES = {
    "required": "缺少必填字段",
    "enum": "取值不在标准允许的范围内",
    "const": "取值与标准要求不符",
    "type": "数据类型不符",
    "format": "格式不符",
    "pattern": "格式不符",
    "additionalProperties": "出现标准未定义的字段",
    "propertyNames": "字段名不是标准字段，也不是带命名空间的扩展字段",
    "anyOf": "不满足标准要求的任一种组合（例如 ObjectEvent 须有 epcList 或 quantityList）",
    "oneOf": "不满足标准要求的唯一一种组合",
    "minItems": "列表元素个数不足",
    "uniqueItems": "列表中有重复元素",
    "not": "取值不被允许",
}


def _best(errors: list[Any]) -> list[Any]:
    """The errors worth showing: inside an anyOf, the branch that went deepest into the document
    (the one the author most likely meant), recursively."""
    out = []
    for error in errors:
        context = getattr(error.kind, "context", None)
        if error.kind.name in ("anyOf", "oneOf") and context:
            branches = [b for b in context if b]
            if branches:
                deepest = max(branches, key=lambda b: (max(len(e.instance_path) for e in b), -len(b)))
                if max(len(e.instance_path) for e in deepest) > len(error.instance_path):
                    out.extend(_best(deepest))
                    continue
        out.append(error)
    return out


def _schema_problems(doc: Any) -> list[Problem]:
    v = _validator()
    if v.is_valid(doc):
        return []
    problems: dict[tuple[str, str], Problem] = {}
    for error in _best(list(v.iter_errors(doc))):
        keyword = error.kind.name
        path = list(error.instance_path)
        if keyword == "propertyNames" and isinstance(error.instance, str):
            path.append(error.instance)
        key = (pointer(path), keyword)
        if key not in problems:
            message = _KEYWORD_MESSAGES.get(keyword, "不符合EPCIS 2.0 JSON Schema")
            problems[key] = Problem(key[0], f"schema:{keyword}", message, error.message[:300])
    return list(problems.values())


def events_of(doc: Any) -> list[Any]:
    body = doc.get("epcisBody") if isinstance(doc, dict) else None
    events = body.get("eventList") if isinstance(body, dict) else None
    return events if isinstance(events, list) else []


def _rule_problems(doc: Mapping[str, Any], *, now: dt.datetime) -> Iterator[Problem]:
    msg = rule_messages()
    events = events_of(doc)
    if not events:
        yield Problem("/epcisBody/eventList", "empty-document", msg["empty-document"])
    if len(events) > MAX_EVENTS:
        yield Problem("/epcisBody/eventList", "too-many-events", msg["too-many-events"], f"> {MAX_EVENTS}")
    latest = now + dt.timedelta(days=1)
    # Once per event of a bulk document: the pointer is written only when there is a problem.
    for i, event in enumerate(events):
        get = event.get
        kind = get("type")
        if kind == "ObjectEvent" and "ilmd" in event and get("action") != "ADD":
            yield Problem(f"/epcisBody/eventList/{i}/ilmd", "ilmd-only-on-add", msg["ilmd-only-on-add"])
        if "parentID" not in event and (
            kind == "AssociationEvent" or (kind == "AggregationEvent" and get("action") in ("ADD", "DELETE"))
        ):
            yield Problem(f"/epcisBody/eventList/{i}", "parent-required", msg["parent-required"])
        for name in QUANTITY_LISTS:
            items = get(name)
            if not items:
                continue
            for j, element in enumerate(items):
                q = element.get("quantity") if isinstance(element, dict) else None
                if isinstance(q, int | float) and q < 0:
                    yield Problem(
                        f"/epcisBody/eventList/{i}/{name}/{j}/quantity",
                        "negative-quantity",
                        msg["negative-quantity"],
                    )
        when = parse_time(get("eventTime"))
        if when is not None and when > latest:
            yield Problem(
                f"/epcisBody/eventList/{i}/eventTime",
                "future-event",
                msg["future-event"],
                str(get("eventTime")),
            )


def parse_time(value: Any) -> dt.datetime | None:
    """An RFC 3339 timestamp as an aware datetime (None when absent or malformed: the schema
    reports that)."""
    if not isinstance(value, str):
        return None
    return _parse_time(value)


@lru_cache(maxsize=65_536)  # a bulk document repeats its times; the result is immutable
def _parse_time(value: str) -> dt.datetime | None:
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def validate_document(doc: Any, *, now: dt.datetime) -> list[Problem]:
    """Every problem of a capture document; empty when it may be captured."""
    if not isinstance(doc, dict):
        return [Problem("", "schema:type", _KEYWORD_MESSAGES["type"], "an EPCISDocument is a JSON object")]
    if doc.get("type") != "EPCISDocument":
        return [
            Problem("/type", "document-type", rule_messages()["document-type"], str(doc.get("type"))[:60])
        ]
    problems = _schema_problems(doc)
    problems.extend(_rule_problems(doc, now=now))
    return problems
