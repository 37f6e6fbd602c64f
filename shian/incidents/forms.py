"""Input of incidents and drills."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class IncidentForm(forms.Form):
    place = forms.CharField(label=_("发生地点"), max_length=200)
    business = forms.IntegerField(label=_("在册经营者编号（可空）"), required=False, min_value=1)
    region_code = forms.CharField(label=_("发生镇街"), max_length=12, required=False)
    onset_at = forms.DateTimeField(label=_("首例发病时间"))
    known_at = forms.DateTimeField(label=_("接报时间"))
    ill = forms.IntegerField(label=_("发病人数"), min_value=0, max_value=100000)
    hospitalised = forms.IntegerField(label=_("住院人数"), min_value=0, max_value=100000, initial=0)
    deaths = forms.IntegerField(label=_("死亡人数"), min_value=0, max_value=100000, initial=0)
    suspected_food = forms.CharField(label=_("可疑食品"), max_length=200, required=False)


class UpdateForm(forms.Form):
    at = forms.DateTimeField()
    ill = forms.IntegerField(min_value=0, max_value=100000)
    hospitalised = forms.IntegerField(min_value=0, max_value=100000)
    deaths = forms.IntegerField(min_value=0, max_value=100000)
    note = forms.CharField(max_length=300, required=False)


class ReportSentForm(forms.Form):
    clock = forms.CharField(max_length=30)
    at = forms.DateTimeField()
    note = forms.CharField(max_length=300, required=False)


class CloseForm(forms.Form):
    closed_on = forms.DateField()
    cause = forms.CharField(max_length=500)
    sample_codes = forms.CharField(max_length=400, required=False)
    case_number = forms.CharField(max_length=60, required=False)


class DrillForm(forms.Form):
    region_code = forms.CharField(label=_("组织单位（区或镇街）"), max_length=12)
    held_on = forms.DateField(label=_("演练日期"))
    title = forms.CharField(label=_("演练名称"), max_length=200)
    plan = forms.CharField(label=_("依据预案"), max_length=200)
    scenario = forms.CharField(label=_("演练情景"), max_length=500, required=False)
    participants = forms.IntegerField(label=_("参演人数"), min_value=1, max_value=100000)
    units = forms.CharField(label=_("参演单位"), max_length=500, required=False)
    findings = forms.CharField(
        label=_("发现的问题和改进措施"), max_length=4000, required=False, widget=forms.Textarea
    )
