"""Demo incidents, foodborne-disease case reports and a drill (deterministic for a seed): in 2022 a
suspected food-poisoning cluster at a school canteen (reported, escalated to level IV, closed with
its cause), a handful of small events at restaurants, hospital case reports linked to them, and the
district's emergency drill in September."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from zoneinfo import ZoneInfo

from shian.core.models import AuditSource, Role, User
from shian.registry.models import Business, BusinessStatus, BusinessType

from . import services
from .models import Drill, FoodborneCase, Incident

TZ = ZoneInfo("Asia/Shanghai")
FOODS = ["凉拌菜", "豆角", "盒饭", "熟肉制品", "海鲜", "自制酸奶"]
CAUSES = [
    "豆角未煮熟（皂素中毒）",
    "熟肉制品储存温度不当，沙门氏菌污染",
    "凉拌菜加工生熟交叉污染",
    "海鲜未烧熟（副溶血性弧菌）",
]


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=TZ)


def demo_incidents_build(*, seed: int, out: Callable[[str], object] = print) -> int:
    if Incident.objects.exists() or Drill.objects.exists():
        out("食品安全事故已存在，跳过 / incidents exist")
        return 0
    officer = User.objects.filter(role=Role.DISTRICT_OFFICER, is_active=True).order_by("id").first()
    if officer is None:
        return 0
    rng = random.Random(seed + 16)  # noqa: S311 - synthetic demo data, not security
    active = Business.objects.filter(status=BusinessStatus.ACTIVE).order_by("id")
    schools = list(active.filter(business_type=BusinessType.SCHOOL_CANTEEN)[:200])
    restaurants = list(active.filter(business_type=BusinessType.CATERING)[:2000])
    if not restaurants:
        return 0
    made = []
    # The school canteen cluster: 18 ill at first, 36 by the next morning (level IV).
    if schools:
        school = rng.choice(schools)
        day = dt.date(2022, 9, 14)
        incident = services.incident_report(
            actor=officer,
            source=AuditSource.COMMAND,
            place=school.name,
            business=school,
            onset_at=_at(day, 13),
            known_at=_at(day, 17),
            ill=18,
            hospitalised=4,
            suspected_food="午餐炒豆角",
        )
        services.incident_report_sent(
            actor=officer,
            source=AuditSource.COMMAND,
            incident=incident,
            clock="initial_report",
            at=_at(day, 18),
        )
        services.incident_update(
            actor=officer,
            source=AuditSource.COMMAND,
            incident=incident,
            at=_at(day + dt.timedelta(days=1), 9),
            ill=36,
            hospitalised=9,
            deaths=0,
            note="学校排查后新增病例",
        )
        services.incident_report_sent(
            actor=officer,
            source=AuditSource.COMMAND,
            incident=incident,
            clock="written_report",
            at=_at(day + dt.timedelta(days=1), 12),
        )
        services.incident_close(
            actor=officer,
            source=AuditSource.COMMAND,
            incident=incident,
            closed_on=dt.date(2022, 10, 12),
            cause=CAUSES[0],
            sample_codes="DC2022091401、DC2022091402",
            case_number="津北市监立〔2022〕0914号",
        )
        made.append(incident)
    # Small events at restaurants across the year.
    for n in range(6):
        shop = rng.choice(restaurants)
        day = dt.date(2022, 1, 1) + dt.timedelta(days=rng.randrange(0, 350))
        ill = rng.randint(2, 9)
        incident = services.incident_report(
            actor=officer,
            source=AuditSource.COMMAND,
            place=shop.name,
            business=shop,
            onset_at=_at(day, rng.randint(11, 20)),
            known_at=_at(day + dt.timedelta(days=1), 10),
            ill=ill,
            hospitalised=rng.randint(0, 2),
            suspected_food=rng.choice(FOODS),
        )
        services.incident_report_sent(
            actor=officer,
            source=AuditSource.COMMAND,
            incident=incident,
            clock="initial_report",
            at=_at(day + dt.timedelta(days=1), 11 if n % 3 else 14),
        )
        services.incident_close(
            actor=officer,
            source=AuditSource.COMMAND,
            incident=incident,
            closed_on=day + dt.timedelta(days=rng.randint(10, 30)),
            cause=rng.choice(CAUSES),
        )
        made.append(incident)
    # Hospital case reports (no names): linked to the incidents they belong to.
    serial = 0
    for incident in made:
        for _ in range(min(incident.ill, 5)):
            serial += 1
            FoodborneCase.objects.create(
                hospital=rng.choice(["北辰医院", "天津医科大学总医院北辰分院", "区中医医院"]),
                report_no=f"SY2022{serial:05d}",
                onset_on=incident.onset_at.date(),
                age=rng.randint(6, 70),
                sex=rng.choice(["男", "女"]),
                symptoms=rng.choice(["腹痛、腹泻", "恶心、呕吐", "发热、腹泻"]),
                suspected_food=incident.suspected_food,
                place=incident.place,
                region_id=incident.region_id,
                business=incident.business,
                incident=incident,
            )
    services.drill_record(
        actor=officer,
        source=AuditSource.COMMAND,
        region_code="120113",
        held_on=dt.date(2022, 9, 23),
        title="北辰区学校食堂食物中毒事故应急演练",
        plan="北辰区食品安全事故应急预案",
        scenario="某小学午餐后多名学生出现腹痛、呕吐，疑似食物中毒",
        participants=86,
        units="区市场监管局、区教育局、区卫生健康委、果园新村街道、区疾控中心",
        findings="首报信息要素不全；留样调取耗时较长。整改：统一首报模板，学校留样柜钥匙双人保管。",
    )
    out(f"食品安全事故 {len(made)} 起，病例报告 {serial} 份，应急演练 1 次 / incidents, case reports, drill")
    return len(made)
