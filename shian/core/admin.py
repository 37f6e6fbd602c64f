"""Admin for the jurisdiction's reference data. Every admin save and delete is audited in the
same transaction (the admin wraps each change view in one), like any other write."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db import models, transaction
from django.http import HttpRequest

from .audit import AuditEvent, audit_record, snapshot
from .models import (
    AuditAction,
    AuditEntry,
    AuditSource,
    CalendarOverride,
    Coordinator,
    Department,
    FoodCategory,
    Region,
    User,
)

_SECRET_FIELDS = {"password"}


class AuditedAdmin(admin.ModelAdmin):
    def _state(self, obj: models.Model) -> dict[str, Any]:
        state = snapshot(obj)
        return {k: ("(changed)" if k in _SECRET_FIELDS else v) for k, v in state.items()}

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            before = self._state(type(obj).objects.get(pk=obj.pk)) if change and obj.pk else None
            super().save_model(request, obj, form, change)
            after = self._state(obj)
            if before is not None:
                keys = [k for k in after if before.get(k) != after.get(k)]
                before, after = {k: before.get(k) for k in keys}, {k: after[k] for k in keys}
            audit_record(
                actor=request.user if isinstance(request.user, User) else None,
                source=AuditSource.WEB,
                event=AuditEvent(
                    action=AuditAction.UPDATE if change else AuditAction.CREATE,
                    object_type=obj._meta.label_lower,
                    object_id=str(obj.pk),
                    object_repr=str(obj),
                    region_code=getattr(obj, "code", "") if isinstance(obj, Region) else "",
                    before=before,
                    after=after,
                ),
            )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            before = self._state(obj)
            pk, label, text = obj.pk, obj._meta.label_lower, str(obj)
            super().delete_model(request, obj)
            audit_record(
                actor=request.user if isinstance(request.user, User) else None,
                source=AuditSource.WEB,
                event=AuditEvent(
                    action=AuditAction.DELETE,
                    object_type=label,
                    object_id=str(pk),
                    object_repr=text,
                    before=before,
                ),
            )

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(Region)
class RegionAdmin(AuditedAdmin):
    list_display = ("code", "name", "level", "parent", "population", "population_is_estimate")
    list_filter = ("level", "population_is_estimate")
    search_fields = ("code", "name")


@admin.register(Department)
class DepartmentAdmin(AuditedAdmin):
    list_display = ("code", "name", "short_name", "sort_order")


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(AuditedAdmin):
    list_display = ("day", "is_workday", "note", "source")


@admin.register(Coordinator)
class CoordinatorAdmin(AuditedAdmin):
    """The towns' roster of food-safety coordinators (plan task 二十二: one per 10,000 residents)."""

    list_display = ("name", "region", "full_time", "since", "until")
    list_filter = ("region", "full_time")
    search_fields = ("name",)


@admin.register(FoodCategory)
class FoodCategoryAdmin(AuditedAdmin):
    list_display = ("code", "name", "edition")


@admin.register(User)
class ShianUserAdmin(AuditedAdmin, UserAdmin):
    list_display = ("username", "full_name", "role", "region", "department", "is_active")
    list_filter = ("role", "region", "department", "is_active")
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("shian", {"fields": ("full_name", "role", "region", "department", "credit_code")}),
    )


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the log is append-only."""

    list_display = ("seq", "at", "actor_username", "action", "source", "object_type", "object_repr")
    list_filter = ("action", "source", "object_type")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
