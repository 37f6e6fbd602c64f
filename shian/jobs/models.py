"""A background job: one long export or report, asked for by one person, run outside the request.

Its row is what the progress page polls (state, done of total, message) and what the download
route checks (only the owner, only when done). The file lives under the data directory and is
named by the job, never by anything the person typed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class JobState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


ACTIVE_STATES = (JobState.QUEUED, JobState.RUNNING)


class Job(models.Model):
    kind = models.CharField(_("kind"), max_length=40)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    # SHA-256 of the canonical parameters: the same request twice is the same key.
    params_key = models.CharField(max_length=64)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="jobs", verbose_name=_("owner")
    )
    # The owner's region when asked (the scope the rows were read in), for the audit trail.
    region_code = models.CharField(_("region"), max_length=12, blank=True, default="")
    state = models.CharField(_("state"), max_length=10, choices=JobState.choices, default=JobState.QUEUED)
    done = models.PositiveIntegerField(_("done"), default=0)
    total = models.PositiveIntegerField(_("total"), default=0)
    message = models.TextField(_("message"), blank=True, default="")
    result_path = models.CharField(max_length=200, blank=True, default="")  # relative to the jobs dir
    result_name = models.CharField(_("file name"), max_length=200, blank=True, default="")
    content_type = models.CharField(max_length=100, blank=True, default="")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)  # the runner's last sign of life
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-created_at", "-id"]
        constraints = [
            # A second click (or a second tab) while the first is queued or running is the same job.
            models.UniqueConstraint(
                fields=["owner", "kind", "params_key"],
                condition=Q(state__in=["queued", "running"]),
                name="job_one_active_per_request",
            ),
            models.CheckConstraint(
                condition=Q(done__lte=models.F("total")) | Q(total=0), name="job_done_le_total"
            ),
        ]
        indexes = [
            # A person's own jobs, newest first (the jobs page).
            models.Index(fields=["owner", "-created_at"], name="job_owner_recent_idx"),
            # The stale-job sweep: the active ones.
            models.Index(fields=["state", "heartbeat_at"], name="job_state_heartbeat_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    @property
    def percent(self) -> int:
        if self.state == JobState.DONE:
            return 100
        return int(self.done * 100 / self.total) if self.total else 0

    @property
    def active(self) -> bool:
        return self.state in ACTIVE_STATES
