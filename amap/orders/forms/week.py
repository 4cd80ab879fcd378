"""The week's dashboard form: which week to show."""

from django import forms
from django.utils.translation import gettext_lazy as _

from amap.forms import DateField


class WeekForm(forms.Form):
    du = DateField(
        label=_("Week starting on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a date, for example 2026-11-26.")},
    )
