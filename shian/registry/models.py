"""The register of food businesses (食品生产经营者登记)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shian.core.models import FoodCategory, Region


class BusinessType(models.TextChoices):
    """主体业态: the business types the plan and the licensing rules distinguish."""

    PRODUCTION = "production", _("Food producer")
    WHOLESALE_RETAIL = "wholesale_retail", _("Wholesale and retail")
    CATERING = "catering", _("Catering")
    UNIT_CANTEEN = "unit_canteen", _("Unit canteen")
    SCHOOL_CANTEEN = "school_canteen", _("School or kindergarten canteen")
    CENTRAL_KITCHEN = "central_kitchen", _("Central kitchen or group-meal delivery")
    SPECIAL_FOOD = "special_food", _("Special-food producer")
    AGRI_MARKET = "agri_market", _("Edible agricultural product market")
    COLD_STORE = "cold_store", _("Cold store")
    ONLINE_PLATFORM = "online_platform", _("Online platform")
    SMALL_WORKSHOP = "small_workshop", _("Small food workshop")


# Types whose licence is a food production licence (SC); the others hold a business licence (JY).
PRODUCTION_TYPES = frozenset({BusinessType.PRODUCTION, BusinessType.SPECIAL_FOOD})


class BusinessScale(models.TextChoices):
    LARGE = "large", _("Large")
    MEDIUM = "medium", _("Medium")
    SMALL = "small", _("Small")
    MICRO = "micro", _("Micro")


class BusinessStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    CLOSED = "closed", _("Closed")


class Business(models.Model):
    name = models.CharField(_("name"), max_length=200)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, null=True, blank=True)
    production_licence = models.CharField(_("food production licence"), max_length=16, null=True, blank=True)
    business_licence = models.CharField(_("food business licence"), max_length=16, null=True, blank=True)
    business_type = models.CharField(_("business type"), max_length=24, choices=BusinessType.choices)
    food_categories = models.ManyToManyField(
        FoodCategory,
        verbose_name=_("food categories"),
        through="BusinessFoodCategory",
        blank=True,
        related_name="businesses",
    )
    scale = models.CharField(
        _("scale"), max_length=8, choices=BusinessScale.choices, default=BusinessScale.SMALL
    )
    # No index of its own: the list indexes below begin with region_id and serve every lookup by
    # town; one index fewer to maintain on each of an import's 100,000 inserts.
    region = models.ForeignKey(
        Region,
        verbose_name=_("town or street"),
        on_delete=models.PROTECT,
        related_name="businesses",
        db_index=False,
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    legal_representative = models.CharField(_("legal representative"), max_length=50, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=8, decimal_places=6, null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=BusinessStatus.choices, default=BusinessStatus.ACTIVE
    )
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    licence_valid_until = models.DateField(_("licence valid until"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("food business")
        verbose_name_plural = _("food businesses")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["credit_code"], name="business_credit_code_unique"),
            models.UniqueConstraint(fields=["production_licence"], name="business_sc_unique"),
            models.UniqueConstraint(fields=["business_licence"], name="business_jy_unique"),
            # Every business is identified by at least one legal code (the import's upsert key).
            models.CheckConstraint(
                name="business_has_identifier",
                condition=Q(credit_code__isnull=False)
                | Q(production_licence__isnull=False)
                | Q(business_licence__isnull=False),
            ),
            models.CheckConstraint(
                name="business_type_valid", condition=Q(business_type__in=BusinessType.values)
            ),
            models.CheckConstraint(
                name="business_status_valid", condition=Q(status__in=BusinessStatus.values)
            ),
            models.CheckConstraint(name="business_scale_valid", condition=Q(scale__in=BusinessScale.values)),
            # Coordinates inside China's bounding box (GCJ-02/WGS-84 alike), or absent.
            models.CheckConstraint(
                name="business_coordinates_in_china",
                condition=(Q(longitude__isnull=True) | Q(longitude__gte=73, longitude__lte=136))
                & (Q(latitude__isnull=True) | Q(latitude__gte=3, latitude__lte=54)),
            ),
            models.CheckConstraint(name="business_name_not_blank", condition=~Q(name="")),
        ]
        indexes = [
            # The list page: a town's businesses filtered by type and status, ordered by name.
            models.Index(
                fields=["region", "business_type", "status", "name"], name="business_region_type_idx"
            ),
            # The list page for one town (every town officer's), ordered by name: the filter and
            # the order from one index, so a page of 50 needs no sort of the town's rows.
            models.Index(fields=["region", "name", "id"], name="business_region_name_idx"),
            # The list page without a town filter, ordered by name.
            models.Index(fields=["name", "id"], name="business_name_idx"),
            # Type filter and the dashboard's counts by type.
            models.Index(fields=["business_type", "status"], name="business_type_status_idx"),
            # Indicators: the active businesses of a period per town (and type), counted from the
            # index alone (opening and closing dates included), not from the wide rows.
            models.Index(
                fields=["region", "business_type", "status", "opened_on", "closed_on"],
                name="business_active_count_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def main_code(self) -> str:
        return self.credit_code or self.business_licence or self.production_licence or ""


class BusinessFoodCategory(models.Model):
    # The unique (business, category) index serves lookups by business; a second one would only
    # slow every insert.
    business = models.ForeignKey(Business, on_delete=models.CASCADE, db_index=False)
    category = models.ForeignKey(FoodCategory, on_delete=models.PROTECT)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["business", "category"], name="business_category_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.business_id}:{self.category_id}"


class BusinessEventKind(models.TextChoices):
    """What happened to a business, as the evidence modules report it (DESIGN: the business-event
    ledger). Risk grading and the credit file read these; each reads only the kinds its rules name."""

    FAILED_SAMPLE = "failed_supervisory_sample", _("Failed supervisory sample")
    PENALISED = "penalised_deliberate_violation", _("Penalised deliberate violation")
    SOCIAL_IMPACT = "bad_social_impact", _("Violation with bad social impact")
    INCIDENT = "incident", _("Food-safety incident")
    REFUSED_RECALL = "refused_recall", _("Refused to recall or stop sales")
    OBSTRUCTED = "obstructed_inspection", _("Obstructed inspection")
    PENALTY_DECISION = "penalty_decision", _("Administrative penalty decision")
    COMPLAINT_UPHELD = "complaint_upheld", _("Upheld complaint")
    SERIOUS_DISHONESTY_LISTED = "serious_dishonesty_listed", _("Listed as seriously dishonest")
    LICENCE_REVOKED = "licence_revoked", _("Licence revoked")
    # Written by the inspections module when an inspection is submitted with items not met.
    INSPECTION_FINDINGS = "inspection_findings", _("Problems found at inspection")


class BusinessEvent(models.Model):
    """One entry of the business-event ledger. Evidence modules append (an unqualified sample on
    judgment, a penalty decision, an upheld complaint, an incident, a listing); officers may also
    record one by hand. An entry is never deleted: a mistaken or overturned one is voided with a
    reason, and readers skip voided entries."""

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="events", db_index=False)
    # The business's town when the event happened: the scope key (and the shard key beyond one machine).
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", db_index=False)
    kind = models.CharField(_("kind"), max_length=40, choices=BusinessEventKind.choices)
    occurred_on = models.DateField(_("occurred on"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    # The record that caused it ("sampling.sample" and its id); empty for an officer's own entry.
    origin_type = models.CharField(_("origin type"), max_length=40, blank=True)
    origin_id = models.CharField(_("origin id"), max_length=40, blank=True)
    recorded_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    void_reason = models.CharField(_("reason voided"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("business event")
        verbose_name_plural = _("business events")
        ordering = ["-occurred_on", "-id"]
        constraints = [
            models.CheckConstraint(
                name="businessevent_kind_valid", condition=Q(kind__in=BusinessEventKind.values)
            ),
            # One entry per (business, kind, origin): a sample judged twice is one event, not two.
            models.UniqueConstraint(
                fields=["business", "kind", "origin_type", "origin_id"],
                condition=~Q(origin_type=""),
                name="businessevent_origin_unique",
            ),
            models.CheckConstraint(
                name="businessevent_void_has_reason",
                condition=Q(voided_at__isnull=True) | ~Q(void_reason=""),
            ),
        ]
        indexes = [
            # A business's events in a date window (the grade page, the credit file, one regrade).
            models.Index(fields=["business", "occurred_on"], name="businessevent_business_idx"),
            # Every event in a window (the bulk regrade, targeting history).
            models.Index(fields=["occurred_on"], name="businessevent_date_idx"),
            # A town's events (scoped lists).
            models.Index(fields=["region", "occurred_on"], name="businessevent_region_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.business_id} {self.kind} {self.occurred_on}"


class ApplicationKind(models.TextChoices):
    NEW = "new", _("新办")
    RENEWAL = "renewal", _("延续")
    CHANGE = "change", _("变更")


class ApplicationStatus(models.TextChoices):
    ACCEPTED = "accepted", _("已受理")
    REVIEW = "review", _("审查中")
    GRANTED = "granted", _("准予许可")
    REFUSED = "refused", _("不予许可")
    WITHDRAWN = "withdrawn", _("撤回")


class LicenceCategory(models.TextChoices):
    PRODUCTION = "production", _("食品生产许可")
    BUSINESS = "business", _("食品经营许可")


class LicenceApplication(models.Model):
    """A licence application (食品生产经营许可申请): 新办, 延续 or 变更, from acceptance (受理) to the
    decision, with its statutory clock and the ban check (法第一百三十五条) of the persons it names."""

    kind = models.CharField(_("申请类型"), max_length=10, choices=ApplicationKind.choices)
    status = models.CharField(
        _("状态"), max_length=10, choices=ApplicationStatus.choices, default=ApplicationStatus.ACCEPTED
    )
    category = models.CharField(_("许可类别"), max_length=12, choices=LicenceCategory.choices)
    # The applicant: a business on the register, or (新办) a new one described by the fields below.
    business = models.ForeignKey(
        Business, null=True, blank=True, on_delete=models.PROTECT, related_name="applications"
    )
    applicant_name = models.CharField(_("申请人名称"), max_length=200)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    address = models.CharField(_("经营场所"), max_length=200, blank=True)
    business_type = models.CharField(_("主体业态"), max_length=24, choices=BusinessType.choices)
    # The scope key (the applicant's town) and the shard key.
    region = models.ForeignKey(Region, verbose_name=_("所属镇街"), on_delete=models.PROTECT, related_name="+")
    received_on = models.DateField(_("受理日期"))
    due_on = models.DateField(_("法定办结期限"))
    due_provisional = models.BooleanField(_("期限为暂算"), default=False)
    decided_on = models.DateField(_("决定日期"), null=True, blank=True)
    reason = models.CharField(_("理由"), max_length=300, blank=True)
    licence_number = models.CharField(_("许可证编号"), max_length=16, blank=True)
    licence_valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    # The last ban check: when, and what it found (case id, number, dates, the case's town).
    checked_on = models.DateField(_("禁业核查日期"), null=True, blank=True)
    ban_blocks = models.JSONField(_("禁业核查结果"), default=list, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("许可申请")
        verbose_name_plural = _("许可申请")
        ordering = ["-received_on", "-id"]
        constraints = [
            models.CheckConstraint(
                name="licenceapp_status_valid", condition=Q(status__in=ApplicationStatus.values)
            ),
            models.CheckConstraint(
                name="licenceapp_kind_valid", condition=Q(kind__in=ApplicationKind.values)
            ),
            # 延续 and 变更 concern a licence already held: the business is on the register.
            models.CheckConstraint(
                name="licenceapp_existing_has_business",
                condition=Q(kind=ApplicationKind.NEW) | Q(business__isnull=False),
            ),
            models.CheckConstraint(
                name="licenceapp_refusal_has_reason",
                condition=~Q(status=ApplicationStatus.REFUSED) | ~Q(reason=""),
            ),
        ]
        indexes = [
            models.Index(fields=["region", "status", "due_on"], name="licenceapp_region_idx"),
            models.Index(fields=["status", "due_on"], name="licenceapp_status_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.applicant_name} {self.get_kind_display()}"


class PersonRole(models.TextChoices):
    LEGAL_REPRESENTATIVE = "legal_representative", _("法定代表人")
    PERSON_IN_CHARGE = "person_in_charge", _("负责人")
    SAFETY_MANAGER = "safety_manager", _("食品安全管理人员")


class ApplicationPerson(models.Model):
    """A person an application names. The id number is not kept: only its keyed hash (to match a
    ban) and a masked form (to show)."""

    application = models.ForeignKey(LicenceApplication, on_delete=models.CASCADE, related_name="persons")
    role = models.CharField(_("身份"), max_length=24, choices=PersonRole.choices)
    name = models.CharField(_("姓名"), max_length=50)
    id_key = models.CharField(_("证件号码密钥摘要"), max_length=64)
    id_masked = models.CharField(_("证件号码"), max_length=30)

    class Meta:
        verbose_name = _("申请所列人员")
        verbose_name_plural = _("申请所列人员")
        indexes = [models.Index(fields=["id_key"], name="licenceperson_key_idx")]

    def __str__(self) -> str:
        return f"{self.name} {self.id_masked}"


class ApplicationStep(models.Model):
    """One move of an application (its timeline)."""

    application = models.ForeignKey(LicenceApplication, on_delete=models.CASCADE, related_name="steps")
    from_status = models.CharField(_("原状态"), max_length=10, blank=True)
    to_status = models.CharField(_("新状态"), max_length=10, choices=ApplicationStatus.choices)
    on = models.DateField(_("日期"))
    note = models.CharField(_("说明"), max_length=300, blank=True)
    by = models.ForeignKey("core.User", null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        ordering = ["on", "id"]

    def __str__(self) -> str:
        return f"{self.application_id} {self.to_status}"
