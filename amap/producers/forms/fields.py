"""Fields the producer's forms share: a price, a quantity, a photo."""

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from amap.uploads import ImageField

from ..models import MAX_PRICE, MAX_QUANTITY
from ..services.stock import price_too_high


def decimal_widget(**attrs) -> forms.TextInput:
    """A text input that opens the phone's number pad and takes a French comma."""
    return forms.TextInput(
        attrs={"inputmode": "decimal", "autocomplete": "off", **attrs}
    )


def quantity_field(label: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        localize=True,
        min_value=0,
        max_value=MAX_QUANTITY,
        decimal_places=3,
        error_messages={
            "invalid": _("Enter a number, e.g. 12 or 2.5."),
            "min_value": _("The quantity cannot be negative."),
            "max_value": _("That is too much: %(limit_value)s at most."),
            "max_decimal_places": _("At most 3 decimals, e.g. 2.125."),
        },
        widget=decimal_widget(size=5),
    )


def price_field(label, *, required: bool = False, widget=None) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        localize=True,
        min_value=0,
        max_value=MAX_PRICE,
        decimal_places=2,
        error_messages={
            "invalid": _("Enter a price in euros, e.g. 3.20."),
            "min_value": _("The price cannot be negative."),
            "max_value": lazy(price_too_high, str)(),
            "max_decimal_places": _("At most 2 decimals for a price, e.g. 3.20."),
        },
        widget=widget or decimal_widget(size=5),
    )


def photo_field(widget: forms.Widget) -> ImageField:
    """A photo, checked and re-encoded (amap/uploads.py)."""
    return ImageField(label=_("Photo"), required=False, widget=widget)
