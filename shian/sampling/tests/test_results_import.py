"""Lab results: a lab sees only its samples; the file import is all or nothing with located errors;
the API records through the same service."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404

from shian.core.tests.factories import TOWN_A, TOWN_B
from shian.sampling import imports, selectors, services
from shian.sampling.models import Lab, Sample
from shian.sampling.models import TestItem as Item  # not "Test*": pytest would try to collect it
from shian.sampling.tests.helpers import delivered_sample, lab_for

ON = dt.date(2026, 3, 20)


def _csv(*rows: str) -> bytes:
    return ("样品编号,检验项目,检验结果,单位,方法检出限\n" + "\n".join(rows) + "\n").encode()


@pytest.fixture
def setup(personas):
    officer, lab_user = personas("district_officer"), personas("lab")
    ours = lab_for(lab_user)
    other = Lab.objects.create(name="别家检测公司", cma_number="CMA-999")
    a = delivered_sample(officer=officer, lab=ours, code="BC-A", town=TOWN_A)
    b = delivered_sample(officer=officer, lab=ours, code="BC-B", town=TOWN_B)
    c = delivered_sample(officer=officer, lab=other, code="BC-C", town=TOWN_A)
    return officer, lab_user, a, b, c


@pytest.mark.django_db
def test_a_lab_sees_only_the_samples_sent_to_it(setup, client_for):
    _officer, lab_user, a, _b, c = setup
    assert set(selectors.samples_for_user(lab_user).values_list("code", flat=True)) == {"BC-A", "BC-B"}
    client = client_for("lab")
    assert client.get(f"/sampling/{a.pk}/").status_code == 200
    assert client.get(f"/sampling/{c.pk}/").status_code == 404
    assert client.get(f"/api/v1/sampling/samples/{c.pk}").status_code == 404


@pytest.mark.django_db
def test_a_lab_cannot_record_results_of_another_labs_sample(setup):
    _officer, lab_user, _a, _b, c = setup
    with pytest.raises(Http404):  # another lab's sample is not found, as if missing
        services.sample_results_record(sample=c, results=[("镉(以Cd计)", "0.1mg/kg")], by=lab_user, on=ON)


@pytest.mark.django_db
def test_a_clean_file_is_judged_and_written(setup):
    _officer, lab_user, a, b, _c = setup
    report = imports.results_import(
        by=lab_user,
        filename="r.csv",
        content=_csv(
            "BC-A,镉(以Cd计),0.32,mg/kg,0.002",
            "BC-A,铅(以Pb计),0.05mg/kg,,",
            "BC-B,镉(以Cd计),50,μg/kg,2μg/kg",
        ),
        on=ON,
    )
    assert report.ok, report.lines()
    assert (report.rows, report.samples, report.unqualified) == (3, 2, 1)
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.conclusion, b.conclusion) == ("unqualified", "qualified")
    cd = Item.objects.get(sample=a, item="镉(以Cd计)")
    assert (cd.result, cd.limit_text, cd.edition, cd.detection_limit) == (
        "0.32mg/kg",
        "≤0.2mg/kg",
        "GB 2762-2022",
        "0.002",
    )
    # each result carries its own sample's town, so a town's results are read without the samples
    assert sorted(Item.objects.values_list("sample__code", "region_id")) == [
        ("BC-A", TOWN_A),
        ("BC-A", TOWN_A),
        ("BC-B", TOWN_B),
    ]


@pytest.mark.django_db
def test_any_error_writes_nothing_and_each_is_located(setup):
    _officer, lab_user, _a, _b, _c = setup
    report = imports.results_import(
        by=lab_user,
        filename="r.csv",
        content=_csv(
            "BC-A,镉(以Cd计),0.32,mg/kg,0.002",  # clean
            "BC-A,铅(以Pb计),很多,mg/kg,",  # unreadable value
            "BC-B,镉(以Cd计),0.001,mg/kg,0.002",  # below the method detection limit
            "BC-C,镉(以Cd计),0.1,mg/kg,",  # another lab's sample
            "BC-B,汞,0.01,斤,",  # unknown unit
            "BC-A,镉(以Cd计),0.3,mg/kg,",  # duplicate item
        ),
        on=ON,
    )
    assert not report.ok
    located = {(i.row, i.column.split("（")[0], i.value) for i in report.issues}
    assert (3, "C", "很多") in located
    assert (4, "C", "0.001") in located
    assert (5, "A", "BC-C") in located
    assert (6, "D", "斤") in located
    assert (7, "B", "镉(以Cd计)") in located
    assert Item.objects.count() == 0
    assert set(Sample.objects.values_list("status", flat=True)) == {"delivered"}
    assert imports.results_error_workbook(report=report)[:2] == b"PK"


@pytest.mark.django_db
def test_the_import_page_reports_problems_and_imports_a_clean_xlsx(setup, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from shian.core.xlsx import table_xlsx

    client = client_for("lab")
    bad = SimpleUploadedFile("r.csv", _csv("BC-A,镉(以Cd计),,mg/kg,"))
    r = client.post("/sampling/results/import/", {"file": bad})
    assert r.status_code == 200 and "必填项为空" in r.content.decode()
    book = table_xlsx(
        title="结果", headers=imports.TEMPLATE_HEADERS, rows=[["BC-A", "镉(以Cd计)", "0.1", "mg/kg", "0.002"]]
    )
    r = client.post("/sampling/results/import/", {"file": SimpleUploadedFile("r.xlsx", book)})
    assert r.status_code == 200
    assert Sample.objects.get(code="BC-A").conclusion == "qualified"


@pytest.mark.django_db
def test_the_api_records_results_through_the_same_checks(setup, client_for):
    _officer, _lab_user, a, b, _c = setup
    client = client_for("lab")
    r = client.post(
        f"/api/v1/sampling/samples/{a.pk}/results",
        {"on": "2026-03-20", "items": [{"item": "镉(以Cd计)", "result": "0.32", "unit": "mg/kg"}]},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["conclusion"] == "unqualified" and body["items"][0]["standard"].startswith("GB 2762")
    assert list(Item.objects.filter(sample=a).values_list("region_id", flat=True)) == [a.region_id]
    r = client.post(
        f"/api/v1/sampling/samples/{b.pk}/results",
        {"items": [{"item": "镉(以Cd计)", "result": "很多"}]},
        content_type="application/json",
    )
    assert r.status_code == 422
    assert not Item.objects.filter(sample=b).exists()


@pytest.mark.django_db
def test_a_town_office_reads_the_results_of_its_own_town_by_their_region(setup, personas):
    _officer, lab_user, a, b, _c = setup
    for sample in (a, b):
        services.sample_results_record(
            sample=sample, results=[("镉(以Cd计)", "0.5mg/kg")], by=lab_user, on=ON
        )
    town_a = personas("town_a_officer")
    assert list(selectors.results_for_user(town_a).values_list("sample__code", flat=True)) == ["BC-A"]
    district = selectors.results_for_user(personas("district_officer"))
    assert sorted(district.values_list("sample__code", flat=True)) == ["BC-A", "BC-B"]
    assert list(
        selectors.results_for_user(lab_user).order_by("sample__code").values_list("region_id", flat=True)
    ) == [
        TOWN_A,
        TOWN_B,
    ]
