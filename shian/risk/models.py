"""The food risk grade of each business with its breakdown and evidence, the adverse events that
adjust it, inspectors' declared conflicts, and the published random draws."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shian.core.models import Region
from shian.registry.models import Business


class Grade(models.TextChoices):
    A = "A", _("A (lowest risk)")
    B = "B", "B"
    C = "C", "C"
    D = "D", _("D (highest risk)")


class RiskGrade(models.Model):
    """The food risk grade (风险等级) — not the credit class, not the catering display rating."""

    business = models.OneToOneField(
        Business, on_delete=models.CASCADE, primary_key=True, related_name="risk_grade"
    )
    # No index of its own: riskgrade_region_grade_idx starts with the region.
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", db_index=False)
    grade = models.CharField(_("risk grade"), max_length=1, choices=Grade.choices)
    score_grade = models.CharField(_("grade by score"), max_length=1, choices=Grade.choices)
    static_score = models.PositiveSmallIntegerField(_("static score"))
    dynamic_score = models.PositiveSmallIntegerField(_("dynamic score"))
    total = models.PositiveSmallIntegerField(_("total score"))
    adjustment = models.SmallIntegerField(_("adjustment (grades)"), default=0)
    breakdown = models.JSONField(_("breakdown"), default=dict)
    evidence = models.JSONField(_("evidence"), default=dict)
    edition = models.CharField(_("rules edition"), max_length=40)
    graded_on = models.DateField(_("graded on"))

    class Meta:
        verbose_name = _("risk grade")
        verbose_name_plural = _("risk grades")
        ordering = ["business_id"]
        constraints = [
            models.CheckConstraint(name="riskgrade_grade_valid", condition=Q(grade__in=Grade.values)),
            models.CheckConstraint(name="riskgrade_static_max", condition=Q(static_score__lte=40)),
            models.CheckConstraint(name="riskgrade_dynamic_max", condition=Q(dynamic_score__lte=60)),
        ]
        indexes = [
            # The grade mix per town and the list filtered by town and grade.
            models.Index(fields=["region", "grade"], name="riskgrade_region_grade_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.business_id}: {self.grade}"


class InspectorConflict(models.Model):
    """A declared conflict of interest (回避): the inspector is never drawn for the business."""

    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=200)
    declared_on = models.DateField(_("declared on"))

    class Meta:
        verbose_name = _("declared conflict")
        verbose_name_plural = _("declared conflicts")
        constraints = [models.UniqueConstraint(fields=["inspector", "business"], name="conflict_unique")]

    def __str__(self) -> str:
        return f"{self.inspector_id}×{self.business_id}"


class Draw(models.Model):
    """A published random draw (双随机): enough is stored to re-run it and get the same result."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=120)
    seed = models.BigIntegerField(_("seed"))
    population = models.JSONField(_("population"))  # [[business id, stratum], …] as drawn from
    ratios = models.JSONField(_("ratios"))
    inspectors = models.JSONField(_("inspectors"))
    conflicts = models.JSONField(_("excluded pairs"), default=list)
    result = models.JSONField(_("result"))
    drawn_on = models.DateField(_("drawn on"))
    results_due = models.DateField(_("results published by"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("random draw")
        verbose_name_plural = _("random draws")
        ordering = ["-drawn_on", "-id"]

    def __str__(self) -> str:
        return self.code


class TargetingRun(models.Model):
    """One scoring of the predictive work list: the model (edition, weights) trained on the history
    up to `scored_on`, and its measured figures (a backtest on the last months before it)."""

    edition = models.CharField(_("model edition"), max_length=40)
    scored_on = models.DateField(_("scored on"))
    trained_from = models.DateField(_("trained from"), null=True, blank=True)
    trained_to = models.DateField(_("trained to"), null=True, blank=True)
    examples = models.PositiveIntegerField(_("training inspections"), default=0)
    positives = models.PositiveIntegerField(_("with a serious finding"), default=0)
    region_code = models.CharField(_("scope"), max_length=12, blank=True)  # "" the whole district
    businesses = models.PositiveIntegerField(_("businesses scored"), default=0)
    metrics = models.JSONField(_("metrics"), default=dict)
    weights = models.JSONField(_("feature weights"), default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("targeting run")
        verbose_name_plural = _("targeting runs")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.edition} {self.scored_on}"


class TargetingScore(models.Model):
    """A business's place in a run's ranked list, with the features and the top reasons."""

    run = models.ForeignKey(TargetingRun, on_delete=models.CASCADE, related_name="scores")
    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="+")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    rank = models.PositiveIntegerField(_("rank"))
    score = models.FloatField(_("chance of a serious finding"))
    grade = models.CharField(_("risk grade"), max_length=1, choices=Grade.choices)
    features = models.JSONField(_("features"), default=dict)
    reasons = models.JSONField(_("reasons"), default=list)

    class Meta:
        verbose_name = _("targeting score")
        verbose_name_plural = _("targeting scores")
        ordering = ["run", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["run", "business"], name="targetingscore_run_business_unique"),
            models.CheckConstraint(
                name="targetingscore_score_probability", condition=Q(score__gte=0) & Q(score__lte=1)
            ),
        ]
        indexes = [
            # The ranked list of the latest run, district-wide or for one town.
            models.Index(fields=["run", "rank"], name="targetingscore_run_rank_idx"),
            models.Index(fields=["run", "region", "rank"], name="targetingscore_region_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.run_id}#{self.rank} {self.business_id}"


class TargetingNote(models.Model):
    """An inspector's or officer's note on a business in the ranked list (kept across runs)."""

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="+")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    run = models.ForeignKey(TargetingRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    text = models.CharField(_("note"), max_length=500)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("targeting note")
        verbose_name_plural = _("targeting notes")
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(name="targetingnote_text_not_blank", condition=~Q(text=""))]
        indexes = [
            # The notes shown beside each business of a page of the list.
            models.Index(fields=["business", "created_at"], name="targetingnote_business_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.business_id}: {self.text[:20]}"
