"""Input of complaints and reports: the public form, the staff (telephone) form, and an action."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from . import rules
from .models import Channel, ComplaintKind
from .workflow import ComplaintStatus


class PublicForm(forms.Form):
    kind = forms.ChoiceField(label=_("类别"), choices=ComplaintKind.choices)
    business_name = forms.CharField(label=_("被投诉（举报）的经营者名称"), max_length=200)
    business_address = forms.CharField(label=_("经营地址（写明所在镇、街道）"), max_length=200)
    facts = forms.CharField(
        label=_("事实经过或违法线索"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5})
    )
    request = forms.CharField(label=_("投诉请求（投诉填写）"), max_length=500, required=False)
    person_name = forms.CharField(label=_("姓名"), max_length=50, required=False)
    person_phone = forms.RegexField(
        label=_("电话"),
        regex=r"^[0-9\-]{7,20}$",
        max_length=20,
        required=False,
        error_messages={"invalid": _("电话号码格式不对")},
    )
    person_address = forms.CharField(label=_("通讯地址"), max_length=200, required=False)
    anonymous = forms.BooleanField(label=_("匿名举报（无法告知处理结果，也无法奖励）"), required=False)
    known_on = forms.DateField(label=_("知道权益受损的日期（投诉填写）"), required=False)


class StaffForm(PublicForm):
    channel = forms.ChoiceField(label=_("渠道"), choices=Channel.choices, initial=Channel.PHONE)
    received_on = forms.DateField(label=_("收到日期"))
    business = forms.IntegerField(label=_("在册经营者编号（可空：无证经营等）"), required=False, min_value=1)
    region_code = forms.CharField(label=_("承办镇街"), max_length=12, required=False)
    person_id_number = forms.CharField(label=_("身份证件号码"), max_length=20, required=False)
    external_ref = forms.CharField(label=_("12315编号"), max_length=40, required=False)
    business_address = forms.CharField(label=_("经营地址"), max_length=200, required=False)


GROUND_CHOICES = [("", "—")] + [(k, f"{v[0]}（{v[1]}）") for k, v in rules.NOT_ACCEPTED_GROUNDS.items()]
END_CHOICES = [("", "—")] + [(k, f"{v[0]}（{v[1]}）") for k, v in rules.MEDIATION_END_GROUNDS.items()]


class TransitionForm(forms.Form):
    to = forms.ChoiceField(choices=ComplaintStatus.choices)
    on = forms.DateField()
    note = forms.CharField(max_length=500, required=False)
    ground = forms.CharField(max_length=30, required=False)
    case_number = forms.CharField(max_length=60, required=False)
    upheld = forms.BooleanField(required=False)


class RouteForm(forms.Form):
    region_code = forms.CharField(max_length=12)
    note = forms.CharField(max_length=200)


class RewardForm(forms.Form):
    amount = forms.DecimalField(max_digits=10, decimal_places=2)
