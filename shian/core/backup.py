"""Backup and restore while the server runs, verified by the audit chain and row counts.

SQLite: the online backup API copies the database page by page from one consistent read (in WAL
mode the server goes on writing meanwhile); copying the file itself while a write is in flight
gives a corrupt copy. PostgreSQL: pg_dump in the custom format, from an exported snapshot that
the row counts and the chain's head are read in too, and pg_restore. Beside each backup a
manifest (OUT.manifest.json) records the chain head and every table's row count as of the
backup's snapshot; a restore is verified against it. A dumpdata/loaddata round trip is no
backup: it rewrites rows and breaks the chain."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

from .audit import ChainReport, audit_verify
from .files import OutputError, atomic_output

MANIFEST_SUFFIX = ".manifest.json"


class BackupError(Exception):
    pass


@dataclass(frozen=True)
class Verification:
    chain: ChainReport
    counts: dict[str, int]
    mismatched: dict[str, tuple[int, int]]  # table -> (manifest, restored)

    @property
    def ok(self) -> bool:
        return self.chain.ok and not self.mismatched


def _tables(conn: Any) -> list[str]:
    existing = set(conn.introspection.table_names())
    return sorted({m._meta.db_table for m in apps.get_models(include_auto_created=True)} & existing)


def _counts(conn: Any) -> dict[str, int]:
    out = {}
    with conn.cursor() as cur:
        for table in _tables(conn):
            cur.execute(f"SELECT COUNT(*) FROM {conn.ops.quote_name(table)}")  # noqa: S608 - names from the models
            out[table] = int(cur.fetchone()[0])
    return out


@contextlib.contextmanager
def _alias(name: str) -> Iterator[str]:
    """A temporary database alias for a copy (the default database's settings, another NAME)."""
    alias = f"shian_copy_{uuid.uuid4().hex[:8]}"
    connections.databases[alias] = {**settings.DATABASES["default"], "NAME": name}
    try:
        yield alias
    finally:
        connections[alias].close()
        del connections.databases[alias]


def _manifest(path: Path) -> Path:
    return path.with_name(path.name + MANIFEST_SUFFIX)


def _write_manifest(path: Path, *, vendor: str, counts: dict[str, int], chain: ChainReport) -> dict[str, Any]:
    manifest = {
        "made_at": timezone.now().isoformat(),
        "vendor": vendor,
        "audit_head_seq": chain.head_seq,
        "audit_head_hash": chain.head_hash,
        "counts": counts,
    }
    with atomic_output(_manifest(path)) as tmp:
        tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return manifest


def _pg_env() -> dict[str, str]:
    db: dict[str, Any] = dict(settings.DATABASES["default"])
    env = {**os.environ}
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        value = db.get(key)
        if value:
            env[var] = str(value)
    sslmode = (db.get("OPTIONS") or {}).get("sslmode")  # DATABASE_URL's ?sslmode=…
    if sslmode:
        env["PGSSLMODE"] = str(sslmode)
    return env


CLIENT_TOOLS = (
    "请安装 PostgreSQL 客户端工具（Debian/Ubuntu：apt-get install postgresql-client；主版本不低于数据库服务器的），"
    "并确认它在运行 shian 的用户的 PATH 中"
)


def _run(args: list[str]) -> None:
    tool = shutil.which(args[0])
    if tool is None:
        raise BackupError(f"找不到 {args[0]}：{CLIENT_TOOLS} / {args[0]} not found on PATH")
    try:
        result = subprocess.run([tool, *args[1:]], env=_pg_env(), capture_output=True, text=True, check=False)  # noqa: S603 - fixed tool, our arguments
    except OSError as exc:
        raise BackupError(f"无法运行 {tool}：{exc.strerror or exc}") from None
    if result.returncode != 0:
        detail = result.stderr.strip()[:2000]
        if "server version mismatch" in detail:
            detail = f"{args[0]} 的版本低于数据库服务器：{CLIENT_TOOLS} {detail}"
        elif result.returncode == -signal.SIGXFSZ or "No space left" in detail:
            detail = f"磁盘空间不足或超过文件大小限制 / disk full or file-size limit {detail}".strip()
        elif result.returncode < 0:
            detail = (
                f"被信号 {-result.returncode} 终止 / killed by signal {-result.returncode} {detail}".strip()
            )
        raise BackupError(f"{args[0]} 失败：{detail}")


def _restore_pg(source: Path) -> None:
    """pg_restore's script, run by psql in one transaction after the yearly-partitioned tables are
    dropped whole. pg_restore --clean alone drops each partition's inherited key, which PostgreSQL
    refuses ("cannot drop inherited constraint"); with the partitioned tables gone first its
    IF EXISTS drops of them are no-ops. A failure anywhere rolls the whole restore back."""
    from shian.core.partitions import YEARLY_TABLES

    tools = {name: shutil.which(name) for name in ("pg_restore", "psql")}
    for name, tool in tools.items():
        if tool is None:
            raise BackupError(f"找不到 {name}：{CLIENT_TOOLS} / {name} not found on PATH")
    drop = "".join(f'DROP TABLE IF EXISTS "{table}" CASCADE;' for table in YEARLY_TABLES)
    env = _pg_env()
    try:
        dump = subprocess.Popen(  # noqa: S603 - fixed tool, our arguments
            [str(tools["pg_restore"]), "--clean", "--if-exists", "--no-owner", "-f", "-", str(source)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        if dump.stdout is None:  # pragma: no cover - stdout=PIPE always gives one
            raise BackupError("pg_restore 无输出")
        load = subprocess.run(  # noqa: S603 - fixed tool, our arguments
            [
                str(tools["psql"]),
                "-X",
                "-q",
                "--single-transaction",
                "-v",
                "ON_ERROR_STOP=1",
                "-d",
                str(settings.DATABASES["default"]["NAME"]),
                "-c",
                drop,
                "-f",
                "-",
            ],
            env=env,
            stdin=dump.stdout,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
        dump.stdout.close()
        dump_err = dump.stderr.read().decode(errors="replace") if dump.stderr else ""
        dump.wait()
    except OSError as exc:
        raise BackupError(f"无法运行 pg_restore / psql：{exc.strerror or exc}") from None
    if dump.returncode != 0:
        raise BackupError(f"pg_restore 失败：{dump_err.strip()[:2000]}")
    if load.returncode != 0:
        raise BackupError(f"pg_restore 失败（psql）：{load.stderr.strip()[:2000]}")


def backup(out: Path) -> dict[str, Any]:
    """Write a backup of the running database to `out` and its manifest beside it; the copy's
    chain is verified before the manifest is written. Returns the manifest."""
    out = Path(out)
    if out.exists():
        raise BackupError(f"{out} 已存在：请换一个文件名（备份不覆盖旧备份）")
    connection.ensure_connection()
    # The backup appears under its name only when whole and verified, its manifest after it: a
    # process killed half-way, a full disk or a file-size limit leaves neither a truncated copy
    # nor a manifest that vouches for one.
    try:
        with atomic_output(out) as tmp:
            chain, counts = _backup_to(tmp)
            if not chain.ok:
                raise BackupError(f"备份中的审计链不完整（第 #{chain.broken_seq} 条：{chain.reason}）")
        try:
            return _write_manifest(out, vendor=connection.vendor, counts=counts, chain=chain)
        except OutputError:
            out.unlink(missing_ok=True)
            raise
    except OutputError as exc:
        raise BackupError(str(exc)) from None


def _backup_to(out: Path) -> tuple[ChainReport, dict[str, int]]:
    if connection.vendor == "sqlite":
        target = sqlite3.connect(out)
        try:
            # One step: the whole database from one read transaction (WAL: writers go on).
            connection.connection.backup(target)
        finally:
            target.close()
        with _alias(str(out)) as alias:
            chain = audit_verify(using=alias)
            counts = _counts(connections[alias])
    elif connection.vendor == "postgresql":
        # One snapshot for the dump, the chain and the counts: exported by a repeatable-read
        # transaction that stays open while pg_dump reads it.
        with _alias(settings.DATABASES["default"]["NAME"]) as alias:
            conn = connections[alias]
            conn.ensure_connection()
            with conn.cursor() as cur:
                cur.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                cur.execute("SELECT pg_export_snapshot()")
                snapshot = cur.fetchone()[0]
                try:
                    _run(
                        [
                            "pg_dump",
                            "-Fc",
                            f"--snapshot={snapshot}",
                            "-f",
                            str(out),
                            str(settings.DATABASES["default"]["NAME"]),
                        ]
                    )
                    # audit_verify sees the open transaction's snapshot through the same connection.
                    conn.in_atomic_block = True
                    try:
                        chain = audit_verify(using=alias)
                    finally:
                        conn.in_atomic_block = False
                    counts = _counts(conn)
                finally:
                    cur.execute("ROLLBACK")
    else:
        raise BackupError(f"不支持的数据库：{connection.vendor}")
    return chain, counts


def verify_against_manifest(*, using: str, manifest: dict[str, Any]) -> Verification:
    chain = audit_verify(using=using)
    counts = _counts(connections[using])
    wanted: dict[str, int] = manifest.get("counts", {})
    mismatched = {t: (n, counts.get(t, -1)) for t, n in wanted.items() if counts.get(t, -1) != n}
    if chain.ok and (chain.head_seq, chain.head_hash) != (
        manifest.get("audit_head_seq"),
        manifest.get("audit_head_hash"),
    ):
        chain = ChainReport(
            False,
            chain.checked,
            chain.head_seq,
            chain.head_hash,
            chain.head_seq,
            "the restored chain's head is not the backup's",
        )
    return Verification(chain, counts, mismatched)


def restore(source: Path) -> Verification:
    """Replace the configured database with a backup, then verify it against its manifest."""
    source = Path(source)
    if not source.exists():
        raise BackupError(f"文件不存在：{source}")
    manifest_path = _manifest(source)
    if not manifest_path.exists():
        raise BackupError(f"缺少清单文件 {manifest_path.name}：只能恢复由 shian backup 生成的备份")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    connection.ensure_connection()
    if manifest.get("vendor") != connection.vendor:
        raise BackupError(f"备份来自 {manifest.get('vendor')}，当前数据库是 {connection.vendor}")
    if connection.vendor == "sqlite":
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            src.backup(connection.connection)
        finally:
            src.close()
    else:
        connection.close()
        _restore_pg(source)
    return verify_against_manifest(using="default", manifest=manifest)
