"""The indicator registry. Each module declares its indicators in its own `indicators.py`
(numerator, denominator, factor, scope by region); planning and metrics bind targets to them by
code and compute them. Nothing here imports a higher layer: modules register themselves."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        start = dt.date(year, 3 * quarter - 2, 1)
        end = (
            dt.date(year, 12, 31)
            if quarter == 4
            else dt.date(year, 3 * quarter + 1, 1) - dt.timedelta(days=1)
        )
        return cls(start, end)


@dataclass(frozen=True)
class IndicatorResult:
    """numerator / denominator × factor, overall and per region. `missing` when the platform holds
    no data for it yet: shown as missing, never invented."""

    numerator: Decimal
    denominator: Decimal | None
    factor: Decimal
    by_region: Mapping[str, tuple[Decimal, Decimal | None]] = field(default_factory=dict)
    missing: bool = False
    note: str = ""

    @property
    def value(self) -> Decimal | None:
        return ratio(self.numerator, self.denominator, self.factor, self.missing)

    def region_value(self, code: str) -> Decimal | None:
        if self.missing or code not in self.by_region:
            return None
        num, den = self.by_region[code]
        return ratio(num, den, self.factor, False)


def ratio(num: Decimal, den: Decimal | None, factor: Decimal, missing: bool) -> Decimal | None:
    if missing:
        return None
    if den is None:
        return num * factor
    if den == 0:
        return None
    return num / den * factor


Compute = Callable[[Period, frozenset[str] | None], IndicatorResult]


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    unit: str
    module: str
    description: str
    compute: Compute
    factor: Decimal = Decimal(1)
    # URL name of the page listing the records behind the figure (drill-down), if any.
    records_url: str = ""


_REGISTRY: dict[str, Indicator] = {}


def register(indicator: Indicator) -> Indicator:
    _REGISTRY[indicator.code] = indicator
    return indicator


def get(code: str) -> Indicator | None:
    return _REGISTRY.get(code)


def all_indicators() -> list[Indicator]:
    return sorted(_REGISTRY.values(), key=lambda i: i.code)


def compute(code: str, period: Period, regions: Iterable[str] | None = None) -> IndicatorResult:
    """Compute a registered indicator; an unknown code is reported missing, not an error, because
    a plan may bind a target to an indicator whose module is not installed yet."""
    indicator = _REGISTRY.get(code)
    scope = frozenset(regions) if regions is not None else None
    if indicator is None:
        return IndicatorResult(Decimal(0), None, Decimal(1), missing=True, note=f"指标 {code} 尚无数据来源")
    return indicator.compute(period, scope)
