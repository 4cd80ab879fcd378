"""Form fields of a located place (see `amap.locations`): its French address,
and its position as the map widget of `includes/position_fieldset.html` fills
it."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from amap.locations import POSITION_FIELDS, validate_french_postcode

SIX_PLACES = Decimal("0.000001")


class AddressFields(forms.Form):
    """Street, postcode and town; "44 000" is accepted as 44000."""

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

    def clean_postcode(self):
        postcode = self.cleaned_data["postcode"].strip().replace(" ", "")
        validate_french_postcode(postcode)
        return postcode


class PositionFields(forms.Form):
    """The position the map fills in hidden fields, whether it was placed by
    hand, and the request to look the address up again."""

    missing_position_message = _(
        "Place the point on the map: both the latitude and the longitude are needed."
    )

    latitude = forms.DecimalField(required=False, widget=forms.HiddenInput)
    longitude = forms.DecimalField(required=False, widget=forms.HiddenInput)
    position_set_by_hand = forms.BooleanField(required=False, widget=forms.HiddenInput)
    regeocode = forms.BooleanField(
        label=_("Find the position from the address again"),
        required=False,
        help_text=_("Forgets the position placed by hand on the map."),
    )

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
                self.add_error("latitude", self.missing_position_message)
        return cleaned

    def service_fields(self) -> dict:
        """The cleaned data as keyword arguments of the place's services, which
        take `position_set_by_hand` and `regeocode` on their own."""
        data = dict(self.cleaned_data)
        data.pop("regeocode", None)
        data.pop("position_set_by_hand", None)
        return data
