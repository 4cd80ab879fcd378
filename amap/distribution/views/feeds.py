"""Calendar feeds (iCal): public per collective, private per member."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from amap.members.models import Collective
from amap.members.permissions import member_collectives

from .. import ical
from ..models import CalendarFeed, Distribution, ShiftAssignment, UsualPickupPoint
from ..services import calendar as services

FEED_HISTORY = timedelta(days=30)


def _ical_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, max-age=900"
    return response


def _feed_distributions():
    return (
        Distribution.objects.filter(date__gte=timezone.localdate() - FEED_HISTORY)
        .select_related("cycle__collective", "pickup_point")
        .order_by("date", "starts_at", "pk")
    )


def collective_feed(request, slug):
    """Every distribution of a collective, for anyone to subscribe to."""
    collective = get_object_or_404(Collective.objects.active(), slug=slug)
    now = timezone.now()
    events = [
        ical.distribution_event(distribution, now=now)
        for distribution in _feed_distributions().filter(cycle__collective=collective)
    ]
    return _ical_response(
        ical.build_calendar(name=collective.name, events=events),
        f"{collective.slug}.ics",
    )


def member_feed(request, token):
    """A member's distributions (at their usual pickup points) and their shifts."""
    feed = get_object_or_404(
        CalendarFeed.objects.select_related("user").filter(user__is_active=True),
        token=token,
    )
    user = feed.user
    collectives = member_collectives(user)
    usual = list(
        UsualPickupPoint.objects.filter(
            user=user, collective__in=collectives
        ).values_list("collective_id", "pickup_point_id")
    )
    at_usual_point = Q(pk__in=[])
    for collective_id, point_id in usual:
        at_usual_point |= Q(
            cycle__collective_id=collective_id, pickup_point_id=point_id
        )
    distributions = _feed_distributions().filter(
        Q(cycle__collective__in=collectives)
        & (~Q(cycle__collective_id__in=[c for c, _p in usual]) | at_usual_point)
    )
    assignments = (
        ShiftAssignment.objects.filter(
            user=user,
            shift__distribution__date__gte=timezone.localdate() - FEED_HISTORY,
        )
        .select_related("shift__distribution__pickup_point")
        .order_by("shift__distribution__date", "shift__starts_at", "pk")
    )
    now = timezone.now()
    events = [ical.distribution_event(d, now=now) for d in distributions]
    events += [ical.shift_event(a, now=now) for a in assignments]
    return _ical_response(
        ical.build_calendar(name=_("My distributions"), events=events),
        "distributions.ics",
    )


@login_required
def my_feeds(request):
    """The address of the private feed (POST: a new one, or the first) and
    the public ones. A GET writes nothing."""
    if request.method == "POST":
        had_one = services.get_calendar_feed(user=request.user) is not None
        services.regenerate_calendar_feed(user=request.user)
        messages.success(
            request,
            _("Your calendar has a new address; the old one no longer works.")
            if had_one
            else _("Your calendar address is ready."),
        )
        return redirect("distribution:my_feeds")
    feed = services.get_calendar_feed(user=request.user)
    private_url = request.build_absolute_uri(feed.get_absolute_url()) if feed else ""
    collectives = [
        {
            "collective": collective,
            "url": request.build_absolute_uri(
                reverse("distribution:collective_feed", args=[collective.slug])
            ),
        }
        for collective in member_collectives(request.user).order_by("name")
    ]
    return render(
        request,
        "distribution/feeds.html",
        {
            "private_url": private_url,
            "private_webcal": _webcal(private_url) if private_url else "",
            "collectives": [
                {**row, "webcal": _webcal(row["url"])} for row in collectives
            ],
        },
    )


def _webcal(url: str) -> str:
    return "webcal://" + url.split("://", 1)[-1]


urlpatterns = [
    path(
        "collectifs/<slug:slug>/calendrier.ics",
        collective_feed,
        name="collective_feed",
    ),
    path("calendrier/<str:token>.ics", member_feed, name="member_feed"),
    path("mon-calendrier/", my_feeds, name="my_feeds"),
]
