"""What the sources and workforce modules put on a person's to-do list."""

from __future__ import annotations

import datetime as dt

import pytest

from shian.core.todo import todo_for

from .helpers import TOWN_B, liaison, save

pytestmark = pytest.mark.django_db


def test_the_grain_unit_is_told_of_rice_lots_without_a_cadmium_test():
    grain = liaison("grain")
    save("grain-stores", grain, code="S1", name="粮库", capacity_tonnes="1000", region=TOWN_B)
    for code, g in (("L1", "rice"), ("L2", "rice"), ("L3", "wheat")):
        save(
            "grain-lots",
            grain,
            code=code,
            store="S1",
            grain=g,
            harvest_year=2022,
            tonnes="500",
            received_on="2022-10-01",
            region=TOWN_B,
        )
    save(
        "grain-tests",
        grain,
        lot="L1",
        direction="intake",
        lab="检验站",
        report_no="R1",
        tested_on="2022-10-02",
        cadmium_mg_kg="0.03",
        region=TOWN_B,
    )
    items = {i.key: i for i in todo_for(grain, today=dt.date(2022, 11, 1))}
    assert items["rice_lots_without_cadmium"].count == 1
    assert "phase_outs_open" not in items  # the grain unit does not keep the pesticide phase-out


def test_a_town_office_is_told_its_coordinators_are_short(personas):
    town_b = personas("town_b_officer")  # 天穆镇, 62,000 residents: 7 needed, none in post
    items = {i.key: i for i in todo_for(town_b, today=dt.date(2022, 6, 30))}
    assert items["coordinators_short"].count == 7
    assert "certificates_expiring" not in items
