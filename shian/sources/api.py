"""The sources API: records of every kind (core.unitrecords_api), and a pesticide's status on a date."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from shian.core.indicators import Period
from shian.core.permissions import UnitCap, require_cap
from shian.core.unitrecords_api import make_router

from . import rules, selectors
from .kinds import KINDS

router = Router(tags=["sources"])


class StatusParams(Schema):
    substance: str = Field(..., max_length=60)
    on: dt.date
    product: str = Field("", max_length=60)


class StatusOut(Schema):
    substance: str
    status: str
    source: str
    article: str
    crops: list[str]


@router.get("/pesticides/status", response=StatusOut, summary="A pesticide's status on a date")
def pesticide_status(request: HttpRequest, params: Query[StatusParams]) -> Any:
    """banned, restricted (on the product named), restricted_elsewhere or not_listed, by the lists in
    force on the date; a date before the lists is answered 422."""
    require_cap(request.user, UnitCap.VIEW)
    st = rules.pesticide_status(params.substance[:60], on=params.on, product=params.product[:60])
    return StatusOut(
        substance=st.substance, status=st.status, source=st.source, article=st.article, crops=list(st.crops)
    )


class HitsParams(Schema):
    year: int = Field(..., ge=2019, le=2100)


class HitOut(Schema):
    kind: str
    id: int
    code: str
    food: str
    item: str
    on: dt.date
    region: str
    status: str
    source: str


@router.get("/banned-hits", response=list[HitOut], summary="Tests that hit a banned or restricted pesticide")
def banned_hits(request: HttpRequest, params: Query[HitsParams]) -> Any:
    """Unqualified items of samples and positive quick tests of the year, in the caller's scope,
    naming a pesticide banned on the test date or restricted on the food tested; "to_confirm" for a
    positive class quick test (有机磷和氨基甲酸酯类)."""
    require_cap(request.user, UnitCap.VIEW)
    hits = selectors.banned_hits_for_user(user=request.user, period=Period.year(params.year))
    return [
        HitOut(
            kind=h.kind,
            id=h.pk,
            code=h.code,
            food=h.food,
            item=h.item,
            on=h.on,
            region=h.region,
            status=h.status.status if h.status else "to_confirm",
            source=h.status.source if h.status else "",
        )
        for h in hits
    ]


make_router(KINDS, tag="sources", router=router)
