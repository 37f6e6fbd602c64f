"""Evidence files of a case: uploaded on the case page (photos, PDF, Word, Excel), stored under the
data directory by their SHA-256 with size and type, listed on the page, downloaded through a scoped
and audited route; a bad file is refused with its name and the reason, and nothing is written."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import struct
import zlib

import docx
import openpyxl
import pytest
from django.core.exceptions import ValidationError

from shian.core.models import AuditAction, AuditEntry, AuditSource
from shian.enforcement import evidence_files, services
from shian.enforcement.models import Case, Evidence
from shian.enforcement.workflow import CaseStatus
from shian.registry.tests.factories import make_business

pytestmark = pytest.mark.django_db
D = dt.date
KINDS = ("jpg", "png", "webp", "pdf", "docx", "xlsx")


def _png() -> bytes:
    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    raw = b"\x00\xff\x00\x00"  # one red pixel
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def _docx() -> bytes:
    d = docx.Document()
    d.add_paragraph("询问笔录：当事人承认销售超过保质期的食品。")
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def _xlsx() -> bytes:
    wb = openpyxl.Workbook()
    wb.active.append(["货品", "数量"])
    wb.active.append(["过期酸奶", 24])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


@pytest.fixture
def case(personas, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    officer = personas("town_a_officer")
    shop = make_business(name="果园新村便民超市", region_code="120113001", business_type="wholesale_retail")
    c = services.case_open(
        by=officer,
        source=AuditSource.WEB,
        source_kind="inspection",
        summary="销售超过保质期的酸奶",
        lead_received_on=D(2022, 3, 1),
        business=shop,
        basis_code="fsl-124",
    )
    for status, day in ((CaseStatus.FILED, 2), (CaseStatus.INVESTIGATION, 3)):
        services.case_transition(by=officer, source=AuditSource.WEB, case=c, to=status, on=D(2022, 3, day))
    return Case.objects.get(pk=c.pk)


def _upload(client, case, name: str, data: bytes, **extra):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        f"/enforcement/{case.pk}/act/",
        {
            "action": "evidence",
            "title": extra.get("title", "现场照片"),
            "kind": "物证",
            "on": "2022-03-04",
            "file": SimpleUploadedFile(name, data),
        },
    )


@pytest.mark.parametrize(
    ("name", "make", "kind"),
    [
        ("冷柜照片.png", _png, "png"),
        ("检验报告.pdf", lambda: PDF, "pdf"),
        ("询问笔录.docx", _docx, "docx"),
        ("货品清点表.xlsx", _xlsx, "xlsx"),
    ],
)
def test_upload_list_and_download(client_for, case, settings, name, make, kind):
    data = make()
    client = client_for("town_a_officer")
    assert _upload(client, case, name, data).status_code == 302
    ev = Evidence.objects.get(case=case)
    digest = hashlib.sha256(data).hexdigest()
    assert (ev.file_name, ev.file_kind, ev.file_size, ev.sha256) == (name, kind, len(data), digest)
    stored = settings.MEDIA_ROOT / ev.file.name
    assert ev.file.name == f"evidence/{digest[:2]}/{digest}.{kind}" and stored.read_bytes() == data
    created = AuditEntry.objects.get(object_type="enforcement.evidence", action=AuditAction.CREATE)
    assert created.after["sha256"] == digest and created.after["file_size"] == len(data)

    page = client.get(f"/enforcement/{case.pk}/").content.decode()
    assert f"/enforcement/evidence/{ev.pk}/file/" in page and name in page and digest[:12] in page

    response = client.get(f"/enforcement/evidence/{ev.pk}/file/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == data
    assert response["Content-Type"] == evidence_files.content_type(kind)
    assert "attachment" in response["Content-Disposition"]
    download = AuditEntry.objects.get(object_type="enforcement.evidence", action=AuditAction.EXPORT)
    assert download.actor_username == "town_a_officer" and download.after["sha256"] == digest


def test_another_towns_officer_cannot_download(client_for, case):
    assert _upload(client_for("town_a_officer"), case, "检验报告.pdf", PDF).status_code == 302
    ev = Evidence.objects.get(case=case)
    assert client_for("town_b_officer").get(f"/enforcement/evidence/{ev.pk}/file/").status_code == 404
    assert client_for("lab").get(f"/enforcement/evidence/{ev.pk}/file/").status_code == 403
    assert not AuditEntry.objects.filter(
        action=AuditAction.EXPORT, object_type="enforcement.evidence"
    ).exists()


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("setup.exe", b"MZ\x90\x00" + b"\x00" * 64, "不是可接受的证据文件类型"),
        ("报告.docx", PDF, "与文件名的扩展名不符"),
        ("空白.pdf", b"", "是空的"),
        ("损坏.xlsx", b"PK\x03\x04not really a zip", "不是可接受的证据文件类型"),
    ],
)
def test_a_bad_file_is_refused_and_nothing_is_written(client_for, case, settings, name, data, words):
    entries = AuditEntry.objects.count()
    client = client_for("town_a_officer")
    response = _upload(client, case, name, data)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert name in page and words in page
    assert not Evidence.objects.exists()
    assert AuditEntry.objects.count() == entries
    assert not (settings.MEDIA_ROOT / "evidence").exists()


def test_the_size_limit_comes_from_settings(client_for, case, settings):
    settings.SHIAN_EVIDENCE_MAX_BYTES = 1024
    client = client_for("town_a_officer")
    response = _upload(client, case, "大扫描件.pdf", PDF + b"0" * 2048)
    page = client.get(response["Location"]).content.decode()
    assert "文件“大扫描件.pdf”超过 1 KB 的上限" in page
    assert not Evidence.objects.exists()
    # Within the limit the same kind is taken.
    assert _upload(client, case, "扫描件.pdf", PDF).status_code == 302
    assert Evidence.objects.count() == 1


def test_kinds_come_from_settings(case, personas, settings):
    settings.SHIAN_EVIDENCE_KINDS = ("pdf",)
    with pytest.raises(ValidationError) as exc:
        services.evidence_add(
            by=personas("town_a_officer"),
            source=AuditSource.WEB,
            case=case,
            title="照片",
            kind="物证",
            collected_on=D(2022, 3, 4),
            file=("冷柜照片.png", _png()),
        )
    assert "PDF 文件" in str(exc.value) and "PNG" not in str(exc.value)


def test_content_is_judged_not_the_name():
    assert evidence_files.sniff(_png()) == "png"
    assert evidence_files.sniff(PDF) == "pdf"
    assert evidence_files.sniff(_docx()) == "docx"
    assert evidence_files.sniff(_xlsx()) == "xlsx"
    assert evidence_files.sniff(b"\xff\xd8\xff\xe0" + b"\x00" * 16) == "jpg"
    assert evidence_files.sniff(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "webp"
    assert evidence_files.sniff(b"<html>") is None
    assert (
        evidence_files.judge(name="照片.JPEG", data=b"\xff\xd8\xff\xe0", max_bytes=100, kinds=KINDS) == "jpg"
    )
