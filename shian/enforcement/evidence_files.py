"""Evidence files of a case (证据材料): what kinds are taken, judged by their content and name.

A file is taken when its content is one of the kinds settings allow (SHIAN_EVIDENCE_KINDS: photos,
PDF, Word and Excel files), its name ends as that kind does, and it is no larger than
SHIAN_EVIDENCE_MAX_BYTES. Anything else is refused with the file's name and the reason, before
anything is stored. Pure: no database, no storage."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# kind -> (the names it may end in, the content type it is served with, its name for people)
KINDS: dict[str, tuple[tuple[str, ...], str, str]] = {
    "jpg": ((".jpg", ".jpeg"), "image/jpeg", "JPEG 图片"),
    "png": ((".png",), "image/png", "PNG 图片"),
    "webp": ((".webp",), "image/webp", "WebP 图片"),
    "pdf": ((".pdf",), "application/pdf", "PDF 文件"),
    "docx": (
        (".docx",),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "Word 文件（.docx）",
    ),
    "xlsx": (
        (".xlsx",),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "Excel 文件（.xlsx）",
    ),
}


def sniff(data: bytes) -> str | None:
    """The kind a file's content is, by its first bytes (and, for Office files, the part every such
    file holds), or None."""
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                names = set(z.namelist())
        except (zipfile.BadZipFile, ValueError, OSError):
            return None
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
    return None


def judge(*, name: str, data: bytes, max_bytes: int, kinds: Iterable[str]) -> str:
    """The kind of an evidence file, or ValidationError({"file": ...}) saying why it is refused."""
    allowed = [k for k in kinds if k in KINDS]
    listed = "、".join(KINDS[k][2] for k in allowed)
    if not data:
        raise ValidationError({"file": _("文件“%(name)s”是空的") % {"name": name}})
    if len(data) > max_bytes:
        # (The page reads one byte past the limit, no more: the file's own size is not known here.)
        raise ValidationError(
            {"file": _("文件“%(name)s”超过 %(value)s 的上限") % {"name": name, "value": _size(max_bytes)}}
        )
    kind = sniff(data)
    if kind is None or kind not in allowed:
        raise ValidationError(
            {
                "file": _("文件“%(name)s”不是可接受的证据文件类型（%(listed)s）")
                % {"name": name, "listed": listed}
            }
        )
    if not name.lower().endswith(KINDS[kind][0]):
        raise ValidationError(
            {
                "file": _("文件“%(name)s”的内容是%(value)s，与文件名的扩展名不符，请核对后重新上传")
                % {"name": name, "value": KINDS[kind][2]}
            }
        )
    return kind


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / 1024 / 1024:.3g} MB"
    return f"{n / 1024:.3g} KB"


def content_type(kind: str) -> str:
    return KINDS[kind][1] if kind in KINDS else "application/octet-stream"
