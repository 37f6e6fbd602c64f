"""`shian import businesses` and `shian export businesses`: exit codes, messages, audit source."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from shian.core.models import AuditEntry, AuditSource
from shian.core.tests.factories import TOWN_A, TOWN_B
from shian.registry.imports import IMPORT_HEADERS, IMPORT_OBJECT_TYPE
from shian.registry.models import Business
from shian.registry.services import OBJECT_TYPE

from .factories import make_business
from .test_imports import row, xlsx_bytes


def run_import(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import", "businesses", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def write(tmp_path: Path, rows: list, name: str = "register.xlsx") -> str:
    path = tmp_path / name
    path.write_bytes(xlsx_bytes(rows))
    return str(path)


def test_import_command_writes_a_good_file_and_prints_the_counts(db, tmp_path):
    path = write(tmp_path, [IMPORT_HEADERS, row(), row()])

    out, err = run_import(path)

    assert "新增2条" in out and "更新0条" in out and "未变0条" in out
    assert err == ""
    assert Business.objects.count() == 2
    entries = AuditEntry.objects.filter(object_type__in=[OBJECT_TYPE, IMPORT_OBJECT_TYPE])
    assert set(entries.values_list("source", "actor_username")) == {(AuditSource.COMMAND, "system")}

    out, _err = run_import(path)
    assert "新增0条，更新0条，未变2条" in out


def test_import_command_exits_1_with_located_lines_on_a_bad_file(db, tmp_path):
    path = write(tmp_path, [IMPORT_HEADERS, row(), row(credit_code="91120113MA05K3T1X9")])
    out, err = io.StringIO(), io.StringIO()

    with pytest.raises(SystemExit) as exit_info:
        call_command("import", "businesses", path, stdout=out, stderr=err)

    assert exit_info.value.code == 1
    lines = err.getvalue().splitlines()
    assert lines[0].startswith("第3行 第B列（统一社会信用代码）值“91120113MA05K3T1X9”：")
    assert "共1个问题，未写入任何数据" in lines[-1]
    assert Business.objects.count() == 0


def test_dry_run_writes_nothing(db, tmp_path):
    path = write(tmp_path, [IMPORT_HEADERS, row()])
    out, _err = run_import(path, "--dry-run")
    assert "试运行" in out and "新增1条" in out
    assert Business.objects.count() == 0
    assert AuditEntry.objects.filter(object_type__in=[OBJECT_TYPE, IMPORT_OBJECT_TYPE]).count() == 0


def test_user_option_applies_that_users_scope(personas, tmp_path):
    personas("town_a_officer")
    path = write(tmp_path, [IMPORT_HEADERS, row(region_code=TOWN_B)])
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command(
            "import", "businesses", path, "--user", "town_a_officer", stderr=err, stdout=io.StringIO()
        )
    assert exit_info.value.code == 1
    assert "不在您的辖区内" in err.getvalue()

    run_import(write(tmp_path, [IMPORT_HEADERS, row(region_code=TOWN_A)]), "--user", "town_a_officer")
    entry = AuditEntry.objects.get(object_type=IMPORT_OBJECT_TYPE)
    assert (entry.actor_username, entry.source) == ("town_a_officer", AuditSource.COMMAND)


def test_user_option_refuses_unknown_users_and_missing_permission(personas, tmp_path):
    path = write(tmp_path, [IMPORT_HEADERS, row()])
    with pytest.raises(CommandError, match="不存在"):
        run_import(path, "--user", "nobody")
    personas("inspector")
    with pytest.raises(CommandError, match="没有导入登记簿的权限"):
        run_import(path, "--user", "inspector")
    with pytest.raises(CommandError, match="无法读取文件"):
        run_import(str(tmp_path / "missing.xlsx"))


def test_report_xlsx_marks_the_bad_cells(db, tmp_path):
    path = write(tmp_path, [IMPORT_HEADERS, row(region_code="火星镇")])
    report = tmp_path / "report.xlsx"
    with pytest.raises(SystemExit):
        call_command(
            "import",
            "businesses",
            path,
            "--report-xlsx",
            str(report),
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    cell = openpyxl.load_workbook(report)["原始数据"]["H2"]
    assert cell.value == "火星镇"
    assert cell.comment is not None and "火星镇" in cell.comment.text


def test_export_command_with_and_without_user(personas, tmp_path):
    make_business(region_code=TOWN_A, name="果园新村的餐厅")
    make_business(region_code=TOWN_B, name="天穆镇的餐厅", status="suspended")
    personas("town_a_officer")

    out = io.StringIO()
    call_command("export", "businesses", str(tmp_path / "all.xlsx"), stdout=out)
    assert "已导出2条" in out.getvalue()

    call_command(
        "export", "businesses", str(tmp_path / "a.xlsx"), "--user", "town_a_officer", stdout=io.StringIO()
    )
    names = [
        r[0] for r in openpyxl.load_workbook(tmp_path / "a.xlsx").worksheets[0].iter_rows(values_only=True)
    ]
    assert names == ["名称", "果园新村的餐厅"]

    call_command(
        "export",
        "businesses",
        str(tmp_path / "s.xlsx"),
        "--region",
        "天穆镇",
        "--status",
        "停业",
        "--type",
        "餐饮",
        stdout=out,
    )
    assert "已导出1条" in out.getvalue().splitlines()[-1]
    with pytest.raises(CommandError, match="不在可选范围内"):
        call_command("export", "businesses", str(tmp_path / "x.xlsx"), "--type", "火箭", stdout=out)

    sources = set(AuditEntry.objects.filter(object_type="registry.export").values_list("source", flat=True))
    assert sources == {AuditSource.COMMAND}


def test_shian_console_command_exit_code(tmp_path):
    """The real console entry point (`python -m shian import businesses …`) exits 1 on a bad file.
    The header is refused before the database is read, so the child needs no migrated database."""
    path = write(tmp_path, [[*IMPORT_HEADERS, "备注"], [*row(), "x"]])
    env = {
        **os.environ,
        "SHIAN_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'child.sqlite3'}",
    }
    result = subprocess.run(  # noqa: S603 -- our own interpreter and module, a temporary file
        [sys.executable, "-m", "shian", "import", "businesses", path, "--dry-run"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )
    assert result.returncode == 1, result.stderr
    assert "第1行 第Q列（备注）值“备注”：表头无法识别" in result.stderr
