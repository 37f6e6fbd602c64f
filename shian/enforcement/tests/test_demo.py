"""The demo's enforcement year: cases across towns and campaigns through the real services, some
transferred, listed, published and repaired; T15 and T21 computed from them."""

from __future__ import annotations

import pytest

from shian.core.indicators import Period, compute
from shian.demo.services import demo_register_generate
from shian.enforcement.demo import demo_enforcement_build
from shian.enforcement.models import Case, CaseCampaign, CreditFiling, Listing, Publication, TypicalCase
from shian.enforcement.workflow import CaseStatus


@pytest.mark.django_db
def test_demo_enforcement(personas, client_for):
    personas("district_officer")
    demo_register_generate(count=400, seed=7)
    assert demo_enforcement_build(seed=7, count=40, out=lambda s: None) == 40
    assert Case.objects.filter(status=CaseStatus.CLOSED).count() > 20
    assert Case.objects.values("region_id").distinct().count() > 3
    assert CaseCampaign.objects.values("campaign").distinct().count() >= 4
    assert Publication.objects.filter(status="published").exists()
    assert TypicalCase.objects.values("quarter").distinct().count() == 4
    assert Listing.objects.exists() and CreditFiling.objects.exists()
    assert compute("enforcement.typical_case_quarters", Period.year(2022)).value == 4
    t21 = compute("enforcement.results_filed", Period.year(2022)).value
    assert t21 is not None and 50 < t21 < 100
    assert demo_enforcement_build(seed=7, count=40, out=lambda s: None) == 0
    # One case page of every status, the credit file of a listed business, the lists: none fails.
    client = client_for("district_officer")
    for status in Case.objects.values_list("status", flat=True).distinct():
        case = Case.objects.filter(status=status).first()
        assert client.get(f"/enforcement/{case.pk}/").status_code == 200, status
    listed = Listing.objects.first()
    assert client.get(f"/enforcement/credit/{listed.business_id}/").status_code == 200
    for url in (
        "/enforcement/",
        "/enforcement/publications/",
        "/enforcement/listings/",
        "/enforcement/filings/",
        "/penalties/",
    ):
        assert client.get(url).status_code == 200, url


@pytest.mark.django_db
def test_expire_command_takes_down_what_ran_its_term(personas, capsys):
    from django.core.management import call_command

    personas("district_officer")
    demo_register_generate(count=200, seed=3)
    demo_enforcement_build(seed=3, count=20, out=lambda s: None)
    current = Publication.objects.filter(status="published").count()
    call_command("enforcement", "expire", "--today", "2030-01-01")
    assert "停止公示" in capsys.readouterr().out
    assert current and not Publication.objects.filter(status="published").exists()
    assert not Listing.objects.filter(status="listed").exists()
