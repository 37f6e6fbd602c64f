"""Schools and kindergartens with their canteens, operators and suppliers; the open-kitchen
(明厨亮灶) status of caterers and canteens; the school leaders' accompanied meals (陪餐); and the
management-system certificates (HACCP, ISO 22000) of suppliers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shian.core.models import Region
from shian.registry.models import Business


class SchoolLevel(models.TextChoices):
    KINDERGARTEN = "kindergarten", _("Kindergarten")
    PRIMARY = "primary", _("Primary school")
    JUNIOR = "junior", _("Junior secondary school")
    SENIOR = "senior", _("Senior secondary school")
    NINE_YEAR = "nine_year", _("Nine-year school")
    COMPLETE = "complete", _("Complete secondary school")
    VOCATIONAL = "vocational", _("Vocational school")
    SPECIAL = "special", _("Special-education school")


class Ownership(models.TextChoices):
    PUBLIC = "public", _("Public")
    PRIVATE = "private", _("Private")


class CanteenOperation(models.TextChoices):
    SELF_RUN = "self_run", _("Self-run")
    CONTRACTED = "contracted", _("Contracted")
    NONE = "none", _("No canteen (meals delivered)")


class School(models.Model):
    """A school or kindergarten of the district, as the education bureau lists it."""

    code = models.CharField(_("school identifier"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=16, choices=SchoolLevel.choices)
    ownership = models.CharField(_("ownership"), max_length=8, choices=Ownership.choices)
    rural = models.BooleanField(_("rural school"), default=False)
    pupils = models.PositiveIntegerField(_("pupils"), default=0)
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    address = models.CharField(_("address"), max_length=200, blank=True)
    headmaster = models.CharField(_("headmaster"), max_length=50, blank=True)
    canteen_operation = models.CharField(
        _("canteen operation"),
        max_length=12,
        choices=CanteenOperation.choices,
        default=CanteenOperation.SELF_RUN,
    )
    canteen = models.ForeignKey(
        Business,
        verbose_name=_("canteen"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="schools_served",
    )
    operator = models.ForeignKey(
        Business,
        verbose_name=_("canteen operator"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="schools_operated",
    )
    # Meals the school serves its pupils (breakfast, lunch, dinner): each needs an accompanied meal.
    meals = models.JSONField(_("meals served"), default=list, blank=True)
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("school")
        verbose_name_plural = _("schools")
        ordering = ["region_id", "name"]
        constraints = [
            models.CheckConstraint(name="school_level_valid", condition=Q(level__in=SchoolLevel.values)),
            models.CheckConstraint(
                name="school_ownership_valid", condition=Q(ownership__in=Ownership.values)
            ),
            models.CheckConstraint(
                name="school_operation_valid", condition=Q(canteen_operation__in=CanteenOperation.values)
            ),
            models.CheckConstraint(
                name="school_contracted_has_operator",
                condition=~Q(canteen_operation="contracted") | Q(operator__isnull=False),
            ),
        ]
        indexes = [models.Index(fields=["region", "level"], name="school_region_level_idx")]

    def __str__(self) -> str:
        return self.name


class SupplierRole(models.TextChoices):
    MEAL_PROVIDER = "meal_provider", _("Off-campus meal provider")
    INGREDIENTS = "ingredients", _("Ingredient supplier")


class SchoolSupplier(models.Model):
    """A business that supplies a school: its off-campus meals (校外供餐) or its ingredients."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="suppliers")
    business = models.ForeignKey(
        Business, verbose_name=_("business"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("role"), max_length=16, choices=SupplierRole.choices)

    class Meta:
        verbose_name = _("school supplier")
        verbose_name_plural = _("school suppliers")
        constraints = [
            models.UniqueConstraint(fields=["school", "business", "role"], name="school_supplier_unique"),
            models.CheckConstraint(
                name="school_supplier_role_valid", condition=Q(role__in=SupplierRole.values)
            ),
        ]
        indexes = [models.Index(fields=["business", "role"], name="school_supplier_business_idx")]

    def __str__(self) -> str:
        return f"{self.school_id} ← {self.business_id} ({self.role})"


class OpenKitchenLevel(models.TextChoices):
    NONE = "none", _("None")
    OPEN = "open", _("Open kitchen")
    INTERNET = "internet", _("Internet-connected open kitchen")


class OpenKitchen(models.Model):
    """A caterer's or canteen's open-kitchen (明厨亮灶) status, verified by an officer or by an
    inspection's checklist item; its changes are in the audit trail."""

    business = models.OneToOneField(
        Business, verbose_name=_("business"), on_delete=models.CASCADE, related_name="open_kitchen"
    )
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    level = models.CharField(_("open kitchen"), max_length=10, choices=OpenKitchenLevel.choices)
    cameras = models.PositiveSmallIntegerField(_("cameras"), default=0)
    platform = models.CharField(_("platform"), max_length=100, blank=True)
    verified_on = models.DateField(_("verified on"))
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The inspection whose checklist item verified it, when it was verified on an inspection.
    inspection_id_ref = models.PositiveBigIntegerField(_("inspection"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("open-kitchen status")
        verbose_name_plural = _("open-kitchen statuses")
        constraints = [
            models.CheckConstraint(
                name="openkitchen_level_valid", condition=Q(level__in=OpenKitchenLevel.values)
            ),
            models.CheckConstraint(
                name="openkitchen_internet_has_camera_and_platform",
                condition=~Q(level="internet") | (Q(cameras__gt=0) & ~Q(platform="")),
            ),
        ]
        indexes = [models.Index(fields=["region", "level"], name="openkitchen_region_level_idx")]

    def __str__(self) -> str:
        return f"{self.business_id} {self.level}"


class MealRole(models.TextChoices):
    HEADMASTER = "headmaster", _("Headmaster")
    DEPUTY = "deputy", _("Deputy headmaster")
    MANAGER = "manager", _("Food-safety manager")
    TEACHER = "teacher", _("Teacher")
    PARENT = "parent", _("Parent representative")


class Meal(models.TextChoices):
    BREAKFAST = "breakfast", _("Breakfast")
    LUNCH = "lunch", _("Lunch")
    DINNER = "dinner", _("Dinner")


class AccompaniedMeal(models.Model):
    """A school leader's or teacher's meal with the pupils (陪餐), recorded on a phone."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="accompanied_meals")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    on = models.DateField(_("date"))
    meal = models.CharField(_("meal"), max_length=10, choices=Meal.choices)
    person = models.CharField(_("person"), max_length=50)
    person_role = models.CharField(_("role"), max_length=12, choices=MealRole.choices)
    notes = models.CharField(_("notes"), max_length=500, blank=True)
    photo = models.FileField(_("photo"), upload_to="meals/", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("accompanied meal")
        verbose_name_plural = _("accompanied meals")
        ordering = ["-on", "meal"]
        constraints = [
            models.CheckConstraint(name="meal_kind_valid", condition=Q(meal__in=Meal.values)),
            models.CheckConstraint(name="meal_role_valid", condition=Q(person_role__in=MealRole.values)),
            models.UniqueConstraint(fields=["school", "on", "meal", "person"], name="meal_person_once"),
        ]
        indexes = [models.Index(fields=["school", "on"], name="meal_school_day_idx")]

    def __str__(self) -> str:
        return f"{self.on} {self.meal} {self.person}"


class CertificateKind(models.TextChoices):
    HACCP = "haccp", _("HACCP")
    ISO22000 = "iso22000", _("ISO 22000")
    OTHER = "other", _("Other management system")


class Certificate(models.Model):
    """A business's management-system certificate (HACCP, ISO 22000 …) with its validity."""

    business = models.ForeignKey(
        Business, verbose_name=_("business"), on_delete=models.CASCADE, related_name="+"
    )
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=CertificateKind.choices)
    issuer = models.CharField(_("issuer"), max_length=100)
    number = models.CharField(_("certificate number"), max_length=60)
    scope = models.CharField(_("scope"), max_length=300, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["valid_until", "id"]
        constraints = [
            models.CheckConstraint(
                name="certificate_kind_valid", condition=Q(kind__in=CertificateKind.values)
            ),
            models.CheckConstraint(
                name="certificate_valid_after_issue", condition=Q(valid_until__gte=models.F("valid_from"))
            ),
            models.UniqueConstraint(fields=["issuer", "number"], name="certificate_issuer_number_unique"),
        ]
        indexes = [models.Index(fields=["business", "valid_until"], name="certificate_business_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"
