"""Forms of the sampling pages: input validation only; the rules live in services and rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shian.core.scoping import regions_for
from shian.registry.models import Business

from . import rules
from .models import QuickResult
from .workflow import QuickTestStatus, SampleStatus


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


class UnqualifiedFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=60)
    region = forms.ChoiceField(label=_("Town or street"), required=False)
    year = forms.ChoiceField(label=_("Year sampled"), required=False)
    disposal = forms.ChoiceField(label=_("Disposal"), required=False)

    def __init__(self, *args: Any, user: Any, years: list[int], disposals: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [  # type: ignore[attr-defined]
            ("", _("All")),
            *((r.code, r.name) for r in regions_for(user).exclude(level="district")),
        ]
        self.fields["year"].choices = [("", _("All")), *((str(y), str(y)) for y in years)]  # type: ignore[attr-defined]
        if disposals:
            self.fields["disposal"].choices = [  # type: ignore[attr-defined]
                ("", _("All")),
                ("none", _("No disposal task yet")),
                ("open", _("Disposal open, within its deadline")),
                ("overdue", _("Disposal past its deadline")),
                ("closed", _("Disposal closed")),
            ]
        else:  # a lab: disposal is the town's work, not shown to it
            del self.fields["disposal"]


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


# -- quick tests (快检) -----------------------------------------------------------------------------

_DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
_DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


def _items_in_force() -> list[tuple[str, str]]:
    book = rules.quick_test_rules_in_force(timezone.localdate())
    return [(i.code, i.name) for i in book.items.values()]


class QuickTestFilterForm(forms.Form):
    q = forms.CharField(label=_("摊位、产品或市场"), required=False, max_length=60)
    region = forms.ChoiceField(label=_("镇街"), required=False)
    market = forms.ChoiceField(label=_("市场"), required=False)
    result = forms.ChoiceField(label=_("检测结果"), required=False)
    status = forms.ChoiceField(label=_("状态"), required=False)
    item = forms.ChoiceField(label=_("检测项目"), required=False)
    date_from = forms.DateField(
        label=_("检测日期自"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label=_("至"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, user: Any, markets: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        all_ = [("", "全部")]
        self.fields["region"].choices = [  # type: ignore[attr-defined]
            *all_,
            *((r.code, r.name) for r in regions_for(user).exclude(level="district")),
        ]
        self.fields["market"].choices = [*all_, *((str(b.pk), b.name) for b in markets)]  # type: ignore[attr-defined]
        self.fields["result"].choices = [*all_, *QuickResult.choices]  # type: ignore[attr-defined]
        self.fields["status"].choices = [*all_, *QuickTestStatus.choices]  # type: ignore[attr-defined]
        self.fields["item"].choices = [*all_, *_items_in_force()]  # type: ignore[attr-defined]


class QuickTestForm(forms.Form):
    market: forms.ModelChoiceField[Business] = forms.ModelChoiceField(
        label=_("市场"), queryset=Business.objects.none(), empty_label=_("请选择市场")
    )
    stall = forms.CharField(label=_("摊位/经营者"), max_length=100)
    product = forms.CharField(label=_("产品名称"), max_length=100)
    item = forms.ChoiceField(label=_("检测项目"))
    result = forms.ChoiceField(label=_("检测结果"), choices=QuickResult.choices, widget=forms.RadioSelect)
    reading = forms.CharField(
        label=_("抑制率/读数"), max_length=40, required=False, help_text=_("酶抑制法填抑制率，如 62.5%")
    )
    kit_name = forms.CharField(label=_("试剂/方法"), max_length=100, required=False)
    kit_batch = forms.CharField(label=_("试剂批号"), max_length=60, required=False)
    tested_at = forms.DateTimeField(
        label=_("检测时间"), input_formats=_DATETIME_FORMATS, widget=_DATETIME_INPUT
    )

    def __init__(self, *args: Any, markets: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["market"].queryset = markets  # type: ignore[attr-defined]
        self.fields["item"].choices = _items_in_force()  # type: ignore[attr-defined]


class QuickTestNotifyForm(forms.Form):
    measures = forms.MultipleChoiceField(label=_("已采取的控制措施"), widget=forms.CheckboxSelectMultiple)
    measures_note = forms.CharField(label=_("措施说明"), max_length=300, required=False)
    at = forms.DateTimeField(
        label=_("告知时间"), input_formats=_DATETIME_FORMATS, widget=_DATETIME_INPUT, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        book = rules.quick_test_rules_in_force(timezone.localdate())
        self.fields["measures"].choices = list(book.measures.items())  # type: ignore[attr-defined]
        self.fields["measures"].initial = list(book.measures_required)


class QuickTestObjectionForm(forms.Form):
    filed_at = forms.DateTimeField(
        label=_("异议提出时间"), input_formats=_DATETIME_FORMATS, widget=_DATETIME_INPUT, required=False
    )
    reason = forms.CharField(label=_("异议理由"), max_length=300)


class QuickTestRetestForm(forms.Form):
    result = forms.ChoiceField(label=_("复检结果"), choices=QuickResult.choices, widget=forms.RadioSelect)
    method = forms.CharField(label=_("复检方法（检验标准）"), max_length=100)
    lab = forms.CharField(label=_("复检机构"), max_length=100)
    report = forms.CharField(label=_("复检报告编号"), max_length=60, required=False)
    at = forms.DateTimeField(
        label=_("复检结论时间"), input_formats=_DATETIME_FORMATS, widget=_DATETIME_INPUT, required=False
    )


class QuickTestImportForm(forms.Form):
    file = forms.FileField(label=_("快检结果文件（xlsx 或 csv）"))
    dry_run = forms.BooleanField(label=_("只检查，不导入"), required=False)


# -- labs' workload (/sampling/labs/) ---------------------------------------------------------------

_DATE_ERRORS = {"invalid": "请输入有效日期，如 2022-01-01"}


class LabFilterForm(forms.Form):
    """The period of the labs page: samples taken from `start` to `end` (either may be left open)."""

    start = forms.DateField(
        label=_("抽样日期自"),
        required=False,
        error_messages=_DATE_ERRORS,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    end = forms.DateField(
        label=_("至"),
        required=False,
        error_messages=_DATE_ERRORS,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", "结束日期早于开始日期")
        return data


class OnSiteForm(forms.Form):
    """The on-site record (抽样单) as typed on the tablet; the rules are checked by the service."""

    manufacturer = forms.CharField(label=_("标称生产企业"), required=False, max_length=200)
    specification = forms.CharField(label=_("规格型号"), required=False, max_length=100)
    batch = forms.CharField(label=_("批号"), required=False, max_length=60)
    produced_on = forms.DateField(
        label=_("生产日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    sampled_on = forms.DateField(
        label=_("抽样日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    quantity = forms.DecimalField(
        label=_("抽样数量"),
        max_digits=10,
        decimal_places=3,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    quantity_unit = forms.CharField(
        label=_("单位"), max_length=10, widget=forms.TextInput(attrs={"list": "units"})
    )
    backup_quantity = forms.DecimalField(
        label=_("备样数量"),
        max_digits=10,
        decimal_places=3,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    backup_kept_by = forms.CharField(label=_("备样存放"), required=False, max_length=100)
    signed_by = forms.CharField(label=_("被抽样单位签字人"), max_length=50)
    signature = forms.CharField(required=False, widget=forms.HiddenInput(attrs={"id": "signature-data"}))


# -- which limit applies (/sampling/limits/) ---------------------------------------------------------


class LimitExplainForm(forms.Form):
    """One result to judge: which limit row of which standard applies to it, and why."""

    food = forms.CharField(label=_("食品名称"), max_length=100)
    category = forms.CharField(
        label=_("抽样类别"), max_length=200, required=False, help_text=_("如 食用农产品-蔬菜-韭菜")
    )
    item = forms.CharField(label=_("检验项目"), max_length=100)
    result = forms.CharField(
        label=_("检验结果"), max_length=200, required=False, help_text=_("如 0.21mg/kg、未检出、<0.01mg/kg")
    )
    on = forms.DateField(
        label=_("生产日期或抽样日期"),
        error_messages=_DATE_ERRORS,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
