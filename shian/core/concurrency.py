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


# --- Row versions: every edit form and API update of an existing row -------------------------------
#
# The register's form compares field by field (business_version/check_version above). Every other
# edit carries the version of the row it was made from, the same digest taken over the row's stored
# fields (and, for a model that defines `version_state()`, over that state, e.g. a sample with its
# items). A page form sends it as the hidden field `version`, an API client as the body's "version"
# (or an If-Match header); a stale one is refused before anything is written: 409, with
# CONFLICT_MESSAGE. An edit without a version is not checked (older clients, imports).

CONFLICT_MESSAGE = "此记录已被他人修改，请刷新后重试"
VERSION_FIELD = "version"


def row_version(obj: Any) -> str:
    """The version of a stored row: a digest of its fields (or of its own `version_state()`).
    None stands for a record not made yet (the first entry of a business's open-kitchen status)."""
    from .audit import snapshot

    if obj is None:
        return state_version({})
    state = obj.version_state() if hasattr(obj, "version_state") else snapshot(obj)
    return state_version(state)


def state_with(obj: Any, **children: Any) -> dict[str, Any]:
    """A row's state with the rows an edit of it also writes (a sample's test items, a disposal
    task's steps): a model's `version_state()` returns this."""
    from .audit import snapshot

    return {
        "row": snapshot(obj),
        **{k: [snapshot(c) for c in qs.order_by("pk")] for k, qs in children.items()},
    }


class StaleVersion(EditConflict):
    """The row changed after the editor read it. `fields` holds (field label, stored now, yours)
    for each field the edit sent whose stored value differs from it; the message names them, as
    the register's field-by-field check does."""

    def __init__(
        self,
        *,
        current_version: str,
        fields: list[tuple[str, Any, Any]] | None = None,
        labels: Mapping[str, str] | None = None,
    ) -> None:
        self.fields = fields or []
        self.labels = dict(labels or {})
        self.current_version = current_version
        parts = [
            f"{self.labels.get(f, f)}现为“{_shown(now)}”，您填写的是“{_shown(yours)}”"
            for f, now, yours in self.fields
        ]
        message = CONFLICT_MESSAGE + ("：" + "；".join(parts) + "。" if parts else "。")
        ValidationError.__init__(self, message, code="conflict")


def _sent(request: Any) -> dict[str, Any]:
    """What an edit request sent: the JSON body's object, or the form's fields (a field sent more
    than once as a list). Read by the version check and by the conflict's comparison alike."""
    import json

    if request.META.get("CONTENT_TYPE", "").startswith("application/json"):
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            return {}
        return body if isinstance(body, dict) else {}
    return {
        k: request.POST.getlist(k) if len(request.POST.getlist(k)) > 1 else v for k, v in request.POST.items()
    }


def _submitted(request: Any) -> dict[str, Any]:
    """What the edit sent, without the version and the token."""
    return {k: v for k, v in _sent(request).items() if k not in (VERSION_FIELD, "csrfmiddlewaretoken")}


def _differences(request: Any, stored: Any) -> tuple[list[tuple[str, Any, Any]], dict[str, str]]:
    """(field, stored now, yours) for each field of the row the edit sent with another value, and
    the fields' names as shown."""
    from .audit import snapshot

    if stored is None:
        return [], {}
    now = snapshot(stored)
    out = []
    labels: dict[str, str] = {}
    fields = {f.attname: f for f in type(stored)._meta.concrete_fields}
    fields.update({f.name: f for f in type(stored)._meta.concrete_fields})
    for key, yours in _submitted(request).items():
        field = fields.get(key)
        if field is None or field.attname not in now:
            continue
        current = now[field.attname]
        if _shown(current) != _shown(yours if yours not in (None, "") else None):
            out.append((field.attname, current, yours))
            labels[field.attname] = str(field.verbose_name)
    return out, labels


def expected_version(request: Any) -> str | None:
    """The version an edit request carries: the form field, the JSON body's "version", or If-Match."""
    if request.method not in ("POST", "PUT", "PATCH"):
        return None
    value: Any = _sent(request).get(VERSION_FIELD)
    if isinstance(value, list):  # a form field sent twice: the last, as QueryDict.get reads it
        value = value[-1]
    if not value:
        value = request.META.get("HTTP_IF_MATCH", "").strip().strip('"')
    return str(value) if value else None


def require_version(request: Any, obj: Any, *, expected: str | None = None) -> None:
    """Refuse an edit of `obj` made from another version than the stored one (StaleVersion).

    Call it after scope and permission checks (a record not yours stays a 404, a right you lack a
    403) and before the first write. Inside a transaction the row is locked until it ends, so the
    check and the write see the same row (a view wrapped in `versioned`)."""
    from django.db import connection

    if expected is None:
        expected = expected_version(request)
    if expected is None:
        return
    stored = None
    if obj is None:
        current = row_version(None)
    else:
        manager = type(obj)._default_manager
        qs = manager.select_for_update() if connection.in_atomic_block else manager.all()
        stored = qs.get(pk=obj.pk)
        current = row_version(stored)
    if current != expected:
        fields, labels = _differences(request, stored)
        raise StaleVersion(current_version=current, fields=fields, labels=labels)


def versioned(view: Callable[..., Any]) -> Callable[..., Any]:
    """A page view that edits existing rows: it runs in one transaction (so `require_version`'s
    lock holds until the write is done) and a stale version is answered 409 with the message and
    a way back, nothing written."""
    import functools

    from django.db import transaction
    from django.shortcuts import render
    from django.utils.http import url_has_allowed_host_and_scheme

    @functools.wraps(view)
    def wrapper(request: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            with transaction.atomic():
                return view(request, *args, **kwargs)
        except EditConflict as exc:
            back = request.META.get("HTTP_REFERER", "")
            if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
                back = request.path
            return render(
                request,
                "core/conflict.html",
                {
                    "message": exc.message,
                    "back": back,
                    "fields": [
                        (getattr(exc, "labels", {}).get(f, f), _shown(now), _shown(yours))
                        for f, now, yours in exc.fields
                    ],
                },
                status=409,
            )

    return wrapper


def versioned_operation(operation: Callable[..., Any]) -> Callable[..., Any]:
    """An API operation that edits existing rows runs in one transaction (the lock of
    `require_version` holds until its write is done); EditConflict is the API's 409. Applied to
    ninja's run of the operation (decorate_view), so the operation's own signature stays as written."""
    import functools

    from django.db import transaction
    from ninja.decorators import decorate_view

    def atomic(run: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(run)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with transaction.atomic():
                return run(*args, **kwargs)

        return wrapper

    return decorate_view(atomic)(operation)
