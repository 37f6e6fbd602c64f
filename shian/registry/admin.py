"""The register is edited through its pages, API and importer (one audited write path);
the admin only shows it."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Business


@admin.register(Business)
class BusinessAdmin(admin.ModelAdmin):
    list_display = ("name", "credit_code", "business_type", "region", "status")
    list_filter = ("business_type", "status", "region")
    search_fields = ("name", "credit_code", "business_licence", "production_licence")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
