"""The licence application workflow: acceptance, the clock, the grant onto the register, scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from shian.core.models import AuditEntry, AuditSource
from shian.registry import selectors, services
from shian.registry.models import ApplicationPerson, Business, LicenceApplication
from shian.registry.services import PersonInput
from shian.registry.tests.factories import credit_code, make_business

D = dt.date
WEB = AuditSource.WEB
pytestmark = pytest.mark.django_db

LEGAL_REP = PersonInput(role="legal_representative", name="张建国", id_number="120113198003154417")


def _new(actor, **kw):
    data = {
        "actor": actor,
        "source": WEB,
        "kind": "new",
        "category": "business",
        "received_on": D(2024, 3, 4),
        "persons": [LEGAL_REP],
        "applicant_name": "北辰区果园新村张记面馆",
        "credit_code": credit_code(),
        "address": "天津市北辰区果园新村街道北仓道12号",
        "region_code": "120113001",
        "business_type": "catering",
    } | kw
    return services.application_submit(**data)


def test_acceptance_counts_ten_working_days_and_keeps_no_id_number(personas):
    app = _new(personas("town_a_officer"))
    # Mon 4 Mar 2024 + 10 working days (no holiday) = Mon 18 Mar.
    assert app.due_on == D(2024, 3, 18) and app.status == "accepted" and app.ban_blocks == []
    person = ApplicationPerson.objects.get(application=app)
    assert person.id_masked == "1201**********4417" and len(person.id_key) == 64
    assert "120113198003154417" not in str(
        list(AuditEntry.objects.filter(object_type="registry.licenceapplication").values())
    )


def test_deadline_of_an_application_accepted_the_day_before_national_day_skips_the_holiday(personas):
    # Accepted Mon 30 Sep 2024. 1–7 Oct are off, Sat 12 Oct is a make-up working day (国务院办公厅
    # 2024 年部分节假日安排): 8, 9, 10, 11, 12, 14, 15, 16, 17, 18 Oct — due Fri 18 Oct.
    app = _new(personas("town_a_officer"), received_on=D(2024, 9, 30))
    assert app.due_on == D(2024, 10, 18) and not app.due_provisional


def test_grant_writes_a_five_year_licence_onto_a_new_business_audited(personas):
    officer = personas("town_a_officer")
    app = _new(officer)
    services.application_transition(
        actor=officer, source=WEB, application=app, target="review", on=D(2024, 3, 6)
    )
    app = services.application_transition(
        actor=officer, source=WEB, application=app, target="granted", on=D(2024, 3, 12)
    )
    business = Business.objects.get(pk=app.business_id)
    assert business.business_licence == app.licence_number and app.licence_number.startswith("JY2120113")
    assert business.licence_valid_until == D(2029, 3, 11) == app.licence_valid_until
    assert business.legal_representative == "张建国"
    assert list(app.steps.values_list("to_status", flat=True)) == ["accepted", "review", "granted"]
    assert AuditEntry.objects.filter(object_type="registry.business", object_id=str(business.pk)).exists()


def test_renewal_extends_the_licence_of_a_business_on_the_register(personas):
    officer = personas("town_a_officer")
    shop = make_business(
        name="果园新村示范超市",
        business_type="wholesale_retail",
        business_licence="JY11201130012345",
        licence_valid_until=D(2024, 6, 30),
    )
    app = services.application_submit(
        actor=officer,
        source=WEB,
        kind="renewal",
        category="business",
        received_on=D(2024, 5, 6),
        persons=[LEGAL_REP],
        business=shop,
    )
    services.application_transition(
        actor=officer, source=WEB, application=app, target="review", on=D(2024, 5, 7)
    )
    services.application_transition(
        actor=officer, source=WEB, application=app, target="granted", on=D(2024, 5, 10)
    )
    shop.refresh_from_db()
    assert shop.business_licence == "JY11201130012345" and shop.licence_valid_until == D(2029, 6, 30)


def test_refusal_needs_a_reason_and_a_bad_move_is_refused(personas):
    officer = personas("town_a_officer")
    app = _new(officer)
    with pytest.raises(ValidationError) as exc:
        services.application_transition(
            actor=officer, source=WEB, application=app, target="granted", on=D(2024, 3, 6)
        )
    assert "target" in exc.value.message_dict
    services.application_transition(
        actor=officer, source=WEB, application=app, target="review", on=D(2024, 3, 6)
    )
    with pytest.raises(ValidationError) as exc:
        services.application_transition(
            actor=officer, source=WEB, application=app, target="refused", on=D(2024, 3, 7)
        )
    assert "reason" in exc.value.message_dict
    app = services.application_transition(
        actor=officer,
        source=WEB,
        application=app,
        target="refused",
        on=D(2024, 3, 7),
        reason="经营场所与申请材料不符",
    )
    assert app.status == "refused" and app.decided_on == D(2024, 3, 7)


def test_bad_input_names_every_field_and_writes_nothing(personas):
    with pytest.raises(ValidationError) as exc:
        _new(
            personas("town_a_officer"),
            applicant_name=" ",
            credit_code="91120113XXXXXXXXXX",
            persons=[PersonInput(role="legal_representative", name="", id_number="1234")],
        )
    errors = exc.value.message_dict
    assert {"applicant_name", "credit_code", "persons[1].name", "persons[1].id_number"} <= set(errors)
    assert not LicenceApplication.objects.exists()


def test_town_officer_cannot_accept_for_another_town(personas):
    with pytest.raises(ValidationError) as exc:
        _new(personas("town_b_officer"))
    assert "region_code" in exc.value.message_dict


def test_out_of_scope_application_is_404(personas):
    app = _new(personas("town_a_officer"))
    assert selectors.application_get_for_user(user=personas("town_a_officer"), pk=app.pk) == app
    with pytest.raises(Http404):
        selectors.application_get_for_user(user=personas("town_b_officer"), pk=app.pk)
    with pytest.raises(Http404):
        services.application_transition(
            actor=personas("town_b_officer"), source=WEB, application=app, target="review", on=D(2024, 3, 6)
        )


def test_pages_accept_show_the_clock_and_export(client_for, personas):
    client = client_for("town_a_officer")
    response = client.post(
        "/registry/applications/new/",
        {
            "kind": "new",
            "category": "business",
            "received_on": "2024-09-30",
            "applicant_name": "北辰区果园新村李记饺子馆",
            "address": "天津市北辰区果园新村街道北仓道20号",
            "region_code": "120113001",
            "business_type": "catering",
            "person1_role": "legal_representative",
            "person1_name": "李秀英",
            "person1_id": "120113198511200026",
        },
    )
    app = LicenceApplication.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/applications/{app.pk}/")
    page = client.get(f"/registry/applications/{app.pk}/").content.decode()
    assert "2024-10-18" in page and "1201**********0026" in page and "120113198511200026" not in page
    listing = client.get("/registry/applications/?kind=new&q=饺子").content.decode()
    assert "北辰区果园新村李记饺子馆" in listing
    export = client.get("/registry/applications/export.xlsx")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxml")
    # A located error, nothing written, the typed name kept and the id number not sent back.
    bad = client.post(
        "/registry/applications/new/", {"kind": "new", "person1_name": "王五", "person1_id": "12011319857"}
    )
    body = bad.content.decode()
    assert (
        bad.status_code == 422
        and "第 1 名人员" in body
        and 'value="王五"' in body
        and "12011319857" not in body
    )
    assert LicenceApplication.objects.count() == 1


def test_todo_lists_applications_near_their_deadline(personas):
    from shian.registry.todo import registry_todo

    officer = personas("town_a_officer")
    _new(officer, received_on=D(2024, 9, 30))  # due 18 Oct 2024
    items = {i.key: i for i in registry_todo(officer, D(2024, 10, 16))}
    assert items["licence_applications_due_soon"].count == 1
    assert items["licence_applications_due_soon"].due == D(2024, 10, 18)
    late = {i.key: i for i in registry_todo(officer, D(2024, 10, 21))}
    assert late["licence_applications_overdue"].overdue
    assert registry_todo(personas("town_b_officer"), D(2024, 10, 16)) == []
