"""Every input has a clear answer, never a 500 (issue #15, finding 5): dates
out of range, ids out of the database's range, and `next` values that are not
a local path."""

import datetime as dt
import importlib
import pkgutil
from decimal import Decimal

import pytest
from django import forms as django_forms
from django.urls import reverse
from django.utils import timezone

import amap
from amap import forms as project_forms
from amap.distribution.models import ShiftAssignment
from amap.members.models import CharterAcceptance
from amap.members.services import publish_charter_version
from amap.orders.models import OrderPayment
from amap.producers.models import Label
from tests.factories import DistributionFactory, OrderFactory, ShiftFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

HUGE_ID = "99999999999999999999"
UNSAFE_NEXTS = ["abc", "//evil.example.com/", "https://evil.example.com/", "/a\nb"]


# `next` is ignored when it is not a local path, and the write answers once ----


@pytest.mark.parametrize("next_url", UNSAFE_NEXTS)
def test_recording_a_payment_ignores_an_unsafe_next(
    as_user, organiser, member, collective, next_url
):
    order = OrderFactory(
        member=member,
        distribution=DistributionFactory(cycle__collective=collective),
        total=Decimal("30.00"),
    )
    response = as_user(organiser).post(
        reverse("orders:order_payment_create", args=[collective.slug, order.pk]),
        {"amount": "12", "method": "cash", "reference": "", "next": next_url},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "orders:payment_list", args=[collective.slug]
    )
    assert OrderPayment.objects.filter(order=order).count() == 1


@pytest.mark.parametrize("next_url", UNSAFE_NEXTS)
def test_signing_up_for_a_shift_ignores_an_unsafe_next(
    as_user, member, collective, next_url
):
    shift = ShiftFactory(
        distribution__cycle__collective=collective,
        distribution__date=timezone.localdate() + dt.timedelta(days=5),
        people_needed=2,
    )
    response = as_user(member).post(
        reverse("distribution:shift_sign_up", args=[shift.pk]), {"next": next_url}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("distribution:shift_list")
    assert ShiftAssignment.objects.filter(shift=shift, user=member).count() == 1


@pytest.mark.parametrize("next_url", UNSAFE_NEXTS)
def test_accepting_the_charter_ignores_an_unsafe_next(as_user, member, next_url):
    version = publish_charter_version(
        title="Charte", body="<p>Texte</p>", what_changed="", page_url="/charte/"
    )
    response = as_user(member).post(
        reverse("members:charter_accept"), {"version": version.pk, "next": next_url}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("members:dashboard")
    assert CharterAcceptance.objects.filter(user=member).count() == 1


def test_a_local_next_is_still_followed(as_user, member, collective):
    shift = ShiftFactory(
        distribution__cycle__collective=collective,
        distribution__date=timezone.localdate() + dt.timedelta(days=5),
    )
    response = as_user(member).post(
        reverse("distribution:shift_sign_up", args=[shift.pk]),
        {"next": "/mon-espace/?x=1"},
    )
    assert response["Location"] == "/mon-espace/?x=1"


# Dates out of range in query strings -----------------------------------------


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_the_calendar_refuses_a_date_out_of_range(as_user, organiser, collective, day):
    response = as_user(organiser).get(
        reverse("distribution:calendar", args=[collective.slug]), {"from": day}
    )
    assert response.status_code < 500
    assert "Enter a date between" in response.content.decode()


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_the_week_page_refuses_a_date_out_of_range(as_user, organiser, collective, day):
    response = as_user(organiser).get(
        reverse("orders:week", args=[collective.slug]), {"du": day}
    )
    assert response.status_code == 400
    assert "Enter a date between" in response.content.decode()


# Every form uses the project's fields ------------------------------------------


def _project_forms() -> list[type[django_forms.BaseForm]]:
    for module in pkgutil.walk_packages(amap.__path__, "amap."):
        if ".migrations" not in module.name and not module.name.endswith("settings"):
            importlib.import_module(module.name)
    found, todo = [], [django_forms.BaseForm]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("amap."):
            found.append(cls)
    return found


def test_every_date_and_model_choice_field_is_the_projects():
    project_classes = {
        django_forms.DateTimeField: project_forms.DateTimeField,
        django_forms.DateField: project_forms.DateField,
        django_forms.ModelMultipleChoiceField: project_forms.ModelMultipleChoiceField,
        django_forms.ModelChoiceField: project_forms.ModelChoiceField,
    }
    forms = _project_forms()
    assert len(forms) > 20
    wrong = []
    for form in forms:
        for name, field in form.base_fields.items():
            for django_class, project_class in project_classes.items():
                if isinstance(field, django_class):
                    if not isinstance(field, project_class):
                        wrong.append(f"{form.__module__}.{form.__name__}.{name}")
                    break
    assert not wrong, (
        "Use amap.forms' date and model choice fields (or "
        "formfield_callback = bounded_formfield): " + ", ".join(wrong)
    )


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31", "1999-12-31"])
def test_the_date_field_refuses_a_date_out_of_range(value):
    field = project_forms.DateField()
    with pytest.raises(django_forms.ValidationError) as error:
        field.clean(value)
    assert error.value.code == "date_out_of_range"
    assert field.clean("2026-11-26") == dt.date(2026, 11, 26)


@pytest.mark.parametrize("value", ["0001-01-01T00:00", "9999-12-31T23:59"])
def test_the_datetime_field_refuses_a_date_out_of_range(value):
    field = project_forms.DateTimeField()
    with pytest.raises(django_forms.ValidationError) as error:
        field.clean(value)
    assert error.value.code == "date_out_of_range"
    assert field.clean("2026-11-26T18:00").year == 2026


@pytest.mark.parametrize("value", [HUGE_ID, "-" + HUGE_ID])
def test_a_huge_id_is_not_a_valid_choice(value):
    label = Label.objects.create(name="Bio", slug="bio")
    one = project_forms.ModelChoiceField(queryset=Label.objects.all())
    many = project_forms.ModelMultipleChoiceField(queryset=Label.objects.all())
    for field, data in ((one, value), (many, [str(label.pk), value])):
        with pytest.raises(django_forms.ValidationError) as error:
            field.clean(data)
        assert error.value.code == "invalid_choice"
    assert one.clean(str(label.pk)) == label
    assert list(many.clean([str(label.pk)])) == [label]


@pytest.mark.parametrize("name", ["instalment", "order"])
def test_marking_payments_refuses_a_huge_id(as_user, organiser, collective, name):
    response = as_user(organiser).post(
        reverse("orders:payment_list", args=[collective.slug]),
        {"method": "cash", name: [HUGE_ID]},
    )
    assert response.status_code == 400
    assert "The list has changed: reload the page." in response.content.decode()


# A forged form count builds a bounded number of forms ---------------------------


def _project_formsets() -> list[type[django_forms.BaseFormSet]]:
    """The formset classes the project's modules define (factories make them
    in Django's modules, so they are found by the names they are given)."""
    found = set()
    for module in pkgutil.walk_packages(amap.__path__, "amap."):
        if ".migrations" in module.name or module.name.endswith("settings"):
            continue
        for value in vars(importlib.import_module(module.name)).values():
            if (
                isinstance(value, type)
                and issubclass(value, django_forms.BaseFormSet)
                and hasattr(value, "form")
            ):
                found.add(value)
    return sorted(found, key=lambda f: f.__name__)


def test_every_formset_builds_a_bounded_number_of_forms():
    """Django builds up to `absolute_max` forms (2,000 by default) whatever
    TOTAL_FORMS says: one POST would cost tens of seconds."""
    formsets = _project_formsets()
    assert formsets
    unbounded = [
        f"{f.__module__}.{f.__name__} ({f.absolute_max})"
        for f in formsets
        if f.absolute_max > 100 or not f.validate_max
    ]
    assert not unbounded, (
        "Make formsets with amap.forms.bounded_formset_options(): "
        + ", ".join(unbounded)
    )


def test_a_forged_number_of_contract_options_is_refused_quickly(
    as_user, organiser, collective
):
    from amap.orders.forms.contracts import MAX_OPTIONS

    response = as_user(organiser).post(
        reverse("orders:contract_create", args=[collective.slug]),
        {
            "name": "Légumes",
            "options-TOTAL_FORMS": HUGE_ID,
            "options-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 400
    assert len(response.context["formset"].forms) == MAX_OPTIONS
    assert f"Please submit at most {MAX_OPTIONS} forms" in response.content.decode()
