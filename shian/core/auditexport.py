"""The audit trail as a workbook: the entries a person sees, as filtered, one row each with the
fields it changed and its values before and after; the export itself is an entry of the trail."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from .audit import AuditEvent, audit_record
from .models import AuditAction, AuditEntry, AuditSource, User
from .xlsx import Cell, table_xlsx

EXPORT_OBJECT_TYPE = "core.audit_export"
MAX_ROWS = 100_000
HEADERS = [
    "序号",
    "时间",
    "操作人",
    "操作",
    "来源",
    "对象类型",
    "对象编号",
    "对象",
    "镇街",
    "变更字段",
    "变更前",
    "变更后",
    "本条哈希",
]


def _json(value: Any) -> str | None:
    # A cell holds at most 32,767 characters; a longer state is cut, and says so.
    if value is None:
        return None
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= 32_000 else text[:32_000] + "…（截断）"


def audit_trail_xlsx(
    *,
    user: User,
    entries: Iterable[AuditEntry],
    filters: dict[str, str],
    region_names: dict[str, str],
    type_label: Callable[[str], str],
    changed_fields: Callable[[AuditEntry], list[str]],
) -> bytes:
    """The workbook of `entries` (at most MAX_ROWS), and an EXPORT entry naming the filters and
    the number of rows, written in its own short transaction once the workbook is built."""
    actions, sources = dict(AuditAction.choices), dict(AuditSource.choices)
    rows: list[list[Cell]] = []
    for e in entries:
        rows.append(
            [
                e.seq,
                timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"),
                str(e.actor) if e.actor else e.actor_username,
                str(actions.get(e.action, e.action)),
                str(sources.get(e.source, e.source)),
                type_label(e.object_type),
                e.object_id,
                e.object_repr,
                region_names.get(e.region_code, e.region_code) or None,
                "、".join(changed_fields(e)) or None,
                _json(e.before),
                _json(e.after),
                e.entry_hash,
            ]
        )
        if len(rows) >= MAX_ROWS:
            break
    content = table_xlsx(title="审计日志", headers=HEADERS, rows=rows, sheet="审计日志")
    with transaction.atomic():
        audit_record(
            actor=user,
            source=AuditSource.WEB,
            event=AuditEvent(
                action=AuditAction.EXPORT,
                object_type=EXPORT_OBJECT_TYPE,
                object_id=uuid.uuid4().hex[:12],
                object_repr=f"审计日志导出（{len(rows)}条）",
                region_code=getattr(user, "region_id", None) or "",
                after={"filters": filters, "rows": len(rows)},
            ),
        )
    return content
