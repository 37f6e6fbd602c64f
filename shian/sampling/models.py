"""Samples, their test items with the judgment made, their status history and legal deadlines."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shian.core.models import FoodCategory, Region
from shian.registry.models import Business

from .workflow import QuickTestStatus, SampleStatus


class Verdict(models.TextChoices):
    QUALIFIED = "qualified", _("Qualified")
    UNQUALIFIED = "unqualified", _("Unqualified")
    UNDETERMINED = "undetermined", _("Cannot be judged")


class Lab(models.Model):
    """A testing laboratory (承检机构) with its CMA certificate; its users see the samples sent to it."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    cma_number = models.CharField(_("CMA number"), max_length=40, unique=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("lab")
        verbose_name_plural = _("labs")
        ordering = ["name"]
        constraints = [models.CheckConstraint(name="lab_name_not_blank", condition=~Q(name=""))]

    def __str__(self) -> str:
        return self.name


class LabMember(models.Model):
    """Ties a user with the role "lab" to the one lab whose samples they see and record."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lab_membership"
    )
    lab = models.ForeignKey(Lab, on_delete=models.PROTECT, related_name="members")

    class Meta:
        verbose_name = _("lab member")
        verbose_name_plural = _("lab members")

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.lab_id}"


class Sample(models.Model):
    code = models.CharField(_("sample number"), max_length=40, unique=True)
    region = models.ForeignKey(
        Region, verbose_name=_("town or street"), on_delete=models.PROTECT, related_name="samples"
    )
    business = models.ForeignKey(
        Business,
        verbose_name=_("business"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="samples",
    )
    food_name = models.CharField(_("food"), max_length=100)
    food_category = models.ForeignKey(
        FoodCategory, verbose_name=_("food category"), null=True, blank=True, on_delete=models.PROTECT
    )
    category_path = models.CharField(_("sampling category"), max_length=200, blank=True)
    batch = models.CharField(_("batch"), max_length=60, blank=True)
    produced_on = models.DateField(_("production date"), null=True, blank=True)
    sampled_on = models.DateField(_("sampling date"), null=True, blank=True)
    lab_name = models.CharField(_("lab"), max_length=100, blank=True)
    lab = models.ForeignKey(
        Lab,
        verbose_name=_("assigned lab"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="samples",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=SampleStatus.choices, default=SampleStatus.TASK
    )
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True)
    conclusion = models.CharField(_("conclusion"), max_length=16, choices=Verdict.choices, blank=True)
    # The on-site record (抽样单), written once by services.sample_record_on_site and then locked.
    manufacturer = models.CharField(_("标称生产企业"), max_length=200, blank=True)
    specification = models.CharField(_("规格型号"), max_length=100, blank=True)
    quantity = models.DecimalField(_("抽样数量"), max_digits=10, decimal_places=3, null=True, blank=True)
    quantity_unit = models.CharField(_("数量单位"), max_length=10, blank=True)
    backup_quantity = models.DecimalField(
        _("备样数量"), max_digits=10, decimal_places=3, null=True, blank=True
    )
    backup_kept_by = models.CharField(_("备样存放"), max_length=100, blank=True)
    signed_by = models.CharField(_("被抽样单位签字人"), max_length=50, blank=True)
    # The drawn signature as the canvas sends it (a PNG data URL), like an inspection record's.
    signature = models.TextField(_("被抽样单位签名"), blank=True)
    signed_at = models.DateTimeField(_("签字时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("sample")
        verbose_name_plural = _("samples")
        ordering = ["-id"]
        indexes = [
            # town pages and the town index: a town's samples of a period by status
            models.Index(fields=["region", "sampled_on", "status"], name="sample_region_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.food_name}"

    def version_state(self) -> dict[str, Any]:
        """The version an edit is made from: the sample with its test items (core.concurrency)."""
        from shian.core.concurrency import state_with

        return state_with(self, items=self.items.all())

    @property
    def disposal(self) -> DisposalTask | None:
        """The disposal task of the sample's own business (tasks a recall opened elsewhere have a
        business of their own). Prefetched as `own_disposals` by the lists that show it."""
        own = getattr(self, "own_disposals", None)
        if own is not None:
            return own[0] if own else None
        return self.disposals.filter(business__isnull=True).first()


class SamplePhoto(models.Model):
    """A photo taken on site (第十九条: the sample's state and the stock are recorded by photo or
    video). Stored once per content under its SHA-256 and served only through a scoped view."""

    sample = models.ForeignKey(Sample, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("照片"), upload_to="samples/", max_length=200)
    sha256 = models.CharField(_("内容摘要（SHA-256）"), max_length=64)
    kind = models.CharField(_("图片格式"), max_length=5)
    original_name = models.CharField(_("原文件名"), max_length=200, blank=True)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("抽样照片")
        verbose_name_plural = _("抽样照片")
        ordering = ["sample", "id"]
        constraints = [
            # The same picture attached twice to one sample is one piece of evidence.
            models.UniqueConstraint(fields=["sample", "sha256"], name="sample_photo_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.sample_id} {self.sha256[:12]}"


class TestItem(models.Model):
    """One test item of a sample with the judgment made and the limit it was judged against."""

    sample = models.ForeignKey(Sample, on_delete=models.CASCADE, related_name="items")
    # The sample's town, copied in by the one write path (services.sample_results_record), so the
    # results table is scoped and indexed by the region like its sample (docs/scaling.md §2).
    region = models.ForeignKey(
        Region, verbose_name=_("town or street"), on_delete=models.PROTECT, related_name="+"
    )
    item = models.CharField(_("test item"), max_length=100)
    result = models.CharField(_("result"), max_length=120)
    verdict = models.CharField(_("verdict"), max_length=16, choices=Verdict.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    limit_text = models.CharField(_("limit"), max_length=120, blank=True)
    standard = models.CharField(_("standard"), max_length=60, blank=True)
    edition = models.CharField(_("edition"), max_length=60, blank=True)
    clause = models.CharField(_("clause"), max_length=200, blank=True)
    rule_id = models.CharField(_("limit row"), max_length=80, blank=True)
    detection_limit = models.CharField(_("method detection limit"), max_length=40, blank=True)
    # The label's declared value of the item with its unit ("42%vol", "3.2g/100g"); empty when the
    # label declares none. A quality item judged against the label (酒精度, GB 28050 nutrients) needs it.
    declared = models.CharField(_("declared value"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("test item")
        verbose_name_plural = _("test items")
        constraints = [models.UniqueConstraint(fields=["sample", "item"], name="testitem_sample_item_uniq")]
        indexes = [
            # a town's unqualified results (the banned-pesticide list, the results reports)
            models.Index(fields=["region", "verdict"], name="testitem_region_verdict_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.item}: {self.result}"


class StatusChange(models.Model):
    sample = models.ForeignKey(Sample, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=16, choices=SampleStatus.choices)
    to_status = models.CharField(max_length=16, choices=SampleStatus.choices)
    on = models.DateField(_("date"))
    at = models.DateTimeField(_("recorded"), auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["sample", "id"]

    def __str__(self) -> str:
        return f"{self.sample_id}: {self.from_status} → {self.to_status}"


class SampleDeadline(models.Model):
    """A legal deadline started by a status change, counted by the working-day calendar."""

    sample = models.ForeignKey(Sample, on_delete=models.CASCADE, related_name="deadlines")
    code = models.CharField(_("deadline"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    article = models.CharField(_("legal source"), max_length=100)
    start = models.DateField(_("start"))
    due = models.DateField(_("due"))
    provisional = models.BooleanField(_("provisional (calendar not published)"), default=False)
    met_on = models.DateField(_("met on"), null=True, blank=True)

    class Meta:
        ordering = ["due"]
        constraints = [models.UniqueConstraint(fields=["sample", "code"], name="deadline_sample_code_uniq")]
        indexes = [
            # the alert list: open deadlines by due date
            models.Index(
                fields=["met_on", "due"], name="deadline_open_due_idx", condition=Q(met_on__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.due}"


class DisposalStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", pgettext_lazy("disposal", "Closed")


class DisposalStepKind(models.TextChoices):
    """核查处置 steps (《食品安全抽样检验管理办法》第四十条–第四十五条)."""

    SEAL = "seal", _("Seal the goods (查封扣押)")
    STOP_SALE = "stop_sale", _("Stop sale (停止销售)")
    RECALL = "recall", _("Recall (召回)")
    CAUSE = "cause", _("Cause investigated (原因排查)")
    RECTIFICATION = "rectification", _("Rectification (整改)")
    PENALTY = "penalty", _("Penalty decision (行政处罚决定)")


class DisposalTask(models.Model):
    """The verification and disposal of one unqualified sample, assigned to the business's town.
    A recall (shian.trace) opens one more task for each other business the sample's lot reached:
    those name their `business`; the sample's own task has none."""

    sample = models.ForeignKey(Sample, on_delete=models.PROTECT, related_name="disposals")
    business = models.ForeignKey(
        Business,
        verbose_name=_("business reached by the recall"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    region = models.ForeignKey(
        Region, verbose_name=_("town or street"), on_delete=models.PROTECT, related_name="disposals"
    )
    status = models.CharField(
        _("status"), max_length=8, choices=DisposalStatus.choices, default=DisposalStatus.OPEN
    )
    opened_on = models.DateField(_("opened on"))
    due = models.DateField(_("due"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("disposal task")
        verbose_name_plural = _("disposal tasks")
        ordering = ["due", "id"]
        constraints = [
            # One task for the sample's own business, and one per other business a recall reached.
            models.UniqueConstraint(
                fields=["sample"], condition=Q(business__isnull=True), name="disposal_one_own_per_sample"
            ),
            models.UniqueConstraint(fields=["sample", "business"], name="disposal_sample_business_uniq"),
            models.CheckConstraint(
                name="disposal_closed_has_date",
                condition=Q(status="open", closed_on__isnull=True)
                | Q(status="closed", closed_on__isnull=False),
            ),
        ]
        indexes = [
            # a town's open tasks by due date (the unqualified-food list)
            models.Index(fields=["region", "status", "due"], name="disposal_region_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.sample_id} {self.status}"

    def version_state(self) -> dict[str, Any]:
        """The version an edit is made from: the task with its steps (core.concurrency)."""
        from shian.core.concurrency import state_with

        return state_with(self, steps=self.steps.all())


class DisposalStep(models.Model):
    task = models.ForeignKey(DisposalTask, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(_("step"), max_length=16, choices=DisposalStepKind.choices)
    required = models.BooleanField(_("required"), default=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    not_applicable = models.BooleanField(_("not applicable"), default=False)
    evidence = models.FileField(_("evidence"), upload_to="disposal/%Y/", blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("disposal step")
        verbose_name_plural = _("disposal steps")
        constraints = [models.UniqueConstraint(fields=["task", "kind"], name="disposalstep_task_kind_uniq")]

    def __str__(self) -> str:
        return f"{self.task_id} {self.kind}"

    @property
    def complete(self) -> bool:
        """Done with its evidence and a note, or not applicable with the reason in the note."""
        if self.not_applicable:
            return bool(self.note)
        return self.done_on is not None and bool(self.evidence) and bool(self.note)


# -- quick tests (快检) -----------------------------------------------------------------------------


class QuickResult(models.TextChoices):
    NEGATIVE = "negative", _("阴性")
    POSITIVE = "positive", _("阳性")


class QuickTest(models.Model):
    """A quick test (快检) of an edible agricultural product at a market stall: a qualitative result
    read from a kit. A positive that stands leads to a follow-up supervisory sample."""

    region = models.ForeignKey(
        Region, verbose_name=_("镇街"), on_delete=models.PROTECT, related_name="quick_tests"
    )
    business = models.ForeignKey(
        Business, verbose_name=_("市场"), on_delete=models.PROTECT, related_name="quick_tests"
    )
    stall = models.CharField(_("摊位/经营者"), max_length=100)
    product = models.CharField(_("产品名称"), max_length=100)
    item = models.CharField(_("检测项目"), max_length=100)
    item_code = models.CharField(_("检测项目代码"), max_length=40)
    kit_name = models.CharField(_("试剂/方法"), max_length=100, blank=True)
    kit_batch = models.CharField(_("试剂批号"), max_length=60, blank=True)
    result = models.CharField(_("检测结果"), max_length=8, choices=QuickResult.choices)
    reading = models.CharField(_("抑制率/读数"), max_length=40, blank=True)
    tested_at = models.DateTimeField(_("检测时间"))
    tester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("检测人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    tester_name = models.CharField(_("检测人姓名"), max_length=50, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=QuickTestStatus.choices, default=QuickTestStatus.TESTED
    )
    rule_edition = models.CharField(_("规则版本"), max_length=60)
    notified_at = models.DateTimeField(_("告知时间"), null=True, blank=True)
    objection_deadline = models.DateTimeField(_("异议截止时间"), null=True, blank=True)
    measures = models.JSONField(_("控制措施"), default=list, blank=True)
    measures_note = models.CharField(_("措施说明"), max_length=300, blank=True)
    measures_lifted_at = models.DateTimeField(_("措施解除时间"), null=True, blank=True)
    objection_at = models.DateTimeField(_("异议提出时间"), null=True, blank=True)
    objection_reason = models.CharField(_("异议理由"), max_length=300, blank=True)
    retest_at = models.DateTimeField(_("复检时间"), null=True, blank=True)
    retest_method = models.CharField(_("复检方法"), max_length=100, blank=True)
    retest_lab = models.CharField(_("复检机构"), max_length=100, blank=True)
    retest_report = models.CharField(_("复检报告编号"), max_length=60, blank=True)
    retest_result = models.CharField(_("复检结果"), max_length=8, choices=QuickResult.choices, blank=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    followup_due = models.DateField(_("监督抽检期限"), null=True, blank=True)
    followup_sample = models.OneToOneField(
        Sample,
        verbose_name=_("跟踪监督抽检样品"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="quick_test",
    )
    status_changed_at = models.DateTimeField(_("状态变更时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("快检记录")
        verbose_name_plural = _("快检记录")
        ordering = ["-tested_at", "-id"]
        constraints = [
            # One reading per stall, product, item and minute: a file imported twice is refused.
            models.UniqueConstraint(
                fields=["business", "stall", "product", "item_code", "tested_at"], name="quicktest_once_uniq"
            ),
            models.CheckConstraint(name="quicktest_result_valid", condition=Q(result__in=QuickResult.values)),
            models.CheckConstraint(
                name="quicktest_status_valid", condition=Q(status__in=QuickTestStatus.values)
            ),
            # Only a positive is told to the operator and may be followed by a supervisory sample.
            models.CheckConstraint(
                name="quicktest_positive_only_followed",
                condition=Q(result="positive") | Q(notified_at__isnull=True, followup_sample__isnull=True),
            ),
            models.CheckConstraint(name="quicktest_stall_not_blank", condition=~Q(stall="")),
        ]
        indexes = [
            # a town's quick tests of a period (the list page, the indicators)
            models.Index(fields=["region", "tested_at"], name="quicktest_region_time_idx"),
            # a market's quick tests, newest first
            models.Index(fields=["business", "tested_at"], name="quicktest_business_time_idx"),
            # positives by status (the indicator of follow-up sampling, the open-work list)
            models.Index(fields=["result", "status"], name="quicktest_result_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.product} {self.item} {self.get_result_display()}"


class QuickTestChange(models.Model):
    """The readable timeline of a quick test: every status change with who and when."""

    quick_test = models.ForeignKey(QuickTest, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=12, choices=QuickTestStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=QuickTestStatus.choices)
    at = models.DateTimeField(_("时间"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        ordering = ["quick_test", "at", "id"]

    def __str__(self) -> str:
        return f"{self.quick_test_id}: {self.from_status} → {self.to_status}"
