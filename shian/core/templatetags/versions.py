"""{% version_input obj %}: the hidden field an edit form carries the version it was made from in
(core.concurrency). None: the record is not made yet."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html

from shian.core.concurrency import VERSION_FIELD, row_version

register = template.Library()


@register.simple_tag
def version_input(obj: Any) -> str:
    return format_html('<input type="hidden" name="{}" value="{}">', VERSION_FIELD, row_version(obj))
