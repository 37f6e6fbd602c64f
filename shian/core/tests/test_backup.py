"""`shian backup` while the server writes, and `shian restore` of that backup: the restored
database's audit chain is whole and every table holds the rows the backup's manifest counted."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
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


# PostgreSQL: pg_dump -Fc from an exported snapshot, pg_restore into an empty database. The live
# database is a copy (CREATE DATABASE … TEMPLATE) of the session's freshly migrated test database —
# migrating another one costs a minute of a loaded CI machine; every database is made under a
# unique name on the server DATABASE_URL names and dropped at the module's end.

PG = os.environ.get("DATABASE_URL", "").startswith("postgres")


def needs_pg(test: Callable[..., None]) -> Callable[..., None]:
    """Run on PostgreSQL only; django_db, so that the session makes (and migrates) the test
    database the live one is copied from."""
    test = pytest.mark.skipif(not PG, reason="the PostgreSQL path (DATABASE_URL=postgres://…)")(test)
    return pytest.mark.django_db(test)


WRITER_UNTIL_STOPPED = """
import django, os, sys
django.setup()
from shian.core.models import AuditSource
from shian.registry import services
from shian.registry.tests.factories import business_input
n = 0
while not os.path.exists(sys.argv[2]):
    services.business_bulk_upsert(actor=None, source=AuditSource.SYSTEM, data=[business_input(name=f"写入中餐厅{n}")], check_permission=False)
    n += 1
    if n == 5:
        open(sys.argv[1], "w").close()
"""


class PgServer:
    """Databases made for one test module on the configured server, dropped at its end."""

    def __init__(self, url: str) -> None:
        self.parts = urlsplit(url)
        self.made: list[str] = []

    def url(self, name: str) -> str:
        return self.parts._replace(path=f"/{name}").geturl()

    def _admin(self) -> psycopg.Connection:
        return psycopg.connect(self.url("postgres"), autocommit=True)

    def create(self, label: str, template: str | None = None) -> str:
        name = f"shian_bk_{label}_{uuid.uuid4().hex[:8]}"
        with self._admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        self.made.append(name)
        return name

    def count(self, name: str, table: str) -> int:
        with psycopg.connect(self.url(name)) as conn:
            row = conn.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()  # noqa: S608 - the test's own names
            assert row is not None
            return int(row[0])

    def drop_all(self) -> None:
        with self._admin() as conn:
            for name in self.made:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def shian(self, tmp_path: Path, name: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603 - this interpreter, the test's own arguments
            [sys.executable, "-m", "shian", *args],
            env=self.env(tmp_path, name, **env),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    def env(self, tmp_path: Path, name: str, **extra: str) -> dict[str, str]:
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "shian.settings",
            "SHIAN_DATA_DIR": str(tmp_path),
            "DATABASE_URL": self.url(name),
            **extra,
        }


@pytest.fixture(scope="module")
def pg(django_db_setup, django_db_blocker) -> Iterator[PgServer]:
    server = PgServer(os.environ["DATABASE_URL"])
    try:
        yield server
    finally:
        server.drop_all()


@pytest.fixture(scope="module")
def pg_live(pg, django_db_blocker) -> str:
    """A migrated database of its own, the one the "server" writes to."""
    from django.conf import settings
    from django.db import connections

    with django_db_blocker.unblock():
        connections.close_all()  # a template must have no open session
        return pg.create("live", template=settings.DATABASES["default"]["NAME"])


@dataclass
class Taken:
    dump: Path
    manifest: dict
    live_after: int  # the live database's businesses once the writer stopped


@pytest.fixture(scope="module")
def pg_backup(pg, pg_live, tmp_path_factory) -> Taken:
    """`shian backup` while another process writes businesses (each write audited)."""
    root = tmp_path_factory.mktemp("pgbackup")
    started, stop = root / "writing", root / "stop"
    writer = subprocess.Popen(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", WRITER_UNTIL_STOPPED, str(started), str(stop)],
        env=pg.env(root, pg_live),
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for _ in range(1200):
            if started.exists() or writer.poll() is not None:
                break
            time.sleep(0.05)
        assert writer.poll() is None, "the writer stopped before the backup began"
        made = pg.shian(root, pg_live, "backup", str(root / "copy.dump"))
        still_writing = writer.poll() is None
    finally:
        stop.touch()
        _out, err = writer.communicate(timeout=120)
    assert writer.returncode == 0, err
    assert made.returncode == 0, made.stderr
    assert still_writing  # the backup neither waited for the writer nor stopped it
    assert "审计链完整" in made.stdout
    manifest = json.loads((root / "copy.dump.manifest.json").read_text(encoding="utf-8"))
    return Taken(root / "copy.dump", manifest, pg.count(pg_live, "registry_business"))


@needs_pg
def test_postgres_a_backup_taken_during_writes_restores_into_an_empty_database(pg, pg_backup, tmp_path):
    manifest = pg_backup.manifest
    assert manifest["vendor"] == "postgresql"
    counts = manifest["counts"]
    taken = counts["registry_business"]
    assert taken >= 5
    # The counts and the chain's head were read in the dump's one snapshot: every entry committed
    # up to the head, none of a write committed after it.
    assert counts["core_auditentry"] == manifest["audit_head_seq"] >= taken
    assert pg_backup.live_after > taken  # the writer went on after the snapshot

    target = pg.create("restored")  # empty: no migrations, pg_restore makes everything
    restored = pg.shian(tmp_path, target, "restore", str(pg_backup.dump))
    assert restored.returncode == 0, restored.stderr
    assert "审计链完整" in restored.stdout and "与备份清单一致" in restored.stdout
    verified = pg.shian(tmp_path, target, "audit", "verify")
    assert verified.returncode == 0, verified.stderr
    assert f"#{manifest['audit_head_seq']} {manifest['audit_head_hash']}" in verified.stdout
    for table in ("registry_business", "core_auditentry", "core_auditchainhead", "core_region"):
        assert pg.count(target, table) == counts[table], table


@needs_pg
def test_postgres_a_restore_that_does_not_match_its_manifest_fails(pg, pg_live, pg_backup, tmp_path):
    dump = tmp_path / "copy.dump"
    shutil.copy(pg_backup.dump, dump)
    manifest = json.loads(json.dumps(pg_backup.manifest))
    manifest["counts"]["core_region"] += 1
    manifest["audit_head_hash"] = "0" * 64
    (tmp_path / "copy.dump.manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    # Restored over a database that holds the schema and more rows than the backup (a copy of
    # the live one): --clean drops what is there first, so only the tampered figures differ.
    target = pg.create("tampered", template=pg_live)
    restored = pg.shian(tmp_path, target, "restore", str(dump))
    assert restored.returncode == 1
    want = manifest["counts"]["core_region"]
    assert f"行数不符：core_region 备份 {want} 行，恢复后 {want - 1} 行" in restored.stderr
    assert "审计链不完整" in restored.stderr and "head is not the backup's" in restored.stderr
    assert "registry_business" not in restored.stderr  # only what differs is named
    assert "Traceback" not in restored.stderr
    assert pg.count(target, "registry_business") == pg_backup.manifest["counts"]["registry_business"]


@needs_pg
def test_postgres_without_pg_dump_the_backup_says_so_in_chinese(pg, pg_live, tmp_path):
    empty = tmp_path / "bin"
    empty.mkdir()
    made = pg.shian(tmp_path, pg_live, "backup", str(tmp_path / "copy.dump"), PATH=str(empty))
    assert made.returncode == 1
    assert "找不到 pg_dump" in made.stderr and "postgresql-client" in made.stderr
    assert "Traceback" not in made.stderr
    assert list(tmp_path.glob("*copy.dump*")) == []  # neither a partial copy nor a manifest
