"""What a food business files on its own portal: its reports on rectification orders (text and
photos, accepted or returned by an inspector) and the yearly self-inspection reports the law asks
of special-food producers (reviewed by the office)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shian.core.models import Region
from shian.inspections.models import Rectification
from shian.registry.models import Business


class ReviewStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted, awaiting review")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned")


class RectificationReport(models.Model):
    """A business's report that it has rectified a finding (整改报告), with photos. An inspector
    accepts it (the order is closed) or returns it with a reason (the business reports again)."""

    rectification = models.ForeignKey(
        Rectification, verbose_name=_("rectification order"), on_delete=models.PROTECT, related_name="+"
    )
    business = models.ForeignKey(
        Business, verbose_name=_("business"), on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("what was done"))
    status = models.CharField(
        _("status"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.SUBMITTED
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.CharField(_("review note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("rectification report")
        verbose_name_plural = _("rectification reports")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="rectreport_status_valid", condition=Q(status__in=ReviewStatus.values)
            ),
            # One report at a time awaits review for an order.
            models.UniqueConstraint(
                fields=["rectification"],
                condition=Q(status="submitted"),
                name="rectreport_one_pending",
            ),
            models.CheckConstraint(
                name="rectreport_returned_has_reason",
                condition=~Q(status="returned") | ~Q(review_note=""),
            ),
        ]
        indexes = [models.Index(fields=["region", "status"], name="rectreport_review_idx")]

    def __str__(self) -> str:
        return f"整改报告 #{self.pk}"


class ReportPhoto(models.Model):
    """A photo attached to a rectification report (checked by its content, as an inspection's)."""

    report = models.ForeignKey(RectificationReport, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("photo"), upload_to="portal/", max_length=200)
    kind = models.CharField(_("image format"), max_length=5)
    size = models.PositiveIntegerField(_("size in bytes"))
    original_name = models.CharField(_("original file name"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("report photo")
        verbose_name_plural = _("report photos")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name or str(self.file.name)


class SelfInspectionReport(models.Model):
    """A producer's yearly self-inspection report (自查报告, 食品安全法 第八十三条): the form's
    figures, a summary and the signed report as a file; the office accepts or returns it."""

    business = models.ForeignKey(
        Business, verbose_name=_("business"), on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    items_checked = models.PositiveIntegerField(_("items checked"))
    problems_found = models.PositiveIntegerField(_("problems found"))
    problems_fixed = models.PositiveIntegerField(_("problems fixed"))
    summary = models.TextField(_("summary"))
    file = models.FileField(_("report file"), upload_to="self-inspections/", max_length=200, blank=True)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.SUBMITTED
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_on = models.DateField(_("submitted on"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_on = models.DateField(_("reviewed on"), null=True, blank=True)
    review_note = models.CharField(_("review note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("self-inspection report")
        verbose_name_plural = _("self-inspection reports")
        ordering = ["-year", "-submitted_on", "-id"]
        constraints = [
            models.CheckConstraint(name="selfinsp_status_valid", condition=Q(status__in=ReviewStatus.values)),
            # A returned report is filed again; at most one standing report per business and year.
            models.UniqueConstraint(
                fields=["business", "year"],
                condition=~Q(status="returned"),
                name="selfinsp_one_standing_per_year",
            ),
            models.CheckConstraint(
                name="selfinsp_fixed_not_above_found",
                condition=Q(problems_fixed__lte=models.F("problems_found")),
            ),
            models.CheckConstraint(
                name="selfinsp_returned_has_reason",
                condition=~Q(status="returned") | ~Q(review_note=""),
            ),
        ]
        indexes = [models.Index(fields=["year", "region", "status"], name="selfinsp_year_idx")]

    def __str__(self) -> str:
        return f"{self.year} 自查报告 #{self.pk}"


class AccountRequestStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting verification")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class AccountRequest(models.Model):
    """A business asks for its portal account with its credit code and licence number; the office
    verifies it against the register (and by telephone) and approves or rejects it."""

    business = models.ForeignKey(
        Business, verbose_name=_("business"), on_delete=models.CASCADE, related_name="+"
    )
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    licence_number = models.CharField(_("licence number"), max_length=16)
    contact = models.CharField(_("contact"), max_length=50)
    phone = models.CharField(_("phone"), max_length=20)
    username = models.CharField(_("requested user name"), max_length=150)
    status = models.CharField(
        _("status"), max_length=10, choices=AccountRequestStatus.choices, default=AccountRequestStatus.PENDING
    )
    requested_at = models.DateTimeField(_("requested at"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.CharField(_("review note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("account request")
        verbose_name_plural = _("account requests")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="accountrequest_status_valid", condition=Q(status__in=AccountRequestStatus.values)
            ),
            models.UniqueConstraint(
                fields=["business"], condition=Q(status="pending"), name="accountrequest_one_pending"
            ),
        ]
        indexes = [models.Index(fields=["region", "status"], name="accountrequest_review_idx")]

    def __str__(self) -> str:
        return f"账户申请 #{self.pk}"
