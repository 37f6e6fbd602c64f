"""The to-do registry: what each person owes today, gathered on their home page.

Each module declares the items it owes a role in its own `todo.py` and registers a provider at
start-up (its AppConfig.ready imports it), as modules register indicators; core's home page asks
every provider and shows what they return. Nothing here imports a higher layer, so a new module
adds its items without touching the home page (DESIGN: the to-do registry).

A provider takes the person and today's date and returns items already scoped to that person: it
reads through its module's scoped selectors, so a town officer's list never counts another town.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import CharField, QuerySet, Value


@dataclass(frozen=True)
class TodoItem:
    """One line of a person's to-do: a piece of work, or a count of like pieces behind one link."""

    module: str  # the declaring module's label ("inspections"), for grouping and tests
    key: str  # stable within the module ("planned_visits_due")
    title: str  # translated, whole sentence or noun phrase ("本月计划检查")
    url: str  # where the work is done (a filtered list, or the record itself)
    count: int | None = None  # how many records the link stands for; None for a single record
    due: dt.date | None = None  # the earliest deadline among them, if any
    overdue: bool = False  # a deadline has passed (the office's own, not a business's window)
    detail: str = ""  # one short line under the title
    action: str = ""  # the button's label when the link starts the work ("开始检查")
    priority: int = 50  # lower first among items with the same urgency


Provider = Callable[[Any, dt.date], Iterable[TodoItem]]

_PROVIDERS: dict[str, Provider] = {}


def register(name: str, provider: Provider) -> Provider:
    """Register a module's provider under a unique name (re-registering the same name replaces it,
    so a reloaded module does not list its items twice)."""
    _PROVIDERS[name] = provider
    return provider


def providers() -> dict[str, Provider]:
    return dict(_PROVIDERS)


def _order(item: TodoItem) -> tuple[int, dt.date, int, str]:
    return (0 if item.overdue else 1, item.due or dt.date.max, item.priority, item.title)


def todo_for(user: Any, *, today: dt.date) -> list[TodoItem]:
    """Every provider's items for this person: overdue first, then by deadline, then priority.
    Items with a count of 0 are dropped (nothing to do)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    items: list[TodoItem] = []
    for provider in _PROVIDERS.values():
        items.extend(i for i in provider(user, today) if i.count != 0)
    return sorted(items, key=_order)


# ------------------------------------------------------------------ key figures


@dataclass(frozen=True)
class KeyFigure:
    """One number at the top of a person's home, beside their to-do: shown even when it is 0 (a
    figure says how things stand; a to-do item only what is waiting)."""

    module: str
    key: str  # stable within the module ("visits_today")
    label: str  # translated ("今天到期的计划检查")
    value: int | float | str | None  # None: no figure yet (e.g. no index published)
    url: str = ""
    detail: str = ""  # a short line under the number ("第3名 / 24")
    alert: bool = False  # the number is something late or short
    priority: int = 50  # lower first

    @property
    def is_number(self) -> bool:
        return isinstance(self.value, int | float) and not isinstance(self.value, bool)


FigureProvider = Callable[[Any, dt.date], Iterable[KeyFigure]]

_FIGURE_PROVIDERS: dict[str, FigureProvider] = {}


def register_figures(name: str, provider: FigureProvider) -> FigureProvider:
    """Register a module's key figures under a unique name (as `register` does for to-do items).
    A provider returns only the figures that concern this person's role, scoped to them."""
    _FIGURE_PROVIDERS[name] = provider
    return provider


def figure_providers() -> dict[str, FigureProvider]:
    return dict(_FIGURE_PROVIDERS)


def figures_for(user: Any, *, today: dt.date) -> list[KeyFigure]:
    """Every provider's key figures for this person, by priority (then as the modules gave them)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    out: list[KeyFigure] = []
    for provider in _FIGURE_PROVIDERS.values():
        out.extend(provider(user, today))
    return sorted(out, key=lambda f: f.priority)


def count_union(parts: list[tuple[str, QuerySet[Any]]]) -> Counter[str]:
    """The rows of several querysets counted in one query (a UNION ALL of their labelled keys): a
    provider with several counts keeps the home page to one round trip per module. For the short
    lists of a to-do (pending reviews, late filings), not for large tables."""
    labelled = [
        qs.order_by().select_related(None).values_list(Value(name, output_field=CharField()), "pk")
        for name, qs in parts
    ]
    if not labelled:
        return Counter()
    union = labelled[0].union(*labelled[1:], all=True) if len(labelled) > 1 else labelled[0]
    return Counter(name for name, _pk in union)
