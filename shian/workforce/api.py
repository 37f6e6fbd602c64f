"""The workforce API: records of every kind (core.unitrecords_api)."""

from __future__ import annotations

from shian.core.unitrecords_api import make_router

from .kinds import KINDS

router = make_router(KINDS, tag="workforce")
