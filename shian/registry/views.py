"""Register pages: list (htmx live filters), export, detail with its history, create, edit, import.

Each view validates its input, loads through a scoped selector, calls one service and renders.
"""

from __future__ import annotations

import io
import re
import tempfile
import uuid
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from shian.core import auditlabels
from shian.core.concurrency import EditConflict
from shian.core.lists import is_capped, list_page, list_query, list_response
from shian.core.models import AuditEntry, AuditSource, FoodCategory, Region, User
from shian.core.permissions import Cap, has_cap, require_cap
from shian.core.related import related_for

from . import selectors, services
from .forms import BusinessFilterForm, BusinessForm, ImportForm
from .models import Business, BusinessScale, BusinessStatus, BusinessType

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SESSION_IMPORT_REPORTS = "shian_import_reports"
REPORT_ID = re.compile(r"[0-9a-f]{32}")


def _actor(request: HttpRequest) -> User:
    """The signed-in user (every view here is behind login_required)."""
    return cast(User, request.user)


def _filters(request: HttpRequest) -> tuple[BusinessFilterForm, selectors.BusinessFilters]:
    form = BusinessFilterForm(request.GET, user=request.user)
    return form, selectors.BusinessFilters.from_mapping(form.filter_values())


@login_required
@require_GET
def business_list(request: HttpRequest) -> HttpResponse:
    require_cap(request.user, Cap.REGISTER_VIEW)
    form, filters = _filters(request)
    qs = selectors.business_list_for_user(user=request.user, filters=filters)
    # One COUNT and one page query (the selector joins the region).
    page = list_page(request, qs)
    params = filters.as_query()
    context = {
        "form": form,
        "page": page,
        **list_query(params),
        "filtered": bool(params),
        "can_change": has_cap(request.user, Cap.REGISTER_CHANGE),
        "can_export": has_cap(request.user, Cap.REGISTER_EXPORT),
        "export_in_background": is_capped(page) or page.paginator.count > settings.SHIAN_EXPORT_SYNC_ROWS,
        "today": timezone.localdate(),
    }
    return list_response(
        request,
        page_template="registry/business_list.html",
        table_template="registry/_business_table.html",
        context=context,
        params=params,
        page=page,
    )


@login_required
@require_GET
def business_export(request: HttpRequest) -> FileResponse:
    require_cap(request.user, Cap.REGISTER_EXPORT)
    from .exports import business_export_xlsx

    _form, filters = _filters(request)
    out = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it after sending
    business_export_xlsx(user=_actor(request), filters=filters, out=out)
    out.seek(0)
    # File names stay Chinese in every language: the workbooks themselves are Chinese (headers, values).
    filename = f"食品经营主体_{timezone.localdate():%Y%m%d}.xlsx"
    return FileResponse(out, as_attachment=True, filename=filename, content_type=XLSX)


# -- detail and history -------------------------------------------------------------------------

_FIELD_ALIASES = {"region": "region", "categories": "food_categories"}
_CHOICE_FIELDS: dict[str, Any] = {
    "business_type": BusinessType,
    "scale": BusinessScale,
    "status": BusinessStatus,
}


def _field_label(key: str) -> str:
    try:
        field = Business._meta.get_field(_FIELD_ALIASES.get(key, key))
    except FieldDoesNotExist:
        return auditlabels.key_label(key)
    return str(getattr(field, "verbose_name", key))


class _Names:
    """Region and category names for history values, loaded once per page."""

    def __init__(self) -> None:
        self.regions = dict(Region.objects.values_list("code", "name"))
        self.categories = dict(FoodCategory.objects.values_list("code", "name"))

    def value(self, key: str, value: Any) -> str:
        if value is None or value == "" or value == []:
            return "—"
        if key in _CHOICE_FIELDS:
            try:
                return str(_CHOICE_FIELDS[key](value).label)
            except ValueError:
                return str(value)
        if key == "region":
            return self.regions.get(str(value), str(value))
        if key == "categories" and isinstance(value, list):
            return pgettext("list separator", ", ").join(self.categories.get(str(c), str(c)) for c in value)
        return str(value)


def _history_rows(entries: list[AuditEntry]) -> list[dict[str, Any]]:
    names = _Names()
    rows = []
    for entry in entries:
        before, after = entry.before or {}, entry.after or {}
        keys = [k for k in {**before, **after} if not k.startswith("@")]
        changes = []
        for key in keys:
            old, new = before.get(key), after.get(key)
            if entry.before is None and new in (None, "", []):
                continue  # a creation lists only the fields it set
            changes.append(
                {
                    "field": _field_label(key),
                    "before": names.value(key, old) if entry.before is not None else None,
                    "after": names.value(key, new) if entry.after is not None else None,
                }
            )
        extra = auditlabels.notes({k: v for k, v in after.items() if k.startswith("@")})
        rows.append({"entry": entry, "changes": changes, "extra": extra})
    return rows


@login_required
def business_detail(request: HttpRequest, pk: int) -> HttpResponse:
    business = selectors.business_get_for_user(user=request.user, pk=pk)
    require_cap(request.user, Cap.REGISTER_VIEW)
    history = list(selectors.business_history(business=business).select_related("actor")[:200])
    related = related_for(request.user, business)
    fields = [
        (_field_label(f), getattr(business, f))
        for f in (
            "credit_code",
            "production_licence",
            "business_licence",
            "address",
            "legal_representative",
            "opened_on",
            "licence_valid_until",
            "closed_on",
            "longitude",
            "latitude",
        )
    ]
    return render(
        request,
        "registry/business_detail.html",
        {
            "business": business,
            "fields": fields,
            "categories": selectors.business_categories(business=business),
            "history": _history_rows(history),
            # What the modules above the register hold about it (core.related: grade, inspections,
            # samples; cases and credit when they arrive), each read in the person's scope.
            "related": [r for r in related if not r.action],
            "actions": [r for r in related if r.action],
            "can_change": has_cap(request.user, Cap.REGISTER_CHANGE),
            "licence_expired": business.licence_valid_until is not None
            and business.licence_valid_until < timezone.localdate(),
            "labels": {
                k: _field_label(k)
                for k in (
                    "business_type",
                    "scale",
                    "region",
                    "status",
                    "categories",
                    "created_at",
                    "updated_at",
                )
            },
        },
    )


# -- create and edit ----------------------------------------------------------------------------


def _add_service_errors(form: BusinessForm, exc: ValidationError) -> None:
    """Place a service's refusal on the form: by field where it names one, else on top."""
    problems = getattr(exc, "problems", None)
    if problems:
        for message in problems.values():
            form.add_error(None, message)
        return
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            field = "region_code" if field == "region" else field
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
def business_create(request: HttpRequest) -> HttpResponse:
    require_cap(request.user, Cap.REGISTER_CHANGE)
    form = BusinessForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid() and form.business_input is not None:
        try:
            # The service refuses a code already on the register by raising after its own write;
            # this outer transaction makes sure nothing of a refused creation stays.
            with transaction.atomic():
                business = services.business_create(
                    actor=_actor(request),
                    source=AuditSource.WEB,
                    data=form.business_input,
                )
        except ValidationError as exc:
            _add_service_errors(form, exc)
        else:
            messages.success(request, _("“%(name)s” was added to the register.") % {"name": business.name})
            return redirect("registry:business_detail", pk=business.pk)
    return render(request, "registry/business_form.html", {"form": form, "business": None})


@login_required
def business_edit(request: HttpRequest, pk: int) -> HttpResponse:
    business = selectors.business_get_for_user(user=request.user, pk=pk)
    require_cap(request.user, Cap.REGISTER_CHANGE)
    if request.method == "POST":
        form = BusinessForm(request.POST, user=request.user)
        if form.is_valid() and form.business_input is not None:
            try:
                business = services.business_update(
                    actor=_actor(request),
                    source=AuditSource.WEB,
                    business=business,
                    data=form.business_input,
                    expected_version=form.cleaned_data.get("version") or None,
                )
            except EditConflict as exc:
                # Both values are named; the form keeps what this person typed and now carries
                # the stored version, so submitting again is a deliberate overwrite.
                form.add_error(None, exc.message)
                data = request.POST.copy()
                data["version"] = exc.current_version
                form.data = data
            except ValidationError as exc:
                _add_service_errors(form, exc)
            else:
                messages.success(request, _("The changes were saved."))
                return redirect("registry:business_detail", pk=business.pk)
    else:
        categories = [c.code for c in selectors.business_categories(business=business)]
        initial = {
            **BusinessForm.initial_for(business, categories),
            "version": services.business_version(business),
        }
        form = BusinessForm(initial=initial, user=request.user)
    return render(request, "registry/business_form.html", {"form": form, "business": business})


# -- import -------------------------------------------------------------------------------------


def _report_dir() -> Any:
    return settings.DATA_DIR / "import-reports"


def _remember_report(request: HttpRequest, data: bytes) -> str:
    """Keep an error workbook for its uploader to download; only their session knows its id."""
    report_id = uuid.uuid4().hex
    directory = _report_dir()
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{report_id}.xlsx").write_bytes(data)
    ids = [*request.session.get(SESSION_IMPORT_REPORTS, []), report_id][-20:]
    request.session[SESSION_IMPORT_REPORTS] = ids
    return report_id


@login_required
def business_import(request: HttpRequest) -> HttpResponse:
    require_cap(request.user, Cap.REGISTER_IMPORT)
    from . import imports

    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    report_id = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read()
        report = imports.business_import(
            actor=_actor(request),
            source=AuditSource.IMPORT,
            filename=upload.name,
            content=content,
            dry_run=form.cleaned_data["dry_run"],
        )
        if not report.ok:
            data = imports.import_error_workbook(report=report, filename=upload.name, content=content)
            report_id = _remember_report(request, data)
    return render(
        request,
        "registry/import.html",
        {
            "form": form,
            "report": report,
            "report_id": report_id,
            "issues": report.issues[:500] if report is not None else [],
        },
    )


@login_required
@require_GET
def import_report_download(request: HttpRequest, report_id: str) -> FileResponse:
    require_cap(request.user, Cap.REGISTER_IMPORT)
    if not REPORT_ID.fullmatch(report_id) or report_id not in request.session.get(SESSION_IMPORT_REPORTS, []):
        raise Http404
    path = _report_dir() / f"{report_id}.xlsx"
    if not path.exists():
        raise Http404
    filename = f"导入错误报告_{timezone.localdate():%Y%m%d}.xlsx"
    return FileResponse(path.open("rb"), as_attachment=True, filename=filename, content_type=XLSX)


@login_required
@require_GET
def import_template_download(request: HttpRequest) -> FileResponse:
    require_cap(request.user, Cap.REGISTER_IMPORT)
    from .imports import import_template_xlsx

    filename = "食品经营主体导入模板.xlsx"
    return FileResponse(
        io.BytesIO(import_template_xlsx()), as_attachment=True, filename=filename, content_type=XLSX
    )
