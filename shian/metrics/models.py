"""The quarterly food-safety index per town, as computed and published. The edition (components,
weights, targets) is data in data/index-YYYY.toml, not a model: a run records the edition's id,
and each town's components keep their name, weight, raw value and score, so a published run reads
the same whatever later editions say."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shian.core.models import Region, User

from .rules import Trend as TrendRule


class RunStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class Trend(models.TextChoices):
    UP = TrendRule.UP, _("Up")
    DOWN = TrendRule.DOWN, _("Down")
    FLAT = TrendRule.FLAT, _("Flat")
    NEW = TrendRule.NEW, _("No previous score")
    NONE = TrendRule.NONE, _("No score")


class IndexRun(models.Model):
    """One quarter's index. Re-computing replaces a draft; a published run never changes."""

    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    edition_id = models.CharField(_("edition"), max_length=60)
    min_coverage = models.DecimalField(_("minimum coverage"), max_digits=5, decimal_places=4)
    computed_at = models.DateTimeField(_("computed at"))
    computed_by = models.ForeignKey(
        User, verbose_name=_("computed by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.DRAFT)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        User,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("index run")
        verbose_name_plural = _("index runs")
        ordering = ["-year", "-quarter"]
        constraints = [
            # One index per quarter: a re-computation replaces the draft in place.
            models.UniqueConstraint(fields=["year", "quarter"], name="index_run_quarter_unique"),
            models.CheckConstraint(
                name="index_run_quarter_valid", condition=Q(quarter__gte=1, quarter__lte=4)
            ),
            models.CheckConstraint(
                name="index_run_published_has_time",
                condition=~Q(status="published") | Q(published_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}年第{self.quarter}季度食品安全指数"


class TownIndexScore(models.Model):
    run = models.ForeignKey(IndexRun, on_delete=models.CASCADE, related_name="towns")
    region = models.ForeignKey(
        Region, verbose_name=_("town or street"), on_delete=models.PROTECT, related_name="+"
    )
    # None: coverage below the edition's threshold, published as "数据不足" (insufficient data).
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2, null=True, blank=True)
    coverage = models.DecimalField(_("coverage"), max_digits=5, decimal_places=4)
    rank = models.PositiveSmallIntegerField(_("rank"), null=True, blank=True)
    previous_score = models.DecimalField(
        _("previous quarter's score"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    trend = models.CharField(_("trend"), max_length=5, choices=Trend.choices)

    class Meta:
        verbose_name = _("town index score")
        verbose_name_plural = _("town index scores")
        ordering = ["run", "rank", "region"]
        constraints = [
            models.UniqueConstraint(fields=["run", "region"], name="index_town_unique_in_run"),
            models.CheckConstraint(
                name="index_town_coverage_range", condition=Q(coverage__gte=0, coverage__lte=1)
            ),
            models.CheckConstraint(
                name="index_town_score_range",
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=100),
            ),
            models.CheckConstraint(
                name="index_town_rank_needs_score", condition=Q(rank__isnull=True) | Q(score__isnull=False)
            ),
        ]
        indexes = [
            # A town's trend series: its scores over the quarters (index_trend_for_user).
            models.Index(fields=["region", "run"], name="index_town_region_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.run_id} {self.region_id} {self.score}"


class ComponentScore(models.Model):
    """One component of one town's index: the indicator's raw value, its 0–100 score, its weight and
    its contribution to the town's score. A missing component has no value, never a zero."""

    town_score = models.ForeignKey(TownIndexScore, on_delete=models.CASCADE, related_name="components")
    code = models.CharField(_("indicator"), max_length=80)
    name = models.CharField(_("name"), max_length=100)
    raw_value = models.DecimalField(_("value"), max_digits=16, decimal_places=4, null=True, blank=True)
    normalised = models.DecimalField(
        _("component score"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=4)
    contribution = models.DecimalField(
        _("contribution"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    missing = models.BooleanField(_("missing"), default=False)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("component score")
        verbose_name_plural = _("component scores")
        ordering = ["town_score", "-weight", "code"]
        constraints = [
            models.UniqueConstraint(fields=["town_score", "code"], name="index_component_unique_in_town"),
            models.CheckConstraint(name="index_component_weight_positive", condition=Q(weight__gt=0)),
            # Missing means no value at all (never a zero); present means a value and its score.
            models.CheckConstraint(
                name="index_component_value_iff_present",
                condition=Q(
                    missing=True, raw_value__isnull=True, normalised__isnull=True, contribution__isnull=True
                )
                | Q(missing=False, raw_value__isnull=False, normalised__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.normalised}"
