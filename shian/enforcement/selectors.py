"""Reads of cases, publications, listings and credit files, always scoped to the acting user
(core.scoping): a town officer sees their town's cases only; a department liaison the cases of
the business types their unit oversees."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from shian.core.calendar import WorkingCalendar
from shian.core.scoping import get_scoped_or_404, scope_for
from shian.registry.selectors import business_events_between

from . import rules
from .models import (
    Ban,
    Case,
    Evidence,
    Listing,
    ListingStatus,
    Measure,
    Publication,
    PublicationStatus,
    Transfer,
    TypicalCase,
)
from .services import case_facts, prior_penalties
from .workflow import TERM_RUNNING, CaseStatus

S = CaseStatus
TYPE_FIELD = "business__business_type"


def cases_for_user(user: Any) -> QuerySet[Case]:
    return scope_for(user).apply(Case.objects.all(), region_field="region", type_field=TYPE_FIELD)


def case_get_for_user(*, user: Any, pk: Any) -> Case:
    return get_scoped_or_404(
        Case.objects.select_related("region", "business"),
        user,
        pk,
        region_field="region",
        type_field=TYPE_FIELD,
    )


def evidence_get_for_user(*, user: Any, pk: Any) -> Evidence:
    """A piece of evidence of a case the user may see; any other is a 404."""
    return get_scoped_or_404(
        Evidence.objects.select_related("case"),
        user,
        pk,
        region_field="case__region",
        type_field="case__" + TYPE_FIELD,
    )


def _related_for_user(qs: QuerySet[Any], user: Any) -> QuerySet[Any]:
    return scope_for(user).apply(qs, region_field="region", type_field="case__" + TYPE_FIELD)


def measures_for_user(user: Any) -> QuerySet[Measure]:
    return _related_for_user(Measure.objects.select_related("case"), user)


def transfers_for_user(user: Any) -> QuerySet[Transfer]:
    return _related_for_user(Transfer.objects.select_related("case"), user)


def publications_for_user(user: Any) -> QuerySet[Publication]:
    return _related_for_user(Publication.objects.select_related("case"), user)


def listings_for_user(user: Any) -> QuerySet[Listing]:
    return _related_for_user(Listing.objects.select_related("case", "business"), user)


def typical_cases_for_user(user: Any) -> QuerySet[TypicalCase]:
    return _related_for_user(TypicalCase.objects.select_related("case"), user)


def publications_current(*, today: dt.date) -> QuerySet[Publication]:
    """What the public page shows: publications in force today (unscoped: they are public)."""
    return Publication.objects.filter(
        status=PublicationStatus.PUBLISHED, published_on__lte=today, ends_on__gt=today
    )


def typical_cases_public() -> QuerySet[TypicalCase]:
    return TypicalCase.objects.all()


# -- the case's clocks and judgments ----------------------------------------------------------


@dataclass(frozen=True)
class ClockView:
    code: str
    name: str
    start: dt.date
    due: dt.date
    alert: str
    running: bool
    source: str
    verification: str
    extensions: int = 0


def case_clocks(case: Case, *, today: dt.date, calendar: WorkingCalendar | None = None) -> list[ClockView]:
    """The clocks that apply to the case now or applied to it, each with its due date counted
    through the working-day calendar and its state today."""
    cal = calendar or WorkingCalendar()
    edition = rules.edition_in_force(case.lead_received_on)

    def due(code: str, start: dt.date, extensions: int = 0) -> dt.date:
        return rules.clock_due(
            edition.clock(code),
            start,
            add_working_days=lambda d, n: cal.deadline(d, n).due,
            is_workday=cal.is_workday,
            extensions=extensions,
        )

    def view(
        code: str, start: dt.date, running: bool, extensions: int = 0, override: dt.date | None = None
    ) -> ClockView:
        c = edition.clock(code)
        d = override or due(code, start, extensions)
        left = cal.working_days_between(today, d) if today <= d else 0
        state = rules.alert(
            due=d, today=today, working_days_left=left, warn_working_days=edition.warn_working_days
        )
        return ClockView(
            code,
            c.name,
            start,
            d,
            state if running else rules.Alert.NONE,
            running,
            c.source,
            c.verification,
            extensions,
        )

    out = [view("filing_decision", case.lead_received_on, case.status == S.LEAD, case.filing_extensions)]
    if case.filed_on:
        out.append(
            view(
                "case_term",
                case.filed_on,
                case.status in TERM_RUNNING,
                case.term_extensions,
                case.term_extended_to,
            )
        )
    if case.notice_served_on:
        out.append(view("hearing_request", case.notice_served_on, case.status == S.NOTICE))
    if case.decision_served_on and case.fine_amount:
        out.append(view("fine_payment", case.decision_served_on, case.status == S.EXECUTION))
    return out


def case_aggravation(case: Case, *, on: dt.date) -> list[rules.Test]:
    edition = rules.edition_in_force(case.lead_received_on)
    return rules.aggravation_tests(case_facts(case, prior_penalties(case)), on=on, edition=edition)


def case_criminal(case: Case, *, on: dt.date) -> list[rules.Test]:
    edition = rules.edition_in_force(case.lead_received_on)
    return rules.criminal_tests(case_facts(case, prior_penalties(case)), on=on, edition=edition)


def case_third_penalty(case: Case, *, on: dt.date) -> rules.RepeatJudgement:
    """法第一百三十四条 for this party: its decisions in the year before `on`, with their numbers."""
    edition = rules.edition_in_force(case.lead_received_on)
    qs = Case.objects.filter(decided_on__isnull=False)
    qs = qs.filter(business=case.business) if case.business_id else qs.filter(party_name=case.party_name)
    penalties = [
        (d, no, frozenset(k))
        for d, no, k in qs.values_list("decided_on", "number", "penalty_kinds")
        if d is not None
    ]
    return rules.third_penalty(penalties, on=on, edition=edition)


def bans_matching(*, name: str, id_number: str = "", on: dt.date) -> list[Ban]:
    """Bans in force on `on` for a person (法第一百三十五条): what a licence application checks for
    the people it names. By id number when given, else by name."""
    qs = (
        Ban.objects.filter(id_number=id_number.strip())
        if id_number.strip()
        else Ban.objects.filter(person_name=name.strip())
    )
    return [b for b in qs.order_by("-decided_on") if rules.ban_in_force(until=b.until, on=on)]


# -- credit file and class --------------------------------------------------------------------


def credit_classes(business_ids: Iterable[int] | None, *, on: dt.date) -> dict[int, rules.CreditClass]:
    """The credit-risk class of each business from the business-event ledger (one query): what
    the random draw and the inspection plan read to set their ratios."""
    edition = rules.edition_in_force(on)
    start = rules.add_months(on, -int(edition.credit["window_months"]))
    events = business_events_between(start=start, end=on, business_ids=business_ids)
    ids = list(business_ids) if business_ids is not None else list(events)
    return {bid: rules.credit_class(events.get(bid, []), on=on, edition=edition) for bid in ids}


def listed_business_ids(*, on: dt.date) -> set[int]:
    """Businesses on the serious-dishonesty list today: higher draw ratio, priority in the plan."""
    return set(
        Listing.objects.filter(status=ListingStatus.LISTED, listed_on__lte=on).values_list(
            "business_id", flat=True
        )
    )


def credit_draw_ratio(stratum: str, *, base: float, on: dt.date | None = None) -> float:
    """The random draw's ratio for a credit stratum ("credit-D"): the base ratio times the class's
    weight (差异化监管), capped at 1."""
    edition = rules.edition_in_force(on or timezone.localdate())
    code = stratum.removeprefix("credit-")
    return min(1.0, base * rules.draw_weight(code, edition=edition))
