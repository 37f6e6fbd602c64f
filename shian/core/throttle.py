"""Failed logins per address, across usernames. django-axes locks an account at one address after
five failures; someone trying one password on each of many accounts from one address never meets
that lock. This backend, placed before axes, refuses any login from an address with too many
failures (counted from axes's own records) within the cool-off period, answered by the same
locked-out page (429)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from axes.backends import AxesBackendPermissionDenied
from axes.helpers import get_client_ip_address
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest
from django.utils import timezone


def address_failures(ip: str, *, now: dt.datetime | None = None) -> int:
    since = (now or timezone.now()) - dt.timedelta(hours=float(settings.AXES_COOLOFF_TIME))
    total = AccessAttempt.objects.filter(ip_address=ip, attempt_time__gte=since).aggregate(
        n=Sum("failures_since_start")
    )["n"]
    return int(total or 0)


class AddressThrottleBackend:
    """An authentication backend that authenticates no one: it only stops the flow for an address
    over SHIAN_LOGIN_ADDRESS_FAILURE_LIMIT failures."""

    def authenticate(self, request: HttpRequest | None, **credentials: Any) -> None:
        if request is None:
            return None
        ip = get_client_ip_address(request)
        if ip and address_failures(ip) >= settings.SHIAN_LOGIN_ADDRESS_FAILURE_LIMIT:
            request.axes_locked_out = True  # type: ignore[attr-defined]  # read by AxesMiddleware
            raise AxesBackendPermissionDenied("too many failed logins from this address")
        return None

    def get_user(self, user_id: Any) -> None:
        return None
