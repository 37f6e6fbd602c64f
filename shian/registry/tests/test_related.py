"""A business's page links what the modules hold about it (core.related): its licence, red once
expired; any module's provider adds its link without touching the register (the hook cases and
the credit file will use); a person sees only what is theirs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from shian.core import related
from shian.core.related import RelatedLink
from shian.core.tests.factories import TOWN_A
from shian.registry.tests.factories import make_business

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 12, 5)


@pytest.fixture
def shop(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)
    return make_business(
        name="果园新村福源超市",
        region_code=TOWN_A,
        business_type="wholesale_retail",
        business_licence="JY11201130000017",
        licence_valid_until=dt.date(2026, 6, 30),
    )


def test_an_expired_licence_is_red_on_the_business_page(shop, client_for):
    html = client_for("town_a_officer").get(f"/registry/businesses/{shop.pk}/").content.decode()
    card = html[html.index('data-key="licence"') :]
    card = card[: card.index("</li>")]
    assert "食品许可证" in card and "JY11201130000017" in card
    assert "chip chip-bad" in card and "已于2026-06-30过期" in card
    assert 'href="/registry/businesses/?q=JY11201130000017"' in card


def test_a_later_module_adds_its_link_without_touching_the_register(shop, client_for):
    def cases(user, business):
        return [
            RelatedLink(
                module="cases", key="cases", title="案件", url=f"/cases/?business={business.pk}", count=2
            )
        ]

    related.register("test-cases", cases)
    try:
        html = client_for("town_a_officer").get(f"/registry/businesses/{shop.pk}/").content.decode()
    finally:
        related._PROVIDERS.pop("test-cases", None)
    assert f'href="/cases/?business={shop.pk}"' in html and '<span class="count">2</span>' in html


def test_nothing_related_for_someone_signed_out(shop):
    from django.contrib.auth.models import AnonymousUser

    assert related.related_for(AnonymousUser(), shop) == []
