"""Forms of the payments pages: they check the shape of the input only."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from amap.forms import fits_the_column

from ..models import Instalment, Order, PaymentMethod

REFERENCE_MAX_LENGTH = 100


class PaymentFilterForm(forms.Form):
    STATUS_CHOICES = [
        ("unpaid", _("Not received yet")),
        ("paid", _("Received")),
        ("all", _("All")),
    ]

    status = forms.ChoiceField(
        label=_("Payments"), choices=STATUS_CHOICES, required=False, initial="unpaid"
    )
    q = forms.CharField(label=_("Member's name"), required=False, max_length=100)
    contract = forms.TypedChoiceField(
        label=_("Contract"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, contracts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.contracts = {contract.pk: contract for contract in contracts}
        self.fields["contract"].choices = [("", _("All, and one-off orders"))] + [
            (contract.pk, contract.name) for contract in contracts
        ]

    def filters(self) -> dict:
        """The filters to apply; the defaults when the form is empty or invalid."""
        if not self.is_bound or not self.is_valid():
            return {"status": "unpaid", "query": "", "contract": None}
        status = self.cleaned_data["status"] or "unpaid"
        return {
            "status": "" if status == "all" else status,
            "query": self.cleaned_data["q"].strip(),
            "contract": self.contracts.get(self.cleaned_data["contract"]),
        }


def _ids(data, name, model) -> list[int]:
    """The ticked rows' ids; one that is not a number, or out of the
    database's range, means the page is out of date."""
    ids = []
    for value in data.getlist(name):
        try:
            if not fits_the_column(model._meta.pk, value):
                raise ValueError(value)
            ids.append(int(value))
        except (TypeError, ValueError):
            raise ValidationError(_("The list has changed: reload the page.")) from None
    return sorted(set(ids))


class BulkPaymentForm(forms.Form):
    """Ticked rows (`instalment` and `order` values), the method, and one
    reference per row (`ref-i-<pk>`, `ref-o-<pk>`)."""

    method = forms.ChoiceField(label=_("Received by"), choices=PaymentMethod.choices)

    def clean(self):
        cleaned = super().clean()
        cleaned["instalment_ids"] = _ids(self.data, "instalment", Instalment)
        cleaned["order_ids"] = _ids(self.data, "order", Order)
        if not cleaned["instalment_ids"] and not cleaned["order_ids"]:
            raise ValidationError(_("Tick at least one row to mark as received."))
        cleaned["instalment_references"] = self._references(
            "i", cleaned["instalment_ids"]
        )
        cleaned["order_references"] = self._references("o", cleaned["order_ids"])
        return cleaned

    def _references(self, prefix, ids) -> dict[int, str]:
        references = {}
        for pk in ids:
            value = (self.data.get(f"ref-{prefix}-{pk}") or "").strip()
            if len(value) > REFERENCE_MAX_LENGTH:
                raise ValidationError(
                    _("A cheque number or reference has at most %(max)d characters.")
                    % {"max": REFERENCE_MAX_LENGTH}
                )
            references[pk] = value
        return references


class ReceivedPaymentFields:
    """For a form with `amount`, `method` and `reference` fields: what a
    payment-recording service takes from it."""

    def received(self) -> dict:
        return {
            name: self.cleaned_data[name] for name in ("amount", "method", "reference")
        }


class OrderPaymentForm(ReceivedPaymentFields, forms.Form):
    amount = forms.DecimalField(
        label=_("Amount received (€)"),
        min_value=Decimal("0.01"),
        max_digits=10,
        decimal_places=2,
    )
    method = forms.ChoiceField(label=_("Received by"), choices=PaymentMethod.choices)
    reference = forms.CharField(
        label=_("Cheque number or reference"),
        required=False,
        max_length=REFERENCE_MAX_LENGTH,
    )
