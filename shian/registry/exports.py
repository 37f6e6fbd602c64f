"""Export of the food-business register to xlsx, in the importer's own columns.

Scoped like every read (a town officer exports only their town), streamed (xlsxwriter's
constant-memory mode, the queryset in chunks), traced in the audit log, and safe to open:
text a spreadsheet would run as a formula is written with a leading apostrophe.
An exported file imports back unchanged (imports.py takes the apostrophe off again).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict
from typing import IO, Any

import xlsxwriter
from django.db import transaction
from django.db.models import QuerySet
from django.utils import translation

from shian.core.audit import AuditEvent, audit_record
from shian.core.models import AuditAction, AuditSource, FoodCategory, Role, User
from shian.core.permissions import Cap, require_cap
from shian.core.xlsx import guard_text

from .imports import HEADER_OF
from .models import Business, BusinessFoodCategory, BusinessScale, BusinessStatus, BusinessType
from .rules import FIELDS
from .selectors import BusinessFilters, business_list_for_user

EXPORT_OBJECT_TYPE = "registry.export"
CHUNK = 2000
# Columns read from the database, in FIELDS order where they differ from the field name.
_COLUMNS = (
    "id",
    "name",
    "credit_code",
    "production_licence",
    "business_licence",
    "business_type",
    "scale",
    "region__name",
    "address",
    "legal_representative",
    "longitude",
    "latitude",
    "status",
    "opened_on",
    "licence_valid_until",
    "closed_on",
)
_WIDTHS = {
    "name": 36,
    "credit_code": 22,
    "production_licence": 20,
    "business_licence": 20,
    "business_type": 16,
    "categories": 24,
    "scale": 8,
    "region_code": 14,
    "address": 40,
    "legal_representative": 12,
    "longitude": 12,
    "latitude": 12,
    "status": 8,
    "opened_on": 12,
    "licence_valid_until": 14,
    "closed_on": 12,
}


class _SystemReader:
    """The reader of a system export (a command run without --user): sees the whole register,
    as a district administrator does. Only the command asks for it (``system=True``)."""

    is_authenticated = True
    is_active = True
    is_superuser = True
    role = Role.DISTRICT_ADMIN
    region_id = None
    department_id = None


def _chunks(rows: Iterator[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    chunk: list[tuple[Any, ...]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _categories_of(ids: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for i in range(0, len(ids), 900):  # SQLite allows 999 parameters per statement
        for bid, code in (
            BusinessFoodCategory.objects.filter(business_id__in=ids[i : i + 900])
            .order_by("category__sort_order")
            .values_list("business_id", "category_id")
        ):
            out.setdefault(bid, []).append(code)
    return out


def business_export_xlsx(
    *,
    user: User | None,
    filters: BusinessFilters,
    out: IO[bytes] | str,
    system: bool = False,
    source: str = AuditSource.WEB,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Write the businesses `user` may see that match `filters` to `out` (a path or a binary file);
    returns the number of rows written. `system=True` (the command without --user, `user` None)
    exports the whole register. `progress(done, total)` is told after every chunk (a background
    job's progress bar, shian.jobs)."""
    if system:
        if user is not None:
            raise ValueError("a system export has no user")
        reader: Any = _SystemReader()
    else:
        require_cap(user, Cap.REGISTER_EXPORT)
        reader = user
    qs: QuerySet[Business] = business_list_for_user(user=reader, filters=filters)
    total = qs.count() if progress else 0
    category_names = dict(FoodCategory.objects.values_list("code", "name"))
    with translation.override("zh-hans"):
        labels = {
            "business_type": {v: str(label) for v, label in BusinessType.choices},
            "scale": {v: str(label) for v, label in BusinessScale.choices},
            "status": {v: str(label) for v, label in BusinessStatus.choices},
        }

    book = xlsxwriter.Workbook(out, {"constant_memory": True})
    bold = book.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1})
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
    coord_fmt = book.add_format({"num_format": "0.000000"})
    sheet = book.add_worksheet("经营主体")
    for col, fname in enumerate(FIELDS):
        sheet.set_column(col, col, _WIDTHS[fname])
        sheet.write_string(0, col, HEADER_OF[fname], bold)
    sheet.freeze_panes(1, 1)

    written = 0
    rows = qs.values_list(*_COLUMNS).iterator(chunk_size=CHUNK)
    try:
        for chunk in _chunks(rows, CHUNK):
            categories = _categories_of([row[0] for row in chunk])
            for row in chunk:
                written += 1
                values = dict(zip(_COLUMNS, row, strict=True))
                values["region_code"] = values.pop("region__name")
                values["categories"] = "、".join(category_names[c] for c in categories.get(row[0], []))
                for fname in ("business_type", "scale", "status"):
                    values[fname] = labels[fname].get(values[fname], values[fname])
                for col, fname in enumerate(FIELDS):
                    value = values[fname]
                    if value is None or value == "":
                        continue
                    if isinstance(value, dt.date):
                        sheet.write_datetime(written, col, value, date_fmt)
                    elif fname in ("longitude", "latitude"):
                        sheet.write_number(written, col, float(value), coord_fmt)
                    else:
                        sheet.write_string(written, col, guard_text(str(value)))
            if progress:
                progress(written, max(total, written))
    finally:
        # On a failed write (a full disk) too: the database cursor is closed now, not at exit.
        getattr(rows, "close", lambda: None)()
    sheet.autofilter(0, 0, max(written, 1), len(FIELDS) - 1)
    book.close()

    # The audit entry goes in its own short transaction after the file is written: holding one
    # open while a large export streams would block every writer (SQLite takes the lock at BEGIN).
    with transaction.atomic():
        audit_record(
            actor=user,
            source=source,
            event=AuditEvent(
                action=AuditAction.EXPORT,
                object_type=EXPORT_OBJECT_TYPE,
                object_id=uuid.uuid4().hex[:12],
                object_repr=f"经营主体登记簿导出（{written}条）",
                region_code=filters.region or (getattr(user, "region_id", None) or ""),
                after={"filters": {k: v for k, v in asdict(filters).items() if v}, "rows": written},
            ),
        )
    return written
