"""Demo complaints and reports over the demo register, through the real services (deterministic for
a seed): a year (2022) of complaints and reports from the public page, the telephone and the 12315
platform, most handled within their clocks and some late, some upheld (entering the business-event
ledger), a few reports rewarded; and a smaller 2024 set for the predictive ranking's complaint
feature."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal

from shian.core.calendar import WorkingCalendar
from shian.core.models import AuditSource, FoodCategory, Region, RegionLevel, Role, User
from shian.registry.models import Business, BusinessStatus, BusinessType
from shian.registry.selectors import business_events_between

from . import participation, rules, services
from .models import Channel, Complaint, ComplaintKind, ListEntry, ListKind, Survey

SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀英",
]
FACTS = [
    ("饭菜中吃出异物", "退还餐费并道歉"),
    ("购买的熟食已过保质期", "退货并赔偿"),
    ("外卖送达后发现食物变质", "退款"),
    ("就餐后腹泻", "赔偿医药费"),
    ("超市销售的牛奶胀袋", "退货"),
    ("蛋糕中有头发", "退款"),
]
LEADS = [
    "后厨卫生条件差，生熟不分",
    "无证经营，在居民楼内加工食品",
    "从业人员未持健康证上岗",
    "使用过期原料加工食品",
    "冷库内存放无中文标签的进口冻品",
    "私自改换经营场所未办理变更",
]
YEAR = 2022


def _officer() -> User | None:
    return User.objects.filter(role=Role.DISTRICT_OFFICER, is_active=True).order_by("id").first()


def _person(rng: random.Random) -> tuple[str, str]:
    name = rng.choice(SURNAMES) + rng.choice(GIVEN)
    phone = "13" + "".join(str(rng.randint(0, 9)) for _ in range(9))
    return name, phone


def _one(
    rng: random.Random,
    cal: WorkingCalendar,
    officer: User,
    business: Business,
    received: dt.date,
    last_day: dt.date,
) -> Complaint:
    kind = ComplaintKind.COMPLAINT if rng.random() < 0.65 else ComplaintKind.REPORT
    channel = rng.choice(
        [Channel.HOTLINE_12315, Channel.HOTLINE_12315, Channel.PHONE, Channel.PORTAL, Channel.WINDOW]
    )
    real_name = kind == ComplaintKind.COMPLAINT or rng.random() < 0.6
    name, phone = _person(rng)
    facts, request = rng.choice(FACTS) if kind == ComplaintKind.COMPLAINT else (rng.choice(LEADS), "")
    c = services.complaint_file(
        actor=None,
        source=AuditSource.COMMAND,
        kind=kind,
        channel=channel,
        received_on=received,
        business=business,
        business_name=business.name,
        facts=facts,
        request=request,
        person_name=name if real_name else "",
        person_phone=phone if real_name else "",
        person_address=f"{business.region.name}某小区{rng.randint(1, 30)}号楼" if real_name else "",
        real_name=real_name,
    )
    services.complaint_take(actor=officer, complaint=c, source=AuditSource.COMMAND)

    def step(n: int, day: dt.date) -> dt.date | None:
        nxt = cal.deadline(day, n).due
        return nxt if nxt <= last_day else None

    # Most decisions within the clock; about one in twelve late.
    late = rng.random() < 0.08
    d1 = step(rng.randint(8, 11) if late else rng.randint(1, 6), received)
    if d1 is None:
        return c
    if kind == ComplaintKind.COMPLAINT:
        if rng.random() < 0.12:
            services.complaint_transition(
                actor=officer,
                complaint=c,
                to="not_accepted",
                on=d1,
                ground="not_consumer",
                source=AuditSource.COMMAND,
            )
            services.complaint_transition(
                actor=officer, complaint=c, to="closed", on=d1, source=AuditSource.COMMAND
            )
            return c
        services.complaint_transition(
            actor=officer, complaint=c, to="accepted", on=d1, source=AuditSource.COMMAND
        )
        services.complaint_transition(
            actor=officer, complaint=c, to="mediating", on=d1, source=AuditSource.COMMAND
        )
        d2 = step(rng.randint(3, 30), d1)
        if d2 is None:
            return c
        if rng.random() < 0.7:
            services.complaint_transition(
                actor=officer,
                complaint=c,
                to="mediated",
                on=d2,
                upheld=rng.random() < 0.6,
                source=AuditSource.COMMAND,
            )
            services.complaint_transition(
                actor=officer, complaint=c, to="closed", on=d2, source=AuditSource.COMMAND
            )
        else:
            services.complaint_transition(
                actor=officer,
                complaint=c,
                to="mediation_ended",
                on=d2,
                ground="no_agreement",
                source=AuditSource.COMMAND,
            )
            d3 = step(rng.randint(1, 9 if late else 5), d2)
            if d3 is not None:
                services.complaint_transition(
                    actor=officer, complaint=c, to="closed", on=d3, source=AuditSource.COMMAND
                )
        return c
    services.complaint_transition(
        actor=officer, complaint=c, to="verifying", on=d1, source=AuditSource.COMMAND
    )
    d2 = step(rng.randint(6, 8) if late else rng.randint(1, 6), d1)
    if d2 is None:
        return c
    if rng.random() < 0.35:
        services.complaint_transition(
            actor=officer,
            complaint=c,
            to="case_opened",
            on=d2,
            case_number=f"津北市监立〔{d2.year}〕{c.pk}号",
            source=AuditSource.COMMAND,
        )
        if real_name and rng.random() < 0.4:
            services.complaint_reward_record(
                actor=officer,
                complaint=c,
                amount=Decimal(rng.choice([200, 300, 500, 1000])),
                source=AuditSource.COMMAND,
            )
    else:
        services.complaint_transition(
            actor=officer,
            complaint=c,
            to="not_opened",
            on=d2,
            note="经核查未发现违法行为",
            source=AuditSource.COMMAND,
        )
    d3 = step(rng.randint(1, 4), d2)
    if d3 is not None:
        services.complaint_transition(
            actor=officer, complaint=c, to="closed", on=d3, source=AuditSource.COMMAND
        )
    return c


def demo_complaints_build(*, seed: int, out: Callable[[str], object] = print, count: int = 240) -> int:
    """Build the demo's complaints and reports; skipped when some exist. Returns how many were filed."""
    if Complaint.objects.exists():
        out("投诉举报已存在，跳过 / complaints exist")
        return 0
    officer = _officer()
    pool = list(
        Business.objects.filter(
            status=BusinessStatus.ACTIVE,
            business_type__in=[
                BusinessType.CATERING,
                BusinessType.WHOLESALE_RETAIL,
                BusinessType.SCHOOL_CANTEEN,
            ],
        )
        .select_related("region")
        .order_by("id")[:4000]
    )
    if officer is None or not pool:
        out("没有区级监管人员或登记簿为空，跳过投诉举报演示数据 / no officer or empty register")
        return 0
    rng = random.Random(seed + 15)  # noqa: S311 - synthetic demo data, not security
    cal = WorkingCalendar()
    # A few businesses draw repeated complaints (as in life), the rest one now and then.
    hot = rng.sample(pool, min(25, len(pool)))
    done = 0
    for year, n in ((YEAR, count), (2024, count // 4)):
        start, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
        for _ in range(n):
            business = rng.choice(hot) if rng.random() < 0.3 else rng.choice(pool)
            received = start + dt.timedelta(days=rng.randrange(0, 365))
            _one(rng, cal, officer, business, received, last)
            done += 1
    out(f"投诉举报 {done} 件 / complaints and reports")
    return done


def demo_participation_build(*, seed: int, out: Callable[[str], object] = print) -> int:
    """The 2022 你点我检 round (votes cast and published), three 随机查餐厅 events, the red and black
    lists by rule with one reply answered, and the October satisfaction survey by town."""
    if Survey.objects.exists():
        out("公众参与演示数据已存在，跳过 / participation exists")
        return 0
    officer = _officer()
    if officer is None:
        return 0
    rng = random.Random(seed + 26)  # noqa: S311 - synthetic demo data, not security
    categories = list(FoodCategory.objects.order_by("code").values_list("code", flat=True)[:8])
    vote_round = participation.vote_round_open(
        actor=officer,
        source=AuditSource.COMMAND,
        kind="pick",
        year=YEAR,
        title=f"{YEAR}年“你点我检”：您最想抽检哪类食品",
        opens_on=dt.date(YEAR, 3, 1),
        closes_on=dt.date(YEAR, 3, 31),
        categories=categories,
    )
    options = list(vote_round.options.order_by("id"))
    weights = [rng.randint(1, 10) for _ in options]
    for i in range(600):
        option = rng.choices(options, weights)[0]
        participation.vote_cast(
            round=vote_round,
            option_id=option.pk,
            identity=f"139{i:08d}",
            address=f"10.{i % 50}.0.1",
            today=dt.date(YEAR, 3, 1) + dt.timedelta(days=i % 31),
        )
    participation.vote_round_publish(
        actor=officer, source=AuditSource.COMMAND, round=vote_round, on=dt.date(YEAR, 4, 6)
    )
    towns = list(Region.objects.exclude(level=RegionLevel.DISTRICT).order_by("code"))
    restaurants = list(
        Business.objects.filter(business_type=BusinessType.CATERING, status=BusinessStatus.ACTIVE).order_by(
            "id"
        )[:3000]
    )
    for n, month in enumerate((5, 8, 11), start=1):
        town = towns[(n * 3) % len(towns)]
        local = [b for b in restaurants if b.region_id == town.code] or restaurants
        visits: list[tuple[Business, str, int | None]] = [
            (b, rng.choice(["", "", "后厨地面积水", "从业人员未戴帽", "留样不足48小时"]), None)
            for b in rng.sample(local, min(4, len(local)))
        ]
        participation.check_event_record(
            actor=officer,
            source=AuditSource.COMMAND,
            region_code=visits[0][0].region_id,
            held_on=dt.date(YEAR, month, 18),
            title=f"随机查餐厅（第{n}期）",
            residents=rng.randint(5, 12),
            visits=visits,
        )
    # Lists at the year's end: every business the black-list rule names, a few clean ones on the red.
    end = dt.date(YEAR, 12, 31)
    events = business_events_between(start=end - dt.timedelta(days=rules.RED_LIST_CLEAN_DAYS), end=end)
    black = [bid for bid, evs in sorted(events.items()) if rules.black_list_basis(evs, end)][:15]
    listed = 0
    for bid in black:
        participation.list_entry_publish(
            actor=officer,
            source=AuditSource.COMMAND,
            business=Business.objects.get(pk=bid),
            kind=ListKind.BLACK,
            reason="",
            on=end,
        )
        listed += 1
    clean = [b for b in restaurants[:400] if b.pk not in events][:8]
    for b in clean:
        participation.list_entry_publish(
            actor=officer,
            source=AuditSource.COMMAND,
            business=b,
            kind=ListKind.RED,
            reason="连续两年无不良记录，量化分级优秀",
            on=end,
        )
        listed += 1
    if black:
        entry = ListEntry.objects.filter(kind=ListKind.BLACK).order_by("id").first()
        if entry is not None:
            participation.list_entry_reply(
                actor=officer,
                source=AuditSource.COMMAND,
                entry=entry,
                reply="已对后厨全面整改并更换供货商",
                on=end,
            )
            participation.list_entry_answer(
                actor=officer,
                source=AuditSource.COMMAND,
                entry=entry,
                answer="整改情况将在复查后认定，暂维持",
                on=end,
            )
    results = {t.code: (n := rng.randint(120, 260), int(n * rng.uniform(0.78, 0.96))) for t in towns}
    participation.survey_record(
        actor=officer,
        source=AuditSource.COMMAND,
        year=YEAR,
        title=f"{YEAR}年北辰区群众食品安全满意度调查",
        conducted_from=dt.date(YEAR, 10, 10),
        conducted_to=dt.date(YEAR, 11, 10),
        method="入户与电话访问结合，按各镇街常住人口分层随机抽样",
        results=results,
    )
    out(f"你点我检 600 票，随机查餐厅 3 期，红黑榜 {listed} 户，满意度调查 1 次 / participation")
    return listed
