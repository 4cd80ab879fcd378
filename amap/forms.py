"""What every form view shares: putting a service's refusal on the form, and
the project's date and choice fields, which refuse out-of-range input with a
message (every form uses them: tests/test_input_ranges.py checks), its text
box, which has a maximum length (tests/test_text_lengths.py), and its upload
fields (amap/uploads.py, tests/test_uploads.py)."""

import datetime
from collections.abc import Callable

from django import forms
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


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


# Inputs every form refuses with a message rather than a 500 -----------------

# Dates outside these bounds are typing mistakes or probes; refusing them here
# keeps every service from overflowing when it adds days or makes them aware.
EARLIEST_DATE = datetime.date(2000, 1, 1)
LATEST_DATE = datetime.date(2100, 12, 31)


def date_out_of_range_error() -> ValidationError:
    return ValidationError(
        _("Enter a date between %(earliest)s and %(latest)s.")
        % {
            "earliest": date_format(EARLIEST_DATE, "SHORT_DATE_FORMAT"),
            "latest": date_format(LATEST_DATE, "SHORT_DATE_FORMAT"),
        },
        code="date_out_of_range",
    )


def _check_date_range(day: datetime.date | None) -> None:
    if day is not None and not EARLIEST_DATE <= day <= LATEST_DATE:
        raise date_out_of_range_error()


class DateField(forms.DateField):
    """A date between 2000 and 2100, refused next to the field otherwise."""

    def to_python(self, value):
        day = super().to_python(value)
        _check_date_range(day)
        return day


class DateTimeField(forms.DateTimeField):
    """A date and time between 2000 and 2100, refused next to the field
    otherwise (before it is made aware, which may overflow)."""

    def to_python(self, value):
        if isinstance(value, str) and value.strip():
            # Read in UTC first, where making it aware cannot overflow.
            with timezone.override(datetime.UTC):
                moment = super().to_python(value)
            if moment is not None:
                _check_date_range(moment.date())
        try:
            moment = super().to_python(value)
        except OverflowError:
            raise date_out_of_range_error() from None
        if moment is not None:
            _check_date_range(moment.date())
        return moment


class TextField(forms.CharField):
    """Several lines of text, with a maximum length the browser enforces and
    the form draws as a hint ("2,000 characters at most") with a counter.

    Line breaks count as one character, as the browser counts them against
    `maxlength` (it sends each as CR LF).
    """

    widget = forms.Textarea

    def __init__(self, *, max_length: int, **kwargs):
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3}))
        super().__init__(max_length=max_length, **kwargs)
        self.error_messages.setdefault("max_length", TEXT_TOO_LONG)

    def to_python(self, value):
        return super().to_python(value).replace("\r\n", "\n")


TEXT_TOO_LONG = gettext_lazy(
    "This text is too long: %(limit_value)d characters at most, it has "
    "%(show_value)d. Shorten it a little."
)


def fits_the_column(field, value) -> bool:
    """Whether `value` can be looked up in an integer column of `field` (the
    database refuses, or overflows on, integers out of its range)."""
    if field.get_internal_type() not in INTEGER_TYPES:
        return True
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return True  # the field's own check says it is not a valid choice
    low, high = connection.ops.integer_field_range(field.get_internal_type())
    return (low is None or number >= low) and (high is None or number <= high)


INTEGER_TYPES = {
    "AutoField",
    "BigAutoField",
    "SmallAutoField",
    "IntegerField",
    "BigIntegerField",
    "SmallIntegerField",
    "PositiveIntegerField",
    "PositiveBigIntegerField",
    "PositiveSmallIntegerField",
}


def _key_field(choice_field):
    opts = choice_field.queryset.model._meta
    name = choice_field.to_field_name
    return opts.get_field(name) if name else opts.pk


class ModelChoiceField(forms.ModelChoiceField):
    """Django's, with an id out of the database's range "not a valid choice"
    (rather than an OverflowError or a DataError)."""

    def to_python(self, value):
        if value not in self.empty_values and not fits_the_column(
            _key_field(self), value
        ):
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return super().to_python(value)


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's, with an id out of the database's range "not a valid choice"."""

    def _check_values(self, value):
        if not isinstance(value, str | bytes):
            key = _key_field(self)
            try:
                values = list(value)
            except TypeError:
                values = []
            for pk in values:
                if not fits_the_column(key, pk):
                    raise ValidationError(
                        self.error_messages["invalid_choice"],
                        code="invalid_choice",
                        params={"value": pk},
                    )
        return super()._check_values(value)


def bounded_formset_options(max_num: int) -> dict:
    """Options for Django's formset factories: at most `max_num` forms, both
    built and accepted.

    A formset builds as many forms as the posted TOTAL_FORMS says, up to its
    `absolute_max` (2,000 by default): a forged count would make one POST
    build and render thousands of forms. More than `max_num` is refused with
    Django's "Please submit at most … forms."
    """
    return {"max_num": max_num, "absolute_max": max_num, "validate_max": True}


def bounded_formfield(db_field, **kwargs):
    """A ModelForm's `formfield_callback`: the project's date and choice fields
    in place of Django's, unless the form names its own."""
    from django.db import models

    if "form_class" not in kwargs:
        if isinstance(db_field, models.DateTimeField):
            kwargs["form_class"] = DateTimeField
        elif isinstance(db_field, models.DateField):
            kwargs["form_class"] = DateField
        elif isinstance(db_field, models.ManyToManyField):
            kwargs["form_class"] = ModelMultipleChoiceField
        elif isinstance(db_field, models.ForeignKey):
            kwargs["form_class"] = ModelChoiceField
        elif isinstance(db_field, models.TextField) and not db_field.choices:
            kwargs["form_class"] = TextField
    return db_field.formfield(**kwargs)
