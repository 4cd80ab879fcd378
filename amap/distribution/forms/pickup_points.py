from django import forms
from django.utils.translation import gettext_lazy as _

from amap.forms import TextField
from amap.location_forms import AddressFields, PositionFields
from amap.texts import TEXT_MAX_LENGTH


class PickupPointForm(AddressFields, PositionFields):
    """The shape of a pickup point as organisers type it; the map fills the
    hidden position fields and `position_set_by_hand`."""

    field_order = [
        "name",
        "street",
        "postcode",
        "town",
        "opening_notes",
        "capacity",
        "active",
    ]

    name = forms.CharField(label=_("Name"), max_length=150)
    opening_notes = TextField(
        label=_("Access and opening notes"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        help_text=_("How to find the place, where to park, the door code…"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    capacity = forms.IntegerField(
        label=_("Capacity"),
        required=False,
        min_value=1,
        max_value=100_000,
        help_text=_("How many households can collect here; leave empty if unlimited."),
        error_messages={
            "min_value": _(
                "The capacity must be at least 1 household; leave it empty if "
                "unlimited."
            )
        },
    )
    active = forms.BooleanField(
        label=_("In use for distributions"), required=False, initial=True
    )


class UsualPickupPointForm(forms.Form):
    pickup_point = forms.IntegerField(label=_("Pickup point"), min_value=1)
