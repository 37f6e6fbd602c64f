"""Writes of public participation: satisfaction surveys with results by town, 你点我检 / 你买我检
rounds and their votes, the red and black lists with the business's reply and the office's answer,
and 随机查餐厅 events. One transaction each, audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from shian.core.audit import audit_record, model_event
from shian.core.models import AuditAction, FoodCategory, Region, RegionLevel, User
from shian.core.permissions import PublicCap, require_cap
from shian.core.scoping import require_in_scope
from shian.registry.models import Business
from shian.registry.selectors import business_events_between

from . import rules
from .models import (
    CheckEvent,
    CheckEventVisit,
    ListEntry,
    ListKind,
    Survey,
    SurveyTownResult,
    Vote,
    VoteOption,
    VoteRound,
)


def _audit(actor: User | None, source: str, obj: Any, after: dict[str, Any], region: str = "") -> None:
    audit_record(
        actor=actor, source=source, event=model_event(AuditAction.CREATE, obj, after=after, region=region)
    )


def _district(actor: User) -> None:
    require_cap(actor, PublicCap.ROUTE)  # district staff run the district's surveys, rounds and lists


def survey_record(
    *,
    actor: User,
    source: str,
    year: int,
    title: str,
    conducted_from: dt.date,
    conducted_to: dt.date,
    method: str,
    results: dict[str, tuple[int, int]],
    questionnaire: str = "",
) -> Survey:
    """A survey and its results per town: {town code: (sample size, satisfied)}."""
    _district(actor)
    towns = set(Region.objects.exclude(level=RegionLevel.DISTRICT).values_list("code", flat=True))
    errors: dict[str, str] = {}
    if conducted_to < conducted_from:
        errors["conducted_to"] = "调查结束日期早于开始日期"
    bad = [
        f"{code}（{n}/{s}）"
        for code, (s, n) in results.items()
        if code not in towns or s <= 0 or not 0 <= n <= s
    ]
    if bad:
        errors["results"] = "镇街代码不存在，或满意人数不在0到样本量之间：" + "、".join(bad)
    if not results:
        errors["results"] = "请填写各镇街的样本量和满意人数"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        survey = Survey.objects.create(
            year=year,
            title=title.strip()[:200],
            conducted_from=conducted_from,
            conducted_to=conducted_to,
            method=method.strip()[:500],
            questionnaire=questionnaire.strip(),
            created_by=actor,
        )
        SurveyTownResult.objects.bulk_create(
            SurveyTownResult(survey=survey, region_id=code, sample_size=s, satisfied=n)
            for code, (s, n) in results.items()
        )
        _audit(
            actor,
            source,
            survey,
            {"title": survey.title, "results": {k: list(v) for k, v in results.items()}},
        )
    return survey


def parse_results(text: str) -> dict[str, tuple[int, int]]:
    """Lines of "镇街代码 样本量 满意人数" (spaces, commas or tabs)."""
    out: dict[str, tuple[int, int]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        parts = line.replace(",", " ").replace("，", " ").split()
        if not parts:
            continue
        try:
            code, sample, satisfied = parts[0], int(parts[1]), int(parts[2])
        except (IndexError, ValueError):
            raise ValidationError(
                {
                    "results": _("第%(number)s行应为“镇街代码 样本量 满意人数”：%(value)s")
                    % {"number": number, "value": line[:60]}
                }
            ) from None
        out[code] = (sample, satisfied)
    return out


# -- 你点我检 -------------------------------------------------------------------------------------------


def vote_round_open(
    *,
    actor: User,
    source: str,
    kind: str,
    year: int,
    title: str,
    opens_on: dt.date,
    closes_on: dt.date,
    categories: list[str],
) -> VoteRound:
    _district(actor)
    if closes_on < opens_on:
        raise ValidationError({"closes_on": _("截止日期早于开始日期")})
    known = dict(FoodCategory.objects.filter(code__in=categories).values_list("code", "name"))
    if not categories or len(known) != len(set(categories)):
        raise ValidationError({"categories": _("请选择至少一个存在的食品类别")})
    with transaction.atomic():
        r = VoteRound.objects.create(
            kind=kind, year=year, title=title.strip()[:200], opens_on=opens_on, closes_on=closes_on
        )
        VoteOption.objects.bulk_create(
            VoteOption(round=r, category_id=c, label=known[c]) for c in dict.fromkeys(categories)
        )
        _audit(actor, source, r, {"title": r.title, "categories": categories})
    return r


def _key(*parts: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), "|".join(parts).encode(), hashlib.sha256).hexdigest()


def vote_cast(*, round: VoteRound, option_id: int, identity: str, address: str, today: dt.date) -> Vote:
    """A resident's vote: one per phone or ID per round, at most VOTES_PER_ADDRESS_PER_ROUND from
    one address; the number itself is not kept."""
    voter = rules.voter_identity(identity)
    if voter is None:
        raise ValidationError({"identity": _("请填写11位手机号码或18位身份证号码")})
    if not round.opens_on <= today <= round.closes_on or round.published_on:
        raise ValidationError({"option": _("投票不在进行中")})
    option = round.options.filter(pk=option_id).first()
    if option is None:
        raise ValidationError({"option": _("请选择一个选项")})
    address_key = _key("addr", str(round.pk), address)
    if Vote.objects.filter(round=round, address_key=address_key).count() >= rules.VOTES_PER_ADDRESS_PER_ROUND:
        raise ValidationError({"identity": _("同一网络投票次数已达上限")})
    try:
        with transaction.atomic():
            return Vote.objects.create(
                round=round,
                option=option,
                voter_key=_key("voter", str(round.pk), voter),
                address_key=address_key,
            )
    except IntegrityError:
        raise ValidationError({"identity": _("这个号码已在本轮投过票")}) from None


def vote_round_publish(*, actor: User, source: str, round: VoteRound, on: dt.date) -> VoteRound:
    _district(actor)
    if round.published_on:
        raise ValidationError({"published_on": _("结果已公布")})
    if on < round.closes_on:
        raise ValidationError({"published_on": _("投票截止后才能公布结果")})
    with transaction.atomic():
        round.published_on = on
        round.save(update_fields=["published_on"])
        _audit(actor, source, round, {"published_on": on})
    return round


# -- red and black lists ------------------------------------------------------------------------------


def list_entry_publish(
    *, actor: User, source: str, business: Business, kind: str, reason: str, on: dt.date
) -> ListEntry:
    """Put a business on the red or black list by the rules (rules.black_list_basis, red_list_blocked_by)."""
    require_cap(actor, PublicCap.HANDLE)
    require_in_scope(actor, region=business.region_id, business_type=business.business_type)
    events = business_events_between(
        start=on - dt.timedelta(days=rules.RED_LIST_CLEAN_DAYS), end=on, business_ids=[business.pk]
    )
    mine = [(k, d) for k, d in events.get(business.pk, [])]
    if kind == ListKind.BLACK:
        basis = rules.black_list_basis(mine, on)
        if not basis:
            raise ValidationError(
                {
                    "kind": _("近一年不足%(BLACK_LIST_MIN_EVENTS)s起不良事件，不符合黑榜规则")
                    % {"BLACK_LIST_MIN_EVENTS": rules.BLACK_LIST_MIN_EVENTS}
                }
            )
        reason = reason or "；".join(f"{d} {k}" for k, d in basis)
    elif kind == ListKind.RED:
        blocked = rules.red_list_blocked_by(mine, on)
        if blocked:
            raise ValidationError(
                {"kind": _("近两年有不良事件（%(value)s），不能列入红榜") % {"value": blocked[-1][1]}}
            )
    else:
        raise ValidationError({"kind": _("榜单应为红榜或黑榜")})
    if not reason.strip():
        raise ValidationError({"reason": _("请写明上榜理由")})
    if ListEntry.objects.filter(business=business, kind=kind, withdrawn_on__isnull=True).exists():
        raise ValidationError({"kind": _("该经营者已在此榜单上")})
    with transaction.atomic():
        entry = ListEntry.objects.create(
            kind=kind,
            business=business,
            region_id=business.region_id,
            reason=reason.strip()[:500],
            published_on=on,
            created_by=actor,
        )
        _audit(
            actor,
            source,
            entry,
            {"kind": kind, "business": business.pk, "reason": entry.reason},
            business.region_id,
        )
    return entry


def list_entry_reply(*, actor: User, source: str, entry: ListEntry, reply: str, on: dt.date) -> ListEntry:
    """The business's written reply (申辩), entered as received."""
    require_cap(actor, PublicCap.HANDLE)
    require_in_scope(actor, region=entry.region_id)
    if not reply.strip():
        raise ValidationError({"reply": _("请填写申辩内容")})
    if on < entry.published_on:
        raise ValidationError({"on": _("申辩日期早于公布日期")})
    with transaction.atomic():
        entry.reply, entry.reply_on = reply.strip()[:1000], on
        entry.save(update_fields=["reply", "reply_on"])
        _audit(actor, source, entry, {"reply_on": on}, entry.region_id)
    return entry


def list_entry_answer(
    *, actor: User, source: str, entry: ListEntry, answer: str, on: dt.date, withdraw: bool = False
) -> ListEntry:
    """The office's answer to the reply; withdrawing the entry when the reply is upheld."""
    require_cap(actor, PublicCap.HANDLE)
    require_in_scope(actor, region=entry.region_id)
    if not entry.reply:
        raise ValidationError({"answer": _("经营者尚未申辩")})
    if not answer.strip():
        raise ValidationError({"answer": _("请填写答复")})
    with transaction.atomic():
        entry.answer, entry.answer_on = answer.strip()[:1000], on
        if withdraw:
            entry.withdrawn_on = on
        entry.save(update_fields=["answer", "answer_on", "withdrawn_on"])
        _audit(actor, source, entry, {"answer_on": on, "withdrawn": withdraw}, entry.region_id)
    return entry


# -- 随机查餐厅 ------------------------------------------------------------------------------------------


def check_event_record(
    *,
    actor: User,
    source: str,
    region_code: str,
    held_on: dt.date,
    title: str,
    residents: int,
    visits: list[tuple[Business, str, int | None]],
) -> CheckEvent:
    require_cap(actor, PublicCap.HANDLE)
    require_in_scope(actor, region=region_code)
    if residents < 1:
        raise ValidationError({"residents": _("至少一名居民参加")})
    if not visits:
        raise ValidationError({"visits": _("请至少记录一家被查餐厅")})
    for business, _f, _i in visits:
        require_in_scope(actor, region=business.region_id, business_type=business.business_type)
    with transaction.atomic():
        event = CheckEvent.objects.create(
            held_on=held_on,
            region_id=region_code,
            title=title.strip()[:200],
            residents=residents,
            created_by=actor,
        )
        CheckEventVisit.objects.bulk_create(
            CheckEventVisit(event=event, business=b, finding=f.strip()[:500], inspection_id=i)
            for b, f, i in visits
        )
        _audit(
            actor,
            source,
            event,
            {"title": event.title, "residents": residents, "visits": [b.pk for b, _f, _i in visits]},
            region_code,
        )
    return event
