"""What complaints and reports owe each person: clocks overdue and clocks running out within the
edition's warning period, and new ones nobody has taken yet (the town's and district's staff)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Min, Q
from django.urls import reverse

from shian.core.permissions import PublicCap, has_cap
from shian.core.todo import TodoItem

from . import selectors
from .workflow import ComplaintStatus


def complaints_todo(user: Any, today: dt.date) -> list[TodoItem]:
    if not has_cap(user, PublicCap.HANDLE):
        return []
    # One query for the three lines (the home page's query count stays flat).
    open_clock = Q(clocks__done_on__isnull=True)
    overdue = open_clock & Q(clocks__due_on__lt=today)
    soon = open_clock & Q(clocks__due_on__gte=today, clocks__due_on__lte=today + dt.timedelta(days=4))
    agg = (
        selectors.complaints_for_user(user)
        .exclude(status=ComplaintStatus.CLOSED)
        .aggregate(
            overdue=Count("pk", distinct=True, filter=overdue),
            overdue_due=Min("clocks__due_on", filter=overdue),
            soon=Count("pk", distinct=True, filter=soon),
            soon_due=Min("clocks__due_on", filter=soon),
            untaken=Count("pk", distinct=True, filter=Q(handler__isnull=True)),
        )
    )
    url = reverse("complaints:list")
    return [
        TodoItem(
            module="complaints",
            key="clocks_overdue",
            title="投诉举报超过法定时限",
            url=f"{url}?overdue={today.isoformat()}",
            count=agg["overdue"],
            due=agg["overdue_due"],
            overdue=True,
            priority=10,
        ),
        TodoItem(
            module="complaints",
            key="clocks_due_soon",
            title="投诉举报时限即将届满",
            url=f"{url}?open=1",
            count=agg["soon"],
            due=agg["soon_due"],
            priority=20,
        ),
        TodoItem(
            module="complaints",
            key="untaken",
            title="新收到尚未承办的投诉举报",
            url=f"{url}?open=1",
            count=agg["untaken"],
            priority=30,
        ),
    ]
