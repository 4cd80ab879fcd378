"""The organiser's calendar: coming distributions, seasons, cycles, cancelling."""

from datetime import timedelta
from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from amap.forms import add_service_errors
from amap.views import CommandView, ServiceFormView, access_organised_collective

from ..forms.calendar import (
    CalendarRangeForm,
    CancelDistributionForm,
    DistributionForm,
    SeasonForm,
)
from ..models import Distribution, OrderCycle
from ..permissions import access_organised_distribution, organised_cycles
from ..recurrence import skipped_dates
from ..services import calendar as services

DEFAULT_CALENDAR_WEEKS = 12
CYCLES_SHOWN_BEFORE_TODAY = timedelta(days=30)


def _calendar_url(collective) -> str:
    return reverse("distribution:calendar", args=[collective.slug])


def _group_by_month(distributions):
    """[(first day of month, [(date, [distribution, …]), …]), …]"""
    months = []
    for month, in_month in groupby(distributions, key=lambda d: d.date.replace(day=1)):
        days = [
            (day, list(on_day)) for day, on_day in groupby(in_month, lambda d: d.date)
        ]
        months.append((month, days))
    return months


@login_required
def calendar(request, slug):
    collective = access_organised_collective(request.user, slug)
    form = CalendarRangeForm(request.GET or None)
    start = timezone.localdate()
    weeks = DEFAULT_CALENDAR_WEEKS
    if form.is_bound and form.is_valid():
        start = form.cleaned_data["start"] or start
        weeks = form.cleaned_data["weeks"] or weeks
    end = start + timedelta(weeks=weeks, days=-1)
    now = timezone.now()
    distributions = list(
        Distribution.objects.for_collective(collective)
        .between(start, end)
        .with_details()
        .order_by("date", "starts_at", "pickup_point__name")
    )
    for distribution in distributions:
        status = distribution.cycle.status_at(now)
        distribution.cycle_status = status
        distribution.cycle_status_label = OrderCycle.Status(status).label
        distribution.is_past = distribution.date < now.date()
    return render(
        request,
        "distribution/calendar.html",
        {
            "collective": collective,
            "form": form,
            "start": start,
            "end": end,
            "weeks": weeks,
            "months": _group_by_month(distributions),
            "count": len(distributions),
            "previous_start": start - timedelta(weeks=weeks),
            "next_start": end + timedelta(days=1),
        },
    )


class SeasonCreateView(ServiceFormView):
    """Describe a season, see every date it makes, then create them."""

    template_name = "distribution/season_form.html"
    form_class = SeasonForm

    def access(self):
        self.collective = access_organised_collective(
            self.request.user, self.kwargs["slug"]
        )

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "collective": self.collective}

    def get_context_data(self, **kwargs):
        return super().get_context_data(collective=self.collective, **kwargs)

    def form_valid(self, form):
        action = self.request.POST.get("action", "preview")
        if action == "edit":
            return self.render_to_response(self.get_context_data(form=form))
        if action == "confirm":
            return super().form_valid(form)
        points = list(form.cleaned_data["pickup_points"])
        try:
            plan = services.preview_season(
                collective=self.collective, pickup_points=points, rule=form.rule
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        return render(
            self.request,
            "distribution/season_preview.html",
            {
                "collective": self.collective,
                "form": form,
                "plan": plan,
                "points": points,
                "skipped": skipped_dates(form.rule),
                "count": len(plan) * len(points),
            },
        )

    def perform(self, form):
        self.points = list(form.cleaned_data["pickup_points"])
        self.plan_start = form.plan[0].date
        return services.generate_season(
            collective=self.collective,
            pickup_points=self.points,
            rule=form.rule,
            created_by=self.request.user,
        )

    def get_success_message(self):
        return _("%(count)s distributions created.") % {
            "count": len(self.result) * len(self.points)
        }

    def get_success_url(self):
        return f"{_calendar_url(self.collective)}?from={self.plan_start:%Y-%m-%d}"


@login_required
def cycle_list(request, slug):
    collective = access_organised_collective(request.user, slug)
    now = timezone.now()
    cycles = list(
        OrderCycle.objects.filter(
            collective=collective, closes_at__gte=now - CYCLES_SHOWN_BEFORE_TODAY
        )
        .annotate(
            distribution_count=Count(
                "distributions", filter=Q(distributions__cancelled=False)
            )
        )
        .order_by("opens_at", "pk")
    )
    for cycle in cycles:
        status = cycle.status_at(now)
        cycle.current_status = status
        cycle.current_status_label = OrderCycle.Status(status).label
    return render(
        request,
        "distribution/cycle_list.html",
        {"collective": collective, "cycles": cycles},
    )


class CycleCloseView(CommandView):
    def access(self):
        self.cycle = get_object_or_404(
            organised_cycles(self.request.user).select_related("collective"),
            pk=self.kwargs["pk"],
        )

    def perform(self):
        if self.cycle.closed_at is not None:
            return False
        services.close_order_cycle(self.cycle, closed_by=self.request.user)
        return True

    def done(self, closed):
        if not closed:
            messages.info(self.request, _("This cycle was already closed."))
        else:
            super().done(closed)

    def get_success_message(self, closed):
        return _("Ordering for %(cycle)s is closed.") % {"cycle": self.cycle.name}

    def get_success_url(self):
        return reverse("distribution:cycle_list", args=[self.cycle.collective.slug])


class _DistributionFormView(ServiceFormView):
    """A form about one distribution of an organised collective, which is no
    longer offered once the distribution is cancelled."""

    def access(self):
        self.distribution = access_organised_distribution(
            self.request.user, self.kwargs["pk"]
        )
        self.collective = self.distribution.cycle.collective
        if self.distribution.cancelled:
            self.say_cancelled()
            return redirect(_calendar_url(self.collective))
        return None

    def say_cancelled(self):
        """The message for a distribution cancelled meanwhile."""
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            distribution=self.distribution, collective=self.collective, **kwargs
        )

    def get_success_url(self):
        return (
            f"{_calendar_url(self.collective)}?from={self.distribution.date:%Y-%m-%d}"
        )


class DistributionEditView(_DistributionFormView):
    template_name = "distribution/distribution_edit.html"
    form_class = DistributionForm
    success_message = gettext_lazy("The distribution has been updated.")

    def say_cancelled(self):
        messages.error(self.request, _("A cancelled distribution cannot be changed."))

    def get_initial(self):
        return {
            "starts_at": self.distribution.starts_at,
            "ends_at": self.distribution.ends_at,
            "notes": self.distribution.notes,
        }

    def perform(self, form):
        services.update_distribution(
            self.distribution, changed_by=self.request.user, **form.cleaned_data
        )


class DistributionCancelView(_DistributionFormView):
    """A warning page saying who will be told; cancelling happens on POST."""

    template_name = "distribution/distribution_cancel.html"
    form_class = CancelDistributionForm

    def say_cancelled(self):
        messages.info(self.request, _("This distribution is already cancelled."))

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            concerned_count=len(services.people_concerned_by(self.distribution)),
            **kwargs,
        )

    def perform(self, form):
        services.cancel_distribution(
            self.distribution,
            cancelled_by=self.request.user,
            reason=form.cleaned_data["reason"],
        )

    def get_success_message(self):
        return _(
            "The distribution of %(date)s at %(place)s is cancelled; "
            "the people concerned are being told."
        ) % {
            "date": date_format(self.distribution.date, "SHORT_DATE_FORMAT"),
            "place": self.distribution.pickup_point.name,
        }


urlpatterns = [
    path("organisation/<slug:slug>/calendrier/", calendar, name="calendar"),
    path(
        "organisation/<slug:slug>/saison/",
        SeasonCreateView.as_view(),
        name="season_create",
    ),
    path("organisation/<slug:slug>/cycles/", cycle_list, name="cycle_list"),
    path(
        "organisation/cycles/<int:pk>/cloturer/",
        CycleCloseView.as_view(),
        name="cycle_close",
    ),
    path(
        "organisation/distributions/<int:pk>/",
        DistributionEditView.as_view(),
        name="distribution_edit",
    ),
    path(
        "organisation/distributions/<int:pk>/annuler/",
        DistributionCancelView.as_view(),
        name="distribution_cancel",
    ),
]
