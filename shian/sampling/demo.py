"""A year (2022) of synthetic samples over the demo register, each through the real services:
sampled, delivered, results judged by the real limits, unqualified ones notified and given a
disposal task (most completed with their evidence). Deterministic for a seed."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from shian.core.calendar import WorkingCalendar
from shian.core.models import AuditSource, Region, RegionLevel, Role, User
from shian.registry.models import Business, BusinessStatus, BusinessType

from . import quicktests, rules, services
from .models import DisposalStepKind, Lab, LabMember, QuickTest, Sample
from .rules import quick_test_rules_in_force
from .workflow import SampleStatus as S

LABS = [("天津市食品安全检测技术研究院", "CMA-120000-0001"), ("北辰区食品检验所", "CMA-120113-0002")]
# The agriculture committee's lab for its quantitative tests (plan task 十三: CMA and CATL).
AGRI_LAB = ("北辰区农产品质量安全检测站", "CMA-120113-0003")
# The plan's split of the district's 6,570 batches: 1,820 agricultural quantitative tests.
AGRI_SHARE = 1820 / 6570


@dataclass(frozen=True)
class Dish:
    """A line of the demo menu: a food, its sampling category, the items tested, how often it is
    sampled (a relative weight) and the share of its batches that fail one item."""

    food: str
    category: str
    items: tuple[str, ...]
    weight: float
    fail: float


# What fails follows the 2026 bulletins on file (reference/bulletins): vegetables (pesticides),
# tableware and fried dough in catering, aquatic products and eggs (veterinary drugs), pastry and
# pickles (additives) fail most; grain, milk and tea hardly ever. Every item is judged by the limit
# book (rules.default_limit_book()) and its values are drawn around the limit in force.
MARKET_MENU = (
    Dish("大米", "粮食加工品-大米", ("镉(以Cd计)", "铅(以Pb计)"), 6, 0.01),
    Dish("小麦粉", "粮食加工品-小麦粉", ("镉(以Cd计)", "铅(以Pb计)"), 3, 0.003),
    Dish("花生油", "食用油、油脂及其制品-食用植物油", ("黄曲霉毒素B1",), 2, 0.02),
    Dish(
        "压榨菜籽油",
        "食用油、油脂及其制品-食用植物油",
        ("酸价(以脂肪计)", "过氧化值", "黄曲霉毒素B1"),
        2,
        0.01,
    ),
    Dish("酱油", "调味品-酱油", ("菌落总数", "不挥发酸(以乳酸计)"), 2, 0.015),
    Dish(
        "酱腌菜",
        "蔬菜制品-酱腌菜",
        ("二氧化硫残留量", "甜蜜素(以环己基氨基磺酸计)", "脱氢乙酸及其钠盐(以脱氢乙酸计)"),
        2,
        0.04,
    ),
    Dish(
        "酱卤肉",
        "肉制品-熟肉制品-酱卤肉制品",
        ("山梨酸及其钾盐(以山梨酸计)", "菌落总数", "克伦特罗"),
        3,
        0.025,
    ),
    Dish("纯牛奶", "乳制品-液体乳", ("铅(以Pb计)",), 2, 0.002),
    Dish("包装饮用水", "饮料-包装饮用水", ("铜绿假单胞菌",), 2, 0.03),
    Dish("橙汁饮料", "饮料-果蔬汁类及其饮料", ("安赛蜜", "柠檬黄"), 1, 0.01),
    Dish("白酒", "酒类-白酒", ("甜蜜素(以环己基氨基磺酸计)", "纽甜"), 2, 0.01),
    Dish("面包", "糕点-面包", ("脱氢乙酸及其钠盐(以脱氢乙酸计)", "过氧化值(以脂肪计)", "霉菌"), 2, 0.03),
    Dish("蛋糕", "糕点-糕点", ("铝的残留量(干样品,以Al计)", "菌落总数", "大肠菌群", "霉菌"), 3, 0.04),
    Dish("月饼", "糕点-月饼", ("酸价(以脂肪计)", "过氧化值(以脂肪计)"), 1, 0.02),
    Dish("油条", "餐饮食品-自制油炸面制品", ("铝的残留量(干样品,以Al计)",), 2, 0.05),
    Dish(
        "复用餐饮具", "餐饮食品-复用餐饮具", ("大肠菌群", "阴离子合成洗涤剂(以十二烷基苯磺酸钠计)"), 3, 0.06
    ),
    Dish(
        "豆腐干",
        "豆制品-非发酵性豆制品",
        ("山梨酸及其钾盐(以山梨酸计)", "铝的残留量(干样品,以Al计)"),
        2,
        0.02,
    ),
    Dish("绿茶", "茶叶及相关制品-茶叶", ("铅(以Pb计)",), 1, 0.003),
    Dish("蜂蜜", "蜂产品-蜂蜜", ("氯霉素",), 1, 0.01),
    Dish("韭菜", "食用农产品-蔬菜-韭菜", ("腐霉利", "毒死蜱", "镉(以Cd计)"), 4, 0.06),
    Dish("芹菜", "食用农产品-蔬菜-芹菜", ("毒死蜱", "甲拌磷"), 3, 0.05),
    Dish("豇豆", "食用农产品-蔬菜-豇豆", ("克百威", "灭蝇胺", "氧乐果"), 3, 0.06),
    Dish("菠菜", "食用农产品-蔬菜-菠菜", ("镉(以Cd计)", "毒死蜱"), 2, 0.03),
    Dish("猪肉", "食用农产品-畜禽肉及副产品-猪肉", ("克伦特罗", "莱克多巴胺", "沙丁胺醇"), 4, 0.003),
    Dish("牛肉", "食用农产品-畜禽肉及副产品-牛肉", ("克伦特罗", "地塞米松"), 2, 0.01),
    Dish("鸡蛋", "食用农产品-鲜蛋-鸡蛋", ("甲硝唑", "多西环素", "氟苯尼考"), 3, 0.03),
    Dish("草鱼", "食用农产品-水产品-淡水鱼", ("孔雀石绿", "呋喃唑酮代谢物", "恩诺沙星"), 3, 0.05),
    Dish("对虾", "食用农产品-水产品-海水虾", ("呋喃西林代谢物", "二氧化硫残留量"), 2, 0.03),
    Dish("葡萄", "食用农产品-水果类-葡萄", ("氧乐果",), 1, 0.02),
    Dish("香蕉", "食用农产品-水果类-香蕉", ("吡虫啉",), 1, 0.02),
)
# The agriculture committee's quantitative tests at farms and bases (no register entry).
AGRI_MENU = (
    Dish("韭菜", "食用农产品-蔬菜-韭菜", ("腐霉利", "毒死蜱", "镉(以Cd计)"), 4, 0.05),
    Dish("芹菜", "食用农产品-蔬菜-芹菜", ("毒死蜱", "甲拌磷"), 3, 0.03),
    Dish("豇豆", "食用农产品-蔬菜-豇豆", ("克百威", "灭蝇胺", "氧乐果"), 3, 0.04),
    Dish("菠菜", "食用农产品-蔬菜-菠菜", ("镉(以Cd计)", "毒死蜱"), 2, 0.02),
    Dish("辣椒", "食用农产品-蔬菜-辣椒", ("镉(以Cd计)", "噻虫胺"), 2, 0.02),
    Dish("猪肉", "食用农产品-畜禽肉及副产品-猪肉", ("克伦特罗", "莱克多巴胺", "沙丁胺醇"), 3, 0.002),
    Dish("鸡蛋", "食用农产品-鲜蛋-鸡蛋", ("甲硝唑", "多西环素", "氟苯尼考"), 2, 0.02),
    Dish("鲤鱼", "食用农产品-水产品-淡水鱼", ("孔雀石绿", "恩诺沙星"), 2, 0.03),
    Dish("葡萄", "食用农产品-水果类-葡萄", ("氧乐果",), 1, 0.01),
)


def _figure(value: Decimal) -> str:
    """A lab's figure: four significant digits, never in exponent form."""
    return format(Decimal(f"{float(value):.4g}").normalize(), "f")


def _result(spec: rules.LimitSpec, bad: bool, rng: random.Random) -> tuple[str, str]:
    """(result, method detection limit) for one item: within the limit, or beyond it when `bad`."""
    unit = spec.unit
    u = Decimal(str(rng.uniform(0, 1)))
    if spec.kind in (rules.LimitKind.NOT_DETECTED, rules.LimitKind.NOT_PERMITTED):
        lod = spec.detection_limit
        if not bad:
            return "未检出", _figure(lod) if lod else ""
        if lod:
            return _figure(lod * (3 + 40 * u)) + unit, _figure(lod)
        if unit.startswith("CFU"):  # colonies on tableware: a whole count
            return f"{int(1 + 20 * u)}{unit}", ""
        if spec.kind == rules.LimitKind.NOT_DETECTED:  # a banned drug: traces in μg/kg
            return _figure(Decimal(1) + 30 * u) + (unit or "μg/kg"), ""
        return _figure(Decimal("0.02") + u / 5) + (unit or "g/kg"), ""  # an additive not permitted
    if spec.kind == rules.LimitKind.PLAN:
        m, big = spec.m or Decimal(0), spec.big_m
        if not bad:
            return ("未检出" if m == 0 else f"{int(m * u * Decimal('0.9'))}{unit}"), ""
        return f"{int((big or m or 1) * (2 + 8 * u)) + 1}{unit}", ""
    if spec.kind == rules.LimitKind.MIN and spec.value is not None:
        factor = (Decimal("0.3") + u / 2) if bad else (Decimal("1.1") + u)
        return _figure(spec.value * factor) + unit, ""
    if spec.kind == rules.LimitKind.RANGE and spec.low is not None and spec.high is not None:
        value = spec.high * Decimal("1.5") if bad else (spec.low + spec.high) / 2
        return _figure(value) + unit, ""
    limit = spec.value or Decimal(1)
    factor = (Decimal("1.3") + 3 * u) if bad else (Decimal("0.05") + u * Decimal("0.7"))
    return _figure(limit * factor) + unit, ""


def _user(role: str, username: str) -> User:
    user = User.objects.filter(role=role, is_active=True).order_by("id").first()
    if user is None:
        user = User.objects.create(username=username, role=role, full_name=username)
    return user


DEMO_MANUFACTURERS = ("天津市北辰区示范食品有限公司", "天津示范粮油有限公司", "河北示范食品有限公司")
DEMO_SPECIFICATIONS = ("500g/袋", "1kg/袋", "500mL/瓶", "散装称重")


def _on_site_demo(unit: str, n: int) -> dict[str, Any]:
    """The on-site record's figures of a demo sample, by its index (no draw from the generator, so
    the rest of the demo stays as it was). Farm produce has no labelled manufacturer."""
    if unit == "agri":
        return {
            "specification": "散装",
            "quantity": Decimal(2),
            "quantity_unit": "kg",
            "backup_quantity": Decimal(1),
            "backup_kept_by": "承检机构",
        }
    return {
        "manufacturer": DEMO_MANUFACTURERS[n % len(DEMO_MANUFACTURERS)],
        "specification": DEMO_SPECIFICATIONS[n % len(DEMO_SPECIFICATIONS)],
        "quantity": Decimal(6),
        "quantity_unit": "袋",
        "backup_quantity": Decimal(2),
        "backup_kept_by": "承检机构",
    }


def demo_sampling_build(*, seed: int, out: Callable[[str], object] = print, count: int = 2400) -> int:
    """Write `count` samples of 2022 (skipped when the year already holds samples): the market
    regulator's over the register and the agriculture committee's at farms, in the plan's ratio."""
    if Sample.objects.filter(code__startswith="BC2022-").exists():
        out("2022年抽检样品已存在，跳过 / 2022 samples exist")
        return 0
    rng = random.Random(seed)  # noqa: S311 - synthetic demo data, not security
    officer = _user(Role.DISTRICT_OFFICER, "demo-sampling-officer")
    agri, _created = User.objects.get_or_create(
        username="demo-agriculture-sampler",
        defaults={"role": Role.DISTRICT_OFFICER, "full_name": "演示数据（区农业农村委抽样人员）"},
    )
    if agri.department_id != "agriculture":
        agri.department_id = "agriculture"
        agri.set_unusable_password()  # acts in the demo's history; nobody logs in as it
        agri.save(update_fields=["department", "password"])
    labs = [Lab.objects.get_or_create(name=n, defaults={"cma_number": c})[0] for n, c in LABS]
    agri_lab = Lab.objects.get_or_create(name=AGRI_LAB[0], defaults={"cma_number": AGRI_LAB[1]})[0]
    lab_user = User.objects.filter(role=Role.LAB, lab_membership__isnull=True).first() or _user(
        Role.LAB, "demo-lab"
    )
    LabMember.objects.get_or_create(user=lab_user, defaults={"lab": labs[0]})
    lab_users = {m.lab_id: m.user for m in LabMember.objects.select_related("user")}
    businesses = list(Business.objects.filter(status=BusinessStatus.ACTIVE).order_by("id")[:20000])
    if not businesses:
        out("登记簿为空，跳过抽检演示数据 / empty register")
        return 0
    farm_towns = list(Region.objects.filter(level=RegionLevel.TOWN).order_by("code")) or [
        b.region for b in businesses[:1]
    ]
    book = rules.default_limit_book()
    menus = {
        unit: (menu, [d.weight for d in menu])
        for unit, menu in (("market", MARKET_MENU), ("agri", AGRI_MENU))
    }
    unqualified = 0
    for n in range(count):
        unit = "agri" if rng.random() < AGRI_SHARE else "market"
        menu, weights = menus[unit]
        dish = rng.choices(menu, weights=weights)[0]
        if unit == "agri":
            biz, region, lab, sampler = None, rng.choice(farm_towns), agri_lab, agri
            produced = None  # fresh produce: judged on the sampling date
        else:
            biz = rng.choice(businesses)
            region, sampler = biz.region, officer
            lab = labs[0] if labs[0].pk in lab_users and rng.random() < 0.7 else labs[-1]
        tester = lab_users.get(lab.pk, sampler)
        sampled = dt.date(2022, 1, 4) + dt.timedelta(days=rng.randrange(330))
        if unit == "market":
            produced = sampled - dt.timedelta(days=rng.randrange(5, 90))
        on = produced or sampled
        judged = [
            (item, rule)
            for item in dish.items
            if (rule := book.find(item=item, food=dish.food, category=dish.category, on=on)) is not None
            and rule.spec.kind not in (rules.LimitKind.GMP, rules.LimitKind.DECLARED)
            and not rule.floor
        ]  # an item without a limit on file for this food is not reported by the demo's lab
        failing = rng.randrange(len(judged)) if judged and rng.random() < dish.fail else -1
        results, lods = [], {}
        for i, (item, rule) in enumerate(judged):
            text, lod = _result(rule.spec, i == failing, rng)
            results.append((item, text))
            if lod:
                lods[item] = lod
        if not results:
            continue
        delivered = sampled + dt.timedelta(days=rng.randrange(1, 4))
        # Most reports within the 20-working-day deadline, about one in twenty late.
        tested = delivered + dt.timedelta(
            days=rng.randrange(30, 45) if rng.random() < 0.05 else rng.randrange(6, 26)
        )
        with transaction.atomic():
            sample = services.sample_create(
                by=sampler,
                code=f"BC2022-{n + 1:05d}",
                region=region,
                business=biz,
                food_name=dish.food,
                category_path=dish.category,
                produced_on=produced,
                lab=lab,
                lab_name=lab.name,
                source=AuditSource.COMMAND,
                **_on_site_demo(unit, n),
            )
            for status, day in ((S.SAMPLED, sampled), (S.DELIVERED, delivered)):
                services.sample_set_status(
                    sample=sample, status=status, by=sampler, on=day, source=AuditSource.COMMAND
                )
            services.sample_results_record(
                sample=sample,
                results=results,
                detection_limits=lods,
                by=tester if tester.role == Role.LAB else sampler,
                on=tested,
                book=book,
                source=AuditSource.COMMAND,
            )
            if sample.status == S.JUDGED_QUALIFIED:
                services.sample_set_status(
                    sample=sample, status=S.CLOSED, by=sampler, on=tested, source=AuditSource.COMMAND
                )
            elif sample.status == S.JUDGED_UNQUALIFIED:
                unqualified += 1
                notified = tested + dt.timedelta(days=3)
                services.sample_set_status(
                    sample=sample, status=S.NOTIFIED, by=sampler, on=notified, source=AuditSource.COMMAND
                )
                task = services.disposal_task_open(
                    sample=sample, by=sampler, on=notified + dt.timedelta(days=8), source=AuditSource.COMMAND
                )
                if rng.random() < 0.8:  # most disposals finished, a few still open
                    done = notified + dt.timedelta(days=rng.randrange(10, 80))
                    for kind in DisposalStepKind.values:
                        services.disposal_step_record(
                            task=task,
                            kind=kind,
                            by=sampler,
                            done_on=done,
                            note=f"演示：{DisposalStepKind(kind).label}",
                            evidence=ContentFile(b"demo evidence", name=f"{sample.code}-{kind}.txt"),
                            source=AuditSource.COMMAND,
                        )
                    services.disposal_task_close(task=task, by=sampler, on=done, source=AuditSource.COMMAND)
        if (n + 1) % 500 == 0:
            out(f"  抽检样品 {n + 1} / {count}")
    out(f"抽检演示数据：{count} 批次，不合格 {unqualified} 批次")
    return count


# -- quick tests (快检) at the register's markets -----------------------------------------------------

# (product, item code, share of positives) — about 1 % positive overall.
QUICK_MENU = [
    ("小白菜", "op_carbamate", 0.015),
    ("菠菜", "op_carbamate", 0.015),
    ("韭菜", "op_carbamate", 0.03),
    ("芹菜", "op_carbamate", 0.015),
    ("豇豆", "op_carbamate", 0.02),
    ("油麦菜", "op_carbamate", 0.01),
    ("草莓", "op_carbamate", 0.01),
    ("葡萄", "op_carbamate", 0.005),
    ("猪肉", "clenbuterol", 0.003),
    ("猪肉", "ractopamine", 0.003),
    ("牛肉", "salbutamol", 0.003),
    ("羊肉", "clenbuterol", 0.005),
    ("鲫鱼", "malachite_green", 0.01),
    ("草鱼", "malachite_green", 0.008),
    ("鱿鱼", "formaldehyde", 0.01),
    ("生姜", "sulfur_dioxide", 0.01),
    ("腐竹", "rongalite", 0.005),
]
_STALL_NAMES = "张王李赵刘陈杨黄周吴徐孙马朱胡郭何高林罗"
_STALL_KINDS = {"op_carbamate": "蔬菜", "malachite_green": "水产", "formaldehyde": "水产"}


def demo_quick_tests_build(*, seed: int, out: Callable[[str], object] = print, count: int = 3000) -> int:
    """Write `count` quick tests of 2022 at the register's markets through the quick-test services:
    negatives closed, positives told to the operator with the stall's sale stopped, some objected
    to and re-tested (some overturned), the standing ones followed by a supervisory sample task
    (one in six not yet). Skipped when 2022 already holds quick tests."""
    if QuickTest.objects.filter(tested_at__year=2022).exists():
        out("2022年快检记录已存在，跳过 / 2022 quick tests exist")
        return 0
    markets = list(
        Business.objects.filter(
            business_type=BusinessType.AGRI_MARKET, status=BusinessStatus.ACTIVE
        ).order_by("id")
    )
    if not markets:
        out("登记簿中没有农产品市场，跳过快检演示数据 / no markets in the register")
        return 0
    rng = random.Random(seed + 5)  # noqa: S311 - synthetic demo data, not security
    officer = _user(Role.DISTRICT_OFFICER, "demo-sampling-officer")
    book = quick_test_rules_in_force(dt.date(2022, 1, 1))
    cal = WorkingCalendar()
    tz = timezone.get_current_timezone()  # Beijing time
    src = AuditSource.COMMAND
    positives = objections = overturned = followed = standing = 0
    for start in range(0, count, 500):
        with transaction.atomic():
            for n in range(start, min(start + 500, count)):
                market = rng.choice(markets)
                product, code, share = rng.choice(QUICK_MENU)
                item = book.items[code]
                day = dt.date(2022, 1, 4) + dt.timedelta(days=rng.randrange(356))
                tested_at = dt.datetime.combine(
                    day, dt.time(rng.randrange(5, 11), rng.randrange(60)), tzinfo=tz
                )
                positive = rng.random() < share
                reading = ""
                if item.positive_at_or_above is not None:
                    value = rng.uniform(52, 85) if positive else rng.uniform(2, 40)
                    reading = f"{value:.1f}%"
                stall = f"{chr(65 + rng.randrange(8))}{rng.randrange(1, 60):02d} {rng.choice(_STALL_NAMES)}记{_STALL_KINDS.get(code, '')}"
                qt = quicktests.quick_test_record(
                    actor=officer,
                    source=src,
                    data=quicktests.QuickTestInput(
                        business=market,
                        stall=stall,
                        product=product,
                        item=item.name,
                        result="positive" if positive else "negative",
                        tested_at=tested_at,
                        reading=reading,
                        kit_batch=f"{day:%Y%m}{rng.randrange(1, 9):02d}",
                        tester_name=f"{market.name[:4]}快检室",
                    ),
                )
                if not positive:
                    continue
                positives += 1
                notified = tested_at + dt.timedelta(minutes=rng.randrange(10, 40))
                qt = quicktests.quick_test_notify(
                    actor=officer, source=src, quick_test=qt, measures=["stop_sale", "seal"], at=notified
                )
                if rng.random() < 0.3:  # the operator objects within the window
                    objections += 1
                    filed = notified + dt.timedelta(minutes=rng.randrange(20, 230))
                    qt = quicktests.quick_test_objection_file(
                        actor=officer,
                        source=src,
                        quick_test=qt,
                        reason="对快检结果有异议，申请复检",
                        filed_at=filed,
                    )
                    overturn = rng.random() < 0.5
                    overturned += overturn
                    qt = quicktests.quick_test_retest_record(
                        actor=officer,
                        source=src,
                        quick_test=qt,
                        result="negative" if overturn else "positive",
                        method="GB 23200.113-2018" if code == "op_carbamate" else "国家标准检验方法",
                        lab=LABS[1][0],
                        report=f"FJ{day:%Y}{n:05d}",
                        at=filed + dt.timedelta(days=rng.randrange(2, 6)),
                        calendar=cal,
                    )
                    if overturn:
                        continue
                else:
                    qt = quicktests.quick_test_confirm(
                        actor=officer,
                        source=src,
                        quick_test=qt,
                        at=notified + dt.timedelta(hours=4, minutes=rng.randrange(5, 300)),
                        calendar=cal,
                    )
                standing += 1
                if standing % 6:  # five in six standing positives already sampled, the rest pending
                    followed += 1
                    quicktests.quick_test_followup_sample(
                        actor=officer,
                        source=src,
                        quick_test=qt,
                        at=(qt.confirmed_at or notified) + dt.timedelta(days=1),
                    )
        out(f"  快检 {min(start + 500, count)} / {count}")
    out(
        f"快检演示数据：{count} 批次，阳性 {positives}，异议 {objections}（复检推翻 {overturned}），"
        f"转监督抽检 {followed}"
    )
    return count
