"""The portal's demo: business accounts (a caterer with open rectification orders in 果园新村街道,
and a school canteen's operator), businesses' reports on some open orders awaiting the inspector,
and special-food producers' self-inspection reports for the plan's year and the current one.
Everything goes through the portal's services, so it is audited as in production."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.db.models import Exists, OuterRef
from django.utils import timezone

from shian.core.models import AuditSource, User
from shian.inspections.models import Rectification, RectificationStatus
from shian.registry.models import Business, BusinessStatus
from shian.sampling.models import Sample

from . import services

TOWN_A = "120113001"


def _account(business: Business, username: str, password: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user, _ = services.business_account_create(
            actor=None, source=AuditSource.COMMAND, business=business, username=username
        )
    user.set_password(password)
    user.save(update_fields=["password"])
    return user


def demo_portal_build(
    *, seed: int, out: Callable[[str], None], password: Callable[[str], str], today: dt.date | None = None
) -> list[tuple[str, str, str]]:
    """Returns the demo's business accounts as (username, full name, password)."""
    today = today or timezone.localdate()
    rng = random.Random(f"{seed}:portal")  # noqa: S311 — synthetic data, not security
    accounts: list[tuple[str, str, str]] = []
    open_orders = Rectification.objects.filter(
        finding__inspection__business=OuterRef("pk"), status=RectificationStatus.OPEN
    )
    in_town = Business.objects.filter(
        region_id=TOWN_A, status=BusinessStatus.ACTIVE, credit_code__isnull=False, business_type="catering"
    ).order_by("pk")
    # A caterer with open rectification orders if the demo has one, else one that was sampled.
    sampled = Sample.objects.filter(business=OuterRef("pk"))
    shop = (
        in_town.filter(Exists(open_orders)).first()
        or in_town.filter(Exists(sampled)).first()
        or in_town.first()
    )
    if shop is not None:
        _account(shop, "shop", password("shop"))
        accounts.append(("shop", f"{shop.name}（企业账户）", password("shop")))
        out(f"  企业账户 shop → {shop.name}")
    from shian.schools.models import School

    school = School.objects.filter(region_id=TOWN_A, canteen__isnull=False).select_related("canteen").first()
    if school is not None and school.canteen is not None and school.canteen.credit_code:
        _account(school.canteen, "canteen", password("canteen"))
        accounts.append(("canteen", f"{school.canteen.name}（企业账户）", password("canteen")))
        out(f"  企业账户 canteen → {school.canteen.name}")
    # Some businesses with open orders report on them (each through its own account).
    reported = 0
    candidates = (
        Rectification.objects.filter(
            status=RectificationStatus.OPEN, finding__inspection__business__credit_code__isnull=False
        )
        .select_related("finding__inspection__business")
        .order_by("pk")[:400]
    )
    for r in candidates:
        if reported >= 25 or rng.random() > 0.3:
            continue
        business = r.finding.inspection.business
        user = _account(business, f"biz{business.pk}", password(f"biz{business.pk}"))
        try:
            services.rectification_report_submit(
                actor=user,
                source=AuditSource.WEB,
                rectification=r,
                text=rng.choice(
                    [
                        "已按要求整改完毕，附整改后照片。",
                        "已更换设备并建立记录制度。",
                        "相关人员已培训，台账已补齐。",
                    ]
                ),
            )
            reported += 1
        except Exception:  # noqa: S112 — a demo order may already have a pending report
            continue
    # Special-food producers' yearly self-inspection reports: most file, a few are late.
    filed = 0
    producers = Business.objects.filter(business_type="special_food", status=BusinessStatus.ACTIVE).order_by(
        "pk"
    )
    for year, share in ((2022, 0.93), (today.year - 1, 0.88), (today.year, 0.5)):
        for b in producers:
            if rng.random() > share:
                continue
            found = rng.randint(0, 6)
            services.self_inspection_submit(
                actor=None,
                source=AuditSource.COMMAND,
                business=b,
                year=year,
                items_checked=rng.randint(40, 120),
                problems_found=found,
                problems_fixed=rng.randint(max(0, found - 1), found),
                summary="生产质量管理体系运行有效；对发现的问题已制定整改措施。",
                today=min(today, dt.date(year, 12, rng.randint(1, 28))),
            )
            filed += 1
    out(f"  企业整改报告 {reported} 份，特殊食品自查报告 {filed} 份")
    return accounts
