"""Admin of the labs and their accounts: the office registers a lab and links each lab user to it
(a lab user sees only the samples sent to its lab). Every save and delete is audited in the same
transaction, as in core's admin."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _

from shian.core.admin import AuditedAdmin
from shian.core.models import Role, User

from .models import Lab, LabMember


class LabMemberInline(admin.TabularInline):
    """Read-only list of a lab's accounts on the lab's page; they are linked on the member page."""

    model = LabMember
    extra = 0
    can_delete = False
    fields = ("user",)
    readonly_fields = ("user",)
    verbose_name = "账号"
    verbose_name_plural = "本机构账号（在“lab members”中关联）"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Lab)
class LabAdmin(AuditedAdmin):
    list_display = ("name", "cma_number", "active", "member_count")
    list_filter = ("active",)
    search_fields = ("name", "cma_number")
    inlines = (LabMemberInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Lab]:
        return super().get_queryset(request).annotate(n_members=Count("members"))

    @admin.display(description="账号数", ordering="n_members")
    def member_count(self, obj: Lab) -> int:
        return int(getattr(obj, "n_members", 0))


class LabMemberForm(forms.ModelForm):
    class Meta:
        model = LabMember
        fields = ("user", "lab")

    def clean_user(self) -> User:
        user: User = self.cleaned_data["user"]
        # The same rule as services.lab_member_set: only a lab account belongs to a lab.
        if user.role != Role.LAB:
            raise forms.ValidationError(
                _("账号“%(user)s”的角色不是“检验机构”，不能关联到承检机构。"), params={"user": user.username}
            )
        return user


@admin.register(LabMember)
class LabMemberAdmin(AuditedAdmin):
    form = LabMemberForm
    list_display = ("user", "user_full_name", "lab")
    list_filter = ("lab",)
    search_fields = ("user__username", "user__full_name", "lab__name")
    list_select_related = ("user", "lab")

    @admin.display(description="姓名", ordering="user__full_name")
    def user_full_name(self, obj: LabMember) -> str:
        return obj.user.full_name

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "user":
            kwargs["queryset"] = User.objects.filter(role=Role.LAB).order_by("username")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
