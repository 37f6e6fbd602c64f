"""Small presentation helpers shared by every page: choice labels, the user's scope, the page
range of a paginator."""

from __future__ import annotations

from typing import Any

from django import template
from django.core.paginator import Page
from django.utils.translation import gettext as _

from shian.core.lists import is_capped
from shian.core.models import AuditAction, AuditSource, RegionLevel, Role
from shian.registry.models import BusinessScale, BusinessStatus, BusinessType

register = template.Library()

_CHOICES: dict[str, Any] = {
    "business_type": BusinessType,
    "status": BusinessStatus,
    "scale": BusinessScale,
    "level": RegionLevel,
    "role": Role,
    "action": AuditAction,
    "source": AuditSource,
}


@register.filter
def label(value: Any, kind: str) -> str:
    """The translated label of a stored choice value: {{ b.business_type|label:"business_type" }}."""
    choices = _CHOICES.get(kind)
    if choices is None or value in (None, ""):
        return "" if value is None else str(value)
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


@register.filter
def num(value: Any) -> str:
    """A count with thousands separators in every language (zh-hans formats group nothing, and
    949000 is hard to read in a table)."""
    try:
        # A capped list's count is a lower bound (shian.core.lists.AtLeast): "10,000+".
        return f"{int(value):,}{'+' if getattr(value, 'at_least', False) else ''}"
    except (TypeError, ValueError):
        return "" if value is None else str(value)


@register.filter
def minutes(value: Any) -> int:
    """Whole minutes of a timedelta (the login lock-out's cool-off)."""
    try:
        return round(value.total_seconds() / 60)
    except AttributeError:
        return 0


@register.simple_tag
def user_scope(user: Any) -> str:
    """Where the user works: their town or street, their department, or the whole district."""
    if not getattr(user, "is_authenticated", False):
        return ""
    if user.department_id:
        return str(user.department.short_name)
    if user.region_id and user.region.level != RegionLevel.DISTRICT:
        return str(user.region.name)
    return _("Whole district")


@register.simple_tag
def page_numbers(page: Page, around: int = 2) -> list[int | None]:
    """Page numbers to link to: the first, the last and a few around the current one (None is a gap).
    A capped list (shian.core.lists) has no known last page: its numbers end in a gap."""
    last = page.paginator.num_pages
    capped = is_capped(page)
    wanted = {1, *range(page.number - around, page.number + around + 1)} | (set() if capped else {last})
    numbers: list[int | None] = []
    previous = 0
    for n in sorted(x for x in wanted if 1 <= x <= last):
        if n - previous > 1:
            numbers.append(None)
        numbers.append(n)
        previous = n
    if capped:
        numbers.append(None)
    return numbers
