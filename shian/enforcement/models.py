"""Enforcement cases (行政处罚案件) and credit: the case from lead to closure with its measures,
transfers to the police, the publication of its decision, the serious-dishonesty list, bans on
persons, typical cases and what was filed to the national credit system.

Every table carries the region code of the case (the scope key, and the shard key beyond one
machine)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shian.core.models import Region
from shian.registry.models import Business

from .workflow import CaseStatus


class CaseSource(models.TextChoices):
    INSPECTION = "inspection", _("监督检查发现")
    SAMPLE = "sample", _("监督抽检不合格")
    QUICK_TEST = "quick_test", _("快检阳性")
    COMPLAINT = "complaint", _("投诉举报")
    REFERRAL = "referral", _("移送、交办")
    CAMPAIGN = "campaign", _("专项行动线索")
    OTHER = "other", _("其他")


class PartyKind(models.TextChoices):
    BUSINESS = "business", _("在册食品生产经营者")
    UNLICENSED = "unlicensed", _("无证经营场所")
    PERSON = "person", _("自然人")


class Campaign(models.TextChoices):
    """Special campaigns a case is tagged with (plan tasks 十五–十七 and the school campaign)."""

    IRON_FIST = "iron_fist", _("铁拳行动")
    KUNLUN = "kunlun", _("昆仑行动")
    RURAL_COUNTERFEIT = "rural_counterfeit", _("农村假冒伪劣食品整治")
    SCHOOL = "school", _("校园食品安全")
    COLD_CHAIN = "cold_chain", _("进口冷链食品")
    OTHER = "other", _("其他专项")


class PenaltyKind(models.TextChoices):
    WARNING = "warning", _("警告")
    CRITICISM = "criticism", _("通报批评")
    FINE = "fine", _("罚款")
    CONFISCATION = "confiscation", _("没收违法所得、非法财物")
    SUSPENSION = "suspension", _("责令停产停业")
    RESTRICTION = "restriction", _("限制开展生产经营活动")
    LICENCE_REVOCATION = "licence_revocation", _("吊销许可证")
    BUSINESS_LICENCE_REVOCATION = "business_licence_revocation", _("吊销营业执照")
    BAN = "ban", _("限制从业（禁业）")


class Band(models.TextChoices):
    LIGHTER = "lighter", _("从轻")
    ORDINARY = "ordinary", _("一般")
    HEAVIER = "heavier", _("从重")
    MITIGATED = "mitigated", _("减轻")


class Case(models.Model):
    number = models.CharField(_("案号"), max_length=40, unique=True)
    region = models.ForeignKey(Region, verbose_name=_("镇街"), on_delete=models.PROTECT, related_name="+")
    business = models.ForeignKey(
        Business,
        verbose_name=_("当事人（在册主体）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    party_kind = models.CharField(_("当事人类型"), max_length=12, choices=PartyKind.choices)
    party_name = models.CharField(_("当事人"), max_length=200)
    party_id_number = models.CharField(_("证件号码"), max_length=30, blank=True)
    party_address = models.CharField(_("地址"), max_length=200, blank=True)
    # Whom the case is against when they are a natural person (the person a ban would name).
    responsible_person = models.CharField(_("法定代表人或直接责任人员"), max_length=50, blank=True)
    source_kind = models.CharField(_("案件来源"), max_length=12, choices=CaseSource.choices)
    # The record that started it ("sampling.sample" and its id); empty for an officer's own lead.
    source_type = models.CharField(_("来源记录类型"), max_length=40, blank=True)
    source_id = models.CharField(_("来源记录"), max_length=40, blank=True)
    summary = models.CharField(_("案由"), max_length=300)
    status = models.CharField(_("状态"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.LEAD)
    edition = models.CharField(_("规则版本"), max_length=40)
    lead_received_on = models.DateField(_("发现线索日期"))
    filed_on = models.DateField(_("立案日期"), null=True, blank=True)
    notice_served_on = models.DateField(_("告知书送达日期"), null=True, blank=True)
    hearing_notified_on = models.DateField(_("听证通知日期"), null=True, blank=True)
    hearing_on = models.DateField(_("听证日期"), null=True, blank=True)
    decided_on = models.DateField(_("决定日期"), null=True, blank=True)
    decision_served_on = models.DateField(_("决定书送达日期"), null=True, blank=True)
    closed_on = models.DateField(_("结案日期"), null=True, blank=True)
    filing_extensions = models.PositiveSmallIntegerField(_("立案期限延长次数"), default=0)
    term_extensions = models.PositiveSmallIntegerField(_("办案期限延长次数"), default=0)
    # A further extension beyond the one the head may grant: by collective discussion only.
    term_extended_to = models.DateField(_("集体讨论延长至"), null=True, blank=True)
    basis_code = models.CharField(_("法律依据"), max_length=20, blank=True)
    basis_article = models.CharField(_("法律依据条款"), max_length=100, blank=True)
    facts = models.JSONField(_("认定事实"), default=dict, blank=True)
    listing_triggers = models.JSONField(_("严重违法失信情形"), default=list, blank=True)
    # The decision.
    decision_number = models.CharField(_("处罚决定书文号"), max_length=60, blank=True)
    penalty_kinds = models.JSONField(_("处罚种类"), default=list, blank=True)
    fine_amount = models.DecimalField(
        _("罚款金额（元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    band = models.CharField(_("裁量档次"), max_length=10, choices=Band.choices, blank=True)
    confiscated_amount = models.DecimalField(
        _("没收金额（元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    restriction_months = models.PositiveSmallIntegerField(_("限制期限（月）"), default=0)
    collective_discussion_on = models.DateField(_("集体讨论日期"), null=True, blank=True)
    decision_text = models.TextField(_("处罚决定内容"), blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("行政处罚案件")
        verbose_name_plural = _("行政处罚案件")
        ordering = ["-lead_received_on", "-id"]
        constraints = [
            models.CheckConstraint(name="case_status_valid", condition=Q(status__in=CaseStatus.values)),
            models.CheckConstraint(name="case_source_valid", condition=Q(source_kind__in=CaseSource.values)),
            models.CheckConstraint(
                name="case_party_kind_valid", condition=Q(party_kind__in=PartyKind.values)
            ),
            models.CheckConstraint(
                name="case_business_party_has_business",
                condition=~Q(party_kind=PartyKind.BUSINESS) | Q(business__isnull=False),
            ),
            models.CheckConstraint(
                name="case_filed_after_lead",
                condition=Q(filed_on__isnull=True) | Q(filed_on__gte=models.F("lead_received_on")),
            ),
            models.CheckConstraint(
                name="case_decided_after_filed",
                condition=Q(decided_on__isnull=True) | Q(decided_on__gte=models.F("filed_on")),
            ),
            models.CheckConstraint(
                name="case_fine_positive", condition=Q(fine_amount__isnull=True) | Q(fine_amount__gt=0)
            ),
        ]
        indexes = [
            # A town's cases by status (the scoped list and the to-dos).
            models.Index(fields=["region", "status"], name="case_region_status_idx"),
            # Decisions in a period (indicators, the 134 count per business).
            models.Index(fields=["decided_on"], name="case_decided_idx"),
            models.Index(fields=["business", "decided_on"], name="case_business_decided_idx"),
            # The case opened from a sample or inspection (the source record's page).
            models.Index(fields=["source_type", "source_id"], name="case_source_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.party_name}"

    def version_state(self) -> dict[str, Any]:
        """The version an edit is made from: the case with its measures (core.concurrency)."""
        from shian.core.concurrency import state_with

        return state_with(self, measures=self.measures.all())

    @property
    def penalty_labels(self) -> str:
        """The decision's kinds in words (警告、罚款…)."""
        return "、".join(str(PenaltyKind(k).label) for k in self.penalty_kinds if k in PenaltyKind.values)


class CaseCampaign(models.Model):
    """A campaign tag on a case: a row, so counts per campaign are one grouped query."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="campaigns")
    campaign = models.CharField(_("专项行动"), max_length=20, choices=Campaign.choices)

    class Meta:
        verbose_name = _("专项行动标签")
        verbose_name_plural = _("专项行动标签")
        constraints = [
            models.UniqueConstraint(fields=["case", "campaign"], name="casecampaign_unique"),
            models.CheckConstraint(name="casecampaign_valid", condition=Q(campaign__in=Campaign.values)),
        ]
        # Counts per campaign in a period (the plan's indicators for tasks 十五–十七).
        indexes = [models.Index(fields=["campaign", "case"], name="casecampaign_campaign_idx")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.campaign}"


class CaseStep(models.Model):
    """One change of a case's status: the readable timeline beside the audit chain."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="steps")
    from_status = models.CharField(_("原状态"), max_length=16, choices=CaseStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=16, choices=CaseStatus.choices)
    on = models.DateField(_("日期"))
    note = models.CharField(_("说明"), max_length=300, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("案件环节")
        verbose_name_plural = _("案件环节")
        ordering = ["on", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.from_status}→{self.to_status} {self.on}"


class Evidence(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="evidence")
    title = models.CharField(_("证据名称"), max_length=200)
    kind = models.CharField(_("证据种类"), max_length=40)
    collected_on = models.DateField(_("取得日期"))
    reference = models.CharField(_("存放位置或文件编号"), max_length=200, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    # The file, when one was uploaded (enforcement.evidence_files): stored under the data directory
    # by its SHA-256, served only through the case's scoped download route.
    file = models.FileField(_("证据文件"), upload_to="evidence/", max_length=200, blank=True)
    file_name = models.CharField(_("文件名"), max_length=200, blank=True)
    file_kind = models.CharField(_("文件类型"), max_length=8, blank=True)
    file_size = models.PositiveBigIntegerField(_("文件大小（字节）"), null=True, blank=True)
    sha256 = models.CharField(_("文件校验值（SHA-256）"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("证据")
        verbose_name_plural = _("证据")
        ordering = ["collected_on", "id"]

    def __str__(self) -> str:
        return self.title


class MeasureKind(models.TextChoices):
    SEAL = "seal", _("查封")
    SEIZE = "seize", _("扣押")


class Measure(models.Model):
    """查封、扣押 (食品安全法第一百一十条): at most 30 days, one extension of at most 45 (条例第六十一条)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="measures")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("措施"), max_length=8, choices=MeasureKind.choices)
    items = models.CharField(_("物品"), max_length=300)
    taken_on = models.DateField(_("采取日期"))
    due_on = models.DateField(_("期限届满"))
    extended = models.BooleanField(_("已延长"), default=False)
    lifted_on = models.DateField(_("解除日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("查封扣押")
        verbose_name_plural = _("查封扣押")
        constraints = [
            models.CheckConstraint(name="measure_kind_valid", condition=Q(kind__in=MeasureKind.values)),
            models.CheckConstraint(
                name="measure_due_after_taken", condition=Q(due_on__gte=models.F("taken_on"))
            ),
        ]
        # Measures still in force, by due date (the to-do).
        indexes = [models.Index(fields=["region", "lifted_on", "due_on"], name="measure_open_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.items}"


class PoliceAnswer(models.TextChoices):
    PENDING = "pending", _("待公安机关答复")
    ACCEPTED = "accepted", _("公安机关已立案")
    DECLINED = "declined", _("公安机关不予立案")
    RETURNED = "returned", _("退回（不构成犯罪，需行政处罚）")


class Transfer(models.Model):
    """行刑衔接: the transfer of a case to the public-security organ, its documents and the answer."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="transfers")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    transferred_on = models.DateField(_("移送日期"))
    police_unit = models.CharField(_("接收的公安机关"), max_length=100)
    documents = models.TextField(_("移送材料"))
    tests_met = models.JSONField(_("达到的刑事立案标准"), default=list)
    answer = models.CharField(
        _("答复"), max_length=10, choices=PoliceAnswer.choices, default=PoliceAnswer.PENDING
    )
    answered_on = models.DateField(_("答复日期"), null=True, blank=True)
    answer_note = models.CharField(_("答复说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("移送公安")
        verbose_name_plural = _("移送公安")
        ordering = ["-transferred_on", "-id"]
        constraints = [
            models.CheckConstraint(name="transfer_answer_valid", condition=Q(answer__in=PoliceAnswer.values)),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.police_unit} {self.transferred_on}"


class PublicationStatus(models.TextChoices):
    DUE = "due", _("待公示")
    PUBLISHED = "published", _("公示中")
    EXPIRED = "expired", _("期满停止公示")
    EARLY = "early", _("提前停止公示")
    WITHDRAWN = "withdrawn", _("决定变更或撤销，已撤回")


class Publication(models.Model):
    """The publication of a decision (45号令): due within 20 working days, published for 3 months
    or 3 years (or the restriction's length), withdrawn on time or early on application."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="publication")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("状态"), max_length=10, choices=PublicationStatus.choices, default=PublicationStatus.DUE
    )
    due_on = models.DateField(_("应公示日期"))
    light = models.BooleanField(_("较轻处罚（公示三个月）"), default=False)
    published_on = models.DateField(_("公示日期"), null=True, blank=True)
    ends_on = models.DateField(_("停止公示日期"), null=True, blank=True)
    early_from = models.DateField(_("可申请提前停止公示日期"), null=True, blank=True)
    withdrawn_on = models.DateField(_("撤下日期"), null=True, blank=True)
    withdraw_reason = models.CharField(_("撤下原因"), max_length=300, blank=True)
    # The summary as published (摘要, 第四条), with a natural person's data masked (第六条).
    summary = models.JSONField(_("公示摘要"), default=dict)

    class Meta:
        verbose_name = _("行政处罚信息公示")
        verbose_name_plural = _("行政处罚信息公示")
        ordering = ["-due_on", "-id"]
        constraints = [
            models.CheckConstraint(
                name="publication_status_valid", condition=Q(status__in=PublicationStatus.values)
            ),
        ]
        # Current publications (the public page) and those due (the to-do).
        indexes = [models.Index(fields=["status", "ends_on"], name="publication_status_idx")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.status}"


class ListingStatus(models.TextChoices):
    PROPOSED = "proposed", _("拟列入")
    REJECTED = "rejected", _("决定不列入")
    LISTED = "listed", _("已列入")
    EXPIRED = "expired", _("期满移出")
    REPAIRED = "repaired", _("信用修复，提前移出")


class Listing(models.Model):
    """The serious-dishonesty list (严重违法失信名单, 44号令)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="listings")
    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("状态"), max_length=10, choices=ListingStatus.choices, default=ListingStatus.PROPOSED
    )
    triggers = models.JSONField(_("列入情形"), default=list)
    proposed_on = models.DateField(_("提出日期"))
    decided_on = models.DateField(_("决定日期"), null=True, blank=True)
    listed_on = models.DateField(_("列入日期"), null=True, blank=True)
    ends_on = models.DateField(_("期满日期"), null=True, blank=True)
    repair_applied_on = models.DateField(_("申请信用修复日期"), null=True, blank=True)
    removed_on = models.DateField(_("移出日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("严重违法失信名单")
        verbose_name_plural = _("严重违法失信名单")
        ordering = ["-proposed_on", "-id"]
        constraints = [
            models.CheckConstraint(name="listing_status_valid", condition=Q(status__in=ListingStatus.values)),
            models.UniqueConstraint(fields=["case", "business"], name="listing_case_business_unique"),
        ]
        indexes = [models.Index(fields=["region", "status"], name="listing_region_status_idx")]

    def __str__(self) -> str:
        return f"{self.business_id} {self.status}"


class Ban(models.Model):
    """A person barred from food business (食品安全法第一百三十五条): five years from the revocation
    decision, or for life (`until` empty) after a prison sentence for a food-safety crime."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="bans")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    person_name = models.CharField(_("姓名"), max_length=50)
    id_number = models.CharField(_("身份证件号码"), max_length=30, blank=True)
    decided_on = models.DateField(_("决定日期"))
    until = models.DateField(_("禁止期限至"), null=True, blank=True)
    lifetime = models.BooleanField(_("终身禁业"), default=False)

    class Meta:
        verbose_name = _("从业禁止")
        verbose_name_plural = _("从业禁止")
        constraints = [
            models.CheckConstraint(
                name="ban_lifetime_has_no_end", condition=Q(lifetime=False) | Q(until__isnull=True)
            ),
        ]
        # The check a licence application makes: by name (and id number when given).
        indexes = [models.Index(fields=["person_name"], name="ban_person_idx")]

    def __str__(self) -> str:
        return f"{self.person_name} {self.decided_on}"


class TypicalCase(models.Model):
    """A closed case published as a typical case in a quarter (plan task 十五: 定期公布典型案例)."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="typical")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"))
    title = models.CharField(_("标题"), max_length=200)
    text = models.TextField(_("案情（已隐去个人信息）"))
    published_on = models.DateField(_("发布日期"))

    class Meta:
        verbose_name = _("典型案例")
        verbose_name_plural = _("典型案例")
        ordering = ["-published_on", "-id"]
        constraints = [
            models.CheckConstraint(
                name="typicalcase_quarter_valid", condition=Q(quarter__gte=1, quarter__lte=4)
            ),
        ]

    def __str__(self) -> str:
        return self.title


class CreditKind(models.TextChoices):
    """What a filing to the national enterprise credit information system carries (plan task 二十一:
    "将食品抽检结果、核查处置信息等有序归集至国家企业信用信息公示系统", and the penalty decisions)."""

    PENALTY = "penalty", _("行政处罚信息")
    LISTING = "listing", _("严重违法失信名单")
    SAMPLING = "sampling", _("食品抽检不合格信息")
    DISPOSAL = "disposal", _("核查处置信息")


class CreditFiling(models.Model):
    """One record filed to the national enterprise credit information system (国家企业信用信息
    公示系统): what, when, in which export batch. T21 is counted from these. A filing names the
    record it carries: a case (penalty, listing), an unqualified sample, or a closed disposal task."""

    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="filings")
    sample = models.ForeignKey(
        "sampling.Sample", null=True, blank=True, on_delete=models.PROTECT, related_name="credit_filings"
    )
    disposal = models.ForeignKey(
        "sampling.DisposalTask",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_filings",
    )
    # The business the record is about (scoping by business type; a recall's task names its own).
    business = models.ForeignKey(Business, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("信息类别"), max_length=20, choices=CreditKind.choices)
    filed_on = models.DateField(_("归集日期"))
    batch = models.CharField(_("批次"), max_length=40)
    payload = models.JSONField(_("报送内容"), default=dict)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("信用信息归集记录")
        verbose_name_plural = _("信用信息归集记录")
        constraints = [
            models.UniqueConstraint(fields=["case", "kind"], name="creditfiling_case_kind_unique"),
            models.UniqueConstraint(fields=["sample", "kind"], name="creditfiling_sample_kind_unique"),
            models.UniqueConstraint(fields=["disposal", "kind"], name="creditfiling_disposal_kind_unique"),
            # Each filing carries the one record its kind is about.
            models.CheckConstraint(
                name="creditfiling_record_of_kind",
                condition=(
                    models.Q(
                        kind__in=["penalty", "listing"],
                        case__isnull=False,
                        sample__isnull=True,
                        disposal__isnull=True,
                    )
                    | models.Q(
                        kind="sampling", case__isnull=True, sample__isnull=False, disposal__isnull=True
                    )
                    | models.Q(
                        kind="disposal", case__isnull=True, sample__isnull=True, disposal__isnull=False
                    )
                ),
            ),
        ]
        indexes = [models.Index(fields=["filed_on"], name="creditfiling_filed_idx")]

    def __str__(self) -> str:
        return f"{self.case_id or self.sample_id or self.disposal_id} {self.kind} {self.filed_on}"
