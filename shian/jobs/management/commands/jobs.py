"""`shian jobs run ID | sweep | work [--once]`: the background jobs' runner.

`run` is what a page starts, detached, for each job it queues; `sweep` fails the jobs whose runner
died (no sign of life for SHIAN_JOBS_STALE_MINUTES); `work` is a worker for SHIAN_JOBS_RUNNER=worker
(runs queued jobs oldest first, sweeping between them)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from shian.jobs import services
from shian.jobs.models import Job, JobState


class Command(BaseCommand):
    help = "Background jobs: run one, sweep the stale ones, or work through the queue."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["run", "sweep", "work"])
        parser.add_argument("job", nargs="?", type=int, help="the job's number (for run)")
        parser.add_argument("--once", action="store_true", help="work: stop when the queue is empty")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "sweep":
            n = services.job_sweep_stale()
            self.stdout.write(f"已将 {n} 个中断的任务标记为失败 / {n} stale job(s) marked failed")
            return
        if action == "work":
            n = services.job_work(once=options["once"])
            self.stdout.write(f"已完成 {n} 个任务 / {n} job(s) run")
            return
        if options["job"] is None:
            raise CommandError(_("请给出任务编号：shian jobs run 123"))
        if not Job.objects.filter(pk=options["job"]).exists():
            raise CommandError(_("任务 #%(job)s 不存在") % {"job": options["job"]})
        job = services.job_run(job_id=options["job"], heartbeat=True)
        if job.state == JobState.FAILED:
            raise CommandError(_("任务 #%(job)s 失败：%(message)s") % {"job": job.pk, "message": job.message})
        self.stdout.write(f"任务 #{job.pk}：{job.get_state_display()} {job.done}/{job.total}")
