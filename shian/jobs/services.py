"""The only code that writes jobs: ask for one (the same request while one is under way is that
one), run it (progress, the file written whole or not at all, done or failed with its message),
and sweep the ones whose runner died. Each state change has its audit entry in its transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import threading
import time
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, close_old_connections, connection, transaction
from django.db.models import Q
from django.utils import timezone

from shian.core.audit import audit_record, model_event
from shian.core.files import PARTIAL_MARK, OutputError, atomic_output, is_disk_full
from shian.core.models import AuditAction, AuditSource, User
from shian.core.permissions import require_cap
from shian.reports.builders import ReportError

from . import kinds
from .models import ACTIVE_STATES, Job, JobState

log = logging.getLogger(__name__)

INTERRUPTED = "任务中断：处理进程已停止（服务器重启或进程被终止），未生成文件。请重新提交。"
DISK_FULL = "服务器磁盘空间不足，未生成文件（未完成的部分已删除）。请告知系统管理员后重试。"
NOT_WRITTEN = "服务器未能写出文件，未生成文件（未完成的部分已删除）。请稍后重试，或将任务编号告知系统管理员。"
NO_RIGHT = "您已无权执行此任务（角色或权限已变更），未生成文件。"
# Progress is written at most this often (seconds), and always at the end.
PROGRESS_EVERY = 1.0
HEARTBEAT_EVERY = 30.0


def jobs_dir() -> Path:
    path = Path(settings.SHIAN_JOBS_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def params_key(kind: str, params: Mapping[str, Any]) -> str:
    text = json.dumps([kind, params], ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _audit(
    job: Job, action: str, *, before: dict[str, Any] | None, after: dict[str, Any], source: str
) -> None:
    audit_record(
        actor=job.owner,
        source=source,
        event=model_event(action, job, before=before, after=after, region=job.region_code),
    )


def job_submit(
    *, actor: User, kind: str, data: Mapping[str, Any], source: str = AuditSource.WEB
) -> tuple[Job, bool]:
    """A job for `kind` with the parameters read from `data` (a request's fields). Returns the
    job and whether it is new: while the same person's same request is queued or running, that
    job is returned and nothing is written. Raises JobParamsError or PermissionDenied."""
    k = kinds.kind_get(kind)
    for cap in k.caps:
        require_cap(actor, cap)
    params = k.params(data)
    key = params_key(kind, params)
    active = Job.objects.filter(owner=actor, kind=kind, params_key=key, state__in=ACTIVE_STATES)
    existing = active.first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            job = Job.objects.create(
                kind=kind,
                params=params,
                params_key=key,
                owner=actor,
                region_code=actor.region_id or "",
            )
            _audit(
                job, AuditAction.CREATE, before=None, after={"kind": kind, "params": params}, source=source
            )
    except IntegrityError:  # a second click that raced the first: the first one's job
        return active.get(), False
    return job, True


def job_count(*, actor: User, kind: str, data: Mapping[str, Any]) -> int | None:
    """Rows the request would write (None for a kind that always runs in the background)."""
    k = kinds.kind_get(kind)
    for cap in k.caps:
        require_cap(actor, cap)
    return k.count(actor, k.params(data)) if k.count else None


class _Progress:
    """Writes done/total to the job row, at most once a second (and at the end)."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self.last = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        final = done >= total
        if not final and now - self.last < PROGRESS_EVERY:
            return
        self.last = now
        total = max(total, done)
        Job.objects.filter(pk=self.job.pk, state=JobState.RUNNING).update(
            done=done, total=total, heartbeat_at=timezone.now()
        )
        self.job.done, self.job.total = done, total


def _heartbeat(job_id: int, stop: threading.Event) -> None:
    """A long step with no progress of its own (a report's rendering) still shows its runner alive."""
    try:
        while not stop.wait(HEARTBEAT_EVERY):
            Job.objects.filter(pk=job_id, state=JobState.RUNNING).update(heartbeat_at=timezone.now())
    finally:
        connection.close()


def failure_message(exc: BaseException) -> str:
    """A clear Chinese sentence for the person who asked."""
    if isinstance(exc, PermissionDenied):
        return NO_RIGHT
    if is_disk_full(exc):
        return DISK_FULL
    if isinstance(exc, OutputError):  # its text names the server's path: not for the person
        return NOT_WRITTEN
    if isinstance(exc, ReportError | kinds.JobParamsError):
        return str(exc)
    return f"生成失败：内部错误（{type(exc).__name__}），未生成文件。请稍后重试，或将任务编号告知系统管理员。"


def _finish(job: Job, state: str, *, message: str = "", **result: str) -> Job:
    with transaction.atomic():
        locked = Job.objects.select_for_update().get(pk=job.pk)
        before = {"state": locked.state}
        locked.state = state
        locked.message = message
        locked.finished_at = timezone.now()
        for field, value in result.items():
            setattr(locked, field, value)
        if state == JobState.DONE and locked.total == 0:
            locked.total = locked.done
        locked.save()
        after: dict[str, Any] = {"state": state, "done": locked.done, "total": locked.total}
        if message:
            after["message"] = message
        if locked.result_name:
            after["file"] = locked.result_name
        _audit(locked, AuditAction.UPDATE, before=before, after=after, source=AuditSource.SYSTEM)
    return locked


def _remove_partials(job: Job) -> None:
    for leftover in jobs_dir().glob(f".{job.pk}-*{PARTIAL_MARK}*"):
        leftover.unlink(missing_ok=True)


def job_run(*, job_id: int, heartbeat: bool = False) -> Job:
    """Run a queued job to its end: done with its file, or failed with its message and no file.
    A job already taken (running, done, failed) is left as it is."""
    with transaction.atomic():
        job = Job.objects.select_for_update().select_related("owner").get(pk=job_id)
        if job.state != JobState.QUEUED:
            return job
        job.state = JobState.RUNNING
        job.started_at = job.heartbeat_at = timezone.now()
        job.save(update_fields=["state", "started_at", "heartbeat_at"])
    stop = threading.Event()
    if heartbeat:
        threading.Thread(target=_heartbeat, args=(job.pk, stop), daemon=True).start()
    dest = jobs_dir() / f"{job.pk}-{uuid.uuid4().hex[:12]}.{_extension(job)}"
    try:
        k = kinds.kind_get(job.kind)
        for cap in k.caps:  # the owner's rights when it runs, not when it was asked for
            require_cap(job.owner, cap)
        with atomic_output(dest) as tmp:
            made = k.run(job.owner, job.params, _Progress(job), tmp)
    except Exception as exc:
        log.warning("job %s failed", job.pk, exc_info=True)
        dest.unlink(missing_ok=True)
        _remove_partials(job)
        return _finish(job, JobState.FAILED, message=failure_message(exc))
    finally:
        stop.set()
    return _finish(
        job,
        JobState.DONE,
        result_path=dest.name,
        result_name=made.filename,
        content_type=made.content_type,
    )


def _extension(job: Job) -> str:
    return str(job.params.get("format", "xlsx")) if job.kind == "report" else "xlsx"


def _stale_q(now: dt.datetime) -> Q:
    minutes = settings.SHIAN_JOBS_STALE_MINUTES
    return Q(state=JobState.RUNNING, heartbeat_at__lt=now - dt.timedelta(minutes=minutes)) | Q(
        state=JobState.QUEUED, created_at__lt=now - dt.timedelta(minutes=6 * minutes)
    )


def job_is_stale(job: Job) -> bool:
    return Job.objects.filter(_stale_q(timezone.now()), pk=job.pk).exists()


def job_sweep_stale(*, now: dt.datetime | None = None) -> int:
    """Fail the jobs whose runner died: running with no sign of life for SHIAN_JOBS_STALE_MINUTES,
    or queued and never started for six times as long. Their partial files are removed."""
    stale = Job.objects.filter(_stale_q(now or timezone.now())).select_related("owner")
    n = 0
    for job in stale:
        _remove_partials(job)
        _finish(job, JobState.FAILED, message=INTERRUPTED)
        n += 1
    return n


def job_result_path(job: Job) -> Path | None:
    """The finished file of a done job, or None when it is gone (removed by the sweep of old ones)."""
    if job.state != JobState.DONE or not job.result_path:
        return None
    path = jobs_dir() / Path(job.result_path).name
    return path if path.is_file() else None


def job_work(*, once: bool = False, idle: float = 2.0) -> int:
    """A worker: sweep, then run queued jobs oldest first; with `once`, stop when none is left."""
    ran = 0
    while True:
        if not connection.in_atomic_block:  # a long-lived worker: drop a broken or old connection
            close_old_connections()
        job_sweep_stale()
        job = Job.objects.filter(state=JobState.QUEUED).order_by("created_at", "id").first()
        if job is None:
            if once:
                return ran
            time.sleep(idle)
            continue
        job_run(job_id=job.pk, heartbeat=True)
        ran += 1
