"""Per-user API tokens: created (shown once), used, revoked. Only a hash is stored."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.http import Http404
from django.utils import timezone

from .audit import AuditEvent, audit_record
from .models import ApiToken, AuditAction, User

TOKEN_PREFIX = "shian_"  # noqa: S105 — a public prefix that marks the string as a shian token, not a secret


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_create(*, user: User, name: str, source: str = "web") -> tuple[ApiToken, str]:
    """A new token for `user`; returns the record and the plaintext key, which is not kept."""
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name.strip()[:60] or "API", prefix=key[6:14], key_hash=_hash(key)
        )
        audit_record(
            actor=user,
            source=source,
            event=AuditEvent(
                action=AuditAction.TOKEN,
                object_type="core.apitoken",
                object_id=str(token.pk),
                object_repr=token.name,
                after={"name": token.name, "prefix": token.prefix, "revoked": False},
            ),
        )
    return token, key


def api_token_revoke(*, user: User, token_id: int, source: str = "web") -> ApiToken:
    """Revoke one of the user's own tokens (an administrator may revoke anyone's)."""
    with transaction.atomic():
        qs = ApiToken.objects.select_for_update()
        if not (user.is_superuser or user.role == "district_admin"):
            qs = qs.filter(user=user)
        try:
            token = qs.get(pk=token_id, revoked_at__isnull=True)
        except ApiToken.DoesNotExist:
            raise Http404 from None
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            actor=user,
            source=source,
            event=AuditEvent(
                action=AuditAction.TOKEN,
                object_type="core.apitoken",
                object_id=str(token.pk),
                object_repr=token.name,
                before={"revoked": False},
                after={"revoked": True},
            ),
        )
    return token


def api_token_authenticate(key: str) -> User | None:
    """The active user a presented key belongs to, or None."""
    if not key.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_hash(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    # Usage time is bookkeeping, not a change of record: not audited, at most once a minute.
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
