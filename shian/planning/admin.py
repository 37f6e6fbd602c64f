"""Admin for the plan's reference data entered by hand: "你点我检" votes (任务（二十六）), audited
like every other write (core.admin.AuditedAdmin)."""

from __future__ import annotations

from django.contrib import admin

from shian.core.admin import AuditedAdmin

from .models import SamplingVote


@admin.register(SamplingVote)
class SamplingVoteAdmin(AuditedAdmin):
    list_display = ("year", "category", "count", "source_note", "updated_at")
    list_filter = ("year",)
    search_fields = ("category__name", "source_note")
