from django import forms
from django.utils.translation import gettext_lazy as _

from amap.forms import TextField
from amap.texts import SHORT_TEXT_MAX_LENGTH

from .models import Membership


class SignupForm(forms.Form):
    """Extra fields on allauth's sign-up form: people are called by their names."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)

    def signup(self, request, user):
        user.first_name = self.cleaned_data["first_name"]
        user.last_name = self.cleaned_data["last_name"]
        user.save(update_fields=["first_name", "last_name"])


class JoinRequestForm(forms.Form):
    message = TextField(
        label=_("A word for the organisers (optional)"),
        required=False,
        max_length=SHORT_TEXT_MAX_LENGTH,
    )


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email address of the person to invite"))
    role = forms.ChoiceField(
        label=_("Role"), choices=Membership.Role.choices, initial=Membership.Role.MEMBER
    )


class MembershipFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All"))] + list(Membership.Status.choices),
    )
    q = forms.CharField(
        label=_("Search by name or email"), required=False, max_length=100
    )
