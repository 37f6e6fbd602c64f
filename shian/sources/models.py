"""Sources of food: agricultural producers and their 承诺达标合格证, market checks of certificates,
the phase-out of highly toxic pesticides (task 七); grain stores, lots, tests and monitoring samples
(task 八); farmland plots and their safe-use measures (task 六). Every record carries its owning
member unit and its region (core.scoping.unit_scope_q)."""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shian.core.models import Department, Region

POSITIVE = [MinValueValidator(0)]


class UnitRecord(models.Model):
    region = models.ForeignKey(Region, verbose_name=_("镇街"), on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        Department, verbose_name=_("负责单位"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        abstract = True


class ProducerKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("农产品生产企业")
    COOPERATIVE = "cooperative", _("农民专业合作社")
    FAMILY_FARM = "family_farm", _("家庭农场")
    FARMER = "farmer", _("农户")
    PURCHASER = "purchaser", _("农产品收购主体")


class Producer(UnitRecord):
    """A producer of edible agricultural products (农产品生产主体)."""

    code = models.CharField(_("主体编号"), max_length=40, unique=True)
    name = models.CharField(_("主体名称"), max_length=100)
    kind = models.CharField(_("主体类型"), max_length=16, choices=ProducerKind.choices)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    products = models.CharField(_("主要产品"), max_length=200)
    active = models.BooleanField(_("在产"), default=True)
    # The register's business when the producer is one (matched by credit code on save).
    business = models.ForeignKey(
        "registry.Business", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("农产品生产主体")
        verbose_name_plural = _("农产品生产主体")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class CertificateIssue(UnitRecord):
    """承诺达标合格证 issued by a producer (《农产品质量安全法》第三十九条)."""

    producer = models.ForeignKey(
        Producer, verbose_name=_("生产主体"), on_delete=models.PROTECT, related_name="certificates"
    )
    product = models.CharField(_("产品"), max_length=100)
    quantity = models.DecimalField(_("数量"), max_digits=12, decimal_places=2, validators=POSITIVE)
    unit = models.CharField(_("单位"), max_length=10, default="公斤")
    issued_on = models.DateField(_("开具日期"))
    count = models.PositiveIntegerField(_("开具张数"), default=1)

    class Meta:
        verbose_name = _("合格证开具")
        verbose_name_plural = _("合格证开具")
        ordering = ["-issued_on"]
        indexes = [
            # The certificate coverage of task 七: issues in a period, by producer.
            models.Index(fields=["issued_on", "producer"], name="sources_cert_issued_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.product} {self.issued_on}"


class CertificateCheck(UnitRecord):
    """A check of certificates at a market (农产品批发市场查验, 第三十九条第三款)."""

    market = models.CharField(_("市场"), max_length=100)
    checked_on = models.DateField(_("查验日期"))
    product = models.CharField(_("产品"), max_length=100, blank=True)
    batches_checked = models.PositiveIntegerField(_("查验批次"))
    batches_with_certificate = models.PositiveIntegerField(_("附合格证批次"))

    class Meta:
        verbose_name = _("市场合格证查验")
        verbose_name_plural = _("市场合格证查验")
        ordering = ["-checked_on"]
        constraints = [
            models.CheckConstraint(
                name="sources_check_with_le_checked",
                condition=Q(batches_with_certificate__lte=models.F("batches_checked")),
                violation_error_message=_("附合格证批次不能多于查验批次。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.market} {self.checked_on}"

    @property
    def match_rate(self) -> float | None:
        from .rules import match_rate

        rate = match_rate(self.batches_checked, self.batches_with_certificate)
        return None if rate is None else round(float(rate), 1)


class PhaseOut(UnitRecord):
    """The phase-out of one highly toxic pesticide in the district (task 七; 公告第536号)."""

    substance = models.CharField(_("农药"), max_length=40)
    dealers_checked = models.PositiveIntegerField(_("检查经营门店数"), default=0)
    stock_recovered_kg = models.DecimalField(
        _("清缴库存（公斤）"), max_digits=10, decimal_places=2, default=0, validators=POSITIVE
    )
    completed_on = models.DateField(_("淘汰完成日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("高毒农药淘汰")
        verbose_name_plural = _("高毒农药淘汰")
        ordering = ["substance"]

    def __str__(self) -> str:
        return self.substance


class GrainKind(models.TextChoices):
    RICE = "rice", _("稻谷")
    WHEAT = "wheat", _("小麦")
    MAIZE = "maize", _("玉米")
    SOYBEAN = "soybean", _("大豆")
    OTHER = "other", _("其他")


class GrainStore(UnitRecord):
    """A store of policy grain (政策性粮食承储库点)."""

    code = models.CharField(_("库点编号"), max_length=40, unique=True)
    name = models.CharField(_("库点名称"), max_length=100)
    capacity_tonnes = models.DecimalField(
        _("仓容（吨）"), max_digits=12, decimal_places=1, validators=POSITIVE
    )

    class Meta:
        verbose_name = _("粮库")
        verbose_name_plural = _("粮库")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class GrainLot(UnitRecord):
    """A lot of policy grain taken into a store (入库批次)."""

    code = models.CharField(_("批次编号"), max_length=40, unique=True)
    store = models.ForeignKey(
        GrainStore, verbose_name=_("粮库"), on_delete=models.PROTECT, related_name="lots"
    )
    grain = models.CharField(_("品种"), max_length=10, choices=GrainKind.choices)
    harvest_year = models.PositiveSmallIntegerField(_("收获年份"))
    tonnes = models.DecimalField(
        _("数量（吨）"), max_digits=12, decimal_places=1, validators=[MinValueValidator(0)]
    )
    received_on = models.DateField(_("入库日期"))
    shipped_on = models.DateField(_("出库日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("粮食批次")
        verbose_name_plural = _("粮食批次")
        ordering = ["-received_on", "code"]
        indexes = [
            # Task 八: lots received in a period, by store and grain.
            models.Index(fields=["received_on", "store", "grain"], name="sources_lot_received_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.get_grain_display()} {self.tonnes}吨"


class TestDirection(models.TextChoices):
    INTAKE = "intake", _("入库")
    OUTGOING = "outgoing", _("出库")


class GrainTest(UnitRecord):
    """A third-party quality and safety test of a lot at intake or outgoing (出入库检验)."""

    lot = models.ForeignKey(GrainLot, verbose_name=_("批次"), on_delete=models.PROTECT, related_name="tests")
    direction = models.CharField(_("环节"), max_length=10, choices=TestDirection.choices)
    lab = models.CharField(_("检验机构"), max_length=100)
    report_no = models.CharField(_("报告编号"), max_length=60)
    tested_on = models.DateField(_("检验日期"))
    cadmium_mg_kg = models.DecimalField(
        _("镉（mg/kg）"), max_digits=8, decimal_places=4, null=True, blank=True, validators=POSITIVE
    )
    other_items_qualified = models.BooleanField(_("其他项目合格"), default=True)
    # Derived by the service from the cadmium value and GB 2762 (rules.cadmium_verdict).
    verdict = models.CharField(_("结论"), max_length=12, blank=True)

    class Meta:
        verbose_name = _("出入库检验")
        verbose_name_plural = _("出入库检验")
        ordering = ["-tested_on"]

    def __str__(self) -> str:
        return f"{self.report_no}"


class GrainSample(UnitRecord):
    """A grain quality-safety risk-monitoring sample (粮食质量安全风险监测样品)."""

    store = models.ForeignKey(
        GrainStore,
        verbose_name=_("粮库"),
        on_delete=models.PROTECT,
        related_name="samples",
        null=True,
        blank=True,
    )
    code = models.CharField(_("样品编号"), max_length=40, unique=True)
    grain = models.CharField(_("品种"), max_length=10, choices=GrainKind.choices)
    sampled_on = models.DateField(_("扦样日期"))
    items = models.CharField(_("监测项目"), max_length=200, default="镉、铅、真菌毒素")
    qualified = models.BooleanField(_("合格"), default=True)

    class Meta:
        verbose_name = _("粮食监测样品")
        verbose_name_plural = _("粮食监测样品")
        ordering = ["-sampled_on"]

    def __str__(self) -> str:
        return self.code


class SoilClass(models.TextChoices):
    PRIORITY = "priority", _("优先保护类")
    SAFE_USE = "safe_use", _("安全利用类")
    STRICT = "strict_control", _("严格管控类")


class FarmlandPlot(UnitRecord):
    """A farmland plot and its class under the soil-pollution classification (《土壤污染防治法》第四十九条)."""

    code = models.CharField(_("地块编号"), max_length=40, unique=True)
    village = models.CharField(_("村"), max_length=60)
    area_mu = models.DecimalField(_("面积（亩）"), max_digits=10, decimal_places=1, validators=POSITIVE)
    soil_class = models.CharField(_("类别"), max_length=16, choices=SoilClass.choices)
    crop = models.CharField(_("种植作物"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("耕地地块")
        verbose_name_plural = _("耕地地块")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.village}"


class MeasureKind(models.TextChoices):
    LOW_ACCUMULATION = "low_accumulation", _("低积累品种替代")
    WATER = "water", _("水分调控")
    PH = "ph", _("调节土壤酸碱度")
    FOLIAR = "foliar", _("叶面阻控")
    STRUCTURE = "structure", _("种植结构调整")
    RETIRE = "retire", _("退耕还林还草")
    NO_FOOD = "no_food", _("划定特定农产品禁止生产区域")
    OTHER = "other", _("其他农艺措施")


class SafeUseMeasure(UnitRecord):
    """A safe-use or strict-control measure on a plot in a year, and its check (task 六)."""

    plot = models.ForeignKey(
        FarmlandPlot, verbose_name=_("地块"), on_delete=models.PROTECT, related_name="measures"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    measure = models.CharField(_("措施"), max_length=20, choices=MeasureKind.choices)
    implemented_on = models.DateField(_("落实日期"))
    checked_on = models.DateField(_("核查日期"), null=True, blank=True)
    check_passed = models.BooleanField(_("核查通过"), default=False)

    class Meta:
        verbose_name = _("安全利用措施")
        verbose_name_plural = _("安全利用措施")
        ordering = ["-year", "plot"]

    def __str__(self) -> str:
        return f"{self.plot.code} {self.year} {self.get_measure_display()}"
