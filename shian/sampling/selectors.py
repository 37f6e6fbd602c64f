"""Reads of sampling, all through one scope: a lab sees the samples sent to it; everyone else sees
the samples of their towns (core.scoping). "Not yours" and "missing" are the same 404."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, F, FilteredRelation, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from shian.core.indicators import Period
from shian.core.models import Role
from shian.core.scoping import scope_for
from shian.registry.models import Business, BusinessType

from . import rules
from .indicators import category_rows, taken_in_period
from .models import (
    DisposalStatus,
    DisposalTask,
    Lab,
    LabMember,
    QuickTest,
    Sample,
    SampleDeadline,
    SamplePhoto,
    TestItem,
    Verdict,
)


def lab_for_user(user: Any) -> Lab | None:
    """The lab a lab user belongs to (None for everyone else, or a lab user not yet linked)."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "role", None) != Role.LAB:
        return None
    member = LabMember.objects.select_related("lab").filter(user=user).first()
    return member.lab if member is not None and member.lab.active else None


def sample_scope(user: Any) -> Q:
    """The one filter deciding which samples a person may see."""
    if getattr(user, "is_authenticated", False) and user.role == Role.LAB and not user.is_superuser:
        lab = lab_for_user(user)
        return Q(lab=lab) if lab is not None else Q(pk__in=[])
    return scope_for(user).q(region_field="region", type_field="business__business_type")


def samples_for_user(user: Any) -> QuerySet[Sample]:
    return Sample.objects.filter(sample_scope(user))


def results_for_user(user: Any) -> QuerySet[TestItem]:
    """The results of the samples a person may see. A town office's filter is on the result's own
    region (copied from its sample), so it reads the (region, verdict) index, not the samples."""
    if getattr(user, "is_authenticated", False) and user.role == Role.LAB and not user.is_superuser:
        return TestItem.objects.filter(sample__in=samples_for_user(user))
    return TestItem.objects.filter(
        scope_for(user).q(region_field="region", type_field="sample__business__business_type")
    )


@dataclass(frozen=True)
class SampleFilters:
    q: str = ""
    status: str = ""
    region: str = ""
    category: str = ""
    overdue: bool = False
    conclusion: str = ""
    business: int | None = None  # one business's samples (its page links here)

    @classmethod
    def from_mapping(cls, data: Any) -> SampleFilters:
        business = str(data.get("business", "") or "").strip()
        return cls(
            business=int(business) if business.isdigit() and len(business) < 12 else None,
            q=str(data.get("q", "") or "").strip()[:60],
            status=str(data.get("status", "") or ""),
            region=str(data.get("region", "") or ""),
            category=str(data.get("category", "") or "").strip()[:60],
            overdue=str(data.get("overdue", "")) in ("1", "on", "true"),
            conclusion=str(data.get("conclusion", "") or ""),
        )

    def as_query(self) -> dict[str, str]:
        out = {k: str(v) for k, v in self.__dict__.items() if v and not isinstance(v, bool)}
        if self.overdue:
            out["overdue"] = "1"
        return out


def overdue_deadlines(today: dt.date) -> QuerySet[SampleDeadline]:
    """Open deadlines past their date: the bureau's, not the business's own windows (a window that
    closed unused is the business's choice, not anyone's lateness)."""
    return SampleDeadline.objects.filter(met_on__isnull=True, due__lt=today).exclude(
        code__in=sorted(rules.business_window_codes())
    )


def _matching(q: str) -> Q:
    """A sample whose number, food or business name holds `q` (the lists' search box)."""
    return Q(code__icontains=q) | Q(food_name__icontains=q) | Q(business__name__icontains=q)


def sample_list_for_user(*, user: Any, filters: SampleFilters, today: dt.date) -> QuerySet[Sample]:
    qs = samples_for_user(user).select_related("region", "business", "lab")
    f = filters
    if f.q:
        qs = qs.filter(_matching(f.q))
    if f.status:
        qs = qs.filter(status=f.status)
    if f.region:
        qs = qs.filter(region_id=f.region)
    if f.category:
        qs = qs.filter(category_path__icontains=f.category)
    if f.conclusion:
        qs = qs.filter(conclusion=f.conclusion)
    if f.business:
        qs = qs.filter(business_id=f.business)
    if f.overdue:
        qs = qs.filter(Exists(overdue_deadlines(today).filter(sample=OuterRef("pk"))))
    return qs.order_by("-sampled_on", "-id")


def sample_get_for_user(*, user: Any, pk: int) -> Sample:
    sample = samples_for_user(user).select_related("region", "business", "lab").filter(pk=pk).first()
    if sample is None:
        raise Http404
    return sample


def sample_photo_get_for_user(*, user: Any, pk: int) -> SamplePhoto:
    """A sample's photo, for those who may see the sample (else 404, as if missing)."""
    photo = SamplePhoto.objects.filter(pk=pk, sample__in=samples_for_user(user)).first()
    if photo is None:
        raise Http404
    return photo


# The unqualified list's disposal filter: no task yet, a task open within its deadline, one open
# past it, every task closed. A sample's tasks are its own business's and those a recall opened for the
# businesses its lot reached.
DISPOSAL_STATES = ("none", "open", "overdue", "closed")


@dataclass(frozen=True)
class UnqualifiedFilters:
    q: str = ""
    region: str = ""
    year: int | None = None  # of the sampling date
    disposal: str = ""  # one of DISPOSAL_STATES

    @classmethod
    def from_mapping(cls, data: Any) -> UnqualifiedFilters:
        year = str(data.get("year", "") or "").strip()
        disposal = str(data.get("disposal", "") or "")
        return cls(
            q=str(data.get("q", "") or "").strip()[:60],
            region=str(data.get("region", "") or "")[:12],
            year=int(year) if year.isdigit() and len(year) == 4 else None,
            disposal=disposal if disposal in DISPOSAL_STATES else "",
        )

    def as_query(self) -> dict[str, str]:
        return {k: str(v) for k, v in self.__dict__.items() if v}


def unqualified_list_for_user(
    *, user: Any, filters: UnqualifiedFilters | None = None, today: dt.date | None = None
) -> QuerySet[Sample]:
    """The unqualified samples the user sees, each with its own disposal task where the user may
    see that too (a lab sees its results, not the town's disposal work), filtered."""
    f = filters or UnqualifiedFilters()
    qs = samples_for_user(user).filter(conclusion=Verdict.UNQUALIFIED)
    if f.q:
        qs = qs.filter(_matching(f.q))
    if f.region:
        qs = qs.filter(region_id=f.region)
    if f.year:
        qs = qs.filter(sampled_on__year=f.year)
    if f.disposal:
        tasks = disposal_tasks_for_user(user).filter(sample=OuterRef("pk"))
        open_tasks = tasks.filter(status=DisposalStatus.OPEN)
        if f.disposal == "none":
            qs = qs.filter(~Exists(tasks))
        elif f.disposal == "open":  # within its deadline, as the home page's to-do counts them
            qs = qs.filter(Exists(open_tasks.filter(due__gte=today or timezone.localdate())))
        elif f.disposal == "overdue":
            qs = qs.filter(Exists(open_tasks.filter(due__lt=today or timezone.localdate())))
        else:
            qs = qs.filter(Exists(tasks), ~Exists(open_tasks))
    return (
        qs.select_related("region", "business", "lab")
        .prefetch_related(
            Prefetch(
                "disposals",
                queryset=disposal_tasks_for_user(user).filter(business__isnull=True),
                to_attr="own_disposals",
            )
        )
        .order_by("-sampled_on", "-id")
    )


def unqualified_years(*, user: Any) -> list[int]:
    """The years the user's unqualified samples were taken in, newest first (the year filter)."""
    days = samples_for_user(user).filter(conclusion=Verdict.UNQUALIFIED).dates("sampled_on", "year")
    return sorted({d.year for d in days}, reverse=True)


def sees_disposal_tasks(user: Any) -> bool:
    """Disposal tasks are the town's work: a lab never sees them."""
    return not (getattr(user, "role", None) == Role.LAB and not getattr(user, "is_superuser", False))


def disposal_tasks_for_user(user: Any) -> QuerySet[DisposalTask]:
    """Disposal tasks are the town's work: a lab never sees them."""
    if not sees_disposal_tasks(user):
        return DisposalTask.objects.none()
    scope = scope_for(user)
    return scope.apply(
        DisposalTask.objects.all(), region_field="region", type_field="sample__business__business_type"
    )


def disposal_get_for_user(*, user: Any, pk: int) -> DisposalTask:
    task = (
        disposal_tasks_for_user(user)
        .select_related("sample", "region", "sample__business", "business")
        .filter(pk=pk)
        .first()
    )
    if task is None:
        raise Http404
    return task


def unqualified_sample_dates(*, end: dt.date) -> list[tuple[int, dt.date]]:
    """(business, sampling date) of every unqualified sample taken up to `end`, for the risk layer's
    batch jobs (no user: the caller is a command or a service that checked permission)."""
    qs = Sample.objects.filter(
        conclusion=Verdict.UNQUALIFIED, business__isnull=False, sampled_on__isnull=False, sampled_on__lte=end
    )
    rows = qs.values_list("business_id", "sampled_on").iterator(chunk_size=20_000)
    return [(int(b), d) for b, d in rows if d is not None]


# -- quick tests (快检) -----------------------------------------------------------------------------


def quick_tests_for_user(user: Any) -> QuerySet[QuickTest]:
    """Quick tests are the towns' market work: a lab never sees them; everyone else sees those of
    the markets in their scope (a town officer: their town's)."""
    if getattr(user, "role", None) == Role.LAB and not getattr(user, "is_superuser", False):
        return QuickTest.objects.none()
    return scope_for(user).apply(
        QuickTest.objects.all(), region_field="region", type_field="business__business_type"
    )


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value or "").strip()) if value else None
    except ValueError:
        return None


@dataclass(frozen=True)
class QuickTestFilters:
    region: str = ""
    market: str = ""  # the market's (business's) id
    result: str = ""
    status: str = ""
    item: str = ""  # the item's code in data/quick-tests.toml
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    q: str = ""  # stall, product or market name

    @classmethod
    def from_mapping(cls, data: Any) -> QuickTestFilters:
        market = str(data.get("market", "") or "").strip()
        return cls(
            region=str(data.get("region", "") or ""),
            market=market if market.isdigit() else "",
            result=str(data.get("result", "") or ""),
            status=str(data.get("status", "") or ""),
            item=str(data.get("item", "") or ""),
            date_from=_date(data.get("date_from")),
            date_to=_date(data.get("date_to")),
            q=str(data.get("q", "") or "").strip()[:60],
        )

    def as_query(self) -> dict[str, str]:
        return {k: str(v) for k, v in self.__dict__.items() if v}


def quick_test_list_for_user(*, user: Any, filters: QuickTestFilters) -> QuerySet[QuickTest]:
    qs = quick_tests_for_user(user).select_related("region", "business", "followup_sample")
    f = filters
    if f.region:
        qs = qs.filter(region_id=f.region)
    if f.market:
        qs = qs.filter(business_id=int(f.market))
    if f.result:
        qs = qs.filter(result=f.result)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.item:
        qs = qs.filter(item_code=f.item)
    # Day bounds in Beijing time, so the (region, tested_at) index serves the range.
    tz = timezone.get_current_timezone()
    if f.date_from:
        qs = qs.filter(tested_at__gte=dt.datetime.combine(f.date_from, dt.time.min, tzinfo=tz))
    if f.date_to:
        end = f.date_to + dt.timedelta(days=1)
        qs = qs.filter(tested_at__lt=dt.datetime.combine(end, dt.time.min, tzinfo=tz))
    if f.q:
        qs = qs.filter(Q(stall__icontains=f.q) | Q(product__icontains=f.q) | Q(business__name__icontains=f.q))
    return qs.order_by("-tested_at", "-id")


def quick_test_get_for_user(*, user: Any, pk: int) -> QuickTest:
    qt = (
        quick_tests_for_user(user)
        .select_related("region", "business", "tester", "followup_sample")
        .filter(pk=pk)
        .first()
    )
    if qt is None:
        raise Http404
    return qt


def quick_test_markets_for_user(user: Any) -> QuerySet[Business]:
    """The markets a person may pick for a quick test: the edible agricultural product markets in
    their scope (the form's choices and the filter's)."""
    if getattr(user, "role", None) == Role.LAB and not getattr(user, "is_superuser", False):
        return Business.objects.none()
    return (
        scope_for(user)
        .apply(
            Business.objects.filter(business_type=BusinessType.AGRI_MARKET),
            region_field="region",
            type_field="business_type",
        )
        .order_by("name", "id")
    )


# -- labs' workload and on-time rate (/sampling/labs/) ----------------------------------------------


def labs_for_user(user: Any) -> QuerySet[Lab]:
    """Labs a person may see: a lab user its own lab only; the district office every lab; anyone
    else the labs that tested samples in their scope."""
    if getattr(user, "role", None) == Role.LAB and not getattr(user, "is_superuser", False):
        lab = lab_for_user(user)
        return Lab.objects.filter(pk=lab.pk) if lab is not None else Lab.objects.none()
    scope = scope_for(user)
    if scope.nothing:
        return Lab.objects.none()
    if scope.everything and scope.business_types is None:
        return Lab.objects.all()
    return Lab.objects.filter(Exists(samples_for_user(user).filter(lab=OuterRef("pk"))))


def lab_get_for_user(*, user: Any, pk: int) -> Lab:
    lab = labs_for_user(user).filter(pk=pk).first()
    if lab is None:
        raise Http404
    return lab


@dataclass(frozen=True)
class LabWorkload:
    lab: Lab
    assigned: int  # samples sent to the lab
    in_progress: int  # delivered, report not yet out (the lab_report deadline open)
    overdue: int  # of those, past the lab_report deadline
    returned: int  # reports out (the lab_report deadline met)
    on_time: int  # of those, out by the deadline

    @property
    def on_time_rate(self) -> float | None:
        """Reports out within the 20-working-day lab_report deadline ÷ all reports out × 100
        (《食品安全抽样检验管理办法》第二十四条第二款)."""
        return None if self.returned == 0 else self.on_time / self.returned * 100


def lab_workloads_for_user(
    *,
    user: Any,
    today: dt.date,
    start: dt.date | None = None,
    end: dt.date | None = None,
    lab: Lab | None = None,
) -> list[LabWorkload]:
    """Each visible lab's workload over the samples in the person's scope sampled between `start`
    and `end` (either may be open). Two queries whatever the number of labs and samples."""
    labs = labs_for_user(user).order_by("name")
    if lab is not None:
        labs = labs.filter(pk=lab.pk)
    labs_list = list(labs)
    qs = samples_for_user(user).filter(lab__in=[x.pk for x in labs_list])
    if start is not None:
        qs = qs.filter(sampled_on__gte=start)
    if end is not None:
        qs = qs.filter(sampled_on__lte=end)
    report = Q(report__isnull=False)
    open_ = Q(report__met_on__isnull=True) & report
    rows = {
        r["lab_id"]: r
        for r in qs.annotate(report=FilteredRelation("deadlines", condition=Q(deadlines__code="lab_report")))
        .values("lab_id")
        .annotate(
            assigned=Count("id"),
            in_progress=Count("report", filter=open_),
            overdue=Count("report", filter=open_ & Q(report__due__lt=today)),
            returned=Count("report", filter=Q(report__met_on__isnull=False)),
            on_time=Count("report", filter=Q(report__met_on__lte=F("report__due"))),
        )
    }
    empty = {"assigned": 0, "in_progress": 0, "overdue": 0, "returned": 0, "on_time": 0}
    out = []
    for x in labs_list:
        r = rows.get(x.pk, empty)
        out.append(LabWorkload(x, r["assigned"], r["in_progress"], r["overdue"], r["returned"], r["on_time"]))
    return out


# -- batches by food category (the drill-down of the plan's sampling targets) -----------------------


@dataclass(frozen=True)
class CategoryBatches:
    category: str  # big category of the edition in force on the sampling date; "" unclassified
    batches: int
    unqualified: int

    @property
    def unqualified_share(self) -> float | None:
        return None if self.batches == 0 else self.unqualified / self.batches * 100


def batches_by_category_for_user(*, user: Any, period: Period) -> list[CategoryBatches]:
    """Batches taken in the period per big category, in the person's scope, most sampled first."""
    qs = taken_in_period(period, None).filter(sample_scope(user))
    totals: dict[str, list[int]] = {}
    for _region, big, n, bad in category_rows(qs, period):
        acc = totals.setdefault(big, [0, 0])
        acc[0] += n
        acc[1] += bad
    rows = [CategoryBatches(big, n, bad) for big, (n, bad) in totals.items()]
    return sorted(rows, key=lambda r: (r.category == "", -r.batches, r.category))


def sampling_history_by_category_town(
    *, user: Any | None, start: dt.date, end: dt.date
) -> dict[tuple[str, str], tuple[int, int]]:
    """Judged batches and unqualified batches per (food category code, town) sampled between
    `start` and `end`, the input of the annual sampling plan optimiser. `user` None is the plan's
    own district-wide computation (a batch job, not a request); otherwise the user's scope.
    A sample without a category code is placed by the first segment of its sampling category
    ("粮食加工品-大米" → 01); one that matches no category is left out."""
    from shian.core.models import FoodCategory

    qs = Sample.objects.all() if user is None else samples_for_user(user)
    rows = (
        qs.filter(sampled_on__gte=start, sampled_on__lte=end)
        .filter(conclusion__in=[Verdict.QUALIFIED, Verdict.UNQUALIFIED])
        .values("food_category_id", "category_path", "region_id", "conclusion")
        .annotate(n=Count("id"))
        .order_by()
    )
    by_name = dict(FoodCategory.objects.values_list("name", "code"))
    out: dict[tuple[str, str], tuple[int, int]] = {}
    for r in rows:
        code = r["food_category_id"] or by_name.get((r["category_path"] or "").split("-")[0].strip())
        if code is None:
            continue
        n, k = out.get((code, r["region_id"]), (0, 0))
        out[(code, r["region_id"])] = (
            n + r["n"],
            k + (r["n"] if r["conclusion"] == Verdict.UNQUALIFIED else 0),
        )
    return out


# -- publication (食品安全监督抽检信息公告) ------------------------------------------------------------

PUBLIC_RESULTS = {"qualified": "合格", "unqualified": "不合格"}


@dataclass(frozen=True)
class PublicationFilters:
    """The public page's filters: year, months (a range within the year, or in every year),
    result, big food category and town. Bad values are named in `errors`, never guessed."""

    year: int | None = None
    month_from: int | None = None
    month_to: int | None = None
    result: str = ""
    category: str = ""
    region: str = ""
    errors: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_mapping(cls, data: Any) -> PublicationFilters:
        errors: list[tuple[str, str]] = []

        def number(name: str, label: str, low: int, high: int) -> int | None:
            raw = str(data.get(name, "") or "").strip()
            if not raw:
                return None
            if not raw.isdigit() or not low <= int(raw) <= high:
                errors.append((name, f"{label}：“{raw[:20]}”不是 {low}–{high} 之间的整数"))
                return None
            return int(raw)

        year = number("year", "年度", 2000, 2100)
        month_from = number("month_from", "起始月份", 1, 12)
        month_to = number("month_to", "截止月份", 1, 12)
        if month_from and month_to and month_from > month_to:
            errors.append(("month_to", f"截止月份：{month_to}月早于起始月份{month_from}月"))
        result = str(data.get("result", "") or "")
        if result and result not in PUBLIC_RESULTS:
            errors.append(("result", f"检验结论：“{result[:20]}”应为“合格”或“不合格”"))
            result = ""
        region = str(data.get("region", "") or "").strip()[:12]
        if region and not region.isdigit():
            errors.append(("region", f"所在镇街：“{region}”不是区划代码"))
            region = ""
        return cls(
            year=year,
            month_from=month_from,
            month_to=month_to,
            result=result,
            category=str(data.get("category", "") or "").strip()[:60],
            region=region,
            errors=tuple(errors),
        )

    def as_query(self) -> dict[str, str]:
        fields = ("year", "month_from", "month_to", "result", "category", "region")
        return {k: str(getattr(self, k)) for k in fields if getattr(self, k)}


def published_q(*, on: dt.date) -> Q:
    """The publication rule (rules.sample_published, data/publication.toml) as one filter."""
    rule = rules.publication_rule_in_force(on)
    q = Q(pk__in=[])
    for conclusion, statuses in rule.statuses.items():
        q |= Q(conclusion=conclusion, status__in=sorted(statuses))
    return q


def published_samples(filters: PublicationFilters, *, on: dt.date | None = None) -> QuerySet[Sample]:
    """Samples on the public portal. Unscoped by design: the results are public
    (《食品安全抽样检验管理办法》第四十六条); only published samples, whoever asks."""
    on = on or timezone.localdate()
    qs = Sample.objects.filter(published_q(on=on)).select_related("region", "business", "lab")
    f = filters
    if f.year:
        qs = qs.filter(sampled_on__year=f.year)
    if f.month_from:
        qs = qs.filter(sampled_on__month__gte=f.month_from)
    if f.month_to:
        qs = qs.filter(sampled_on__month__lte=f.month_to)
    if f.result:
        qs = qs.filter(conclusion=f.result)
    if f.category:
        qs = qs.filter(Q(category_path=f.category) | Q(category_path__startswith=f"{f.category}-"))
    if f.region:
        qs = qs.filter(region_id=f.region)
    return qs.order_by("-sampled_on", "-id")


def published_choices(*, on: dt.date | None = None) -> dict[str, list[Any]]:
    """The values the public filters offer: years, big categories and towns with published samples."""
    qs = Sample.objects.filter(published_q(on=on or timezone.localdate()))
    years = sorted({d.year for d in qs.dates("sampled_on", "year")}, reverse=True)
    paths = qs.exclude(category_path="").values_list("category_path", flat=True).distinct()
    # the big category is the path's first segment, as the filter matches it
    categories = sorted({p.split("-", 1)[0].strip() for p in paths} - {""})
    towns = list(qs.values_list("region_id", "region__name").distinct().order_by("region_id"))
    return {"years": years, "categories": categories, "towns": towns}


# -- which limit applies to a result (/sampling/limits/, /api/v1/sampling/limits/explain) --------


@dataclass(frozen=True)
class LimitExplanation:
    """The judgment of one result with how its limit was found: the standard's category path the
    food was placed in, the row, its source and verification level."""

    judgment: rules.Judgment
    item: str  # the canonical item the lab's name stands for
    source: str
    verification_label: str


VERIFICATION_LABELS = {
    "V": "已与标准原文核对",
    "V2": "取自第三方整理的标准表格，未逐条核对",
    "M": "凭记忆录入，待与标准原文核对",
    "L": "本局工作口径",
}


def limit_explain(*, item: str, result: str, food: str, category: str, on: dt.date) -> LimitExplanation:
    book = rules.default_limit_book()
    j = rules.judge(book=book, item=item, result=result or "未检出", food=food, category=category, on=on)
    found = book.resolve(item=item, food=food, category=category, on=on)
    source = found.rule.source if found.rule is not None else ""
    return LimitExplanation(
        judgment=j,
        item=book.canonical_item(item),
        source=source,
        verification_label=VERIFICATION_LABELS.get(j.verification, j.verification),
    )


# -- the reports' core sampling results (shian.reports) ----------------------------------------------


@dataclass(frozen=True)
class SamplingCell:
    """Batches taken, judged and unqualified of one (town, big food category) in a period."""

    region: str
    category: str  # big category of the edition in force on the sampling date; "" unclassified
    batches: int
    judged: int
    unqualified: int


def sampling_cells_for_user(*, user: Any, start: dt.date, end: dt.date) -> list[SamplingCell]:
    """Per town and big category, the batches taken between `start` and `end` (those
    `sampling.batches_done` counts), how many are judged and how many unqualified. Two queries."""
    period = Period(start, end)
    taken = taken_in_period(period, None).filter(sample_scope(user))
    judged = {
        (region, big): n
        for region, big, n, _bad in category_rows(
            taken.filter(conclusion__in=[Verdict.QUALIFIED, Verdict.UNQUALIFIED]), period
        )
    }
    return [
        SamplingCell(region, big, n, judged.get((region, big), 0), bad)
        for region, big, n, bad in category_rows(taken, period)
    ]


@dataclass(frozen=True)
class DisposalCounts:
    """The disposal tasks of a town opened in a period, as they stood on a date."""

    region: str
    opened: int
    on_time: int  # closed by their working-day due date
    late: int  # closed, after their due date
    overdue: int  # not closed on the date, past their due date
    in_progress: int  # not closed on the date, not yet due


def disposal_counts_for_user(
    *, user: Any, start: dt.date, end: dt.date, as_of: dt.date
) -> list[DisposalCounts]:
    """Per town, the disposal tasks opened between `start` and `end` against their due dates (set
    by the working-day calendar when the task opened), as they stood on `as_of`. One query."""
    closed = Q(closed_on__isnull=False, closed_on__lte=as_of)
    rows = (
        disposal_tasks_for_user(user)
        .filter(opened_on__gte=start, opened_on__lte=end)
        .values("region_id")
        .annotate(
            opened=Count("id"),
            on_time=Count("id", filter=closed & Q(closed_on__lte=F("due"))),
            late=Count("id", filter=closed & Q(closed_on__gt=F("due"))),
            overdue=Count("id", filter=~closed & Q(due__lt=as_of)),
        )
        .order_by("region_id")
    )
    return [
        DisposalCounts(
            r["region_id"],
            r["opened"],
            r["on_time"],
            r["late"],
            r["overdue"],
            r["opened"] - r["on_time"] - r["late"] - r["overdue"],
        )
        for r in rows
    ]


@dataclass(frozen=True)
class QuickTestCounts:
    region: str
    tests: int
    positive: int  # positive on the kit
    confirmed: int  # positives that stand (window expired or re-test upheld)
    followed: int  # of those, followed by a supervisory sample


def quick_test_counts_for_user(*, user: Any, start: dt.date, end: dt.date) -> list[QuickTestCounts]:
    """Per town, the quick tests done between `start` and `end` (Beijing days). One query."""
    tz = timezone.get_current_timezone()
    rows = (
        quick_tests_for_user(user)
        .filter(
            tested_at__gte=dt.datetime.combine(start, dt.time.min, tzinfo=tz),
            tested_at__lt=dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
        )
        .values("region_id")
        .annotate(
            tests=Count("id"),
            positive=Count("id", filter=Q(result="positive")),
            confirmed=Count("id", filter=Q(result="positive", confirmed_at__isnull=False)),
            followed=Count(
                "id", filter=Q(result="positive", confirmed_at__isnull=False, followup_sample__isnull=False)
            ),
        )
        .order_by("region_id")
    )
    return [
        QuickTestCounts(r["region_id"], r["tests"], r["positive"], r["confirmed"], r["followed"])
        for r in rows
    ]
