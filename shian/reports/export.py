"""A report as a file: rendered to docx, pdf or xlsx, and a download recorded in the audit trail."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from shian.core.audit import AuditEvent, audit_record
from shian.core.models import AuditAction, AuditSource, User
from shian.core.permissions import Cap, require_cap

from .assemble import build_document
from .data import ReportData, ReportError
from .document import Document
from .render_docx import render_docx
from .render_pdf import render_pdf
from .selectors import gather_report
from .xlsx import tables_to_xlsx

FORMATS: dict[str, tuple[str, Callable[[Document], bytes]]] = {
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", render_docx),
    "pdf": ("application/pdf", render_pdf),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", tables_to_xlsx),
}


def filename(data: ReportData, fmt_: str) -> str:
    return f"{data.title}.{fmt_}"


def render(doc: Document, fmt_: str) -> bytes:
    if fmt_ not in FORMATS:
        raise ReportError(_("不支持的格式“%(format)s”，应为 docx、pdf 或 xlsx") % {"format": fmt_})
    return FORMATS[fmt_][1](doc)


@dataclass(frozen=True)
class ReportFile:
    filename: str
    content: bytes
    content_type: str
    data: ReportData


def report_file(
    *, kind: str, year: int, quarter: int | None = None, fmt_: str, today: dt.date | None = None
) -> ReportFile:
    """Gather, assemble and render one report: what the command and the page both call."""
    if fmt_ not in FORMATS:
        raise ReportError(_("不支持的格式“%(format)s”，应为 docx、pdf 或 xlsx") % {"format": fmt_})
    data = gather_report(kind=kind, year=year, quarter=quarter, today=today)
    content = render(build_document(data), fmt_)
    return ReportFile(filename(data, fmt_), content, FORMATS[fmt_][0], data)


EXPORT_OBJECT_TYPE = "reports.document"


def report_export(
    *,
    actor: User,
    kind: str,
    year: int,
    quarter: int | None = None,
    fmt_: str,
    source: str = AuditSource.WEB,
) -> ReportFile:
    """A report downloaded by a person: made like any other, then its download recorded in the
    audit trail (what was published, by whom), in its own short transaction once the file exists."""
    require_cap(actor, Cap.PLAN_VIEW)
    made = report_file(kind=kind, year=year, quarter=quarter, fmt_=fmt_)
    with transaction.atomic():
        audit_record(
            actor=actor,
            source=source,
            event=AuditEvent(
                action=AuditAction.EXPORT,
                object_type=EXPORT_OBJECT_TYPE,
                object_id=f"{kind}-{year}" + (f"-Q{quarter}" if quarter else "") + f".{fmt_}",
                object_repr=made.filename,
                after={
                    "kind": kind,
                    "year": year,
                    "quarter": quarter,
                    "format": fmt_,
                    "as_of": made.data.as_of.isoformat(),
                    "bytes": len(made.content),
                },
            ),
        )
    return made
