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
from django.views.decorators.http import require_POST

from amap.forms import add_service_errors
from amap.members.permissions import organised_collectives

from ..forms.calendar import (
    CalendarRangeForm,
    CancelDistributionForm,
    DistributionForm,
    SeasonForm,
)
from ..models import Distribution, OrderCycle
from ..permissions import organised_cycles, organised_distributions
from ..recurrence import skipped_dates
from ..services import calendar as services

DEFAULT_CALENDAR_WEEKS = 12
CYCLES_SHOWN_BEFORE_TODAY = timedelta(days=30)


def _organised_collective(request, slug):
    return get_object_or_404(organised_collectives(request.user), slug=slug)


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


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
    collective = _organised_collective(request, slug)
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


@login_required
def season_create(request, slug):
    """Describe a season, see every date it makes, then create them."""
    collective = _organised_collective(request, slug)
    if request.method != "POST":
        form = SeasonForm(collective=collective)
        return render(
            request,
            "distribution/season_form.html",
            {"collective": collective, "form": form},
        )
    form = SeasonForm(request.POST, collective=collective)
    action = request.POST.get("action", "preview")
    if form.is_valid() and action != "edit":
        points = list(form.cleaned_data["pickup_points"])
        try:
            if action == "confirm":
                cycles = services.generate_season(
                    collective=collective,
                    pickup_points=points,
                    rule=form.rule,
                    created_by=request.user,
                )
            else:
                plan = services.preview_season(
                    collective=collective, pickup_points=points, rule=form.rule
                )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if action == "confirm":
                messages.success(
                    request,
                    _("%(count)s distributions created.")
                    % {"count": len(cycles) * len(points)},
                )
                return redirect(
                    f"{_calendar_url(collective)}?from={form.plan[0].date:%Y-%m-%d}"
                )
            return render(
                request,
                "distribution/season_preview.html",
                {
                    "collective": collective,
                    "form": form,
                    "plan": plan,
                    "points": points,
                    "skipped": skipped_dates(form.rule),
                    "count": len(plan) * len(points),
                },
            )
    return render(
        request,
        "distribution/season_form.html",
        {"collective": collective, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def cycle_list(request, slug):
    collective = _organised_collective(request, slug)
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


@login_required
@require_POST
def cycle_close(request, pk):
    cycle = get_object_or_404(
        organised_cycles(request.user).select_related("collective"), pk=pk
    )
    if cycle.closed_at is not None:
        messages.info(request, _("This cycle was already closed."))
    else:
        services.close_order_cycle(cycle, closed_by=request.user)
        messages.success(
            request, _("Ordering for %(cycle)s is closed.") % {"cycle": cycle.name}
        )
    return redirect("distribution:cycle_list", slug=cycle.collective.slug)


def _organised_distribution(request, pk) -> Distribution:
    return get_object_or_404(
        organised_distributions(request.user).select_related(
            "cycle__collective", "pickup_point"
        ),
        pk=pk,
    )


@login_required
def distribution_edit(request, pk):
    distribution = _organised_distribution(request, pk)
    collective = distribution.cycle.collective
    if distribution.cancelled:
        messages.error(request, _("A cancelled distribution cannot be changed."))
        return redirect(_calendar_url(collective))
    form = DistributionForm(
        request.POST or None,
        initial={
            "starts_at": distribution.starts_at,
            "ends_at": distribution.ends_at,
            "notes": distribution.notes,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_distribution(
                distribution, changed_by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The distribution has been updated."))
            return redirect(
                f"{_calendar_url(collective)}?from={distribution.date:%Y-%m-%d}"
            )
    return render(
        request,
        "distribution/distribution_edit.html",
        {"distribution": distribution, "collective": collective, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def distribution_cancel(request, pk):
    """A warning page saying who will be told; cancelling happens on POST."""
    distribution = _organised_distribution(request, pk)
    collective = distribution.cycle.collective
    if distribution.cancelled:
        messages.info(request, _("This distribution is already cancelled."))
        return redirect(_calendar_url(collective))
    form = CancelDistributionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.cancel_distribution(
                distribution,
                cancelled_by=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "The distribution of %(date)s at %(place)s is cancelled; "
                    "the people concerned are being told."
                )
                % {
                    "date": date_format(distribution.date, "SHORT_DATE_FORMAT"),
                    "place": distribution.pickup_point.name,
                },
            )
            return redirect(
                f"{_calendar_url(collective)}?from={distribution.date:%Y-%m-%d}"
            )
    return render(
        request,
        "distribution/distribution_cancel.html",
        {
            "distribution": distribution,
            "collective": collective,
            "form": form,
            "concerned_count": len(services.people_concerned_by(distribution)),
        },
        status=400 if form.errors else 200,
    )


urlpatterns = [
    path("organisation/<slug:slug>/calendrier/", calendar, name="calendar"),
    path("organisation/<slug:slug>/saison/", season_create, name="season_create"),
    path("organisation/<slug:slug>/cycles/", cycle_list, name="cycle_list"),
    path("organisation/cycles/<int:pk>/cloturer/", cycle_close, name="cycle_close"),
    path(
        "organisation/distributions/<int:pk>/",
        distribution_edit,
        name="distribution_edit",
    ),
    path(
        "organisation/distributions/<int:pk>/annuler/",
        distribution_cancel,
        name="distribution_cancel",
    ),
]
