from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from shian.planning.rules import comparator_symbol
from shian.planning.selectors import fmt

register = template.Library()


@register.filter
def fig(value: Any) -> str:
    """A figure without trailing zeros: 6570, 6.92, 0.84."""
    if value is None or value == "":
        return "—"
    return fmt(Decimal(str(value)))


@register.filter
def percent(value: Any) -> str:
    if value is None:
        return "—"
    return f"{Decimal(str(value)) * 100:.0f}%"


@register.filter
def percent_width(value: Any) -> str:
    """A CSS width for a progress bar, capped at 100%."""
    if value is None:
        return "0%"
    return f"{min(Decimal(str(value)), Decimal(1)) * 100:.1f}%"


@register.filter
def comparator(value: Any) -> str:
    """ ">=" as people write it: "≥" (planning.rules.comparator_symbol)."""
    return comparator_symbol(str(value or ""))
