"""Forms of the organiser's calendar: the season rule, a distribution, cancelling."""

import re
from datetime import date, datetime

from django import forms
from django.conf import settings
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from amap.forms import DateField, ModelMultipleChoiceField, TextField
from amap.texts import SHORT_TEXT_MAX_LENGTH, TEXT_MAX_LENGTH

from ..recurrence import SeasonRule, SeasonRuleError, plan_season
from ..services.calendar import SEASON_RULE_MESSAGES

MAX_CALENDAR_WEEKS = 52
MAX_DAYS_BEFORE = 60
SKIP_DATE_FORMATS = ("%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%H:%M")


def parse_skip_dates(text: str) -> tuple[list[date], list[str]]:
    """Dates written dd/mm/yyyy, one a line or separated by commas or semicolons;
    returns the dates and the pieces that are not dates."""
    dates, bad = [], []
    for piece in re.split(r"[\n,;]+", text):
        piece = piece.strip()
        if not piece:
            continue
        for fmt in SKIP_DATE_FORMATS:
            try:
                dates.append(datetime.strptime(piece, fmt).date())
                break
            except ValueError:
                continue
        else:
            bad.append(piece)
    return sorted(set(dates)), bad


class CalendarRangeForm(forms.Form):
    start = DateField(label=_("From"), required=False, widget=DateInput())
    weeks = forms.IntegerField(
        label=_("Number of weeks"),
        required=False,
        min_value=1,
        max_value=MAX_CALENDAR_WEEKS,
    )

    def add_prefix(self, field_name):
        # "from" is a Python keyword: the query string says ?from=, the field `start`.
        return "from" if field_name == "start" else super().add_prefix(field_name)


class SeasonForm(forms.Form):
    """Every <weekday> <start>–<end> from <first date> to <last date> at these
    points, ordering from N days before at HH:MM to M days before at HH:MM."""

    weekday = forms.TypedChoiceField(
        label=_("Every"), choices=list(WEEKDAYS.items()), coerce=int
    )
    start_time = forms.TimeField(label=_("From"), widget=TimeInput())
    end_time = forms.TimeField(label=_("To"), widget=TimeInput())
    first_date = DateField(label=_("First date"), widget=DateInput())
    last_date = DateField(label=_("Last date"), widget=DateInput())
    pickup_points = ModelMultipleChoiceField(
        label=_("At these pickup points"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one pickup point.")},
    )
    opens_days_before = forms.IntegerField(
        label=_("Ordering opens (days before)"),
        min_value=0,
        max_value=MAX_DAYS_BEFORE,
        initial=7,
    )
    opens_time = forms.TimeField(label=_("at"), widget=TimeInput(), initial="09:00")
    closes_days_before = forms.IntegerField(
        label=_("Ordering closes (days before)"),
        min_value=0,
        max_value=MAX_DAYS_BEFORE,
        initial=2,
    )
    closes_time = forms.TimeField(label=_("at"), widget=TimeInput(), initial="20:00")
    skip_dates = TextField(
        label=_("Skip these dates"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "25/12/2026"}),
        help_text=_(
            "Holidays, for instance: dd/mm/yyyy, one a line or comma-separated."
        ),
    )

    def __init__(self, *args, collective, **kwargs):
        super().__init__(*args, **kwargs)
        self.collective = collective
        self.fields["pickup_points"].queryset = collective.pickup_points.active()
        self.plan = []

    def clean_skip_dates(self):
        dates, bad = parse_skip_dates(self.cleaned_data["skip_dates"])
        if bad:
            raise forms.ValidationError(
                _("“%(value)s” is not a date: write it as dd/mm/yyyy."),
                params={"value": bad[0]},
            )
        return dates

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        self.rule = SeasonRule(
            weekday=cleaned["weekday"],
            start_time=cleaned["start_time"],
            end_time=cleaned["end_time"],
            first_date=cleaned["first_date"],
            last_date=cleaned["last_date"],
            opens_days_before=cleaned["opens_days_before"],
            opens_time=cleaned["opens_time"],
            closes_days_before=cleaned["closes_days_before"],
            closes_time=cleaned["closes_time"],
            skip_dates=frozenset(cleaned["skip_dates"]),
            tz=settings.TIME_ZONE,
        )
        try:
            self.plan = plan_season(self.rule)
        except SeasonRuleError as error:
            message = SEASON_RULE_MESSAGES.get(error.code, error.message)
            self.add_error(error.field if error.field in self.fields else None, message)
        return cleaned


class DistributionForm(forms.Form):
    starts_at = forms.TimeField(label=_("Start"), widget=TimeInput())
    ends_at = forms.TimeField(label=_("End"), widget=TimeInput())
    notes = TextField(
        label=_("Notes"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Shown to the volunteers and members, e.g. a change of room."),
    )


class CancelDistributionForm(forms.Form):
    reason = TextField(
        label=_("Why is it cancelled?"),
        max_length=SHORT_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("This reason is sent to the people concerned."),
        error_messages={
            "required": _("Tell the members why the distribution is cancelled.")
        },
    )
