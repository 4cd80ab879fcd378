"""The "I will be absent" form."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from ..forms.contracts import MemberChoiceField, collective_members
from ..models import Absence

User = get_user_model()


class AbsenceForm(forms.Form):
    fate = forms.ChoiceField(
        label=_("What becomes of my basket"),
        choices=Absence.Fate.choices,
        widget=forms.RadioSelect,
        initial=Absence.Fate.SOLIDARITY,
    )
    given_to = MemberChoiceField(
        label=_("Given to"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("— choose a member —"),
        help_text=_("Only if you give your basket to someone."),
    )
    note = forms.CharField(
        label=_("Note for the organisers"), max_length=300, required=False
    )

    def __init__(self, *args, collective, member, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["given_to"].queryset = collective_members(
            collective, exclude=member
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("fate") == Absence.Fate.GIVEN and not cleaned.get("given_to"):
            self.add_error("given_to", _("Choose the member you give your basket to."))
        return cleaned
