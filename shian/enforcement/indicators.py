"""Enforcement and credit indicators for the plan's targets: typical cases published per quarter
(T15, plan task 十五), cases per campaign (tasks 十五–十七), transfers to the police, and the share
of penalty decisions, unqualified sampling results and disposals filed to the national enterprise
credit information system (T21, task 二十一)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet

from shian.core.indicators import Compute, Indicator, IndicatorResult, Period, register
from shian.sampling.models import DisposalStatus, DisposalTask, Sample, StatusChange, Verdict
from shian.sampling.workflow import SampleStatus

from .models import (
    Campaign,
    Case,
    CaseCampaign,
    CreditFiling,
    CreditKind,
    PublicationStatus,
    Transfer,
    TypicalCase,
)


def typical_case_quarters(period: Period, regions: frozenset[str] | None) -> IndicatorResult:
    """Quarters of the period in which at least one batch of typical cases was published (T15:
    "定期公布典型案例（每季度至少一批）", counted in 批 = quarters with a publication)."""
    qs = TypicalCase.objects.filter(published_on__gte=period.start, published_on__lte=period.end)
    if regions is not None:
        qs = qs.filter(region_id__in=regions)
    quarters = set(qs.values_list("year", "quarter").distinct())
    by_region: dict[str, tuple[Decimal, Decimal | None]] = {}
    for code, n in qs.values("region_id").annotate(n=Count("id")).values_list("region_id", "n"):
        by_region[code] = (Decimal(n), None)
    return IndicatorResult(Decimal(len(quarters)), None, Decimal(1), by_region=by_region)


def _decided(period: Period, regions: frozenset[str] | None) -> QuerySet[Case]:
    qs = Case.objects.filter(decided_on__gte=period.start, decided_on__lte=period.end)
    return qs.filter(region_id__in=regions) if regions is not None else qs


def credit_due(period: Period, regions: frozenset[str] | None) -> dict[str, QuerySet[Any]]:
    """The records of the period to be filed to the national enterprise credit information system,
    by kind (plan task 二十一: "将食品抽检结果、核查处置信息等有序归集至国家企业信用信息公示系统", and
    the penalty decisions): penalty decisions to be published (45号令第二条: all but a warning
    alone) made in the period, samples judged unqualified in the period, disposal tasks closed in
    the period."""
    cases = (
        _decided(period, regions)
        .filter(publication__isnull=False)
        .exclude(publication__status=PublicationStatus.WITHDRAWN)
    )
    samples = Sample.objects.filter(
        conclusion=Verdict.UNQUALIFIED,
        pk__in=StatusChange.objects.filter(
            to_status=SampleStatus.JUDGED_UNQUALIFIED, on__gte=period.start, on__lte=period.end
        ).values("sample_id"),
    )
    tasks = DisposalTask.objects.filter(
        status=DisposalStatus.CLOSED, closed_on__gte=period.start, closed_on__lte=period.end
    )
    if regions is not None:
        samples = samples.filter(region_id__in=regions)
        tasks = tasks.filter(region_id__in=regions)
    return {CreditKind.PENALTY: cases, CreditKind.SAMPLING: samples, CreditKind.DISPOSAL: tasks}


# The filing's field naming the record of each kind.
_FILED_BY: dict[str, str] = {
    CreditKind.PENALTY: "case",
    CreditKind.SAMPLING: "sample",
    CreditKind.DISPOSAL: "disposal",
}


def results_filed(period: Period, regions: frozenset[str] | None) -> IndicatorResult:
    """Records of the period filed to the national system ÷ records to be filed × 100 (T21): penalty
    decisions, unqualified sampling results and closed disposals (credit_due), each counted once."""
    totals: dict[str, int] = {}
    filed: dict[str, int] = {}
    for kind, due in credit_due(period, regions).items():
        for code, n in due.values("region_id").annotate(n=Count("id")).values_list("region_id", "n"):
            totals[code] = totals.get(code, 0) + n
        field = _FILED_BY[kind]
        rows = (
            CreditFiling.objects.filter(kind=kind, **{f"{field}__in": due})
            .values("region_id")
            .annotate(n=Count(f"{field}_id", distinct=True))
            .values_list("region_id", "n")
        )
        for code, n in rows:
            filed[code] = filed.get(code, 0) + n
    if not totals:
        return IndicatorResult(
            Decimal(0),
            None,
            Decimal(100),
            missing=True,
            note="期内没有应归集的处罚决定、抽检不合格或核查处置信息",
        )
    by_region = {c: (Decimal(filed.get(c, 0)), Decimal(n)) for c, n in totals.items()}
    return IndicatorResult(
        Decimal(sum(filed.values())), Decimal(sum(totals.values())), Decimal(100), by_region=by_region
    )


def _campaign_cases(campaign: str) -> Compute:
    def compute(period: Period, regions: frozenset[str] | None) -> IndicatorResult:
        qs = CaseCampaign.objects.filter(
            campaign=campaign, case__filed_on__gte=period.start, case__filed_on__lte=period.end
        )
        if regions is not None:
            qs = qs.filter(case__region_id__in=regions)
        rows = dict(
            qs.values("case__region_id").annotate(n=Count("case_id")).values_list("case__region_id", "n")
        )
        return IndicatorResult(
            Decimal(sum(rows.values())),
            None,
            Decimal(1),
            by_region={c: (Decimal(n), None) for c, n in rows.items()},
        )

    return compute


def transfers(period: Period, regions: frozenset[str] | None) -> IndicatorResult:
    qs = Transfer.objects.filter(transferred_on__gte=period.start, transferred_on__lte=period.end)
    if regions is not None:
        qs = qs.filter(region_id__in=regions)
    rows = dict(qs.values("region_id").annotate(n=Count("id")).values_list("region_id", "n"))
    return IndicatorResult(
        Decimal(sum(rows.values())),
        None,
        Decimal(1),
        by_region={c: (Decimal(n), None) for c, n in rows.items()},
    )


register(
    Indicator(
        code="enforcement.typical_case_quarters",
        name="公布典型案例的季度数",
        unit="批",
        module="enforcement",
        description="期内发布了典型案例的季度数（每季度至少一批）",
        compute=typical_case_quarters,
        records_url="enforcement:typical_list",
    )
)
register(
    Indicator(
        code="enforcement.results_filed",
        name="信用信息归集至国家企业信用信息公示系统的比例",
        unit="%",
        module="enforcement",
        description="期内应归集的行政处罚决定、食品抽检不合格结果和核查处置信息中已归集的比例",
        compute=results_filed,
        factor=Decimal(100),
        records_url="enforcement:filing_list",
    )
)
for _code, _name in (
    (Campaign.IRON_FIST, "铁拳行动立案数"),
    (Campaign.KUNLUN, "昆仑行动立案数"),
    (Campaign.RURAL_COUNTERFEIT, "农村假冒伪劣食品整治立案数"),
):
    register(
        Indicator(
            code=f"enforcement.cases_{_code}",
            name=_name,
            unit="件",
            module="enforcement",
            description=f"期内立案并标注“{Campaign(_code).label}”的案件数",
            compute=_campaign_cases(_code),
            records_url="enforcement:case_list",
        )
    )
register(
    Indicator(
        code="enforcement.transfers",
        name="移送公安机关案件数",
        unit="件",
        module="enforcement",
        description="期内移送公安机关的涉嫌犯罪案件数（行刑衔接）",
        compute=transfers,
        records_url="enforcement:case_list",
    )
)
