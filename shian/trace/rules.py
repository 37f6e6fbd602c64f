"""Rules of traceability (pure Python, no Django import): which proofs imported cold-chain food
needed on a date, the 三专三证五不准 checklist, who should record trace events, and the growth of
consumer queries against the year before (plan target T20). Rule data lives in data/*.toml with
its source and verification label; each function says which edition it used."""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"


# What a user reads for each rule set of this module (a message never shows the data's own key).
RULE_NAMES = {
    "cold-chain": "进口冷链食品出入库查验规则",
    "cold-chain checklist": "“三专三证五不准”检查表",
    "coverage": "电子追溯应记录主体范围",
}


class NoEditionInForce(Exception):
    """A date before every edition of a rule: the platform answers so rather than guessing."""

    def __init__(self, rule: str, on: dt.date) -> None:
        super().__init__(f"{on.isoformat()} 没有施行中的{RULE_NAMES.get(rule, rule)}版本")
        self.rule, self.on = rule, on


def _load(name: str) -> dict[str, Any]:
    return tomllib.loads((DATA / name).read_text(encoding="utf-8"))


def _in_force(editions: list[dict[str, Any]], on: dt.date, rule: str) -> dict[str, Any]:
    found = [e for e in editions if e["valid_from"] <= on]
    if not found:
        raise NoEditionInForce(rule, on)
    return max(found, key=lambda e: e["valid_from"])


# -- imported cold-chain food ---------------------------------------------------------------------

PROOF_FIELDS = (
    "customs_declaration",
    "quarantine_certificate",
    "nucleic_acid_proof",
    "disinfection_proof",
    "trace_code",
)


@dataclass(frozen=True)
class ColdChainEdition:
    id: str
    valid_from: dt.date
    source: str
    verification: str
    required_in: tuple[str, ...]
    required_out: tuple[str, ...]


@lru_cache(maxsize=1)
def _cold_chain() -> dict[str, Any]:
    return _load("cold-chain.toml")


def cold_chain_edition(on: dt.date) -> ColdChainEdition:
    e = _in_force(_cold_chain()["edition"], on, "cold-chain")
    return ColdChainEdition(
        id=e["id"],
        valid_from=e["valid_from"],
        source=e["source"],
        verification=e["verification"],
        required_in=tuple(e["required_in"]),
        required_out=tuple(e["required_out"]),
    )


def cold_chain_missing(*, on: dt.date, direction: str, proofs: dict[str, str]) -> tuple[str, list[str]]:
    """(edition id, the proofs the edition in force on `on` required for this direction and the
    record lacks). Raises NoEditionInForce before the first edition."""
    edition = cold_chain_edition(on)
    required = edition.required_in if direction == "in" else edition.required_out
    return edition.id, [f for f in required if not (proofs.get(f) or "").strip()]


@dataclass(frozen=True)
class ChecklistItem:
    code: str
    group: str
    text: str


@dataclass(frozen=True)
class Checklist:
    id: str
    source: str
    verification: str
    items: tuple[ChecklistItem, ...]


def cold_chain_checklist(on: dt.date) -> Checklist:
    c = _in_force(_cold_chain()["checklist"], on, "cold-chain checklist")
    return Checklist(
        id=c["id"],
        source=c["source"],
        verification=c["verification"],
        items=tuple(ChecklistItem(i["code"], i["group"], i["text"]) for i in c["item"]),
    )


def checklist_passed(checklist: Checklist, answers: dict[str, bool]) -> bool:
    """Every item met. An item not answered is not met."""
    return all(answers.get(i.code) is True for i in checklist.items)


# -- who should record ----------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _coverage() -> dict[str, Any]:
    return _load("coverage.toml")


def recording_types(on: dt.date) -> tuple[str, frozenset[str]]:
    """(edition id, the business types expected to record trace events on `on`)."""
    e = _in_force(_coverage()["edition"], on, "coverage")
    return e["id"], frozenset(e["types"])


# -- consumer queries against the year before (plan task 二十, target T20) ------------------------


def same_span_a_year_before(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The period a year earlier (29 February becomes 28 February)."""

    def back(d: dt.date) -> dt.date:
        try:
            return d.replace(year=d.year - 1)
        except ValueError:
            return d.replace(year=d.year - 1, day=28)

    return back(start), back(end)


def growth_percent(current: int, previous: int) -> Decimal | None:
    """(current − previous) ÷ previous × 100; None when there is no previous figure to compare."""
    if previous <= 0:
        return None
    return (Decimal(current) - Decimal(previous)) / Decimal(previous) * 100
