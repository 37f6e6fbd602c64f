"""The index pages read the same stored figures: a town's component value and score are the same
in the quarter's ranking and on the town's own page, and a component without data reads 缺数据,
excluded, with the weights the score actually used."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from shian.core.models import AuditSource
from shian.core.tests.factories import TOWN_B
from shian.metrics.selectors import index_components_for_user, index_for_user
from shian.metrics.services import index_compute, index_publish


@pytest.fixture
def published(quarter_data, personas):
    run = index_compute(actor=personas("district_officer"), source=AuditSource.WEB, year=2022, quarter=2)
    return index_publish(actor=personas("district_officer"), source=AuditSource.WEB, run=run)


def test_ranking_and_town_page_show_the_same_value_and_score(published, client_for):
    """Town B's 食品抽检合格率: value 49 (%), score 49/98 × 100 = 50. The ranking used to show the
    score where the town page showed the value, so the same component read two numbers."""
    client = client_for("town_a_officer")
    resp = client.get("/index/2022/q2/")
    assert resp.status_code == 200, resp
    ranking = resp.content.decode()
    town = client.get(f"/index/towns/{TOWN_B}/?year=2022&quarter=2").content.decode()
    assert "食品抽检合格率 数值 49 · 得分 50" in ranking
    row = town[town.index("<td>食品抽检合格率</td>") :].split("</tr>")[0]
    assert "<td>49</td>" in row and "<td>50</td>" in row


def test_missing_components_read_missing_and_the_used_weights_are_renormalised(published, personas):
    """docs/town-index.md §4: pass rate 0.2, coordinators 0.1 and reports 0.1 have data (0.4 in all):
    they count 50 %, 25 % and 25 %; a component without data carries no weight, never a score."""
    user = personas("town_a_officer")
    comps = {c.code: c for c in index_components_for_user(user=user, year=2022, quarter=2, region=TOWN_B)}
    assert comps["sampling.pass_rate"].used_weight == D("0.5")
    assert comps["core.coordinators_per_10k"].used_weight == D("0.25")
    assert comps["complaints.handled_on_time"].missing
    assert comps["complaints.handled_on_time"].used_weight is None
    assert comps["complaints.handled_on_time"].normalised is None
    table = index_for_user(user=user, year=2022, quarter=2)
    assert "complaints.handled_on_time" in {m.code for m in table.missing}
