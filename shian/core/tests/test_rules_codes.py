"""Code validators: GB 32100-2015 credit codes, GB 11714 organisation codes, SC/JY licence numbers,
GB/T 2260 division codes. One test per clause, citing it."""

from __future__ import annotations

import pytest

from shian.core.rules import (
    CodeError,
    make_credit_code,
    org_code_check_character,
    township_kind,
    uscc_check_character,
    validate_business_licence,
    validate_credit_code,
    validate_division_code,
    validate_production_licence,
)

# Real credit codes published on the national enterprise credit information system.
REAL_CODES = [
    "91350100M000100Y43",  # the worked example of GB 32100-2015
    "9144030071526726XG",  # 深圳市腾讯计算机系统有限公司
    "91330100799655058B",  # 阿里巴巴（中国）有限公司
    "914403001922038216",  # 华为技术有限公司
    "91110000802100433B",  # 中国银行股份有限公司 — organisation-code check character X-free
]


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_credit_codes_are_accepted(code):
    assert validate_credit_code(code) == code


@pytest.mark.parametrize(
    "typed, canonical",
    [
        ("9144030071526726xg", "9144030071526726XG"),  # lower case
        ("９１４４０３００７１５２６７２６ＸＧ", "9144030071526726XG"),  # full-width, as pasted from Word
        ("  9144030071526726XG\u3000", "9144030071526726XG"),  # surrounding and ideographic spaces
        ("914403 0071526726 XG", "9144030071526726XG"),  # spaces inside, as printed on licences
    ],
)
def test_codes_that_only_need_normalising_are_stored_canonical(typed, canonical):
    assert validate_credit_code(typed) == canonical


@pytest.mark.parametrize("letter", list("IOZSV"))
def test_gb32100_4_3_letters_i_o_z_s_v_are_rejected(letter):
    code = "9144030071526726X" + letter
    with pytest.raises(CodeError) as exc:
        validate_credit_code(code)
    assert exc.value.code == "uscc_charset"
    assert letter in exc.value.message


@pytest.mark.parametrize("code", ["9144030071526726X", "9144030071526726XGG", ""])
def test_wrong_length_is_rejected(code):
    with pytest.raises(CodeError) as exc:
        validate_credit_code(code)
    assert exc.value.code == "uscc_length"


def test_gb32100_5_wrong_final_check_character_is_rejected():
    with pytest.raises(CodeError) as exc:
        validate_credit_code("9144030071526726XH")
    assert exc.value.code == "uscc_check"


def test_gb11714_wrong_embedded_organisation_check_character_is_rejected():
    # Change the organisation code's check character (position 17) and recompute the final one,
    # so only the embedded GB 11714 check can catch it.
    body = "91440300715267260"
    code = body + uscc_check_character(body)
    with pytest.raises(CodeError) as exc:
        validate_credit_code(code)
    assert exc.value.code == "uscc_org_check"


def test_gb32100_4_1_unknown_registration_authority_is_rejected():
    body = "B" + "144030071526726X"
    with pytest.raises(CodeError) as exc:
        validate_credit_code(body + uscc_check_character(body))
    assert exc.value.code == "uscc_authority"


def test_division_part_must_name_a_province():
    code = make_credit_code(authority="9", kind="1", division="990113", org_body="71526726")
    with pytest.raises(CodeError) as exc:
        validate_credit_code(code)
    assert exc.value.code == "uscc_division"


def test_gb11714_check_character_ten_is_written_x_and_eleven_zero():
    assert org_code_check_character("71526726") == "X"  # Tencent's organisation code 71526726-X
    assert org_code_check_character("80210043") == "3"  # Bank of China 80210043-3


def test_made_codes_validate():
    code = make_credit_code(authority="9", kind="1", division="120113", org_body="MA05ABCD")
    assert validate_credit_code(code) == code


@pytest.mark.parametrize("code", ["SC10612011300012", "sc 106 1201 1300 012", "SC20112011300015"])
def test_production_licence_sc_plus_14_digits(code):
    assert validate_production_licence(code).startswith("SC")


@pytest.mark.parametrize(
    "code, reason",
    [
        ("JY10612011300012", "sc_prefix"),
        ("SC1061201130001", "sc_digits"),
        ("SC1061201130001A", "sc_digits"),
        ("SC30612011300012", "sc_category"),
        ("SC10699011300012", "sc_province"),
    ],
)
def test_malformed_production_licences_are_rejected(code, reason):
    with pytest.raises(CodeError) as exc:
        validate_production_licence(code)
    assert exc.value.code == reason


@pytest.mark.parametrize("code", ["JY11201130000011", "jy21201130123456", "ＪＹ31201130000011"])
def test_business_licence_jy_plus_14_digits(code):
    assert validate_business_licence(code).startswith("JY")


@pytest.mark.parametrize(
    "code, reason",
    [
        ("SC11201130000011", "jy_prefix"),
        ("JY1120113000001", "jy_digits"),
        ("JY41201130000011", "jy_kind"),
        ("JY19901130000011", "jy_province"),
    ],
)
def test_malformed_business_licences_are_rejected(code, reason):
    with pytest.raises(CodeError) as exc:
        validate_business_licence(code)
    assert exc.value.code == reason


def test_gbt2260_division_codes():
    assert validate_division_code("120113") == "120113"
    assert validate_division_code("120113001") == "120113001"
    with pytest.raises(CodeError):
        validate_division_code("12011")
    with pytest.raises(CodeError):
        validate_division_code("990113")


@pytest.mark.parametrize(
    "code, kind",
    [("120113001", "street"), ("120113100", "town"), ("120113400", "zone"), ("120113500", "farm")],
)
def test_township_kind_by_serial(code, kind):
    assert township_kind(code) == kind
