"""The index's pure rules, one test per rule. Source of every rule: docs/town-index.md and the
edition data/index-2022.toml (a local rule of the district office: no official formula exists for
the index the plan's task (二) asks for)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shian.metrics import rules

EDITION_TOML = """
[[edition]]
id = "{id}"
valid_from = {valid_from}
source = "test"
verification = "local"
min_coverage = 0.3
levels = ["street", "town"]
{components}
"""

COMPONENT = """
[[edition.component]]
code = "{code}"
name = "测试"
weight = {weight}
direction = "{direction}"
method = "{method}"
{extra}
"""


def edition_text(*components: str, id: str = "e1", valid_from: str = "2022-01-01") -> str:
    return EDITION_TOML.format(id=id, valid_from=valid_from, components="".join(components))


def component(
    code: str = "a.b",
    weight: str = "1",
    direction: str = "higher",
    method: str = "target",
    extra: str = "target = 100",
) -> str:
    return COMPONENT.format(code=code, weight=weight, direction=direction, method=method, extra=extra)


# ------------------------------------------------------------------ normalisation


def test_target_higher_is_share_of_target_capped_at_100():
    """docs/town-index.md, method "target", higher is better: min(value / target, 1) × 100."""
    assert rules.score_target_higher(D(49), D(98)) == D(50)
    assert rules.score_target_higher(D(98), D(98)) == D(100)
    assert rules.score_target_higher(D(100), D(98)) == D(100)  # over-achieving earns nothing more
    assert rules.score_target_higher(D("1.5"), D(1)) == D(100)  # 1.5 coordinators per 10,000
    assert rules.score_target_higher(D(0), D(98)) == D(0)


def test_target_lower_is_full_at_target_and_falls_linearly_to_zero_at_worst():
    """docs/town-index.md, method "target", lower is better: 100 at or below the target, 0 at the
    worst value, linear in between (incidents: target 0, worst 5 per 100,000)."""
    assert rules.score_target_lower(D(0), D(0), D(5)) == D(100)
    assert rules.score_target_lower(D("2.5"), D(0), D(5)) == D(50)
    assert rules.score_target_lower(D(4), D(0), D(5)) == D(20)
    assert rules.score_target_lower(D(5), D(0), D(5)) == D(0)
    assert rules.score_target_lower(D(9), D(0), D(5)) == D(0)


def test_minmax_scores_best_town_100_and_worst_0():
    """docs/town-index.md, method "minmax": relative to the best and worst town of the quarter."""
    assert rules.score_minmax({"a": D(20), "b": D(60), "c": D(40)}, "higher") == {
        "a": D(0),
        "b": D(100),
        "c": D(50),
    }
    assert rules.score_minmax({"a": D(20), "b": D(60), "c": D(40)}, "lower") == {
        "a": D(100),
        "b": D(0),
        "c": D(50),
    }


def test_minmax_with_all_towns_equal_gives_every_town_100_and_keeps_missing_missing():
    """docs/town-index.md: when all towns with data are equal each is the best (no division by zero);
    a town without data stays missing and does not move the range."""
    assert rules.score_minmax({"a": D(7), "b": D(7), "c": None}, "higher") == {
        "a": D(100),
        "b": D(100),
        "c": None,
    }
    assert rules.score_minmax({"a": None}, "higher") == {"a": None}


def test_normalise_rounds_component_scores_to_two_decimals():
    comp = rules.Component(
        code="core.coordinators_per_10k",
        name="协管员",
        weight=D("0.1"),
        direction="higher",
        method="target",
        target=D(1),
    )
    assert rules.normalise(comp, {"a": D("0.4839"), "b": None}) == {"a": D("48.39"), "b": None}


# ------------------------------------------------------------------ combining


def test_missing_components_are_left_out_and_the_other_weights_renormalised():
    """docs/town-index.md, missing data: the index is the weighted mean of the available components,
    their weights re-normalised to sum to 1; coverage is the available share of the weight."""
    result = rules.combine([(D("0.2"), D(80)), (D("0.1"), None), (D("0.1"), D(60))], D("0.3"))
    assert result.score == D("73.33")  # (0.2×80 + 0.1×60) / 0.3, not / 0.4
    assert result.coverage == D("0.75")
    assert result.contributions[1] is None


def test_town_below_the_coverage_threshold_gets_no_score():
    """docs/town-index.md, coverage threshold (min_coverage = 0.3 in the 2022 edition): below it the
    town is published as 数据不足 — its coverage is still shown."""
    result = rules.combine([(D("0.2"), None), (D("0.1"), D(100)), (D("0.7"), None)], D("0.3"))
    assert result.score is None
    assert result.coverage == D("0.1")
    assert result.contributions == (None, None, None)


def test_town_exactly_at_the_coverage_threshold_gets_a_score():
    result = rules.combine([(D("0.3"), D(90)), (D("0.7"), None)], D("0.3"))
    assert result.score == D(90)


def test_contributions_are_weight_times_score_over_available_weight():
    result = rules.combine([(D("0.2"), D(50)), (D("0.1"), D("48.39")), (D("0.1"), D(0))], D("0.3"))
    assert result.score == D("37.10")  # (10 + 4.839 + 0) / 0.4 = 37.0975
    assert result.contributions == (D("25.00"), D("12.10"), D("0.00"))


@given(
    st.lists(
        st.tuples(st.integers(1, 40), st.one_of(st.none(), st.integers(0, 10000))), min_size=1, max_size=10
    )
)
def test_contributions_always_add_up_to_the_published_score(parts):
    """docs/town-index.md: contributions are rounded (largest remainder) so that they add up to the
    town's score exactly, as printed."""
    weighted = [(D(w) / 100, None if s is None else D(s) / 100) for w, s in parts]
    result = rules.combine(weighted, D("0.000001"))
    if result.score is None:
        assert all(s is None for _, s in weighted)
        return
    assert sum(c for c in result.contributions if c is not None) == result.score
    assert all(
        c is not None and c >= 0
        for c, (_, s) in zip(result.contributions, weighted, strict=True)
        if s is not None
    )


# ------------------------------------------------------------------ rank and trend


def test_equal_scores_share_a_rank_and_the_next_rank_skips():
    """docs/town-index.md, ranking: competition ranking on the published score (1, 2, 2, 4)."""
    ranks = rules.rank({"a": D("90.00"), "b": D("85.50"), "c": D("85.50"), "d": D("80"), "e": None})
    assert ranks == {"a": 1, "b": 2, "c": 2, "d": 4, "e": None}


def test_trend_against_previous_published_quarter_with_tolerance():
    """docs/town-index.md, trend: up / down beyond ±trend_tolerance points, else flat; new without a
    previous score; none without a score now."""
    tol = D("0.5")
    assert rules.trend(D(80), D(70), tol) == rules.Trend.UP
    assert rules.trend(D(70), D(80), tol) == rules.Trend.DOWN
    assert rules.trend(D("80.5"), D(80), tol) == rules.Trend.FLAT
    assert rules.trend(D(80), None, tol) == rules.Trend.NEW
    assert rules.trend(None, D(80), tol) == rules.Trend.NONE


def test_previous_quarter_of_the_first_is_last_years_fourth():
    assert rules.previous_quarter(2022, 1) == (2021, 4)
    assert rules.previous_quarter(2022, 3) == (2022, 2)


# ------------------------------------------------------------------ the edition data


def test_shipped_2022_edition_is_local_sums_to_one_and_uses_the_plans_coordinator_target():
    """data/index-2022.toml: verification "local"; coordinators scored against 1 per 10,000
    residents (plan task (二十二) “按照常住人口1人/每万人标准配备食品安全专职协管员”)."""
    edition = rules.edition_in_force(dt.date(2022, 3, 31))
    assert edition.verification == "local"
    assert edition.total_weight == 1
    assert edition.min_coverage == D("0.3")
    coord = next(c for c in edition.components if c.code == "core.coordinators_per_10k")
    assert (coord.direction, coord.method, coord.target) == ("higher", "target", D(1))
    incidents = next(c for c in edition.components if c.code == "incidents.count_per_100k")
    assert (incidents.direction, incidents.target, incidents.worst) == ("lower", D(0), D(5))
    assert {c.method for c in edition.components} == {"target"}


def test_campaign_coverage_of_zero_scores_zero_not_100():
    """data/index-2022.toml edition 2022.2: 专项行动覆盖率 is scored against full coverage of the
    campaigns' scope. Scored relative to the other towns (2022.1) a district where no town had a
    campaign inspection gave every town 100 for a value of 0."""
    edition = rules.edition_in_force(dt.date(2022, 12, 31))
    campaign = next(c for c in edition.components if c.code == "inspections.campaign_coverage")
    assert rules.normalise(campaign, {"a": D(0), "b": D(0)}) == {"a": D("0.00"), "b": D("0.00")}
    assert rules.normalise(campaign, {"a": D(50)}) == {"a": D("50.00")}


def test_edition_whose_weights_do_not_sum_to_one_is_refused():
    text = edition_text(component("a.b", "0.5"), component("c.d", "0.4"))
    with pytest.raises(rules.EditionError, match=r"weights sum to 0\.9"):
        rules.parse_editions(text)


def test_edition_with_target_method_but_no_target_or_worst_is_refused():
    text = edition_text(
        component("a.b", "0.5", extra=""), component("c.d", "0.5", direction="lower", extra="target = 0")
    )
    with pytest.raises(rules.EditionError) as exc:
        rules.parse_editions(text)
    assert len(exc.value.problems) == 2


def test_edition_in_force_is_the_latest_not_after_the_date():
    text = edition_text(component(), id="old", valid_from="2022-01-01") + edition_text(
        component(), id="new", valid_from="2023-01-01"
    )
    editions = rules.parse_editions(text)
    assert rules.edition_in_force(dt.date(2022, 12, 31), editions).id == "old"
    assert rules.edition_in_force(dt.date(2023, 3, 31), editions).id == "new"
    with pytest.raises(LookupError):
        rules.edition_in_force(dt.date(2021, 12, 31), editions)
