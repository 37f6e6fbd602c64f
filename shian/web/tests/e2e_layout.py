"""The world the layout browser test starts from (run inside the test server's `shian shell`): an
inspector and a district officer, a handful of businesses in two towns with grades, a submitted
inspection with a finding (so a rectification order is open), a draft, and a published draw.
Prints the ids the test needs."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from shian.core.models import AuditSource, Region, Role, User
from shian.inspections import services as inspections
from shian.registry.services import business_bulk_upsert
from shian.registry.tests.factories import business_input
from shian.risk import services as risk

PASSWORD = "E2e-layout-pass-2022"
ITEMS = ["C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8", "C9"]


def setup() -> None:
    town_a = Region.objects.get(pk="120113001")
    inspector = User.objects.create_user(
        "e2e_inspector", password=PASSWORD, role=Role.INSPECTOR, full_name="王检查", region=town_a
    )
    partner = User.objects.create_user(
        "e2e_partner", password=PASSWORD, role=Role.INSPECTOR, full_name="李协查", region=town_a
    )
    for n, name in enumerate(("张区检", "刘区检")):  # district inspectors serve every town's plan
        User.objects.create_user(f"e2e_district_{n}", password=PASSWORD, role=Role.INSPECTOR, full_name=name)
    office = User.objects.create_user(
        "e2e_office", password=PASSWORD, role=Role.DISTRICT_OFFICER, full_name="区食安办 测试员"
    )
    rows = [
        business_input(
            name=f"北辰区果园新村{n}号鑫隆餐饮管理有限公司第{n}分店",
            region_code="120113001" if n % 3 else "120113100",
            business_type="catering",
        )
        for n in range(1, 13)
    ]
    ids = business_bulk_upsert(
        actor=None, source=AuditSource.SYSTEM, data=rows, check_permission=False
    ).business_ids
    from shian.registry.models import Business

    town_a_ids = [i for i in ids if Business.objects.get(pk=i).region_id == "120113001"]
    risk.risk_regrade_bulk(actor=None, source=AuditSource.SYSTEM, on=timezone.localdate())
    team = [inspector, partner]
    first = Business.objects.get(pk=town_a_ids[0])
    done = inspections.inspection_create(
        actor=None,
        source=AuditSource.SYSTEM,
        business=first,
        inspected_on=timezone.localdate() - dt.timedelta(days=20),
        inspectors=team,
        full_check=True,
    )
    inspections.inspection_record_answers(
        actor=None,
        source=AuditSource.SYSTEM,
        inspection=done,
        answers={c: ("fail" if c == "C2" else "pass") for c in ITEMS},
        findings={"C2": "后厨操作间地面积水，排水沟未加盖"},
    )
    inspections.inspection_sign(actor=None, source=AuditSource.SYSTEM, inspection=done, signed_by="张经理")
    inspections.inspection_submit(actor=None, source=AuditSource.SYSTEM, inspection=done)
    draft = inspections.inspection_create(
        actor=None,
        source=AuditSource.SYSTEM,
        business=Business.objects.get(pk=town_a_ids[1]),
        inspected_on=timezone.localdate(),
        inspectors=team,
    )
    d = risk.draw_create(
        actor=None,
        source=AuditSource.SYSTEM,
        code="e2e-draw-1",
        title="北辰区2026年第四季度餐饮服务双随机抽查",
        seed=20261205,
        population=[(i, "A") for i in town_a_ids],
        ratios={"A": 0.5},
        inspectors=[inspector.pk, partner.pk],
        on=timezone.localdate(),
    )
    _published_samples(office, first, Business.objects.get(pk=town_a_ids[2]))
    _sampling_plan(office)
    print(f"business={first.pk} inspection={done.pk} draft={draft.pk} draw={d.code}")


def _published_samples(officer: User, good: object, bad: object) -> None:
    """Two samples on the public portal, one qualified and one unqualified with its business told:
    long names and categories, as the real bulletin has."""
    from shian.sampling import services as sampling
    from shian.sampling.models import Lab, LabMember
    from shian.sampling.workflow import SampleStatus as S

    lab = Lab.objects.create(
        name="天津市北辰区食品药品检验检测中心（天津市北辰区食品安全检验所）", cma_number="CMA-E2E-9"
    )
    lab_user = User.objects.create_user("e2e_lab", password=PASSWORD, role=Role.LAB)
    LabMember.objects.create(user=lab_user, lab=lab)
    for n, (business, value) in enumerate(((good, "0.05mg/kg"), (bad, "0.32mg/kg"))):
        sample = sampling.sample_create(
            by=officer,
            code=f"BC2026-E2E-LAYOUT-{n:03d}",
            region=Region.objects.get(pk="120113001"),
            food_name="东北珍珠大米（真空包装，净含量5千克，优等品）",
            category_path="粮食加工品-大米-大米（含糙米、胚芽米、蒸谷米等）",
            produced_on=dt.date(2026, 3, 1),
            lab=lab,
            business=business,
            batch="R2026-03-01-A",
        )
        for status in (S.SAMPLED, S.DELIVERED):
            sampling.sample_set_status(sample=sample, status=status, by=officer, on=dt.date(2026, 3, 10))
        sampling.sample_results_record(
            sample=sample, results=[("镉(以Cd计)", value)], by=lab_user, on=dt.date(2026, 3, 20)
        )
        if value == "0.32mg/kg":
            sampling.sample_set_status(sample=sample, status=S.NOTIFIED, by=officer, on=dt.date(2026, 3, 23))


def _sampling_plan(officer: User) -> None:
    """The 2022 plan with its annual sampling plan adopted (39 categories × 24 towns × 12 months)."""
    from pathlib import Path

    from shian.core.models import Department
    from shian.planning import services as planning
    from shian.planning.planfile import parse_plan
    from shian.planning.sampling_plan import sampling_plan_compute

    path = Path(planning.__file__).resolve().parent / "data" / "beichen-2022.toml"
    spec = parse_plan(
        path.read_text(encoding="utf-8"),
        departments=set(Department.objects.values_list("code", flat=True)),
        regions=set(Region.objects.values_list("code", flat=True)),
    )
    plan = planning.plan_load(actor=officer, source=AuditSource.SYSTEM, spec=spec)
    planning.sampling_allocation_adopt(
        actor=officer, source=AuditSource.SYSTEM, plan=plan, result=sampling_plan_compute(plan=plan)
    )
