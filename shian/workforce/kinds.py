"""The kinds of record the workforce module keeps, for core.unitrecords (pages, API, xlsx). The
coordinator roster (core.Coordinator) is kept here too, by the towns and the market regulator."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shian.core.models import Coordinator
from shian.core.unitrecords import Kind, Registry, register_kinds

from . import services
from .models import (
    Certification,
    Expert,
    GridCell,
    Informant,
    Inspector,
    InsurancePolicy,
    Milestone,
    PublicityEvent,
    ScienceProject,
    TrainingRecord,
    TrainingSession,
)

KINDS = Registry(
    "workforce",
    pages=[(_("协管员配备"), "workforce:coordinators"), (_("检查员学时"), "workforce:inspector_hours")],
)
KINDS.add(
    Kind(
        "inspectors",
        Inspector,
        _("检查员"),
        ("cert_no", "name", "qualification", "professional", "cert_valid_until", "active"),
        "market",
        key="cert_no",
        units=("market",),
        order_by=("region", "name"),
    )
)
KINDS.add(
    Kind(
        "training-records",
        TrainingRecord,
        _("检查员学时"),
        ("inspector", "session", "course", "hours", "completed_on"),
        "market",
        units=("market",),
        prepare=services.training_record_prepare,
        select_related=("inspector",),
        order_by=("-completed_on", "-pk"),
    )
)
KINDS.add(
    Kind(
        "coordinators",
        Coordinator,
        _("协管员"),
        ("code", "name", "full_time", "since", "until", "phone"),
        "market",
        key="code",
        towns_keep=True,
        units=("market",),
        order_by=("region", "name"),
        help=_("按常住人口每万人配备1名食品安全专职协管员（计划任务二十二）。"),
    )
)
KINDS.add(
    Kind(
        "grid-cells",
        GridCell,
        _("网格"),
        ("code", "name", "villages", "population", "coordinator", "agricultural"),
        "market",
        key="code",
        towns_keep=True,
        units=("market", "agriculture"),
        partners=("agriculture",),
        prepare=services.grid_cell_prepare,
        select_related=("coordinator",),
        order_by=("code",),
    )
)
KINDS.add(
    Kind(
        "informants",
        Informant,
        _("信息员"),
        ("cell", "name", "phone", "since", "until"),
        "market",
        towns_keep=True,
        units=("market", "agriculture"),
        partners=("agriculture",),
        prepare=services.informant_prepare,
        select_related=("cell",),
        order_by=("cell", "name"),
    )
)
KINDS.add(
    Kind(
        "experts",
        Expert,
        _("专家委员"),
        ("name", "field", "organisation", "appointed_on", "term_until"),
        "office",
        units=("office", "market"),
        order_by=("name",),
    )
)
KINDS.add(
    Kind(
        "training",
        TrainingSession,
        _("培训"),
        ("code", "title", "kind", "audience", "held_on", "hours", "attendance", "tested", "passed"),
        "office",
        key="code",
        towns_keep=True,
        extra_columns=((_("合格率（%）"), "pass_rate"),),
        order_by=("-held_on", "-pk"),
        help=_("食品安全标准宣贯培训计入计划任务十八。"),
    )
)
KINDS.add(
    Kind(
        "publicity",
        PublicityEvent,
        _("宣传活动"),
        ("title", "kind", "held_on", "reach", "channel"),
        "office",
        towns_keep=True,
        order_by=("-held_on", "-pk"),
        help=_("食品安全宣传周活动计入计划任务二十七。"),
    )
)
KINDS.add(
    Kind(
        "insurance",
        InsurancePolicy,
        _("食品安全责任保险"),
        ("policy_no", "insured", "credit_code", "sector", "insurer", "cover_10k_yuan", "starts", "ends"),
        "market",
        key="policy_no",
        units=("market", "education", "finance", "civil_affairs"),
        prepare=services.policy_prepare,
        order_by=("-starts", "-pk"),
    )
)
KINDS.add(
    Kind(
        "certifications",
        Certification,
        _("体系认证"),
        ("cert_no", "holder", "credit_code", "scheme", "valid_until"),
        "industry",
        key="cert_no",
        units=("industry", "market"),
        prepare=services.certification_prepare,
        order_by=("holder",),
    )
)
KINDS.add(
    Kind(
        "science",
        ScienceProject,
        _("科技项目"),
        ("title", "organisation", "funding_10k_yuan", "started_on", "status"),
        "science",
        units=("science",),
        order_by=("-started_on", "-pk"),
    )
)
KINDS.add(
    Kind(
        "milestones",
        Milestone,
        _("双安双创里程碑"),
        ("programme", "title", "due", "done_on", "evidence"),
        "office",
        units=("office", "agriculture", "market"),
        prepare=services.milestone_prepare,
        order_by=("due", "pk"),
    )
)
register_kinds(KINDS)
