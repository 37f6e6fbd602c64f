"""Writes of quick tests (快检) at markets: record a result, tell the operator, take an objection
within the window, record the laboratory re-test, confirm a positive, and hand it to a follow-up
supervisory sample. Each service: permission, one transaction, the status change checked against
`workflow.QUICK_TEST_TRANSITIONS` and audited in the same transaction.

The windows: the objection is counted in clock hours from the moment the operator is told the
result (食品安全法第八十八条第二款); the follow-up sampling deadline in working days by the calendar
(a local rule, data/quick-tests.toml).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shian.core.audit import AuditEvent, audit_record, snapshot
from shian.core.calendar import WorkingCalendar
from shian.core.models import AuditAction, User
from shian.core.permissions import Cap, require_cap
from shian.core.scoping import require_in_scope, scope_for
from shian.registry.models import Business, BusinessType

from . import rules, services
from .models import QuickResult, QuickTest, QuickTestChange, Sample
from .workflow import QUICK_TEST_TRANSITIONS, QuickTestStatus

OBJECT_TYPE = "sampling.quicktest"
UNKNOWN_MARKET = "登记簿中没有此市场，或此市场不在您的辖区"
# A time typed by hand may run a little ahead of the server's clock.
CLOCK_TOLERANCE = dt.timedelta(minutes=5)
Q = QuickTestStatus


def local_text(when: dt.datetime) -> str:
    """A time as the office reads it: Beijing time to the minute."""
    return timezone.localtime(when).strftime("%Y-%m-%d %H:%M")


@dataclass
class QuickTestInput:
    """One quick test as the form, the import and the API hand it to `quick_test_record`."""

    business: Business | None
    stall: str
    product: str
    item: str
    result: str
    tested_at: dt.datetime | None
    reading: str = ""
    kit_name: str = ""
    kit_batch: str = ""
    tester: User | None = None
    tester_name: str = ""


def quick_test_problems(
    data: QuickTestInput, *, now: dt.datetime | None = None
) -> list[tuple[str, str, str]]:
    """Problems of one quick test as (field, value, reason), checked before anything is written:
    the page, the import and the API share them."""
    problems: list[tuple[str, str, str]] = []
    now = now or timezone.now()
    for name, label in (("stall", "摊位/经营者"), ("product", "产品名称"), ("item", "检测项目")):
        if not str(getattr(data, name) or "").strip():
            problems.append((name, "", f"{label}为空"))
    if data.business is None:
        problems.append(("business", "", "市场为空"))
    if data.result not in QuickResult.values:
        problems.append(("result", data.result, "检测结果应为“阴性”或“阳性”"))
    if data.tested_at is None:
        problems.append(("tested_at", "", "检测时间为空"))
        return problems
    if timezone.is_naive(data.tested_at):
        problems.append(("tested_at", str(data.tested_at), "检测时间缺少时区"))
        return problems
    if data.tested_at > now + CLOCK_TOLERANCE:
        problems.append(("tested_at", local_text(data.tested_at), "检测时间晚于当前时间"))
    try:
        book = rules.quick_test_rules_in_force(timezone.localdate(data.tested_at))
    except LookupError:
        problems.append(("tested_at", local_text(data.tested_at), "该日期没有适用的快检规则"))
        return problems
    if not data.item.strip():
        return problems
    item = book.item(data.item)
    if item is None:
        known = "、".join(i.name for i in book.items.values())
        problems.append(("item", data.item, f"未知的检测项目，可用项目：{known}"))
        return problems
    if data.reading.strip() and item.positive_at_or_above is not None:
        try:
            rules.parse_reading(data.reading)
        except rules.UnreadableReading:
            problems.append(("reading", data.reading, f"读数应为数值（{item.reading}）"))
            return problems
        implied = rules.reading_result(item=item, reading=data.reading)
        if implied is not None and data.result in QuickResult.values and implied != data.result:
            problems.append(
                (
                    "reading",
                    data.reading,
                    f"读数按判定规则（{item.threshold_source}）应为“{QuickResult(implied).label}”，"
                    f"与检测结果“{QuickResult(data.result).label}”不一致",
                )
            )
    return problems


def _problems_error(problems: Sequence[tuple[str, str, str]]) -> ValidationError:
    by_field: dict[str, list[str]] = {}
    for field_name, value, reason in problems:
        by_field.setdefault(field_name, []).append(f"“{value}”：{reason}" if value else reason)
    return ValidationError(by_field)


def _when(at: dt.datetime | None, field_name: str = "at") -> dt.datetime:
    now = timezone.now()
    if at is None:
        return now
    if timezone.is_naive(at):
        raise ValidationError({field_name: _("时间缺少时区")})
    if at > now + CLOCK_TOLERANCE:
        raise ValidationError({field_name: _("时间 %(value)s 晚于当前时间") % {"value": local_text(at)}})
    return at


def _set_status(
    *,
    qt: QuickTest,
    status: str,
    actor: User | None,
    source: str,
    at: dt.datetime,
    note: str = "",
    fields: Sequence[str] = (),
) -> None:
    """The one place a quick test changes status: refuses what the transition table does not
    allow and what the record does not support, saves, writes the timeline and the audit entry.
    `qt` must be locked by the caller's transaction."""
    old = qt.status
    if status not in QUICK_TEST_TRANSITIONS.get(old, frozenset()):
        raise ValidationError(
            _("快检记录不能从“%(label)s”变为“%(label2)s”")
            % {"label": QuickTestStatus(old).label, "label2": QuickTestStatus(status).label}
        )
    if old == Q.TESTED and status == Q.CLOSED and qt.result != QuickResult.NEGATIVE:
        raise ValidationError(_("阳性结果不能直接结案：应先告知经营者"))
    if old == Q.TESTED and status == Q.NOTIFIED and qt.result != QuickResult.POSITIVE:
        raise ValidationError(_("阴性结果无需告知异议期"))
    if status == Q.OVERTURNED and qt.retest_result != QuickResult.NEGATIVE:
        raise ValidationError(_("只有复检结果为阴性才能推翻快检结果"))
    if old == Q.OBJECTION and status == Q.CONFIRMED and qt.retest_result != QuickResult.POSITIVE:
        raise ValidationError(_("已提出异议的快检结果须经复检确认"))
    if old == Q.CONFIRMED and status == Q.CLOSED and qt.followup_sample_id is None:
        raise ValidationError(_("阳性确认的快检记录须先转监督抽检才能结案"))
    qt.status, qt.status_changed_at = status, at
    qt.save(update_fields=["status", "status_changed_at", *fields])
    QuickTestChange.objects.create(
        quick_test=qt, from_status=old, to_status=status, at=at, by=actor, note=note
    )
    audit_record(
        actor=actor,
        source=source,
        event=AuditEvent(
            AuditAction.UPDATE,
            OBJECT_TYPE,
            str(qt.pk),
            str(qt),
            qt.region_id,
            before={"status": old},
            after={
                "status": status,
                "at": at,
                "note": note,
                **{f: snapshot(qt, [f])[f] for f in fields},
            },
        ),
    )


def _locked(quick_test: QuickTest) -> QuickTest:
    return QuickTest.objects.select_for_update().select_related("business").get(pk=quick_test.pk)


@transaction.atomic
def quick_test_record(*, actor: User, source: str, data: QuickTestInput) -> QuickTest:
    """Record one quick test at a market in the actor's area. A negative closes at once; a
    positive waits for the operator to be told (`quick_test_notify`)."""
    require_cap(actor, Cap.SAMPLING_MANAGE)
    problems = quick_test_problems(data)
    business = data.business
    if business is not None and (
        business.business_type != BusinessType.AGRI_MARKET
        or not scope_for(actor).allows(region=business.region_id, business_type=business.business_type)
    ):
        # A market of another town, or a business that is not a market, reads as unknown: the
        # message names no business (one answer for "missing" and "not yours", STYLE.md rule 5).
        problems.append(("business", "", UNKNOWN_MARKET))
    if problems:
        raise _problems_error(problems)
    assert business is not None and data.tested_at is not None  # noqa: S101 - checked above
    book = rules.quick_test_rules_in_force(timezone.localdate(data.tested_at))
    item = book.item(data.item)
    assert item is not None  # noqa: S101 - checked above
    tested_at = data.tested_at.replace(second=0, microsecond=0)
    key = {
        "business": business,
        "stall": data.stall.strip(),
        "product": data.product.strip(),
        "item_code": item.code,
        "tested_at": tested_at,
    }
    if QuickTest.objects.filter(**key).exists():
        raise ValidationError(
            {
                "tested_at": _("%(value)s 的 %(value2)s（%(name)s）在 %(value3)s 已有快检记录")
                % {
                    "value": data.stall.strip(),
                    "value2": data.product.strip(),
                    "name": item.name,
                    "value3": local_text(tested_at),
                }
            }
        )
    tester = data.tester
    qt = QuickTest(
        **key,
        region_id=business.region_id,
        item=item.name,
        kit_name=data.kit_name.strip() or item.method,
        kit_batch=data.kit_batch.strip(),
        result=data.result,
        reading=data.reading.strip(),
        tester=tester,
        tester_name=(data.tester_name.strip() or (tester.full_name or tester.username if tester else ""))[
            :50
        ],
        rule_edition=book.id,
        status=Q.TESTED,
        status_changed_at=tested_at,
    )
    # Field validation here; the named constraints were checked above as located problems and
    # the database enforces them (Django would spend one query per constraint re-checking them).
    qt.full_clean(validate_constraints=False)
    qt.save()
    QuickTestChange.objects.create(quick_test=qt, from_status="", to_status=Q.TESTED, at=tested_at, by=actor)
    audit_record(
        actor=actor,
        source=source,
        event=AuditEvent(
            AuditAction.CREATE, OBJECT_TYPE, str(qt.pk), str(qt), qt.region_id, after=snapshot(qt)
        ),
    )
    if qt.result == QuickResult.NEGATIVE:
        _set_status(qt=qt, status=Q.CLOSED, actor=actor, source=source, at=tested_at, note="阴性，结案")
    return qt


@transaction.atomic
def quick_test_notify(
    *,
    actor: User,
    source: str,
    quick_test: QuickTest,
    measures: Sequence[str],
    measures_note: str = "",
    at: dt.datetime | None = None,
) -> QuickTest:
    """Tell the operator of a positive and record the measures taken on the stall at once; the
    objection window starts now (`rules.objection_deadline`)."""
    require_cap(actor, Cap.SAMPLING_MANAGE)
    require_in_scope(actor, region=quick_test.region_id, business_type=BusinessType.AGRI_MARKET)
    qt = _locked(quick_test)
    when = _when(at)
    if when < qt.tested_at:
        raise ValidationError(
            {"at": _("告知时间不能早于检测时间 %(value)s") % {"value": local_text(qt.tested_at)}}
        )
    book = rules.quick_test_rules_in_force(timezone.localdate(qt.tested_at))
    unknown = [m for m in measures if m not in book.measures]
    if unknown:
        raise ValidationError({"measures": _("未知的控制措施：%(value)s") % {"value": "、".join(unknown)}})
    missing = [book.measures[m] for m in book.measures_required if m not in measures]
    if missing:
        raise ValidationError(
            {
                "measures": _("阳性结果须立即采取控制措施：%(value)s（%(measures_article)s）")
                % {"value": "、".join(missing), "measures_article": book.measures_article}
            }
        )
    qt.notified_at = when
    qt.objection_deadline = rules.objection_deadline(notified_at=when, rules=book)
    qt.measures = [m for m in book.measures if m in measures]  # in the rule data's order
    qt.measures_note = measures_note.strip()[:300]
    _set_status(
        qt=qt,
        status=Q.NOTIFIED,
        actor=actor,
        source=source,
        at=when,
        note=f"已告知经营者，异议截止 {local_text(qt.objection_deadline)}；措施："
        + "、".join(book.measures[m] for m in qt.measures),
        fields=["notified_at", "objection_deadline", "measures", "measures_note"],
    )
    return qt


@transaction.atomic
def quick_test_objection_file(
    *,
    actor: User,
    source: str,
    quick_test: QuickTest,
    reason: str,
    filed_at: dt.datetime | None = None,
) -> QuickTest:
    """Record the operator's objection (申请复检), refused after the window with the deadline named."""
    require_cap(actor, Cap.SAMPLING_MANAGE)
    require_in_scope(actor, region=quick_test.region_id, business_type=BusinessType.AGRI_MARKET)
    qt = _locked(quick_test)
    when = _when(filed_at, "filed_at")
    if qt.status != Q.NOTIFIED or qt.notified_at is None or qt.objection_deadline is None:
        raise ValidationError(
            _("只有已告知经营者的阳性结果可以提出异议（当前状态：%(label)s）")
            % {"label": QuickTestStatus(qt.status).label}
        )
    book = rules.quick_test_rules_in_force(timezone.localdate(qt.tested_at))
    if when < qt.notified_at:
        raise ValidationError(
            {"filed_at": _("异议提出时间不能早于告知时间 %(value)s") % {"value": local_text(qt.notified_at)}}
        )
    if not rules.objection_in_time(notified_at=qt.notified_at, filed_at=when, rules=book):
        raise ValidationError(
            {
                "filed_at": _(
                    "异议期已过：检测结果于 %(value)s 告知经营者，异议应在 %(value2)s 前提出，本次提出时间为 %(value3)s（%(objection_article)s：自收到检测结果时起%(objection_hours)s小时内）"
                )
                % {
                    "value": local_text(qt.notified_at),
                    "value2": local_text(qt.objection_deadline),
                    "value3": local_text(when),
                    "objection_article": book.objection_article,
                    "objection_hours": book.objection_hours,
                }
            }
        )
    if not reason.strip():
        raise ValidationError({"reason": _("请填写异议理由")})
    qt.objection_at, qt.objection_reason = when, reason.strip()[:300]
    _set_status(
        qt=qt,
        status=Q.OBJECTION,
        actor=actor,
        source=source,
        at=when,
        note=f"经营者提出异议：{qt.objection_reason}",
        fields=["objection_at", "objection_reason"],
    )
    return qt


def _confirm(
    *,
    qt: QuickTest,
    actor: User,
    source: str,
    at: dt.datetime,
    note: str,
    calendar: WorkingCalendar | None,
    fields: Sequence[str] = (),
) -> None:
    book = rules.quick_test_rules_in_force(timezone.localdate(qt.tested_at))
    cal = calendar or WorkingCalendar()
    qt.confirmed_at = at
    qt.followup_due = rules.followup_due(
        confirmed_on=timezone.localdate(at), rules=book, add_working_days=lambda s, n: cal.deadline(s, n).due
    )
    _set_status(
        qt=qt,
        status=Q.CONFIRMED,
        actor=actor,
        source=source,
        at=at,
        note=f"{note}；监督抽检期限 {qt.followup_due.isoformat()}",
        fields=["confirmed_at", "followup_due", *fields],
    )


@transaction.atomic
def quick_test_retest_record(
    *,
    actor: User,
    source: str,
    quick_test: QuickTest,
    result: str,
    method: str,
    lab: str,
    report: str = "",
    rapid_method: bool = False,
    at: dt.datetime | None = None,
    calendar: WorkingCalendar | None = None,
) -> QuickTest:
    """Record the re-test asked for by the objection. It may not use a rapid method (食品安全法
    第八十八条第二款). A positive re-test confirms the quick test; a negative one overturns it and
    lifts the measures."""
    require_cap(actor, Cap.SAMPLING_MANAGE)
    require_in_scope(actor, region=quick_test.region_id, business_type=BusinessType.AGRI_MARKET)
    qt = _locked(quick_test)
    when = _when(at)
    book = rules.quick_test_rules_in_force(timezone.localdate(qt.tested_at))
    if qt.status != Q.OBJECTION:
        raise ValidationError(
            _("只有已提出异议的快检记录可以录入复检结果（当前状态：%(label)s）")
            % {"label": QuickTestStatus(qt.status).label}
        )
    if rapid_method and not book.retest_rapid_method_allowed:
        raise ValidationError(
            {
                "method": _("复检不得采用快速检测方法（%(retest_article)s）")
                % {"retest_article": book.retest_article}
            }
        )
    problems = {}
    if result not in QuickResult.values:
        problems["result"] = "复检结果应为“阴性”或“阳性”"
    if not method.strip():
        problems["method"] = "请填写复检方法（检验标准）"
    if not lab.strip():
        problems["lab"] = "请填写复检机构"
    if qt.objection_at is not None and when < qt.objection_at:
        problems["at"] = f"复检时间不能早于异议提出时间 {local_text(qt.objection_at)}"
    if problems:
        raise ValidationError(problems)
    qt.retest_result, qt.retest_method, qt.retest_lab = result, method.strip()[:100], lab.strip()[:100]
    qt.retest_report, qt.retest_at = report.strip()[:60], when
    retest_fields = ["retest_result", "retest_method", "retest_lab", "retest_report", "retest_at"]
    label = QuickResult(result).label
    if result == QuickResult.POSITIVE:
        _confirm(
            qt=qt,
            actor=actor,
            source=source,
            at=when,
            note=f"复检（{qt.retest_lab}）{label}，维持快检结果",
            calendar=calendar,
            fields=retest_fields,
        )
    else:
        qt.measures_lifted_at = when
        _set_status(
            qt=qt,
            status=Q.OVERTURNED,
            actor=actor,
            source=source,
            at=when,
            note=f"复检（{qt.retest_lab}）{label}，推翻快检结果，解除控制措施",
            fields=["measures_lifted_at", *retest_fields],
        )
        _set_status(qt=qt, status=Q.CLOSED, actor=actor, source=source, at=when, note="复检推翻，结案")
    return qt


@transaction.atomic
def quick_test_confirm(
    *,
    actor: User,
    source: str,
    quick_test: QuickTest,
    at: dt.datetime | None = None,
    calendar: WorkingCalendar | None = None,
) -> QuickTest:
    """Confirm a positive whose objection window has passed without an objection (a positive
    re-test confirms it through `quick_test_retest_record`)."""
    require_cap(actor, Cap.SAMPLING_MANAGE)
    require_in_scope(actor, region=quick_test.region_id, business_type=BusinessType.AGRI_MARKET)
    qt = _locked(quick_test)
    when = _when(at)
    if qt.status == Q.OBJECTION:
        raise ValidationError(_("已提出异议的快检结果须经复检确认：请录入复检结果"))
    if qt.status != Q.NOTIFIED or qt.objection_deadline is None:
        raise ValidationError(
            _("快检记录不能从“%(label)s”变为“%(label2)s”")
            % {"label": QuickTestStatus(qt.status).label, "label2": Q.CONFIRMED.label}
        )
    if when <= qt.objection_deadline:
        raise ValidationError(
            _("异议期尚未届满：经营者可在 %(value)s 前提出异议，届满后才能确认")
            % {"value": local_text(qt.objection_deadline)}
        )
    _confirm(
        qt=qt, actor=actor, source=source, at=when, note="异议期届满未提出异议，阳性确认", calendar=calendar
    )
    return qt


def _sample_category(qt: QuickTest) -> str:
    book = rules.quick_test_rules_in_force(timezone.localdate(qt.tested_at))
    item = book.items.get(qt.item_code)
    if item is not None and len(item.products) == 1:
        return f"食用农产品-{item.products[0]}"
    return "食用农产品"


@transaction.atomic
def quick_test_followup_sample(
    *, actor: User, source: str, quick_test: QuickTest, code: str = "", at: dt.datetime | None = None
) -> Sample:
    """Create the follow-up supervisory sample of a confirmed positive as a sampling task (the
    normal lab pipeline, judgment and disposal take over), link it, and close the quick test.
    Exactly once: the row is locked and a second call finds it closed."""
    require_cap(actor, Cap.SAMPLING_MANAGE)
    require_in_scope(actor, region=quick_test.region_id, business_type=BusinessType.AGRI_MARKET)
    qt = _locked(quick_test)
    when = _when(at)
    if qt.followup_sample_id is not None:
        raise ValidationError(
            _("已转监督抽检（样品 %(followup_sample)s），不能重复创建")
            % {"followup_sample": qt.followup_sample}
        )
    if qt.status != Q.CONFIRMED:
        raise ValidationError(
            _("只有阳性确认的快检记录可以转监督抽检（当前状态：%(label)s）")
            % {"label": QuickTestStatus(qt.status).label}
        )
    code = code.strip() or f"KJ{timezone.localdate(qt.tested_at):%Y}-{qt.pk:06d}"
    if Sample.objects.filter(code=code).exists():
        raise ValidationError({"code": _("样品编号 %(code)s 已存在") % {"code": code}})
    business = qt.business
    sample = services.sample_create(
        by=actor,
        code=code,
        region=business.region,
        business=business,
        food_name=qt.product,
        category_path=_sample_category(qt),
        source=source,
    )
    qt.followup_sample = sample
    _set_status(
        qt=qt,
        status=Q.CLOSED,
        actor=actor,
        source=source,
        at=when,
        note=f"已转监督抽检，样品编号 {sample.code}",
        fields=["followup_sample"],
    )
    return sample
