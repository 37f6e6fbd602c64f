"""Pure rules of complaints (投诉) and reports (举报): their legal clocks, the grounds for not
accepting a complaint, routing to a town, and the masking of a person's identity. No Django import;
every number comes from versioned data in data/clocks.toml, each clock naming its article of
《市场监督管理投诉举报处理暂行办法》 (SAMR 令第20号, as amended 2022-03-24) and whether it was read
in the official text."""

from __future__ import annotations

import datetime as dt
import functools
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

DATA_DIR = Path(__file__).resolve().parent / "data"
CLOCKS_FILE = DATA_DIR / "clocks.toml"

COMPLAINT = "complaint"
REPORT = "report"


@dataclass(frozen=True)
class Clock:
    code: str
    name: str
    applies_to: str  # "complaint" | "report"
    start_event: str
    days: int
    day_type: str  # "working" | "calendar"
    article: str
    verification: str  # "V" read in the official text, "M" not read in an official text here


@dataclass(frozen=True)
class ClockEdition:
    id: str
    valid_from: dt.date
    source: str
    warn_working_days: int
    clocks: dict[str, Clock]

    def __getitem__(self, code: str) -> Clock:
        return self.clocks[code]

    def starting(self, kind: str, event: str) -> list[Clock]:
        """The clocks a complaint or report of `kind` starts when `event` happens."""
        return [c for c in self.clocks.values() if c.applies_to == kind and c.start_event == event]


@functools.lru_cache(maxsize=4)  # the data file is read once per process
def load_clock_editions(path: Path = CLOCKS_FILE) -> tuple[ClockEdition, ...]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    out = []
    for e in data["edition"]:
        clocks = {
            c["code"]: Clock(
                code=c["code"],
                name=c["name"],
                applies_to=c["applies_to"],
                start_event=c["start_event"],
                days=int(c["days"]),
                day_type=c["day_type"],
                article=c["article"],
                verification=c["verification"],
            )
            for c in e["clock"]
        }
        out.append(ClockEdition(e["id"], e["valid_from"], e["source"], int(e["warn_working_days"]), clocks))
    return tuple(sorted(out, key=lambda r: r.valid_from))


def clock_edition_in_force(on: dt.date, editions: Sequence[ClockEdition] | None = None) -> ClockEdition:
    """The edition in force on the day of receipt. A day before the first edition is outside the
    rules' coverage: a LookupError with a sentence a user can act on, never a guess."""
    editions = load_clock_editions() if editions is None else editions
    applicable = [e for e in editions if e.valid_from <= on]
    if not applicable:
        first = editions[0].valid_from if editions else None
        raise LookupError(
            _("%(on)s 收到的投诉举报不在时限规则范围内（规则自 %(first)s 起施行），请核对收到日期")
            % {"on": on, "first": first}
        )
    return applicable[-1]


def due_date(clock: Clock, start: dt.date, add_working_days: Callable[[dt.date, int], dt.date]) -> dt.date:
    """The day a clock runs out, counted from the day of its starting event (working days through
    the one calendar: 《民法典》第二百零一条, the first day not counted)."""
    if clock.day_type == "working":
        return add_working_days(start, clock.days)
    if clock.day_type == "calendar":
        return start + dt.timedelta(days=clock.days)
    raise ValueError(f"{clock.code}: unknown day type {clock.day_type}")


class ClockState:
    OPEN = "open"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    MET = "met"
    LATE = "late"


def clock_state(
    *, due: dt.date, done_on: dt.date | None, today: dt.date, working_days_left: int, warn: int
) -> str:
    """A clock's state: met or late once its act is done, else open, due soon or overdue."""
    if done_on is not None:
        return ClockState.MET if done_on <= due else ClockState.LATE
    if today > due:
        return ClockState.OVERDUE
    if working_days_left <= warn:
        return ClockState.DUE_SOON
    return ClockState.OPEN


# -- not accepting a complaint (第十五条) and ending mediation (第二十一条) ---------------------------

NOT_ACCEPTED_GROUNDS: dict[str, tuple[str, str]] = {
    "not_our_duty": ("投诉事项不属于市场监督管理部门职责，或者本机关不具有处理权限", "第十五条第（一）项"),
    "already_handled": (
        "法院、仲裁机构、行政机关、消费者协会或者其他调解组织已经受理或者处理过同一争议",
        "第十五条第（二）项",
    ),
    "not_consumer": (
        "不是为生活消费需要，或者不能证明与被投诉人之间存在消费者权益争议",
        "第十五条第（三）项",
    ),
    "time_barred": ("投诉人知道或者应当知道权益受到侵害之日起超过三年", "第十五条第（四）项"),
    "materials_missing": ("未提供第九条第一款和第十条规定的材料", "第十五条第（五）项"),
    "other_law": ("法律、法规、规章规定不予受理的其他情形", "第十五条第（六）项"),
}

MEDIATION_END_GROUNDS: dict[str, tuple[str, str]] = {
    "withdrawn": ("投诉人撤回投诉或者双方自行和解", "第二十一条第一款第（一）项"),
    "testing_disagreement": ("对检验鉴定机构或者费用无法协商一致", "第二十一条第一款第（二）项"),
    "refused": ("一方无正当理由不参加调解，或者被投诉人明确拒绝调解", "第二十一条第一款第（三）项"),
    "no_agreement": ("一方明确表示无法达成调解协议", "第二十一条第一款第（四）项"),
    "time_out": ("自受理之日起四十五个工作日内未能达成调解协议", "第二十一条第一款第（五）项"),
    "inadmissible": ("受理后发现存在第十五条规定情形", "第二十一条第一款第（六）项"),
    "other_law": ("法律、法规、规章规定应当终止调解的其他情形", "第二十一条第一款第（七）项"),
}

# 第十五条第（四）项: three years from the day the complainant knew or should have known.
LIMITATION_YEARS = 3


def time_barred(*, known_on: dt.date | None, received_on: dt.date) -> bool:
    """True when more than three years passed between the day the complainant knew of the harm
    and the day the complaint was received (第十五条第（四）项). Unknown: not barred."""
    if known_on is None:
        return False
    try:
        limit = known_on.replace(year=known_on.year + LIMITATION_YEARS)
    except ValueError:  # 29 February: the period ends on 28 February (民法典第二百零三条 by analogy)
        limit = known_on.replace(year=known_on.year + LIMITATION_YEARS, day=28)
    return received_on > limit


def materials_missing(
    *, kind: str, name: str, phone: str, address: str, business_name: str, facts: str
) -> list[str]:
    """What a complaint lacks of 第九条第一款 (the complainant's name, telephone and address; the
    business's name; the request and the facts). A report needs only a concrete lead (第二十四条)."""
    missing = []
    if kind == COMPLAINT:
        for label, value in (("投诉人姓名", name), ("电话号码", phone), ("通讯地址", address)):
            if not value.strip():
                missing.append(label)
    if not business_name.strip():
        missing.append("被投诉（举报）人名称")
    if not facts.strip():
        missing.append("投诉请求和争议事实" if kind == COMPLAINT else "涉嫌违法的具体线索")
    return missing


# -- routing ---------------------------------------------------------------------------------------


def town_from_address(address: str, towns: Mapping[str, str]) -> str | None:
    """The town whose name the address contains (the longest name wins: 北仓镇 before 北仓), or
    None when no town or more than one equally long name is named: then an officer routes it."""
    text = address.replace(" ", "")
    hits = [(len(name), code) for code, name in towns.items() if name and name in text]
    if not hits:
        return None
    hits.sort(reverse=True)
    if len(hits) > 1 and hits[0][0] == hits[1][0]:
        return None
    return hits[0][1]


# -- identity (第三十三条: the reporter's information is kept confidential) --------------------------


def mask_name(name: str) -> str:
    """张三 → 张*; 欧阳娜娜 → 欧阳**（复姓 kept when four characters or more); empty stays empty."""
    name = name.strip()
    if not name:
        return ""
    keep = 2 if len(name) >= 4 else 1
    return name[:keep] + "*" * max(1, len(name) - keep)


def mask_phone(phone: str) -> str:
    """13812345678 → 138****5678; a short number keeps only its last two digits."""
    digits = phone.strip()
    if not digits:
        return ""
    if len(digits) >= 7:
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    return "*" * max(0, len(digits) - 2) + digits[-2:]


def mask_text(text: str) -> str:
    """An ID number or an address: the first three and the last two characters kept."""
    text = text.strip()
    if len(text) <= 5:
        return "*" * len(text)
    return text[:3] + "*" * (len(text) - 5) + text[-2:]


# -- public participation ----------------------------------------------------------------------------

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


def voter_identity(text: str) -> str | None:
    """A mobile number (11 digits from 1) or a resident ID number (18 characters, GB 11643 check
    digit) in canonical form, or None when it is neither: one vote per phone or ID per round."""
    t = text.strip().replace(" ", "").replace("-", "").upper()
    if len(t) == 11 and t.isdigit() and t.startswith("1"):
        return "P" + t
    if len(t) == 18 and t[:17].isdigit():
        check = ID_CHECK[sum(int(c) * w for c, w in zip(t[:17], ID_WEIGHTS, strict=True)) % 11]
        if t[17] == check:
            return "I" + t
    return None


VOTES_PER_ADDRESS_PER_ROUND = 30  # a platform setting: a shared office or school network votes too

# The black list (区食安办 rule, local; not from a law): at least two adverse events of these kinds
# within the last 365 days. The red list: nominated by the office, and no adverse event in 730 days.
BLACK_LIST_KINDS = frozenset(
    {"complaint_upheld", "failed_supervisory_sample", "incident", "penalty_decision"}
)
BLACK_LIST_MIN_EVENTS = 2
BLACK_LIST_WINDOW_DAYS = 365
RED_LIST_CLEAN_DAYS = 730


def black_list_basis(events: list[tuple[str, dt.date]], on: dt.date) -> list[tuple[str, dt.date]]:
    """The events that put a business on the black list on `on` (empty when it does not qualify)."""
    start = on - dt.timedelta(days=BLACK_LIST_WINDOW_DAYS)
    hits = sorted((k, d) for k, d in events if k in BLACK_LIST_KINDS and start < d <= on)
    return hits if len(hits) >= BLACK_LIST_MIN_EVENTS else []


def red_list_blocked_by(events: list[tuple[str, dt.date]], on: dt.date) -> list[tuple[str, dt.date]]:
    """Adverse events within RED_LIST_CLEAN_DAYS before `on` that keep a business off the red list."""
    start = on - dt.timedelta(days=RED_LIST_CLEAN_DAYS)
    return sorted((k, d) for k, d in events if k in BLACK_LIST_KINDS and start < d <= on)


def satisfaction_rate(satisfied: int, sample: int) -> float | None:
    return None if sample <= 0 else satisfied / sample * 100
