"""Where a job runs, chosen by SHIAN_JOBS_RUNNER. No broker is needed on Linux or Windows:

- "subprocess" (the default): the request starts `shian jobs run <id>` detached from it (its own
  session on POSIX, a detached process group on Windows); the server goes on answering.
- "thread": a thread of the server process (a single-process deployment).
- "worker": nothing is started; a `shian jobs work` service picks queued jobs up.
- "inline": run in the request before it answers (the tests).

A runner that dies leaves its job running with an old heartbeat; `job_sweep_stale` (run by every
submission, by `shian jobs sweep` and by the worker) fails it with a clear message."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

from django.conf import settings
from django.db import connection, transaction

from . import services
from .models import Job

RUNNERS = ("subprocess", "thread", "worker", "inline")
_children: list[subprocess.Popen[bytes]] = []


def command(job_id: int) -> list[str]:
    return [sys.executable, "-m", "shian", "jobs", "run", str(job_id)]


def _spawn(job_id: int) -> None:
    # Reap the runners that have finished, so none lingers as a zombie of the server.
    _children[:] = [p for p in _children if p.poll() is None]
    kwargs: dict[str, object] = {
        "stdin": subprocess.DEVNULL,
        "stdout": subprocess.DEVNULL,
        "stderr": subprocess.DEVNULL,
        "close_fds": True,
        "env": os.environ.copy(),
    }
    if os.name == "nt":
        flags = subprocess.DETACHED_PROCESS | subprocess.CREATE_NEW_PROCESS_GROUP  # type: ignore[attr-defined]
        kwargs["creationflags"] = flags | getattr(subprocess, "CREATE_NO_WINDOW", 0)
    else:
        kwargs["start_new_session"] = True  # a signal to the server's group does not reach it
    _children.append(subprocess.Popen(command(job_id), **kwargs))  # type: ignore[call-overload]  # noqa: S603 - our own command


def _in_thread(job_id: int) -> None:
    try:
        services.job_run(job_id=job_id, heartbeat=True)
    finally:
        connection.close()


def start(job: Job) -> None:
    """Have `job` run, once the transaction that made it is committed."""
    mode = settings.SHIAN_JOBS_RUNNER
    if mode == "inline":
        services.job_run(job_id=job.pk)
    elif mode == "thread":
        transaction.on_commit(
            lambda: threading.Thread(target=_in_thread, args=(job.pk,), daemon=True).start()
        )
    elif mode == "subprocess":
        transaction.on_commit(lambda: _spawn(job.pk))
