"""Job pages: start one (POST from an export button or the reports form), its progress page (which
survives a reload: it is the job's own address), the status fragment htmx polls, the download (only
the owner's, only when done), and the person's recent jobs. Thin: validate, load, call a service."""

from __future__ import annotations

from typing import cast

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from shian.core.models import AuditSource, User

from . import kinds, runner, selectors, services
from .models import Job


def _context(job: Job) -> dict[str, object]:
    kind = kinds.KINDS_BY_CODE.get(job.kind)
    return {
        "job": job,
        "what": kinds.describe(job.kind, job.params),
        "back": kind.back(job.params) if kind else "",
    }


@login_required
@require_GET
def job_list(request: HttpRequest) -> HttpResponse:
    jobs = selectors.job_list_for_user(user=request.user)
    return render(
        request,
        "jobs/list.html",
        {"rows": [(j, kinds.describe(j.kind, j.params)) for j in jobs]},
    )


@login_required
@require_POST
def job_start(request: HttpRequest) -> HttpResponseBase:
    """Ask for a job; the same request while one is under way opens that one. Capabilities are
    checked by the service (403); parameters that make no sense answer 400 with the reason."""
    services.job_sweep_stale()
    try:
        job, created = services.job_submit(
            actor=cast(User, request.user),
            kind=str(request.POST.get("job", "")),
            data=request.POST,
            source=AuditSource.WEB,
        )
    except kinds.JobParamsError as exc:
        return render(request, "jobs/refused.html", {"reason": str(exc)}, status=400)
    if created:
        runner.start(job)
    return redirect("jobs:detail", pk=job.pk)


@login_required
@never_cache
@require_GET
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = selectors.job_get_for_user(user=request.user, pk=pk)
    return render(request, "jobs/detail.html", _context(job))


@login_required
@never_cache
@require_GET
def job_status(request: HttpRequest, pk: int) -> HttpResponse:
    job = selectors.job_get_for_user(user=request.user, pk=pk)
    if job.active and services.job_is_stale(job):  # its runner died: the poll shows it failed
        services.job_sweep_stale()
        job.refresh_from_db()
    return render(request, "jobs/_status.html", _context(job))


@login_required
@require_GET
def job_download(request: HttpRequest, pk: int) -> FileResponse:
    job = selectors.job_get_for_user(user=request.user, pk=pk)
    path = services.job_result_path(job)
    if path is None:
        raise Http404
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=job.result_name, content_type=job.content_type
    )
