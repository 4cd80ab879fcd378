"""The product form of the catalogue."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from amap.forms import TextField
from amap.texts import TEXT_MAX_LENGTH

from ..models import MAX_QUANTITY, Product
from .fields import decimal_widget, photo_field, price_field


class ProductForm(forms.Form):
    """A product as the producer types it; decimals accept a French comma
    when the page is in French."""

    name = forms.CharField(label=_("Name"), max_length=150)
    category = forms.ChoiceField(label=_("Category"), choices=Product.Category.choices)
    unit = forms.ChoiceField(label=_("Sold by"), choices=Product.Unit.choices)
    price = price_field(_("Price per unit (€)"), required=True, widget=decimal_widget())
    vat_rate = forms.TypedChoiceField(
        label=_("VAT rate"),
        choices=Product.VatRate.choices,
        coerce=Decimal,
        initial=Product.VatRate.REDUCED,
    )
    weight_step = forms.DecimalField(
        label=_("Weight step (kg)"),
        required=False,
        localize=True,
        min_value=Decimal("0.001"),
        max_value=1000,
        decimal_places=3,
        help_text=_(
            "Only for products sold by the kg: members order multiples of this, "
            "e.g. 0.5."
        ),
        error_messages={
            "invalid": _("Enter a weight in kg, e.g. 0.5."),
            "min_value": _("The weight step must be more than 0 kg."),
            "max_decimal_places": _("At most 3 decimals, e.g. 0.125."),
        },
        widget=decimal_widget(),
    )
    usual_quantity = forms.DecimalField(
        label=_("Usual quantity per week"),
        required=False,
        localize=True,
        min_value=0,
        max_value=MAX_QUANTITY,
        decimal_places=3,
        help_text=_("Used by the “same as usual” shortcut of the weekly stock."),
        error_messages={
            "invalid": _("Enter a number, e.g. 12 or 2.5."),
            "min_value": _("The quantity cannot be negative."),
            "max_value": _("That is too much: %(limit_value)s at most."),
            "max_decimal_places": _("At most 3 decimals, e.g. 2.125."),
        },
        widget=decimal_widget(),
    )
    description = TextField(
        label=_("Description"), required=False, max_length=TEXT_MAX_LENGTH
    )
    photo = photo_field(forms.ClearableFileInput())
    active = forms.BooleanField(label=_("On sale"), required=False, initial=True)

    def clean_name(self):
        return self.cleaned_data["name"].strip()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("weight_step") is not None and cleaned.get("unit") not in (
            None,
            Product.Unit.KG,
        ):
            self.add_error(
                "weight_step",
                _(
                    "A weight step only makes sense for a product sold by the kg; "
                    "leave it empty."
                ),
            )
        return cleaned

    def service_fields(self) -> dict:
        """Keyword arguments for the catalogue services. The photo is left out
        when nothing was uploaded, and "" when the producer removed it."""
        data = dict(self.cleaned_data)
        photo = data.pop("photo", None)
        if photo is False:
            data["photo"] = ""
        elif photo and hasattr(photo, "content_type"):  # a new upload
            data["photo"] = photo
        return data
