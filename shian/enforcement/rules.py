"""The rules of an enforcement case and of credit, as pure functions over the versioned data in
data/rules.toml: the case's legal clocks, the fine's discretion band, 情节严重 (条例第六十七条), the
third penalty in a year (法第一百三十四条), bans (法第一百三十五条), the criminal thresholds of the
2021 interpretation, penalty publication (45号令), the serious-dishonesty list (44号令) and the
credit-risk class. No Django import; each function names its source, and each edition says how
well each value was verified (V read in the official text, M not read: to review)."""

from __future__ import annotations

import calendar
import datetime as dt
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

DATA_FILE = Path(__file__).parent / "data" / "rules.toml"

AddWorkingDays = Callable[[dt.date, int], dt.date]
IsWorkday = Callable[[dt.date], bool]


class NoEditionInForce(LookupError):
    """A date before the first edition: answered with the rule's own words (the API's 422)."""


# -- editions ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Clock:
    code: str
    name: str
    days: int
    day_type: str  # "working" | "calendar"
    start_event: str
    extension_days: int
    source: str
    verification: str


@dataclass(frozen=True)
class Basis:
    """A legal basis with its fine range (a flat range, or a multiple of the goods' value above a
    threshold and a flat range below it)."""

    code: str
    name: str
    article: str
    basis: str  # "flat" | "value_multiple"
    flat_min: Decimal
    flat_max: Decimal
    min_multiple: Decimal = Decimal(0)
    max_multiple: Decimal = Decimal(0)
    value_threshold: Decimal = Decimal(0)
    verification: str = "V"


@dataclass(frozen=True)
class Edition:
    id: str
    valid_from: dt.date
    source: str
    warn_working_days: int
    clocks: Mapping[str, Clock]
    bases: Mapping[str, Basis]
    publication: Mapping[str, Any]
    listing: Mapping[str, Any]
    aggravation: Mapping[str, Any]
    repeat: Mapping[str, Any]
    ban: Mapping[str, Any]
    criminal: Mapping[str, Any]
    credit: Mapping[str, Any]
    decision: Mapping[str, Any]

    def clock(self, code: str) -> Clock:
        return self.clocks[code]

    def basis(self, code: str) -> Basis:
        if code not in self.bases:
            raise NoEditionInForce(f"法律依据 {code} 不在规则 {self.id} 中")
        return self.bases[code]


def _dec(value: Any) -> Decimal:
    return Decimal(str(value))


def load_editions(path: Path = DATA_FILE) -> tuple[Edition, ...]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    out = []
    for e in data["edition"]:
        clocks = {
            c["code"]: Clock(
                code=c["code"],
                name=c["name"],
                days=int(c["days"]),
                day_type=c["day_type"],
                start_event=c["start_event"],
                extension_days=int(c.get("extension_days", 0)),
                source=c["source"],
                verification=c["verification"],
            )
            for c in e["clock"]
        }
        bases = {
            b["code"]: Basis(
                code=b["code"],
                name=b["name"],
                article=b["article"],
                basis=b["basis"],
                flat_min=_dec(b["flat_min_yuan"]),
                flat_max=_dec(b["flat_max_yuan"]),
                min_multiple=_dec(b.get("min_multiple", 0)),
                max_multiple=_dec(b.get("max_multiple", 0)),
                value_threshold=_dec(b.get("value_threshold_yuan", 0)),
                verification=b["verification"],
            )
            for b in e["basis"]
        }
        out.append(
            Edition(
                id=e["id"],
                valid_from=e["valid_from"],
                source=e["source"],
                warn_working_days=int(e["warn_working_days"]),
                clocks=clocks,
                bases=bases,
                publication=e["publication"],
                listing=e["listing"],
                aggravation=e["aggravation"],
                repeat=e["repeat"],
                ban=e["ban"],
                criminal=e["criminal"],
                credit=e["credit"],
                decision=e["decision"],
            )
        )
    return tuple(sorted(out, key=lambda x: x.valid_from))


@cache
def _default_editions() -> tuple[Edition, ...]:
    return load_editions()


def edition_in_force(on: dt.date, editions: Sequence[Edition] | None = None) -> Edition:
    editions = _default_editions() if editions is None else editions
    applicable = [e for e in editions if e.valid_from <= on]
    if not applicable:
        first = min(e.valid_from for e in editions)
        raise NoEditionInForce(f"{on} 早于执法规则的最早版本（{first} 起施行），平台不判断此前的案件期限")
    return applicable[-1]


# -- dates --------------------------------------------------------------------------------------


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months later, or the month's last day when it has none
    (a term of months ends on the corresponding day, 民法典第二百零二条)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def roll_to_workday(day: dt.date, is_workday: IsWorkday) -> dt.date:
    """A term whose last day is a public holiday or rest day ends on the next working day
    (民法典第二百零三条; the penalty procedure's 期间 article — M)."""
    while not is_workday(day):
        day += dt.timedelta(days=1)
    return day


def clock_due(
    clock: Clock,
    start: dt.date,
    *,
    add_working_days: AddWorkingDays,
    is_workday: IsWorkday,
    extensions: int = 0,
) -> dt.date:
    """The clock's due date counted from `start` (the day of the event; counting starts the next
    day), with `extensions` granted extensions of `clock.extension_days` each."""
    if extensions and not clock.extension_days:
        raise ValueError(_("%(name)s不能延长（%(source)s）") % {"name": clock.name, "source": clock.source})
    total = clock.days + extensions * clock.extension_days
    if clock.day_type == "working":
        return add_working_days(start, total)
    if clock.day_type == "calendar":
        return roll_to_workday(start + dt.timedelta(days=total), is_workday)
    raise ValueError(f"{clock.code}: unknown day type {clock.day_type}")


class Alert:
    NONE = "none"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"


def alert(*, due: dt.date, today: dt.date, working_days_left: int, warn_working_days: int) -> str:
    if today > due:
        return Alert.OVERDUE
    if working_days_left <= warn_working_days:
        return Alert.DUE_SOON
    return Alert.NONE


def needs_collective_discussion(*, kinds: frozenset[str], band: str, edition: Edition) -> bool:
    """重大 decisions are taken by the heads collectively (行政处罚法第五十七条第二款; the list of
    what counts is the procedure rule's, M): suspension, restriction, revocation, bans, a heavy fine."""
    return bool(kinds & frozenset(edition.decision["collective_kinds"])) or (
        "fine" in kinds and band == "heavier"
    )


# -- the fine and its discretion band -----------------------------------------------------------


@dataclass(frozen=True)
class FineRange:
    low: Decimal
    high: Decimal
    article: str
    # The three bands (从轻 lower third, 一般 middle, 从重 upper third): M until the local 裁量基准.
    bands: tuple[tuple[str, Decimal, Decimal], ...] = ()

    def band_of(self, amount: Decimal) -> str | None:
        for code, lo, hi in self.bands:
            if lo <= amount <= hi:
                return code
        return None


def fine_range(basis: Basis, goods_value: Decimal | None) -> FineRange:
    """The legal range of the fine for this basis (the article's figures: below the value
    threshold the flat range, at or above it a multiple of the goods' value)."""
    if basis.basis == "value_multiple" and goods_value is not None and goods_value >= basis.value_threshold:
        low, high = goods_value * basis.min_multiple, goods_value * basis.max_multiple
    else:
        low, high = basis.flat_min, basis.flat_max
    third = (high - low) / 3
    bands = (
        ("lighter", low, (low + third).quantize(Decimal("0.01"))),
        ("ordinary", (low + third).quantize(Decimal("0.01")), (high - third).quantize(Decimal("0.01"))),
        ("heavier", (high - third).quantize(Decimal("0.01")), high),
    )
    return FineRange(low=low, high=high, article=basis.article, bands=bands)


def fine_problem(basis: Basis, goods_value: Decimal | None, amount: Decimal, band: str) -> str | None:
    """Why a fine does not fit its basis and band, or None. 减轻处罚 below the range is possible in
    law (行政处罚法第三十二条) but needs its own reasons: the platform asks for the 'mitigated' band."""
    rng = fine_range(basis, goods_value)
    if band == "mitigated":
        return None if Decimal(0) < amount < rng.low else f"减轻处罚的罚款应低于法定下限 {rng.low} 元"
    if not rng.low <= amount <= rng.high:
        return f"罚款 {amount} 元超出{rng.article}的幅度（{rng.low}–{rng.high} 元）"
    actual = rng.band_of(amount)
    if actual != band:
        return f"罚款 {amount} 元不在所选裁量档次内（应为 {BAND_NAMES.get(actual or '', actual)}）"
    return None


BAND_NAMES = {"lighter": "从轻", "ordinary": "一般", "heavier": "从重", "mitigated": "减轻"}


# -- 情节严重 (实施条例第六十七条) ----------------------------------------------------------------


@dataclass(frozen=True)
class CaseFacts:
    """What the officer established, as the tests need it."""

    goods_value: Decimal | None = None
    violation_started: dt.date | None = None
    violation_ended: dt.date | None = None
    ill_persons: int = 0
    deaths: int = 0
    false_information: bool = False
    refused_inspection: bool = False
    prior_penalties: tuple[tuple[dt.date, str], ...] = ()  # (decision date, basis code)
    prior_criminal: bool = False
    basis_code: str = ""
    sales_amount: Decimal | None = None
    illegal_income: Decimal | None = None
    toxic_non_food: bool = False  # 有毒、有害的非食品原料 (刑法第一百四十四条)
    serious_excess: bool = False  # 严重超出标准限量 (解释第一条第一项)
    sick_meat: bool = False  # 解释第一条第二项
    special_food: bool = False  # 特医食品、婴幼儿主辅食品
    near_minors_or_elderly: bool = False
    large_quantity: bool = False
    serious_poisoning_persons: int = 0


@dataclass(frozen=True)
class Test:
    code: str
    met: bool
    text: str  # the test and the facts behind the answer, in Chinese
    source: str


def aggravation_tests(facts: CaseFacts, *, on: dt.date, edition: Edition) -> list[Test]:
    """情节严重 (《食品安全法实施条例》第六十七条第一款第一至五项), each item with the facts behind it.
    Item (六) ("其他情节严重的情形") is the officer's own judgment and is not computed."""
    a = edition.aggravation
    src = a["source"]
    out: list[Test] = []
    value = facts.goods_value
    lasted_months = (
        _months_between(facts.violation_started, facts.violation_ended or on)
        if facts.violation_started
        else None
    )
    met1 = (value is not None and value >= _dec(a["goods_value_yuan"])) or (
        lasted_months is not None and lasted_months >= int(a["duration_months"])
    )
    out.append(
        Test(
            "67-1",
            met1,
            (f"货值 {value} 元" if value is not None else "货值未认定")
            + f"（标准 ≥ {a['goods_value_yuan']} 元），"
            + (f"持续 {lasted_months} 个月" if lasted_months is not None else "持续时间未认定")
            + f"（标准 ≥ {a['duration_months']} 个月）",
            f"{src}第一项",
        )
    )
    met2 = facts.deaths > 0 or facts.ill_persons >= int(a["illness_persons"])
    out.append(
        Test(
            "67-2",
            met2,
            f"食源性疾病 {facts.ill_persons} 人、死亡 {facts.deaths} 人（标准：有死亡或 ≥ {a['illness_persons']} 人）",
            f"{src}第二项",
        )
    )
    out.append(Test("67-3", facts.false_information, "故意提供虚假信息或者隐瞒真实情况", f"{src}第三项"))
    out.append(Test("67-4", facts.refused_inspection, "拒绝、逃避监督检查", f"{src}第四项"))
    window_start = add_months(on, -int(a["repeat_within_months"]))
    repeats = [d for d, b in facts.prior_penalties if window_start <= d <= on and b == facts.basis_code]
    met5 = bool(repeats) or facts.prior_criminal
    text5 = (
        f"1年内同一性质违法受到行政处罚 {len(repeats)} 次"
        + (f"（{', '.join(str(d) for d in repeats)}）" if repeats else "")
        + ("；曾受刑事处罚" if facts.prior_criminal else "")
    )
    out.append(Test("67-5", met5, text5, f"{src}第五项"))
    return out


def _months_between(start: dt.date, end: dt.date) -> int:
    months = (end.year - start.year) * 12 + end.month - start.month
    if end.day < start.day:
        months -= 1
    return max(months, 0)


# -- 法第一百三十四条: the third penalty in a year -----------------------------------------------


@dataclass(frozen=True)
class RepeatJudgement:
    met: bool
    counted: tuple[tuple[dt.date, str], ...]  # (decision date, case number) of the penalties counted
    text: str
    source: str


def third_penalty(
    penalties: Iterable[tuple[dt.date, str, frozenset[str]]], *, on: dt.date, edition: Edition
) -> RepeatJudgement:
    """《食品安全法》第一百三十四条: three penalties within one year other than suspension or
    licence revocation (counting the one about to be decided on `on`, given among `penalties`)
    lead to an order to suspend, up to revocation. `penalties`: (decision date, case number, the
    decision's kinds)."""
    r = edition.repeat
    excluded = frozenset(r["excluded_kinds"])
    start = add_months(on, -int(r["within_months"]))
    counted = tuple(
        sorted((d, no) for d, no, kinds in penalties if start < d <= on and kinds and not (kinds & excluded))
    )
    met = len(counted) >= int(r["count"])
    text = f"{start} 至 {on} 累计 {len(counted)} 次停产停业、吊销许可证以外的处罚（第 {r['count']} 次起责令停产停业直至吊销许可证）"
    return RepeatJudgement(met, counted, text, r["source"])


# -- 法第一百三十五条: bans -------------------------------------------------------------------------


def ban_until(*, decided_on: dt.date, prison_sentence: bool, edition: Edition) -> dt.date | None:
    """The last day of the ban (《食品安全法》第一百三十五条): five years from the revocation decision;
    None for life after a prison sentence for a food-safety crime (第二款)."""
    if prison_sentence:
        return None
    return add_months(decided_on, 12 * int(edition.ban["years_after_revocation"])) - dt.timedelta(days=1)


def ban_in_force(*, until: dt.date | None, on: dt.date) -> bool:
    return until is None or on <= until


# -- criminal thresholds (两高解释 2021) ---------------------------------------------------------


def criminal_tests(facts: CaseFacts, *, on: dt.date, edition: Edition) -> list[Test]:
    """The thresholds of 《最高人民法院、最高人民检察院关于办理危害食品安全刑事案件适用法律若干问题的解释》
    (2021) against the case's facts: a met test means the case is to be transferred to the police
    (行政执法机关移送涉嫌犯罪案件的规定). Each test names its article."""
    c = edition.criminal
    src = c["source"]
    amount = facts.sales_amount
    serious = _dec(c["amount_serious_yuan"])
    lower = _dec(c["amount_lower_yuan"])
    in_lower_band = amount is not None and lower <= amount < serious
    lasted = (
        _months_between(facts.violation_started, facts.violation_ended or on)
        if facts.violation_started
        else 0
    )
    prior = any(
        d >= add_months(on, -int(c["prior_penalty_within_months"])) for d, _b in facts.prior_penalties
    )
    out = [
        Test(
            "143-1-1",
            facts.serious_excess,
            "含有严重超出标准限量的致病性微生物、农药兽药残留、生物毒素、重金属等",
            f"{src}第一条第一项",
        ),
        Test(
            "143-1-2",
            facts.sick_meat,
            "病死、死因不明或者检验检疫不合格的畜禽水产肉类及其制品",
            f"{src}第一条第二项",
        ),
        Test(
            "143-2-4",
            facts.serious_poisoning_persons >= int(c["poisoning_persons_serious"]),
            f"严重食物中毒 {facts.serious_poisoning_persons} 人（标准 ≥ {c['poisoning_persons_serious']}）",
            f"{src}第二条第四项",
        ),
        Test(
            "143-3-1",
            amount is not None and amount >= serious,
            f"生产、销售金额 {amount if amount is not None else '未认定'} 元（标准 ≥ {serious}）",
            f"{src}第三条第一项",
        ),
        Test(
            "143-3-2",
            in_lower_band and (facts.large_quantity or lasted >= int(c["duration_months"])),
            f"金额 {lower}–{serious} 元且数量较大或持续 {c['duration_months']} 个月以上（持续 {lasted} 个月）",
            f"{src}第三条第二项",
        ),
        Test(
            "143-3-3",
            in_lower_band and facts.special_food,
            f"金额 {lower}–{serious} 元，属于特殊医学用途配方食品、专供婴幼儿的主辅食品",
            f"{src}第三条第三项",
        ),
        Test(
            "143-3-4",
            in_lower_band and facts.near_minors_or_elderly,
            f"金额 {lower}–{serious} 元，在校园、托幼、养老机构及周边面向未成年人、老年人销售",
            f"{src}第三条第四项",
        ),
        Test(
            "143-3-5",
            in_lower_band and (facts.prior_criminal or prior),
            f"金额 {lower}–{serious} 元，曾受刑事处罚或二年内因危害食品安全违法行为受过行政处罚",
            f"{src}第三条第五项、第二十五条",
        ),
        Test(
            "144",
            facts.toxic_non_food,
            "掺入有毒、有害的非食品原料（刑法第一百四十四条不以金额为门槛）",
            f"{src}第九条、第十一条",
        ),
        Test(
            "225",
            (
                amount is not None
                and amount >= _dec(c["illegal_business_amount_yuan"])
                and facts.basis_code == "fsl-122"
            )
            or (facts.illegal_income is not None and facts.illegal_income >= _dec(c["illegal_income_yuan"])),
            f"非法经营数额 ≥ {c['illegal_business_amount_yuan']} 元或违法所得 ≥ {c['illegal_income_yuan']} 元",
            f"{src}第十六条至第十八条",
        ),
    ]
    return out


# -- penalty publication (45号令) ----------------------------------------------------------------


@dataclass(frozen=True)
class PublicationTerm:
    published: bool
    light: bool
    due: dt.date | None  # publish by (第九条, counted by the caller through the calendar)
    ends: dt.date | None  # stop publishing on (第十三条)
    early_from: dt.date | None  # may apply to stop early from (第十四条); None: never
    text: str


def publication_is_light(*, kinds: frozenset[str], fine: Decimal | None, edition: Edition) -> bool:
    """第十三条: only 通报批评 or a 较低数额罚款 (and nothing heavier) is light."""
    p = edition.publication
    light_kinds = {"warning", "criticism", "fine"}
    if not kinds or not kinds <= light_kinds:
        return False
    return fine is None or fine <= _dec(p["light_fine_ceiling_yuan"])


def publication_term(
    *,
    kinds: frozenset[str],
    fine: Decimal | None,
    published_on: dt.date,
    restriction_months: int,
    edition: Edition,
) -> PublicationTerm:
    """How long a decision stays published and when an early stop may be asked for (《市场监督管理行政
    处罚信息公示规定》第二条、第十三条、第十四条). A warning alone is not published (第二条第二款)."""
    p = edition.publication
    if kinds <= frozenset(p["not_published_kinds"]):
        return PublicationTerm(False, True, None, None, None, "仅受到警告行政处罚的不予公示（第二条第二款）")
    light = publication_is_light(kinds=kinds, fine=fine, edition=edition)
    months = int(p["light_months"]) if light else int(p["other_months"])
    if restriction_months > int(p["other_months"]):
        months = restriction_months  # 第十三条第三款: the actual restriction
    ends = add_months(published_on, months)
    no_early = bool(kinds & frozenset(p["no_early_kinds"]))
    early_from = (
        None
        if no_early
        else add_months(published_on, int(p["early_min_months_light" if light else "early_min_months_other"]))
    )
    text = (
        f"自公示之日起{months}个月（{'通报批评或较低数额罚款' if light else '其他行政处罚'}，第十三条）"
        + (
            "；不得提前停止公示（第十四条第三款）"
            if no_early
            else f"；{early_from} 起可申请提前停止公示（第十四条）"
        )
    )
    return PublicationTerm(True, light, None, ends, early_from, text)


@dataclass(frozen=True)
class Conditions:
    """The conditions of an early stop (45号令第十四条) or of credit repair (44号令, M)."""

    obligations_fulfilled: bool
    harm_removed: bool
    no_new_penalty_same_kind: bool
    not_on_lists: bool = True


def early_withdrawal_problems(
    *, term: PublicationTerm, conditions: Conditions, on: dt.date, source: str
) -> list[str]:
    """Why an application to stop publication early cannot be granted (empty: it can), each reason
    naming its clause of 第十四条."""
    out = []
    if term.early_from is None:
        out.append(f"该处罚不得提前停止公示（{source}第三款）")
    elif on < term.early_from:
        out.append(f"公示未满规定时限，{term.early_from} 起方可申请（{source}第一款）")
    if not conditions.obligations_fulfilled:
        out.append(f"尚未自觉履行行政处罚决定中规定的义务（{source}第一款第一项）")
    if not conditions.harm_removed:
        out.append(f"尚未主动消除危害后果和不良影响（{source}第一款第二项）")
    if not conditions.no_new_penalty_same_kind:
        out.append(f"因同一类违法行为再次受到行政处罚（{source}第一款第三项）")
    if not conditions.not_on_lists:
        out.append(f"在经营异常名录或严重违法失信名单中（{source}第一款第四项）")
    return out


# -- serious-dishonesty list (44号令, M) --------------------------------------------------------


@dataclass(frozen=True)
class ListingProposal:
    proposed: bool
    triggers: tuple[str, ...]
    heavy: bool
    text: str
    source: str


def listing_proposal(
    *, triggers: Iterable[str], kinds: frozenset[str], band: str, edition: Edition
) -> ListingProposal:
    """Whether a decided case is proposed for the serious-dishonesty list: a food-safety trigger of
    第六条 together with a 较重行政处罚 (第二条: heavy-band fine, suspension, revocation, bans)."""
    lst = edition.listing
    known = {t["code"]: t["name"] for t in lst["trigger"]}
    hit = tuple(t for t in triggers if t in known)
    heavy = bool(kinds & frozenset(lst["heavy_kinds"])) or ("fine" in kinds and band == "heavier")
    proposed = bool(hit) and heavy
    names = "；".join(known[t] for t in hit) or "无第六条情形"
    text = f"{names}；{'属于' if heavy else '不属于'}较重行政处罚"
    return ListingProposal(proposed, hit, heavy, text, lst["source"])


def listing_term_ends(*, listed_on: dt.date, restriction_ends: dt.date | None, edition: Edition) -> dt.date:
    """Removed after 3 years on the list, or when a longer restriction ends (44号令, M)."""
    ends = add_months(listed_on, int(edition.listing["term_months"]))
    return max(ends, restriction_ends) if restriction_ends else ends


def repair_problems(
    *, listed_on: dt.date, on: dt.date, conditions: Conditions, restriction_running: bool, edition: Edition
) -> list[str]:
    """Why early removal (信用修复) cannot be granted yet (44号令, M): at least one year on the list,
    penalty fulfilled, harm removed, no further heavy penalty; never while a restriction runs."""
    src = edition.listing["source"]
    out = []
    earliest = add_months(listed_on, int(edition.listing["repair_min_months"]))
    if on < earliest:
        out.append(f"列入未满一年，{earliest} 起方可申请信用修复（{src}）")
    if restriction_running:
        out.append(f"法定限制期限尚未届满，不得提前移出（{src}）")
    if not conditions.obligations_fulfilled:
        out.append(f"尚未履行行政处罚决定规定的义务（{src}）")
    if not conditions.harm_removed:
        out.append(f"尚未消除危害后果和不良影响（{src}）")
    if not conditions.no_new_penalty_same_kind:
        out.append(f"列入后又受到较重行政处罚（{src}）")
    return out


# -- credit-risk class (国市监信发〔2022〕6号, M) --------------------------------------------------


@dataclass(frozen=True)
class CreditClass:
    code: str  # A–D
    points: int
    reasons: tuple[str, ...] = field(default_factory=tuple)
    source: str = ""


CLASS_NAMES = {
    "A": gettext_noop("信用风险低"),
    "B": gettext_noop("信用风险一般"),
    "C": gettext_noop("信用风险较高"),
    "D": gettext_noop("信用风险高"),
}


def credit_class(events: Iterable[tuple[str, dt.date]], *, on: dt.date, edition: Edition) -> CreditClass:
    """The enterprise credit-risk class from the business's ledger: any live listing or revoked
    licence in the window is D; otherwise points per event kind against the thresholds. A separate
    axis from the food risk grade."""
    c = edition.credit
    start = add_months(on, -int(c["window_months"]))
    points_of = {k: int(v) for k, v in c["points"].items()}
    d_kinds = set(c["d_kinds"])
    points = 0
    reasons: list[str] = []
    force_d = False
    for kind, day in sorted(events, key=lambda e: e[1]):
        if not start < day <= on:
            continue
        if kind in d_kinds:
            force_d = True
            reasons.append(f"{day} {kind}")
        elif kind in points_of:
            points += points_of[kind]
            reasons.append(f"{day} {kind} +{points_of[kind]}")
    if force_d:
        return CreditClass("D", points, tuple(reasons), c["source"])
    for code, threshold in c["thresholds"]:
        if points >= int(threshold):
            return CreditClass(code, points, tuple(reasons), c["source"])
    return CreditClass("A", points, tuple(reasons), c["source"])


def draw_weight(code: str, *, edition: Edition) -> float:
    """The random draw's ratio multiplier for a credit class (差异化监管)."""
    return float(edition.credit["draw_weight"].get(code, 1.0))


# -- typical cases and anonymisation ------------------------------------------------------------


def mask_person_name(name: str) -> str:
    """A natural person's name in a publication: surname kept, the rest masked (45号令第六条 —
    personal information handled as the law requires; the exact form is local practice)."""
    name = name.strip()
    if not name:
        return ""
    return name[0] + "某" * max(1, len(name) - 1)


def mask_id_number(number: str) -> str:
    number = number.strip()
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def quarter_of(day: dt.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1
