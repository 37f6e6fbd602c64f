"""Photos of findings and the drawn signature: checked by content, stored by hash, audited,
refused after locking with nothing written, and served only inside the viewer's scope."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from shian.core.models import AuditEntry, AuditSource, Role
from shian.core.tests.factories import TOWN_A, UserFactory
from shian.inspections import services
from shian.inspections.models import Finding, FindingPhoto, Inspection
from shian.registry.tests.factories import make_business

from .media_helpers import jpeg_photo, png_photo, signature_url

pytestmark = pytest.mark.django_db
DAY = dt.date(2024, 9, 27)
ALL = ["C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8", "C9"]


@pytest.fixture
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def draft(personas, media):
    b = make_business(name="果园新村测试饭店", region_code=TOWN_A, business_type="catering")
    team = [UserFactory.create(username=f"m{n}", role=Role.INSPECTOR) for n in range(2)]
    actor = personas("inspector")
    i = services.inspection_create(
        actor=actor, source=AuditSource.WEB, business=b, inspected_on=DAY, inspectors=team
    )
    services.inspection_record_answers(
        actor=actor,
        source=AuditSource.WEB,
        inspection=i,
        answers={c: ("fail" if c == "C1" else "pass") for c in ALL},
        findings={"C1": "许可证未公示"},
    )
    return i, actor


def _files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _submit(i: Inspection, actor) -> None:
    services.inspection_sign(actor=actor, source=AuditSource.WEB, inspection=i, signed_by="王经理")
    services.inspection_submit(actor=actor, source=AuditSource.WEB, inspection=i)


def test_photo_is_stored_under_its_hash_and_audited(draft, media):
    i, actor = draft
    finding = Finding.objects.get(inspection=i, item_code="C1")
    data = png_photo()
    photo = services.finding_photo_add(
        actor=actor, source=AuditSource.WEB, finding=finding, data=data, name="IMG_0001.png"
    )
    assert photo.kind == "png" and (photo.width, photo.height) == (64, 48)
    assert photo.file.name.endswith(f"{photo.sha256}.png") and len(photo.sha256) == 64
    assert (media / photo.file.name).read_bytes() == data
    entry = AuditEntry.objects.get(object_type="inspections.findingphoto", object_id=str(photo.pk))
    assert entry.after["sha256"] == photo.sha256 and entry.after["item_code"] == "C1"
    # A JPEG too; the same picture twice on one finding is refused.
    services.finding_photo_add(
        actor=actor, source=AuditSource.WEB, finding=finding, data=jpeg_photo(), name="b.jpg"
    )
    with pytest.raises(ValidationError, match="已上传过"):
        services.finding_photo_add(
            actor=actor, source=AuditSource.WEB, finding=finding, data=data, name="c.png"
        )
    assert FindingPhoto.objects.filter(finding=finding).count() == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"%PDF-1.4 not a picture at all", "不是有效的图片"),
        (b"GIF89a" + b"\x00" * 40, "不是有效的图片"),  # a real image format, but not one we accept
        (b"\x89PNG\r\n\x1a\n" + b"garbage" * 20, "已损坏"),  # right magic bytes, broken content
        (b"", "空文件"),
        (b"\xff\xd8\xff" + b"\x00" * (8 * 1024 * 1024), "超过上限"),
    ],
)
def test_bad_photo_is_refused_and_nothing_is_written(draft, media, data, message):
    i, actor = draft
    finding = Finding.objects.get(inspection=i, item_code="C1")
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError, match=message):
        services.finding_photo_add(
            actor=actor, source=AuditSource.WEB, finding=finding, data=data, name="x.jpg"
        )
    assert not FindingPhoto.objects.exists() and _files(media) == []
    assert AuditEntry.objects.count() == before


def test_photo_after_locking_is_refused_and_nothing_is_written(draft, media):
    i, actor = draft
    _submit(i, actor)
    finding = Finding.objects.get(inspection=i, item_code="C1")
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError, match="锁定"):
        services.finding_photo_add(
            actor=actor, source=AuditSource.WEB, finding=finding, data=png_photo(), name="late.png"
        )
    assert not FindingPhoto.objects.exists() and _files(media) == []
    assert AuditEntry.objects.count() == before


def test_drawn_signature_is_stored_and_its_fingerprint_audited(draft):
    i, actor = draft
    url = signature_url()
    i = services.inspection_sign(
        actor=actor, source=AuditSource.WEB, inspection=i, signed_by="王经理", signature=url
    )
    i.refresh_from_db()
    assert i.signature == url and i.signed_by == "王经理" and i.signed_at is not None
    entry = (
        AuditEntry.objects.filter(object_type="inspections.inspection", object_id=str(i.pk))
        .order_by("seq")
        .last()
    )
    assert entry is not None and len(entry.after["signature_sha256"]) == 64
    # Signing again with the same name and no new drawing keeps the drawn signature.
    services.inspection_sign(actor=actor, source=AuditSource.WEB, inspection=i, signed_by="王经理")
    i.refresh_from_db()
    assert i.signature == url
    # A different signer without a drawing does not inherit the first one's signature.
    services.inspection_sign(actor=actor, source=AuditSource.WEB, inspection=i, signed_by="李店长")
    i.refresh_from_db()
    assert i.signature == "" and i.signed_by == "李店长"


@pytest.mark.parametrize(
    ("signature", "message"),
    [
        (signature_url(blank=True), "空白"),
        ("data:image/jpeg;base64,/9j/4AAQ", "PNG"),
        ("data:image/png;base64,@@not-base64@@", "损坏"),
        ("data:image/png;base64," + "A" * 400_000, "超过上限"),
    ],
)
def test_bad_signature_is_refused_and_changes_nothing(draft, signature, message):
    i, actor = draft
    services.inspection_sign(actor=actor, source=AuditSource.WEB, inspection=i, signed_by="王经理")
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError, match=message):
        services.inspection_sign(
            actor=actor, source=AuditSource.WEB, inspection=i, signed_by="李店长", signature=signature
        )
    i.refresh_from_db()
    assert i.signed_by == "王经理" and i.signature == ""
    assert AuditEntry.objects.count() == before


def test_signature_after_locking_is_refused(draft):
    i, actor = draft
    _submit(i, actor)
    with pytest.raises(ValidationError, match="锁定"):
        services.inspection_sign(
            actor=actor, source=AuditSource.WEB, inspection=i, signed_by="王经理", signature=signature_url()
        )
    i.refresh_from_db()
    assert i.signature == ""


# --------------------------------------------------------------------------------------------
# The tablet form and the photo view.


def _post(i: Inspection, **extra) -> dict:
    data: dict = {f"a_{c}": ("fail" if c == "C1" else "pass") for c in ALL}
    data["f_C1"] = "许可证未公示"
    data.update(extra)
    return data


def test_form_saves_answers_photo_and_signature_then_shows_them(draft, client_for):
    i, _actor = draft
    client = client_for("inspector")
    upload = SimpleUploadedFile("现场.png", png_photo(), content_type="image/png")
    r = client.post(
        f"/inspections/{i.pk}/",
        _post(i, p_C1=[upload], signed_by="王经理", signature=signature_url(), save="1"),
    )
    assert r.status_code == 302 and r["Location"].endswith("?saved=1")
    photo = FindingPhoto.objects.get(finding__inspection=i)
    i.refresh_from_db()
    assert i.signature.startswith("data:image/png;base64,") and i.signed_by == "王经理"
    page = client.get(f"/inspections/{i.pk}/").content.decode()
    assert f'src="/inspections/photos/{photo.pk}/"' in page
    assert 'class="signature-image"' in page
    assert 'capture="environment"' in page and 'accept="image/jpeg,image/png,image/webp,image/*"' in page
    served = client.get(f"/inspections/photos/{photo.pk}/")
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content) == png_photo()
    assert "private" in served["Cache-Control"]


def test_form_with_a_non_image_changes_nothing(draft, client_for):
    i, _actor = draft
    i.refresh_from_db()
    before = dict(i.answers)
    assert before["C2"] == "pass"
    upload = SimpleUploadedFile("evil.png", b"<script>alert(1)</script>", content_type="image/png")
    r = client_for("inspector").post(
        f"/inspections/{i.pk}/",
        _post(i, a_C2="fail", f_C2="从业人员无健康证", p_C2=[upload], save="1"),
    )
    assert r.status_code == 200
    assert "不是有效的图片文件" in r.content.decode()
    i.refresh_from_db()
    assert i.answers == before and not Finding.objects.filter(inspection=i, item_code="C2").exists()
    assert not FindingPhoto.objects.exists()


def test_form_blank_signature_refused_and_nothing_saved(draft, client_for):
    i, _actor = draft
    r = client_for("inspector").post(
        f"/inspections/{i.pk}/",
        _post(
            i, a_C2="fail", f_C2="无健康证", signed_by="王经理", signature=signature_url(blank=True), save="1"
        ),
    )
    assert "签名为空白" in r.content.decode()
    i.refresh_from_db()
    assert i.signed_by == "" and i.answers["C2"] == "pass"


def test_photo_view_is_scoped(draft, client_for):
    i, actor = draft
    finding = Finding.objects.get(inspection=i, item_code="C1")
    photo = services.finding_photo_add(actor=actor, source=AuditSource.WEB, finding=finding, data=png_photo())
    url = f"/inspections/photos/{photo.pk}/"
    assert client_for("town_a_officer").get(url).status_code == 200
    assert client_for("town_b_officer").get(url).status_code == 404  # not yours = not found
    assert client_for("town_b_officer").get("/inspections/photos/999999/").status_code == 404
    assert client_for("lab").get(url).status_code == 404  # a lab's scope holds no inspection at all
    anonymous = client_for("anonymous").get(url)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_record_export_carries_the_drawn_signature(draft, client_for):
    i, actor = draft
    services.inspection_sign(
        actor=actor, source=AuditSource.WEB, inspection=i, signed_by="王经理", signature=signature_url()
    )
    r = client_for("town_a_officer").get(f"/inspections/{i.pk}/record.xlsx")
    assert r.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(r.streaming_content)))
    ws = book["检查记录"]
    texts = [c.value for row in ws.iter_rows() for c in row if c.value]
    assert "果园新村测试饭店" in texts and "王经理" in texts and "许可证未公示" in texts
    assert len(ws._images) == 1  # the signature image
    assert client_for("town_b_officer").get(f"/inspections/{i.pk}/record.xlsx").status_code == 404
