"""The one way a filterable list page answers: the whole page, or (to an htmx request from its
filter form) the table alone with the canonical address pushed to the browser's bar."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Page
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django_htmx.http import push_url

# The bound on an API list's offset: beyond any table the platform keeps, and far inside the 64-bit
# integer PostgreSQL compares it with (an unbounded offset answered 500 there).
MAX_OFFSET = 10_000_000


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
