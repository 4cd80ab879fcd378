"""Forms of the farm profile, of producer creation and of partnerships."""

from django import forms
from django.utils.translation import gettext_lazy as _

from amap.forms import ModelChoiceField, ModelMultipleChoiceField, TextField
from amap.location_forms import AddressFields, PositionFields

from ..models import DESCRIPTION_MAX_LENGTH, Label
from .fields import photo_field


class _FarmFields(AddressFields):
    """What every form of a farm asks: its name, activity and address."""

    name = forms.CharField(label=_("Name of the farm"), max_length=150)
    activity = forms.CharField(
        label=_("Activity"),
        max_length=150,
        required=False,
        help_text=_("In a few words: market gardening, bakery, goat cheese…"),
    )
    street = forms.CharField(
        label=_("Street and number, or place name"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "address-line1"}),
    )


class ProducerProfileForm(_FarmFields, PositionFields):
    """The farm as its producers describe it; the map fills the hidden
    position fields and `position_set_by_hand`."""

    field_order = [
        "name",
        "activity",
        "description",
        "labels",
        "photo",
        "remove_photo",
        "email",
        "phone",
        "website",
        "street",
        "postcode",
        "town",
    ]

    description = TextField(
        label=_("Description"),
        required=False,
        # Also the textarea's maxlength, so that browsers stop typing there.
        max_length=DESCRIPTION_MAX_LENGTH,
        help_text=_("Your farm, how you work, what members will find in the baskets."),
        error_messages={
            "max_length": _(
                "The description is too long: %(limit_value)d characters at "
                "most, it has %(show_value)d. Shorten it a little."
            )
        },
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    labels = ModelMultipleChoiceField(
        label=_("Labels and certifications"),
        queryset=Label.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    # No "currently: <path>" line: the template shows the photos themselves.
    photo = photo_field(forms.FileInput())
    remove_photo = forms.BooleanField(label=_("Remove the photo"), required=False)
    email = forms.EmailField(
        label=_("Contact email"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    website = forms.URLField(
        label=_("Website"), required=False, max_length=200, assume_scheme="https"
    )
    missing_position_message = _(
        "Place the farm on the map: both the latitude and the longitude are needed."
    )

    def service_fields(self) -> dict:
        """Keyword arguments for `update_producer_profile`."""
        data = super().service_fields()
        remove_photo = data.pop("remove_photo", False)
        photo = data.pop("photo", None)
        if photo and hasattr(photo, "content_type"):  # a new upload
            data["photo"] = photo
        elif remove_photo:
            data["photo"] = ""
        return data


class ProducerCreateForm(_FarmFields):
    """What an organiser knows of a new farm; its producers complete the rest."""

    field_order = ["name", "activity", "street", "postcode", "town", "manager_email"]

    manager_email = forms.EmailField(
        label=_("Email of the producer"),
        max_length=254,
        help_text=_(
            "An invitation to manage the farm's page, catalogue and stock is "
            "sent to this address; the producer accepts it with an account of "
            "this address (or signs up with it)."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )

    def clean_manager_email(self):
        return self.cleaned_data["manager_email"].strip().lower()


class ManagerInviteForm(forms.Form):
    email = forms.EmailField(
        label=_("Email of the producer"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )


class PartnershipAddForm(forms.Form):
    producer = ModelChoiceField(
        label=_("Producer"),
        queryset=None,
        empty_label=_("Choose a producer"),
        error_messages={
            "invalid_choice": _(
                "Choose one of the producers in the list; it may already supply "
                "the collective or have a proposal waiting."
            )
        },
        help_text=_(
            "The farm's producers are asked to accept; the farm supplies the "
            "collective once they have. Farms that no account manages yet are "
            "not listed."
        ),
    )
    referent = ModelChoiceField(
        label=_("Référent"),
        queryset=None,
        required=False,
        empty_label=_("No référent yet"),
        help_text=_("One of the collective's organisers follows this producer."),
        error_messages={
            "invalid_choice": _("Choose the référent among the organisers in the list.")
        },
    )

    def __init__(self, *args, producers, referents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["producer"].queryset = producers
        self.fields["referent"].queryset = referents


class PartnershipReferentForm(forms.Form):
    referent = ModelChoiceField(
        label=_("Référent"),
        queryset=None,
        required=False,
        empty_label=_("No référent"),
        error_messages={
            "invalid_choice": _("Choose the référent among the organisers in the list.")
        },
    )

    def __init__(self, *args, referents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referent"].queryset = referents
