"""Helpers shared by the register's commands (`shian import`, `shian export`)."""

from __future__ import annotations

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from shian.core.models import User


def command_user(username: str | None) -> User | None:
    """The acting user named by --user; None (the system) when no name is given."""
    if not username:
        return None
    try:
        user = User.objects.get(username=username)
    except User.DoesNotExist:
        raise CommandError(_("用户“%(username)s”不存在") % {"username": username}) from None
    if not user.is_active:
        raise CommandError(_("用户“%(username)s”已停用") % {"username": username})
    return user
