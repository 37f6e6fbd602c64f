"""Writes of the food-safety index: compute a quarter's index (a draft, replacing an earlier draft)
and publish it (then it never changes). Each: permission, one transaction, audit entries in it."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shian.core import indicators
from shian.core.audit import AuditEvent, audit_record_many, model_event, snapshot
from shian.core.models import AuditAction, Region, User
from shian.core.permissions import Cap, require_cap

from . import rules
from .models import ComponentScore, IndexRun, RunStatus, TownIndexScore

# The run's workflow: the only move is draft → published; a published run never changes.
RUN_TRANSITIONS: frozenset[tuple[str, str]] = frozenset({(RunStatus.DRAFT, RunStatus.PUBLISHED)})


@dataclass(frozen=True)
class ComponentRow:
    code: str
    name: str
    weight: Decimal
    raw_value: Decimal | None
    normalised: Decimal | None
    contribution: Decimal | None
    note: str

    @property
    def missing(self) -> bool:
        return self.raw_value is None


@dataclass(frozen=True)
class TownRow:
    region: str
    score: Decimal | None
    coverage: Decimal
    rank: int | None
    previous_score: Decimal | None
    trend: str
    components: tuple[ComponentRow, ...]


def _check_quarter(year: int, quarter: int) -> None:
    if quarter not in (1, 2, 3, 4):
        raise ValidationError({"quarter": _("The quarter must be 1, 2, 3 or 4.")})
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": _("The year %(year)s is out of range.") % {"year": year}})


def _published_error(run: IndexRun) -> ValidationError:
    return ValidationError(
        _("The index for %(year)s Q%(quarter)s is published and can no longer change.")
        % {"year": run.year, "quarter": run.quarter},
        code="published",
    )


def _score_towns(
    *,
    edition: rules.IndexEdition,
    period: indicators.Period,
    towns: list[str],
    previous: dict[str, Decimal | None],
) -> list[TownRow]:
    """Every town's index for the period: each component computed through the indicator registry
    and normalised, the components combined, the towns ranked and compared with `previous`."""
    raw: dict[str, dict[str, Decimal | None]] = {}
    normalised: dict[str, dict[str, Decimal | None]] = {}
    notes: dict[str, str] = {}
    for comp in edition.components:
        result = indicators.compute(comp.code, period, towns)
        if result.missing:
            values: dict[str, Decimal | None] = dict.fromkeys(towns)
            # Stored notes are data in Chinese, like the indicator registry's own notes.
            notes[comp.code] = result.note or f"指标 {comp.code} 尚无数据来源"
        else:
            values = {t: rules.quantize_raw(result.region_value(t)) for t in towns}
            notes[comp.code] = ""
        raw[comp.code] = values
        normalised[comp.code] = rules.normalise(comp, values)

    combined = {
        t: rules.combine(
            [(c.weight, normalised[c.code][t]) for c in edition.components], edition.min_coverage
        )
        for t in towns
    }
    ranks = rules.rank({t: combined[t].score for t in towns})
    rows = []
    for t in towns:
        town = combined[t]
        components = []
        for comp, contribution in zip(edition.components, town.contributions, strict=True):
            value = raw[comp.code][t]
            note = notes[comp.code] or ("" if value is not None else "本镇街本期无数据")
            components.append(
                ComponentRow(
                    code=comp.code,
                    name=comp.name,
                    weight=comp.weight,
                    raw_value=value,
                    normalised=normalised[comp.code][t],
                    contribution=contribution,
                    note=note,
                )
            )
        rows.append(
            TownRow(
                region=t,
                score=town.score,
                coverage=town.coverage,
                rank=ranks[t],
                previous_score=previous.get(t),
                trend=rules.trend(town.score, previous.get(t), edition.trend_tolerance),
                components=tuple(components),
            )
        )
    return rows


def _previous_published(year: int, quarter: int) -> dict[str, Decimal | None]:
    py, pq = rules.previous_quarter(year, quarter)
    return dict(
        TownIndexScore.objects.filter(
            run__year=py, run__quarter=pq, run__status=RunStatus.PUBLISHED
        ).values_list("region_id", "score")
    )


def _run_summary(run: IndexRun) -> dict[str, Any]:
    return {
        **snapshot(
            run, ["year", "quarter", "edition_id", "min_coverage", "computed_at", "computed_by_id", "status"]
        ),
        "scores": {
            code: str(score) if score is not None else None
            for code, score in run.towns.values_list("region_id", "score")
        },
    }


def index_compute(*, actor: User | None, source: str, year: int, quarter: int) -> IndexRun:
    """Compute a quarter's index as a draft with the edition in force on the quarter's last day.
    Re-computing replaces the quarter's draft in place; a published run is refused."""
    if actor is not None:
        require_cap(actor, Cap.PLAN_MANAGE)
    _check_quarter(year, quarter)
    period = indicators.Period.quarter(year, quarter)
    edition = rules.edition_in_force(period.end)
    existing = IndexRun.objects.filter(year=year, quarter=quarter).first()
    if existing is not None and existing.status == RunStatus.PUBLISHED:
        raise _published_error(existing)  # before the work; checked again under the lock below
    towns = list(
        Region.objects.filter(level__in=edition.levels).order_by("code").values_list("code", flat=True)
    )
    if not towns:
        raise ValidationError(_("No towns or streets to score."))
    rows = _score_towns(
        edition=edition, period=period, towns=towns, previous=_previous_published(year, quarter)
    )
    by = actor if actor is not None and actor.pk else None
    now = timezone.now()
    with transaction.atomic():
        run = IndexRun.objects.select_for_update().filter(year=year, quarter=quarter).first()
        events: list[AuditEvent] = []
        if run is None:
            run = IndexRun.objects.create(
                year=year,
                quarter=quarter,
                edition_id=edition.id,
                min_coverage=edition.min_coverage,
                computed_at=now,
                computed_by=by,
            )
            before = None
        else:
            if run.status == RunStatus.PUBLISHED:
                raise _published_error(run)
            before = _run_summary(run)
            run.towns.all().delete()
            run.edition_id, run.min_coverage, run.computed_at, run.computed_by = (
                edition.id,
                edition.min_coverage,
                now,
                by,
            )
            run.full_clean()
            run.save()
        scores = TownIndexScore.objects.bulk_create(
            [
                TownIndexScore(
                    run=run,
                    region_id=r.region,
                    score=r.score,
                    coverage=r.coverage,
                    rank=r.rank,
                    previous_score=r.previous_score,
                    trend=r.trend,
                )
                for r in rows
            ]
        )
        ComponentScore.objects.bulk_create(
            [
                ComponentScore(
                    town_score=s,
                    code=c.code,
                    name=c.name,
                    raw_value=c.raw_value,
                    normalised=c.normalised,
                    weight=c.weight,
                    contribution=c.contribution,
                    missing=c.missing,
                    note=c.note[:300],
                )
                for s, r in zip(scores, rows, strict=True)
                for c in r.components
            ]
        )
        missing_everywhere = [
            c.code for i, c in enumerate(edition.components) if all(r.components[i].missing for r in rows)
        ]
        events.append(
            model_event(
                AuditAction.CREATE if before is None else AuditAction.UPDATE,
                run,
                before=before,
                after={**_run_summary(run), "missing_components": missing_everywhere},
            )
        )
        for s, r in zip(scores, rows, strict=True):
            events.append(
                model_event(
                    AuditAction.CREATE,
                    s,
                    region=r.region,
                    after={
                        "run_id": run.pk,
                        "score": r.score,
                        "coverage": r.coverage,
                        "rank": r.rank,
                        "trend": r.trend,
                        "components": {c.code: c.normalised for c in r.components},
                    },
                )
            )
        audit_record_many(actor=actor, source=source, events=events)
    return run


def index_publish(*, actor: User | None, source: str, run: IndexRun) -> IndexRun:
    """Publish a draft run to every town. Refused for a published run (it never changes), for a run
    in which no town has a score, and for a run computed before the previous quarter was published
    (its trends would be stale: recompute first)."""
    if actor is not None:
        require_cap(actor, Cap.PLAN_MANAGE)
    with transaction.atomic():
        locked = IndexRun.objects.select_for_update().get(pk=run.pk)
        if (locked.status, RunStatus.PUBLISHED) not in RUN_TRANSITIONS:
            raise _published_error(locked)
        if not locked.towns.filter(score__isnull=False).exists():
            raise ValidationError(
                _("No town has enough data for a score: there is nothing to publish."), code="no_scores"
            )
        py, pq = rules.previous_quarter(locked.year, locked.quarter)
        if IndexRun.objects.filter(
            year=py, quarter=pq, status=RunStatus.PUBLISHED, published_at__gt=locked.computed_at
        ).exists():
            raise ValidationError(
                _(
                    "The previous quarter was published after this index was computed; "
                    "recompute it so that its trends are current, then publish."
                ),
                code="stale_trend",
            )
        old = locked.status
        locked.status = RunStatus.PUBLISHED
        locked.published_at = timezone.now()
        locked.published_by = actor if actor is not None and actor.pk else None
        locked.full_clean()
        locked.save(update_fields=["status", "published_at", "published_by"])
        audit_record_many(
            actor=actor,
            source=source,
            events=[
                model_event(
                    AuditAction.UPDATE,
                    locked,
                    before={"status": old},
                    after=snapshot(locked, ["status", "published_at", "published_by_id"]),
                )
            ],
        )
    return locked
