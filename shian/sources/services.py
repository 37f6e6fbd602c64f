"""The writes of the sources module. Every record goes through core.unitrecords.unit_record_save
(capability, scope, validation, audit in one transaction); the functions here are the rules each
kind adds before it is validated: a producer linked to the register, a lot's region from its store,
a test's verdict from GB 2762, a measure that fits its plot's class."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from shian.core.rules import CodeError, validate_credit_code
from shian.registry.selectors import business_queryset_for_user

from . import rules
from .models import (
    CertificateIssue,
    FarmlandPlot,
    GrainLot,
    GrainSample,
    GrainTest,
    PhaseOut,
    Producer,
    SafeUseMeasure,
)


def producer_prepare(record: Producer, by: Any) -> None:
    """A producer that is a business of the register is linked to it by its credit code."""
    record.credit_code = (record.credit_code or "").strip().upper()
    record.business = None
    if record.credit_code:
        try:
            record.credit_code = validate_credit_code(record.credit_code)
        except CodeError as exc:
            raise ValidationError({"credit_code": str(exc)}) from exc
        record.business = business_queryset_for_user(user=by).filter(credit_code=record.credit_code).first()


def certificate_prepare(record: CertificateIssue, by: Any) -> None:
    record.region_id = record.producer.region_id


def phase_out_prepare(record: PhaseOut, by: Any) -> None:
    listed = rules.phase_out_substances()
    if record.substance not in listed:
        raise ValidationError(
            {
                "substance": _("“%(s)s”不在淘汰名单内（%(list)s）。")
                % {"s": record.substance, "list": "、".join(listed)}
            }
        )


def lot_prepare(record: GrainLot, by: Any) -> None:
    record.region_id = record.store.region_id
    if record.shipped_on and record.shipped_on < record.received_on:
        raise ValidationError({"shipped_on": _("出库日期不能早于入库日期。")})


def grain_test_prepare(record: GrainTest, by: Any) -> None:
    """Plan task 八: cadmium is mandatory for rice; the verdict follows GB 2762's cadmium limit and
    the other items."""
    lot = record.lot
    record.region_id = lot.region_id
    if record.tested_on < lot.received_on and record.direction == "outgoing":
        raise ValidationError({"tested_on": _("出库检验日期不能早于入库日期。")})
    mandatory = rules.cadmium_mandatory(lot.grain, on=record.tested_on)
    if record.cadmium_mg_kg is None:
        if mandatory:
            raise ValidationError({"cadmium_mg_kg": _("稻谷出入库检验必须检测镉（计划任务八）。")})
        record.verdict = "qualified" if record.other_items_qualified else "unqualified"
        return
    cd = rules.cadmium_verdict(lot.grain, record.cadmium_mg_kg, on=record.tested_on)
    record.verdict = "qualified" if cd == "qualified" and record.other_items_qualified else "unqualified"


def grain_sample_prepare(record: GrainSample, by: Any) -> None:
    if record.store is not None:
        record.region_id = record.store.region_id


def measure_prepare(record: SafeUseMeasure, by: Any) -> None:
    plot: FarmlandPlot = record.plot
    record.region_id = plot.region_id
    if plot.soil_class == "priority":
        raise ValidationError({"plot": _("优先保护类耕地无需安全利用措施。")})
    if not rules.measure_fits(plot.soil_class, record.measure, on=record.implemented_on):
        raise ValidationError(
            {
                "measure": _("该措施不适用于%(cls)s耕地（《土壤污染防治法》第五十三条、第五十四条）。")
                % {"cls": plot.get_soil_class_display()}
            }
        )
    if record.checked_on and record.checked_on < record.implemented_on:
        raise ValidationError({"checked_on": _("核查日期不能早于落实日期。")})
    if record.check_passed and not record.checked_on:
        raise ValidationError({"checked_on": _("核查通过须填写核查日期。")})
