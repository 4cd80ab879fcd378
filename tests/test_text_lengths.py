"""Every text a person can type has a maximum length (issue #15, finding 8):
in the model (a validator that `full_clean` runs), and in the form (a
`maxlength` the browser enforces, and a check on the server)."""

import importlib
import pkgutil

import pytest
from django import forms as django_forms
from django.apps import apps
from django.core.validators import MaxLengthValidator
from django.db import models

import amap
import cms
from amap import forms as project_forms

# Texts nobody types: written by the server, or copied from a field that has
# its own limit.
NOT_TYPED = {
    # The reason a document failed, written by the background job (cut short).
    "orders.StoredDocument.error",
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
