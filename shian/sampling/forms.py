"""Forms of the sampling pages: input validation only; the rules live in services and rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shian.core.scoping import regions_for

from .workflow import SampleStatus


class SampleFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=60)
    status = forms.ChoiceField(label=_("Status"), required=False)
    region = forms.ChoiceField(label=_("Town or street"), required=False)
    category = forms.CharField(label=_("Category"), required=False, max_length=60)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("All")), *SampleStatus.choices]  # type: ignore[attr-defined]
        self.fields["region"].choices = [  # type: ignore[attr-defined]
            ("", _("All")),
            *((r.code, r.name) for r in regions_for(user).exclude(level="district")),
        ]


class ResultsImportForm(forms.Form):
    file = forms.FileField(label=_("Results file (xlsx or csv)"))
    dry_run = forms.BooleanField(label=_("Check only, do not import"), required=False)


class DisposalStepForm(forms.Form):
    kind = forms.CharField(widget=forms.HiddenInput)
    done_on = forms.DateField(
        label=_("Done on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=_("Note"), max_length=500)
    evidence = forms.FileField(label=_("Evidence"), required=False)
    not_applicable = forms.BooleanField(label=_("Not applicable"), required=False)
