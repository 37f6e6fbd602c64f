"""Incidents in the API (`/api/v1/incidents/…`): the same selectors and services as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import Field

from shian.core.lists import MAX_OFFSET
from shian.core.models import AuditSource, User
from shian.core.permissions import PublicCap, require_cap
from shian.registry.selectors import business_get_for_user

from . import selectors, services
from .models import Incident

router = Router(tags=["incidents"])


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # noqa: S101 — guaranteed by the API's auth
    return request.user


class IncidentOut(Schema):
    id: int
    code: str
    region: str
    business_id: int | None
    place: str
    onset_at: dt.datetime
    known_at: dt.datetime
    ill: int
    hospitalised: int
    deaths: int
    suspected_food: str
    level: str
    status: str
    cause: str
    closed_on: dt.date | None

    @staticmethod
    def of(i: Incident) -> IncidentOut:
        return IncidentOut(
            id=i.pk,
            code=i.code,
            region=i.region_id,
            business_id=i.business_id,
            place=i.place,
            onset_at=i.onset_at,
            known_at=i.known_at,
            ill=i.ill,
            hospitalised=i.hospitalised,
            deaths=i.deaths,
            suspected_food=i.suspected_food,
            level=i.level,
            status=i.status,
            cause=i.cause,
            closed_on=i.closed_on,
        )


class IncidentIn(Schema):
    place: str = Field(max_length=200)
    business_id: int | None = None
    region: str = Field(default="", max_length=12)
    onset_at: dt.datetime
    known_at: dt.datetime
    ill: int = Field(ge=0, le=100000)
    hospitalised: int = Field(default=0, ge=0, le=100000)
    deaths: int = Field(default=0, ge=0, le=100000)
    suspected_food: str = Field(default="", max_length=200)


@router.get("/", response=list[IncidentOut], summary="Food-safety incidents in the caller's scope")
def incident_list(
    request: HttpRequest, limit: int = Query(200, ge=1, le=1000), offset: int = Query(0, ge=0, le=MAX_OFFSET)
) -> Any:
    require_cap(request.user, PublicCap.INCIDENT_VIEW)
    qs = selectors.incidents_for_user(request.user).order_by("-onset_at", "-id")
    return [IncidentOut.of(i) for i in qs[offset : offset + limit]]


@router.get("/{incident_id}", response=IncidentOut, summary="One incident")
def incident_detail(request: HttpRequest, incident_id: int) -> Any:
    require_cap(request.user, PublicCap.INCIDENT_VIEW)
    return IncidentOut.of(selectors.incident_get(request.user, incident_id))


@router.post("/", response={201: IncidentOut}, summary="Report an incident (graded by the rules in force)")
def incident_create(request: HttpRequest, payload: IncidentIn) -> Any:
    require_cap(request.user, PublicCap.INCIDENT_RECORD)
    business = (
        business_get_for_user(user=request.user, pk=payload.business_id) if payload.business_id else None
    )
    i = services.incident_report(
        actor=_actor(request),
        source=AuditSource.API,
        place=payload.place,
        onset_at=payload.onset_at,
        known_at=payload.known_at,
        ill=payload.ill,
        hospitalised=payload.hospitalised,
        deaths=payload.deaths,
        suspected_food=payload.suspected_food,
        business=business,
        region_code=payload.region,
        now=timezone.now(),
    )
    return Status(201, IncidentOut.of(i))
