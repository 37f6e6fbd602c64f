"""Forms of the register pages. Validation is the register's own rules (rules.clean_business), the
same the API and the importer apply; the form only carries the fields and places the messages."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from shian.core.models import FoodCategory, RegionLevel
from shian.core.scoping import regions_for
from shian.core.widgets import FastSelect

from .lookups import build_lookups
from .models import Business, BusinessScale, BusinessStatus, BusinessType
from .rules import FIELDS, BusinessInput, clean_business


def region_choices(user: Any) -> list[tuple[str, str]]:
    """Towns, streets and zones the user may pick (never the district itself)."""
    return list(
        regions_for(user).exclude(level=RegionLevel.DISTRICT).order_by("code").values_list("code", "name")
    )


def category_choices() -> list[tuple[str, str]]:
    return [(code, f"{code} {name}") for code, name in FoodCategory.objects.values_list("code", "name")]


class BusinessFilterForm(forms.Form):
    """The register list's filters; every value travels in the query string (bookmarkable)."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("Name or code"),
                "autocomplete": "off",
            }
        ),
    )
    region = forms.ChoiceField(label=_("Town or street"), required=False, widget=FastSelect)
    business_type = forms.ChoiceField(
        label=_("Business type"),
        required=False,
        choices=[("", _("All types")), *BusinessType.choices],
        widget=FastSelect,
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *BusinessStatus.choices],
        widget=FastSelect,
    )
    category = forms.ChoiceField(label=_("Food category"), required=False, widget=FastSelect)
    scale = forms.ChoiceField(
        label=_("Scale"),
        required=False,
        choices=[("", _("All scales")), *BusinessScale.choices],
        widget=FastSelect,
    )
    licence = forms.ChoiceField(
        label=_("Licence validity"),
        required=False,
        choices=[
            ("", _("Any licence validity")),
            ("expired", _("Licence expired")),
            ("valid", _("Licence valid")),
            ("unknown", _("Licence expiry not recorded")),
        ],
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        region_field = cast(forms.ChoiceField, self.fields["region"])
        region_field.choices = [("", _("All towns and streets")), *region_choices(user)]
        category_field = cast(forms.ChoiceField, self.fields["category"])
        category_field.choices = [("", _("All categories")), *category_choices()]

    def filter_values(self) -> dict[str, str]:
        """The valid filters; an invalid value (a town outside the scope, say) is ignored."""
        self.is_valid()
        return {k: v for k, v in getattr(self, "cleaned_data", {}).items() if v}


def _text_field(label: Any, max_length: int = 200, **attrs: Any) -> forms.CharField:
    # Not required at the form level: the register's rules say what is missing, in their words.
    return forms.CharField(
        label=label, required=False, max_length=max_length, widget=forms.TextInput(attrs=attrs)
    )


def _date_field(label: Any) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, max_length=20, widget=forms.DateInput(attrs={"type": "date"})
    )


def _label(name: str) -> Any:
    return getattr(Business._meta.get_field(name), "verbose_name", name)


class BusinessForm(forms.Form):
    """Create or edit one register entry."""

    # The version of the record the form was filled from (core.concurrency); empty when creating.
    version = forms.CharField(required=False, widget=forms.HiddenInput)
    name = _text_field(_label("name"), required=True)
    credit_code = _text_field(_label("credit_code"), 40, autocomplete="off", spellcheck="false")
    production_licence = _text_field(_label("production_licence"), 40, autocomplete="off", spellcheck="false")
    business_licence = _text_field(_label("business_licence"), 40, autocomplete="off", spellcheck="false")
    business_type = forms.ChoiceField(
        label=_label("business_type"),
        required=False,
        choices=[("", "—"), *BusinessType.choices],
        widget=forms.Select(attrs={"required": True}),
    )
    scale = forms.ChoiceField(
        label=_label("scale"), required=False, choices=BusinessScale.choices, initial=BusinessScale.SMALL
    )
    region_code = forms.ChoiceField(
        label=_label("region"), required=False, widget=forms.Select(attrs={"required": True})
    )
    categories = forms.MultipleChoiceField(
        label=_label("food_categories"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    address = _text_field(_label("address"))
    legal_representative = _text_field(_label("legal_representative"), 50)
    longitude = _text_field(_label("longitude"), 20, inputmode="decimal")
    latitude = _text_field(_label("latitude"), 20, inputmode="decimal")
    status = forms.ChoiceField(
        label=_label("status"), required=False, choices=BusinessStatus.choices, initial=BusinessStatus.ACTIVE
    )
    opened_on = _date_field(_label("opened_on"))
    licence_valid_until = _date_field(_label("licence_valid_until"))
    closed_on = _date_field(_label("closed_on"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        region_field = cast(forms.ChoiceField, self.fields["region_code"])
        regions = region_choices(user)
        region_field.choices = [("", "—"), *regions]
        if len(regions) == 1:  # a town officer's own town
            region_field.initial = regions[0][0]
        category_field = cast(forms.MultipleChoiceField, self.fields["categories"])
        category_field.choices = category_choices()
        self.business_input: BusinessInput | None = None

    @classmethod
    def initial_for(cls, business: Business, categories: list[str]) -> dict[str, Any]:
        initial: dict[str, Any] = {
            f: getattr(business, f) for f in FIELDS if f not in ("categories", "region_code")
        }
        initial["region_code"] = business.region_id
        initial["categories"] = categories
        for f in ("opened_on", "licence_valid_until", "closed_on"):
            initial[f] = initial[f].isoformat() if initial[f] else ""
        for f in ("longitude", "latitude"):
            initial[f] = "" if initial[f] is None else str(initial[f])
        return initial

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        raw = {f: cleaned.get(f) for f in FIELDS}
        data, errors = clean_business(raw, build_lookups(self.user))
        for field, reason in errors.items():
            self.add_error(field if field in self.fields else None, reason)
        if not errors:
            self.business_input = data
        return cleaned


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Register workbook"),
        help_text=_("An .xlsx file with the template's headers in the first row."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xlsm,.xls,.csv"}),
    )
    dry_run = forms.BooleanField(
        label=_("Check only (dry run): validate every row but change nothing"),
        required=False,
    )
