"""Identifiers in one canonical form: EPC URNs and Digital Links of the same key agree (GS1 Digital
Link 1.2 §4.11; EPC Tag Data Standard §6), a code typed on the consumer page is found whatever its
form, and Chinese trace codes map to the same model."""

from __future__ import annotations

from shian.trace.identifiers import (
    canonical_identifier,
    gs1_check_digit,
    parse_gs1_element_string,
    public_code,
    resolve_typed_code,
)


def test_check_digit_of_known_keys():
    # GS1 General Specifications' worked example GTIN 629104150021 + 3; EAN-13 of a Chinese product.
    assert gs1_check_digit("629104150021") == "3"
    assert gs1_check_digit("690123456789") == "2"


def test_urn_and_digital_link_agree():
    assert (
        canonical_identifier("urn:epc:class:lgtin:4012345.012345.998877")
        == "https://id.gs1.org/01/04012345123456/10/998877"
    )
    assert (
        canonical_identifier("urn:epc:id:sgtin:0614141.107346.2017")
        == "https://id.gs1.org/01/10614141073464/21/2017"
    )
    assert (
        canonical_identifier("urn:epc:id:sscc:0614141.1234567890")
        == "https://id.gs1.org/00/106141412345678908"
    )
    assert (
        canonical_identifier("urn:epc:id:sgln:0614141.07346.1234")
        == "https://id.gs1.org/414/0614141073467/254/1234"
    )
    assert canonical_identifier("urn:epc:id:sgln:0614141.07346.0") == "https://id.gs1.org/414/0614141073467"
    # A company's own resolver, a query string, a lot and a serial: the finest key is kept.
    assert (
        canonical_identifier("https://brand.example.cn/01/4012345123456/10/998877/21/7?17=251231")
        == "https://id.gs1.org/01/04012345123456/21/7"
    )
    assert canonical_identifier("urn:cn:trace:salt:ABC") == "urn:cn:trace:salt:ABC"


def test_codes_a_consumer_types():
    dl = "https://id.gs1.org/01/06901234567892/10/A2203"
    assert parse_gs1_element_string("(01)06901234567892(10)A2203") == dl
    assert parse_gs1_element_string("(01)06901234567893(10)A2203") is None  # wrong check digit
    assert resolve_typed_code("(01) 06901234567892 (10) A2203") == [dl]
    assert resolve_typed_code(public_code(dl)) == [dl]
    formula = resolve_typed_code("6901 2345 6789 0123")
    assert "urn:cn:trace:formula:6901234567890123" in formula
    assert resolve_typed_code(public_code("urn:cn:trace:salt:SALT22030001")) == [
        "urn:cn:trace:salt:SALT22030001"
    ]
    assert resolve_typed_code("") == [] and resolve_typed_code("x" * 400) == []
