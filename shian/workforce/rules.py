"""Rules of the workforce module: inspectors' yearly training hours and certificate validity,
coordinators per 10,000 residents, the sectors whose liability insurance is followed. Pure Python:
the data (data/workforce-rules.toml) is passed in; a date before every edition is a LookupError in
Chinese."""

from __future__ import annotations

import datetime as dt
import tomllib
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

DATA = Path(__file__).resolve().parent / "data"


@cache
def workforce_rules() -> dict[str, Any]:
    return tomllib.loads((DATA / "workforce-rules.toml").read_text(encoding="utf-8"))


def edition(part: str, on: dt.date, data: dict[str, Any] | None = None) -> dict[str, Any]:
    found = [e for e in (data or workforce_rules())[part] if e["valid_from"] <= on]
    if not found:
        raise LookupError(
            _("%(value)s 不在平台所载“%(part)s”规则的适用期内") % {"value": on.isoformat(), "part": part}
        )
    return max(found, key=lambda e: e["valid_from"])


def training_hours_required(on: dt.date, data: dict[str, Any] | None = None) -> Decimal:
    """《食品安全法》第一百一十六条 (training and assessment of enforcement staff); the hours a year
    are the district's setting."""
    return Decimal(str(edition("inspector", on, data)["training_hours_per_year"]))


def training_met(hours: Decimal, *, on: dt.date, data: dict[str, Any] | None = None) -> bool:
    return hours >= training_hours_required(on, data)


def certificate_valid(valid_until: dt.date | None, *, on: dt.date) -> bool:
    """A law-enforcement certificate (执法证) is valid through its last day; none is not valid."""
    return valid_until is not None and on <= valid_until


def coordinators_needed(population: int, *, on: dt.date, data: dict[str, Any] | None = None) -> int:
    """Plan task 二十二: one full-time coordinator per 10,000 residents, rounded up (a town of 25,000
    needs 3)."""
    rate = Decimal(str(edition("coordinator", on, data)["per_10k_residents"]))
    if population <= 0:
        return 0
    need = Decimal(population) / Decimal(10000) * rate
    whole = int(need)
    return whole if need == whole else whole + 1


def insured_sectors(on: dt.date, data: dict[str, Any] | None = None) -> list[str]:
    return list(edition("insurance", on, data)["sectors"])


def policy_in_force(starts: dt.date, ends: dt.date, *, on: dt.date) -> bool:
    return starts <= on <= ends
