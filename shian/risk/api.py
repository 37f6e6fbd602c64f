"""Risk endpoints: grades and the grade mix, the plan summary, the published draws."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from shian.core.permissions import Cap, require_cap

from . import selectors

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
    request: HttpRequest, region: str = "", grade: str = "", limit: int = 100, offset: int = 0
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
    require_cap(request.user, Cap.RISK_VIEW)
    return _out(selectors.grade_get_for_user(user=request.user, business_id=business_id))


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
