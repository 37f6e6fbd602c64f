"""Pure rules of food-safety incidents: the level an incident is graded at and the hours within
which it is reported, from versioned data in data/incidents.toml (each row naming its source and
whether it was read in an official text), and the cluster of foodborne-disease cases that calls for
an incident. No Django import."""

from __future__ import annotations

import datetime as dt
import functools
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

DATA_FILE = Path(__file__).resolve().parent / "data" / "incidents.toml"
BELOW_GRADING = "below"  # fewer harmed than level IV asks, no death: an event, not a graded incident


@dataclass(frozen=True)
class Level:
    code: str
    name: str
    when: tuple[dict[str, int], ...]
    article: str
    verification: str

    def holds(self, *, ill: int, deaths: int) -> bool:
        have = {"ill": ill, "deaths": deaths}
        return any(all(have[k] >= v for k, v in cond.items()) for cond in self.when)


@dataclass(frozen=True)
class Clock:
    code: str
    name: str
    hours: int
    start_event: str
    article: str
    verification: str


@dataclass(frozen=True)
class Edition:
    id: str
    valid_from: dt.date
    source: str
    levels: tuple[Level, ...]
    clocks: tuple[Clock, ...]


@functools.lru_cache(maxsize=4)  # the data file is read once per process
def load_editions(path: Path = DATA_FILE) -> tuple[Edition, ...]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    out = []
    for e in data["edition"]:
        levels = tuple(
            Level(lv["code"], lv["name"], tuple(lv["when"]), lv["article"], lv["verification"])
            for lv in e["level"]
        )
        clocks = tuple(
            Clock(c["code"], c["name"], int(c["hours"]), c["start_event"], c["article"], c["verification"])
            for c in e["clock"]
        )
        out.append(Edition(e["id"], e["valid_from"], e["source"], levels, clocks))
    return tuple(sorted(out, key=lambda x: x.valid_from))


def edition_in_force(on: dt.date, editions: Sequence[Edition] | None = None) -> Edition:
    editions = load_editions() if editions is None else editions
    applicable = [e for e in editions if e.valid_from <= on]
    if not applicable:
        first = editions[0].valid_from if editions else None
        raise LookupError(
            _("发病日期 %(on)s 早于事故分级规则的施行日期（%(first)s），请核对日期")
            % {"on": on, "first": first}
        )
    return applicable[-1]


def grade(*, ill: int, deaths: int, edition: Edition) -> Level | None:
    """The most serious level whose condition holds; None below level IV (no graded incident)."""
    if ill < 0 or deaths < 0 or deaths > ill:
        raise ValueError(_("发病人数和死亡人数应为非负整数，且死亡人数不超过发病人数"))
    for level in edition.levels:
        if level.holds(ill=ill, deaths=deaths):
            return level
    return None


def report_due(clock: Clock, known_at: dt.datetime) -> dt.datetime:
    """Hours run round the clock, holidays included (an emergency is not a working-day matter)."""
    return known_at + dt.timedelta(hours=clock.hours)


# -- foodborne-disease case reports (食品安全法第一百零四条) ------------------------------------------

CLUSTER_MIN_CASES = 2  # two or more cases linked to one place within the window: a suspected cluster
CLUSTER_WINDOW_DAYS = 3  # a platform setting (区食安办), not a legal threshold


def clusters(cases: Iterable[tuple[str, dt.date]]) -> list[tuple[str, dt.date, int]]:
    """Suspected clusters among (place key, onset date) case reports: places with at least
    CLUSTER_MIN_CASES onsets within CLUSTER_WINDOW_DAYS of each other, as (place, first onset,
    cases). A place is the business's id or the normalised place name."""
    by_place: dict[str, list[dt.date]] = {}
    for place, day in cases:
        if place:
            by_place.setdefault(place, []).append(day)
    out = []
    for place, days in sorted(by_place.items()):
        days.sort()
        best = (days[0], 1)
        for i, start in enumerate(days):
            n = sum(1 for d in days[i:] if (d - start).days <= CLUSTER_WINDOW_DAYS)
            if n > best[1]:
                best = (start, n)
        if best[1] >= CLUSTER_MIN_CASES:
            out.append((place, best[0], best[1]))
    return out


def per_100k(count: int, population: int) -> float | None:
    return None if population <= 0 else count / population * 100_000
