"""What complaints and reports owe each person: clocks overdue and clocks running out within the
edition's warning period, and new ones nobody has taken yet (the town's and district's staff)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Min
from django.urls import reverse

from shian.core.permissions import PublicCap, has_cap
from shian.core.todo import TodoItem

from . import selectors
from .workflow import ComplaintStatus


def complaints_todo(user: Any, today: dt.date) -> list[TodoItem]:
    if not has_cap(user, PublicCap.HANDLE):
        return []
    items: list[TodoItem] = []
    clocks = selectors.open_clocks_for_user(user)
    overdue = clocks.filter(due_on__lt=today)
    n_overdue = overdue.values("complaint_id").distinct().count()
    url = reverse("complaints:list")
    items.append(
        TodoItem(
            module="complaints",
            key="clocks_overdue",
            title="投诉举报超过法定时限",
            url=f"{url}?overdue={today.isoformat()}",
            count=n_overdue,
            due=overdue.aggregate(d=Min("due_on"))["d"],
            overdue=True,
            priority=10,
        )
    )
    soon = clocks.filter(due_on__gte=today, due_on__lte=today + dt.timedelta(days=4))
    items.append(
        TodoItem(
            module="complaints",
            key="clocks_due_soon",
            title="投诉举报时限即将届满",
            url=f"{url}?open=1",
            count=soon.values("complaint_id").distinct().count(),
            due=soon.aggregate(d=Min("due_on"))["d"],
            priority=20,
        )
    )
    untaken = (
        selectors.complaints_for_user(user)
        .filter(handler__isnull=True)
        .exclude(status=ComplaintStatus.CLOSED)
    )
    items.append(
        TodoItem(
            module="complaints",
            key="untaken",
            title="新收到尚未承办的投诉举报",
            url=f"{url}?open=1",
            count=untaken.count(),
            priority=30,
        )
    )
    return items
