"""A year (2022) of synthetic samples over the demo register, each through the real services:
sampled, delivered, results judged by the real limits, unqualified ones notified and given a
disposal task (most completed with their evidence). Deterministic for a seed."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.core.files.base import ContentFile
from django.db import transaction

from shian.core.models import AuditSource, Role, User
from shian.registry.models import Business, BusinessStatus

from . import services
from .models import DisposalStepKind, Lab, LabMember, Sample
from .workflow import SampleStatus as S

LABS = [("天津市食品安全检测技术研究院", "CMA-120000-0001"), ("北辰区食品检验所", "CMA-120113-0002")]
# (food, sampling category, item, typical value mg/kg, share above the limit)
MENU = [
    ("大米", "粮食加工品-大米", "镉(以Cd计)", 0.08, 0.03),
    ("大米", "粮食加工品-大米", "铅(以Pb计)", 0.05, 0.01),
]


def _user(role: str, username: str) -> User:
    user = User.objects.filter(role=role, is_active=True).order_by("id").first()
    if user is None:
        user = User.objects.create(username=username, role=role, full_name=username)
    return user


def demo_sampling_build(*, seed: int, out: Callable[[str], object] = print, count: int = 2400) -> int:
    """Write `count` samples of 2022 (skipped when the year already holds samples)."""
    if Sample.objects.filter(code__startswith="BC2022-").exists():
        out("2022年抽检样品已存在，跳过 / 2022 samples exist")
        return 0
    rng = random.Random(seed)  # noqa: S311 - synthetic demo data, not security
    officer = _user(Role.DISTRICT_OFFICER, "demo-sampling-officer")
    labs = [Lab.objects.get_or_create(name=n, defaults={"cma_number": c})[0] for n, c in LABS]
    lab_user = User.objects.filter(role=Role.LAB, lab_membership__isnull=True).first() or _user(
        Role.LAB, "demo-lab"
    )
    LabMember.objects.get_or_create(user=lab_user, defaults={"lab": labs[0]})
    lab_users = {m.lab_id: m.user for m in LabMember.objects.select_related("user")}
    businesses = list(Business.objects.filter(status=BusinessStatus.ACTIVE).order_by("id")[:20000])
    if not businesses:
        out("登记簿为空，跳过抽检演示数据 / empty register")
        return 0
    unqualified = 0
    for n in range(count):
        biz = rng.choice(businesses)
        food, category, item, typical, bad = rng.choice(MENU)
        lab = labs[0] if labs[0].pk in lab_users and rng.random() < 0.7 else labs[-1]
        tester = lab_users.get(lab.pk, officer)
        sampled = dt.date(2022, 1, 4) + dt.timedelta(days=rng.randrange(330))
        value = typical * rng.uniform(0.2, 1.6) if rng.random() > bad else typical * rng.uniform(3, 8)
        with transaction.atomic():
            sample = services.sample_create(
                by=officer,
                code=f"BC2022-{n + 1:05d}",
                region=biz.region,
                business=biz,
                food_name=food,
                category_path=category,
                produced_on=sampled - dt.timedelta(days=rng.randrange(5, 90)),
                lab=lab,
                lab_name=lab.name,
                source=AuditSource.COMMAND,
            )
            for status, day in ((S.SAMPLED, sampled), (S.DELIVERED, sampled + dt.timedelta(days=2))):
                services.sample_set_status(
                    sample=sample, status=status, by=officer, on=day, source=AuditSource.COMMAND
                )
            tested = sampled + dt.timedelta(days=rng.randrange(7, 20))
            services.sample_results_record(
                sample=sample,
                results=[(item, f"{value:.3f}mg/kg")],
                detection_limits={item: "0.002"},
                by=tester if tester.role == Role.LAB else officer,
                on=tested,
                source=AuditSource.COMMAND,
            )
            sample.refresh_from_db()
            if sample.status == S.JUDGED_QUALIFIED:
                services.sample_set_status(
                    sample=sample, status=S.CLOSED, by=officer, on=tested, source=AuditSource.COMMAND
                )
            elif sample.status == S.JUDGED_UNQUALIFIED:
                unqualified += 1
                notified = tested + dt.timedelta(days=3)
                services.sample_set_status(
                    sample=sample, status=S.NOTIFIED, by=officer, on=notified, source=AuditSource.COMMAND
                )
                task = services.disposal_task_open(
                    sample=sample, by=officer, on=notified + dt.timedelta(days=8), source=AuditSource.COMMAND
                )
                if rng.random() < 0.8:  # most disposals finished, a few still open
                    done = notified + dt.timedelta(days=rng.randrange(10, 80))
                    for kind in DisposalStepKind.values:
                        services.disposal_step_record(
                            task=task,
                            kind=kind,
                            by=officer,
                            done_on=done,
                            note=f"演示：{DisposalStepKind(kind).label}",
                            evidence=ContentFile(b"demo evidence", name=f"{sample.code}-{kind}.txt"),
                            source=AuditSource.COMMAND,
                        )
                    services.disposal_task_close(task=task, by=officer, on=done, source=AuditSource.COMMAND)
        if (n + 1) % 500 == 0:
            out(f"  抽检样品 {n + 1} / {count}")
    out(f"抽检演示数据：{count} 批次，不合格 {unqualified} 批次")
    return count
