"""Route matrix of the home page and the sign-in pages (tests/route_matrix.py)."""

from __future__ import annotations

from tests.route_matrix import ALL_200, Check, World, same


def checks(world: World) -> list[Check]:
    return [
        Check("GET", "/", ALL_200),
        # A signed-in person is sent on from the login page.
        Check("GET", "/accounts/login/", same(302, anonymous=200)),
        # Signing out is a POST (Django's LogoutView); everyone ends on the login page.
        Check("POST", "/accounts/logout/", same(302, anonymous=302)),
    ]
