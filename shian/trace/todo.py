"""What traceability owes each person: cold-chain records missing a proof the rules of their date
required, and open recalls (district staff)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from shian.core.permissions import TraceCap, has_cap
from shian.core.todo import TodoItem

from . import selectors
from .models import RecallStatus


def trace_todo(user: Any, today: dt.date) -> list[TodoItem]:
    items: list[TodoItem] = []
    if has_cap(user, TraceCap.COLD_CHAIN):
        missing = selectors.cold_chain_records_for_user(user).exclude(missing=[]).count()
        items.append(
            TodoItem(
                module="trace",
                key="cold_chain_missing_proofs",
                title=_("Imported cold-chain records missing a required proof"),
                url=reverse("trace:cold_chain") + "?missing=1",
                count=missing,
            )
        )
    if has_cap(user, TraceCap.RECALL):
        open_recalls = selectors.recalls_for_user(user).filter(status=RecallStatus.OPEN).count()
        items.append(
            TodoItem(
                module="trace",
                key="recalls_open",
                title=_("Open recalls"),
                url=reverse("trace:recall_list"),
                count=open_recalls,
            )
        )
    return items
