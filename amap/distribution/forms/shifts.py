from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from amap.forms import ModelChoiceField
from amap.members.models import Membership

from ..models import Shift

User = get_user_model()

TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class ShiftForm(forms.Form):
    role = forms.CharField(
        label=_("Task"),
        max_length=Shift._meta.get_field("role").max_length,
        help_text=_("For example: set-up, welcome, tidying up."),
    )
    starts_at = forms.TimeField(label=_("Start"), widget=TIME_INPUT)
    ends_at = forms.TimeField(label=_("End"), widget=TIME_INPUT)
    people_needed = forms.IntegerField(
        label=_("People needed"), min_value=1, max_value=50, initial=2
    )

    def clean(self):
        cleaned = super().clean()
        starts_at, ends_at = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error("ends_at", _("The shift must end after it starts."))
        return cleaned


class ShiftAssignForm(forms.Form):
    """Choose an active member of the collective to put on a shift."""

    user = ModelChoiceField(
        label=_("Member"),
        queryset=User.objects.none(),
        error_messages={
            "invalid_choice": _("Choose an active member of the collective."),
            "required": _("Choose an active member of the collective."),
        },
    )

    def __init__(self, *args, collective, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.filter(
            memberships__collective=collective,
            memberships__status=Membership.Status.ACTIVE,
        ).order_by("last_name", "first_name", "email")


class CoverageWeeksForm(forms.Form):
    weeks = forms.IntegerField(
        label=_("Weeks ahead"), min_value=1, max_value=52, initial=8, required=False
    )
