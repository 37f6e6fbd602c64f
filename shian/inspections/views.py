"""Inspection pages: the list, the tablet form (answers, findings with photos, the drawn
signature, submit), the record's export, the scoped photo view, and the rectification follow-up
page. Thin: validate, load through a scoped selector, call one service."""

from __future__ import annotations

import datetime as dt
import io
import mimetypes
from typing import cast
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from shian.core.calendar import unofficial_years
from shian.core.concurrency import require_version, versioned
from shian.core.lists import is_capped, list_page
from shian.core.models import AuditSource, User
from shian.core.permissions import Cap, has_cap, require_cap
from shian.core.scoping import regions_for
from shian.registry.selectors import business_categories, business_get_for_user

from . import exports, rules, selectors, services
from .models import Inspection, InspectionKind, InspectionResult, InspectionStatus, RectificationStatus

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PHOTO_TYPES = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for m in exc.messages:
        messages.error(request, m)


def _date(value: str, label: str) -> dt.date | None:
    if not value.strip():
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise ValidationError(
            {
                "date": _("%(label)s“%(value)s”不是有效日期（格式：2024-10-16）")
                % {"label": label, "value": value}
            }
        ) from None


def _list_context(request: HttpRequest) -> tuple[selectors.InspectionFilters, QuerySet[Inspection]]:
    filters = selectors.InspectionFilters.from_mapping(request.GET)
    return filters, selectors.inspection_list_for_user(user=request.user, filters=filters)


@login_required
@require_GET
def inspection_list(request: HttpRequest) -> HttpResponse:
    require_cap(request.user, Cap.INSPECTION_VIEW)
    filters, qs = _list_context(request)
    page = list_page(request, qs)
    inspectors = {
        i.pk: [str(u) for u in i.inspectors.all()]
        for i in Inspection.objects.filter(pk__in=[i.pk for i in page.object_list]).prefetch_related(
            "inspectors"
        )
    }
    campaign_names = {code: c.name for code, c in rules.load_campaigns().items()}
    business = None
    if filters.business:
        business = next((i.business for i in page.object_list), None)
    return render(
        request,
        "inspections/list.html",
        {
            "rows": [
                (i, inspectors.get(i.pk, []), campaign_names.get(i.campaign, i.campaign))
                for i in page.object_list
            ],
            "page": page,
            "filters": filters,
            "query": urlencode(filters.as_query()),
            "business": business,
            "towns": regions_for(request.user).exclude(level="district").order_by("code"),
            "people": selectors.inspectors_for_user(user=request.user),
            "results": InspectionResult.choices,
            "kinds": InspectionKind.choices,
            "can_export": has_cap(request.user, Cap.REGISTER_EXPORT),
            "export_in_background": is_capped(page) or page.paginator.count > settings.SHIAN_EXPORT_SYNC_ROWS,
            "can_record": has_cap(request.user, Cap.INSPECTION_RECORD),
        },
    )


@login_required
@require_GET
def inspection_export(request: HttpRequest) -> FileResponse:
    """The list as filtered on the page (the same filters, the same scope). A list longer than
    SHIAN_EXPORT_SYNC_ROWS is offered as a background job on the page (shian.jobs)."""
    require_cap(request.user, Cap.INSPECTION_VIEW)
    require_cap(request.user, Cap.REGISTER_EXPORT)
    filters = selectors.InspectionFilters.from_mapping(request.GET)
    data = exports.inspections_xlsx(user=request.user, filters=filters)
    return FileResponse(io.BytesIO(data), as_attachment=True, filename="inspections.xlsx", content_type=XLSX)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def inspection_start(request: HttpRequest) -> HttpResponseBase:
    """Start an inspection of one business: choose the day, the kind (routine, a campaign, a random
    draw's visit), the inspectors (the person starting it and the draw's pair preselected) and open
    the tablet form. A draft of the same business already open is offered first."""
    business = business_get_for_user(user=request.user, pk=request.GET.get("business", ""))
    require_cap(request.user, Cap.INSPECTION_RECORD)
    params = request.POST if request.method == "POST" else request.GET
    draw_code = str(params.get("draw", "") or "")[:40]
    kind = str(params.get("kind", "") or "")
    if kind not in START_KINDS or (kind == InspectionKind.RANDOM and not draw_code):
        kind = InspectionKind.RANDOM if draw_code else InspectionKind.ROUTINE
    people = list(selectors.inspectors_for_region(region_code=business.region_id))
    if request.method == "POST":
        ids = {int(v) for v in request.POST.getlist("inspectors") if v.isdigit()}
        chosen = {u.pk for u in people if u.pk in ids}
    else:
        wanted = {int(v) for v in request.GET.getlist("with") if v.isdigit()} | {request.user.pk}
        chosen = {u.pk for u in people if u.pk in wanted}
    campaign = str(params.get("campaign", "") or "").strip()[:40]
    on = timezone.localdate()
    categories = [c.code for c in business_categories(business=business)]

    def campaigns_on(day: dt.date) -> list[rules.Campaign]:
        return rules.campaigns_in_force(
            day,
            business_type=business.business_type,
            categories=categories,
            region_code=business.region_id,
            region_level=business.region.level,
        )

    if request.method == "POST":
        try:
            on = _date(request.POST.get("inspected_on", ""), "检查日期") or on
            if kind == InspectionKind.CAMPAIGN and campaign not in {c.code for c in campaigns_on(on)}:
                raise ValidationError(
                    {
                        "campaign": _("%(on)s 没有覆盖该主体的进行中专项行动，请选择日常检查或另选检查日期")
                        % {"on": on}
                    }
                )
            inspection = services.inspection_create(
                actor=_actor(request),
                source=AuditSource.WEB,
                business=business,
                inspected_on=on,
                inspectors=[u for u in people if u.pk in chosen],
                full_check=bool(request.POST.get("full_check")),
                kind=kind,
                campaign=campaign if kind == InspectionKind.CAMPAIGN else "",
                draw_code=draw_code if kind == InspectionKind.RANDOM else "",
            )
            messages.success(request, _("已创建检查记录草稿，请逐项填写"))
            return redirect("inspections:form", pk=inspection.pk)
        except ValidationError as exc:
            _errors(request, exc)
    return render(
        request,
        "inspections/start.html",
        {
            "business": business,
            "drafts": selectors.drafts_of_business_for_user(user=request.user, business_id=business.pk)[:5],
            "people": people,
            "chosen": chosen,
            "kind": kind,
            "kinds": [(k, label) for k, label in InspectionKind.choices if k in START_KINDS],
            "draw_code": draw_code,
            "campaign": campaign,
            "campaigns": campaigns_on(on),
            "inspected_on": on,
            "full_check": bool(params.get("full_check")),
        },
    )


# The kinds a visit is started as from the web (a follow-up starts from its rectification order).
START_KINDS = (InspectionKind.ROUTINE, InspectionKind.CAMPAIGN, InspectionKind.RANDOM)


def _photos_from(request: HttpRequest, codes: list[str], limit: int) -> dict[str, list[tuple[str, bytes]]]:
    # Read at most one byte past the limit: the service then refuses the file as too large
    # without this view holding a huge upload in memory.
    return {
        code: [(f.name or "", f.read(limit + 1)) for f in request.FILES.getlist(f"p_{code}")]
        for code in codes
        if request.FILES.getlist(f"p_{code}")
    }


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
@versioned
def inspection_form(request: HttpRequest, pk: int) -> HttpResponseBase:
    # Scope first: another town's record is a 404 whatever the role (core.scoping).
    inspection = selectors.inspection_get_for_user(user=request.user, pk=pk)
    require_cap(request.user, Cap.INSPECTION_VIEW)
    checklist = rules.load_checklists()[inspection.checklist]
    if request.method == "POST":
        require_cap(request.user, Cap.INSPECTION_RECORD)
        require_version(request, inspection)
        codes = [i.code for i in checklist.items]
        limits = rules.media_limits_in_force(inspection.inspected_on)
        signature = request.POST.get("signature", "")
        try:
            services.inspection_form_save(
                actor=_actor(request),
                source=AuditSource.WEB,
                inspection=inspection,
                answers={c: request.POST[f"a_{c}"] for c in codes if request.POST.get(f"a_{c}")},
                findings={
                    c: request.POST[f"f_{c}"].strip() for c in codes if request.POST.get(f"f_{c}", "").strip()
                },
                corrected_on_spot=[c for c in codes if request.POST.get(f"s_{c}")],
                signed_by=request.POST.get("signed_by", ""),
                signature=signature or None,
                photos=_photos_from(request, codes, limits.photo_max_bytes),
                submit=bool(request.POST.get("submit")),
                rectification_due=_date(request.POST.get("rectification_due", ""), "整改期限"),
            )
            messages.success(
                request, _("检查记录已提交并锁定") if request.POST.get("submit") else _("已保存")
            )
            # ?saved tells the page's script that the server has the form: it drops the local copy.
            return redirect(reverse("inspections:form", args=[inspection.pk]) + "?saved=1")
        except ValidationError as exc:
            _errors(request, exc)
            inspection.refresh_from_db()
    findings_by_item = {f.item_code: f for f in inspection.findings.prefetch_related("photos")}
    items = [(i, inspection.answers.get(i.code, ""), findings_by_item.get(i.code)) for i in checklist.items]
    return render(
        request,
        "inspections/form.html",
        {
            "inspection": inspection,
            "publish_due_provisional": bool(
                inspection.publish_due and unofficial_years([inspection.publish_due])
            ),
            "checklist": checklist,
            "items": items,
            "locked": inspection.status != InspectionStatus.DRAFT,
            "can_record": has_cap(request.user, Cap.INSPECTION_RECORD),
            "limits": rules.media_limits_in_force(inspection.inspected_on),
            "rectification_days": _rectification_days(inspection.inspected_on),
            "rectifications": selectors.rectification_queryset_for_user(user=request.user)
            .filter(finding__inspection=inspection)
            .select_related("finding"),
        },
    )


def _rectification_days(on: dt.date) -> int | str:
    """The rectification period in force on the inspection date, or the rule's own answer when no
    edition covers that date (a record made before 49号令 took effect)."""
    try:
        return rules.rules_in_force(on).rectification_working_days
    except LookupError as exc:
        return str(exc)


@login_required
@require_GET
def inspection_record_export(request: HttpRequest, pk: int) -> FileResponse:
    """One inspection record as a workbook: facts, the checklist with findings, the signature."""
    inspection = selectors.inspection_get_for_user(user=request.user, pk=pk)
    require_cap(request.user, Cap.INSPECTION_VIEW)
    data = exports.inspection_record_xlsx(inspection)
    return FileResponse(
        io.BytesIO(data), as_attachment=True, filename=f"inspection-{inspection.pk}.xlsx", content_type=XLSX
    )


@login_required
@require_GET
def finding_photo(request: HttpRequest, pk: int) -> FileResponse:
    """A finding's photo, for those who may see its inspection (else 404, as if missing)."""
    photo = selectors.finding_photo_get_for_user(user=request.user, pk=pk)
    require_cap(request.user, Cap.INSPECTION_VIEW)
    try:
        handle = photo.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=PHOTO_TYPES.get(photo.kind, "application/octet-stream"))
    ext = mimetypes.guess_extension(response["Content-Type"]) or ""
    response["Content-Disposition"] = f'inline; filename="finding-{photo.pk}{ext}"'
    # Evidence is private: a shared cache must never keep it.
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_GET
def ping(request: HttpRequest) -> HttpResponse:
    """The form's connectivity probe before it submits (any answer means the server is reachable)."""
    return HttpResponse(status=204)


# ---------------------------------------------------------------------------------------------
# Rectification follow-up (整改跟踪).


@login_required
@require_GET
def rectification_list(request: HttpRequest) -> HttpResponse:
    require_cap(request.user, Cap.INSPECTION_VIEW)
    today = timezone.localdate()
    filters = selectors.RectificationFilters.from_mapping(request.GET)
    qs = selectors.rectification_list_for_user(user=request.user, filters=filters, today=today)
    page = list_page(request, qs)
    query = urlencode(filters.as_query())
    return render(
        request,
        "inspections/rectifications.html",
        {
            "rows": exports.rectification_rows(page.object_list, today),
            "page": page,
            "filters": filters,
            "query": query,
            "towns": regions_for(request.user).exclude(level="district").order_by("code"),
            "statuses": RectificationStatus.choices,
            "overdue_count": selectors.rectification_overdue_count_for_user(
                user=request.user, today=today, region=filters.region
            ),
            "today": today,
            "can_export": has_cap(request.user, Cap.REGISTER_EXPORT),
            "export_in_background": is_capped(page) or page.paginator.count > settings.SHIAN_EXPORT_SYNC_ROWS,
        },
    )


@login_required
@require_GET
def rectification_export(request: HttpRequest) -> FileResponse:
    require_cap(request.user, Cap.INSPECTION_VIEW)
    require_cap(request.user, Cap.REGISTER_EXPORT)
    filters = selectors.RectificationFilters.from_mapping(request.GET)
    data = exports.rectifications_export_xlsx(user=request.user, filters=filters, today=timezone.localdate())
    return FileResponse(
        io.BytesIO(data), as_attachment=True, filename="rectifications.xlsx", content_type=XLSX
    )


@login_required
@require_http_methods(["GET", "POST"])
@versioned
def rectification_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    r = selectors.rectification_get_for_user(user=request.user, pk=pk)
    require_cap(request.user, Cap.INSPECTION_VIEW)
    if request.method == "POST":
        require_cap(request.user, Cap.INSPECTION_RECORD)
        require_version(request, r)
        action = request.POST.get("action", "")
        try:
            if action == "follow_up":
                ids = [int(v) for v in request.POST.getlist("inspectors") if v.isdigit()]
                people = list(selectors.inspectors_for_region(region_code=r.region_id).filter(pk__in=ids))
                follow_up = services.rectification_followup_create(
                    actor=_actor(request),
                    source=AuditSource.WEB,
                    rectification=r,
                    inspected_on=_date(request.POST.get("inspected_on", ""), "复查日期")
                    or timezone.localdate(),
                    inspectors=people,
                )
                messages.success(request, _("已创建复查记录，请在平板上填写"))
                return redirect("inspections:form", pk=follow_up.pk)
            if action == "close":
                services.rectification_close(
                    actor=_actor(request),
                    source=AuditSource.WEB,
                    rectification=r,
                    closed_on=_date(request.POST.get("closed_on", ""), "办结日期") or timezone.localdate(),
                )
                messages.success(request, _("整改已办结"))
            elif action == "extend":
                due = _date(request.POST.get("due", ""), "延期后的整改期限")
                if due is None:
                    raise ValidationError({"due": _("请填写延期后的整改期限")})
                services.rectification_extend(
                    actor=_actor(request),
                    source=AuditSource.WEB,
                    rectification=r,
                    due=due,
                    reason=request.POST.get("reason", ""),
                )
                messages.success(request, _("整改期限已延长"))
            else:
                raise ValidationError({"action": _("未知的操作")})
            return redirect("inspections:rectification", pk=r.pk)
        except ValidationError as exc:
            _errors(request, exc)
            r = selectors.rectification_get_for_user(user=request.user, pk=pk)
    today = timezone.localdate()
    original = r.finding.inspection
    return render(
        request,
        "inspections/rectification.html",
        {
            "r": r,
            "due_provisional": bool(unofficial_years([r.due])),
            "inspection": original,
            "overdue": (today - r.due).days if r.status == RectificationStatus.OPEN and r.due < today else 0,
            "today": today,
            "can_record": has_cap(request.user, Cap.INSPECTION_RECORD),
            "inspectors": selectors.inspectors_for_region(region_code=r.region_id),
            "chosen": set(original.inspectors.values_list("pk", flat=True)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def inspection_new(request: HttpRequest) -> HttpResponseBase:
    """Start an inspection of a business (from its register or grade page): the day, the
    inspectors, a full checklist or not, and the special campaign it is carried out under (with
    the campaign's checklist); then the checklist form opens."""
    raw = request.POST.get("business") or request.GET.get("business", "")
    if not raw.isdigit():
        raise Http404
    business = business_get_for_user(user=request.user, pk=int(raw))  # not theirs: 404
    require_cap(request.user, Cap.INSPECTION_RECORD)
    today = timezone.localdate()
    if request.method == "POST":
        try:
            on = _date(request.POST.get("inspected_on", ""), "检查日期") or today
            ids = [int(x) for x in request.POST.getlist("inspectors") if x.isdigit()]
            inspection = services.inspection_create(
                actor=_actor(request),
                source=AuditSource.WEB,
                business=business,
                inspected_on=on,
                inspectors=list(
                    selectors.inspectors_for_region(region_code=business.region_id).filter(pk__in=ids)
                ),
                full_check=request.POST.get("full_check") == "on",
                campaign=request.POST.get("campaign", "").strip(),
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            return redirect("inspections:form", pk=inspection.pk)
    # Every campaign of the data (a handful a year), latest first: the service checks the day.
    campaigns = list(rules.load_campaigns().values())
    return render(
        request,
        "inspections/new.html",
        {
            "business": business,
            "today": today,
            "campaigns": sorted(campaigns, key=lambda c: c.starts, reverse=True),
            "inspectors": selectors.inspectors_for_region(region_code=business.region_id),
            "me": request.user.pk,
            "chosen": request.POST.get("campaign", request.GET.get("campaign", "")),
        },
    )
