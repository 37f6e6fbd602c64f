"""What the sources module owes a person: rice lots taken in this year without a cadmium test
(task 八), and phase-outs of highly toxic pesticides not yet complete (task 七) — for those who
may record them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext as _

from shian.core.todo import TodoItem
from shian.core.unitrecords import may_add, records_for_user

from .kinds import KINDS
from .models import GrainTest


def sources_todo(user: Any, today: dt.date) -> list[TodoItem]:
    items: list[TodoItem] = []
    lots = KINDS.kinds["grain-lots"]
    if may_add(user, lots) and user.role != "town_officer":
        tested = GrainTest.objects.filter(lot=OuterRef("pk"), direction="intake", cadmium_mg_kg__isnull=False)
        missing = (
            records_for_user(lots, user)
            .filter(grain="rice", received_on__year=today.year)
            .exclude(Exists(tested))
            .count()
        )
        items.append(
            TodoItem(
                module="sources",
                key="rice_lots_without_cadmium",
                title=_("今年入库的稻谷批次缺镉检测"),
                url=reverse("sources:grain"),
                count=missing,
            )
        )
    phase = KINDS.kinds["phase-outs"]
    if may_add(user, phase) and user.role != "town_officer":
        open_ = records_for_user(phase, user).filter(completed_on__isnull=True).count()
        items.append(
            TodoItem(
                module="sources",
                key="phase_outs_open",
                title=_("尚未完成的高毒农药淘汰"),
                url=reverse("sources:kind_list", args=["phase-outs"]),
                count=open_,
            )
        )
    return items
