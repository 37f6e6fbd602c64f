"""Inspections (监督检查) with their checklist answers, findings and rectification orders."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shian.core.models import Region
from shian.registry.models import Business


class InspectionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")


class InspectionResult(models.TextChoices):
    PASS = "pass", _("Compliant")  # 符合
    BASIC = "basic", _("Basically compliant")  # 基本符合
    FAIL = "fail", _("Non-compliant")  # 不符合


class InspectionLevel(models.TextChoices):
    DISTRICT = "district", _("District")
    CITY = "city", _("City")
    PROVINCE = "province", _("Province")
    NATIONAL = "national", _("National")


class InspectionKind(models.TextChoices):
    ROUTINE = "routine", _("Routine")
    RANDOM = "random", _("Random draw")
    CAMPAIGN = "campaign", _("Special campaign")
    FOLLOW_UP = "follow_up", _("Follow-up")


class Inspection(models.Model):
    business = models.ForeignKey(
        Business, verbose_name=_("business"), on_delete=models.PROTECT, related_name="inspections"
    )
    # The business's town, copied so scoping and sharding need no join.
    region = models.ForeignKey(
        Region, verbose_name=_("town or street"), on_delete=models.PROTECT, related_name="+"
    )
    inspected_on = models.DateField(_("inspected on"))
    kind = models.CharField(
        _("kind"), max_length=12, choices=InspectionKind.choices, default=InspectionKind.ROUTINE
    )
    level = models.CharField(
        _("level"), max_length=10, choices=InspectionLevel.choices, default=InspectionLevel.DISTRICT
    )
    checklist = models.CharField(_("checklist"), max_length=40)
    full_check = models.BooleanField(_("full checklist"), default=False)
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    result = models.CharField(_("result"), max_length=8, choices=InspectionResult.choices, blank=True)
    key_failed = models.PositiveSmallIntegerField(_("key items failed"), default=0)
    general_failed = models.PositiveSmallIntegerField(_("general items failed"), default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=InspectionStatus.choices, default=InspectionStatus.DRAFT
    )
    inspectors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("inspectors"), related_name="inspections"
    )
    campaign = models.CharField(_("campaign"), max_length=40, blank=True)
    draw_code = models.CharField(_("random draw"), max_length=40, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    signed_by = models.CharField(_("signed by (business representative)"), max_length=50, blank=True)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    signature = models.TextField(_("signature image"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    publish_due = models.DateField(_("publish results by"), null=True, blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    corrects = models.OneToOneField(
        "self",
        verbose_name=_("corrects"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrected_by",
    )
    follow_up_of = models.ForeignKey(
        "self",
        verbose_name=_("follow-up of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="follow_ups",
    )
    rules_edition = models.CharField(_("rules edition"), max_length=40, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-inspected_on", "-id"]
        constraints = [
            models.CheckConstraint(
                name="inspection_status_valid", condition=Q(status__in=InspectionStatus.values)
            ),
            models.CheckConstraint(
                name="inspection_submitted_has_result",
                condition=Q(status="draft") | (~Q(result="") & Q(submitted_at__isnull=False)),
            ),
        ]
        indexes = [
            # Coverage and the plan: a town's inspections in a period; status and business included
            # so that coverage counts the inspected businesses from the index alone (the rows
            # carry every answer and are many times wider).
            models.Index(
                fields=["region", "inspected_on", "status", "business"], name="inspection_region_date_idx"
            ),
            # A business's history and its latest full-checklist inspection (grading).
            models.Index(fields=["business", "full_check", "inspected_on"], name="inspection_business_idx"),
            # Indicators: the businesses inspected under a campaign in a period (campaign coverage).
            models.Index(
                fields=["campaign", "status", "inspected_on", "business"], name="inspection_campaign_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.business_id} {self.inspected_on}"

    def version_state(self) -> dict[str, Any]:
        """The version an edit is made from: the record with its findings (core.concurrency)."""
        from shian.core.concurrency import state_with

        return state_with(self, findings=self.findings.all())


class Finding(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings")
    item_code = models.CharField(_("checklist item"), max_length=10)
    key_item = models.BooleanField(_("key item"), default=False)
    description = models.TextField(_("description"))
    corrected_on_spot = models.BooleanField(_("corrected on the spot"), default=False)
    photo = models.FileField(_("photo"), upload_to="findings/%Y/%m/", blank=True)

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["inspection", "item_code"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "item_code"], name="finding_item_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.inspection_id}:{self.item_code}"


class RectificationStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Rectified")


class Rectification(models.Model):
    finding = models.OneToOneField(Finding, on_delete=models.CASCADE, related_name="rectification")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    ordered_on = models.DateField(_("ordered on"))
    working_days = models.PositiveSmallIntegerField(_("working days"))
    due = models.DateField(_("due"))
    status = models.CharField(
        _("status"), max_length=8, choices=RectificationStatus.choices, default=RectificationStatus.OPEN
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    follow_up = models.ForeignKey(
        Inspection, null=True, blank=True, on_delete=models.PROTECT, related_name="rectifications_closed"
    )

    class Meta:
        verbose_name = _("rectification order")
        verbose_name_plural = _("rectification orders")
        ordering = ["due", "id"]
        constraints = [
            models.CheckConstraint(
                name="rectification_due_after_order", condition=Q(due__gte=models.F("ordered_on"))
            ),
            models.CheckConstraint(
                name="rectification_done_has_date", condition=Q(status="open") | Q(closed_on__isnull=False)
            ),
        ]
        indexes = [
            # Late orders to chase, per town.
            # (closing date included: the on-time indicator counts from the index alone)
            models.Index(fields=["region", "status", "due", "closed_on"], name="rectification_chase_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.finding_id} → {self.due}"


class FindingPhoto(models.Model):
    """A photo taken as evidence of a finding. The file is stored once per content (its SHA-256
    names it) and served only through a scoped view, never as a public media URL."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="photos")
    # The inspection's town, copied so the photo view scopes without a join (and for sharding).
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(_("photo"), upload_to="findings/", max_length=200)
    sha256 = models.CharField(_("content hash (SHA-256)"), max_length=64)
    kind = models.CharField(_("image format"), max_length=5)
    size = models.PositiveIntegerField(_("size in bytes"))
    width = models.PositiveIntegerField(_("width"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True)
    original_name = models.CharField(_("original file name"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("finding photo")
        verbose_name_plural = _("finding photos")
        ordering = ["finding", "id"]
        constraints = [
            # The same picture attached twice to one finding is one piece of evidence.
            models.UniqueConstraint(fields=["finding", "sha256"], name="finding_photo_unique"),
            models.CheckConstraint(
                name="finding_photo_kind_valid", condition=Q(kind__in=["jpeg", "png", "webp"])
            ),
        ]

    def __str__(self) -> str:
        return f"{self.finding_id}:{self.sha256[:12]}"
