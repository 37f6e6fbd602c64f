"""`shian import businesses FILE [--dry-run] [--user USERNAME] [--report-xlsx OUT.xlsx]`.

Exit 0 when the file is good (and written, unless --dry-run); exit 1 when it is not, with every
problem located on stderr and nothing written. Without --user the import runs as the system
(every town, no permission check); either way it is audited as coming from the command line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from shian.core.models import AuditSource
from shian.registry.imports import business_import, import_error_workbook
from shian.registry.management import command_user


class Command(BaseCommand):
    help = "Import the food-business register from an xlsx or csv file with Chinese headers (all or nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["businesses"])
        parser.add_argument("file", help="xlsx or csv (UTF-8, UTF-8 with BOM, or GBK)")
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")
        parser.add_argument("--user", help="username of the acting user (default: the system)")
        parser.add_argument("--report-xlsx", help="write an xlsx listing the problems, bad cells marked red")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(
                _("无法读取文件 %(path)s：%(strerror)s") % {"path": path, "strerror": exc.strerror}
            ) from None
        actor = command_user(options["user"])
        try:
            report = business_import(
                actor=actor,
                source=AuditSource.COMMAND,
                filename=path.name,
                content=content,
                dry_run=options["dry_run"],
            )
        except PermissionDenied:
            raise CommandError(_("用户“%(user)s”没有导入登记簿的权限") % {"user": options["user"]}) from None
        if options["report_xlsx"]:
            Path(options["report_xlsx"]).write_bytes(
                import_error_workbook(report=report, filename=path.name, content=content)
            )
        if report.ok:
            verb = "检查通过（试运行，未写入）：将" if report.dry_run else "导入完成："
            self.stdout.write(
                f"{verb}新增{report.created}条，更新{report.updated}条，未变{report.unchanged}条"
                f"（共{report.rows}行）"
            )
            return
        for line in report.lines():
            self.stderr.write(line)
        self.stderr.write(f"共{report.issue_count}个问题，未写入任何数据。")
        raise SystemExit(1)
