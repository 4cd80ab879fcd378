"""Every text a person can type has a maximum length (issue #15, finding 8):
in the model (a validator that `full_clean` runs), and in the form (a
`maxlength` the browser enforces, and a check on the server)."""

import datetime as dt
import importlib
import pkgutil
from decimal import Decimal

import pytest
from django import forms as django_forms
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone, translation
from icalendar import Calendar
from pytest_django.asserts import assertContains

import amap
import cms
from amap import forms as project_forms
from amap.distribution.models import PickupPoint
from amap.distribution.services.pickup_points import create_pickup_point
from amap.groupbuy.models import GroupPurchase, Wish
from amap.groupbuy.services.wishes import propose_wish
from amap.producers.models import Product
from amap.texts import TEXT_MAX_LENGTH
from tests.factories import DistributionFactory, PickupPointFactory

# Texts nobody types: written by the server, or copied from a field that has
# its own limit.
NOT_TYPED = {
    # The reason a document failed, written by the background job (cut short).
    "orders.StoredDocument.error",
    # Why an outbox task could not be handed over, written by the dispatcher
    # (cut short).
    "operations.OutboxTask.last_error",
    # The charter's HTML, copied from the charter page whose text is limited.
    "members.CharterVersion.body",
}


def _our_models():
    for config in apps.get_app_configs():
        if config.name.startswith("amap.") or config.name == "cms":
            yield from config.get_models()


def test_every_text_field_of_our_models_has_a_maximum_length():
    unbounded = []
    for model in _our_models():
        for field in model._meta.get_fields():
            # Wagtail's own page fields (search description, path) are not ours.
            if not isinstance(field, models.TextField) or field.model is not model:
                continue
            name = f"{model._meta.label}.{field.name}"
            if name in NOT_TYPED:
                continue
            limits = [
                validator.limit_value
                for validator in field.validators
                if isinstance(validator, MaxLengthValidator)
            ]
            if not field.max_length or not limits or min(limits) > field.max_length:
                unbounded.append(name)
    assert not unbounded, (
        "Give these a max_length and a MaxLengthValidator (amap/texts.py): "
        + ", ".join(sorted(unbounded))
    )


def _our_forms() -> list[type[django_forms.BaseForm]]:
    for package in (amap, cms):
        for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            name = module.name
            if ".migrations" in name or name.endswith(("settings", ".management")):
                continue
            if ".management." in name:
                continue
            importlib.import_module(name)
    found, todo = [], [django_forms.BaseForm]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith(("amap.", "cms.")):
            found.append(cls)
    return found


def test_every_text_input_of_our_forms_has_a_maximum_length():
    forms = _our_forms()
    assert len(forms) > 20
    unbounded = [
        f"{form.__module__}.{form.__name__}.{name}"
        for form in forms
        for name, field in form.base_fields.items()
        if isinstance(field, django_forms.CharField) and not field.max_length
    ]
    assert not unbounded, "Give these a max_length: " + ", ".join(sorted(unbounded))


@pytest.mark.parametrize("form", _our_forms(), ids=lambda form: form.__name__)
def test_text_inputs_say_their_maximum_length_to_the_browser(form):
    for name, field in form.base_fields.items():
        if isinstance(field, django_forms.CharField) and field.max_length:
            widget = field.widget
            if isinstance(widget, django_forms.HiddenInput):
                continue
            attrs = widget.build_attrs(widget.attrs, field.widget_attrs(widget))
            assert str(attrs.get("maxlength")) == str(field.max_length), name


def test_every_text_box_is_the_projects():
    """amap.forms.TextField counts a line break as the browser does, and draws
    its limit and a counter."""
    wrong = [
        f"{form.__module__}.{form.__name__}.{name}"
        for form in _our_forms()
        for name, field in form.base_fields.items()
        if isinstance(field, django_forms.CharField)
        and isinstance(field.widget, django_forms.Textarea)
        and not isinstance(field, project_forms.TextField)
    ]
    assert not wrong, "Use amap.forms.TextField: " + ", ".join(sorted(wrong))


# 100,000 characters, as a fuzzer sends them: refused next to the field -------

HUGE_TEXT = "x" * 100_000
TOO_LONG = "This text is too long: "


def _refused_next_to(response, field):
    assert response.status_code == 400
    errors = response.context["form"].errors[field]
    assert any(TOO_LONG in error for error in errors), errors
    assertContains(response, f'id="id_{field}_error">{TOO_LONG}', status_code=400)


@pytest.mark.usefixtures("english")
def test_a_huge_product_description_is_refused(as_user, producer, producer_user):
    response = as_user(producer_user).post(
        reverse("producers:product_create", args=[producer.slug]),
        {
            "name": "Poireaux",
            "category": "vegetables",
            "unit": "kg",
            "price": "3.20",
            "vat_rate": "5.50",
            "weight_step": "0.5",
            "usual_quantity": "20",
            "description": HUGE_TEXT,
            "active": "on",
        },
    )
    _refused_next_to(response, "description")
    assert not Product.objects.exists()


def _point_data(**changes):
    return {
        "name": "Maison de quartier",
        "street": "5 rue Auguste Renoir",
        "postcode": "44100",
        "town": "Nantes",
        "opening_notes": "",
        "capacity": "",
        "active": "on",
        "latitude": "",
        "longitude": "",
        "position_set_by_hand": "",
        **changes,
    }


@pytest.mark.usefixtures("english")
def test_huge_pickup_point_notes_are_refused(as_user, organiser, collective):
    response = as_user(organiser).post(
        reverse("distribution:pickup_point_create", args=[collective.slug]),
        _point_data(opening_notes=HUGE_TEXT),
    )
    _refused_next_to(response, "opening_notes")
    assert not PickupPoint.objects.exists()


@pytest.mark.usefixtures("english")
def test_huge_pickup_point_notes_are_refused_on_edit(as_user, organiser, collective):
    point = PickupPointFactory(collective=collective, opening_notes="Sonnez.")
    response = as_user(organiser).post(
        reverse("distribution:pickup_point_edit", args=[point.pk]),
        _point_data(opening_notes=HUGE_TEXT),
    )
    _refused_next_to(response, "opening_notes")
    point.refresh_from_db()
    assert point.opening_notes == "Sonnez."


def test_the_pickup_point_service_refuses_huge_notes(organiser, collective):
    with pytest.raises(ValidationError) as caught:
        create_pickup_point(
            collective=collective,
            created_by=organiser,
            name="Maison",
            street="5 rue Auguste Renoir",
            postcode="44100",
            town="Nantes",
            opening_notes=HUGE_TEXT,
        )
    assert "opening_notes" in caught.value.message_dict
    assert not PickupPoint.objects.exists()


@pytest.mark.usefixtures("english")
def test_a_huge_campaign_description_is_refused(as_user, organiser, collective):
    distribution = DistributionFactory(
        cycle__collective=collective, date=timezone.localdate() + dt.timedelta(days=20)
    )
    opens = timezone.localtime() + dt.timedelta(hours=1)
    response = as_user(organiser).post(
        reverse("groupbuy:manage_create", args=[collective.slug]),
        {
            "collectives": [collective.pk],
            "title": "Café de la coopérative",
            "description": HUGE_TEXT,
            "supplier_name": "Café Michel",
            "opens_at": opens.strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (opens + dt.timedelta(days=5)).strftime("%Y-%m-%dT%H:%M"),
            "distribution": distribution.pk,
            "minimum_order": "150",
            "policy": "fair_share",
        },
    )
    _refused_next_to(response, "description")
    assert not GroupPurchase.objects.exists()


@pytest.mark.usefixtures("english")
def test_a_huge_wish_description_is_refused(as_user, member, collective):
    response = as_user(member).post(
        reverse("groupbuy:wish_propose"),
        {
            "collective": collective.pk,
            "title": "Lentilles vertes du Puy",
            "description": HUGE_TEXT,
            "unit": "kg",
        },
    )
    _refused_next_to(response, "description")
    assert not Wish.objects.exists()


def test_the_wish_service_refuses_a_huge_description(member, collective):
    with pytest.raises(ValidationError) as caught:
        propose_wish(
            member=member, collective=collective, title="Café", description=HUGE_TEXT
        )
    assert "description" in caught.value.message_dict
    assert not Wish.objects.exists()


# What the public feeds publish ------------------------------------------------


def test_the_public_feeds_never_carry_a_huge_note(client, collective):
    """Notes stored before the limit existed are cut short in the GeoJSON map
    and the iCal feed, which anybody can read."""
    point = PickupPointFactory(
        collective=collective, latitude=Decimal("47.2"), longitude=Decimal("-1.55")
    )
    PickupPoint.objects.filter(pk=point.pk).update(opening_notes=HUGE_TEXT)
    DistributionFactory(
        cycle__collective=collective,
        pickup_point=point,
        date=timezone.localdate() + dt.timedelta(days=3),
    )
    geojson = client.get(
        reverse("distribution:collective_pickup_points_geojson", args=[collective.slug])
    ).json()
    notes = geojson["features"][0]["properties"]["opening_notes"]
    assert len(notes) <= TEXT_MAX_LENGTH
    assert notes.endswith("…")
    feed = client.get(
        reverse("distribution:collective_feed", args=[collective.slug])
    ).content
    (event,) = Calendar.from_ical(feed).walk("VEVENT")
    assert len(str(event["DESCRIPTION"])) <= TEXT_MAX_LENGTH


# What the form shows ------------------------------------------------------------


@pytest.mark.usefixtures("english")
def test_a_text_box_shows_its_limit_and_loads_the_counter(as_user, member, collective):
    response = as_user(member).get(reverse("groupbuy:wish_propose"))
    html = response.content.decode()
    assert f'maxlength="{TEXT_MAX_LENGTH}"' in html
    assert (
        '<p class="help text-limit" data-text-limit="id_description">'
        "2,000 characters at most"
    ) in html
    assert "js/text_limits.js" in html


def test_the_limit_is_written_for_the_locale(as_user, member, collective):
    with translation.override("fr"):
        response = as_user(member).get(reverse("groupbuy:wish_propose"))
    assert "2\xa0000" in response.content.decode()


def test_a_line_break_counts_as_one_character_as_in_the_browser():
    field = project_forms.TextField(max_length=5)
    assert field.clean("ab\r\ncd") == "ab\ncd"
    with pytest.raises(ValidationError):
        field.clean("ab\r\ncd\r\ne")
