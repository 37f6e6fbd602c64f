"""Build the demo jurisdiction: users for every role and a deterministic register."""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from shian.core.audit import AuditEvent, audit_record
from shian.core.models import AuditAction, AuditSource, Department, Region, RegionLevel, Role, User
from shian.registry.models import Business
from shian.registry.rules import BusinessInput
from shian.registry.services import business_bulk_upsert

from .generator import Township, business_records

SCALES = {"district": 12_000, "city": 300_000}
DEMO_TOWN_A = "120113001"  # 果园新村街道
DEMO_TOWN_B = "120113100"  # 天穆镇


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    role: str
    region: str | None = None
    department: str | None = None


DEMO_USERS = [
    DemoUser("admin", "区食安办管理员", Role.DISTRICT_ADMIN),
    DemoUser("officer", "区食安办 王科长", Role.DISTRICT_OFFICER),
    DemoUser("guoyuan", "果园新村街道食安办 李主任", Role.TOWN_OFFICER, region=DEMO_TOWN_A),
    DemoUser("tianmu", "天穆镇食安办 张主任", Role.TOWN_OFFICER, region=DEMO_TOWN_B),
    DemoUser("education", "区教育局 联络员", Role.DEPARTMENT_LIAISON, department="education"),
    DemoUser("inspector", "执法检查员 赵明", Role.INSPECTOR),
    DemoUser("lab", "区食品检测中心", Role.LAB),
    DemoUser("viewer", "区食安委 观察员", Role.VIEWER),
]


def demo_password(username: str, seed: int) -> str:
    """A deterministic demo password (printed by `shian demo`; the demo is not for real data)."""
    rng = random.Random(f"{seed}:{username}")
    alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return (
        "bc-"
        + "".join(rng.choice(alphabet) for _ in range(4))
        + "-"
        + "".join(rng.choice(alphabet) for _ in range(6))
    )


def demo_users_ensure(*, seed: int) -> list[tuple[DemoUser, str]]:
    out = []
    with transaction.atomic():
        for spec in DEMO_USERS:
            password = demo_password(spec.username, seed)
            user, created = User.objects.get_or_create(username=spec.username)
            user.full_name = spec.full_name
            user.role = spec.role
            user.region_id = spec.region
            user.department = Department.objects.get(pk=spec.department) if spec.department else None
            user.is_staff = spec.role == Role.DISTRICT_ADMIN
            user.set_password(password)
            user.save()
            audit_record(
                actor=None,
                source=AuditSource.COMMAND,
                event=AuditEvent(
                    action=AuditAction.CREATE if created else AuditAction.UPDATE,
                    object_type="core.user",
                    object_id=str(user.pk),
                    object_repr=user.username,
                    after={
                        "role": user.role,
                        "region": user.region_id,
                        "department": user.department_id,
                        "password": "(demo password reset)",
                    },
                ),
            )
            out.append((spec, password))
    return out


def townships() -> list[Township]:
    return [
        Township(code=r.code, name=r.name, population=r.population)
        for r in Region.objects.exclude(level=RegionLevel.DISTRICT).order_by("code")
    ]


def demo_register_generate(
    *,
    count: int,
    seed: int,
    start_serial: int = 0,
    batch: int = 10_000,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write `count` synthetic businesses through the register's one write path, in batches."""
    towns = townships()
    done = 0
    rows = business_records(count, seed=seed + start_serial, townships=towns, start_serial=start_serial)
    while done < count:
        chunk = []
        for _ in range(min(batch, count - done)):
            r = next(rows)
            chunk.append(BusinessInput(**r))  # type: ignore[arg-type]
        business_bulk_upsert(actor=None, source=AuditSource.COMMAND, data=chunk, check_permission=False)
        done += len(chunk)
        if progress:
            progress(done)
    return done


def demo_build(*, scale: str, seed: int, out: Callable[[str], None]) -> list[tuple[DemoUser, str]]:
    count = SCALES[scale]
    existing = Business.objects.count()
    if existing >= count:
        out(f"登记簿已有 {existing} 户，跳过生成 / register already holds {existing} businesses")
    else:
        started = time.perf_counter()
        out(f"生成 {count - existing} 户食品经营主体（种子 {seed}）…")
        demo_register_generate(
            count=count - existing,
            seed=seed,
            start_serial=existing,
            progress=lambda n: out(f"  {existing + n} / {count}  {time.perf_counter() - started:.0f}s"),
        )
    users = demo_users_ensure(seed=seed)
    from shian.inspections.demo import demo_campaign_inspections_generate, demo_inspections_generate
    from shian.risk.services import risk_regrade_bulk, targeting_score
    from shian.sampling.demo import demo_quick_tests_build, demo_sampling_build

    from .plan_demo import demo_plan_build

    # Evidence first, then the plan's year: its quarterly index reads the inspections and samples.
    demo_inspections_generate(seed=seed, out=out)  # 2021–2024 inspection history
    demo_campaign_inspections_generate(seed=seed, out=out)  # the 2022 plan's special campaigns
    risk_regrade_bulk(actor=None, source=AuditSource.COMMAND, on=dt.date(2024, 12, 31))
    demo_sampling_build(seed=seed, out=out)
    # Positives become KJ2022-… sample tasks; 1,200 keeps the build short (each goes through
    # the services, with its audit entries).
    demo_quick_tests_build(seed=seed, out=out, count=1200)
    from shian.trace.demo import demo_trace_build  # lots, events, cold chain, queries, one recall

    demo_trace_build(seed=seed, out=out)
    out("训练预测性排序模型并评分 / training and scoring the targeting model …")
    targeting_score(actor=None, source=AuditSource.COMMAND, on=dt.date(2024, 12, 31))
    demo_plan_build(seed=seed, out=out)
    return users
