"""Who sees the index: published to every town (all towns' scores, ranks and breakdowns), drafts
only to the district office; everyone else gets the same 404 as for a quarter never computed."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.http import Http404

from shian.core.models import AuditSource
from shian.core.tests.factories import TOWN_A, TOWN_B
from shian.metrics.selectors import (
    index_components_for_user,
    index_for_user,
    index_trend_for_user,
)
from shian.metrics.services import index_compute, index_publish


@pytest.fixture
def draft(quarter_data, personas):
    return index_compute(actor=personas("district_officer"), source=AuditSource.WEB, year=2022, quarter=2)


@pytest.fixture
def published(draft, personas):
    return index_publish(actor=personas("district_officer"), source=AuditSource.WEB, run=draft)


def test_a_town_officer_sees_every_towns_published_score_and_rank(published, personas):
    table = index_for_user(user=personas("town_a_officer"), year=2022, quarter=2)
    rows = {r.region_id: r for r in table.rows}
    assert (rows[TOWN_B].score, rows[TOWN_B].rank) == (D("37.10"), 2)
    assert table.rows[0].region_id == TOWN_A  # ranked first, then 数据不足 towns
    assert table.scored == 2
    assert "inspections.coverage" in {m.code for m in table.missing}
    assert "sampling.pass_rate" not in {m.code for m in table.missing}


def test_a_town_officer_sees_another_towns_published_breakdown(published, personas):
    comps = index_components_for_user(user=personas("town_a_officer"), year=2022, quarter=2, region=TOWN_B)
    assert comps[0].code == "sampling.pass_rate"  # heaviest first
    assert {c.code: c.normalised for c in comps}["core.coordinators_per_10k"] == D("48.39")


@pytest.mark.parametrize(
    "name", ["town_a_officer", "town_b_officer", "education_liaison", "inspector", "viewer"]
)
def test_drafts_are_hidden_from_those_who_do_not_manage_the_index(draft, personas, name):
    with pytest.raises(Http404):
        index_for_user(user=personas(name), year=2022, quarter=2)
    with pytest.raises(Http404):
        index_components_for_user(user=personas(name), year=2022, quarter=2, region=TOWN_A)


def test_the_district_office_sees_the_draft(draft, personas):
    table = index_for_user(user=personas("district_officer"), year=2022, quarter=2)
    assert table.run.pk == draft.pk


@pytest.mark.parametrize("name", ["lab"])
def test_people_without_plan_view_get_404_even_for_a_published_index(published, personas, name):
    with pytest.raises(Http404):
        index_for_user(user=personas(name), year=2022, quarter=2)


def test_anonymous_gets_404(published):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(Http404):
        index_for_user(user=AnonymousUser(), year=2022, quarter=2)


def test_trend_series_lists_published_quarters_and_drafts_only_on_request(published, personas):
    index_compute(actor=personas("district_officer"), source=AuditSource.WEB, year=2022, quarter=3)
    town_officer = personas("town_b_officer")
    assert [(p.quarter, p.score) for p in index_trend_for_user(user=town_officer, region=TOWN_B)] == [
        (2, D("37.10"))
    ]
    assert len(index_trend_for_user(user=town_officer, region=TOWN_B, include_drafts=True)) == 1
    office = index_trend_for_user(user=personas("district_officer"), region=TOWN_B, include_drafts=True)
    assert [(p.quarter, p.status) for p in office] == [(2, "published"), (3, "draft")]


def test_ranking_table_takes_three_queries_whatever_the_number_of_towns(
    published, personas, django_assert_num_queries
):
    user = personas("town_a_officer")
    with django_assert_num_queries(3):  # the run, the towns with their regions, their components
        table = index_for_user(user=user, year=2022, quarter=2)
        assert all(r.region.name for r in table.rows)
        assert table.missing
