from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal

import pytest

from shian.core import indicators
from shian.core.tests.factories import TOWN_A, TOWN_B

from .factories import SHANGHAI, roster, stub_indicator, town_report


@pytest.fixture
def stub(monkeypatch) -> Callable[[str, Mapping[str, Decimal | int | float | str | None]], None]:
    """Register a stand-in for a not-yet-built indicator for one test."""

    def register(code: str, values: Mapping[str, Decimal | int | float | str | None]) -> None:
        monkeypatch.setitem(indicators._REGISTRY, code, stub_indicator(code, values))

    return register


@pytest.fixture
def quarter_data(db, stub):
    """Town A: 7 coordinators for 68,000 residents, its Q1 report on time, 98 % samples passed.
    Town B: 3 coordinators for 62,000, its Q1 report never sent, 49 % passed."""
    roster({TOWN_A: 7, TOWN_B: 3})
    town_report(
        region=TOWN_A,
        period="Q1",
        due=dt.date(2022, 4, 15),
        submitted_at=dt.datetime(2022, 4, 14, 10, tzinfo=SHANGHAI),
    )
    town_report(region=TOWN_B, period="Q1", due=dt.date(2022, 4, 15), submitted_at=None)
    stub("sampling.pass_rate", {TOWN_A: 98, TOWN_B: 49})
