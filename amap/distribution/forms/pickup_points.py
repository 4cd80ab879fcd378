from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from amap.locations import validate_french_postcode

SIX_PLACES = Decimal("0.000001")
POSITION_FIELDS = ("latitude", "longitude")


class PickupPointForm(forms.Form):
    """The shape of a pickup point as organisers type it; the map fills the
    hidden position fields and `position_set_by_hand`."""

    name = forms.CharField(label=_("Name"), max_length=150)
    street = forms.CharField(
        label=_("Street and number"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "address-line1"}),
    )
    postcode = forms.CharField(
        label=_("Postcode"),
        # Room for "44 000": spaces are dropped before checking the 5 digits.
        max_length=8,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "postal-code"}
        ),
    )
    town = forms.CharField(
        label=_("Town"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )
    opening_notes = forms.CharField(
        label=_("Access and opening notes"),
        required=False,
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
    latitude = forms.DecimalField(required=False, widget=forms.HiddenInput)
    longitude = forms.DecimalField(required=False, widget=forms.HiddenInput)
    position_set_by_hand = forms.BooleanField(required=False, widget=forms.HiddenInput)
    regeocode = forms.BooleanField(
        label=_("Find the position from the address again"),
        required=False,
        help_text=_("Forgets the position placed by hand on the map."),
    )

    def clean_postcode(self):
        postcode = self.cleaned_data["postcode"].strip().replace(" ", "")
        validate_french_postcode(postcode)
        return postcode

    def _clean_coordinate(self, name, limit, message):
        value = self.cleaned_data.get(name)
        if value is None:
            return None
        if not -limit <= value <= limit:
            raise ValidationError(message)
        return value.quantize(SIX_PLACES)

    def clean_latitude(self):
        return self._clean_coordinate(
            "latitude", 90, _("The latitude must be between -90 and 90.")
        )

    def clean_longitude(self):
        return self._clean_coordinate(
            "longitude", 180, _("The longitude must be between -180 and 180.")
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("position_set_by_hand") and not cleaned.get("regeocode"):
            missing = any(cleaned.get(name) is None for name in POSITION_FIELDS)
            if missing and not any(name in self.errors for name in POSITION_FIELDS):
                self.add_error(
                    "latitude",
                    _(
                        "Place the point on the map: both the latitude and the "
                        "longitude are needed."
                    ),
                )
        return cleaned

    def service_fields(self) -> dict:
        """Keyword arguments for the pickup point services."""
        data = dict(self.cleaned_data)
        data.pop("regeocode", None)
        data.pop("position_set_by_hand", None)
        return data


class UsualPickupPointForm(forms.Form):
    pickup_point = forms.IntegerField(label=_("Pickup point"), min_value=1)
