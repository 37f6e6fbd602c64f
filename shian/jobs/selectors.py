"""Reads of jobs: a person sees their own jobs and nobody else's (another's job is a 404, as a
missing one)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from .models import Job


def job_list_for_user(*, user: Any, limit: int = 50) -> QuerySet[Job]:
    if not getattr(user, "is_authenticated", False):
        return Job.objects.none()
    return Job.objects.filter(owner=user).order_by("-created_at", "-id")[:limit]


def job_get_for_user(*, user: Any, pk: Any) -> Job:
    try:
        return Job.objects.get(pk=int(pk), owner_id=user.pk)
    except (Job.DoesNotExist, TypeError, ValueError):
        raise Http404 from None
