"""The annual food-safety supervision plan as tracked work: plan → sections → tasks → targets,
owners, reported figures with evidence, unit and town reports, supervision notices, interviews
and commendations."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shian.core.models import Department, FoodCategory, Region, User

from .rules import FIGURE_STATUS_LABELS


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("In force")
    ARCHIVED = "archived", _("Archived")


class AnnualPlan(models.Model):
    year = models.PositiveSmallIntegerField(_("year"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    region = models.ForeignKey(Region, verbose_name=_("district"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    source = models.CharField(_("source"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    starts = models.DateField(_("starts"))
    ends = models.DateField(_("ends"))
    copied_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("annual plan")
        verbose_name_plural = _("annual plans")
        ordering = ["-year", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year", "version"], name="plan_year_version_unique"),
            # At most one plan in force per district and year.
            models.UniqueConstraint(
                fields=["region", "year"], condition=Q(status="active"), name="plan_one_active_per_year"
            ),
            models.CheckConstraint(name="plan_period_ordered", condition=Q(starts__lte=models.F("ends"))),
        ]

    def __str__(self) -> str:
        return f"{self.title}（第{self.version}版）"


class PlanSection(models.Model):
    plan = models.ForeignKey(AnnualPlan, on_delete=models.CASCADE, related_name="sections")
    no = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200)

    class Meta:
        ordering = ["plan", "no"]
        constraints = [models.UniqueConstraint(fields=["plan", "no"], name="section_no_unique")]

    def __str__(self) -> str:
        return self.title


class PlanTask(models.Model):
    plan = models.ForeignKey(AnnualPlan, on_delete=models.CASCADE, related_name="tasks")
    section = models.ForeignKey(PlanSection, on_delete=models.CASCADE, related_name="tasks")
    no = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    due = models.DateField(_("due"))
    # True when the plan's text names no owner and the district office assigned one.
    assigned_by_office = models.BooleanField(_("owner assigned by the office"), default=True)

    class Meta:
        verbose_name = _("plan task")
        verbose_name_plural = _("plan tasks")
        ordering = ["plan", "no"]
        constraints = [models.UniqueConstraint(fields=["plan", "no"], name="task_no_unique")]

    def __str__(self) -> str:
        return f"（{self.no}）{self.title}"


class AssignmentRole(models.TextChoices):
    LEAD = "lead", _("Lead unit")
    PARTNER = "partner", _("Partner unit")
    TOWN = "town", pgettext_lazy("plan assignment", "Town")


class TaskAssignment(models.Model):
    task = models.ForeignKey(PlanTask, on_delete=models.CASCADE, related_name="assignments")
    role = models.CharField(_("role"), max_length=8, choices=AssignmentRole.choices)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="assignment_unit_or_town",
                condition=(
                    Q(role__in=["lead", "partner"]) & Q(department__isnull=False) & Q(region__isnull=True)
                )
                | (Q(role="town") & Q(region__isnull=False) & Q(department__isnull=True)),
            ),
            models.UniqueConstraint(
                fields=["task", "role", "department", "region"], name="assignment_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task_id} {self.role} {self.department_id or self.region_id}"


class TargetKind(models.TextChoices):
    INDICATOR = "indicator", _("Computed from records")
    REPORTED = "reported", _("Reported by the unit")
    MILESTONE = "milestone", _("Milestone")


class Comparator(models.TextChoices):
    AT_LEAST = ">=", _("at least")
    AT_MOST = "<=", _("at most")
    EQUAL = "=", _("exactly")


class Pace(models.TextChoices):
    EVEN = "even", _("Evenly through the year")
    AT_DUE = "due", _("Judged at its due date")


class Target(models.Model):
    task = models.ForeignKey(PlanTask, on_delete=models.CASCADE, related_name="targets")
    code = models.CharField(_("code"), max_length=40)
    description = models.CharField(_("description"), max_length=300)
    kind = models.CharField(_("kind"), max_length=10, choices=TargetKind.choices)
    indicator_code = models.CharField(_("indicator"), max_length=80, blank=True)
    comparator = models.CharField(_("comparator"), max_length=2, choices=Comparator.choices, default=">=")
    value = models.DecimalField(_("target value"), max_digits=14, decimal_places=4)
    unit = models.CharField(_("unit"), max_length=20)
    due = models.DateField(_("due"))
    owner = models.ForeignKey(
        Department,
        verbose_name=_("responsible unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Whether progress is expected evenly through the year, or only by the due date (a year-end
    # report, a milestone): the latter is never "lagging", only late.
    pace = models.CharField(_("pace"), max_length=4, choices=Pace.choices, default=Pace.EVEN)
    # A rate whose definition allows more than 100 % (a growth rate); any other rate above 100 %
    # is refused when reported (planning.rules.figure_implausible).
    may_exceed = models.BooleanField(_("may exceed 100%"), default=False)

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["task__no", "code"]
        constraints = [
            models.UniqueConstraint(fields=["task", "code"], name="target_code_unique_in_task"),
            models.CheckConstraint(
                name="target_indicator_bound",
                condition=~Q(kind="indicator") | ~Q(indicator_code=""),
            ),
        ]

    def __str__(self) -> str:
        return self.description


class FigureStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Awaiting review")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned")


class ReportedFigure(models.Model):
    """A figure reported by the responsible unit for a target, with its evidence."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="figures")
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    period_end = models.DateField(_("as of"))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=4)
    note = models.CharField(_("note"), max_length=500, blank=True)
    evidence = models.FileField(_("evidence"), upload_to="evidence/%Y/", blank=True)
    # The records the figure rests on, one per line: a document's number and title, a ledger, a
    # link to the platform's own records. A figure needs this or a file.
    evidence_refs = models.TextField(_("evidence (records)"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=FigureStatus.choices, default="submitted")
    # What the platform's own records gave for the same period when the figure was reported.
    computed_value = models.DecimalField(
        _("platform figure"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    # Set when the figure contradicts the platform's own records (see planning.rules.figure_contradicts).
    flag = models.CharField(_("flag"), max_length=300, blank=True)
    reported_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField(auto_now_add=True)
    reviewed_by = models.ForeignKey(
        User, verbose_name=_("reviewed by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.CharField(_("review note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("reported figure")
        verbose_name_plural = _("reported figures")
        ordering = ["-period_end", "-reported_at"]
        indexes = [models.Index(fields=["target", "period_end"], name="figure_target_period_idx")]
        constraints = [
            # A returned figure says why; a reviewed one says who and when.
            models.CheckConstraint(
                name="figure_returned_has_reason", condition=~Q(status="returned") | ~Q(review_note="")
            ),
            models.CheckConstraint(
                name="figure_reviewed_has_time",
                condition=Q(status="submitted") | Q(reviewed_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.target_id} {self.value} @ {self.period_end}"

    @property
    def status_label(self) -> str:
        """待审核 / 已采纳 / 已退回: the review status's words, the same on every page and the API."""
        return FIGURE_STATUS_LABELS.get(self.status, self.status)


class ReportPeriod(models.TextChoices):
    Q1 = "Q1", _("First quarter")
    Q2 = "Q2", _("Second quarter")
    Q3 = "Q3", _("Third quarter")
    Q4 = "Q4", _("Fourth quarter")
    YEAR = "Y", _("Year-end")


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for revision")
    ACCEPTED = "accepted", _("Accepted")


class ProgressReport(models.Model):
    """A unit's or a town's quarterly or year-end report on its plan tasks."""

    plan = models.ForeignKey(AnnualPlan, on_delete=models.CASCADE, related_name="reports")
    period = models.CharField(_("period"), max_length=2, choices=ReportPeriod.choices)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("report"), blank=True)
    attachment = models.FileField(_("attachment"), upload_to="reports/%Y/", blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ReportStatus.choices, default="draft")
    due = models.DateField(_("due"))
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["plan", "period"]
        constraints = [
            models.CheckConstraint(
                name="report_unit_xor_town",
                condition=(Q(department__isnull=False) & Q(region__isnull=True))
                | (Q(department__isnull=True) & Q(region__isnull=False)),
            ),
            models.UniqueConstraint(
                fields=["plan", "period", "department"], name="report_unit_period_unique"
            ),
            models.UniqueConstraint(fields=["plan", "period", "region"], name="report_town_period_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.period} {self.department_id or self.region_id}"


class NoticeStatus(models.TextChoices):
    ISSUED = "issued", _("Issued")
    RESPONDED = "responded", _("Responded")
    CLOSED = "closed", pgettext_lazy("supervision notice", "Closed")


class SupervisionNotice(models.Model):
    """督查督办: raised by rule for a late or lagging task, answered within working days."""

    plan = models.ForeignKey(AnnualPlan, on_delete=models.CASCADE, related_name="notices")
    task = models.ForeignKey(PlanTask, on_delete=models.CASCADE, related_name="notices")
    target = models.ForeignKey(
        Target, null=True, blank=True, on_delete=models.CASCADE, related_name="notices"
    )
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=500)
    rule = models.CharField(_("rule and version"), max_length=80)
    issued_on = models.DateField(_("issued on"))
    response_due = models.DateField(_("response due"))
    response_due_provisional = models.BooleanField(default=False)
    status = models.CharField(_("status"), max_length=10, choices=NoticeStatus.choices, default="issued")
    response = models.TextField(_("response"), blank=True)
    responded_on = models.DateField(_("responded on"), null=True, blank=True)

    class Meta:
        verbose_name = _("supervision notice")
        verbose_name_plural = _("supervision notices")
        ordering = ["-issued_on", "id"]
        constraints = [
            # One notice per target (or task) and period end: re-running the rule changes nothing.
            models.UniqueConstraint(
                fields=["task", "target", "department", "region", "issued_on"], name="notice_unique_per_day"
            ),
        ]

    def __str__(self) -> str:
        return f"督办 {self.task} {self.issued_on}"


class InterviewStatus(models.TextChoices):
    LISTED = "listed", _("On the interview list")
    HELD = "held", _("Interview held")
    CLOSED = "closed", pgettext_lazy("interview", "Closed")


class Interview(models.Model):
    """约谈: a unit that stays behind is put on the list; the interview and its record follow."""

    plan = models.ForeignKey(AnnualPlan, on_delete=models.CASCADE, related_name="interviews")
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=500)
    rule = models.CharField(_("rule and version"), max_length=80)
    listed_on = models.DateField(_("listed on"))
    status = models.CharField(_("status"), max_length=10, choices=InterviewStatus.choices, default="listed")
    held_on = models.DateField(_("held on"), null=True, blank=True)
    record = models.TextField(_("record"), blank=True)

    class Meta:
        verbose_name = _("interview")
        verbose_name_plural = _("interviews")
        ordering = ["-listed_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "department", "region", "listed_on"], name="interview_unique"
            )
        ]

    def __str__(self) -> str:
        return f"约谈 {self.department_id or self.region_id} {self.listed_on}"


class Commendation(models.Model):
    plan = models.ForeignKey(AnnualPlan, on_delete=models.CASCADE, related_name="commendations")
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    person = models.CharField(_("person"), max_length=50, blank=True)
    reason = models.CharField(_("reason"), max_length=500)
    awarded_on = models.DateField(_("awarded on"))

    class Meta:
        verbose_name = _("commendation")
        verbose_name_plural = _("commendations")
        ordering = ["-awarded_on"]

    def __str__(self) -> str:
        return self.reason


class PlanEvaluation(models.Model):
    """One quarter-end supervision round (任务（一）督查督办): when it ran, under which rules, and
    what it raised."""

    plan = models.ForeignKey(AnnualPlan, on_delete=models.CASCADE, related_name="evaluations")
    as_of = models.DateField(_("as of"))
    rule = models.CharField(_("rule and version"), max_length=80)
    notices = models.PositiveIntegerField(_("notices raised"), default=0)
    interviews = models.PositiveIntegerField(_("units listed for interview"), default=0)
    run_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("supervision round")
        verbose_name_plural = _("supervision rounds")
        ordering = ["plan", "as_of"]
        constraints = [models.UniqueConstraint(fields=["plan", "as_of"], name="evaluation_once_per_date")]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.as_of}"


# ------------------------------------------------------------------ the annual sampling plan
# Labels are written in Chinese directly: the message catalogues are maintained separately.


class SamplingVote(models.Model):
    """Public votes of "你点我检" (任务（二十六）) for a food category in a year: the optimiser samples
    more of what the public asks for."""

    year = models.PositiveSmallIntegerField("年度")
    category = models.ForeignKey(
        FoodCategory, verbose_name=_("食品类别"), on_delete=models.PROTECT, related_name="+"
    )
    count = models.PositiveIntegerField("票数")
    source_note = models.CharField("来源说明", max_length=200, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "“你点我检”投票"
        verbose_name_plural = "“你点我检”投票"
        ordering = ["-year", "category"]
        constraints = [
            models.UniqueConstraint(fields=["year", "category"], name="sampling_vote_year_category_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.category_id} {self.count}"


class SamplingAllocation(models.Model):
    """An adopted run of the annual sampling plan optimiser: what it allocated, under which rules,
    and what it expects to find against a proportional allocation."""

    plan = models.ForeignKey(AnnualPlan, on_delete=models.CASCADE, related_name="sampling_allocations")
    rules = models.CharField("规则版本", max_length=80)
    total = models.PositiveIntegerField("总批次")
    expected_found = models.FloatField("预计发现不合格批次")
    expected_found_proportional = models.FloatField("按比例分配预计发现不合格批次")
    # Totals by unit and month, the special quotas, density and notes, as the run reported them.
    summary = models.JSONField("汇总", default=dict)
    current = models.BooleanField("现行", default=True)
    adopted_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+")
    adopted_at = models.DateTimeField("采纳时间", auto_now_add=True)

    class Meta:
        verbose_name = "年度抽检计划分配"
        verbose_name_plural = "年度抽检计划分配"
        ordering = ["-adopted_at", "-id"]
        constraints = [
            # One allocation in force per plan; adopting a new run retires the previous one.
            models.UniqueConstraint(
                fields=["plan"], condition=Q(current=True), name="sampling_allocation_one_current"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} 抽检计划分配 {self.total} 批次"


class SamplingAllocationRow(models.Model):
    allocation = models.ForeignKey(SamplingAllocation, on_delete=models.CASCADE, related_name="rows")
    unit = models.ForeignKey(
        Department, verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="+"
    )
    category = models.ForeignKey(
        FoodCategory, verbose_name=_("食品类别"), on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey(Region, verbose_name=_("镇街"), on_delete=models.PROTECT, related_name="+")
    month = models.PositiveSmallIntegerField("月份")
    quantity = models.PositiveIntegerField("批次")
    proportional = models.PositiveIntegerField("按比例分配的全年批次", default=0)
    rate = models.FloatField("预计不合格率", default=0)
    explanation = models.CharField("分配理由", max_length=500, blank=True)

    class Meta:
        verbose_name = "抽检计划分配明细"
        verbose_name_plural = "抽检计划分配明细"
        ordering = ["allocation", "unit", "category", "region", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["allocation", "unit", "category", "region", "month"],
                name="sampling_row_cell_month_unique",
            ),
            models.CheckConstraint(name="sampling_row_month_valid", condition=Q(month__gte=1, month__lte=12)),
            models.CheckConstraint(name="sampling_row_quantity_positive", condition=Q(quantity__gt=0)),
        ]
        indexes = [
            # a town officer's page: the allocation's rows of one town
            models.Index(fields=["allocation", "region"], name="sampling_row_alloc_region_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.category_id} {self.region_id} {self.month}月 {self.quantity}"
