"""The volumes map form: one cycle or a range of dates, and what to measure."""

from datetime import timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from amap.forms import DateField

from ..volumes import MAX_RANGE_DAYS, MEASURES, Selection

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_ERRORS = {"invalid": _("Enter a date, for example 2026-11-26.")}


class VolumesForm(forms.Form):
    cycle = forms.TypedChoiceField(
        label=_("Order cycle"),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": _("Choose one of the collective's cycles.")},
    )
    du = DateField(
        label=_("From"), required=False, widget=DATE_INPUT, error_messages=DATE_ERRORS
    )
    au = DateField(
        label=_("To"),
        required=False,
        widget=DATE_INPUT,
        error_messages=DATE_ERRORS,
        help_text=_("Both dates filled in: they replace the cycle (one year at most)."),
    )
    measure = forms.ChoiceField(
        label=_("Circle size"),
        required=False,
        choices=list(MEASURES.items()),
        initial="orders",
    )

    def __init__(self, *args, collective, cycles, default_cycle=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.collective = collective
        self.cycles = {cycle.pk: cycle for cycle in cycles}
        self.default_cycle = default_cycle
        self.fields["cycle"].choices = [("", _("None: the dates below"))] + [
            (cycle.pk, cycle.name) for cycle in cycles
        ]
        if default_cycle is not None:
            self.fields["cycle"].initial = default_cycle.pk

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("du"), cleaned.get("au")
        if start and not end and "au" not in self.errors:
            self.add_error("au", _("Give the end of the period too."))
        elif end and not start and "du" not in self.errors:
            self.add_error("du", _("Give the start of the period too."))
        elif start and end:
            if end < start:
                self.add_error("au", _("The end of the period comes before its start."))
            elif end - start > timedelta(days=MAX_RANGE_DAYS - 1):
                self.add_error("au", _("Choose a period of one year at most."))
        return cleaned

    def selection(self) -> Selection | None:
        """What to show: the dates, else the chosen cycle, else the default
        one; None when the input is invalid or there is no cycle at all."""
        if self.is_bound and not self.is_valid():
            return None
        data = self.cleaned_data if self.is_bound else {}
        if data.get("du") and data.get("au"):
            return Selection(self.collective, start=data["du"], end=data["au"])
        cycle = self.cycles.get(data.get("cycle")) or self.default_cycle
        if cycle is None:
            return None
        return Selection(self.collective, cycle=cycle)

    def chosen_measure(self) -> str:
        if self.is_bound and self.is_valid() and self.cleaned_data["measure"]:
            return self.cleaned_data["measure"]
        return "orders"
