"""What incidents owe each person: open incidents in their scope whose first report upward has not
been recorded."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse

from shian.core.permissions import PublicCap, has_cap
from shian.core.todo import TodoItem

from . import selectors
from .models import IncidentStatus, IncidentStep


def incidents_todo(user: Any, today: dt.date) -> list[TodoItem]:
    if not has_cap(user, PublicCap.INCIDENT_RECORD):
        return []
    sent = IncidentStep.objects.filter(
        incident=OuterRef("pk"), kind=IncidentStep.Kind.REPORT_SENT, clock="initial_report"
    )
    agg = (
        selectors.incidents_for_user(user)
        .exclude(status=IncidentStatus.CLOSED)
        .annotate(sent=Exists(sent))
        .aggregate(open=Count("pk"), unreported=Count("pk", filter=Q(sent=False)))
    )
    url = reverse("incidents:list") + "?open=1"
    return [
        TodoItem(
            module="incidents",
            key="initial_report_missing",
            title="食品安全事故尚未记录首报",
            url=url,
            count=agg["unreported"],
            overdue=True,
            priority=5,
        ),
        TodoItem(
            module="incidents",
            key="open",
            title="调查处置中的食品安全事故",
            url=url,
            count=agg["open"],
            priority=40,
        ),
    ]
