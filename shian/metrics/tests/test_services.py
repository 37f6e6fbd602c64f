"""Computing and publishing the quarterly index: real data where the platform has it (the
coordinator roster, the towns' plan reports), stand-ins for modules not built yet, and the rules
of docs/town-index.md end to end."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shian.core import indicators
from shian.core.audit import audit_verify
from shian.core.models import AuditEntry, AuditSource
from shian.core.tests.factories import TOWN_A, TOWN_B
from shian.metrics.models import ComponentScore, IndexRun, RunStatus, TownIndexScore, Trend
from shian.metrics.services import index_compute, index_publish

from .factories import TOWN_C, roster

TOWNS_SCORED_BY_2022_EDITION = 17  # 8 streets and 9 towns; zones and farms are not in the edition


def compute(personas, year: int = 2022, quarter: int = 2) -> IndexRun:
    return index_compute(
        actor=personas("district_officer"), source=AuditSource.WEB, year=year, quarter=quarter
    )


def town(run: IndexRun, region: str) -> TownIndexScore:
    return run.towns.get(region_id=region)


def components(run: IndexRun, region: str) -> dict[str, ComponentScore]:
    return {
        c.code: c for c in ComponentScore.objects.filter(town_score__run=run, town_score__region_id=region)
    }


def test_index_is_weighted_mean_of_available_components_with_weights_renormalised(quarter_data, personas):
    """docs/town-index.md: the available components (pass rate 0.2, coordinators 0.1, reports 0.1)
    are averaged with their weights re-normalised over 0.4; coverage 0.4 is stored."""
    run = compute(personas)
    a, b = town(run, TOWN_A), town(run, TOWN_B)
    assert (a.score, a.coverage, a.rank) == (D("100.00"), D("0.4"), 1)
    # B: pass rate 49/98 → 50; 3 per 62,000 = 0.4839 per 10,000 → 48.39; reports 0 → 0.
    assert b.score == D("37.10")
    assert b.rank == 2
    comps = components(run, TOWN_B)
    assert comps["core.coordinators_per_10k"].raw_value == D("0.4839")
    assert comps["core.coordinators_per_10k"].normalised == D("48.39")
    assert comps["metrics.town_reports_on_time"].normalised == D(0)
    assert run.status == RunStatus.DRAFT
    assert run.edition_id == "beichen-index-2022.2"
    assert run.towns.count() == TOWNS_SCORED_BY_2022_EDITION


def test_contributions_of_a_town_add_up_to_its_score(quarter_data, personas):
    """docs/town-index.md: contribution = weight × score / sum of available weights."""
    run = compute(personas)
    comps = components(run, TOWN_B)
    assert comps["sampling.pass_rate"].contribution == D("25.00")  # 0.2 × 50 / 0.4
    assert (
        sum(c.contribution for c in comps.values() if c.contribution is not None) == town(run, TOWN_B).score
    )


def test_missing_components_are_stored_as_missing_not_as_zero(quarter_data, personas):
    """Components whose modules do not exist yet are shown as missing, never invented."""
    run = compute(personas)
    inspections = components(run, TOWN_A)["inspections.coverage"]
    assert inspections.missing
    assert (inspections.raw_value, inspections.normalised, inspections.contribution) == (None, None, None)
    assert "尚无数据来源" in inspections.note
    assert inspections.weight == D("0.15")  # its weight is shown, just not counted


def test_town_below_coverage_threshold_is_published_as_insufficient_data(quarter_data, personas):
    """docs/town-index.md: town C has only the coordinator component (weight 0.1 < min_coverage 0.3):
    no score and no rank, though its coordinator figure (0) is real data."""
    run = compute(personas)
    c = town(run, TOWN_C)
    assert (c.score, c.rank, c.trend) == (None, None, Trend.NONE)
    assert c.coverage == D("0.1")
    coord = components(run, TOWN_C)["core.coordinators_per_10k"]
    assert (coord.missing, coord.raw_value, coord.normalised, coord.contribution) == (False, D(0), D(0), None)


def test_without_the_modules_not_built_yet_no_town_gets_a_score(db, personas):
    """Today only coordinators and town reports exist (0.2 of the weight): every town is 数据不足."""
    roster({TOWN_A: 7})
    run = compute(personas)
    assert not run.towns.filter(score__isnull=False).exists()


def test_towns_with_equal_scores_share_a_rank_and_the_next_rank_skips(db, personas, stub):
    """docs/town-index.md, ranking: A and B score 100 and share first place; C is third, not second."""
    roster({TOWN_A: 7, TOWN_B: 7, TOWN_C: 7})  # all at or above 1 per 10,000 residents
    stub("sampling.pass_rate", {TOWN_A: 98, TOWN_B: 99, TOWN_C: 49})
    run = compute(personas)
    assert [
        (t.region_id, t.score, t.rank)
        for t in run.towns.filter(score__isnull=False).order_by("rank", "region")
    ] == [(TOWN_A, D("100.00"), 1), (TOWN_B, D("100.00"), 1), (TOWN_C, D("66.67"), 3)]


def test_trend_compares_with_the_previous_published_quarter(quarter_data, personas):
    """docs/town-index.md: trend against the town's published score of the previous quarter."""
    q1 = compute(personas, quarter=1)
    # Q1 has no reports due: A = 100 on 0.3 of the weight; B = (0.2×50 + 0.1×48.39) / 0.3 = 49.46.
    assert town(q1, TOWN_B).score == D("49.46")
    assert town(q1, TOWN_B).trend == Trend.NEW  # nothing published for 2021 Q4
    index_publish(actor=personas("district_officer"), source=AuditSource.WEB, run=q1)
    q2 = compute(personas, quarter=2)
    b = town(q2, TOWN_B)
    assert (b.previous_score, b.score, b.trend) == (D("49.46"), D("37.10"), Trend.DOWN)
    assert town(q2, TOWN_A).trend == Trend.FLAT


def test_a_draft_previous_quarter_gives_no_trend(quarter_data, personas):
    compute(personas, quarter=1)
    q2 = compute(personas, quarter=2)
    assert town(q2, TOWN_A).previous_score is None
    assert town(q2, TOWN_A).trend == Trend.NEW


def test_recomputing_a_draft_replaces_it_in_place(quarter_data, personas, stub):
    first = compute(personas)
    stub("sampling.pass_rate", {TOWN_A: 98, TOWN_B: 98})
    second = compute(personas)
    assert second.pk == first.pk
    assert IndexRun.objects.count() == 1
    assert TownIndexScore.objects.count() == TOWNS_SCORED_BY_2022_EDITION
    assert town(second, TOWN_B).score > D("37.10")
    update = AuditEntry.objects.filter(object_type="metrics.indexrun", action="update").get()
    assert update.before["scores"][TOWN_B] == "37.10"


def test_a_published_run_cannot_be_recomputed_or_published_again(quarter_data, personas, stub):
    officer = personas("district_officer")
    run = index_publish(actor=officer, source=AuditSource.WEB, run=compute(personas))
    assert run.status == RunStatus.PUBLISHED
    assert run.published_by == officer
    assert run.published_at is not None
    stub("sampling.pass_rate", {TOWN_A: 10, TOWN_B: 10})
    with pytest.raises(ValidationError) as recompute:
        compute(personas)
    assert recompute.value.code == "published"
    with pytest.raises(ValidationError) as republish:
        index_publish(actor=officer, source=AuditSource.WEB, run=run)
    assert republish.value.code == "published"
    assert town(run, TOWN_B).score == D("37.10")


def test_a_run_without_any_score_cannot_be_published(db, personas):
    run = compute(personas)
    with pytest.raises(ValidationError) as exc:
        index_publish(actor=personas("district_officer"), source=AuditSource.WEB, run=run)
    assert exc.value.code == "no_scores"
    run.refresh_from_db()
    assert run.status == RunStatus.DRAFT


def test_a_run_computed_before_the_previous_quarter_was_published_must_be_recomputed(quarter_data, personas):
    officer = personas("district_officer")
    q1 = compute(personas, quarter=1)
    q2 = compute(personas, quarter=2)
    index_publish(actor=officer, source=AuditSource.WEB, run=q1)
    with pytest.raises(ValidationError) as exc:
        index_publish(actor=officer, source=AuditSource.WEB, run=q2)
    assert exc.value.code == "stale_trend"
    q2 = compute(personas, quarter=2)
    assert index_publish(actor=officer, source=AuditSource.WEB, run=q2).status == RunStatus.PUBLISHED


@pytest.mark.parametrize("name", ["town_a_officer", "education_liaison", "inspector", "viewer", "lab"])
def test_only_the_district_office_computes_and_publishes(quarter_data, personas, name):
    """Cap.PLAN_MANAGE: a town officer cannot compute or publish its own (or any) index."""
    with pytest.raises(PermissionDenied):
        index_compute(actor=personas(name), source=AuditSource.WEB, year=2022, quarter=2)
    run = compute(personas)
    with pytest.raises(PermissionDenied):
        index_publish(actor=personas(name), source=AuditSource.WEB, run=run)
    run.refresh_from_db()
    assert run.status == RunStatus.DRAFT


def test_compute_and_publish_write_audit_entries_in_the_chain(quarter_data, personas):
    officer = personas("district_officer")
    run = compute(personas)
    created = AuditEntry.objects.get(object_type="metrics.indexrun", action="create")
    assert created.actor == officer
    assert "sampling.pass_rate" not in created.after["missing_components"]
    assert "inspections.coverage" in created.after["missing_components"]
    towns = AuditEntry.objects.filter(object_type="metrics.townindexscore")
    assert towns.count() == TOWNS_SCORED_BY_2022_EDITION
    assert towns.get(region_code=TOWN_B).after["score"] == "37.10"
    index_publish(actor=officer, source=AuditSource.WEB, run=run)
    published = AuditEntry.objects.get(object_type="metrics.indexrun", action="update")
    assert (published.before, published.after["status"]) == ({"status": "draft"}, "published")
    assert audit_verify().ok


def test_invalid_quarter_is_refused(db, personas):
    with pytest.raises(ValidationError):
        index_compute(actor=personas("district_officer"), source=AuditSource.WEB, year=2022, quarter=5)


def test_published_quarters_feed_the_plan_target_t02_index(quarter_data, personas):
    """Plan target T02-index (“每季度发布北辰区食品安全指数”) binds to metrics.index_quarters_published."""
    officer = personas("district_officer")
    index_publish(actor=officer, source=AuditSource.WEB, run=compute(personas, quarter=1))
    index_publish(actor=officer, source=AuditSource.WEB, run=compute(personas, quarter=2))
    compute(personas, quarter=3)
    result = indicators.compute("metrics.index_quarters_published", indicators.Period.year(2022))
    assert result.value == 2
