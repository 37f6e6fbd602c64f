"""Pages for unit records (core.unitrecords): list with filters and export, a form to add or
change one, an xlsx import with located problems. A module binds them to its own URLs with its
registry of kinds and its namespace (shian/sources/urls.py); every view is three steps: check the
capability, load through the scoped selector, call the one service."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import unitrecords as ur
from .concurrency import require_version, versioned
from .lists import list_page
from .models import AuditSource
from .permissions import UnitCap, has_cap, require_cap
from .scoping import regions_for

MAX_UPLOAD = 20 * 1024 * 1024


def _kind(registry: ur.Registry, slug: str) -> ur.Kind:
    kind = registry.get(slug)
    if kind is None:
        raise Http404
    return kind


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response


def _base(request: HttpRequest, registry: ur.Registry, ns: str, kind: ur.Kind | None) -> dict[str, Any]:
    return {
        "ns": ns,
        "kinds": list(registry.kinds.values()),
        "pages": registry.pages,
        "kind": kind,
        "module_title": registry.module,
        "can_add": kind is not None and ur.may_add(request.user, kind),
    }


def _filtered(request: HttpRequest, kind: ur.Kind) -> tuple[Any, dict[str, str]]:
    qs = ur.records_for_user(kind, request.user)
    params = {k: request.GET.get(k, "").strip()[:60] for k in ("region", "q")}
    if params["region"]:
        qs = qs.filter(region_id=params["region"])
    if params["q"] and kind.key != "pk":
        qs = qs.filter(**{f"{kind.key}__icontains": params["q"]})
    return qs, {k: v for k, v in params.items() if v}


@login_required
def kind_list(request: HttpRequest, slug: str, *, registry: ur.Registry, ns: str) -> HttpResponse:
    require_cap(request.user, UnitCap.VIEW)
    kind = _kind(registry, slug)
    qs, params = _filtered(request, kind)
    page = list_page(request, qs, 50)
    cols = ur.columns(kind)
    rows = [(r, [ur.display(r, attr) for _l, attr in cols]) for r in page.object_list]
    context = {
        **_base(request, registry, ns, kind),
        "columns": [c[0] for c in cols],
        "rows": rows,
        "page": page,
        "filters": params,
        "regions": regions_for(request.user),
        "count": page.paginator.count,
    }
    return render(request, "core/unit_list.html", context)


@login_required
def kind_export(request: HttpRequest, slug: str, *, registry: ur.Registry, ns: str) -> HttpResponse:
    require_cap(request.user, UnitCap.VIEW)
    kind = _kind(registry, slug)
    qs, _params = _filtered(request, kind)
    return _xlsx(ur.export_xlsx(kind, qs[:100_000]), f"{slug}.xlsx")


@login_required
def kind_template(request: HttpRequest, slug: str, *, registry: ur.Registry, ns: str) -> HttpResponse:
    require_cap(request.user, UnitCap.VIEW)
    kind = _kind(registry, slug)
    return _xlsx(ur.template_xlsx(kind), f"{slug}-template.xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def kind_new(request: HttpRequest, slug: str, *, registry: ur.Registry, ns: str) -> HttpResponse:
    require_cap(request.user, UnitCap.RECORD)
    kind = _kind(registry, slug)
    if not ur.may_add(request.user, kind):
        raise PermissionDenied(_("You do not have permission to do this."))
    form = ur.record_form(kind, request.user)
    if request.method == "POST":
        try:
            record = ur.unit_record_save(
                kind=kind, by=request.user, source=AuditSource.WEB, data=request.POST, files=request.FILES
            )
        except ValidationError as exc:
            form = ur.record_form(kind, request.user, data=request.POST)
            form.is_valid()
            for field, messages in getattr(exc, "message_dict", {"__all__": exc.messages}).items():
                for m in messages:
                    form.add_error(field if field in form.fields else None, m)
        else:
            return redirect(reverse(f"{ns}:kind_detail", args=[slug, record.pk]))
    return render(request, "core/unit_form.html", {**_base(request, registry, ns, kind), "form": form})


@login_required
@require_http_methods(["GET", "POST"])
@versioned
def kind_detail(request: HttpRequest, slug: str, pk: str, *, registry: ur.Registry, ns: str) -> HttpResponse:
    require_cap(request.user, UnitCap.VIEW)
    kind = _kind(registry, slug)
    record = ur.record_get_or_404(kind, request.user, pk)
    editable = ur.may_change(request.user, kind, record)
    form = ur.record_form(kind, request.user, instance=record) if editable else None
    if request.method == "POST":
        if not editable:
            raise PermissionDenied(_("该记录不由本单位（本镇街）负责。"))
        require_version(request, record)
        try:
            ur.unit_record_save(
                kind=kind,
                by=request.user,
                source=AuditSource.WEB,
                data=request.POST,
                files=request.FILES,
                instance=record,
            )
        except ValidationError as exc:
            form = ur.record_form(kind, request.user, data=request.POST, instance=record)
            form.is_valid()
            for field, messages in getattr(exc, "message_dict", {"__all__": exc.messages}).items():
                for m in messages:
                    form.add_error(field if field in form.fields else None, m)
        else:
            return redirect(reverse(f"{ns}:kind_detail", args=[slug, record.pk]))
    values = [(label, ur.display(record, attr)) for label, attr in ur.columns(kind)]
    context = {**_base(request, registry, ns, kind), "record": record, "values": values, "form": form}
    return render(request, "core/unit_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def kind_import(request: HttpRequest, slug: str, *, registry: ur.Registry, ns: str) -> HttpResponse:
    require_cap(request.user, UnitCap.RECORD)
    kind = _kind(registry, slug)
    if not ur.may_add(request.user, kind):
        raise PermissionDenied(_("You do not have permission to do this."))
    context: dict[str, Any] = {**_base(request, registry, ns, kind), "headers": ur.headers(kind)}
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None or upload.size is None or upload.size > MAX_UPLOAD:
            context["error"] = _("请选择不超过20MB的xlsx文件。")
            return render(request, "core/unit_import.html", context, status=400)
        try:
            result = ur.unit_records_import(
                kind=kind, by=request.user, source=AuditSource.IMPORT, content=upload.read()
            )
        except ValidationError as exc:
            context["error"] = " ".join(exc.messages)
            return render(request, "core/unit_import.html", context, status=400)
        context["result"] = result
        return render(request, "core/unit_import.html", context, status=200 if result.ok else 400)
    return render(request, "core/unit_import.html", context)


def has_view(user: Any) -> bool:
    return has_cap(user, UnitCap.VIEW)
