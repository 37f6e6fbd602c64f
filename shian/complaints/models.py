"""Complaints (投诉) and reports (举报) under 《市场监督管理投诉举报处理暂行办法》: one record each,
routed to the business's town, with its clocks, its steps and its outcome. The person's identity is
stored once on the record and shown only to its handling officer (第三十三条)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shian.core.models import CreatedBy, Region, Registered, person_reference
from shian.registry.models import Business

from .workflow import ComplaintStatus


class ComplaintKind(models.TextChoices):
    COMPLAINT = "complaint", _("投诉")
    REPORT = "report", _("举报")


class Channel(models.TextChoices):
    """How it arrived (第八条: the channels the bureau publishes)."""

    PORTAL = "portal", _("网上（公众门户）")
    PHONE = "phone", _("电话")
    HOTLINE_12315 = "12315", _("全国12315平台")
    WINDOW = "window", _("窗口")
    LETTER = "letter", _("信件、传真")


class Complaint(Registered):
    kind = models.CharField(_("类别"), max_length=10, choices=ComplaintKind.choices)
    # The tracking code the person receives: random, so one code does not lead to another.
    code = models.CharField(_("查询码"), max_length=16, unique=True)
    # The 12315 platform's own number when imported from its export (one record per number).
    external_ref = models.CharField(_("12315编号"), max_length=40, blank=True)
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    status = models.CharField(
        _("状态"), max_length=16, choices=ComplaintStatus.choices, default=ComplaintStatus.RECEIVED
    )
    received_on = models.DateField(_("收到日期"))
    # The town that handles it (the business's town, or the town named in the address for
    # unlicensed premises): the scope key.
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("承办镇街"))
    business = models.ForeignKey(
        Business, null=True, blank=True, on_delete=models.PROTECT, related_name="complaints", db_index=False
    )
    business_name = models.CharField(_("被投诉（举报）人"), max_length=200)
    business_address = models.CharField(_("经营地址"), max_length=200, blank=True)
    facts = models.TextField(_("事实和线索"), max_length=4000)
    request = models.CharField(_("投诉请求"), max_length=500, blank=True)
    # Identity: stored once, masked everywhere but for the handling officer.
    person_name = models.CharField(_("姓名"), max_length=50, blank=True)
    person_phone = models.CharField(_("电话"), max_length=20, blank=True)
    person_address = models.CharField(_("通讯地址"), max_length=200, blank=True)
    person_id_number = models.CharField(_("身份证件号码"), max_length=20, blank=True)
    # A report may be anonymous; a named reporter is told the case decision (第三十一条第二款).
    real_name = models.BooleanField(_("实名"), default=True)
    known_on = models.DateField(_("知道权益受损日期"), null=True, blank=True)
    handler = person_reference(verbose_name=_("承办人"))
    rule_edition = models.CharField(_("时限规则版本"), max_length=40)
    # Outcome
    outcome_ground = models.CharField(_("理由"), max_length=30, blank=True)
    outcome_note = models.CharField(_("处理结果"), max_length=500, blank=True)
    case_number = models.CharField(_("立案编号"), max_length=60, blank=True)
    upheld = models.BooleanField(_("查证属实"), default=False)
    reward_amount = models.DecimalField(
        _("奖励金额（元）"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("投诉举报")
        verbose_name_plural = _("投诉举报")
        ordering = ["-received_on", "-id"]
        constraints = [
            models.CheckConstraint(name="complaint_kind_valid", condition=Q(kind__in=ComplaintKind.values)),
            models.CheckConstraint(
                name="complaint_status_valid", condition=Q(status__in=ComplaintStatus.values)
            ),
            models.CheckConstraint(name="complaint_channel_valid", condition=Q(channel__in=Channel.values)),
            # One record per 12315 number: a re-imported export does not count a complaint twice.
            models.UniqueConstraint(
                fields=["external_ref"], condition=~Q(external_ref=""), name="complaint_external_ref_unique"
            ),
            models.CheckConstraint(
                name="complaint_reward_only_report",
                condition=Q(reward_amount__isnull=True) | Q(kind="report"),
            ),
        ]
        indexes = [
            # a town's list, newest first (the list page, the to-do counts)
            models.Index(fields=["region", "status", "received_on"], name="complaint_region_status_idx"),
            # the ledger and the ranking's complaint feature per business
            models.Index(fields=["business", "received_on"], name="complaint_business_idx"),
            # the on-time indicator by closing date
            models.Index(fields=["closed_on"], name="complaint_closed_on_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.code}"


class ComplaintClock(models.Model):
    """One legal clock of a complaint or report: when it started, when it runs out, when its act
    was done (data/clocks.toml names the article)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="clocks")
    code = models.CharField(_("时限"), max_length=30)
    name = models.CharField(_("名称"), max_length=100)
    article = models.CharField(_("依据"), max_length=120)
    verification = models.CharField(_("核对"), max_length=2)
    started_on = models.DateField(_("起算日"))
    due_on = models.DateField(_("届满日"))
    provisional = models.BooleanField(_("日历外推"), default=False)
    done_on = models.DateField(_("完成日"), null=True, blank=True)

    class Meta:
        verbose_name = _("时限")
        verbose_name_plural = _("时限")
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["complaint", "code"], name="complaintclock_one_per_code"),
        ]
        indexes = [
            # open clocks by due date (the to-do, the overdue list)
            models.Index(fields=["done_on", "due_on"], name="complaintclock_open_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.due_on}"


class ComplaintStep(models.Model):
    """The timeline: each status change with its day and note (the public page shows the status
    and day only)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="steps")
    status = models.CharField(_("状态"), max_length=16, choices=ComplaintStatus.choices)
    on = models.DateField(_("日期"))
    note = models.CharField(_("说明"), max_length=500, blank=True)
    by = person_reference()
    at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("办理步骤")
        verbose_name_plural = _("办理步骤")
        ordering = ["on", "id"]

    def __str__(self) -> str:
        return f"{self.status} {self.on}"


# -- public participation (plan tasks 二 and 二十六) -----------------------------------------------


class Survey(CreatedBy):
    """A satisfaction survey of residents (群众食品安全满意度调查, plan task 二), with its results by town."""

    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("名称"), max_length=200)
    conducted_from = models.DateField(_("调查开始"))
    conducted_to = models.DateField(_("调查结束"))
    method = models.CharField(_("方式和抽样"), max_length=500)
    questionnaire = models.TextField(_("问卷"), max_length=8000, blank=True)

    class Meta:
        verbose_name = _("满意度调查")
        verbose_name_plural = _("满意度调查")
        ordering = ["-conducted_to", "-id"]
        constraints = [
            models.CheckConstraint(
                name="survey_dates_ordered", condition=Q(conducted_from__lte=models.F("conducted_to"))
            )
        ]

    def __str__(self) -> str:
        return self.title


class SurveyTownResult(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="results")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", db_index=False)
    sample_size = models.PositiveIntegerField(_("样本量"))
    satisfied = models.PositiveIntegerField(_("满意人数"))

    class Meta:
        verbose_name = _("满意度调查结果")
        verbose_name_plural = _("满意度调查结果")
        ordering = ["region_id"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "region"], name="surveyresult_one_per_town"),
            models.CheckConstraint(
                name="surveyresult_satisfied_within_sample",
                condition=Q(satisfied__lte=models.F("sample_size")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.satisfied}/{self.sample_size}"


class VoteRound(models.Model):
    """A round of 你点我检 / 你买我检 (plan task 二十六): residents vote for what to sample."""

    class Kind(models.TextChoices):
        YOU_PICK = "pick", _("你点我检")
        YOU_BUY = "buy", _("你买我检")

    kind = models.CharField(_("活动"), max_length=8, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("抽检年度"))
    title = models.CharField(_("名称"), max_length=200)
    opens_on = models.DateField(_("开始"))
    closes_on = models.DateField(_("截止"))
    published_on = models.DateField(_("结果公布"), null=True, blank=True)

    class Meta:
        verbose_name = _("投票活动")
        verbose_name_plural = _("投票活动")
        ordering = ["-opens_on", "-id"]

    def __str__(self) -> str:
        return self.title


class VoteOption(models.Model):
    round = models.ForeignKey(VoteRound, on_delete=models.CASCADE, related_name="options")
    category = models.ForeignKey("core.FoodCategory", on_delete=models.PROTECT, related_name="+")
    label = models.CharField(_("选项"), max_length=100)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "category"], name="voteoption_one_per_category")
        ]

    def __str__(self) -> str:
        return self.label


class Vote(models.Model):
    """One vote: one per phone or ID per round (`voter_key` is a keyed hash: the number is not kept)."""

    round = models.ForeignKey(VoteRound, on_delete=models.CASCADE, related_name="votes")
    option = models.ForeignKey(VoteOption, on_delete=models.CASCADE, related_name="votes")
    voter_key = models.CharField(max_length=64)
    address_key = models.CharField(max_length=64)
    cast_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "voter_key"], name="vote_one_per_voter")]
        indexes = [
            models.Index(fields=["round", "address_key"], name="vote_round_address_idx")
        ]  # abuse limit

    def __str__(self) -> str:
        return f"{self.round_id}:{self.option_id}"


class ListKind(models.TextChoices):
    RED = "red", _("红榜")
    BLACK = "black", _("黑榜")


class ListEntry(CreatedBy):
    """A business on the catering red or black list (餐饮红黑榜, plan task 二十六), with its reply
    (申辩) and the office's answer."""

    kind = models.CharField(_("榜单"), max_length=8, choices=ListKind.choices)
    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="list_entries")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", db_index=False)
    reason = models.CharField(_("上榜理由"), max_length=500)
    published_on = models.DateField(_("公布日期"))
    withdrawn_on = models.DateField(_("撤下日期"), null=True, blank=True)
    reply = models.CharField(_("经营者申辩"), max_length=1000, blank=True)
    reply_on = models.DateField(_("申辩日期"), null=True, blank=True)
    answer = models.CharField(_("答复"), max_length=1000, blank=True)
    answer_on = models.DateField(_("答复日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("红黑榜")
        verbose_name_plural = _("红黑榜")
        ordering = ["-published_on", "-id"]
        constraints = [
            models.CheckConstraint(name="listentry_kind_valid", condition=Q(kind__in=ListKind.values))
        ]
        indexes = [models.Index(fields=["region", "published_on"], name="listentry_region_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.business_id}"


class CheckEvent(CreatedBy):
    """A 随机查餐厅 event: residents with the office visit drawn restaurants; findings per business."""

    held_on = models.DateField(_("日期"))
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", db_index=False)
    title = models.CharField(_("名称"), max_length=200)
    residents = models.PositiveIntegerField(_("参加居民人数"))

    class Meta:
        verbose_name = _("随机查餐厅")
        verbose_name_plural = _("随机查餐厅")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return self.title


class CheckEventVisit(models.Model):
    event = models.ForeignKey(CheckEvent, on_delete=models.CASCADE, related_name="visits")
    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="+", db_index=False)
    finding = models.CharField(_("发现"), max_length=500, blank=True)
    # The inspection the visit was recorded as (shian.inspections), when there is one.
    inspection_id = models.PositiveBigIntegerField(_("检查记录"), null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "business"], name="checkeventvisit_once")]

    def __str__(self) -> str:
        return f"{self.event_id}:{self.business_id}"
