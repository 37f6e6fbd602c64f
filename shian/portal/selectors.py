"""Reads of the business portal. A business account reads its own business's records only
(core.scoping.own_credit_code); staff read the reports businesses filed through their regional
scope (core.scoping.scope_for). Either way a record that is not the reader's is a 404."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from shian.core.models import Role, User
from shian.core.scoping import get_scoped_or_404, own_credit_code, scope_for
from shian.inspections.models import Finding, Inspection, InspectionStatus, Rectification
from shian.registry.models import Business, BusinessStatus
from shian.risk.models import RiskGrade
from shian.sampling.models import Sample, SampleDeadline
from shian.sampling.workflow import SampleStatus

from . import rules
from .models import AccountRequest, RectificationReport, ReviewStatus, SelfInspectionReport

# A sample's result is the business's to see once it is judged (the result notice, 第八十七条).
RESULT_VISIBLE = (
    SampleStatus.JUDGED_QUALIFIED,
    SampleStatus.JUDGED_UNQUALIFIED,
    SampleStatus.NOTIFIED,
    SampleStatus.RETEST,
    SampleStatus.OBJECTION,
    SampleStatus.DISPOSAL,
    SampleStatus.CLOSED,
)


def _pk(pk: Any) -> int:
    try:
        return int(pk)
    except (TypeError, ValueError):
        raise Http404 from None


# ------------------------------------------------------------------ the business's own records


def own_business(*, user: Any) -> Business:
    """The business a business account acts for; 404 for anyone else or when the register does
    not hold the account's credit code."""
    code = own_credit_code(user)
    business = Business.objects.select_related("region").filter(credit_code=code).first() if code else None
    if business is None:
        raise Http404
    return business


def own_inspections(*, user: Any) -> QuerySet[Inspection]:
    business = own_business(user=user)
    return Inspection.objects.filter(business=business, status=InspectionStatus.SUBMITTED).order_by(
        "-inspected_on", "-id"
    )


def own_inspection_get(*, user: Any, pk: Any) -> Inspection:
    inspection = own_inspections(user=user).filter(pk=_pk(pk)).first()
    if inspection is None:
        raise Http404
    return inspection


def own_findings(*, inspection: Inspection) -> QuerySet[Finding]:
    return inspection.findings.select_related("rectification").order_by("id")


def own_rectifications(*, user: Any) -> QuerySet[Rectification]:
    business = own_business(user=user)
    pending = RectificationReport.objects.filter(rectification=OuterRef("pk"), status=ReviewStatus.SUBMITTED)
    return (
        Rectification.objects.filter(finding__inspection__business=business)
        .select_related("finding__inspection")
        .annotate(report_pending=Exists(pending))
        .order_by("status", "due", "id")
    )


def own_rectification_get(*, user: Any, pk: Any) -> Rectification:
    r = own_rectifications(user=user).filter(pk=_pk(pk)).first()
    if r is None:
        raise Http404
    return r


def reports_of(*, rectification: Rectification) -> QuerySet[RectificationReport]:
    return RectificationReport.objects.filter(rectification=rectification).prefetch_related("photos")


def own_samples(*, user: Any) -> QuerySet[Sample]:
    business = own_business(user=user)
    return (
        Sample.objects.filter(business=business)
        .exclude(status=SampleStatus.CANCELLED)
        .order_by("-sampled_on", "-id")
    )


def own_sample_get(*, user: Any, pk: Any) -> Sample:
    sample = own_samples(user=user).filter(pk=_pk(pk)).first()
    if sample is None:
        raise Http404
    return sample


def result_visible(sample: Sample) -> bool:
    return sample.status in RESULT_VISIBLE


def sample_deadlines(*, sample: Sample) -> QuerySet[SampleDeadline]:
    return sample.deadlines.order_by("due")


def own_grade(*, user: Any) -> RiskGrade | None:
    return RiskGrade.objects.filter(business=own_business(user=user)).first()


def own_self_inspections(*, user: Any) -> QuerySet[SelfInspectionReport]:
    return SelfInspectionReport.objects.filter(business=own_business(user=user))


def own_self_inspection_get(*, user: Any, pk: Any) -> SelfInspectionReport:
    report = own_self_inspections(user=user).filter(pk=_pk(pk)).first()
    if report is None:
        raise Http404
    return report


def licence_state(*, business: Business, today: dt.date) -> rules.LicenceState:
    return rules.licence_state(
        valid_until=business.licence_valid_until, today=today, rule=rules.licence_warning_in_force(today)
    )


def self_inspection_owed(*, business: Business, today: dt.date) -> bool:
    return rules.self_inspection_owed(
        business_type=business.business_type, rule=rules.self_inspection_rule_in_force(today)
    )


# ------------------------------------------------------------------ staff: what businesses filed


def rectification_reports_for_user(*, user: Any, status: str = "") -> QuerySet[RectificationReport]:
    qs = scope_for(user).apply(
        RectificationReport.objects.all(), region_field="region_id", type_field="business__business_type"
    )
    if status in ReviewStatus.values:
        qs = qs.filter(status=status)
    return qs.select_related("business", "rectification__finding", "submitted_by").order_by("-submitted_at")


def rectification_report_get_for_user(*, user: Any, pk: Any) -> RectificationReport:
    return get_scoped_or_404(
        RectificationReport.objects.select_related("business", "rectification__finding__inspection"),
        user,
        pk,
        region_field="region_id",
        type_field="business__business_type",
    )


def self_inspections_for_user(
    *, user: Any, year: int | None = None, status: str = ""
) -> QuerySet[SelfInspectionReport]:
    qs = scope_for(user).apply(
        SelfInspectionReport.objects.all(), region_field="region_id", type_field="business__business_type"
    )
    if year:
        qs = qs.filter(year=year)
    if status in ReviewStatus.values:
        qs = qs.filter(status=status)
    return qs.select_related("business", "region").order_by("-year", "-submitted_on", "-id")


def self_inspection_get_for_user(*, user: Any, pk: Any) -> SelfInspectionReport:
    return get_scoped_or_404(
        SelfInspectionReport.objects.select_related("business"),
        user,
        pk,
        region_field="region_id",
        type_field="business__business_type",
    )


def self_inspection_missing_for_user(*, user: Any, year: int, today: dt.date) -> QuerySet[Business]:
    """Producers in the reader's scope that owe the year's report and have no standing one."""
    rule = rules.self_inspection_rule_in_force(today)
    standing = SelfInspectionReport.objects.filter(business=OuterRef("pk"), year=year).exclude(
        status=ReviewStatus.RETURNED
    )
    qs = scope_for(user).apply(
        Business.objects.filter(business_type__in=rule.business_types, status=BusinessStatus.ACTIVE),
        region_field="region_id",
        type_field="business_type",
    )
    return qs.filter(~Exists(standing)).select_related("region").order_by("region_id", "name")


def business_accounts_of(*, business: Business) -> QuerySet[User]:
    """The portal accounts bound to a business's credit code (for the office's business page)."""
    if not business.credit_code:
        return User.objects.none()
    return User.objects.filter(role=Role.BUSINESS, credit_code=business.credit_code).order_by("username")


def account_requests_for_user(*, user: Any, status: str = "pending") -> QuerySet[AccountRequest]:
    qs = scope_for(user).apply(
        AccountRequest.objects.all(), region_field="region_id", type_field="business__business_type"
    )
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("business", "region").order_by("-requested_at")


def account_request_get_for_user(*, user: Any, pk: Any) -> AccountRequest:
    return get_scoped_or_404(
        AccountRequest.objects.select_related("business", "region"),
        user,
        pk,
        region_field="region_id",
        type_field="business__business_type",
    )
