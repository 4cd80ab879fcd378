"""The booking form: one decimal field per offer of the cycle."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from amap.money import plain_quantity
from amap.producers.models import MAX_QUANTITY


def field_name(offer_pk: int) -> str:
    return f"offer_{offer_pk}"


class BookingForm(forms.Form):
    """Checks the shape of each quantity; the stock and steps are the service's."""

    def __init__(self, *args, offers, quantities=None, **kwargs):
        super().__init__(*args, **kwargs)
        quantities = quantities or {}
        self.offers = offers
        for offer in offers:
            product = offer.product
            self.fields[field_name(offer.pk)] = forms.DecimalField(
                label=_("Quantity of %(product)s (%(unit)s)")
                % {"product": product.name, "unit": product.get_unit_display()},
                required=False,
                min_value=Decimal("0"),
                max_value=MAX_QUANTITY,
                max_digits=10,
                decimal_places=3,
                localize=True,
                initial=plain_quantity(quantities.get(offer.pk)),
                widget=forms.TextInput(
                    attrs={
                        "inputmode": "decimal",
                        "autocomplete": "off",
                        "size": 5,
                        "class": "quantity-input",
                    }
                ),
                error_messages={
                    "invalid": _("Enter a number, for instance 2 or 1,5."),
                    "min_value": _("A quantity cannot be negative."),
                    "max_value": _("This is not a sensible quantity."),
                    "max_digits": _("This is not a sensible quantity."),
                    "max_decimal_places": _("At most three decimals."),
                },
            )

    def bound_field(self, offer):
        return self[field_name(offer.pk)]

    def lines(self) -> dict[int, Decimal]:
        """offer pk → quantity wanted, an empty field meaning none."""
        return {
            offer.pk: self.cleaned_data.get(field_name(offer.pk)) or Decimal("0")
            for offer in self.offers
        }
