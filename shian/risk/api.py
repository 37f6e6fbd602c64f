"""Risk endpoints: grades and the grade mix, the plan summary, the published draws, the predictive
work list and its notes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from shian.core.lists import MAX_OFFSET
from shian.core.models import AuditSource
from shian.core.permissions import Cap, require_cap

from . import selectors, services

router = Router(tags=["risk"])


class GradeOut(Schema):
    business_id: int
    region_code: str
    grade: str
    score_grade: str
    static_score: int
    dynamic_score: int
    total: int
    adjustment: int
    breakdown: dict[str, Any]
    evidence: dict[str, Any]
    edition: str
    graded_on: dt.date


def _out(g: Any) -> dict[str, Any]:
    return {
        **{f: getattr(g, f) for f in GradeOut.model_fields if f != "region_code"},
        "region_code": g.region_id,
    }


@router.get("/grades", response=list[GradeOut])
def grades(
    request: HttpRequest,
    region: str = "",
    grade: str = "",
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> list[dict[str, Any]]:
    require_cap(request.user, Cap.RISK_VIEW)
    qs = selectors.grade_list_for_user(user=request.user, region=region, grade=grade)
    return [_out(g) for g in qs[offset : offset + min(limit, 1000)]]


@router.get("/grades/mix", response=dict[str, int])
def grade_mix(request: HttpRequest) -> dict[str, int]:
    require_cap(request.user, Cap.RISK_VIEW)
    return selectors.grade_mix_for_user(user=request.user)


@router.get("/grades/{business_id}", response=GradeOut)
def grade_detail(request: HttpRequest, business_id: int) -> dict[str, Any]:
    grade = selectors.grade_get_for_user(user=request.user, business_id=business_id)
    require_cap(request.user, Cap.RISK_VIEW)
    return _out(grade)


class DrawOut(Schema):
    code: str
    title: str
    seed: int
    ratios: dict[str, float]
    drawn_on: dt.date
    results_due: dt.date
    result: dict[str, Any]


@router.get("/draws", response=list[DrawOut], auth=None)
def draws(request: HttpRequest) -> list[Any]:
    """Published draws are public."""
    return list(selectors.draws_published()[:100])


class TargetingScoreOut(Schema):
    business_id: int
    region_code: str
    rank: int
    score: float
    grade: str
    reasons: list[dict[str, Any]]
    features: dict[str, Any]


class TargetingNoteIn(Schema):
    text: str


class TargetingNoteOut(Schema):
    id: int
    business_id: int
    text: str
    author: str
    created_at: dt.datetime


@router.get("/targeting", response=list[TargetingScoreOut])
def targeting_scores(
    request: HttpRequest,
    region: str = "",
    business_type: str = "",
    grade: str = "",
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> list[dict[str, Any]]:
    """The latest run's ranked list, in the caller's scope."""
    require_cap(request.user, Cap.RISK_VIEW)
    qs = selectors.targeting_scores_for_user(
        user=request.user,
        run=selectors.targeting_run_latest(),
        region=region,
        business_type=business_type,
        grade=grade,
    )
    return [
        {
            "business_id": s.business_id,
            "region_code": s.region_id,
            "rank": s.rank,
            "score": s.score,
            "grade": s.grade,
            "reasons": s.reasons,
            "features": s.features,
        }
        for s in qs[offset : offset + min(limit, 1000)]
    ]


@router.post("/targeting/{business_id}/notes", response={201: TargetingNoteOut})
def targeting_annotate(
    request: HttpRequest, business_id: int, payload: TargetingNoteIn
) -> Status[dict[str, Any]]:
    business = selectors.targeting_business_get_for_user(user=request.user, business_id=business_id)
    require_cap(request.user, Cap.RISK_ANNOTATE)
    note = services.targeting_annotate(
        actor=request.user,  # type: ignore[arg-type]  # authenticated by the API's auth
        source=AuditSource.API,
        business=business,
        text=payload.text,
        run=selectors.targeting_run_latest(),
    )
    return Status(
        201,
        {
            "id": note.pk,
            "business_id": business.pk,
            "text": note.text,
            "author": str(note.author),
            "created_at": note.created_at,
        },
    )
