"""What every form view shares: putting a service's refusal on the form."""

from collections.abc import Callable

from django import forms
from django.core.exceptions import ValidationError


def add_service_errors(
    form: forms.Form,
    error: ValidationError,
    field_name: Callable[[object], str | None] | None = None,
) -> None:
    """Put a service's ValidationError next to the form's fields, the rest on top.

    `field_name` turns a service's key into the form's field name (an item's
    pk into its quantity field, say). An error without fields is added as
    itself, not its text, so that a `CharterNotAccepted` keeps its link to the
    accept page.
    """
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for key, errors in error.error_dict.items():
        name = field_name(key) if field_name is not None else key
        form.add_error(name if name in form.fields else None, errors)
