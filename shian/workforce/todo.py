"""What the workforce module owes a person: law-enforcement certificates that expire within 60
days (those who keep the inspector list), and their town's coordinators short of 1 per 10,000
residents (the town office and district staff)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from shian.core.models import Role
from shian.core.todo import TodoItem
from shian.core.unitrecords import may_add

from . import selectors
from .kinds import KINDS


def workforce_todo(user: Any, today: dt.date) -> list[TodoItem]:
    items: list[TodoItem] = []
    if may_add(user, KINDS.kinds["inspectors"]):
        items.append(
            TodoItem(
                module="workforce",
                key="certificates_expiring",
                title=_("60日内到期或已过期的执法证"),
                url=reverse("workforce:inspector_hours"),
                count=selectors.certificates_expiring(user=user, today=today),
            )
        )
    if user.role in (Role.TOWN_OFFICER, Role.DISTRICT_OFFICER, Role.DISTRICT_ADMIN):
        short = sum(t.short for t in selectors.coordinator_staffing(user=user, on=today))
        items.append(
            TodoItem(
                module="workforce",
                key="coordinators_short",
                title=_("专职协管员缺额（按每万人1名）"),
                url=reverse("workforce:coordinators"),
                count=short,
            )
        )
    return items
