"""The helpers every view shares (amap/views.py)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory
from django.utils import translation

from amap.views import error_text, safe_next


def test_error_text_joins_every_message_of_a_refusal():
    error = ValidationError({"quantity": ["Too many."], "__all__": ["Closed."]})

    assert error_text(error) == "Too many. Closed."


def test_error_text_of_a_bare_permission_refusal_is_still_a_sentence():
    assert error_text(PermissionDenied("Organisers only.")) == "Organisers only."
    with translation.override("en"):
        assert error_text(PermissionDenied()) == "You cannot do this."


def test_safe_next_follows_an_address_of_this_site_only():
    factory = RequestFactory()

    inside = factory.post("/x/", {"next": "/organisation/"})
    outside = factory.post("/x/", {"next": "https://evil.example/"})

    assert safe_next(inside, "/default/") == "/organisation/"
    assert safe_next(outside, "/default/") == "/default/"
    assert safe_next(factory.post("/x/"), "/default/") == "/default/"
