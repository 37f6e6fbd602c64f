"""`shian export businesses OUT.xlsx [--q ... --region ... --type ... --status ... --category ...
--scale ...] [--user USERNAME]`.

With --user the export holds what that user may see; without it, it is a system export of the
whole register. Both are audited as coming from the command line.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from shian.core.files import OutputError, atomic_output
from shian.core.models import AuditSource, Region
from shian.registry.exports import business_export_xlsx
from shian.registry.lookups import build_lookups
from shian.registry.management import command_user
from shian.registry.selectors import BusinessFilters


def _choice(value: str, table: Any, what: str) -> str:
    if not value:
        return ""
    found = table.get(value.strip().lower())
    if found is None:
        raise CommandError(_("%(what)s“%(value)s”不在可选范围内") % {"what": what, "value": value})
    return str(found)


class Command(BaseCommand):
    help = "Export the food-business register to xlsx with Chinese headers (re-importable)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["businesses"])
        parser.add_argument("file", help="the xlsx file to write")
        parser.add_argument("--q", default="", help="name contains, or a code starts with")
        parser.add_argument("--region", default="", help="town or street: code or name")
        parser.add_argument("--type", default="", help="business type: value or label")
        parser.add_argument("--status", default="", help="status: value or label")
        parser.add_argument("--category", default="", help="food category: code or name")
        parser.add_argument("--scale", default="", help="scale: value or label")
        parser.add_argument("--user", help="username of the reading user (default: the whole register)")

    def handle(self, *args: Any, **options: Any) -> None:
        lookups = build_lookups(None)
        region = options["region"].strip()
        if region:
            found = Region.objects.filter(code=region).first() or Region.objects.filter(name=region).first()
            if found is None:
                raise CommandError(_("所属镇街“%(region)s”不存在") % {"region": region})
            region = found.code
        filters = BusinessFilters(
            q=options["q"].strip(),
            region=region,
            business_type=_choice(options["type"], lookups.business_types, "业态"),
            status=_choice(options["status"], lookups.statuses, "状态"),
            category=_choice(options["category"], lookups.categories, "食品类别"),
            scale=_choice(options["scale"], lookups.scales, "规模"),
        )
        user = command_user(options["user"])
        try:
            # The workbook appears under its name only when whole: a kill or a full disk half-way
            # leaves no truncated file (and no audit entry: that is written after the file).
            with atomic_output(options["file"]) as tmp:
                rows = business_export_xlsx(
                    user=user,
                    filters=filters,
                    out=str(tmp),
                    system=user is None,
                    source=AuditSource.COMMAND,
                )
        except PermissionDenied:
            raise CommandError(_("用户“%(user)s”没有导出登记簿的权限") % {"user": options["user"]}) from None
        except OutputError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"已导出{rows}条经营主体 → {options['file']}")
