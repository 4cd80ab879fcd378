"""Forms for contracts (organisers) and subscriptions (members)."""

from django import forms
from django.contrib.auth import get_user_model
from django.forms import inlineformset_factory
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from amap.distribution.models import Distribution
from amap.forms import (
    DateTimeField,
    ModelChoiceField,
    ModelMultipleChoiceField,
    bounded_formfield,
    bounded_formset_options,
)
from amap.members.models import Membership
from amap.producers.models import Partnership, Producer, Product

from ..models import Contract, ContractOption, Subscription
from ..services.contracts import INSTALMENT_CHOICES, MAX_QUANTITY

User = get_user_model()


class DeliveryChoiceField(ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{date_format(obj.date, 'l j F Y')} — {obj.pickup_point.name}"


class ProductChoiceField(ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.producer.name} — {obj.name}"


class MemberChoiceField(ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.email


def collective_members(collective, *, exclude=None):
    """Active members of a collective, by name, for the "share with" selects."""
    users = User.objects.filter(
        memberships__collective=collective,
        memberships__status=Membership.Status.ACTIVE,
    ).order_by("last_name", "first_name", "pk")
    if exclude is not None:
        users = users.exclude(pk=exclude.pk)
    return users


class ContractForm(forms.ModelForm):
    deliveries = DeliveryChoiceField(
        label=_("Delivery distributions"),
        queryset=Distribution.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "The collective's coming distributions where baskets are delivered."
        ),
    )
    instalment_choices = forms.TypedMultipleChoiceField(
        label=_("Numbers of instalments allowed"),
        choices=[(n, str(n)) for n in INSTALMENT_CHOICES],
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    signup_deadline = DateTimeField(
        label=_("Sign-up deadline"),
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
        ),
    )

    class Meta:
        formfield_callback = bounded_formfield
        model = Contract
        fields = [
            "producer",
            "name",
            "description",
            "deliveries",
            "instalment_choices",
            "signup_deadline",
            "min_subscribers",
            "max_subscribers",
            "status",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, collective, **kwargs):
        super().__init__(*args, **kwargs)
        self.collective = collective
        self.fields["producer"].queryset = Producer.objects.active().supplying(
            collective
        )
        deliveries = Distribution.objects.filter(
            cycle__collective=collective,
            cancelled=False,
            date__gte=timezone.localdate(),
        )
        if self.instance.pk:
            # Past deliveries of an existing contract stay checked.
            deliveries = deliveries | Distribution.objects.filter(
                contracts=self.instance
            )
        self.fields["deliveries"].queryset = (
            deliveries.distinct()
            .select_related("pickup_point", "cycle")
            .order_by("date", "starts_at", "pickup_point__name")
        )
        if self.instance.pk:
            self.initial["signup_deadline"] = timezone.localtime(
                self.instance.signup_deadline
            )

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("min_subscribers"), cleaned.get("max_subscribers")
        if low is not None and high is not None and high < low:
            self.add_error(
                "max_subscribers",
                _("The maximum cannot be below the minimum number of subscribers."),
            )
        return cleaned

    def _post_clean(self):
        # The contract is validated by the service, with its options.
        opts = self._meta
        self.instance = forms.models.construct_instance(
            self, self.instance, opts.fields, opts.exclude
        )
        self.instance.collective = self.collective


class ContractOptionForm(forms.ModelForm):
    product = ProductChoiceField(
        label=_("Product"), queryset=Product.objects.none(), required=False
    )

    class Meta:
        formfield_callback = bounded_formfield
        model = ContractOption
        fields = ["name", "description", "product", "price_per_delivery"]

    def __init__(self, *args, collective=None, **kwargs):
        super().__init__(*args, **kwargs)
        if collective is not None:
            self.fields["product"].queryset = (
                Product.objects.filter(
                    producer__partnerships__collective=collective,
                    producer__partnerships__active=True,
                    producer__partnerships__status=Partnership.Status.ACCEPTED,
                )
                .select_related("producer")
                .order_by("producer__name", "name")
            )


# Baskets a contract offers (small, medium, large…): a few, never dozens.
MAX_OPTIONS = 20

ContractOptionFormSet = inlineformset_factory(
    Contract,
    ContractOption,
    form=ContractOptionForm,
    extra=2,
    min_num=1,
    validate_min=True,
    can_delete=True,
    **bounded_formset_options(MAX_OPTIONS),
)


class SubscribeForm(forms.Form):
    option = ModelChoiceField(
        label=_("Option"),
        queryset=ContractOption.objects.none(),
        widget=forms.RadioSelect,
    )
    quantity = forms.IntegerField(
        label=_("Quantity"), min_value=1, max_value=MAX_QUANTITY, initial=1
    )
    instalments = forms.TypedChoiceField(
        label=_("Number of instalments"), coerce=int, choices=()
    )
    sharing = forms.ChoiceField(
        label=_("Shared basket"),
        choices=Subscription.Sharing.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    shared_with = MemberChoiceField(
        label=_("Shared with"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("— choose a member —"),
    )

    def __init__(self, *args, contract, member, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["option"].queryset = ContractOption.objects.filter(
            contract=contract
        )
        self.fields["instalments"].choices = [
            (n, str(n)) for n in contract.instalment_choices
        ]
        self.fields["shared_with"].queryset = collective_members(
            contract.collective, exclude=member
        )
        self.initial.setdefault("sharing", "")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("sharing") and not cleaned.get("shared_with"):
            self.add_error(
                "shared_with", _("Choose the member you share the basket with.")
            )
        return cleaned
