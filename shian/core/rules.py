"""Pure rules of the core layer: code validators and working-day arithmetic.

No Django import here. Every function names the standard or article it implements.
"""

from __future__ import annotations

import operator
import re
import string
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext as _

# --------------------------------------------------------------------------------------------
# Normalisation shared by every code field.


def normalise_code(raw: object) -> str:
    """Canonical form of a typed or pasted code: NFKC (full-width to half-width), no spaces, upper case.

    People copy codes from Word and PDF files, which brings full-width characters
    (ＡＢＣ１２３), non-breaking and ideographic spaces and lower case with them.
    """
    text = "" if raw is None else str(raw)
    text = unicodedata.normalize("NFKC", text)
    return "".join(text.split()).upper()


class CodeError(ValueError):
    """A code is malformed; the message says why, in a sentence a user can act on."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


# --------------------------------------------------------------------------------------------
# GB/T 2260 administrative division codes.

# Province-level prefixes of GB/T 2260 (11 Beijing … 65 Xinjiang, 71 Taiwan, 81 Hong Kong, 82 Macao).
PROVINCE_PREFIXES = frozenset(
    [
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
    ]
)


def validate_division_code(raw: object) -> str:
    """A 6-digit county-level code (GB/T 2260) or a 9-digit township code (GB/T 10114 extension).

    Returns the canonical code; raises CodeError when malformed.
    """
    code = normalise_code(raw)
    if len(code) not in (6, 9, 12) or not code.isdigit():
        raise CodeError("division_length", _("行政区划代码应为6位、9位或12位数字"))
    if code[:2] not in PROVINCE_PREFIXES:
        raise CodeError(
            "division_province", _("行政区划代码的省级代码“%(value)s”不存在") % {"value": code[:2]}
        )
    return code


def township_kind(code: str) -> str:
    """Kind of a 9-digit township code by its 7th–9th digits (统计用区划代码编制规则, GB/T 10114-2003 §4):

    001–099 street (街道), 100–199 town (镇), 200–399 township (乡),
    400–599 township-level units such as development zones and farms.
    """
    serial = int(code[6:9])
    if 1 <= serial <= 99:
        return "street"
    if 100 <= serial <= 199:
        return "town"
    if 200 <= serial <= 399:
        return "township"
    if 400 <= serial <= 499:
        return "zone"
    if 500 <= serial <= 599:
        return "farm"
    raise CodeError("township_serial", _("乡级区划代码“%(code)s”的第7至9位不在编码范围内") % {"code": code})


# --------------------------------------------------------------------------------------------
# GB 32100-2015 unified social credit code (统一社会信用代码) and GB 11714-1997 organisation code.

# GB 32100-2015 §4.3: the code uses digits and upper-case letters except I, O, Z, S, V.
USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {ch: i for i, ch in enumerate(USCC_CHARSET)}
_USCC_SET = frozenset(USCC_CHARSET)
# GB 32100-2015 §5 (check character): weights W_i = 3^(i-1) mod 31 for positions 1..17.
USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
# GB 32100-2015 §4.1: registration-administration department codes (1 编制, 5 民政, 9 工商, Y 其他, …).
USCC_AUTHORITIES = frozenset("123456789ANY")
# GB 11714-1997 §5: weights for the 8-character body of the organisation code.
ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


# GB 11714-1997 §5: a digit is its value, a letter A–Z is 10–35.
_ORG_VALUE = {
    ch: (int(ch) if ch.isdigit() else ord(ch) - ord("A") + 10)
    for ch in string.digits + string.ascii_uppercase
}
_ORG_CHECK = {10: "X", 11: "0"}


def uscc_check_character(body17: str) -> str:
    """The 18th character of a unified social credit code (GB 32100-2015 §5, modulo 31)."""
    if len(body17) != 17:
        raise ValueError("the body of a credit code has 17 characters")
    total = sum(map(operator.mul, map(_USCC_VALUE.__getitem__, body17), USCC_WEIGHTS))
    return USCC_CHARSET[(31 - total % 31) % 31]


def org_code_check_character(body8: str) -> str:
    """Check character of an organisation code (GB 11714-1997 §5, modulo 11; 10 is written X)."""
    if len(body8) != 8:
        raise ValueError("the body of an organisation code has 8 characters")
    remainder = 11 - sum(map(operator.mul, map(_ORG_VALUE.__getitem__, body8), ORG_CODE_WEIGHTS)) % 11
    return _ORG_CHECK.get(remainder) or str(remainder)


def validate_credit_code(raw: object) -> str:
    """Validate a unified social credit code (GB 32100-2015) and return its canonical form.

    Checks, in the order a clerk would fix them: length 18, allowed characters (no I, O, Z, S, V),
    the registration-authority code, the division code (positions 3–8), the embedded
    organisation code's check character (positions 9–17, GB 11714), and the final check character.
    """
    code = normalise_code(raw)
    if len(code) != 18:
        raise CodeError(
            "uscc_length", _("统一社会信用代码应为18位，实际为%(count)s位") % {"count": len(code)}
        )
    bad = [ch for ch in code if ch not in _USCC_VALUE] if not _USCC_SET.issuperset(code) else None
    if bad:
        raise CodeError(
            "uscc_charset",
            _("统一社会信用代码含不允许的字符“%(value)s”（不使用I、O、Z、S、V）") % {"value": bad[0]},
        )
    if code[0] not in USCC_AUTHORITIES:
        raise CodeError(
            "uscc_authority", _("统一社会信用代码第1位登记管理部门代码“%(value)s”无效") % {"value": code[0]}
        )
    if not code[2:8].isdigit() or code[2:4] not in PROVINCE_PREFIXES:
        raise CodeError(
            "uscc_division", _("统一社会信用代码第3至8位行政区划代码“%(value)s”无效") % {"value": code[2:8]}
        )
    if org_code_check_character(code[8:16]) != code[16]:
        raise CodeError("uscc_org_check", _("统一社会信用代码第9至17位组织机构代码的校验码错误"))
    if uscc_check_character(code[:17]) != code[17]:
        raise CodeError("uscc_check", _("统一社会信用代码第18位校验码错误"))
    return code


def make_credit_code(*, authority: str, kind: str, division: str, org_body: str) -> str:
    """Build a valid credit code from its parts (for demo data and tests)."""
    body = authority + kind + division + org_body + org_code_check_character(org_body)
    return body + uscc_check_character(body)


# --------------------------------------------------------------------------------------------
# Food licence numbers.


def validate_production_licence(raw: object) -> str:
    """Food production licence number: "SC" + 14 digits (《食品生产许可管理办法》2020, article on the licence number; article number unverified).

    The digits are: 3 food category (first digit 1 food, 2 food additive), 2 province, 2 city,
    2 county, 4 serial, 1 check. The check-digit algorithm is not published, so it is not verified.
    """
    code = normalise_code(raw)
    if not code.startswith("SC"):
        raise CodeError("sc_prefix", _("食品生产许可证编号应以SC开头"))
    digits = code[2:]
    if len(digits) != 14 or not digits.isdigit():
        raise CodeError("sc_digits", _("食品生产许可证编号应为SC加14位阿拉伯数字"))
    if digits[0] not in "12":
        raise CodeError("sc_category", _("食品生产许可证编号第1位数字应为1（食品）或2（食品添加剂）"))
    if digits[3:5] not in PROVINCE_PREFIXES:
        raise CodeError(
            "sc_province", _("食品生产许可证编号中的省级代码“%(value)s”不存在") % {"value": digits[3:5]}
        )
    return code


def validate_business_licence(raw: object) -> str:
    """Food business licence number: "JY" + 14 digits (《食品经营许可和备案管理办法》2023, article on the licence number; article number unverified).

    The digits are: 1 business kind (1 seller, 2 catering, 3 unit canteen), 2 province, 2 city,
    2 county, 6 serial, 1 check. The check-digit algorithm is not published, so it is not verified.
    """
    code = normalise_code(raw)
    if not code.startswith("JY"):
        raise CodeError("jy_prefix", _("食品经营许可证编号应以JY开头"))
    digits = code[2:]
    if len(digits) != 14 or not digits.isdigit():
        raise CodeError("jy_digits", _("食品经营许可证编号应为JY加14位阿拉伯数字"))
    if digits[0] not in "123":
        raise CodeError("jy_kind", _("食品经营许可证编号第1位数字应为1、2或3（主体业态）"))
    if digits[1:3] not in PROVINCE_PREFIXES:
        raise CodeError(
            "jy_province", _("食品经营许可证编号中的省级代码“%(value)s”不存在") % {"value": digits[1:3]}
        )
    return code


# --------------------------------------------------------------------------------------------
# Working days.

WorkdayTest = Callable[[date], bool]


@dataclass(frozen=True)
class Deadline:
    """A deadline counted in working days, with whether the calendar it used was official."""

    start: date
    working_days: int
    due: date
    provisional: bool  # True when a date in the span lay beyond the official holiday data


def provisional_note(year: int) -> str:
    """What a provisional deadline says: the year's official holiday arrangement is not loaded, so
    the count used Monday to Friday (load the State Council's notice with `shian calendar load`)."""
    return f"尚无{year}年的节假日安排（国务院通知未载入），按周一至周五暂计，以正式安排为准"


@dataclass(frozen=True)
class HolidayYear:
    """One year's official holiday arrangement (国务院办公厅关于YYYY年部分节假日安排的通知): the
    days off that fall on weekdays and the make-up working days on weekends; every other day of
    the year follows Monday to Friday."""

    year: int
    source: str
    rest_days: tuple[tuple[date, str], ...]  # (day, holiday name)
    work_days: tuple[tuple[date, str], ...]  # (day, make-up for which holiday)


class HolidayFileError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("；".join(problems))
        self.problems = problems


def _day_list(raw: object, where: str, problems: list[str]) -> list[date]:
    if not isinstance(raw, list) or not all(isinstance(d, date) for d in raw):
        problems.append(f"{where}：应为日期列表（如 [2027-10-01, 2027-10-02]）")
        return []
    return list(raw)


def parse_holiday_year(text: str) -> HolidayYear:
    """A holiday file (TOML) checked: its year and source, each holiday's days off and make-up
    working days inside the year (a make-up day may fall in the last days of the year before),
    no day both off and working, days off on weekdays or weekends, make-up days on weekends only.
    Every fault is listed; nothing is loaded from a faulty file."""
    import tomllib

    problems: list[str] = []
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise HolidayFileError([_("文件不是有效的TOML：%(exc)s") % {"exc": exc}]) from None
    year = data.get("year")
    source = data.get("source", "")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise HolidayFileError([_("缺少“year”（2000–2100 的整数）")])
    if not isinstance(source, str) or not source.strip():
        problems.append("缺少“source”：写明国务院办公厅通知的名称和文号")
    rest: list[tuple[date, str]] = []
    work: list[tuple[date, str]] = []
    holidays = data.get("holiday", [])
    if not isinstance(holidays, list) or not holidays:
        problems.append("没有任何 [[holiday]]")
        holidays = []
    for i, h in enumerate(holidays, start=1):
        name = str(h.get("name", "")).strip() if isinstance(h, dict) else ""
        where = f"第{i}个节日（{name or '?'}）"
        if not name:
            problems.append(f"{where}：缺少“name”")
        if not isinstance(h, dict):
            continue
        for d in _day_list(h.get("off", []), f"{where}“off”", problems):
            if d.year != year:
                problems.append(f"{where}：放假日 {d} 不在 {year} 年")
            rest.append((d, name))
        for d in _day_list(h.get("work", []), f"{where}“work”", problems):
            if d.year not in (year, year - 1):
                problems.append(f"{where}：调休上班日 {d} 不在 {year} 年（或上年末）")
            elif d.weekday() < 5:
                problems.append(f"{where}：调休上班日 {d} 是工作日（应为周六或周日）")
            work.append((d, name))
    both = {d for d, _ in rest} & {d for d, _ in work}
    for d in sorted(both):
        problems.append(f"{d} 既是放假日又是调休上班日")
    seen: set[date] = set()
    for d, _kind in rest + work:
        if d in seen and d not in both:
            problems.append(f"{d} 重复出现")
        seen.add(d)
    if problems:
        raise HolidayFileError(problems)
    return HolidayYear(
        year=year, source=source.strip(), rest_days=tuple(sorted(rest)), work_days=tuple(sorted(work))
    )


def add_working_days(start: date, working_days: int, is_workday: WorkdayTest) -> date:
    """The date on which a period of `working_days` working days, starting on `start`, ends.

    The start day itself is not counted (《民法典》第二百零一条: 开始的当日不计入，自下一日开始计算),
    and only working days count, so a period that would end on a rest day ends on the next working
    day (第二百零三条). `is_workday` encodes public holidays and make-up working days.
    A period of 0 working days ends on the start day.
    """
    if working_days < 0:
        raise ValueError("working_days must not be negative")
    day = start
    remaining = working_days
    while remaining:
        day += timedelta(days=1)
        if is_workday(day):
            remaining -= 1
    return day


def working_days_between(start: date, end: date, is_workday: WorkdayTest) -> int:
    """How many working days lie after `start` up to and including `end` (negative when end < start)."""
    if end < start:
        return -working_days_between(end, start, is_workday)
    count = 0
    day = start
    while day < end:
        day += timedelta(days=1)
        if is_workday(day):
            count += 1
    return count


def weekday_is_workday(day: date) -> bool:
    """Fallback when no official data covers a date: Monday to Friday."""
    return day.weekday() < 5


# ---------------------------------------------------------------------------------------------
# Text fields: one check for forms, the API, imports and the last line before the database.

# C0 controls and DEL (a NUL ends a string in C code, an ESC drives a terminal, a form feed breaks
# an export), the C1 controls, and the Unicode line and paragraph separators; tab, line feed and
# carriage return are text in a multi-line field.
_CONTROL_SINGLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL_MULTI = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")


def text_problem(value: str, *, max_length: int | None = None, multiline: bool = False) -> str | None:
    """Why a text cannot be stored (too long, or a control character, named by its code point and
    position), or None when it can."""
    if max_length is not None and len(value) > max_length:
        return f"不能超过{max_length}个字符（现为{len(value)}个）"
    bad = (_CONTROL_MULTI if multiline else _CONTROL_SINGLE).search(value)
    if bad is not None:
        return f"含有控制字符 U+{ord(bad.group()):04X}（第{bad.start() + 1}个字符）"
    return None
