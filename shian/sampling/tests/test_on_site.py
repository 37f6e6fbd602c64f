"""The on-site sampling record (现场抽样记录 / 抽样单) of 《食品安全抽样检验管理办法》(令第15号):
第十六条 the quantity serves the test and the re-test [M]; 第十八条 the test sample and the re-test
backup sample are sealed separately and signed by the business [M]; 第十九条 the sampling form and
photos of the sample's state (first paragraph [V2]). The backup sample is what makes the re-test of
食品安全法第八十八条 [V] possible."""

from __future__ import annotations

import base64
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from PIL import Image, ImageDraw

from shian.core.models import AuditEntry, Region
from shian.core.tests.factories import TOWN_A
from shian.sampling import rules, services
from shian.sampling.models import Sample, SampleDeadline, SamplePhoto
from shian.sampling.tests.helpers import business_in
from shian.sampling.workflow import SampleStatus as S

TODAY = dt.date(2026, 3, 10)


def _signature(*, blank: bool = False) -> str:
    """A PNG data URL as the canvas sends it: transparent, with a dark stroke unless blank."""
    img = Image.new("RGBA", (900, 270), (255, 255, 255, 0))
    if not blank:
        ImageDraw.Draw(img).line(
            [(60, 200), (200, 60), (340, 210), (520, 80)], fill=(17, 17, 17, 255), width=4
        )
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def _jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (80, 60), (20, 120, 40)).save(buf, "JPEG", quality=80)
    return buf.getvalue()


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def task(personas) -> Sample:
    return services.sample_create(
        by=personas("district_officer"),
        code="BC-OS1",
        region=Region.objects.get(pk=TOWN_A),
        food_name="挂面",
        category_path="粮食加工品-挂面",
        business=business_in(TOWN_A, "果园超市"),
    )


def _record(actor: Any, sample: Sample, **over: Any) -> Sample:
    values: dict[str, Any] = {
        "batch": "20260301A",
        "produced_on": dt.date(2026, 3, 1),
        "sampled_on": TODAY,
        "quantity": Decimal(6),
        "quantity_unit": "袋",
        "backup_quantity": Decimal(2),
        "backup_kept_by": "承检机构",
        "manufacturer": "天津示范面业有限公司",
        "specification": "500g/袋",
        "signed_by": "王店长",
        "signature": _signature(),
        "photos": [("stock.jpg", _jpeg())],
        **over,
    }
    return services.sample_record_on_site(actor=actor, source="web", sample=sample, today=TODAY, **values)


def _audits(sample: Sample) -> int:
    return AuditEntry.objects.filter(object_type="sampling.sample", object_id=str(sample.pk)).count()


def _unchanged(sample: Sample) -> None:
    sample.refresh_from_db()
    assert sample.status == S.TASK
    assert sample.quantity is None and sample.signature == "" and sample.manufacturer == ""
    assert not SamplePhoto.objects.filter(sample=sample).exists()
    assert not SampleDeadline.objects.filter(sample=sample).exists()


@pytest.mark.django_db
def test_record_moves_the_task_to_sampled_opens_the_delivery_deadline_in_one_audit_entry(
    task, personas, media
):
    """第十八条/第十九条: the record with its backup sample, signature and photo; the delivery
    deadline (第二十条, 5 working days) opens from the sampling date as for any sample."""
    before = _audits(task)
    sample = _record(personas("town_a_officer"), task)
    assert sample.status == S.SAMPLED and sample.sampled_on == TODAY
    sample.refresh_from_db()
    assert (sample.quantity, sample.backup_quantity, sample.quantity_unit) == (Decimal(6), Decimal(2), "袋")
    assert sample.manufacturer == "天津示范面业有限公司" and sample.signed_by == "王店长"
    assert sample.signed_at is not None
    deadline = SampleDeadline.objects.get(sample=sample, code="delivery")
    assert deadline.start == TODAY and deadline.due == dt.date(2026, 3, 17)
    assert _audits(sample) == before + 1
    entry = (
        AuditEntry.objects.filter(object_type="sampling.sample", object_id=str(sample.pk))
        .order_by("seq")
        .last()
    )
    assert entry.after["status"] == S.SAMPLED and entry.after["quantity"] == "6"
    assert len(entry.after["photos_sha256"]) == 1
    photo = SamplePhoto.objects.get(sample=sample)
    assert photo.kind == "jpeg" and (media / photo.file.name).read_bytes() == _jpeg()


@pytest.mark.django_db
def test_without_a_backup_sample_nothing_is_recorded(task, personas, media):
    """第十八条: a re-test backup sample is sealed apart; 食品安全法第八十八条 gives the right to a
    re-test, so a record without one is refused by field and nothing changes."""
    for backup in (None, Decimal(0)):
        with pytest.raises(ValidationError) as err:
            _record(personas("town_a_officer"), task, backup_quantity=backup)
        assert "备样数量须大于 0" in err.value.message_dict["backup_quantity"][0]
        _unchanged(task)
    assert not any(media.rglob("*.jpg"))


@pytest.mark.django_db
def test_a_future_sampling_date_is_refused(task, personas, media):
    with pytest.raises(ValidationError) as err:
        _record(personas("town_a_officer"), task, sampled_on=TODAY + dt.timedelta(days=1))
    assert "晚于今天" in err.value.message_dict["sampled_on"][0]
    with pytest.raises(ValidationError) as err:
        _record(personas("town_a_officer"), task, sampled_on=dt.date(2026, 2, 28))
    assert "早于生产日期" in err.value.message_dict["sampled_on"][0]
    _unchanged(task)


@pytest.mark.django_db
def test_a_blank_signature_is_refused(task, personas, media):
    """第十八条: the business confirms by signing; an empty canvas is no signature."""
    for signature in (_signature(blank=True), ""):
        with pytest.raises(ValidationError) as err:
            _record(personas("town_a_officer"), task, signature=signature)
        assert "signature" in err.value.message_dict
    _unchanged(task)


@pytest.mark.django_db
def test_a_file_that_is_not_an_image_is_refused_and_nothing_is_written(task, personas, media):
    """第十九条 photos are checked by content: a PDF named .jpg is refused before any write."""
    with pytest.raises(ValidationError) as err:
        _record(
            personas("town_a_officer"),
            task,
            photos=[("ok.jpg", _jpeg()), ("fake.jpg", b"%PDF-1.4 not a photo")],
        )
    assert "fake.jpg" in err.value.message_dict["photos"][0]
    _unchanged(task)
    assert not [p for p in media.rglob("*") if p.is_file()]


@pytest.mark.django_db
def test_the_record_is_locked_once_sampled(task, personas, media):
    officer = personas("town_a_officer")
    _record(officer, task)
    task.refresh_from_db()
    with pytest.raises(ValidationError, match="已锁定"):
        _record(officer, task, quantity=Decimal(9))
    task.refresh_from_db()
    assert task.quantity == Decimal(6) and SamplePhoto.objects.filter(sample=task).count() == 1


def test_rule_backup_must_be_less_than_the_quantity_taken():
    """第十六条: the quantity taken covers the test sample and the backup, so the backup is a part."""
    problems = rules.on_site_problems(
        quantity=Decimal(2),
        quantity_unit="kg",
        backup_quantity=Decimal(2),
        sampled_on=TODAY,
        produced_on=None,
        today=TODAY,
        signed_by="张三",
    )
    assert set(problems) == {"backup_quantity"}


@pytest.mark.django_db
def test_photo_view_is_scoped_and_the_page_shows_the_record(task, personas, client_for, media):
    _record(personas("town_a_officer"), task)
    photo = SamplePhoto.objects.get(sample=task)
    url = reverse("sampling:sample_photo", args=[photo.pk])
    own = client_for("town_a_officer").get(url)
    assert own.status_code == 200 and b"".join(own.streaming_content) == _jpeg()
    assert own["Content-Type"] == "image/jpeg"
    assert client_for("town_b_officer").get(url).status_code == 404
    assert (
        client_for("town_b_officer").get(reverse("sampling:sample_form_xlsx", args=[task.pk])).status_code
        == 404
    )
    page = (
        client_for("town_a_officer").get(reverse("sampling:sample_detail", args=[task.pk])).content.decode()
    )
    assert "天津示范面业有限公司" in page and url in page and "data:image/png;base64," in page
    assert 'id="on-site-form"' not in page  # locked: no form any more


@pytest.mark.django_db
def test_the_form_is_offered_on_a_task_and_a_bad_post_names_the_field(task, client_for, media):
    client = client_for("town_a_officer")
    page = client.get(reverse("sampling:sample_detail", args=[task.pk])).content.decode()
    assert 'id="on-site-form"' in page and 'capture="environment"' in page
    response = client.post(
        reverse("sampling:sample_on_site", args=[task.pk]),
        {
            "sampled_on": "2026-03-09",
            "quantity": "6",
            "quantity_unit": "袋",
            "backup_quantity": "0",
            "signed_by": "王店长",
            "signature": _signature(),
        },
    )
    assert response.status_code == 400
    assert "备样数量须大于 0" in response.content.decode()
    _unchanged(task)


@pytest.mark.django_db
def test_the_sampling_form_xlsx_holds_the_record_and_the_signature(task, personas, client_for, media):
    """第十九条: the sampling form, printable, with the business's signature."""
    _record(personas("town_a_officer"), task, manufacturer="=HYPERLINK(1)")
    response = client_for("town_a_officer").get(reverse("sampling:sample_form_xlsx", args=[task.pk]))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    ws = book["抽样单"]
    values = {r[0]: r[1] for r in ws.iter_rows(min_row=3, max_col=2, values_only=True) if r[0]}
    assert values["抽样编号"] == "BC-OS1"
    assert values["抽样数量"] == "6袋" and values["备样数量"] == "2袋"
    assert values["规格型号"] == "500g/袋" and values["批号"] == "20260301A"
    assert values["标称生产企业"] == "'=HYPERLINK(1)"  # formula-guarded
    assert values["被抽样单位签字人"] == "王店长"
    assert len(ws._images) == 1  # the drawn signature


@pytest.mark.django_db
def test_the_bulletin_rows_carry_the_manufacturer_and_specification(task, personas, media):
    from shian.sampling.exports import BULLETIN_HEADERS, bulletin_rows

    _record(personas("town_a_officer"), task)
    row = dict(zip(BULLETIN_HEADERS, bulletin_rows([Sample.objects.get(pk=task.pk)])[0], strict=True))
    assert row["标称生产企业名称"] == "天津示范面业有限公司" and row["规格型号"] == "500g/袋"


@pytest.mark.django_db
def test_the_api_records_on_site_as_the_page_does(task, personas, client, media):
    """POST /api/v1/sampling/samples/{id}/on-site (multipart, with a token): the same service and
    checks as the page; 422 names the problem and saves nothing; another town's sample is 404;
    once recorded the record is locked."""
    from django.utils import timezone

    from shian.core.tokens import api_token_create

    def auth(who: str) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=personas(who), name='t')[1]}"}

    url = f"/api/v1/sampling/samples/{task.pk}/on-site"
    photo = io.BytesIO(_jpeg())
    photo.name = "stock.jpg"
    fields = {
        "sampled_on": timezone.localdate().isoformat(),
        "quantity": "6",
        "quantity_unit": "袋",
        "backup_quantity": "2",
        "backup_kept_by": "承检机构",
        "manufacturer": "天津示范面业有限公司",
        "specification": "500g/袋",
        "signed_by": "王店长",
        "signature": _signature(),
    }
    before = _audits(task)
    bad = client.post(url, {**fields, "backup_quantity": "0"}, **auth("town_a_officer"))
    assert bad.status_code == 422 and "备份样品" in bad.json()["detail"]["backup_quantity"][0]
    _unchanged(task)
    assert client.post(url, {**fields, "photos": photo}, **auth("town_b_officer")).status_code == 404
    _unchanged(task)
    photo.seek(0)
    ok = client.post(url, {**fields, "photos": photo}, **auth("town_a_officer"))
    assert ok.status_code == 200, ok.content
    assert ok.json()["status"] == S.SAMPLED and ok.json()["sampled_on"] == fields["sampled_on"]
    task.refresh_from_db()
    assert task.manufacturer == "天津示范面业有限公司" and task.backup_quantity == Decimal(2)
    assert SamplePhoto.objects.filter(sample=task).count() == 1
    entries = AuditEntry.objects.filter(object_type="sampling.sample", object_id=str(task.pk))
    assert entries.count() == before + 1 and entries.order_by("-seq").first().source == "api"
    again = client.post(url, fields, **auth("town_a_officer"))
    assert again.status_code == 422 and "已锁定" in str(again.json()["detail"])
