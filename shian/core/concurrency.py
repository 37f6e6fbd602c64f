"""Optimistic concurrency: an edit carries the version of the record it was made from, and a save
over a record changed since is refused with both values of every field that differs, never a
silent overwrite of the other person's change.

A version is a short digest of the record's audited state, so it needs no column of its own and
changes with every write, whatever the path (page, API, import)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from typing import Any

from django.core.exceptions import ValidationError

from .audit import _dumps, audit_value


def state_version(state: Mapping[str, Any]) -> str:
    return hashlib.sha256(_dumps(audit_value(dict(state))).encode()).hexdigest()[:16]


def _shown(value: Any) -> str:
    if value in (None, "", []):
        return "（空）"
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return str(value)


class EditConflict(ValidationError):
    """The record changed after the editor loaded it. `fields` holds (field, stored now, yours)."""

    def __init__(
        self, fields: list[tuple[str, Any, Any]], *, current_version: str, label: Callable[[str], str]
    ) -> None:
        self.fields = fields
        self.current_version = current_version
        parts = [f"{label(f)}现为“{_shown(now)}”，您填写的是“{_shown(yours)}”" for f, now, yours in fields]
        message = (
            "这条记录在您打开后已被他人修改，未保存。"
            + ("；".join(parts) + "。" if parts else "两处修改内容相同。")
            + "请核对后重新提交（再次提交将以您填写的为准）。"
        )
        super().__init__(message, code="conflict")


def check_version(
    *,
    expected: str | None,
    current: Mapping[str, Any],
    yours: Mapping[str, Any],
    label: Callable[[str], str] = str,
) -> None:
    """Raise EditConflict when `expected` is given and the stored state is no longer that version."""
    if expected is None:
        return
    version = state_version(current)
    if expected == version:
        return
    fields = [(k, current.get(k), yours.get(k)) for k in yours if current.get(k) != yours.get(k)]
    raise EditConflict(fields, current_version=version, label=label)
