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
    DemoUser("nongye", "区农业农村委 联络员", Role.DEPARTMENT_LIAISON, department="agriculture"),
    DemoUser("liangshi", "区发展改革委（粮食和物资储备）联络员", Role.DEPARTMENT_LIAISON, department="grain"),
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


class DemoProgress:
    """A progress bar over the build's steps, with the step's share of the total and the elapsed
    time; at the end, where the time went (printed, so a slow step is visible)."""

    WIDTH = 24

    def __init__(self, steps: list[str], out: Callable[[str], None]) -> None:
        self.steps, self.out = steps, out
        self.started = self.step_started = time.perf_counter()
        self.done: list[tuple[str, float]] = []
        self.current = -1

    def step(self, name: str) -> None:
        self._finish()
        self.current = self.steps.index(name)
        filled = self.WIDTH * self.current // len(self.steps)
        bar = "█" * filled + "░" * (self.WIDTH - filled)
        self.out(
            f"[{bar}] {self.current + 1}/{len(self.steps)} {name}  "
            f"（已用 {time.perf_counter() - self.started:.0f} s / elapsed）"
        )

    def _finish(self) -> None:
        now = time.perf_counter()
        if self.current >= 0:
            self.done.append((self.steps[self.current], now - self.step_started))
        self.step_started = now

    def close(self) -> list[tuple[str, float]]:
        self._finish()
        total = time.perf_counter() - self.started
        self.out(f"[{'█' * self.WIDTH}] {len(self.steps)}/{len(self.steps)} 完成 / done in {total:.0f} s")
        for name, seconds in self.done:
            self.out(f"  {seconds:7.1f} s  {name}")
        self.current = -1
        return self.done


DEMO_STEPS = [
    "登记簿 / register",
    "账号 / accounts",
    "检查记录 2021–2024 / inspections",
    "风险分级 / risk grades",
    "抽检样品 / samples",
    "快检 / quick tests",
    "追溯 / traceability",
    "案件、投诉与事件 / cases, complaints and incidents",
    "源头、队伍与学校 / sources, workforce and schools",
    "预测性排序 / targeting model",
    "年度计划 / the annual plan",
]


def demo_build(*, scale: str, seed: int, out: Callable[[str], None]) -> list[tuple[DemoUser, str]]:
    progress = DemoProgress(DEMO_STEPS, out)
    count = SCALES[scale]
    progress.step(DEMO_STEPS[0])
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
    progress.step(DEMO_STEPS[1])
    users = demo_users_ensure(seed=seed)
    from shian.inspections.demo import demo_campaign_inspections_generate, demo_inspections_generate
    from shian.risk.services import risk_regrade_bulk, targeting_score
    from shian.sampling.demo import demo_quick_tests_build, demo_sampling_build

    from .plan_demo import demo_plan_build

    # Evidence first, then the plan's year: its quarterly index reads the inspections and samples.
    progress.step(DEMO_STEPS[2])
    demo_inspections_generate(seed=seed, out=out)  # 2021–2024 inspection history
    demo_campaign_inspections_generate(seed=seed, out=out)  # the 2022 plan's special campaigns
    progress.step(DEMO_STEPS[3])
    risk_regrade_bulk(actor=None, source=AuditSource.COMMAND, on=dt.date(2024, 12, 31))
    progress.step(DEMO_STEPS[4])
    demo_sampling_build(seed=seed, out=out)
    # Positives become KJ2022-… sample tasks; 1,200 keeps the build short (each goes through
    # the services, with its audit entries).
    progress.step(DEMO_STEPS[5])
    demo_quick_tests_build(seed=seed, out=out, count=1200)
    from shian.trace.demo import demo_trace_build  # lots, events, cold chain, queries, one recall

    progress.step(DEMO_STEPS[6])
    demo_trace_build(seed=seed, out=out)
    progress.step(DEMO_STEPS[7])
    from shian.enforcement.demo import demo_enforcement_build  # a year of cases, publications, listings

    demo_enforcement_build(seed=seed, count=250, out=out)
    from shian.enforcement.models import Ban
    from shian.registry.demo import demo_applications_build  # licence applications, one banned person

    demo_applications_build(
        seed=seed, banned=list(Ban.objects.order_by("id").values_list("person_name", flat=True)[:1]), out=out
    )
    from shian.complaints.demo import demo_complaints_build, demo_participation_build
    from shian.incidents.demo import demo_incidents_build  # incidents, case reports, a drill

    demo_complaints_build(seed=seed, out=out)
    demo_incidents_build(seed=seed, out=out)
    demo_participation_build(seed=seed, out=out)  # votes, 随机查餐厅, red and black lists, survey
    progress.step(DEMO_STEPS[8])
    from shian.sources.demo import demo_sources_build  # producers, certificates, grain, farmland
    from shian.workforce.demo import demo_grid_build, demo_workforce_build

    demo_sources_build(seed=seed, out=out)
    demo_workforce_build(seed=seed, out=out)
    from shian.schools.demo import demo_schools_build  # schools, canteens, suppliers, 陪餐

    demo_schools_build(seed=seed, out=out)
    progress.step(DEMO_STEPS[9])
    out("训练预测性排序模型并评分 / training and scoring the targeting model …")
    targeting_score(actor=None, source=AuditSource.COMMAND, on=dt.date(2024, 12, 31))
    progress.step(DEMO_STEPS[10])
    demo_plan_build(seed=seed, out=out)
    demo_grid_build(seed=seed, out=out)  # the grid leads the coordinator roster the plan's demo made
    from shian.portal.demo import demo_portal_build  # business accounts and what they filed

    for username, full_name, password in demo_portal_build(
        seed=seed, out=out, password=lambda name: demo_password(name, seed)
    ):
        users.append((DemoUser(username, full_name, Role.BUSINESS), password))
    progress.close()
    return users
