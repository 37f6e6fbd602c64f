"""The people who do the work and what they do beyond inspections: inspectors and their training
(task 二十二), the coordinator grid and its informants, the expert committee, training sessions
(standards training, task 十八), publicity events (publicity week, task 二十七), liability insurance
and management-system certification (task 二十三), science projects (task 二十四) and the 双安双创
milestones (task 二十五). Every record carries its owning member unit and its region."""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from shian.core.models import Coordinator, Department, Region

POSITIVE = [MinValueValidator(0)]


class UnitRecord(models.Model):
    region = models.ForeignKey(Region, verbose_name=_("镇街"), on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        Department, verbose_name=_("负责单位"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        abstract = True


class Qualification(models.TextChoices):
    NONE = "none", _("未定级")
    JUNIOR = "junior", _("初级检查员")
    INTERMEDIATE = "intermediate", _("中级检查员")
    SENIOR = "senior", _("高级检查员")


class Inspector(UnitRecord):
    """A law-enforcement officer who inspects food businesses (食品安全检查员)."""

    cert_no = models.CharField(_("执法证号"), max_length=40, unique=True)
    name = models.CharField(_("姓名"), max_length=50)
    qualification = models.CharField(_("检查员级别"), max_length=16, choices=Qualification.choices)
    professional = models.BooleanField(_("职业化检查员"), default=False)
    cert_valid_until = models.DateField(_("执法证有效期至"))
    active = models.BooleanField(_("在岗"), default=True)

    class Meta:
        verbose_name = _("检查员")
        verbose_name_plural = _("检查员")
        ordering = ["region", "name"]

    def __str__(self) -> str:
        return f"{self.name}（{self.cert_no}）"


class TrainingKind(models.TextChoices):
    INSPECTOR = "inspector", _("检查员培训")
    STANDARDS = "standards", _("食品安全标准宣贯培训")
    COORDINATOR = "coordinator", _("协管员、信息员培训")
    BUSINESS = "business", _("企业食品安全管理人员培训")
    OTHER = "other", _("其他")


class TrainingSession(UnitRecord):
    code = models.CharField(_("培训编号"), max_length=40, unique=True)
    title = models.CharField(_("培训名称"), max_length=200)
    kind = models.CharField(_("培训类别"), max_length=16, choices=TrainingKind.choices)
    audience = models.CharField(_("培训对象"), max_length=200)
    held_on = models.DateField(_("培训日期"))
    hours = models.DecimalField(_("学时"), max_digits=5, decimal_places=1, validators=POSITIVE)
    attendance = models.PositiveIntegerField(_("参训人数"))
    tested = models.PositiveIntegerField(_("参加考核人数"), default=0)
    passed = models.PositiveIntegerField(_("考核合格人数"), default=0)

    class Meta:
        verbose_name = _("培训")
        verbose_name_plural = _("培训")
        ordering = ["-held_on"]
        constraints = [
            models.CheckConstraint(
                name="workforce_training_counts_ordered",
                condition=Q(passed__lte=F("tested")) & Q(tested__lte=F("attendance")),
                violation_error_message=_("考核合格人数不能多于参加考核人数，参加考核人数不能多于参训人数。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.held_on}）"

    @property
    def pass_rate(self) -> float | None:
        return None if not self.tested else round(self.passed / self.tested * 100, 1)


class TrainingRecord(UnitRecord):
    """Hours of training one inspector completed (a session of the platform or an outside course)."""

    inspector = models.ForeignKey(
        Inspector, verbose_name=_("检查员"), on_delete=models.PROTECT, related_name="training"
    )
    session = models.ForeignKey(
        TrainingSession,
        verbose_name=_("培训"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    course = models.CharField(_("课程"), max_length=200, blank=True)
    hours = models.DecimalField(_("学时"), max_digits=5, decimal_places=1, validators=POSITIVE)
    completed_on = models.DateField(_("完成日期"))

    class Meta:
        verbose_name = _("检查员学时")
        verbose_name_plural = _("检查员学时")
        ordering = ["-completed_on"]
        indexes = [
            # Task 二十二: an inspector's hours in a year.
            models.Index(fields=["inspector", "completed_on"], name="workforce_hours_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.inspector.name} {self.hours}"


class GridCell(UnitRecord):
    """A cell of the food-safety grid (网格), with its villages, population and coordinator."""

    code = models.CharField(_("网格编号"), max_length=40, unique=True)
    name = models.CharField(_("网格名称"), max_length=100)
    villages = models.CharField(_("村（社区）"), max_length=300)
    population = models.PositiveIntegerField(_("常住人口"))
    coordinator = models.ForeignKey(
        Coordinator,
        verbose_name=_("协管员"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    agricultural = models.BooleanField(_("涉农网格"), default=False)

    class Meta:
        verbose_name = _("网格")
        verbose_name_plural = _("网格")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class Informant(UnitRecord):
    """An information officer (信息员) of a grid cell."""

    cell = models.ForeignKey(
        GridCell, verbose_name=_("网格"), on_delete=models.PROTECT, related_name="informants"
    )
    name = models.CharField(_("姓名"), max_length=50)
    phone = models.CharField(_("电话"), max_length=20, blank=True)
    since = models.DateField(_("起始日期"))
    until = models.DateField(_("终止日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("信息员")
        verbose_name_plural = _("信息员")
        ordering = ["cell", "name"]

    def __str__(self) -> str:
        return self.name


class Expert(UnitRecord):
    """A member of the district food-safety expert committee (专家委员会)."""

    name = models.CharField(_("姓名"), max_length=50)
    field = models.CharField(_("专业领域"), max_length=100)
    organisation = models.CharField(_("工作单位"), max_length=100)
    appointed_on = models.DateField(_("聘任日期"))
    term_until = models.DateField(_("聘期至"))

    class Meta:
        verbose_name = _("专家委员")
        verbose_name_plural = _("专家委员")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PublicityKind(models.TextChoices):
    WEEK = "week", _("食品安全宣传周")
    RUMOUR = "rumour", _("辟谣")
    CAMPUS = "campus", _("农产品质量安全知识进校园")
    LAW = "law", _("“八五”普法")
    ONLINE = "online", _("“一网一微”宣传")
    OTHER = "other", _("其他宣传活动")


class PublicityEvent(UnitRecord):
    title = models.CharField(_("活动名称"), max_length=200)
    kind = models.CharField(_("类别"), max_length=10, choices=PublicityKind.choices)
    held_on = models.DateField(_("日期"))
    reach = models.PositiveIntegerField(_("覆盖人次"), default=0)
    channel = models.CharField(_("渠道"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("宣传活动")
        verbose_name_plural = _("宣传活动")
        ordering = ["-held_on"]

    def __str__(self) -> str:
        return self.title


class InsuranceSector(models.TextChoices):
    SCHOOL_CANTEEN = "school_canteen", _("学校食堂")
    CENTRAL_KITCHEN = "central_kitchen", _("集体用餐配送单位")
    CATERING = "catering", _("餐饮服务")
    ELDERLY_CANTEEN = "elderly_canteen", _("养老机构食堂")
    PRODUCTION = "production", _("食品生产")
    AGRI_MARKET = "agri_market", _("农产品市场")
    OTHER = "other", _("其他")


class InsurancePolicy(UnitRecord):
    """A food-safety liability insurance policy (食品安全责任保险, 《食品安全法》第四十三条)."""

    policy_no = models.CharField(_("保单号"), max_length=60, unique=True)
    insured = models.CharField(_("投保人"), max_length=200)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    sector = models.CharField(_("行业"), max_length=20, choices=InsuranceSector.choices)
    insurer = models.CharField(_("保险公司"), max_length=100)
    cover_10k_yuan = models.DecimalField(
        _("保额（万元）"), max_digits=10, decimal_places=2, validators=POSITIVE
    )
    starts = models.DateField(_("起保日期"))
    ends = models.DateField(_("终止日期"))
    business = models.ForeignKey(
        "registry.Business", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("食品安全责任保险")
        verbose_name_plural = _("食品安全责任保险")
        ordering = ["-starts"]
        constraints = [
            models.CheckConstraint(
                name="workforce_policy_period_ordered",
                condition=Q(ends__gte=F("starts")),
                violation_error_message=_("终止日期不能早于起保日期。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.insured}（{self.policy_no}）"


class Scheme(models.TextChoices):
    ISO22000 = "iso22000", _("ISO 22000")
    HACCP = "haccp", _("HACCP")
    ISO9001 = "iso9001", _("ISO 9001")
    GREEN = "green", _("绿色食品/有机产品")
    OTHER = "other", _("其他")


class Certification(UnitRecord):
    """A food producer's management-system or product certification (task 二十三)."""

    cert_no = models.CharField(_("证书编号"), max_length=60, unique=True)
    holder = models.CharField(_("获证企业"), max_length=200)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18)
    scheme = models.CharField(_("认证类别"), max_length=10, choices=Scheme.choices)
    valid_until = models.DateField(_("有效期至"))
    business = models.ForeignKey(
        "registry.Business", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("体系认证")
        verbose_name_plural = _("体系认证")
        ordering = ["holder"]

    def __str__(self) -> str:
        return f"{self.holder} {self.get_scheme_display()}"


class ProjectStatus(models.TextChoices):
    ONGOING = "ongoing", _("在研")
    DONE = "done", _("已结题")


class ScienceProject(UnitRecord):
    """A food-safety project of the district's science plan (task 二十四)."""

    title = models.CharField(_("项目名称"), max_length=200)
    organisation = models.CharField(_("承担单位"), max_length=100)
    funding_10k_yuan = models.DecimalField(
        _("经费（万元）"), max_digits=10, decimal_places=2, validators=POSITIVE
    )
    started_on = models.DateField(_("立项日期"))
    status = models.CharField(_("状态"), max_length=10, choices=ProjectStatus.choices)

    class Meta:
        verbose_name = _("科技项目")
        verbose_name_plural = _("科技项目")
        ordering = ["-started_on"]

    def __str__(self) -> str:
        return self.title


class Programme(models.TextChoices):
    DEMO_CITY = "demo_city", _("国家食品安全示范城市创建")
    AGRI_COUNTY = "agri_county", _("国家农产品质量安全县巩固")


class Milestone(UnitRecord):
    """A milestone of 双安双创 (task 二十五), done with its evidence."""

    programme = models.CharField(_("创建项目"), max_length=12, choices=Programme.choices)
    title = models.CharField(_("里程碑"), max_length=200)
    due = models.DateField(_("计划完成日期"))
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    evidence = models.CharField(_("证明材料"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("双安双创里程碑")
        verbose_name_plural = _("双安双创里程碑")
        ordering = ["due"]

    def __str__(self) -> str:
        return self.title
