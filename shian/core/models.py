"""Core persistence: regions, departments, people and roles, the audit chain, API tokens,
calendar overrides and food categories."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.TextChoices):
    DISTRICT = "district", _("District")
    STREET = "street", _("Street")
    TOWN = "town", _("Town")
    TOWNSHIP = "township", _("Township")
    ZONE = "zone", _("Development zone")
    FARM = "farm", _("Farm")


class Region(models.Model):
    """A node of the jurisdiction tree. The primary key is the GB/T 2260 (or 9-digit township) code,
    so every table that carries a region carries its code (the shard key beyond one machine)."""

    code = models.CharField(_("division code"), max_length=12, primary_key=True)
    name = models.CharField(_("name"), max_length=64)
    level = models.CharField(_("level"), max_length=16, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    population = models.PositiveIntegerField(_("resident population"), default=0)
    population_is_estimate = models.BooleanField(_("population is an estimate"), default=False)
    population_source = models.CharField(_("population source"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    """A member unit of the district food-safety committee (区食品安全委员会成员单位)."""

    code = models.SlugField(_("code"), max_length=40, primary_key=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    short_name = models.CharField(_("short name"), max_length=30)
    # Business types (registry.BusinessType values) whose register this unit may read:
    # the education bureau reads school canteens, the agriculture committee markets, and so on.
    business_types = models.JSONField(_("business types overseen"), default=list, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    DISTRICT_ADMIN = "district_admin", _("District administrator")
    DISTRICT_OFFICER = "district_officer", _("District officer")
    TOWN_OFFICER = "town_officer", _("Town officer")
    DEPARTMENT_LIAISON = "department_liaison", _("Department liaison")
    INSPECTOR = "inspector", _("Inspector")
    LAB = "lab", _("Laboratory")
    VIEWER = "viewer", _("Read-only viewer")
    # A food business's own account (its portal): bound to one business by its credit code.
    BUSINESS = "business", _("Food business")


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=24, choices=Role.choices, default=Role.VIEWER)
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    full_name = models.CharField(_("full name"), max_length=50, blank=True)
    # The unified social credit code of the business a business account acts for (its portal shows
    # that business only). Core does not know the register: the code binds the account to it.
    credit_code = models.CharField(_("business credit code"), max_length=18, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                name="user_town_officer_has_region",
                condition=~Q(role="town_officer") | Q(region__isnull=False),
            ),
            models.CheckConstraint(
                name="user_liaison_has_department",
                condition=~Q(role="department_liaison") | Q(department__isnull=False),
            ),
            models.CheckConstraint(
                name="user_business_has_credit_code",
                condition=~Q(role="business") | ~Q(credit_code=""),
            ),
        ]
        indexes = [models.Index(fields=["credit_code"], name="user_credit_code_idx")]

    def __str__(self) -> str:
        return self.full_name or self.username


class AuditAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Updated")
    DELETE = "delete", _("Deleted")
    IMPORT = "import", _("Imported")
    EXPORT = "export", _("Exported")
    TOKEN = "token", _("API token")
    GENERATE = "generate", _("Generated")


class AuditSource(models.TextChoices):
    WEB = "web", _("Web page")
    API = "api", _("API")
    IMPORT = "import", _("File import")
    COMMAND = "command", _("Command line")
    SYSTEM = "system", _("System")


class AuditEntry(models.Model):
    """One append-only entry of the hash-chained audit log.

    `seq` is assigned from AuditChainHead under a row lock, so entries form one gap-free chain;
    `entry_hash` = SHA-256(previous hash + canonical JSON of this entry). Database triggers
    (migration 0002) refuse UPDATE and DELETE on this table.
    """

    seq = models.BigIntegerField(_("sequence"), unique=True)
    at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        User,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    actor_username = models.CharField(_("actor"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=16, choices=AuditAction.choices)
    source = models.CharField(_("source"), max_length=16, choices=AuditSource.choices)
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    region_code = models.CharField(_("region code"), max_length=12, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-seq"]
        indexes = [
            # A record's own history on its detail page.
            models.Index(fields=["object_type", "object_id", "seq"], name="audit_object_idx"),
            # The audit list filtered by region for a town officer.
            models.Index(fields=["region_code", "seq"], name="audit_region_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"


class AuditChainHead(models.Model):
    """The single row that holds the chain's last sequence number and hash; locked per write."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        constraints = [models.CheckConstraint(name="audit_head_single_row", condition=Q(id=1))]

    def __str__(self) -> str:
        return f"#{self.last_seq} {self.last_hash[:12]}"


class ApiToken(models.Model):
    """A per-user API token. Only its SHA-256 is stored; the token is shown once, at creation."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=60)
    prefix = models.CharField(_("prefix"), max_length=8, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class CalendarOverride(models.Model):
    """A day whose working status differs from the holiday data (a local closure, or a year the
    packaged data does not cover yet: the State Council publishes next year's holidays each autumn)."""

    day = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    note = models.CharField(_("note"), max_length=100, blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day}: {'workday' if self.is_workday else 'rest day'}"


class CalendarYear(models.Model):
    """A year whose official holiday arrangement was loaded from the State Council's notice
    (`shian calendar load`): its days off and make-up working days are CalendarOverride rows, and
    every other day of the year follows Monday to Friday — official, not provisional."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    source = models.CharField(_("source"), max_length=200)
    loaded_at = models.DateTimeField(_("loaded at"), auto_now=True)

    class Meta:
        verbose_name = _("holiday arrangement")
        verbose_name_plural = _("holiday arrangements")
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year}: {self.source}"


class FoodCategory(models.Model):
    """A big category of the national food sampling implementation rules (食品安全抽样检验实施细则)."""

    code = models.CharField(_("code"), max_length=8, primary_key=True)
    name = models.CharField(_("name"), max_length=60, unique=True)
    edition = models.CharField(_("edition"), max_length=10)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("food category")
        verbose_name_plural = _("food categories")
        ordering = ["sort_order"]

    def __str__(self) -> str:
        return self.name


class Coordinator(models.Model):
    """A food-safety coordinator (食品安全协管员) on a town's roster (plan task 二十二: one
    full-time coordinator per 10,000 residents)."""

    name = models.CharField(_("name"), max_length=50)
    region = models.ForeignKey(
        Region, verbose_name=_("town or street"), on_delete=models.PROTECT, related_name="coordinators"
    )
    full_time = models.BooleanField(_("full-time"), default=True)
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    # The roster is kept by the towns and the market regulator on shian.workforce's pages; the code
    # names a coordinator in the grid files.
    code = models.CharField(_("协管员编号"), max_length=40, unique=True, null=True, blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("负责单位"),
        on_delete=models.PROTECT,
        related_name="+",
        default="market",
    )

    class Meta:
        verbose_name = _("coordinator")
        verbose_name_plural = _("coordinators")
        ordering = ["region", "name"]
        constraints = [
            models.CheckConstraint(
                name="coordinator_period_ordered",
                condition=Q(until__isnull=True) | Q(until__gte=models.F("since")),
            ),
        ]

    def __str__(self) -> str:
        return self.name


# -- bookkeeping shared by the records people register ---------------------------------------------


def person_reference(**extra: Any) -> models.ForeignKey[Any, Any]:
    """The person who registered a record or did a step of it. PROTECT keeps an account that did
    anything; no index, as no page looks records up by the person."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        **extra,
    )


class CreatedBy(models.Model):
    """Who registered the record."""

    created_by = person_reference()

    class Meta:
        abstract = True


class Registered(CreatedBy):
    """Who registered the record, and when."""

    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        abstract = True
