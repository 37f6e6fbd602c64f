"""Deployment checks of the platform's own (`shian check --deploy`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register

# Keys seen in examples, tutorials and generated projects: never a production key.
KNOWN_KEYS = frozenset({"changeme", "change-me", "secret", "secret-key", "dev", "development", "test"})
MIN_LENGTH = 50
MIN_DISTINCT = 5


@register(Tags.security, deploy=True)
def secret_key_strength(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """Django only warns of a weak SECRET_KEY (security.W009), so a one-character key passed
    `check --deploy`; here it is an error: at least 50 characters, 5 of them distinct, not a
    well-known or generated-for-development key."""
    key = str(getattr(settings, "SECRET_KEY", "") or "")
    weak = (
        len(key) < MIN_LENGTH
        or len(set(key)) < MIN_DISTINCT
        or key.startswith("django-insecure")
        or key.lower() in KNOWN_KEYS
    )
    if not weak:
        return []
    return [
        Error(
            f"SHIAN_SECRET_KEY is too weak: it needs at least {MIN_LENGTH} characters, "
            f"{MIN_DISTINCT} of them distinct, and must not be a well-known value.",
            hint="Set SHIAN_SECRET_KEY to a long random value, e.g. python -c 'import secrets; print(secrets.token_urlsafe(50))'",
            id="shian.E001",
        )
    ]
