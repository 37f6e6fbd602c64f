"""Synthetic schools for the demo: one school per school canteen of the register (a few hundred,
the order of Beichen's), some contracted to caterers, some fed by off-campus meal providers; their
suppliers, open-kitchen statuses, certificates and the last month's accompanied meals. Deterministic
for a seed. Bulk rows are written with one audit entry per kind (the demo's own act)."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from shian.core.audit import AuditEvent, audit_record
from shian.core.calendar import WorkingCalendar
from shian.core.models import AuditAction, AuditSource, Region, RegionLevel
from shian.registry.models import Business, BusinessStatus

from . import rules
from .models import AccompaniedMeal, Certificate, OpenKitchen, School, SchoolSupplier

LEVELS = [
    ("kindergarten", 0.45),
    ("primary", 0.33),
    ("junior", 0.1),
    ("nine_year", 0.05),
    ("senior", 0.05),
    ("vocational", 0.02),
]
PUPILS = {
    "kindergarten": (90, 420),
    "primary": (300, 2200),
    "junior": (400, 1800),
    "nine_year": (600, 2400),
    "senior": (800, 2600),
    "vocational": (500, 3000),
}
SUFFIX = {
    "kindergarten": "幼儿园",
    "primary": "小学",
    "junior": "中学",
    "nine_year": "学校",
    "senior": "高级中学",
    "vocational": "职业中等专业学校",
}
PEOPLE = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙"]
PLATFORM = "天津市“阳光餐饮”监管平台"
ISSUERS = ["中国质量认证中心", "北京中大华远认证中心", "方圆标志认证集团", "华夏认证中心"]


def _weighted(rng: random.Random, items: list[tuple[str, float]]) -> str:
    x, acc = rng.random() * sum(w for _v, w in items), 0.0
    for value, w in items:
        acc += w
        if x <= acc:
            return value
    return items[-1][0]


def _school_name(canteen: str, level: str) -> str:
    base = canteen.replace("食堂", "")
    for tail in ("幼儿园", "小学", "中学"):
        base = base.removesuffix(tail)
    return base + SUFFIX[level]


def _audit(object_type: str, n: int, what: str) -> None:
    audit_record(
        actor=None,
        source=AuditSource.COMMAND,
        event=AuditEvent(
            action=AuditAction.GENERATE,
            object_type=object_type,
            object_id="demo",
            object_repr=f"演示数据：{what} {n} 条",
            after={"count": n},
        ),
    )


def demo_schools_build(*, seed: int, out: Callable[[str], None], today: dt.date | None = None) -> int:
    if School.objects.exists():
        out("学校名单已存在，跳过 / schools already present")
        return 0
    today = today or timezone.localdate()
    rng = random.Random(f"{seed}:schools")  # noqa: S311 — synthetic data, not security
    levels = dict(Region.objects.values_list("code", "level"))
    active = Business.objects.filter(status=BusinessStatus.ACTIVE)
    canteens = list(active.filter(business_type="school_canteen").order_by("pk"))
    providers = list(active.filter(business_type="central_kitchen").order_by("pk"))
    caterers: dict[str, list[Business]] = defaultdict(list)
    for b in active.filter(business_type="catering", scale__in=("medium", "large")).order_by("pk"):
        caterers[b.region_id].append(b)
    shops: dict[str, list[Business]] = defaultdict(list)
    for b in active.filter(business_type="wholesale_retail").order_by("pk")[:3000]:
        shops[b.region_id].append(b)
    schools: list[School] = []
    links: list[SchoolSupplier] = []
    with transaction.atomic():
        for n, canteen in enumerate(canteens, start=1):
            level = _weighted(rng, LEVELS)
            contracted = rng.random() < 0.22 and caterers[canteen.region_id]
            operator = rng.choice(caterers[canteen.region_id]) if contracted else None
            lo, hi = PUPILS[level]
            school = School(
                code=f"1112{n:06d}",
                name=_school_name(canteen.name, level),
                level=level,
                ownership="private"
                if rng.random() < (0.45 if level == "kindergarten" else 0.08)
                else "public",
                rural=levels.get(canteen.region_id) in (RegionLevel.TOWN, RegionLevel.TOWNSHIP),
                pupils=rng.randint(lo, hi),
                region_id=canteen.region_id,
                address=canteen.address,
                headmaster=rng.choice(PEOPLE) + ("园长" if level == "kindergarten" else "校长"),
                canteen=canteen,
                canteen_operation="contracted" if operator else "self_run",
                operator=operator,
                meals=["breakfast", "lunch", "dinner"] if level in ("senior", "vocational") else ["lunch"],
            )
            schools.append(school)
        # Schools without a canteen of their own are fed by an off-campus meal provider.
        for n, provider in enumerate(providers[: max(1, len(providers) // 2)], start=len(schools) + 1):
            school = School(
                code=f"1112{n:06d}",
                name=f"北辰区第{n}小学",
                level="primary",
                ownership="public",
                rural=levels.get(provider.region_id) in (RegionLevel.TOWN, RegionLevel.TOWNSHIP),
                pupils=rng.randint(200, 900),
                region_id=provider.region_id,
                headmaster=rng.choice(PEOPLE) + "校长",
                canteen_operation="none",
                meals=["lunch"],
            )
            schools.append(school)
        School.objects.bulk_create(schools)
        for school in schools:
            if school.canteen_operation == "none" or rng.random() < 0.15:
                for p in rng.sample(providers, k=1 if providers else 0):
                    links.append(SchoolSupplier(school=school, business=p, role="meal_provider"))
            nearby = shops.get(school.region_id) or []
            for s in rng.sample(nearby, k=min(2, len(nearby))):
                links.append(SchoolSupplier(school=school, business=s, role="ingredients"))
        SchoolSupplier.objects.bulk_create(links)
        _audit("schools.school", len(schools), "学校")
        kitchens = _open_kitchens(
            rng, canteens, providers, [b for bs in caterers.values() for b in bs], today
        )
        certs = _certificates(
            rng, sorted({link.business_id for link in links if link.role == "meal_provider"}), today
        )
        meals = _meals(rng, schools, today)
    out(
        f"  学校 {len(schools)} 所，供应关系 {len(links)} 条，明厨亮灶 {kitchens}，证书 {certs}，陪餐 {meals}"
    )
    return len(schools)


def _open_kitchens(
    rng: random.Random,
    canteens: list[Business],
    providers: list[Business],
    caterers: list[Business],
    today: dt.date,
) -> int:
    rows = []
    for b, built in [(b, 0.86) for b in canteens + providers] + [(b, 0.58) for b in caterers]:
        x = rng.random()
        level = "internet" if x < built else ("open" if x < built + 0.1 else "none")
        rows.append(
            OpenKitchen(
                business=b,
                region_id=b.region_id,
                level=level,
                cameras=rng.randint(2, 12) if level == "internet" else 0,
                platform=PLATFORM if level == "internet" else "",
                # Most were verified during the plan's year (2022), a few since.
                verified_on=min(today, dt.date(2021, 9, 1) + dt.timedelta(days=rng.randint(0, 480)))
                if rng.random() < 0.85
                else today - dt.timedelta(days=rng.randint(5, 300)),
                note="演示数据",
            )
        )
    OpenKitchen.objects.bulk_create(rows)
    _audit("schools.openkitchen", len(rows), "明厨亮灶状态")
    return len(rows)


def _certificates(rng: random.Random, provider_ids: list[int], today: dt.date) -> int:
    regions = dict(Business.objects.filter(pk__in=provider_ids).values_list("pk", "region_id"))
    rows = []
    for n, pk in enumerate(provider_ids):
        if rng.random() < 0.1:
            continue  # no certificate: T11 short of 100 %
        kind = "haccp" if rng.random() < 0.6 else "iso22000"
        # A three-year certificate issued 2020–2022, renewed at expiry (most of them) until today.
        start = dt.date(2020, 1, 1) + dt.timedelta(days=rng.randint(0, 1000))
        while start <= today:
            end = start + dt.timedelta(days=3 * 365 - 1)
            rows.append(
                Certificate(
                    business_id=pk,
                    region_id=regions[pk],
                    kind=kind,
                    issuer=rng.choice(ISSUERS),
                    number=f"{'001HACCP' if kind == 'haccp' else '001FSMS'}{start:%y}{n:05d}",
                    scope="集体用餐配送膳食的生产",
                    valid_from=start,
                    valid_until=end,
                )
            )
            if rng.random() < 0.12:
                break  # not renewed: expired or expiring now
            start = end + dt.timedelta(days=1)
    Certificate.objects.bulk_create(rows)
    _audit("schools.certificate", len(rows), "管理体系认证证书")
    return len(rows)


def _meals(rng: random.Random, schools: list[School], today: dt.date) -> int:
    start = today - dt.timedelta(days=30)
    rule = rules.meal_rule_in_force(today)
    cal = WorkingCalendar()
    days = rules.meal_days(start=start, end=today, rule=rule, is_workday=cal.is_workday)
    rows = []
    for school in schools:
        if school.level not in rule.levels:
            continue
        diligence = rng.choice([0.98, 0.95, 0.9, 0.75, 0.5])
        for day in days:
            for meal in school.meals:
                if rng.random() > diligence:
                    continue
                role = _weighted(
                    rng, [("headmaster", 0.4), ("deputy", 0.35), ("manager", 0.15), ("teacher", 0.1)]
                )
                rows.append(
                    AccompaniedMeal(
                        school=school,
                        region_id=school.region_id,
                        on=day,
                        meal=meal,
                        person=rng.choice(PEOPLE)
                        + {"headmaster": "校长", "deputy": "副校长", "manager": "主任", "teacher": "老师"}[
                            role
                        ],
                        person_role=role,
                        notes=rng.choice(["", "", "饭菜温度适宜", "菜量充足", "米饭略硬，已反馈食堂"]),
                    )
                )
    AccompaniedMeal.objects.bulk_create(rows, batch_size=2000)
    _audit("schools.accompaniedmeal", len(rows), "陪餐记录")
    return len(rows)
