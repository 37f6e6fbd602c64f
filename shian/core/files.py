"""Output files that appear whole or not at all.

An export, a report or a backup is written to a hidden temporary file beside its destination and
renamed onto it only when complete (`os.replace` is atomic within one file system). A process
killed half-way (SIGKILL, a power cut) leaves at most a `.partial` file, never a truncated
workbook under the name a user will open; a full disk or an exceeded file-size limit removes the
temporary file and raises `OutputError` with a clear Chinese message.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

PARTIAL_MARK = ".partial-"

# Errors that mean "the disk (or the quota, or the file-size limit) is full".
_FULL = {errno.ENOSPC, errno.EFBIG, errno.EDQUOT}


class OutputError(Exception):
    """The output could not be written; nothing was left under the destination's name."""


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception, its causes, and exceptions carried as arguments (xlsxwriter wraps the
    OSError of a failed write in its own FileCreateError)."""
    seen: set[int] = set()
    todo = [exc]
    while todo:
        e = todo.pop()
        if id(e) in seen:
            continue
        seen.add(id(e))
        yield e
        todo += [c for c in (e.__cause__, e.__context__, *e.args) if isinstance(c, BaseException)]


def is_disk_full(exc: BaseException) -> bool:
    for e in _chain(exc):
        if isinstance(e, OSError) and e.errno in _FULL:
            return True
        # SQLite reports a full disk (and a file over RLIMIT_FSIZE) as SQLITE_FULL.
        if isinstance(e, sqlite3.Error) and "full" in str(e).lower():
            return True
    return False


def is_write_failure(exc: BaseException) -> bool:
    return any(isinstance(e, OSError | sqlite3.Error) for e in _chain(exc))


def describe_failure(exc: BaseException, dest: Path) -> str:
    if is_disk_full(exc):
        return f"磁盘空间不足，未写出 {dest}（已删除未完成的文件）/ disk full: {dest} not written"
    return f"未能写出 {dest}：{exc}（已删除未完成的文件）/ {dest} not written"


@contextlib.contextmanager
def atomic_output(dest: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside `dest`; on success it becomes `dest`, on any error it is
    removed (a failed write — an OSError or SQLite error, however wrapped — becomes OutputError;
    anything else propagates)."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}{PARTIAL_MARK}{uuid.uuid4().hex[:8]}")
    try:
        yield tmp
        with open(tmp, "rb+") as f:  # what the rename publishes is on the disk
            os.fsync(f.fileno())
        os.replace(tmp, dest)
    except BaseException as exc:
        for leftover in (tmp, *(tmp.with_name(tmp.name + side) for side in ("-journal", "-wal", "-shm"))):
            leftover.unlink(missing_ok=True)  # the file and, for a SQLite copy, its journal
        if isinstance(exc, Exception) and is_write_failure(exc):
            raise OutputError(describe_failure(exc, dest)) from exc
        raise
