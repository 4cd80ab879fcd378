"""iCalendar builders for the distribution feeds (RFC 5545, with `icalendar`).

They read attributes of already fetched objects and run no query: the views
fetch with select_related. Times carry TZID=Europe/Paris and the calendar
embeds the matching VTIMEZONE.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from amap.texts import published_text

PRODID = "-//AMAP network//Distributions//FR"
UID_DOMAIN = "amap"


def _location(point) -> str:
    return f"{point.name}, {point.address}"


def _add_geo(event: Event, point) -> None:
    if point.has_position:
        event.add("geo", (float(point.latitude), float(point.longitude)))


def distribution_event(distribution, *, now: datetime) -> Event:
    point = distribution.pickup_point
    event = Event()
    event.add("uid", f"distribution-{distribution.pk}@{UID_DOMAIN}")
    event.add("dtstamp", now)
    event.add(
        "summary",
        _("Distribution %(collective)s — %(place)s")
        % {"collective": distribution.cycle.collective.name, "place": point.name},
    )
    event.add("dtstart", distribution.start_datetime)
    event.add("dtend", distribution.end_datetime)
    event.add("location", _location(point))
    _add_geo(event, point)
    description = [
        published_text(text)
        for text in (distribution.notes, point.opening_notes)
        if text
    ]
    if distribution.cancelled:
        event.add("status", "CANCELLED")
        description.insert(
            0,
            _("Cancelled: %(reason)s")
            % {"reason": published_text(distribution.cancel_reason)},
        )
    else:
        event.add("status", "CONFIRMED")
    if description:
        event.add("description", "\n\n".join(description))
    return event


def shift_event(assignment, *, now: datetime) -> Event:
    """A volunteer's own shift, at the shift's times."""
    shift = assignment.shift
    distribution = shift.distribution
    point = distribution.pickup_point
    event = Event()
    event.add("uid", f"shift-assignment-{assignment.pk}@{UID_DOMAIN}")
    event.add("dtstamp", now)
    event.add(
        "summary",
        _("My shift: %(role)s — %(place)s") % {"role": shift.role, "place": point.name},
    )
    tz = distribution.start_datetime.tzinfo
    event.add(
        "dtstart", datetime.combine(distribution.date, shift.starts_at, tzinfo=tz)
    )
    event.add("dtend", datetime.combine(distribution.date, shift.ends_at, tzinfo=tz))
    event.add("location", _location(point))
    _add_geo(event, point)
    event.add("status", "CANCELLED" if distribution.cancelled else "CONFIRMED")
    return event


def build_calendar(*, name: str, events: Iterable[Event]) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/Paris")
    starts = []
    for event in events:
        calendar.add_component(event)
        starts.append(event.decoded("dtstart").date())
    if starts:
        # Only the years the events need, to keep the VTIMEZONE short.
        calendar.add_missing_timezones(
            first_date=min(starts) - timedelta(days=366),
            last_date=max(starts) + timedelta(days=366),
        )
    return calendar.to_ical()
