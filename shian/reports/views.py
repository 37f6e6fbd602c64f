"""The reports page: pick a report, a year, a quarter and a format; get the file.

Reports are district-wide documents meant for publication, so anyone who may view the plan (the
district office, towns, member units, inspectors, observers) may generate them; the lab may not.
"""

from __future__ import annotations

import io
from typing import Any, cast

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from shian.core.models import AuditSource, User
from shian.core.permissions import Cap, require_cap

from .data import ReportError
from .export import report_export
from .selectors import plan_years

KIND_CHOICES = [
    ("quarterly", _("Quarterly report")),
    ("yearly", _("Year-end report")),
    ("whitepaper", _("Food-safety white paper")),
]
FORMAT_CHOICES = [
    ("pdf", _("PDF")),
    ("docx", _("Word (docx)")),
    ("xlsx", _("Excel (xlsx): every table of the report")),
]


class ReportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Report"), choices=KIND_CHOICES, initial="quarterly")
    year = forms.TypedChoiceField(label=_("Year"), coerce=int)
    quarter = forms.TypedChoiceField(
        label=_("Quarter"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("Only for the quarterly report."),
    )
    format = forms.ChoiceField(label=_("Format"), choices=FORMAT_CHOICES, initial="pdf")

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        year_field = cast(forms.TypedChoiceField, self.fields["year"])
        year_field.choices = [(y, str(y)) for y in years]
        quarter_field = cast(forms.TypedChoiceField, self.fields["quarter"])
        quarter_field.choices = [("", "—")] + [
            (q, gettext("Quarter %(quarter)s") % {"quarter": q}) for q in (1, 2, 3, 4)
        ]
        if years:
            today = timezone.localdate()
            self.fields["year"].initial = years[0]
            self.fields["quarter"].initial = 4 if years[0] < today.year else max(1, (today.month - 1) // 3)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == "quarterly":
            if data.get("quarter") is None:
                self.add_error("quarter", _("Choose the quarter of the quarterly report."))
        else:
            data["quarter"] = None  # the year-end report and the white paper cover the whole year
        return data


@login_required
@require_http_methods(["GET", "POST"])
def report_index(request: HttpRequest) -> HttpResponseBase:
    require_cap(request.user, Cap.PLAN_VIEW)
    years = plan_years()
    form = ReportForm(request.POST or None, years=years)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            made = report_export(
                actor=cast(User, request.user),
                kind=data["kind"],
                year=data["year"],
                quarter=data["quarter"],
                fmt_=data["format"],
                source=AuditSource.WEB,
            )
        except ReportError as exc:
            form.add_error(None, str(exc))
        else:
            # File names stay Chinese in every language: the documents themselves are Chinese.
            return FileResponse(
                io.BytesIO(made.content),
                as_attachment=True,
                filename=made.filename,
                content_type=made.content_type,
            )
    status = 400 if form.errors else 200
    return render(
        request,
        "reports/index.html",
        {"form": form, "has_plan": bool(years)},
        status=status,
    )
