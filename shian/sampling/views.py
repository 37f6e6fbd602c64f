"""Sampling pages: sample list (htmx filters, export), detail with judgments and deadlines, status
actions, the lab's results import, disposal tasks and the unqualified-food list.

Each view validates its input, loads through a scoped selector, calls one service and renders.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, cast
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from shian.core.calendar import WorkingCalendar
from shian.core.concurrency import require_version, versioned
from shian.core.lists import list_page, list_query, list_response
from shian.core.models import AuditSource, User
from shian.core.permissions import Cap, EnforcementCap, has_cap, require_cap
from shian.core.xlsx import table_xlsx, xlsx_response

from . import exports, imports, quicktests, rules, selectors, services
from .forms import (
    DisposalStepForm,
    LabFilterForm,
    LimitExplainForm,
    OnSiteForm,
    QuickTestFilterForm,
    QuickTestForm,
    QuickTestImportForm,
    QuickTestNotifyForm,
    QuickTestObjectionForm,
    QuickTestRetestForm,
    ResultsImportForm,
    SampleFilterForm,
    UnqualifiedFilterForm,
)
from .models import DisposalStatus, DisposalStepKind, QuickResult, TestItem, Verdict
from .workflow import TRANSITIONS, QuickTestStatus, SampleStatus

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Statuses an officer sets by hand; results and disposal have their own pages.
MANUAL_STATUSES = frozenset(
    {
        SampleStatus.SAMPLED,
        SampleStatus.DELIVERED,
        SampleStatus.NOTIFIED,
        SampleStatus.RETEST,
        SampleStatus.OBJECTION,
        SampleStatus.CLOSED,
        SampleStatus.CANCELLED,
    }
)


# What the button moving a sample into a status says: the act, not the state it leads to.
ACTION_LABELS = {
    SampleStatus.SAMPLED: gettext_lazy("Record the sampling"),
    SampleStatus.DELIVERED: gettext_lazy("Record delivery to the lab"),
    SampleStatus.NOTIFIED: gettext_lazy("Record that the business was notified"),
    SampleStatus.RETEST: gettext_lazy("Record a re-test application"),
    SampleStatus.OBJECTION: gettext_lazy("Record an objection"),
    SampleStatus.CLOSED: gettext_lazy("Close the case"),
    SampleStatus.CANCELLED: gettext_lazy("Cancel the sample"),
}


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


def _filters(request: HttpRequest) -> tuple[SampleFilterForm, selectors.SampleFilters]:
    form = SampleFilterForm(request.GET, user=request.user)
    return form, selectors.SampleFilters.from_mapping(request.GET)


@login_required
@require_GET
def sample_list(request: HttpRequest) -> HttpResponse:
    require_cap(request.user, Cap.SAMPLING_VIEW)
    form, filters = _filters(request)
    qs = selectors.sample_list_for_user(user=request.user, filters=filters, today=timezone.localdate())
    page = list_page(request, qs)
    params = filters.as_query()
    context = {
        "form": form,
        "page": page,
        **list_query(params),
        "filtered": bool(params),
        "can_import": has_cap(request.user, Cap.SAMPLING_RESULTS),
    }
    return list_response(
        request,
        page_template="sampling/sample_list.html",
        table_template="sampling/_sample_table.html",
        context=context,
        params=params,
        page=page,
    )


@login_required
@require_GET
def sample_export(request: HttpRequest) -> HttpResponse:
    require_cap(request.user, Cap.SAMPLING_VIEW)
    _form, filters = _filters(request)
    qs = selectors.sample_list_for_user(user=request.user, filters=filters, today=timezone.localdate())
    content = exports.bulletin_xlsx(samples=qs)
    response = HttpResponse(content, content_type=XLSX)
    filename = f"食品抽检信息_{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _deadline_rows(sample: Any, today: dt.date) -> list[dict[str, Any]]:
    cal = WorkingCalendar()
    warn = rules.deadline_rules_in_force(sample.sampled_on or today).warn_working_days
    rows = []
    for d in sample.deadlines.all():
        level = "met"
        if d.met_on is None:
            left = cal.working_days_between(today, d.due) if d.due >= today else 0
            level = rules.deadline_alert(
                code=d.code, due=d.due, today=today, working_days_left=left, warn_working_days=warn
            )
        rows.append({"deadline": d, "level": level, "article": rules.public_article(d.article)})
    return rows


@login_required
@require_GET
def sample_detail(request: HttpRequest, pk: int) -> HttpResponse:
    sample = selectors.sample_get_for_user(user=request.user, pk=pk)
    require_cap(request.user, Cap.SAMPLING_VIEW)
    return sample_detail_render(request, sample, None)


def sample_detail_render(request: HttpRequest, sample: Any, on_site_form: OnSiteForm | None) -> HttpResponse:
    can_manage = has_cap(request.user, Cap.SAMPLING_MANAGE)
    actions = (
        [
            {"value": s, "label": ACTION_LABELS.get(SampleStatus(s), SampleStatus(s).label)}
            for s in sorted(TRANSITIONS[sample.status])
            if s in MANUAL_STATUSES
        ]
        if can_manage
        else []
    )
    disposal = selectors.disposal_tasks_for_user(request.user).filter(sample=sample).first()
    if can_manage and sample.status == SampleStatus.TASK:
        on_site_form = on_site_form or _on_site_form(sample)
    else:
        on_site_form = None
    return render(
        request,
        "sampling/sample_detail.html",
        {
            "sample": sample,
            "on_site_form": on_site_form,
            "photos": list(sample.photos.all()),
            "items": list(sample.items.all().order_by("id")),
            "deadlines": _deadline_rows(sample, timezone.localdate()),
            "history": list(sample.history.select_related("by")),
            "actions": actions,
            "can_open_disposal": can_manage
            and disposal is None
            and sample.status in (SampleStatus.NOTIFIED, SampleStatus.RETEST, SampleStatus.OBJECTION),
            "disposal": disposal,
            # An unqualified sample is a lead for an enforcement case (立案查处).
            "can_open_case": sample.conclusion == Verdict.UNQUALIFIED
            and has_cap(request.user, EnforcementCap.HANDLE),
        },
    )


@login_required
@require_POST
@versioned
def sample_status(request: HttpRequest, pk: int) -> HttpResponse:
    sample = selectors.sample_get_for_user(user=request.user, pk=pk)
    require_cap(request.user, Cap.SAMPLING_MANAGE)
    require_version(request, sample)
    status = request.POST.get("status", "")
    if status not in MANUAL_STATUSES:
        messages.error(request, _("Unknown status."))
        return redirect("sampling:sample_detail", pk=pk)
    try:
        services.sample_set_status(
            sample=sample,
            status=status,
            by=_actor(request),
            on=timezone.localdate(),
            note=request.POST.get("note", "")[:300],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Status changed."))
    return redirect("sampling:sample_detail", pk=pk)


def _on_site_form(sample: Any, data: Any = None) -> OnSiteForm:
    initial = {
        "batch": sample.batch,
        "produced_on": sample.produced_on,
        "sampled_on": sample.sampled_on or timezone.localdate(),
        "manufacturer": sample.manufacturer,
        "specification": sample.specification,
    }
    return OnSiteForm(data, initial=initial)


@login_required
@require_POST
@versioned
def sample_on_site(request: HttpRequest, pk: int) -> HttpResponse:
    """The on-site record (抽样单) of a sample task; on any problem the page shows it by field and
    nothing is saved."""
    sample = selectors.sample_get_for_user(user=request.user, pk=pk)
    require_cap(request.user, Cap.SAMPLING_MANAGE)
    require_version(request, sample)
    form = _on_site_form(sample, request.POST)
    # Read at most one byte past the limit: the service then refuses the file as too large
    # without this view holding a huge upload in memory.
    limit = services.on_site_photo_max_bytes()
    photos = [(f.name or "", f.read(limit + 1)) for f in request.FILES.getlist("photos")]
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.sample_record_on_site(
                actor=_actor(request),
                source=AuditSource.WEB,
                sample=sample,
                batch=data["batch"],
                produced_on=data["produced_on"],
                sampled_on=data["sampled_on"],
                quantity=data["quantity"],
                quantity_unit=data["quantity_unit"],
                backup_quantity=data["backup_quantity"],
                backup_kept_by=data["backup_kept_by"],
                manufacturer=data["manufacturer"],
                specification=data["specification"],
                signed_by=data["signed_by"],
                signature=data["signature"],
                photos=photos,
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc.messages)
        else:
            messages.success(request, _("现场抽样记录已保存，样品已转为“已抽样”。"))
            return redirect("sampling:sample_detail", pk=pk)
    messages.error(request, _("现场抽样记录未保存，请按提示修改。"))
    response = sample_detail_render(request, sample, form)
    response.status_code = 400
    return response


@login_required
@require_GET
def sample_photo(request: HttpRequest, pk: int) -> FileResponse:
    """A sample's photo, for those who may see the sample (else 404, as if missing)."""
    photo = selectors.sample_photo_get_for_user(user=request.user, pk=pk)
    require_cap(request.user, Cap.SAMPLING_VIEW)
    try:
        handle = photo.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=f"image/{photo.kind}")
    response["Content-Disposition"] = f'inline; filename="sample-photo-{photo.pk}"'
    # Evidence is private: a shared cache must never keep it.
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
@require_GET
def sample_form_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    sample = selectors.sample_get_for_user(user=request.user, pk=pk)
    require_cap(request.user, Cap.SAMPLING_VIEW)
    response = HttpResponse(exports.sampling_form_xlsx(sample=sample), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, f"抽样单_{sample.code}.xlsx")
    return response


@login_required
@require_POST
def disposal_open(request: HttpRequest, pk: int) -> HttpResponse:
    sample = selectors.sample_get_for_user(user=request.user, pk=pk)
    require_cap(request.user, Cap.SAMPLING_MANAGE)
    try:
        task = services.disposal_task_open(sample=sample, by=_actor(request), on=timezone.localdate())
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("sampling:sample_detail", pk=pk)
    return redirect("sampling:disposal_detail", pk=task.pk)


@login_required
def results_import(request: HttpRequest) -> HttpResponse:
    require_cap(request.user, Cap.SAMPLING_RESULTS)
    return _import_page(
        request,
        form_class=ResultsImportForm,
        run=lambda by, name, content, dry_run: imports.results_import(
            by=by, filename=name, content=content, on=timezone.localdate(), dry_run=dry_run
        ),
        error_workbook=imports.results_error_workbook,
        template="sampling/results_import.html",
    )


def _import_page(
    request: HttpRequest,
    *,
    form_class: type[forms.Form],
    run: Callable[[User, str, bytes, bool], Any],
    error_workbook: Callable[..., bytes],
    template: str,
) -> HttpResponse:
    """An import page: the form, the located report of a run (or a dry run), and on request the
    refused file back as a workbook with its bad cells marked."""
    report = None
    if request.method == "POST":
        form = form_class(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            report = run(_actor(request), upload.name, upload.read(), form.cleaned_data["dry_run"])
            if not report.ok and request.POST.get("format") == "xlsx":
                return HttpResponse(error_workbook(report=report), content_type=XLSX)
    else:
        form = form_class()
    return render(request, template, {"form": form, "report": report})


@login_required
@require_GET
def results_template(request: HttpRequest) -> HttpResponse:
    require_cap(request.user, Cap.SAMPLING_RESULTS)
    response = HttpResponse(imports.results_template_xlsx(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="results-template.xlsx"'
    return response


@login_required
@require_GET
def unqualified_list(request: HttpRequest) -> HttpResponse:
    """The unqualified food and its disposal: filtered by text, town, year and disposal state,
    and exported as filtered (`?format=xlsx`)."""
    require_cap(request.user, Cap.SAMPLING_VIEW)
    today = timezone.localdate()
    disposals = selectors.sees_disposal_tasks(request.user)
    filters = selectors.UnqualifiedFilters.from_mapping(request.GET)
    if not disposals:
        filters = selectors.UnqualifiedFilters(q=filters.q, region=filters.region, year=filters.year)
    qs = selectors.unqualified_list_for_user(user=request.user, filters=filters, today=today)
    if request.GET.get("format") == "xlsx":
        content = exports.unqualified_xlsx(samples=qs, today=today, disposals=disposals)
        return xlsx_response(content, f"不合格食品核查处置_{today:%Y%m%d}.xlsx")
    form = UnqualifiedFilterForm(
        request.GET,
        user=request.user,
        years=selectors.unqualified_years(user=request.user),
        disposals=disposals,
    )
    page = list_page(request, qs)
    params = filters.as_query()
    return list_response(
        request,
        page_template="sampling/unqualified_list.html",
        table_template="sampling/_unqualified_table.html",
        context={"form": form, "page": page, **list_query(params), "today": today, "disposals": disposals},
        params=params,
        page=page,
    )


@login_required
@require_GET
def disposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = selectors.disposal_get_for_user(user=request.user, pk=pk)
    require_cap(request.user, Cap.SAMPLING_VIEW)
    steps = list(task.steps.all())
    order = {k: i for i, k in enumerate(DisposalStepKind.values)}
    steps.sort(key=lambda s: order[s.kind])
    return render(
        request,
        "sampling/disposal_detail.html",
        {
            "task": task,
            "steps": steps,
            "missing": services.disposal_missing_steps(task=task),
            "can_edit": has_cap(request.user, Cap.SAMPLING_MANAGE) and task.status == DisposalStatus.OPEN,
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
@versioned
def disposal_step(request: HttpRequest, pk: int) -> HttpResponse:
    task = selectors.disposal_get_for_user(user=request.user, pk=pk)
    require_cap(request.user, Cap.SAMPLING_MANAGE)
    require_version(request, task)
    form = DisposalStepForm(request.POST, request.FILES)
    if not form.is_valid() or form.cleaned_data["kind"] not in DisposalStepKind.values:
        messages.error(request, _("Check the step's date, note and evidence."))
        return redirect("sampling:disposal_detail", pk=pk)
    data = form.cleaned_data
    try:
        services.disposal_step_record(
            task=task,
            kind=data["kind"],
            by=_actor(request),
            done_on=data["done_on"],
            note=data["note"],
            evidence=data["evidence"],
            not_applicable=data["not_applicable"],
            source=AuditSource.WEB,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Step recorded."))
    return redirect("sampling:disposal_detail", pk=pk)


@login_required
@require_POST
@versioned
def disposal_close(request: HttpRequest, pk: int) -> HttpResponse:
    task = selectors.disposal_get_for_user(user=request.user, pk=pk)
    require_cap(request.user, Cap.SAMPLING_MANAGE)
    require_version(request, task)
    try:
        services.disposal_task_close(task=task, by=_actor(request), on=timezone.localdate())
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Disposal closed."))
    return redirect("sampling:disposal_detail", pk=pk)


# -- quick tests (快检) -----------------------------------------------------------------------------


def _quick_filters(request: HttpRequest) -> tuple[QuickTestFilterForm, selectors.QuickTestFilters]:
    markets = selectors.quick_test_markets_for_user(request.user)
    form = QuickTestFilterForm(request.GET, user=request.user, markets=markets)
    return form, selectors.QuickTestFilters.from_mapping(request.GET)


@login_required
@require_GET
def quick_test_list(request: HttpRequest) -> HttpResponse:
    require_cap(request.user, Cap.SAMPLING_VIEW)
    form, filters = _quick_filters(request)
    qs = selectors.quick_test_list_for_user(user=request.user, filters=filters)
    page = list_page(request, qs)
    params = filters.as_query()
    context = {
        "form": form,
        "page": page,
        **list_query(params),
        "can_manage": has_cap(request.user, Cap.SAMPLING_MANAGE),
        "now": timezone.now(),
    }
    return list_response(
        request,
        page_template="sampling/quick_test_list.html",
        table_template="sampling/quick_test_rows.html",
        context=context,
        params=params,
        page=page,
    )


@login_required
@require_GET
def quick_test_export(request: HttpRequest) -> HttpResponse:
    require_cap(request.user, Cap.SAMPLING_VIEW)
    _form, filters = _quick_filters(request)
    qs = selectors.quick_test_list_for_user(user=request.user, filters=filters)
    response = HttpResponse(exports.quick_tests_xlsx(quick_tests=qs), content_type=XLSX)
    filename = f"快检记录_{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _window(qt: Any, now: dt.datetime) -> dict[str, Any] | None:
    """The objection window as the detail page shows it: the deadline and what is left of it."""
    if qt.objection_deadline is None:
        return None
    left = qt.objection_deadline - now
    seconds = max(0, int(left.total_seconds()))
    return {
        "deadline": qt.objection_deadline,
        "open": seconds > 0,
        "hours": seconds // 3600,
        "minutes": seconds % 3600 // 60,
        "seconds": seconds,
    }


@login_required
@require_GET
def quick_test_detail(request: HttpRequest, pk: int) -> HttpResponse:
    qt = selectors.quick_test_get_for_user(user=request.user, pk=pk)
    require_cap(request.user, Cap.SAMPLING_VIEW)
    can = has_cap(request.user, Cap.SAMPLING_MANAGE)
    now = timezone.now()
    window = _window(qt, now)
    book = rules.quick_test_rules_in_force(timezone.localdate(qt.tested_at))
    status = qt.status
    return render(
        request,
        "sampling/quick_test_detail.html",
        {
            "qt": qt,
            "book": book,
            "item": book.items.get(qt.item_code),
            "measures": [book.measures.get(m, m) for m in qt.measures],
            "window": window,
            "history": list(qt.history.select_related("by")),
            "can_notify": can and status == QuickTestStatus.TESTED and qt.result == QuickResult.POSITIVE,
            "can_object": can and status == QuickTestStatus.NOTIFIED and bool(window and window["open"]),
            "can_confirm": can and status == QuickTestStatus.NOTIFIED and bool(window and not window["open"]),
            "can_retest": can and status == QuickTestStatus.OBJECTION,
            "can_followup": can and status == QuickTestStatus.CONFIRMED and qt.followup_sample_id is None,
            "followup_overdue": status == QuickTestStatus.CONFIRMED
            and qt.followup_due is not None
            and qt.followup_due < timezone.localdate(),
            "notify_form": QuickTestNotifyForm(),
            "objection_form": QuickTestObjectionForm(),
            "retest_form": QuickTestRetestForm(),
        },
    )


def _quick_action(request: HttpRequest, pk: int, form_class: Any, call: Any, done: str) -> HttpResponse:
    """A detail-page action: validate the form, load through the scoped selector, call one
    service, and come back to the page with its message."""
    qt = selectors.quick_test_get_for_user(user=request.user, pk=pk)
    require_cap(request.user, Cap.SAMPLING_MANAGE)
    require_version(request, qt)
    form = form_class(request.POST) if form_class is not None else None
    if form is not None and not form.is_valid():
        errors = "；".join(f"{form.fields[k].label}：{'，'.join(v)}" for k, v in form.errors.items())
        messages.error(request, errors)
        return redirect("sampling:quick_test_detail", pk=pk)
    try:
        call(qt, form.cleaned_data if form is not None else {})
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect("sampling:quick_test_detail", pk=pk)


@login_required
@require_POST
@versioned
def quick_test_notify(request: HttpRequest, pk: int) -> HttpResponse:
    return _quick_action(
        request,
        pk,
        QuickTestNotifyForm,
        lambda qt, d: quicktests.quick_test_notify(
            actor=_actor(request),
            source=AuditSource.WEB,
            quick_test=qt,
            measures=d["measures"],
            measures_note=d["measures_note"],
            at=d["at"],
        ),
        "已告知经营者，异议期开始计时",
    )


@login_required
@require_POST
@versioned
def quick_test_objection(request: HttpRequest, pk: int) -> HttpResponse:
    return _quick_action(
        request,
        pk,
        QuickTestObjectionForm,
        lambda qt, d: quicktests.quick_test_objection_file(
            actor=_actor(request),
            source=AuditSource.WEB,
            quick_test=qt,
            reason=d["reason"],
            filed_at=d["filed_at"],
        ),
        "异议已登记，待复检",
    )


@login_required
@require_POST
@versioned
def quick_test_retest(request: HttpRequest, pk: int) -> HttpResponse:
    return _quick_action(
        request,
        pk,
        QuickTestRetestForm,
        lambda qt, d: quicktests.quick_test_retest_record(
            actor=_actor(request),
            source=AuditSource.WEB,
            quick_test=qt,
            result=d["result"],
            method=d["method"],
            lab=d["lab"],
            report=d["report"],
            at=d["at"],
        ),
        "复检结果已录入",
    )


@login_required
@require_POST
@versioned
def quick_test_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    return _quick_action(
        request,
        pk,
        None,
        lambda qt, d: quicktests.quick_test_confirm(
            actor=_actor(request), source=AuditSource.WEB, quick_test=qt
        ),
        "阳性结果已确认",
    )


@login_required
@require_POST
@versioned
def quick_test_followup(request: HttpRequest, pk: int) -> HttpResponse:
    return _quick_action(
        request,
        pk,
        None,
        lambda qt, d: quicktests.quick_test_followup_sample(
            actor=_actor(request), source=AuditSource.WEB, quick_test=qt
        ),
        "已创建跟踪监督抽检任务",
    )


@login_required
def quick_test_new(request: HttpRequest) -> HttpResponse:
    require_cap(request.user, Cap.SAMPLING_MANAGE)
    markets = selectors.quick_test_markets_for_user(request.user)
    if request.method == "POST":
        form = QuickTestForm(request.POST, markets=markets)
        if form.is_valid():
            d = form.cleaned_data
            try:
                qt = quicktests.quick_test_record(
                    actor=_actor(request),
                    source=AuditSource.WEB,
                    data=quicktests.QuickTestInput(
                        business=d["market"],
                        stall=d["stall"],
                        product=d["product"],
                        item=d["item"],
                        result=d["result"],
                        tested_at=d["tested_at"],
                        reading=d["reading"],
                        kit_name=d["kit_name"],
                        kit_batch=d["kit_batch"],
                        tester=_actor(request),
                    ),
                )
            except ValidationError as exc:
                for field_name, errors in exc.message_dict.items():
                    target = "market" if field_name == "business" else field_name
                    form.add_error(target if target in form.fields else None, errors)
            else:
                messages.success(request, _("快检记录已保存"))
                return redirect("sampling:quick_test_detail", pk=qt.pk)
    else:
        form = QuickTestForm(markets=markets, initial={"tested_at": timezone.localtime().replace(second=0)})
    return render(request, "sampling/quick_test_form.html", {"form": form})


@login_required
def quick_test_import(request: HttpRequest) -> HttpResponse:
    require_cap(request.user, Cap.SAMPLING_MANAGE)
    return _import_page(
        request,
        form_class=QuickTestImportForm,
        run=lambda by, name, content, dry_run: imports.quick_tests_import(
            by=by, filename=name, content=content, dry_run=dry_run
        ),
        error_workbook=imports.quick_tests_error_workbook,
        template="sampling/quick_test_import.html",
    )


@login_required
@require_GET
def quick_test_template(request: HttpRequest) -> HttpResponse:
    require_cap(request.user, Cap.SAMPLING_MANAGE)
    response = HttpResponse(imports.quick_tests_template_xlsx(), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, "快检结果导入模板.xlsx")
    return response


# -- labs' workload (承检机构) ------------------------------------------------------------------------

LAB_HEADERS = [
    "承检机构",
    "CMA证书编号",
    "分配样品",
    "检验中",
    "超期未出报告",
    "已出报告",
    "按时出具",
    "按时率(%)",
]


def _lab_workloads(request: HttpRequest) -> tuple[LabFilterForm, list[selectors.LabWorkload] | None, str]:
    """The filter form, the rows (None while the filter has an error) and the query string."""
    require_cap(request.user, Cap.SAMPLING_VIEW)
    form = LabFilterForm(request.GET)
    lab = None
    raw = request.GET.get("lab", "")
    if raw:
        if not raw.isdigit():
            raise Http404
        lab = selectors.lab_get_for_user(user=request.user, pk=int(raw))
    if not form.is_valid():
        return form, None, ""
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    rows = selectors.lab_workloads_for_user(
        user=request.user, today=timezone.localdate(), start=start, end=end, lab=lab
    )
    params = {k: v for k, v in (("start", start), ("end", end), ("lab", lab.pk if lab else None)) if v}
    return form, rows, urlencode({k: str(v) for k, v in params.items()})


@login_required
@require_GET
def lab_list(request: HttpRequest) -> HttpResponse:
    form, rows, query = _lab_workloads(request)
    totals: dict[str, Any] | None = None
    if rows:
        fields = ("assigned", "in_progress", "overdue", "returned", "on_time")
        totals = {f: sum(getattr(r, f) for r in rows) for f in fields}
        totals["on_time_rate"] = totals["on_time"] / totals["returned"] * 100 if totals["returned"] else None
    return render(
        request,
        "sampling/lab_list.html",
        {"form": form, "rows": rows, "totals": totals, "query": query},
        status=200 if rows is not None else 400,
    )


@login_required
@require_GET
def lab_export(request: HttpRequest) -> HttpResponse:
    form, rows, _query = _lab_workloads(request)
    if rows is None:
        return render(request, "sampling/lab_list.html", {"form": form, "rows": None}, status=400)
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    period = f"{start or '最早'} 至 {end or '最新'}"
    content = table_xlsx(
        title=f"承检机构工作量和按时率（抽样日期 {period}）",
        headers=LAB_HEADERS,
        rows=[
            [
                r.lab.name,
                r.lab.cma_number,
                r.assigned,
                r.in_progress,
                r.overdue,
                r.returned,
                r.on_time,
                None if r.on_time_rate is None else round(r.on_time_rate, 1),
            ]
            for r in rows
        ],
        sheet="承检机构",
    )
    response = HttpResponse(content, content_type=XLSX)
    filename = f"承检机构工作量_{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


# -- public portal: 食品安全监督抽检信息公告 (no login) --------------------------------------------------

_UNQUALIFIED_ITEMS = exports.BULLETIN_HEADERS.index("不合格项目║检验结果║标准值")


def _public_filters(request: HttpRequest) -> selectors.PublicationFilters:
    return selectors.PublicationFilters.from_mapping(request.GET)


@require_GET
def public_list(request: HttpRequest) -> HttpResponse:
    """Public (《食品安全抽样检验管理办法》第四十六条): published samples only, business names but no
    personal data; bad filters are named on the page (400) and nothing is listed."""
    filters = _public_filters(request)
    context: dict[str, Any] = {
        "filters": filters,
        "errors": dict(filters.errors),
        "choices": selectors.published_choices(),
        "results": selectors.PUBLIC_RESULTS,
        "months": range(1, 13),
        "page": None,
        "rows": [],
    }
    if filters.errors:
        return render(request, "sampling/public_list.html", context, status=400)
    qs = selectors.published_samples(filters)
    page = list_page(request, qs)
    samples = list(
        page.object_list.prefetch_related(  # type: ignore[attr-defined]  # a queryset slice
            Prefetch("items", queryset=TestItem.objects.order_by("id"))
        )
    )
    query = urlencode(filters.as_query())
    context.update(
        page=page,
        rows=[
            {"sample": s, "unqualified_items": row[_UNQUALIFIED_ITEMS]}
            for s, row in zip(samples, exports.bulletin_rows(samples), strict=True)
        ],
        query=query,
        query_prefix=f"{query}&" if query else "",
    )
    return render(request, "sampling/public_list.html", context)


@require_GET
def public_export(request: HttpRequest) -> HttpResponse:
    """The public list, same filters, in the provincial bulletin layout (formula-guarded)."""
    filters = _public_filters(request)
    if filters.errors:
        return public_list(request)
    content = exports.bulletin_xlsx(samples=selectors.published_samples(filters))
    response = HttpResponse(content, content_type=XLSX)
    filename = f"食品安全监督抽检信息公告_{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@login_required
@require_GET
def limit_explain(request: HttpRequest) -> HttpResponse:
    """Which limit row applies to a result and why: the food's place in the standard's category
    tree, the row, its edition, clause and verification level."""
    require_cap(request.user, Cap.SAMPLING_VIEW)
    form = LimitExplainForm(request.GET or None, initial={"on": timezone.localdate()})
    explanation = None
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        explanation = selectors.limit_explain(
            item=d["item"], result=d["result"], food=d["food"], category=d["category"], on=d["on"]
        )
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(request, "sampling/limit_explain.html", {"form": form, "x": explanation}, status=status)
