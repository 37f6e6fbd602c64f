"""What the register owes: licence applications whose decision is due within three working days,
and those past their statutory term (one aggregate query over the applications in scope)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from shian.core.calendar import WorkingCalendar
from shian.core.permissions import Cap, has_cap
from shian.core.todo import TodoItem

from . import selectors, workflow


def registry_todo(user: Any, today: dt.date) -> list[TodoItem]:
    if not has_cap(user, Cap.REGISTER_CHANGE):
        return []
    horizon = WorkingCalendar().deadline(today, 3).due
    open_ = Q(status__in=sorted(workflow.OPEN))
    late = open_ & Q(due_on__lt=today)
    soon = open_ & Q(due_on__gte=today, due_on__lte=horizon)
    n = selectors.application_queryset_for_user(user=user).aggregate(
        late=Count("id", filter=late),
        soon=Count("id", filter=soon),
        soon_due=Min("due_on", filter=soon),
        late_due=Min("due_on", filter=late),
    )
    url = reverse("registry:application_list")
    items = []
    if n["late"]:
        items.append(
            TodoItem(
                module="registry",
                key="licence_applications_overdue",
                title=_("超过法定期限未决定的许可申请"),
                url=f"{url}?clock=overdue",
                count=n["late"],
                due=n["late_due"],
                overdue=True,
                priority=10,
            )
        )
    if n["soon"]:
        items.append(
            TodoItem(
                module="registry",
                key="licence_applications_due_soon",
                title=_("三个工作日内到期的许可申请"),
                url=f"{url}?clock=due_soon",
                count=n["soon"],
                due=n["soon_due"],
                detail=_("自受理之日起的法定期限内作出是否准予许可的决定"),
                priority=20,
            )
        )
    return items
