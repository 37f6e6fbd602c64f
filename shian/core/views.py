"""Core pages: the audit trail and the user's own account (API tokens)."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from . import auditexport, auditlabels
from .lists import list_page, list_query
from .models import ApiToken, AuditAction, AuditEntry, AuditSource, Region, User
from .permissions import Cap, require_cap
from .scoping import scope_for
from .tokens import api_token_create, api_token_revoke
from .xlsx import xlsx_response

# Object types that appear in the trail, with their names for the filter.
OBJECT_TYPES = {
    "registry.business": gettext_lazy("Food business"),
    "core.apitoken": gettext_lazy("API token"),
    "registry.import": gettext_lazy("Register import"),
    "registry.export": gettext_lazy("Register export"),
}


def audit_entries_for_user(*, user: Any) -> QuerySet[AuditEntry]:
    """Audit entries about records in the user's regions; district-wide roles see every entry."""
    scope = scope_for(user)
    qs = AuditEntry.objects.all()
    if scope.nothing:
        return qs.none()
    if not scope.everything:
        qs = qs.filter(region_code__in=sorted(scope.region_codes))
    return qs


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class AuditFilterForm(forms.Form):
    object_type = forms.ChoiceField(
        label=gettext_lazy("Object type"),
        required=False,
        choices=[("", gettext_lazy("All object types")), *OBJECT_TYPES.items()],
    )
    action = forms.ChoiceField(
        label=gettext_lazy("Action"),
        required=False,
        choices=[("", gettext_lazy("All actions")), *AuditAction.choices],
    )
    actor = forms.CharField(label=gettext_lazy("Actor"), required=False, max_length=150)
    q = forms.CharField(label=gettext_lazy("Object number or name"), required=False, max_length=60)
    start = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


def _changed_fields(entry: AuditEntry) -> list[str]:
    """Names of the fields an entry touched, in the reader's language where the model knows them
    (an entry about something that is not a model, an import say, lists no fields)."""
    keys = [k for k in {**(entry.before or {}), **(entry.after or {})} if not k.startswith("@")]
    try:
        model = apps.get_model(entry.object_type)
    except (LookupError, ValueError):
        return []
    names = []
    for key in keys:
        try:
            names.append(str(getattr(model._meta.get_field(key), "verbose_name", key)))
        except FieldDoesNotExist:
            names.append(auditlabels.key_label(key))
    return names


def _type_label(object_type: str) -> str:
    if object_type in OBJECT_TYPES:
        return str(OBJECT_TYPES[object_type])
    try:
        return str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return object_type


def _extra(entry: AuditEntry) -> dict[str, Any]:
    """What an entry says besides field changes: its "@" notes, or the whole record of an entry
    about something that is not a model (an import's file name and counts)."""
    after = entry.after or {}
    try:
        apps.get_model(entry.object_type)
    except (LookupError, ValueError):
        return auditlabels.notes(after)
    return auditlabels.notes({k: v for k, v in after.items() if k.startswith("@")})


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    require_cap(request.user, Cap.AUDIT_VIEW)
    form = AuditFilterForm(request.GET or None)
    qs = audit_entries_for_user(user=request.user)
    filters: dict[str, str] = {}
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        filters = {k: str(v) for k, v in d.items() if v}
        if d["object_type"]:
            qs = qs.filter(object_type=d["object_type"])
        if d["action"]:
            qs = qs.filter(action=d["action"])
        if d["actor"]:
            qs = qs.filter(actor_username__icontains=d["actor"])
        if d["q"]:
            qs = qs.filter(Q(object_id=d["q"]) | Q(object_repr__icontains=d["q"]))
        # Days in the district's time (the trail's times are stored in UTC).
        if d["start"]:
            qs = qs.filter(at__gte=_day_start(d["start"]))
        if d["end"]:
            qs = qs.filter(at__lt=_day_start(d["end"] + dt.timedelta(days=1)))
    region_names = dict(Region.objects.values_list("code", "name"))
    if request.GET.get("format") == "xlsx":
        content = auditexport.audit_trail_xlsx(
            user=cast(User, request.user),
            entries=qs.select_related("actor").order_by("seq").iterator(chunk_size=2000),
            filters=filters,
            region_names=region_names,
            type_label=_type_label,
            changed_fields=_changed_fields,
        )
        return xlsx_response(content, f"审计日志_{timezone.localdate():%Y%m%d}.xlsx")
    page = list_page(request, qs.select_related("actor").order_by("-seq"), 50)
    rows = [
        {
            "entry": e,
            "region_name": region_names.get(e.region_code, e.region_code),
            "fields": _changed_fields(e),
            "extra": _extra(e),
            "type_label": _type_label(e.object_type),
        }
        for e in page.object_list
    ]
    return render(
        request,
        "core/audit_list.html",
        {
            "form": form,
            "page": page,
            **list_query(filters),
            "rows": rows,
            "sources": dict(AuditSource.choices),
        },
    )


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Token name"),
        max_length=60,
        help_text=gettext_lazy("What the token is for, e.g. the town's statistics script."),
    )


@login_required
def account(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    new_key = None
    if request.method == "POST":
        form = TokenForm(request.POST)
        if form.is_valid():
            _token, new_key = api_token_create(
                user=user, name=form.cleaned_data["name"], source=AuditSource.WEB
            )
            form = TokenForm()
    else:
        form = TokenForm()
    tokens = ApiToken.objects.filter(user=user).order_by("-created_at")
    response = render(request, "core/account.html", {"form": form, "tokens": tokens, "new_key": new_key})
    if new_key:
        response["Cache-Control"] = "no-store"  # the key is shown once: keep it out of caches
    return response


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = api_token_revoke(user=cast(User, request.user), token_id=token_id, source=AuditSource.WEB)
    messages.success(request, _("Token “%(name)s” was revoked.") % {"name": token.name})
    return redirect("account")
