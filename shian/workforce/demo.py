"""Demo records of the workforce module at Beichen's scale for 2022 (deterministic for a seed):
160 inspectors with their training hours and certificates, training sessions (standards training
among them), the expert committee, publicity events with the June publicity week, liability
policies for most school canteens and some caterers, certifications of food producers, science
projects and 双安双创 milestones; after the coordinator roster exists, the grid cells of every town
with their informants. Written in bulk with one audit entry per kind."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal

from django.db import models, transaction

from shian.core.audit import AuditEvent, audit_record
from shian.core.models import AuditAction, AuditSource, Coordinator, Region, RegionLevel
from shian.registry.models import Business

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

YEAR = 2022
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ["伟", "芳", "娜", "敏", "静", "磊", "洋", "勇", "军", "杰", "涛", "明", "超", "霞", "平", "刚"]
INSURERS = ["中国人民财产保险天津市北辰支公司", "中国平安财产保险天津分公司", "中国太平洋财产保险天津分公司"]


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(["", *GIVEN])


def _day(rng: random.Random, start: int = 1, end: int = 365) -> dt.date:
    return dt.date(YEAR, 1, 1) + dt.timedelta(days=rng.randint(start, end) - 1)


def _audit(model: type[models.Model], count: int, note: str) -> None:
    audit_record(
        actor=None,
        source=AuditSource.COMMAND,
        event=AuditEvent(
            action=AuditAction.GENERATE,
            object_type=model._meta.label_lower,
            object_id="demo",
            object_repr=note,
            after={"count": count},
        ),
    )


def demo_workforce_build(*, seed: int, out: Callable[[str], object] = print) -> None:
    if Inspector.objects.exists():
        out("队伍与共治演示数据已存在，跳过 / workforce demo exists")
        return
    rng = random.Random(seed * 11 + 22)  # noqa: S311 - synthetic demo data, not security
    towns = list(Region.objects.exclude(level=RegionLevel.DISTRICT).order_by("code"))
    district = Region.objects.get(level=RegionLevel.DISTRICT)
    with transaction.atomic():
        _inspectors_and_training(rng, towns, district)
        _publicity(rng, towns, district)
        _insurance_and_certification(rng)
        _science_and_milestones(rng, district)
    out(
        f"队伍与共治：{Inspector.objects.count()} 名检查员，{TrainingSession.objects.count()} 场培训，"
        f"{PublicityEvent.objects.count()} 场宣传活动，{InsurancePolicy.objects.count()} 份责任保险"
    )


def _inspectors_and_training(rng: random.Random, towns: list[Region], district: Region) -> None:
    inspectors = [
        Inspector(
            cert_no=f"12011301{i + 1:04d}",
            name=_name(rng),
            qualification=rng.choices(["none", "junior", "intermediate", "senior"], weights=[30, 45, 20, 5])[
                0
            ],
            professional=rng.random() < 0.3,
            cert_valid_until=dt.date(rng.choice([2022, 2023, 2024, 2025]), rng.randint(1, 12), 28),
            active=rng.random() > 0.03,
            region=rng.choice(towns) if i >= 20 else district,
            department_id="market",
        )
        for i in range(160)
    ]
    Inspector.objects.bulk_create(inspectors)
    kinds = ["inspector"] * 10 + ["standards"] * 12 + ["coordinator"] * 8 + ["business"] * 10
    titles = {
        "inspector": "食品生产检查员培训（第{n}期）",
        "standards": "食品安全国家标准宣贯（GB 2762-2022 等，第{n}期）",
        "coordinator": "协管员、信息员业务培训（第{n}期）",
        "business": "企业食品安全管理人员培训考核（第{n}期）",
    }
    sessions = []
    for n, kind in enumerate(kinds, start=1):
        attendance = rng.randint(30, 200)
        tested = attendance if kind in ("business", "inspector") else 0
        sessions.append(
            TrainingSession(
                code=f"PX{YEAR}{n:03d}",
                title=titles[kind].format(n=n),
                kind=kind,
                audience={
                    "inspector": "检查员",
                    "standards": "生产经营企业、检查员",
                    "coordinator": "协管员、信息员",
                    "business": "企业食品安全管理人员",
                }[kind],
                held_on=_day(rng, 20, 350),
                hours=Decimal(rng.choice([3, 4, 6, 8, 12, 16])),
                attendance=attendance,
                tested=tested,
                passed=int(tested * rng.uniform(0.85, 1.0)),
                region=district if kind != "coordinator" else rng.choice(towns),
                department_id="health" if kind == "standards" else "market",
            )
        )
    TrainingSession.objects.bulk_create(sessions)
    inspector_sessions = list(TrainingSession.objects.filter(kind__in=["inspector", "standards"]))
    records = []
    for inspector in Inspector.objects.all():
        for s in rng.sample(inspector_sessions, rng.randint(2, 6)):
            records.append(
                TrainingRecord(
                    inspector=inspector,
                    session=s,
                    course=s.title,
                    hours=s.hours,
                    completed_on=s.held_on,
                    region_id=inspector.region_id,
                    department_id="market",
                )
            )
    TrainingRecord.objects.bulk_create(records, batch_size=1000)
    experts = [
        Expert(
            name=_name(rng),
            field=rng.choice(
                ["食品检验", "营养与食品卫生", "农产品质量安全", "法学", "食品工程", "公共卫生"]
            ),
            organisation=rng.choice(
                ["天津科技大学", "天津医科大学", "天津市疾控中心", "天津农学院", "天津商业大学"]
            ),
            appointed_on=dt.date(2021, 3, 1),
            term_until=dt.date(2024, 2, 28),
            region=district,
            department_id="office",
        )
        for _ in range(25)
    ]
    Expert.objects.bulk_create(experts)
    _audit(Inspector, len(inspectors), "演示：检查员")
    _audit(TrainingSession, len(sessions), "演示：培训")
    _audit(TrainingRecord, len(records), "演示：检查员学时")
    _audit(Expert, len(experts), "演示：专家委员")


def _publicity(rng: random.Random, towns: list[Region], district: Region) -> None:
    events = []
    for town in rng.sample(towns, 10):
        events.append(
            PublicityEvent(
                title=f"2022年食品安全宣传周·{town.name}",
                kind="week",
                held_on=dt.date(YEAR, 6, rng.randint(13, 19)),
                reach=rng.randint(800, 5000),
                channel="现场宣传、北辰食安微信公众号",
                region=town,
                department_id="office",
            )
        )
    kinds = ["rumour", "campus", "law", "online", "other"]
    for _ in range(50):
        kind = rng.choice(kinds)
        events.append(
            PublicityEvent(
                title={
                    "rumour": "辟谣：网传“塑料大米”",
                    "campus": "农产品质量安全知识进校园",
                    "law": "“八五”普法进市场",
                    "online": "“一网一微”食品安全科普推送",
                    "other": "食品安全进社区",
                }[kind],
                kind=kind,
                held_on=_day(rng),
                reach=rng.randint(200, 20000),
                channel=rng.choice(["天津市食品安全网", "北辰食安微信公众号", "现场"]),
                region=rng.choice(towns) if kind != "online" else district,
                department_id={"campus": "education", "law": "justice", "rumour": "propaganda"}.get(
                    kind, "office"
                ),
            )
        )
    PublicityEvent.objects.bulk_create(events)
    _audit(PublicityEvent, len(events), "演示：宣传活动")


def _insurance_and_certification(rng: random.Random) -> None:
    policies = []
    n = 0
    for b in Business.objects.filter(
        business_type__in=["school_canteen", "catering", "central_kitchen"], status="active"
    ).order_by("pk"):
        share = {"school_canteen": 0.92, "central_kitchen": 0.8, "catering": 0.06}[b.business_type]
        if rng.random() > share:
            continue
        n += 1
        starts = _day(rng, 1, 240)
        policies.append(
            InsurancePolicy(
                policy_no=f"ZR{YEAR}{n:06d}",
                insured=b.name,
                credit_code=b.credit_code or "",
                sector=b.business_type,
                insurer=rng.choice(INSURERS),
                cover_10k_yuan=Decimal(rng.choice([50, 100, 200, 300])),
                starts=starts,
                ends=starts.replace(year=YEAR + 1) - dt.timedelta(days=1),
                business=b,
                region_id=b.region_id,
                department_id="education" if b.business_type == "school_canteen" else "market",
            )
        )
    InsurancePolicy.objects.bulk_create(policies, batch_size=1000)
    certs = []
    for i, b in enumerate(
        Business.objects.filter(business_type="production", status="active").order_by("pk")
    ):
        if rng.random() > 0.3 or not b.credit_code:
            continue
        certs.append(
            Certification(
                cert_no=f"CQC{YEAR}{i:05d}",
                holder=b.name,
                credit_code=b.credit_code,
                scheme=rng.choice(["iso22000", "haccp", "iso9001", "green"]),
                valid_until=dt.date(rng.choice([2023, 2024, 2025]), rng.randint(1, 12), 1),
                business=b,
                region_id=b.region_id,
                department_id="industry",
            )
        )
    Certification.objects.bulk_create(certs)
    _audit(InsurancePolicy, len(policies), "演示：食品安全责任保险")
    _audit(Certification, len(certs), "演示：体系认证")


def _science_and_milestones(rng: random.Random, district: Region) -> None:
    projects = [
        ScienceProject(
            title=t,
            organisation=o,
            funding_10k_yuan=Decimal(f),
            started_on=d,
            status=s,
            region=district,
            department_id="science",
        )
        for t, o, f, d, s in [
            ("蔬菜中禁限用农药快速筛查方法研究", "天津农学院", 30, dt.date(YEAR, 3, 1), "ongoing"),
            ("冷链食品追溯数据质量评价", "天津科技大学", 25, dt.date(YEAR, 5, 1), "ongoing"),
            ("稻谷镉污染阻控技术示范", "北辰区农业发展服务中心", 40, dt.date(YEAR, 4, 1), "ongoing"),
            ("学校食堂智慧监管应用", "北辰区教育局", 20, dt.date(2021, 9, 1), "done"),
        ]
    ]
    ScienceProject.objects.bulk_create(projects)
    milestones = [
        (
            "demo_city",
            "创建工作方案印发",
            dt.date(YEAR, 3, 31),
            dt.date(YEAR, 3, 20),
            "北辰食安委〔2022〕3号",
        ),
        ("demo_city", "创建短板弱项清单与整改", dt.date(YEAR, 6, 30), dt.date(YEAR, 7, 15), "整改台账"),
        ("demo_city", "群众满意度调查", dt.date(YEAR, 9, 30), dt.date(YEAR, 9, 28), "第三方调查报告"),
        ("demo_city", "年度创建自评", dt.date(YEAR, 12, 15), None, ""),
        ("agri_county", "农安县创建成果巩固自查", dt.date(YEAR, 10, 31), dt.date(YEAR, 10, 20), "自查报告"),
        (
            "agri_county",
            "农产品质量安全监管能力评估",
            dt.date(YEAR, 11, 30),
            dt.date(YEAR, 11, 25),
            "评估报告",
        ),
    ]
    rows = [
        Milestone(
            programme=p,
            title=t,
            due=due,
            done_on=done,
            evidence=ev,
            region=district,
            department_id="agriculture" if p == "agri_county" else "office",
        )
        for p, t, due, done, ev in milestones
    ]
    Milestone.objects.bulk_create(rows)
    _audit(ScienceProject, len(projects), "演示：科技项目")
    _audit(Milestone, len(rows), "演示：双安双创里程碑")


def demo_grid_build(*, seed: int, out: Callable[[str], object] = print) -> None:
    """Grid cells of about 8,000 residents in every town, each led by one of the town's coordinators
    (the roster the plan's demo made), with informants in the agricultural towns' cells."""
    if GridCell.objects.exists():
        return
    rng = random.Random(seed * 13 + 22)  # noqa: S311 - synthetic demo data, not security
    cells, n = [], 0
    with transaction.atomic():
        for i, c in enumerate(Coordinator.objects.filter(code__isnull=True).order_by("pk")):
            c.code = f"XG{c.region_id[-3:]}{i + 1:04d}"
            c.save(update_fields=["code"])
        for town in Region.objects.exclude(level=RegionLevel.DISTRICT).order_by("code"):
            roster = list(Coordinator.objects.filter(region=town).order_by("pk"))
            k = max(1, round(town.population / 8000))
            for j in range(k):
                n += 1
                cells.append(
                    GridCell(
                        code=f"WG{town.code[-3:]}{j + 1:02d}",
                        name=f"{town.name}第{j + 1}网格",
                        villages=f"{town.name[:2]}第{j + 1}片区",
                        population=town.population // k,
                        coordinator=roster[j % len(roster)] if roster else None,
                        agricultural=town.level in (RegionLevel.TOWN, RegionLevel.FARM),
                        region=town,
                        department_id="market",
                    )
                )
        GridCell.objects.bulk_create(cells)
        informants = [
            Informant(
                cell=cell,
                name=_name(rng),
                since=dt.date(2021, rng.randint(1, 12), 1),
                region_id=cell.region_id,
                department_id="agriculture",
            )
            for cell in GridCell.objects.filter(agricultural=True)
            if rng.random() > 0.12
        ]
        Informant.objects.bulk_create(informants)
        _audit(GridCell, len(cells), "演示：网格")
        _audit(Informant, len(informants), "演示：信息员")
    out(f"网格：{len(cells)} 个，信息员 {len(informants)} 名")
