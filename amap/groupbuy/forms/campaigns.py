"""Organiser forms for group purchases: they check the shape of the input;
the rules are in services/campaigns.py."""

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from amap.distribution.models import Distribution
from amap.forms import (
    DateTimeField,
    ModelChoiceField,
    ModelMultipleChoiceField,
    TextField,
)
from amap.members.models import Collective
from amap.orders.forms.payments import ReceivedPaymentFields
from amap.orders.models import PaymentMethod
from amap.producers.models import MAX_PRICE, Partnership, Producer, Product
from amap.texts import LONG_TEXT_MAX_LENGTH, SHORT_TEXT_MAX_LENGTH

from ..models import MAX_CASES, MAX_UNITS, GroupPurchase, Policy

DATETIME_WIDGET = forms.DateTimeInput(
    attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
)


class DistributionChoiceField(ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{date_format(obj.date, 'l j F Y')} — {obj.pickup_point.name}"


class CampaignForm(forms.Form):
    collectives = ModelMultipleChoiceField(
        label=_("Collectives"),
        queryset=Collective.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("One collective, or several of the network buying together."),
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    description = TextField(
        label=_("Description"),
        required=False,
        max_length=LONG_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    producer = ModelChoiceField(
        label=_("Producer of the network"),
        queryset=Producer.objects.none(),
        required=False,
    )
    supplier_name = forms.CharField(
        label=_("Or outside supplier"), max_length=200, required=False
    )
    supplier_contact = forms.CharField(
        label=_("Supplier contact"), max_length=300, required=False
    )
    opens_at = DateTimeField(label=_("Pledges open on"), widget=DATETIME_WIDGET)
    closes_at = DateTimeField(label=_("Pledges close on"), widget=DATETIME_WIDGET)
    distribution = DistributionChoiceField(
        label=_("Collected at"),
        queryset=Distribution.objects.none(),
        required=False,
        help_text=_("The distribution where members collect the goods."),
    )
    minimum_order = forms.DecimalField(
        label=_("Minimum order (€)"),
        min_value=Decimal("0"),
        max_value=MAX_PRICE,
        decimal_places=2,
        initial=Decimal("0"),
        help_text=_("The supplier does not ship below this amount (0: no minimum)."),
    )
    policy = forms.ChoiceField(
        label=_("Sharing rule"),
        choices=Policy.choices,
        initial=Policy.FAIR_SHARE,
        help_text=_(
            "How units are shared when the cases do not match the pledges exactly."
        ),
    )

    def __init__(self, *args, user, campaign: GroupPurchase | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        from amap.members.permissions import organised_collectives

        organised = organised_collectives(user)
        chosen = campaign.collectives.all() if campaign else Collective.objects.none()
        collectives = Collective.objects.filter(
            pk__in=organised.values("pk")
        ) | Collective.objects.filter(pk__in=chosen.values("pk"))
        self.fields["collectives"].queryset = collectives.distinct().order_by("name")
        self.fields["producer"].queryset = (
            Producer.objects.filter(
                partnerships__collective__in=collectives,
                partnerships__status=Partnership.Status.ACCEPTED,
            )
            .distinct()
            .order_by("name")
        )
        self.fields["distribution"].queryset = (
            Distribution.objects.active()
            .filter(cycle__collective__in=collectives)
            .upcoming()
            .select_related("pickup_point")
            .order_by("date", "starts_at")
        )

    def clean(self):
        data = super().clean()
        opens_at, closes_at = data.get("opens_at"), data.get("closes_at")
        if opens_at and closes_at and closes_at <= opens_at:
            self.add_error("closes_at", _("Pledges must close after they open."))
        return data


TIER_PART = re.compile(r"^\s*(\d+)\s*:\s*([0-9]+(?:[.,][0-9]+)?)\s*€?\s*$")


class ItemForm(forms.Form):
    name = forms.CharField(label=_("Product"), max_length=200)
    unit = forms.ChoiceField(
        label=_("Unit"), choices=Product.Unit.choices, initial=Product.Unit.KG
    )
    case_size = forms.IntegerField(
        label=_("Units per case"), min_value=1, max_value=MAX_UNITS
    )
    tiers = forms.CharField(
        label=_("Prices per unit"),
        help_text=_(
            "“from cases: price”, separated by semicolons, e.g. "
            "“0: 2.40; 10: 2.10; 25: 1.95” — 2.40 € per unit from 0 cases, "
            "2.10 € from 10 cases…"
        ),
        max_length=500,
    )
    min_cases = forms.IntegerField(
        label=_("Minimum cases"),
        min_value=0,
        max_value=MAX_CASES,
        required=False,
        help_text=_("Not ordered at all below this number of cases (empty: none)."),
    )
    max_cases = forms.IntegerField(
        label=_("Maximum cases"),
        min_value=1,
        max_value=MAX_CASES,
        required=False,
        help_text=_("The supplier's stock (empty: no limit)."),
    )

    def clean_tiers(self):
        tiers = []
        for part in self.cleaned_data["tiers"].split(";"):
            if not part.strip():
                continue
            match = TIER_PART.match(part)
            if not match:
                raise ValidationError(
                    _("“%(part)s” is not “from cases: price”, e.g. “10: 2.10”.")
                    % {"part": part.strip()}
                )
            try:
                price = Decimal(match.group(2).replace(",", "."))
            except InvalidOperation:  # pragma: no cover - the pattern prevents it
                raise ValidationError(_("Enter prices in euros.")) from None
            tiers.append((int(match.group(1)), price))
        if not tiers:
            raise ValidationError(_("Give at least one price, from 0 cases."))
        return tiers

    @staticmethod
    def tiers_text(tiers) -> str:
        return "; ".join(f"{tier.min_cases}: {tier.unit_price}" for tier in tiers)


class ExtendForm(forms.Form):
    closes_at = DateTimeField(label=_("Pledges now close on"), widget=DATETIME_WIDGET)

    def clean_closes_at(self):
        closes_at = self.cleaned_data["closes_at"]
        if closes_at <= timezone.now():
            raise ValidationError(_("Choose a closing date in the future."))
        return closes_at


class CancelForm(forms.Form):
    reason = TextField(
        label=_("Why is it cancelled?"),
        max_length=SHORT_TEXT_MAX_LENGTH,
        help_text=_("Sent to every member who pledged."),
    )


class PaymentForm(ReceivedPaymentFields, forms.Form):
    member = forms.IntegerField(widget=forms.HiddenInput)
    amount = forms.DecimalField(
        label=_("Amount (€)"),
        min_value=Decimal("0.01"),
        max_value=MAX_PRICE,
        decimal_places=2,
    )
    method = forms.ChoiceField(label=_("Method"), choices=PaymentMethod.choices)
    reference = forms.CharField(label=_("Reference"), max_length=100, required=False)
