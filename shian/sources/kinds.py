"""The kinds of record the sources module keeps, for core.unitrecords (pages, API, xlsx)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shian.core.unitrecords import Kind, Registry, register_kinds

from . import services
from .models import (
    CertificateCheck,
    CertificateIssue,
    FarmlandPlot,
    GrainLot,
    GrainSample,
    GrainStore,
    GrainTest,
    PhaseOut,
    Producer,
    SafeUseMeasure,
)

KINDS = Registry(
    "sources",
    pages=[
        (_("粮食监测"), "sources:grain"),
        (_("禁限用农药名录"), "sources:pesticides"),
        (_("检出禁限用农药"), "sources:banned_hits"),
    ],
)
KINDS.add(
    Kind(
        "producers",
        Producer,
        _("农产品生产主体"),
        ("code", "name", "kind", "credit_code", "products", "active"),
        "agriculture",
        units=("agriculture",),
        key="code",
        prepare=services.producer_prepare,
        order_by=("code",),
        help=_(
            "农产品生产企业、农民专业合作社和收购主体须开具承诺达标合格证（《农产品质量安全法》第三十九条）。"
        ),
    )
)
KINDS.add(
    Kind(
        "certificates",
        CertificateIssue,
        _("合格证开具"),
        ("producer", "product", "quantity", "unit", "issued_on", "count"),
        "agriculture",
        units=("agriculture",),
        prepare=services.certificate_prepare,
        select_related=("producer",),
        order_by=("-issued_on", "-pk"),
    )
)
KINDS.add(
    Kind(
        "certificate-checks",
        CertificateCheck,
        _("市场合格证查验"),
        ("market", "checked_on", "product", "batches_checked", "batches_with_certificate"),
        "agriculture",
        units=("agriculture",),
        extra_columns=((_("附证率（%）"), "match_rate"),),
        order_by=("-checked_on", "-pk"),
    )
)
KINDS.add(
    Kind(
        "phase-outs",
        PhaseOut,
        _("高毒农药淘汰"),
        ("substance", "dealers_checked", "stock_recovered_kg", "completed_on", "note"),
        "agriculture",
        units=("agriculture",),
        prepare=services.phase_out_prepare,
        order_by=("substance",),
    )
)
KINDS.add(
    Kind(
        "grain-stores",
        GrainStore,
        _("粮库"),
        ("code", "name", "capacity_tonnes"),
        "grain",
        units=("grain",),
        key="code",
        order_by=("code",),
    )
)
KINDS.add(
    Kind(
        "grain-lots",
        GrainLot,
        _("粮食批次"),
        ("code", "store", "grain", "harvest_year", "tonnes", "received_on", "shipped_on"),
        "grain",
        units=("grain",),
        key="code",
        prepare=services.lot_prepare,
        select_related=("store",),
        order_by=("-received_on", "code"),
    )
)
KINDS.add(
    Kind(
        "grain-tests",
        GrainTest,
        _("出入库检验"),
        ("lot", "direction", "lab", "report_no", "tested_on", "cadmium_mg_kg", "other_items_qualified"),
        "grain",
        units=("grain",),
        prepare=services.grain_test_prepare,
        extra_columns=((_("结论"), "verdict"),),
        select_related=("lot",),
        order_by=("-tested_on", "-pk"),
    )
)
KINDS.add(
    Kind(
        "grain-samples",
        GrainSample,
        _("粮食监测样品"),
        ("code", "store", "grain", "sampled_on", "items", "qualified"),
        "grain",
        units=("grain",),
        key="code",
        prepare=services.grain_sample_prepare,
        select_related=("store",),
        order_by=("-sampled_on", "code"),
    )
)
KINDS.add(
    Kind(
        "farmland-plots",
        FarmlandPlot,
        _("耕地地块"),
        ("code", "village", "area_mu", "soil_class", "crop"),
        "ecology",
        key="code",
        partners=("agriculture",),
        units=("ecology", "agriculture"),
        order_by=("code",),
    )
)
KINDS.add(
    Kind(
        "safe-use-measures",
        SafeUseMeasure,
        _("安全利用措施"),
        ("plot", "year", "measure", "implemented_on", "checked_on", "check_passed"),
        "agriculture",
        units=("agriculture", "ecology"),
        partners=("ecology",),
        prepare=services.measure_prepare,
        select_related=("plot",),
        order_by=("-year", "-pk"),
    )
)
register_kinds(KINDS)
