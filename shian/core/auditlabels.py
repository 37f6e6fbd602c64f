"""Words for what an audit entry records besides a model's fields: an import's file and counts, an
export's filters, a signature's fingerprint, a regrade's tally. The trail shows these labels and
readable values, never the stored keys (`filename`, `signature_sha256`) or a Python dict.

Core names the keys it knows; a module adds its own (and, for a key whose value is an internal
code such as a rule edition, a function that turns the value into words) in its AppConfig.ready.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

_LABELS: dict[str, Any] = {
    "filename": _("File name"),
    "rows": _("Rows"),
    "created": _("Created"),
    "updated": _("Updated"),
    "unchanged": _("Unchanged"),
    "filters": _("Filters"),
    "q": _("Search"),
    "region": _("Town or street"),
    "status": _("Status"),
    "business_type": _("Business type"),
    "category": _("Food category"),
    "scale": _("Scale"),
    "signature_sha256": _("Fingerprint of the signature"),
    "inspectors": _("Inspectors"),
    "reason": _("Reason"),
    "context": _("Context"),
    "name": _("Name"),
    "count": _("Count"),
}
_VALUES: dict[str, Callable[[Any], str]] = {}


def register(labels: Mapping[str, Any], values: Mapping[str, Callable[[Any], str]] | None = None) -> None:
    """A module's keys and their labels (lazy translations), and formatters for coded values."""
    _LABELS.update(labels)
    _VALUES.update(values or {})


def key_label(key: str) -> str:
    return str(_LABELS.get(key.lstrip("@"), key.lstrip("@")))


def value_text(key: str, value: Any) -> str:
    """A recorded value as words: a coded value through its module's formatter, a mapping as
    "label：value" pairs, a list joined, yes/no for a flag."""
    key = key.lstrip("@")
    if key in _VALUES:
        try:
            return _VALUES[key](value)
        except (TypeError, ValueError, LookupError):
            pass
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if value is None or value == "":
        return "—"
    if isinstance(value, Mapping):
        return "；".join(f"{key_label(str(k))}：{value_text(str(k), v)}" for k, v in value.items()) or "—"
    if isinstance(value, list | tuple):
        return "、".join(value_text(key, v) for v in value) or "—"
    return str(value)


def notes(values: Mapping[str, Any]) -> dict[str, str]:
    """Label -> readable value for an entry's notes."""
    return {key_label(k): value_text(k, v) for k, v in values.items()}
