"""Demo licence applications over the demo register, through the real services (deterministic for
a seed): new, renewal and change applications of 2024 decided within their term, a few accepted in
the last weeks and still open (some near their deadline), and — when the caller names a person the
enforcement demo banned — one application naming that person, blocked at the grant and refused."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from shian.core.calendar import WorkingCalendar
from shian.core.models import AuditSource, Role, User
from shian.core.rules import make_credit_code

from . import services, workflow
from .models import Business, BusinessType, LicenceApplication
from .services import PersonInput

SRC = AuditSource.COMMAND
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
GIVEN = ["建国", "秀英", "志强", "丽华", "海涛", "春梅", "立新", "国庆", "晓燕", "红军", "德明", "淑芬"]
NEW_NAMES = ["面馆", "快餐店", "烧饼铺", "便利店", "熟食店", "饺子馆", "早点铺", "蛋糕店"]


def _officer() -> User:
    return User.objects.filter(role=Role.DISTRICT_OFFICER, is_active=True).order_by(
        "id"
    ).first() or User.objects.create(
        username="demo-licensing-officer", role=Role.DISTRICT_OFFICER, full_name="演示数据（许可）"
    )


def _id_number(rng: random.Random) -> str:
    born = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(0, 14000))
    return f"120113{born:%Y%m%d}{rng.randrange(0, 1000):03d}{rng.choice('0123456789X')}"


def _person(rng: random.Random, role: str, name: str = "") -> PersonInput:
    name = name or rng.choice(SURNAMES) + rng.choice(GIVEN)
    return PersonInput(role=role, name=name, id_number=_id_number(rng))


def demo_applications_build(
    *, seed: int, count: int = 36, banned: Sequence[str] = (), out: Callable[[str], object] = print
) -> int:
    """`count` applications; the first name in `banned` is named by one of them (blocked)."""
    rng = random.Random(seed * 7919 + 135)  # noqa: S311 — demo data, not security
    officer = _officer()
    cal = WorkingCalendar()
    businesses = list(
        Business.objects.filter(
            business_type__in=[
                BusinessType.CATERING,
                BusinessType.WHOLESALE_RETAIL,
                BusinessType.UNIT_CANTEEN,
            ],
            business_licence__isnull=False,
        ).order_by("id")[:400]
    )
    if not businesses:
        return 0
    towns = sorted({b.region_id for b in businesses})
    today = timezone.localdate()
    made = 0
    for i in range(count):
        recent = i >= count - 6  # the last six: accepted in the last weeks, still open
        received = (
            cal.deadline(today - dt.timedelta(days=21), rng.randrange(0, 12)).due
            if recent
            else dt.date(2024, 1, 2) + dt.timedelta(days=rng.randrange(0, 330))
        )
        received = min(received, today)
        while not cal.is_workday(received):
            received -= dt.timedelta(days=1)
        kind = rng.choice(["new", "new", "renewal", "change"])
        persons = [_person(rng, "legal_representative"), _person(rng, "safety_manager")]
        if i == 3 and banned:
            persons[0] = _person(rng, "legal_representative", banned[0])
            kind = "new"
        kw: dict[str, Any] = {}
        if kind == "new":
            town = rng.choice(towns)
            kw = {
                "applicant_name": f"北辰区{rng.choice(SURNAMES)}记{rng.choice(NEW_NAMES)}",
                "credit_code": make_credit_code(
                    authority="9", kind="2", division="120113", org_body=f"{85000000 + seed * 1000 + i:08d}"
                ),
                "address": f"天津市北辰区示范路{rng.randrange(1, 300)}号",
                "region_code": town,
                "business_type": BusinessType.CATERING,
            }
        else:
            kw = {"business": businesses[rng.randrange(len(businesses))]}
        try:
            app = services.application_submit(
                actor=officer,
                source=SRC,
                kind=kind,
                category="business",
                received_on=received,
                persons=persons,
                **kw,
            )
        except ValidationError as e:
            out(f"许可申请演示数据跳过一条：{e.messages}")
            continue
        made += 1
        if recent:
            if rng.random() < 0.5:
                _move(officer, app, workflow.REVIEW, received, cal, 1)
            continue
        _move(officer, app, workflow.REVIEW, received, cal, rng.randrange(1, 3))
        review_on = cal.deadline(received, 3).due
        decide_on = cal.deadline(received, rng.randrange(4, 10)).due
        if app.ban_blocks:
            try:
                services.application_transition(
                    actor=officer, source=SRC, application=app, target=workflow.GRANTED, on=decide_on
                )
            except ValidationError:
                services.application_transition(
                    actor=officer,
                    source=SRC,
                    application=app,
                    target=workflow.REFUSED,
                    on=decide_on,
                    reason="法定代表人受从业禁止（食品安全法第一百三十五条）",
                )
            continue
        roll = rng.random()
        target, reason = (
            (workflow.GRANTED, "")
            if roll < 0.8
            else (workflow.REFUSED, "经现场核查，经营场所不符合食品安全要求")
            if roll < 0.9
            else (workflow.WITHDRAWN, "申请人主动撤回申请")
        )
        services.application_transition(
            actor=officer,
            source=SRC,
            application=app,
            target=target,
            on=max(decide_on, review_on),
            reason=reason,
        )
    blocked = LicenceApplication.objects.exclude(ban_blocks=[]).count()
    out(f"许可申请 / licence applications: {made}（其中人员受从业禁止 {blocked} 件）")
    return made


def _move(
    officer: User, app: LicenceApplication, target: str, received: dt.date, cal: WorkingCalendar, days: int
) -> None:
    on = min(cal.deadline(received, days).due, timezone.localdate())
    services.application_transition(actor=officer, source=SRC, application=app, target=target, on=on)
