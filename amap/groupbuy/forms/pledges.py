"""The pledge form: a quantity and extra units accepted per item; and the
forms members use for wishes."""

from django import forms
from django.utils.translation import gettext_lazy as _

from amap.forms import ModelChoiceField, TextField, bounded_formfield
from amap.texts import TEXT_MAX_LENGTH

from ..models import MAX_UNITS, Wish


def quantity_name(item_pk: int) -> str:
    return f"quantity_{item_pk}"


def tolerance_name(item_pk: int) -> str:
    return f"tolerance_{item_pk}"


def _units_field(label, initial):
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=MAX_UNITS,
        initial=initial,
        widget=forms.NumberInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "off",
                "min": 0,
                "step": 1,
                "class": "quantity-input pledge-field",
            }
        ),
        error_messages={
            "invalid": _("Enter a whole number, for instance 3."),
            "min_value": _("This cannot be negative."),
            "max_value": _("This is not a sensible number."),
        },
    )


class PledgeForm(forms.Form):
    """Checks the shape of each number; the rules are the service's."""

    def __init__(self, *args, items, pledges=None, **kwargs):
        super().__init__(*args, **kwargs)
        pledges = pledges or {}
        self.items = items
        for item in items:
            pledge = pledges.get(item.pk)
            unit = item.get_unit_display()
            self.fields[quantity_name(item.pk)] = _units_field(
                _("Quantity of %(item)s (%(unit)s)")
                % {"item": item.name, "unit": unit},
                pledge.quantity if pledge else 0,
            )
            self.fields[tolerance_name(item.pk)] = _units_field(
                _("Extra %(unit)s I would take to complete a case") % {"unit": unit},
                pledge.tolerance if pledge else 0,
            )

    def quantity_field(self, item):
        return self[quantity_name(item.pk)]

    def tolerance_field(self, item):
        return self[tolerance_name(item.pk)]

    def lines(self) -> dict[int, tuple[int, int]]:
        """item pk → (quantity, tolerance), an empty field meaning 0."""
        return {
            item.pk: (
                self.cleaned_data.get(quantity_name(item.pk)) or 0,
                self.cleaned_data.get(tolerance_name(item.pk)) or 0,
            )
            for item in self.items
        }

    def typed_lines(self) -> dict[int, tuple[int, int]]:
        """For the live preview: the lines whose two cells are valid, without
        requiring the whole form to be."""
        self.is_valid()
        lines = {}
        for item in self.items:
            names = quantity_name(item.pk), tolerance_name(item.pk)
            if any(name not in self.data for name in names):
                continue
            if any(name in self.errors for name in names):
                continue
            lines[item.pk] = (
                self.cleaned_data.get(names[0]) or 0,
                self.cleaned_data.get(names[1]) or 0,
            )
        return lines


class WishForm(forms.ModelForm):
    class Meta:
        formfield_callback = bounded_formfield
        model = Wish
        fields = ["title", "description", "supplier_hint", "unit"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}


class VoteForm(forms.Form):
    quantity = forms.IntegerField(
        label=_("Quantity I might take"),
        min_value=0,
        max_value=MAX_UNITS,
        initial=0,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
        error_messages={
            "required": _("Say how much you might take (0 if you do not know yet)."),
            "invalid": _("Enter a whole number, for instance 3."),
            "min_value": _("This cannot be negative."),
            "max_value": _("This is not a sensible number."),
        },
    )


class DeclineWishForm(forms.Form):
    answer = TextField(
        label=_("Answer to the members"),
        max_length=TEXT_MAX_LENGTH,
        error_messages={"required": _("Tell the members why.")},
    )


class WishToCampaignForm(forms.Form):
    producer = ModelChoiceField(
        label=_("Producer of the network"),
        queryset=None,
        required=False,
        empty_label=_("— an outside supplier —"),
    )
    supplier_name = forms.CharField(
        label=_("Outside supplier"),
        max_length=200,
        required=False,
    )

    def __init__(self, *args, producers, supplier_hint="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["producer"].queryset = producers
        self.fields["supplier_name"].initial = supplier_hint[:200]
