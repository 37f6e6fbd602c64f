"""The related-records registry: what each module holds about one business, linked from its page.

The register is the lowest layer and must not import the modules above it, yet a business's page
links its grade, inspections, samples, cases and credit file. Each module declares a provider in
its own code (registered in its AppConfig.ready, as to-dos and indicators are) that returns the
links it has for a business, read through its scoped selectors; the business page shows them all.
A module that arrives later (cases, credit) adds its link without touching the register.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RelatedLink:
    """One kind of record a module holds about a business, behind one link."""

    module: str  # the declaring module's label ("inspections")
    key: str  # stable within the module ("inspections")
    title: str  # translated ("监督检查")
    url: str  # the list filtered to the business, or the record itself
    count: int | None = None  # how many records the link stands for; None for a single record
    detail: str = ""  # one short line (the grade, the latest result)
    status: str = ""  # a chip class for the detail ("qualified", "unqualified", "overdue")
    order: int = 50  # lower first
    action: bool = False  # a button that starts work on the business ("开始检查"), not a record


Provider = Callable[[Any, Any], Iterable[RelatedLink]]

_PROVIDERS: dict[str, Provider] = {}


def register(name: str, provider: Provider) -> Provider:
    """Register a module's provider under a unique name (re-registering replaces it)."""
    _PROVIDERS[name] = provider
    return provider


def providers() -> dict[str, Provider]:
    return dict(_PROVIDERS)


def related_for(user: Any, business: Any) -> list[RelatedLink]:
    """Every provider's links for this business, as this person may see them, in order."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    links: list[RelatedLink] = []
    for provider in _PROVIDERS.values():
        links.extend(provider(user, business))
    return sorted(links, key=lambda link: (link.order, link.title))
