"""Checks of the persons a licence application names, and how their id numbers are kept.

The register sits below the evidence modules and never imports them. A module that records bans on
persons (enforcement: 《食品安全法》第一百三十五条) registers a provider here in its
AppConfig.ready(); the application's service asks every provider for the bans recorded on the
named persons and judges them with `rules.bans_blocking`.

An id number is kept only as `person_key` (an HMAC with the site's secret key, as the public vote
keeps its voters' numbers) and in masked form.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Callable, Iterable

from django.conf import settings

from .rules import BanRecord, NamedPerson

BanProvider = Callable[[list[NamedPerson], dt.date], Iterable[BanRecord]]

_PROVIDERS: dict[str, BanProvider] = {}


def register(name: str, provider: BanProvider) -> BanProvider:
    _PROVIDERS[name] = provider
    return provider


def providers() -> dict[str, BanProvider]:
    return dict(_PROVIDERS)


def normalise_id(number: str) -> str:
    return "".join(number.split()).upper()


def person_key(id_number: str) -> str:
    """The keyed hash of an id number ("" for none)."""
    number = normalise_id(id_number)
    if not number:
        return ""
    return hmac.new(settings.SECRET_KEY.encode(), f"person|{number}".encode(), hashlib.sha256).hexdigest()


def bans_for(persons: list[NamedPerson], *, on: dt.date) -> list[BanRecord]:
    """Every ban any provider recorded on these persons (by name or id key); the caller judges."""
    out: list[BanRecord] = []
    for provider in _PROVIDERS.values():
        out.extend(provider(persons, on))
    return out
