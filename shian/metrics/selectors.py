"""Reads of the food-safety index, scoped. The index is published to every town: anyone who may
view the plan sees every town's published scores, ranks and component breakdowns; drafts are seen
only by those who compute and publish the index (Cap.PLAN_MANAGE). Anything else is a 404."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import F, Prefetch, QuerySet
from django.http import Http404

from shian.core.permissions import Cap, has_cap

from .models import ComponentScore, IndexRun, RunStatus, TownIndexScore

TREND_ARROWS = {"up": "↑", "down": "↓", "flat": "→", "new": "新", "none": "—"}


@dataclass(frozen=True)
class MissingComponent:
    code: str
    name: str
    weight: Decimal
    note: str


@dataclass(frozen=True)
class IndexTable:
    run: IndexRun
    rows: list[TownIndexScore]  # ranked towns first, then towns without a score (数据不足)
    missing: list[MissingComponent]  # components no town has data for

    @property
    def scored(self) -> int:
        return sum(1 for r in self.rows if r.score is not None)


@dataclass(frozen=True)
class TrendPoint:
    year: int
    quarter: int
    status: str
    score: Decimal | None
    rank: int | None
    coverage: Decimal


def runs_for_user(*, user: Any) -> QuerySet[IndexRun]:
    if not has_cap(user, Cap.PLAN_VIEW):
        return IndexRun.objects.none()
    if has_cap(user, Cap.PLAN_MANAGE):
        return IndexRun.objects.all()
    return IndexRun.objects.filter(status=RunStatus.PUBLISHED)


def index_run_for_user(*, user: Any, year: int, quarter: int) -> IndexRun:
    run = runs_for_user(user=user).filter(year=year, quarter=quarter).first()
    if run is None:
        raise Http404
    return run


def with_used_weights(components: list[ComponentScore]) -> list[ComponentScore]:
    """Each component with `used_weight`: its weight re-normalised over the town's components that
    have data (the weight it actually carries in the score), None for a missing one (缺数据). The
    ranking and the town page both show the stored figures through this one function."""
    available = sum((c.weight for c in components if not c.missing), Decimal(0))
    for c in components:
        c.used_weight = None if c.missing or not available else c.weight / available  # type: ignore[attr-defined]
    return components


def index_table(*, run: IndexRun) -> IndexTable:
    """The ranking table of a run with each town's components (three queries). Not scoped: callers
    load the run through `index_run_for_user`, or are the command line."""
    rows = list(
        run.towns.select_related("region")
        .prefetch_related(Prefetch("components", queryset=ComponentScore.objects.order_by("-weight", "code")))
        .order_by(F("rank").asc(nulls_last=True), "region_id")
    )
    for r in rows:
        with_used_weights(list(r.components.all()))
    present = {c.code for r in rows for c in r.components.all() if not c.missing}
    missing = [
        MissingComponent(c.code, c.name, c.weight, c.note)
        for c in (rows[0].components.all() if rows else [])
        if c.code not in present
    ]
    return IndexTable(run=run, rows=rows, missing=missing)


def index_for_user(*, user: Any, year: int, quarter: int) -> IndexTable:
    """A quarter's ranking table as the user may see it (published, or a draft for the office)."""
    return index_table(run=index_run_for_user(user=user, year=year, quarter=quarter))


def index_components_for_user(*, user: Any, year: int, quarter: int, region: str) -> list[ComponentScore]:
    """One town's component breakdown for a quarter: raw value, score, weight, contribution."""
    run = index_run_for_user(user=user, year=year, quarter=quarter)
    components = list(
        ComponentScore.objects.filter(town_score__run=run, town_score__region_id=region).order_by(
            "-weight", "code"
        )
    )
    if not components:
        raise Http404
    return with_used_weights(components)


def index_trend_for_user(*, user: Any, region: str, include_drafts: bool = False) -> list[TrendPoint]:
    """One town's score, rank and coverage over the quarters, oldest first: published runs, and
    drafts too when asked by someone who may see them."""
    runs = runs_for_user(user=user)
    if not include_drafts:
        runs = runs.filter(status=RunStatus.PUBLISHED)
    rows = (
        TownIndexScore.objects.filter(region_id=region, run__in=runs)
        .order_by("run__year", "run__quarter")
        .values_list("run__year", "run__quarter", "run__status", "score", "rank", "coverage")
    )
    return [TrendPoint(*row) for row in rows]
