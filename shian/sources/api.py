"""The sources API: records of every kind (core.unitrecords_api), and a pesticide's status on a date."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from shian.core.permissions import UnitCap, require_cap
from shian.core.unitrecords_api import make_router

from . import rules
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


make_router(KINDS, tag="sources", router=router)
