"""Two officers on the same rectification order or draft inspection (core.concurrency): the second
save, made from the page the first save changed, is refused with the message and writes nothing;
loaded again, it goes through."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from shian.core.concurrency import CONFLICT_MESSAGE, row_version
from shian.core.models import AuditEntry, AuditSource, Role
from shian.core.tests.factories import TOWN_A, UserFactory
from shian.core.tokens import api_token_create
from shian.inspections import services
from shian.inspections.models import Inspection, Rectification
from shian.registry.tests.factories import make_business

pytestmark = pytest.mark.django_db
ALL = ["C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8", "C9"]
TODAY = dt.date(2024, 10, 21)  # a Monday


@pytest.fixture
def order(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)
    team = [
        UserFactory.create(username=f"v{n}", role=Role.INSPECTOR, full_name=f"检查员{n}") for n in range(2)
    ]
    business = make_business(name="果园新村甲饭店", region_code=TOWN_A, business_type="catering")
    i = services.inspection_create(
        actor=None,
        source=AuditSource.SYSTEM,
        business=business,
        inspected_on=dt.date(2024, 10, 14),
        inspectors=team,
    )
    services.inspection_record_answers(
        actor=None,
        source=AuditSource.SYSTEM,
        inspection=i,
        answers={c: ("fail" if c == "C1" else "pass") for c in ALL},
        findings={"C1": "从业人员健康证过期"},
    )
    services.inspection_sign(actor=None, source=AuditSource.SYSTEM, inspection=i, signed_by="负责人")
    services.inspection_submit(actor=None, source=AuditSource.SYSTEM, inspection=i)
    return {"r": Rectification.objects.get(finding__inspection=i), "team": team, "business": business}


def _officer(name: str) -> Client:
    client = Client()
    client.force_login(
        UserFactory.create(username=name, role=Role.DISTRICT_OFFICER),
        backend="django.contrib.auth.backends.ModelBackend",
    )
    return client


def _version_on(page) -> str:
    assert page.status_code == 200, page.status_code
    found = re.search(r'name="version" value="([0-9a-f]{16})"', page.content.decode())
    assert found, "the edit form carries no version"
    return found.group(1)


def test_two_officers_extend_the_same_order(order):
    r = order["r"]
    url = f"/inspections/rectifications/{r.pk}/"
    wang, li = _officer("wang"), _officer("li")
    seen_by_wang = _version_on(wang.get(url))
    seen_by_li = _version_on(li.get(url))
    assert seen_by_wang == seen_by_li == row_version(r)

    # Li extends the order to 11-08 first.
    done = li.post(
        url, {"action": "extend", "due": "2024-11-08", "reason": "设备待更换", "version": seen_by_li}
    )
    assert done.status_code == 302
    r.refresh_from_db()
    assert r.due == dt.date(2024, 11, 8)

    # Wang, still on the page as it was, extends it to 11-01: refused, Li's date stays.
    entries = AuditEntry.objects.count()
    stale = wang.post(
        url,
        {"action": "extend", "due": "2024-11-01", "reason": "整改中", "version": seen_by_wang},
        HTTP_REFERER=url,
    )
    assert stale.status_code == 409
    assert CONFLICT_MESSAGE in stale.content.decode()
    # Both values of the field that differs: Li's stored date and the one Wang typed.
    table = re.search(r'<table class="table conflict-fields">.*?</table>', stale.content.decode(), re.S)
    assert table, "the conflict page shows no field comparison"
    row = re.search(r"<tr><th scope=\"row\">[^<]+</th><td>([^<]+)</td><td>([^<]+)</td></tr>", table.group(0))
    assert row and row.groups() == ("2024-11-08", "2024-11-01")
    r.refresh_from_db()
    assert r.due == dt.date(2024, 11, 8)
    assert AuditEntry.objects.count() == entries

    # Loaded again, Wang sees 11-08 and a new version; his change now goes through.
    fresh = _version_on(wang.get(url))
    assert fresh != seen_by_wang
    again = wang.post(url, {"action": "extend", "due": "2024-11-15", "reason": "整改中", "version": fresh})
    assert again.status_code == 302
    r.refresh_from_db()
    assert r.due == dt.date(2024, 11, 15)


def test_close_over_an_extension_made_through_the_api_is_refused(order):
    """The API and the page share the version: an API client that read the order before an officer
    extended it gets 409 with the stored version, and nothing is closed."""
    r = order["r"]
    user = UserFactory.create(username="tablet", role=Role.DISTRICT_OFFICER)
    _, key = api_token_create(user=user, name="tablet")
    read = row_version(r)
    services.rectification_extend(
        actor=user, source=AuditSource.WEB, rectification=r, due=dt.date(2024, 11, 8), reason="设备待更换"
    )
    response = Client().post(
        f"/api/v1/inspections/rectifications/{r.pk}/close",
        {"closed_on": TODAY.isoformat(), "version": read},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 409
    r.refresh_from_db()
    assert response.json()["current_version"] == row_version(r)
    assert {"field": "closed_on", "current": None, "yours": TODAY.isoformat()} in response.json()["fields"]
    assert r.closed_on is None


def test_draft_inspection_saved_by_a_colleague_meanwhile(order):
    """Two inspectors on one draft (tablet and desk): the second save from the older page is refused;
    the first one's answers stay."""
    business = order["business"]
    draft = services.inspection_create(
        actor=None, source=AuditSource.SYSTEM, business=business, inspected_on=TODAY, inspectors=order["team"]
    )
    url = f"/inspections/{draft.pk}/"
    tablet, desk = _officer("tablet"), _officer("desk")
    v_tablet = _version_on(tablet.get(url))
    v_desk = _version_on(desk.get(url))
    assert tablet.post(url, {"a_C1": "fail", "f_C1": "冷库温度超标", "version": v_tablet}).status_code == 302
    stale = desk.post(url, {"a_C1": "pass", "version": v_desk})
    assert stale.status_code == 409
    draft = Inspection.objects.get(pk=draft.pk)
    assert draft.answers.get("C1") == "fail"
    assert draft.findings.get(item_code="C1").description == "冷库温度超标"
