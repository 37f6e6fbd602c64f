"""`shian backup` while the server writes, and `shian restore` of that backup: the restored
database's audit chain is whole and every table holds the rows the backup's manifest counted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

WRITER = """
import django, sys
django.setup()
from shian.core.models import AuditSource
from shian.registry import services
from shian.registry.tests.factories import business_input
for n in range(int(sys.argv[1])):
    services.business_bulk_upsert(actor=None, source=AuditSource.SYSTEM, data=[business_input(name=f"写入中餐厅{n}")], check_permission=False)
    if n == 5:
        open(sys.argv[2], "w").close()
"""


def _env(tmp_path, name: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "shian.settings",
        "SHIAN_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / name}",
    }


def _shian(tmp_path, name: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - this interpreter, the test's own arguments
        [sys.executable, "-m", "shian", *args],
        env=_env(tmp_path, name),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.mark.skipif(os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="the SQLite path")
def test_a_backup_taken_during_writes_restores_and_verifies(tmp_path):
    assert _shian(tmp_path, "live.sqlite3", "migrate", "-v", "0").returncode == 0
    started = tmp_path / "writing"
    writer = subprocess.Popen(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", WRITER, "150", str(started)],
        env=_env(tmp_path, "live.sqlite3"),
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for _ in range(600):
            if started.exists() or writer.poll() is not None:
                break
            time.sleep(0.1)
        made = _shian(tmp_path, "live.sqlite3", "backup", str(tmp_path / "copy.sqlite3"))
    finally:
        _out, err = writer.communicate(timeout=600)
    assert writer.returncode == 0, err
    assert made.returncode == 0, made.stderr
    manifest = json.loads((tmp_path / "copy.sqlite3.manifest.json").read_text(encoding="utf-8"))
    taken = manifest["counts"]["registry_business"]
    assert taken > 0  # some of the writes, at a consistent moment

    restored = _shian(tmp_path, "restored.sqlite3", "restore", str(tmp_path / "copy.sqlite3"))
    assert restored.returncode == 0, restored.stderr
    assert "审计链完整" in restored.stdout
    verified = _shian(tmp_path, "restored.sqlite3", "audit", "verify")
    assert verified.returncode == 0 and f"#{manifest['audit_head_seq']}" in verified.stdout
    # A backup is never written over.
    again = _shian(tmp_path, "live.sqlite3", "backup", str(tmp_path / "copy.sqlite3"))
    assert again.returncode != 0 and "已存在" in again.stderr


@pytest.mark.skipif(os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="the SQLite path")
def test_a_restore_that_does_not_match_its_manifest_fails(tmp_path):
    assert _shian(tmp_path, "live.sqlite3", "migrate", "-v", "0").returncode == 0
    assert _shian(tmp_path, "live.sqlite3", "backup", str(tmp_path / "copy.sqlite3")).returncode == 0
    path = tmp_path / "copy.sqlite3.manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["counts"]["core_region"] += 1
    path.write_text(json.dumps(manifest), encoding="utf-8")
    restored = _shian(tmp_path, "restored.sqlite3", "restore", str(tmp_path / "copy.sqlite3"))
    assert restored.returncode == 1 and "core_region" in restored.stderr
