"""Demo enforcement over the demo register, through the real services (deterministic for a seed):
a year of cases (2022) across the towns and the campaigns — from unqualified samples, inspections,
complaints and campaign leads — most filed, investigated, decided, executed and closed; some not
filed, some transferred to the police, some still open; their decisions published and partly taken
down, heavy ones listed and some repaired, typical cases each quarter, monthly credit filings."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal

from django.db import transaction

from shian.core.models import AuditSource, Role, User
from shian.registry.models import Business, BusinessStatus, BusinessType
from shian.sampling.models import DisposalTask, Sample, StatusChange
from shian.sampling.workflow import SampleStatus

from . import rules, services
from .models import Case, Listing, Publication, PublicationStatus
from .workflow import CaseStatus as S

SRC = AuditSource.COMMAND
YEAR = 2022
# (basis, summary, campaigns, listing trigger)
VIOLATIONS = [
    ("fsl-124", "销售农药残留超标的蔬菜", ["iron_fist"], "over_limit"),
    ("fsl-124", "超范围使用食品添加剂", ["iron_fist"], "additive_abuse"),
    ("fsl-125", "销售标签不符合规定的预包装食品", ["rural_counterfeit"], ""),
    ("fsl-125", "销售“山寨”仿冒食品", ["rural_counterfeit"], ""),
    ("fsl-126", "未按规定查验进货票证", [], ""),
    ("fsl-126", "从业人员未取得健康证明", ["school"], ""),
    ("fsl-132", "未按要求贮存食品", ["cold_chain"], ""),
    ("fsl-122", "未取得许可从事食品经营", ["rural_counterfeit"], "unlicensed"),
    ("fsl-123", "经营病死畜禽肉类", ["kunlun", "iron_fist"], "sick_meat"),
    ("fsl-124", "销售腐败变质食品", [], "spoiled_adulterated"),
]


def _officer() -> User:
    return User.objects.filter(role=Role.DISTRICT_OFFICER, is_active=True).order_by(
        "id"
    ).first() or User.objects.create(
        username="demo-enforcement-officer", role=Role.DISTRICT_OFFICER, full_name="演示数据（执法）"
    )


def _fine(basis_code: str, band: str, rng: random.Random) -> Decimal:
    edition = rules.edition_in_force(dt.date(YEAR, 6, 1))
    rng_ = rules.fine_range(edition.basis(basis_code), Decimal(3000))
    for code, lo, hi in rng_.bands:
        if code == band:
            return (lo + (hi - lo) * Decimal(str(round(rng.uniform(0.1, 0.9), 2)))).quantize(Decimal("100"))
    raise ValueError(band)


def demo_enforcement_build(*, seed: int, count: int = 300, out: Callable[[str], object] = print) -> int:
    """Build the demo's cases; skipped when cases exist. Returns the cases opened."""
    if Case.objects.exists():
        out("执法案件已存在，跳过 / cases exist")
        return 0
    rng = random.Random(seed)  # noqa: S311 - synthetic demo data, not security
    pool = list(
        Business.objects.filter(
            status=BusinessStatus.ACTIVE,
            business_type__in=[BusinessType.CATERING, BusinessType.WHOLESALE_RETAIL, BusinessType.PRODUCTION],
        )
        .exclude(legal_representative="")
        .order_by("id")[:5000]
    ) or list(Business.objects.filter(status=BusinessStatus.ACTIVE).order_by("id")[:5000])
    if not pool:
        out("登记簿为空，跳过执法演示数据 / register empty")
        return 0
    samples = list(
        Sample.objects.filter(conclusion="unqualified", business__isnull=False, sampled_on__year=YEAR)
        .select_related("business")
        .order_by("id")[:count]
    )
    officer = _officer()
    decided: list[Case] = []
    with transaction.atomic():
        for i in range(count):
            lead = dt.date(YEAR, 1, 4) + dt.timedelta(days=int(rng.uniform(0, 300)))
            basis, summary, campaigns, trigger = VIOLATIONS[rng.randrange(len(VIOLATIONS))]
            sample = samples[i] if i < len(samples) and rng.random() < 0.5 else None
            business = sample.business if sample else pool[rng.randrange(len(pool))]
            source = "sample" if sample else rng.choice(["inspection", "complaint", "campaign", "referral"])
            case = services.case_open(
                by=officer,
                source=SRC,
                source_kind=source,
                source_type="sampling.sample" if sample else "",
                source_id=str(sample.pk) if sample else "",
                summary=summary if not sample else f"销售不合格食品（{sample.food_name}）",
                lead_received_on=max(lead, sample.sampled_on or lead) if sample else lead,
                business=business,
                campaigns=campaigns,
            )
            fate = rng.random()
            day = case.lead_received_on + dt.timedelta(days=rng.randint(3, 12))
            if fate < 0.07:
                services.case_transition(
                    by=officer, source=SRC, case=case, to=S.NOT_FILED, on=day, note="经核查，违法事实不成立"
                )
                continue
            if fate < 0.11:
                _open_at_random_stage(officer, case, basis, day, rng)
                continue
            services.case_facts_record(
                by=officer,
                source=SRC,
                case=case,
                facts={"goods_value": str(rng.randint(200, 9000))},
                basis_code=basis,
                listing_triggers=[trigger] if trigger else [],
            )
            services.case_transition(by=officer, source=SRC, case=case, to=S.FILED, on=day)
            day += dt.timedelta(days=rng.randint(1, 5))
            services.case_transition(by=officer, source=SRC, case=case, to=S.INVESTIGATION, on=day)
            if basis == "fsl-123" and rng.random() < 0.6:
                if _transfer(officer, case, day, rng):
                    continue
                day = case.steps.order_by("-on").values_list("on", flat=True).first() or day
            day += dt.timedelta(days=rng.randint(10, 40))
            services.case_transition(by=officer, source=SRC, case=case, to=S.NOTICE, on=day)
            # After the statement period (5 working days: a holiday can stretch it past 12 days).
            statement_ends = services.clock_due(case.lead_received_on, "hearing_request", day)
            day = max(day + dt.timedelta(days=rng.randint(12, 20)), statement_ends + dt.timedelta(days=1))
            _decide(officer, case, basis, day, rng)
            decided.append(case)
            day += dt.timedelta(days=rng.randint(2, 6))
            services.case_transition(by=officer, source=SRC, case=case, to=S.EXECUTION, on=day)
            if rng.random() < 0.92:
                services.case_transition(
                    by=officer,
                    source=SRC,
                    case=case,
                    to=S.CLOSED,
                    on=day + dt.timedelta(days=rng.randint(10, 30)),
                )
        _publish(officer, decided, rng)
        _listings(officer, rng)
        _typical(officer, rng)
        _filings(officer, decided)
        # The daily expiry as it stood in mid-2023: light penalties' three months have run out.
        services.publications_expire(today=dt.date(YEAR + 1, 6, 30), source=SRC)
        services.listings_expire(today=dt.date(YEAR + 1, 6, 30), source=SRC)
    out(
        f"执法案件 {count} 件，作出处罚决定 {len(decided)} 件，移送公安 {Case.objects.filter(transfers__isnull=False).count()} 件 / cases"
    )
    return count


def _open_at_random_stage(officer: User, case: Case, basis: str, day: dt.date, rng: random.Random) -> None:
    """A case still in progress: left at the lead, filed or under investigation."""
    stage = rng.choice([S.LEAD, S.FILED, S.INVESTIGATION])
    if stage == S.LEAD:
        return
    services.case_facts_record(by=officer, source=SRC, case=case, facts={}, basis_code=basis)
    services.case_transition(by=officer, source=SRC, case=case, to=S.FILED, on=day)
    if stage == S.INVESTIGATION:
        services.case_transition(
            by=officer, source=SRC, case=case, to=S.INVESTIGATION, on=day + dt.timedelta(days=2)
        )
        services.measure_take(
            by=officer,
            source=SRC,
            case=case,
            kind="seize",
            items="涉案食品一批",
            taken_on=day + dt.timedelta(days=2),
        )


def _transfer(officer: User, case: Case, day: dt.date, rng: random.Random) -> bool:
    """Transfer a case that meets a criminal threshold; the police accept (True: closed) or decline."""
    services.case_facts_record(
        by=officer,
        source=SRC,
        case=case,
        facts={"sales_amount": str(rng.randint(120000, 400000)), "large_quantity": True},
    )
    day += dt.timedelta(days=rng.randint(5, 20))
    services.case_transition(
        by=officer,
        source=SRC,
        case=case,
        to=S.TRANSFERRED,
        on=day,
        police_unit="天津市公安局北辰分局",
        documents="涉嫌犯罪案件移送书；案件调查报告；涉案物品清单；检验报告",
    )
    transfer = case.transfers.get()
    accepted = rng.random() < 0.7
    services.transfer_answer(
        by=officer,
        source=SRC,
        transfer=transfer,
        answer="accepted" if accepted else "declined",
        on=day + dt.timedelta(days=3),
        note="已立案侦查" if accepted else "不构成犯罪，退回行政处理",
    )
    services.case_transition(
        by=officer,
        source=SRC,
        case=case,
        to=S.CLOSED if accepted else S.INVESTIGATION,
        on=day + dt.timedelta(days=4),
    )
    return accepted


def _decide(officer: User, case: Case, basis: str, day: dt.date, rng: random.Random) -> None:
    roll = rng.random()
    number = f"津辰市监罚〔{YEAR}〕{case.pk}号"
    if basis == "fsl-123" or (basis == "fsl-124" and roll < 0.08):
        services.case_decide(
            by=officer,
            source=SRC,
            case=case,
            on=day,
            decision_number=number,
            kinds=["fine", "confiscation", "licence_revocation"],
            fine_amount=_fine(basis, "heavier", rng),
            band="heavier",
            confiscated_amount=str(rng.randint(500, 5000)),
            collective_discussion_on=day - dt.timedelta(days=2),
        )
    elif basis == "fsl-126" and roll < 0.15:
        services.case_decide(
            by=officer, source=SRC, case=case, on=day, decision_number=number, kinds=["warning"]
        )
    else:
        band = "lighter" if roll < 0.6 else "ordinary"
        services.case_decide(
            by=officer,
            source=SRC,
            case=case,
            on=day,
            decision_number=number,
            kinds=["fine"],
            fine_amount=_fine(basis, band, rng),
            band=band,
        )


def _publish(officer: User, decided: list[Case], rng: random.Random) -> None:
    pubs = Publication.objects.filter(case__in=decided).select_related("case").order_by("id")
    for pub in pubs:
        if rng.random() < 0.04:
            continue  # left due: the to-do shows it overdue
        assert pub.case.decided_on is not None  # noqa: S101 — a publication exists only for a decision
        on = pub.case.decided_on + dt.timedelta(days=rng.randint(2, 20))
        services.publication_publish(by=officer, source=SRC, publication=pub, on=min(on, pub.due_on))
    published = list(
        Publication.objects.filter(
            status=PublicationStatus.PUBLISHED, light=False, early_from__isnull=False
        ).order_by("id")
    )
    for pub in published[:: max(1, len(published) // 6)][:6]:
        assert pub.published_on is not None  # noqa: S101
        on = rules.add_months(pub.published_on, 13)
        services.publication_withdraw(
            by=officer,
            source=SRC,
            publication=pub,
            on=on,
            reason="当事人申请提前停止公示，经审核符合条件",
            early=True,
            conditions=rules.Conditions(True, True, True, True),
        )


def _listings(officer: User, rng: random.Random) -> None:
    for listing in Listing.objects.select_related("case").order_by("id"):
        on = listing.proposed_on + dt.timedelta(days=rng.randint(5, 15))
        services.listing_decide(
            by=officer,
            source=SRC,
            listing=listing,
            on=on,
            list_it=rng.random() < 0.85,
            note="经审核不属于情节严重",
        )
    listed = list(Listing.objects.filter(status="listed").select_related("case").order_by("id"))
    for listing in listed[:2]:
        assert listing.listed_on is not None  # noqa: S101
        if listing.case.restriction_months:
            continue
        services.listing_repair(
            by=officer,
            source=SRC,
            listing=listing,
            on=rules.add_months(listing.listed_on, 14),
            conditions=rules.Conditions(True, True, True),
        )


def _typical(officer: User, rng: random.Random) -> None:
    closed = list(Case.objects.filter(status=S.CLOSED, decided_on__isnull=False).order_by("closed_on", "id"))
    for quarter in range(1, 5):
        start = dt.date(YEAR, 3 * quarter - 2, 1)
        end = dt.date(YEAR, 3 * quarter, 28)
        candidates = [c for c in closed if c.closed_on and c.closed_on <= end - dt.timedelta(days=5)]
        for case in rng.sample(candidates, min(2, len(candidates))):
            if hasattr(case, "typical"):
                continue
            on = max(start, (case.closed_on or start) + dt.timedelta(days=1))
            services.typical_case_publish(
                by=officer,
                source=SRC,
                case=case,
                title=f"{case.summary}案",
                text=f"经查，当事人{case.summary}。依据{case.basis_article}，{case.decision_number}对其作出行政处罚。",
                on=on,
            )
            closed.remove(case)


def _filings(officer: User, decided: list[Case]) -> None:
    """Monthly batches: each month's decisions, unqualified sampling results and closed disposals
    filed on the 5th of the next month (the last month's left unfiled so T21 shows less than 100 %)."""
    by_month: dict[tuple[int, int], list[Case]] = {}
    for case in decided:
        if case.decided_on and hasattr(case, "publication"):
            by_month.setdefault((case.decided_on.year, case.decided_on.month), []).append(case)
    samples: dict[tuple[int, int], list[Sample]] = {}
    judged = StatusChange.objects.filter(
        to_status=SampleStatus.JUDGED_UNQUALIFIED, sample__conclusion="unqualified", on__year=YEAR
    ).select_related("sample")
    for change in judged:
        samples.setdefault((change.on.year, change.on.month), []).append(change.sample)
    tasks: dict[tuple[int, int], list[DisposalTask]] = {}
    for task in DisposalTask.objects.filter(status="closed", closed_on__year=YEAR).select_related("sample"):
        tasks.setdefault((task.closed_on.year, task.closed_on.month), []).append(task)  # type: ignore[union-attr]
    months = sorted(set(by_month) | set(samples) | set(tasks))
    for year, month in months[:-1]:
        filed_on = dt.date(year + (month == 12), month % 12 + 1, 5)
        batch = f"{year}{month:02d}"
        services.credit_filing_record(
            by=officer, source=SRC, cases=by_month.get((year, month), []), on=filed_on, batch=batch
        )
        services.credit_filing_record_samples(
            by=officer, source=SRC, samples=samples.get((year, month), []), on=filed_on, batch=batch
        )
        services.credit_filing_record_disposals(
            by=officer, source=SRC, tasks=tasks.get((year, month), []), on=filed_on, batch=batch
        )
