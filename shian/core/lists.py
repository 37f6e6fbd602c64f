"""The one way a filterable list page answers: the whole page, or (to an htmx request from its
filter form) the table alone with the canonical address pushed to the browser's bar; and the one
way a list is paged, with a capped count.

A list counts at most SHIAN_LIST_COUNT_CAP rows (10,000), or up to the page asked for when that
lies further: `SELECT count(*) FROM (SELECT id … LIMIT cap + 1)`. A longer list shows "10,000+"
and its pager goes on page by page; the number is a true lower bound, never a guess. (PostgreSQL's
planner estimate was the other way: free, but only for an unfiltered table, off by whatever
changed since the last ANALYZE, and not a number an officer can quote.) Exports count exactly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sized
from functools import cached_property
from math import ceil
from typing import Any, TypeVar, cast
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django_htmx.http import push_url

# The bound on an API list's offset: beyond any table the platform keeps, and far inside the 64-bit
# integer PostgreSQL compares it with (an unbounded offset answered 500 there).
MAX_OFFSET = 10_000_000


class AtLeast(int):
    """A count that is a lower bound: the list holds this many rows or more. It reads "10000+"
    (the `num` filter: "10,000+"), so every template that shows a count shows the bound."""

    at_least = True

    def __str__(self) -> str:
        return f"{int(self)}+"


def capped_count(qs: QuerySet[Any] | Sized, reach: int) -> int:
    """The number of rows, counting no further than `reach`: an AtLeast(reach) when there are more."""
    # Order and joined columns do not change a count: the database stops after reach + 1 rows.
    n = qs.order_by().select_related(None)[: reach + 1].count() if isinstance(qs, QuerySet) else len(qs)
    return AtLeast(reach) if n > reach else n


class CappedPage(Page):
    """A page of a capped list: past the counted rows there are more, so "next" goes on."""

    paginator: CappedPaginator

    def has_next(self) -> bool:
        return self.paginator.capped or super().has_next()

    def next_page_number(self) -> int:
        if self.paginator.capped and self.number == self.paginator.num_pages:
            return self.number + 1  # the next request counts that much further
        return super().next_page_number()


class CappedPaginator(Paginator):
    """Django's paginator over a capped count (see the module's docstring)."""

    def __init__(self, object_list: Any, per_page: int, cap: int | None = None) -> None:
        super().__init__(object_list, per_page)
        self.cap = settings.SHIAN_LIST_COUNT_CAP if cap is None else cap
        self.reach = self.cap

    def get_page(self, number: Any) -> CappedPage:
        try:
            wanted = int(number)
        except (TypeError, ValueError):
            wanted = 1
        # Count as far as the page asked for, so a pager that went past the cap keeps working; the
        # bound keeps the LIMIT inside what the database accepts.
        self.reach = max(self.cap, min(max(wanted, 1), MAX_OFFSET // self.per_page) * self.per_page)
        return super().get_page(number)  # type: ignore[return-value]

    @cached_property
    def count(self) -> int:
        return capped_count(self.object_list, self.reach)

    @property
    def capped(self) -> bool:
        return isinstance(self.count, AtLeast)

    @cached_property
    def num_pages(self) -> int:
        if self.count == 0 and not self.allow_empty_first_page:
            return 0
        pages = ceil(max(1, self.count - self.orphans) / self.per_page)
        return AtLeast(pages) if self.capped else pages

    def _get_page(self, *args: Any, **kwargs: Any) -> CappedPage:
        return CappedPage(*args, **kwargs)


_Row = TypeVar("_Row", bound=Model)


def list_page(request: HttpRequest, qs: QuerySet[_Row], per_page: int | None = None) -> Page[_Row]:
    """The page of a list the request asks for (?page=), over a capped count (a CappedPage)."""
    size = per_page or settings.SHIAN_PAGE_SIZE
    return cast("Page[_Row]", CappedPaginator(qs, size).get_page(request.GET.get("page")))


def is_capped(page: Page[Any]) -> bool:
    """Whether the page's list goes on past its count (a capped count, not an exact one)."""
    return bool(getattr(page.paginator, "capped", False))


def list_query(params: Mapping[str, str]) -> dict[str, str]:
    """The filters in use as a query string, and as a prefix for the pager's links."""
    query = urlencode(params)
    return {"query": query, "query_prefix": f"{query}&" if query else ""}


def list_response(
    request: HttpRequest,
    *,
    page_template: str,
    table_template: str,
    context: dict[str, Any],
    params: Mapping[str, str],
    page: Page[Any],
) -> HttpResponse:
    # An htmx request from the filter form gets the table alone; a normal request (a bookmark, or
    # htmx restoring history it no longer has cached) gets the whole page.
    htmx = request.htmx  # type: ignore[attr-defined]  # set by django-htmx's middleware
    partial = bool(htmx) and not htmx.history_restore_request
    response = render(request, table_template if partial else page_template, context)
    patch_vary_headers(response, ("HX-Request",))
    if partial:
        # The address bar gets the canonical, bookmarkable URL: the filters in use and the page.
        query = dict(params)
        if page.number > 1:
            query["page"] = str(page.number)
        response = push_url(response, f"{request.path}?{urlencode(query)}" if query else request.path)
    return response
