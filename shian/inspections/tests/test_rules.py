"""Inspection rules, one test per clause of 总局令第49号 (sources in data/*.toml)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from shian.inspections import rules

R = rules.rules_in_force(dt.date(2024, 1, 1))
CATERING = rules.checklist_for("catering", dt.date(2024, 1, 1))


def test_edition_in_force_and_its_source():
    assert R.id == "samr-49-2022.1" and "49号" in R.source
    with pytest.raises(LookupError):
        rules.rules_in_force(dt.date(2022, 3, 14))


def test_checklists_for_each_sector_have_key_and_general_items():
    """第十三条: the checklist has 重点项目 and 一般项目; templates for production, sale, catering."""
    for btype in ("production", "wholesale_retail", "school_canteen"):
        c = rules.checklist_for(btype, dt.date(2024, 1, 1))
        assert any(i.key for i in c.items) and any(not i.key for i in c.items)
    with pytest.raises(rules.InspectionRuleError):
        rules.checklist_for("spaceship", dt.date(2024, 1, 1))


def _answers(fail: tuple[str, ...] = ()) -> dict[str, str]:
    return {i.code: ("fail" if i.code in fail else "pass") for i in CATERING.items}


def test_result_by_rule():
    """第三十二条、第三十三条: a failed key item → 不符合; only general failures → 基本符合; none → 符合."""
    assert rules.inspection_result(CATERING, _answers(), R) == rules.Result.PASS
    assert rules.inspection_result(CATERING, _answers(("C1", "C2")), R) == rules.Result.BASIC
    assert rules.inspection_result(CATERING, _answers(("C3",)), R) == rules.Result.FAIL
    assert rules.inspection_result(CATERING, _answers(("C1", "C2", "C6", "C7")), R) == rules.Result.FAIL


def test_missing_key_items_are_refused_with_their_codes():
    answers = _answers()
    del answers["C3"], answers["C5"]
    with pytest.raises(rules.InspectionRuleError, match="C3、C5"):
        rules.validate_answers(CATERING, answers, full=False)
    partial = {i.code: "pass" for i in CATERING.items if i.key}
    rules.validate_answers(CATERING, partial, full=False)
    with pytest.raises(rules.InspectionRuleError, match="全项检查"):
        rules.validate_answers(CATERING, partial, full=True)
    with pytest.raises(rules.InspectionRuleError):
        rules.validate_answers(CATERING, {**_answers(), "C3": "maybe"}, full=False)


def test_at_least_two_inspectors():
    """第二十三条."""
    rules.check_inspectors([1, 2], R)
    with pytest.raises(rules.InspectionRuleError, match="不少于2名"):
        rules.check_inspectors([1, 1], R)


def test_full_check_every_two_years():
    """第二十二条: each business gets a full-checklist inspection at least once every two years."""
    assert rules.full_check_due(dt.date(2023, 4, 10), dt.date(2024, 1, 1), R) == dt.date(2025, 4, 10)
    assert rules.full_check_due(None, dt.date(2024, 1, 1), R) == dt.date(2024, 1, 1)


def test_no_repeat_within_three_months_of_higher_level():
    """第四十二条: no re-inspection of the same items within 3 months, unless a violation is suspected."""
    higher = [(dt.date(2024, 3, 10), ["C1", "C3"])]
    assert rules.higher_level_conflict(
        on=dt.date(2024, 6, 9), items=["C1", "C2"], higher_level=higher, rules=R
    ) == ["C1"]
    assert (
        rules.higher_level_conflict(on=dt.date(2024, 6, 10), items=["C1"], higher_level=higher, rules=R) == []
    )
    assert (
        rules.higher_level_conflict(
            on=dt.date(2024, 4, 1), items=["C1"], higher_level=higher, rules=R, suspected_violation=True
        )
        == []
    )


def test_publication_within_20_working_days_is_rule_data():
    """第三十九条."""
    assert R.publish_working_days == 20


def test_campaign_scope():
    c = rules.load_campaigns()["2022-school-spring"]
    assert c.covers(business_type="school_canteen", categories=[], region_code="x", region_level="street")
    assert not c.covers(business_type="catering", categories=["31"], region_code="x", region_level="street")
    rural = rules.load_campaigns()["2022-rural-counterfeit"]
    assert rural.covers(business_type="agri_market", categories=[], region_code="x", region_level="town")
    assert not rural.covers(
        business_type="agri_market", categories=[], region_code="x", region_level="street"
    )
    assert {c.code for c in rules.campaigns_for_year(2022)} >= {"2022-bottom-line", "2022-health-food"}


# --------------------------------------------------------------------------------------------
# Evidence media (data/evidence-media.toml, local technical rules of the platform).

MEDIA = rules.media_limits_in_force(dt.date(2024, 1, 1))


def test_media_limits_edition_and_its_source():
    """evidence-media.toml: a local technical rule set (本平台技术规定), versioned like the others."""
    assert MEDIA.verification == "local" and "技术规定" in MEDIA.source
    assert MEDIA.photo_types == ("jpeg", "png", "webp")
    # The first edition governs older records too (an inspection of 2021 viewed today) ...
    assert MEDIA.applies_before_valid_from
    assert rules.media_limits_in_force(dt.date(2020, 1, 1)) == rules.media_limits_in_force(MEDIA.valid_from)
    # ... but an edition that does not say so leaves earlier dates without limits, named in the error.
    strict = dataclasses.replace(MEDIA, applies_before_valid_from=False)
    with pytest.raises(LookupError, match="2020-01-01"):
        rules.media_limits_in_force(dt.date(2020, 1, 1), editions=[strict])


def test_photo_kind_is_read_from_content_not_name():
    """evidence-media.toml photo_types: JPEG, PNG, WebP only, known by their magic bytes."""
    from .media_helpers import jpeg_photo, png_photo

    assert rules.check_photo(name="a.txt", size=10, head=png_photo()[:16], limits=MEDIA) == "png"
    assert rules.check_photo(name="a.png", size=10, head=jpeg_photo()[:16], limits=MEDIA) == "jpeg"
    assert rules.image_kind(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "webp"
    for head in (b"GIF89a\x00\x00", b"%PDF-1.7", b"<svg xmlns"):
        with pytest.raises(rules.InspectionRuleError, match="JPEG、PNG、WebP"):
            rules.check_photo(name="x.jpg", size=10, head=head, limits=MEDIA)


def test_photo_size_and_pixel_limits():
    """evidence-media.toml photo_max_bytes and photo_max_pixels (a decompression bomb is refused)."""
    with pytest.raises(rules.InspectionRuleError, match="超过上限 8 MB"):
        rules.check_photo(name="big.jpg", size=MEDIA.photo_max_bytes + 1, head=b"\xff\xd8\xff", limits=MEDIA)
    rules.check_photo(name="ok.jpg", size=MEDIA.photo_max_bytes, head=b"\xff\xd8\xff", limits=MEDIA)
    with pytest.raises(rules.InspectionRuleError, match="过大"):
        rules.check_photo_pixels(name="bomb.png", width=50_000, height=50_000, limits=MEDIA)


def test_signature_must_be_a_png_data_url_within_the_limit():
    """evidence-media.toml signature_max_bytes: the canvas's PNG data URL, nothing else."""
    from .media_helpers import signature_url

    png = rules.decode_signature(signature_url(), MEDIA)
    assert png.startswith(rules.PNG_MAGIC)
    with pytest.raises(rules.InspectionRuleError, match="PNG"):
        rules.decode_signature("data:image/svg+xml;base64,PHN2Zz4=", MEDIA)
    with pytest.raises(rules.InspectionRuleError, match="PNG"):
        rules.decode_signature("data:image/png;base64,R0lGODlhAQABAAAAACw=", MEDIA)  # a GIF inside
    with pytest.raises(rules.InspectionRuleError, match="超过上限"):
        rules.decode_signature("data:image/png;base64," + "A" * (MEDIA.signature_max_bytes * 2), MEDIA)


def test_blank_signature_is_refused_and_the_plain_reader_agrees_with_pillow():
    """evidence-media.toml signature_min_ink_pixels: fewer inked pixels is a blank signature."""
    from shian.inspections import media

    from .media_helpers import signature_url

    drawn = rules.decode_signature(signature_url(), MEDIA)
    blank = rules.decode_signature(signature_url(blank=True), MEDIA)
    plain = rules.png_ink_pixels(drawn, max_pixels=MEDIA.signature_max_pixels)
    assert plain > 1000 and abs(plain - media.signature_ink_pixels(drawn, limits=MEDIA)) <= plain // 100
    assert rules.png_ink_pixels(blank, max_pixels=MEDIA.signature_max_pixels) == 0
    assert media.signature_ink_pixels(blank, limits=MEDIA) == 0
    rules.check_signature_ink(plain, MEDIA)
    with pytest.raises(rules.InspectionRuleError, match="空白"):
        rules.check_signature_ink(MEDIA.signature_min_ink_pixels - 1, MEDIA)
    with pytest.raises(rules.InspectionRuleError, match="过大"):
        rules.png_ink_pixels(drawn, max_pixels=1000)
