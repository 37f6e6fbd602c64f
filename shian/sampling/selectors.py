"""Reads of sampling, all through one scope: a lab sees the samples sent to it; everyone else sees
the samples of their towns (core.scoping). "Not yours" and "missing" are the same 404."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from shian.core.models import Role
from shian.core.scoping import scope_for

from .models import DisposalTask, Lab, LabMember, Sample, SampleDeadline, Verdict


def lab_for_user(user: Any) -> Lab | None:
    """The lab a lab user belongs to (None for everyone else, or a lab user not yet linked)."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "role", None) != Role.LAB:
        return None
    member = LabMember.objects.select_related("lab").filter(user=user).first()
    return member.lab if member is not None and member.lab.active else None


def sample_scope(user: Any) -> Q:
    """The one filter deciding which samples a person may see."""
    if getattr(user, "is_authenticated", False) and user.role == Role.LAB and not user.is_superuser:
        lab = lab_for_user(user)
        return Q(lab=lab) if lab is not None else Q(pk__in=[])
    return scope_for(user).q(region_field="region", type_field="business__business_type")


def samples_for_user(user: Any) -> QuerySet[Sample]:
    return Sample.objects.filter(sample_scope(user))


@dataclass(frozen=True)
class SampleFilters:
    q: str = ""
    status: str = ""
    region: str = ""
    category: str = ""
    overdue: bool = False
    conclusion: str = ""

    @classmethod
    def from_mapping(cls, data: Any) -> SampleFilters:
        return cls(
            q=str(data.get("q", "") or "").strip()[:60],
            status=str(data.get("status", "") or ""),
            region=str(data.get("region", "") or ""),
            category=str(data.get("category", "") or "").strip()[:60],
            overdue=str(data.get("overdue", "")) in ("1", "on", "true"),
            conclusion=str(data.get("conclusion", "") or ""),
        )

    def as_query(self) -> dict[str, str]:
        out = {k: str(v) for k, v in self.__dict__.items() if v and not isinstance(v, bool)}
        if self.overdue:
            out["overdue"] = "1"
        return out


def overdue_deadlines(today: dt.date) -> QuerySet[SampleDeadline]:
    return SampleDeadline.objects.filter(met_on__isnull=True, due__lt=today)


def sample_list_for_user(*, user: Any, filters: SampleFilters, today: dt.date) -> QuerySet[Sample]:
    qs = samples_for_user(user).select_related("region", "business", "lab")
    f = filters
    if f.q:
        qs = qs.filter(
            Q(code__icontains=f.q) | Q(food_name__icontains=f.q) | Q(business__name__icontains=f.q)
        )
    if f.status:
        qs = qs.filter(status=f.status)
    if f.region:
        qs = qs.filter(region_id=f.region)
    if f.category:
        qs = qs.filter(category_path__icontains=f.category)
    if f.conclusion:
        qs = qs.filter(conclusion=f.conclusion)
    if f.overdue:
        qs = qs.filter(Exists(overdue_deadlines(today).filter(sample=OuterRef("pk"))))
    return qs.order_by("-sampled_on", "-id")


def sample_get_for_user(*, user: Any, pk: int) -> Sample:
    sample = samples_for_user(user).select_related("region", "business", "lab").filter(pk=pk).first()
    if sample is None:
        raise Http404
    return sample


def unqualified_list_for_user(*, user: Any) -> QuerySet[Sample]:
    return (
        samples_for_user(user)
        .filter(conclusion=Verdict.UNQUALIFIED)
        .select_related("region", "business", "disposal")
        .order_by("-sampled_on", "-id")
    )


def disposal_tasks_for_user(user: Any) -> QuerySet[DisposalTask]:
    """Disposal tasks are the town's work: a lab never sees them."""
    if getattr(user, "role", None) == Role.LAB and not user.is_superuser:
        return DisposalTask.objects.none()
    scope = scope_for(user)
    return scope.apply(
        DisposalTask.objects.all(), region_field="region", type_field="sample__business__business_type"
    )


def disposal_get_for_user(*, user: Any, pk: int) -> DisposalTask:
    task = (
        disposal_tasks_for_user(user)
        .select_related("sample", "region", "sample__business")
        .filter(pk=pk)
        .first()
    )
    if task is None:
        raise Http404
    return task
