"""Disposal (核查处置) of unqualified food: assigned to the business's town, each step with evidence
and a note, closed only when every required step is complete; another town sees nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from shian.core.tests.factories import TOWN_A
from shian.sampling import services
from shian.sampling.models import DisposalStepKind, SampleDeadline
from shian.sampling.tests.helpers import notified_unqualified
from shian.sampling.workflow import SampleStatus as S

ON = dt.date(2026, 3, 24)


@pytest.fixture
def task(personas):
    sample = notified_unqualified(
        officer=personas("district_officer"), lab_user=personas("lab"), code="BC-U1", town=TOWN_A
    )
    return services.disposal_task_open(sample=sample, by=personas("town_a_officer"), on=ON)


def _evidence() -> SimpleUploadedFile:
    return SimpleUploadedFile("seal.pdf", b"%PDF-1.4 evidence", content_type="application/pdf")


@pytest.mark.django_db
def test_task_goes_to_the_business_town_with_the_legal_deadline(task):
    assert task.region_id == TOWN_A
    assert task.sample.status == S.DISPOSAL
    assert task.due == SampleDeadline.objects.get(sample=task.sample, code="disposal").due
    assert task.due == dt.date(2026, 3, 23) + dt.timedelta(days=90)
    assert sorted(task.steps.values_list("kind", flat=True)) == sorted(DisposalStepKind.values)


@pytest.mark.django_db
def test_closing_is_refused_until_every_required_step_is_complete(task, personas, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    officer = personas("town_a_officer")
    with pytest.raises(ValidationError):
        services.disposal_task_close(task=task, by=officer, on=ON)
    with pytest.raises(ValidationError):  # a done step needs its evidence
        services.disposal_step_record(task=task, kind="seal", by=officer, done_on=ON, note="查封 20 袋")
    kinds = list(DisposalStepKind.values)
    for kind in kinds[:-1]:
        services.disposal_step_record(
            task=task, kind=kind, by=officer, done_on=ON, note="已完成", evidence=_evidence()
        )
    with pytest.raises(ValidationError, match="行政处罚"):
        services.disposal_task_close(task=task, by=officer, on=ON)
    services.disposal_step_record(
        task=task,
        kind="penalty",
        by=officer,
        done_on=None,
        note="首次违法且及时改正，不予处罚",
        not_applicable=True,
    )
    task = services.disposal_task_close(task=task, by=officer, on=ON)
    task.sample.refresh_from_db()
    assert (task.status, task.sample.status) == ("closed", S.CLOSED)
    assert SampleDeadline.objects.get(sample=task.sample, code="disposal").met_on == ON


@pytest.mark.django_db
def test_the_sample_cannot_be_closed_around_the_task(task, personas):
    with pytest.raises(ValidationError):
        services.sample_set_status(
            sample=task.sample, status=S.CLOSED, by=personas("district_officer"), on=ON, note="直接结案"
        )


@pytest.mark.django_db
def test_another_town_gets_404_and_cannot_record(task, personas, client_for):
    assert client_for("town_b_officer").get(f"/sampling/disposal/{task.pk}/").status_code == 404
    assert client_for("lab").get(f"/sampling/disposal/{task.pk}/").status_code == 404
    assert client_for("town_a_officer").get(f"/sampling/disposal/{task.pk}/").status_code == 200
    with pytest.raises(Http404):  # another town's task reads as missing
        services.disposal_step_record(
            task=task, kind="seal", by=personas("town_b_officer"), done_on=ON, note="x", evidence=_evidence()
        )
    r = client_for("town_b_officer").post(f"/sampling/disposal/{task.pk}/close/")
    assert r.status_code == 404


@pytest.mark.django_db
def test_a_step_is_recorded_from_the_page_with_its_evidence(task, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = client_for("town_a_officer")
    r = client.post(
        f"/sampling/disposal/{task.pk}/step/",
        {"kind": "seal", "done_on": "2026-03-24", "note": "查封 20 袋", "evidence": _evidence()},
    )
    assert r.status_code == 302
    step = task.steps.get(kind="seal")
    assert step.complete and step.evidence.name.endswith(".pdf")
    assert "查封 20 袋" in client.get(f"/sampling/disposal/{task.pk}/").content.decode()
