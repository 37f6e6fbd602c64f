"""factory_boy factories and personas shared by every app's tests."""

from __future__ import annotations

import factory

from shian.core.models import Department, Region, Role, User
from shian.core.rules import make_credit_code

TOWN_A = "120113001"  # 果园新村街道
TOWN_B = "120113100"  # 天穆镇
PASSWORD = "Ch4ng3-me-not-in-prod"
# The business the matrix's business persona acts for (the registry's matrix makes it in town A).
BUSINESS_A_CREDIT_CODE = make_credit_code(authority="9", kind="1", division="120113", org_body="79990001")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"测试用户{n}")
    role = Role.VIEWER
    password = factory.django.Password(PASSWORD)


def persona(name: str) -> User:
    """The people of the permission matrix (STYLE.md rule 11)."""
    specs: dict[str, dict[str, object]] = {
        "district_admin": {"role": Role.DISTRICT_ADMIN},
        "district_officer": {"role": Role.DISTRICT_OFFICER},
        "town_a_officer": {"role": Role.TOWN_OFFICER, "region": Region.objects.get(pk=TOWN_A)},
        "town_b_officer": {"role": Role.TOWN_OFFICER, "region": Region.objects.get(pk=TOWN_B)},
        "education_liaison": {
            "role": Role.DEPARTMENT_LIAISON,
            "department": Department.objects.get(pk="education"),
        },
        "inspector": {"role": Role.INSPECTOR},
        "town_a_inspector": {"role": Role.INSPECTOR, "region": Region.objects.get(pk=TOWN_A)},
        "lab": {"role": Role.LAB},
        "viewer": {"role": Role.VIEWER},
        "town_a_viewer": {"role": Role.VIEWER, "region": Region.objects.get(pk=TOWN_A)},
        "business_a": {"role": Role.BUSINESS, "credit_code": BUSINESS_A_CREDIT_CODE},
    }
    user: User = UserFactory.create(username=name, **specs[name])
    return user


PERSONAS = (
    "district_admin",
    "district_officer",
    "town_a_officer",
    "town_b_officer",
    "education_liaison",
    "inspector",
    "town_a_inspector",
    "lab",
    "viewer",
)
