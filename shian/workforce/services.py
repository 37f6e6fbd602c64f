"""The writes of the workforce module go through core.unitrecords.unit_record_save (capability,
scope, validation, audit in one transaction). The functions here are what each kind adds before it
is validated: a record's town from the record it belongs to, a business of the register linked by
its credit code, a milestone done only with its evidence."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from shian.core.rules import CodeError, validate_credit_code
from shian.registry.selectors import business_queryset_for_user

from .models import Certification, GridCell, Informant, InsurancePolicy, Milestone, TrainingRecord


def _link_business(record: Any, by: Any, *, required: bool) -> None:
    code = (record.credit_code or "").strip().upper()
    record.business = None
    if not code:
        if required:
            raise ValidationError({"credit_code": _("请填写统一社会信用代码。")})
        return
    try:
        record.credit_code = validate_credit_code(code)
    except CodeError as exc:
        raise ValidationError({"credit_code": str(exc)}) from exc
    record.business = business_queryset_for_user(user=by).filter(credit_code=record.credit_code).first()


def policy_prepare(record: InsurancePolicy, by: Any) -> None:
    _link_business(record, by, required=False)
    if record.business is not None:
        record.region_id = record.business.region_id


def certification_prepare(record: Certification, by: Any) -> None:
    _link_business(record, by, required=True)
    if record.business is not None:
        record.region_id = record.business.region_id


def training_record_prepare(record: TrainingRecord, by: Any) -> None:
    record.region_id = record.inspector.region_id
    if record.session is not None and not record.course:
        record.course = record.session.title
    if record.session is None and not record.course:
        raise ValidationError({"course": _("请填写课程名称，或选择平台上的培训。")})


def grid_cell_prepare(record: GridCell, by: Any) -> None:
    if record.coordinator is not None and record.coordinator.region_id != record.region_id:
        raise ValidationError({"coordinator": _("协管员须属于本网格所在镇街。")})


def informant_prepare(record: Informant, by: Any) -> None:
    record.region_id = record.cell.region_id
    if record.until and record.until < record.since:
        raise ValidationError({"until": _("终止日期不能早于起始日期。")})


def milestone_prepare(record: Milestone, by: Any) -> None:
    if record.done_on and not record.evidence.strip():
        raise ValidationError({"evidence": _("里程碑完成须附证明材料（文号或说明）。")})
