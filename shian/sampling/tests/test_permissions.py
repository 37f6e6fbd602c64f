"""Permission matrix of the sampling pages and endpoints over every persona (STYLE.md rule 11):
403 for a page the role may not use, 404 for a sample outside the person's scope."""

from __future__ import annotations

import pytest

from shian.core.tests.factories import PERSONAS, TOWN_A
from shian.sampling.tests.helpers import notified_unqualified

EVERYONE = dict.fromkeys(PERSONAS, 200)
LIST = {**EVERYONE, "anonymous": 302}
# A wholesale business in town A, tested by the lab persona's lab.
DETAIL = {**EVERYONE, "town_b_officer": 404, "education_liaison": 404, "anonymous": 302}
IMPORT = {**LIST, "education_liaison": 403, "inspector": 403, "town_a_inspector": 403, "viewer": 403}
STATUS_POST = {
    **dict.fromkeys(PERSONAS, 403),
    "district_admin": 302,
    "district_officer": 302,
    "town_a_officer": 302,
    "town_b_officer": 404,
    "education_liaison": 404,
    "anonymous": 302,
}
DISPOSAL = {**DETAIL, "lab": 404}
API_LIST = {**EVERYONE, "anonymous": 401}
API_DETAIL = {**DETAIL, "anonymous": 401}


@pytest.fixture
def sample(personas):
    return notified_unqualified(
        officer=personas("district_officer"), lab_user=personas("lab"), code="BC-M1", town=TOWN_A
    )


@pytest.mark.django_db
@pytest.mark.parametrize("who", [*PERSONAS, "anonymous"])
def test_matrix(who, sample, personas, client_for):
    from shian.sampling import services

    task = services.disposal_task_open(
        sample=sample, by=personas("district_officer"), on=sample.history.last().on
    )
    client = client_for(who)
    got = {
        "list": client.get("/sampling/").status_code,
        "export": client.get("/sampling/export.xlsx").status_code,
        "unqualified": client.get("/sampling/unqualified/").status_code,
        "detail": client.get(f"/sampling/{sample.pk}/").status_code,
        "import": client.get("/sampling/results/import/").status_code,
        "disposal": client.get(f"/sampling/disposal/{task.pk}/").status_code,
        "api_list": client.get("/api/v1/sampling/samples").status_code,
        "api_detail": client.get(f"/api/v1/sampling/samples/{sample.pk}").status_code,
    }
    want = {
        "list": LIST[who],
        "export": LIST[who],
        "unqualified": LIST[who],
        "detail": DETAIL[who],
        "import": IMPORT[who],
        "disposal": DISPOSAL[who],
        "api_list": API_LIST[who],
        "api_detail": API_DETAIL[who],
    }
    assert got == want
    # a status change last: it alters the sample (the disposal is open, so "closed" is refused
    # by the service after the permission checks: a redirect with a message)
    r = client.post(f"/sampling/{sample.pk}/status/", {"status": "closed"})
    assert r.status_code == STATUS_POST[who]


@pytest.mark.django_db
def test_the_list_filters_and_exports_in_the_bulletin_layout(sample, client_for):
    client = client_for("town_a_officer")
    r = client.get("/sampling/?status=notified", HTTP_HX_REQUEST="true")
    assert "BC-M1" in r.content.decode() and "<html" not in r.content.decode()
    assert "BC-M1" not in client.get("/sampling/?status=closed").content.decode()
    assert "BC-M1" in client.get("/sampling/unqualified/").content.decode()
    detail = client.get(f"/sampling/{sample.pk}/").content.decode()
    assert "GB 2762-2022" in detail and "≤0.2mg/kg" in detail
    import io

    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_filelike(io.BytesIO(client.get("/sampling/export.xlsx").content))
    rows = book.get_sheet_by_index(0).to_python()
    assert rows[1][7] == "不合格项目║检验结果║标准值"
    assert rows[2][7] == "镉(以Cd计)║0.32mg/kg║≤0.2mg/kg"


@pytest.mark.django_db
def test_the_unqualified_list_shows_a_disposal_task_only_to_whom_may_open_it(sample, personas, client_for):
    """The lab sees its unqualified result on the list, but not the town's disposal task: no link
    to a page that answers 404 to it, and not the task's status or due date either."""
    from shian.sampling import services

    task = services.disposal_task_open(
        sample=sample, by=personas("district_officer"), on=sample.history.last().on
    )
    link = f"/sampling/disposal/{task.pk}/"
    officer = client_for("town_a_officer").get("/sampling/unqualified/").content.decode()
    assert "BC-M1" in officer and link in officer
    assert client_for("town_a_officer").get(link).status_code == 200
    lab = client_for("lab").get("/sampling/unqualified/").content.decode()
    assert "BC-M1" in lab
    assert link not in lab
    assert task.due.isoformat() not in lab
