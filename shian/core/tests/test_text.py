"""One check for every text field (core.rules.text_problem): its length and no control
characters, in forms, the API, imports and, as the last line, on every save."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from shian.core.rules import text_problem
from shian.core.tests.factories import TOWN_A
from shian.core.tokens import api_token_create
from shian.registry.models import Business
from shian.registry.tests.factories import credit_code, make_business


@pytest.mark.parametrize(
    ("value", "multiline", "words"),
    [
        ("果园\x00餐厅", False, "U+0000（第3个字符）"),
        ("果园\x1b[31m餐厅", False, "U+001B"),
        ("果园\x7f", False, "U+007F"),
        ("第一行\n第二行", False, "U+000A"),
        ("甲\u2028乙", True, "U+2028"),
    ],
)
def test_control_characters_are_named_with_their_position(value, multiline, words):
    assert words in text_problem(value, multiline=multiline)


def test_a_multiline_text_keeps_its_lines_and_tabs_and_length_is_counted_in_characters():
    assert text_problem("第一行\r\n\t第二行", multiline=True) is None
    assert text_problem("食" * 200, max_length=200) is None
    assert text_problem("食" * 201, max_length=200) == "不能超过200个字符（现为201个）"


@pytest.mark.django_db
def test_no_save_stores_an_overlong_text_or_a_control_character():
    b = make_business(name="果园新村甲餐厅", region_code=TOWN_A, business_type="catering")
    b.name = "标" * 1_000_000
    with pytest.raises(ValidationError) as err:
        b.save()
    assert "name" in err.value.message_dict
    b.refresh_from_db()
    b.address = "测试路\x00号"
    with pytest.raises(ValidationError):
        b.save()
    assert Business.objects.get(pk=b.pk).name == "果园新村甲餐厅"


@pytest.mark.django_db
def test_the_api_refuses_a_nul_in_a_name_and_an_overlong_address(personas, client_for):
    _, key = api_token_create(user=personas("district_officer"), name="t")
    client = client_for("anonymous")

    def create(**extra):
        body = {
            "name": "接口新增餐厅",
            "credit_code": credit_code(),
            "business_type": "catering",
            "categories": ["31"],
            "region_code": TOWN_A,
            "address": "测试路9号",
            **extra,
        }
        return client.post(
            "/api/v1/businesses/", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}"
        )

    r = create(name="接口\x00餐厅")
    assert r.status_code == 422 and "U+0000" in r.content.decode()
    r = create(address="路" * 201)
    assert r.status_code == 422 and "200" in r.content.decode()
    assert not Business.objects.exists()


@pytest.mark.django_db
def test_the_import_refuses_control_characters_by_cell(personas):
    from shian.registry.imports import business_import

    content = (
        "名称,统一社会信用代码,业态,所属镇街,地址\n"
        f"果园\x07餐厅,{credit_code()},餐饮服务,果园新村街道,测试路1号\n"
    ).encode()
    report = business_import(
        actor=personas("district_officer"), source="import", filename="x.csv", content=content
    )
    assert not report.ok
    assert any("U+0007" in i.reason for i in report.issues)
    assert not Business.objects.exists()
