"""The iCal feeds, read back with icalendar as a calendar app would."""

from datetime import UTC, date, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from amap.distribution.models import (
    CalendarFeed,
    Distribution,
    OrderCycle,
    UsualPickupPoint,
)
from tests.factories import (
    DistributionFactory,
    OrderCycleFactory,
    PickupPointFactory,
    ShiftAssignmentFactory,
    ShiftFactory,
)

pytestmark = pytest.mark.usefixtures("english")


def summer_day() -> date:
    """A coming day in July, when Paris is UTC+2."""
    today = timezone.localdate()
    day = date(today.year, 7, 15)
    return day if day > today else date(today.year + 1, 7, 15)


def events(response) -> list:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content).walk("VEVENT")


def by_uid(response) -> dict:
    return {str(event["UID"]): event for event in events(response)}


@pytest.fixture
def point(collective):
    return PickupPointFactory(
        collective=collective,
        name="Maison de quartier",
        street="5 rue Auguste Renoir",
        postcode="44100",
        town="Nantes",
    )


@pytest.fixture
def summer_distribution(collective, point):
    return DistributionFactory(
        cycle=OrderCycleFactory(collective=collective),
        pickup_point=point,
        date=summer_day(),
        starts_at=time(18, 0),
        ends_at=time(19, 30),
    )


def collective_feed_url(collective):
    return reverse("distribution:collective_feed", args=[collective.slug])


# The public feed ---------------------------------------------------------------


def test_collective_feed_lists_distributions_with_paris_times(
    client, collective, summer_distribution
):
    response = client.get(collective_feed_url(collective))
    found = by_uid(response)
    event = found[f"distribution-{summer_distribution.pk}@amap"]
    assert "Maison de quartier" in str(event["SUMMARY"])
    assert "5 rue Auguste Renoir, 44100 Nantes" in str(event["LOCATION"])
    start = event.decoded("DTSTART")
    assert str(start.tzinfo) == "Europe/Paris"
    assert (start.hour, start.minute) == (18, 0)
    assert start.astimezone(UTC).hour == 16
    assert event.decoded("DTEND").astimezone(UTC).time() == time(17, 30)
    assert event["DTSTART"].params["TZID"] == "Europe/Paris"
    calendar = Calendar.from_ical(response.content)
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]


def test_collective_feed_marks_cancelled_and_leaves_out_old_and_others(
    client, collective, other_collective, point
):
    cancelled = DistributionFactory(
        cycle=OrderCycleFactory(collective=collective),
        pickup_point=point,
        date=timezone.localdate() + timedelta(days=3),
        cancelled=True,
        cancel_reason="Grêle",
    )
    recent = DistributionFactory(
        cycle=OrderCycleFactory(collective=collective),
        pickup_point=point,
        date=timezone.localdate() - timedelta(days=10),
    )
    old = DistributionFactory(
        cycle=OrderCycleFactory(collective=collective),
        pickup_point=point,
        date=timezone.localdate() - timedelta(days=40),
    )
    theirs = DistributionFactory(cycle=OrderCycleFactory(collective=other_collective))
    found = by_uid(client.get(collective_feed_url(collective)))
    assert str(found[f"distribution-{cancelled.pk}@amap"]["STATUS"]) == "CANCELLED"
    assert "Grêle" in str(found[f"distribution-{cancelled.pk}@amap"]["DESCRIPTION"])
    assert str(found[f"distribution-{recent.pk}@amap"]["STATUS"]) == "CONFIRMED"
    assert f"distribution-{old.pk}@amap" not in found
    assert f"distribution-{theirs.pk}@amap" not in found


def test_collective_feed_of_an_unknown_collective_is_404(client, db):
    response = client.get(reverse("distribution:collective_feed", args=["nowhere"]))
    assert response.status_code == 404


def test_collective_feed_uid_is_stable(client, collective, summer_distribution):
    first = set(by_uid(client.get(collective_feed_url(collective))))
    second = set(by_uid(client.get(collective_feed_url(collective))))
    assert first == second == {f"distribution-{summer_distribution.pk}@amap"}


def many_distributions(collective, points, count=200):
    cycles = OrderCycle.objects.bulk_create(
        OrderCycle(
            collective=collective,
            name=f"Cycle {n}",
            opens_at=timezone.now() - timedelta(days=1),
            closes_at=timezone.now() + timedelta(days=1),
        )
        for n in range(count // len(points))
    )
    return Distribution.objects.bulk_create(
        Distribution(
            cycle=cycle,
            pickup_point=point,
            date=timezone.localdate() + timedelta(days=n),
            starts_at=time(18),
            ends_at=time(19),
        )
        for n, cycle in enumerate(cycles)
        for point in points
    )


def test_collective_feed_query_count_is_fixed(
    client, collective, django_assert_max_num_queries
):
    points = [PickupPointFactory(collective=collective) for _ in range(2)]
    many_distributions(collective, points)
    with django_assert_max_num_queries(3):
        response = client.get(collective_feed_url(collective))
    assert len(events(response)) == 200


# The private feed --------------------------------------------------------------


def member_feed_url(user):
    feed, _ = CalendarFeed.objects.get_or_create(user=user)
    return reverse("distribution:member_feed", args=[feed.token])


def test_member_feed_of_an_unknown_token_is_404(client, db):
    response = client.get(reverse("distribution:member_feed", args=["not-a-token"]))
    assert response.status_code == 404


def test_member_feed_has_all_distributions_of_their_collectives_and_their_shifts(
    client, member, collective, other_collective, point, summer_distribution
):
    elsewhere = DistributionFactory(
        cycle=OrderCycleFactory(collective=collective),
        pickup_point=PickupPointFactory(collective=collective, name="Ferme"),
        date=summer_distribution.date,
    )
    theirs = DistributionFactory(cycle=OrderCycleFactory(collective=other_collective))
    assignment = ShiftAssignmentFactory(
        user=member,
        shift=ShiftFactory(
            distribution=summer_distribution,
            role="Accueil",
            starts_at=time(17, 45),
            ends_at=time(19, 45),
        ),
    )
    ShiftAssignmentFactory(shift=ShiftFactory(distribution=elsewhere))
    found = by_uid(client.get(member_feed_url(member)))
    assert set(found) == {
        f"distribution-{summer_distribution.pk}@amap",
        f"distribution-{elsewhere.pk}@amap",
        f"shift-assignment-{assignment.pk}@amap",
    }
    assert f"distribution-{theirs.pk}@amap" not in found
    shift = found[f"shift-assignment-{assignment.pk}@amap"]
    assert "Accueil" in str(shift["SUMMARY"])
    start = shift.decoded("DTSTART")
    assert start.astimezone(UTC).time() == time(15, 45)


def test_member_feed_keeps_to_the_usual_pickup_point(
    client, member, collective, point, summer_distribution
):
    other_point = PickupPointFactory(collective=collective, name="Ferme")
    elsewhere = DistributionFactory(
        cycle=summer_distribution.cycle,
        pickup_point=other_point,
        date=summer_distribution.date,
    )
    UsualPickupPoint.objects.create(
        user=member, collective=collective, pickup_point=point
    )
    found = by_uid(client.get(member_feed_url(member)))
    assert f"distribution-{summer_distribution.pk}@amap" in found
    assert f"distribution-{elsewhere.pk}@amap" not in found


def test_member_feed_query_count_is_fixed(
    client, member, collective, django_assert_max_num_queries
):
    points = [PickupPointFactory(collective=collective) for _ in range(2)]
    distributions = many_distributions(collective, points)
    for distribution in distributions[:20]:
        ShiftAssignmentFactory(
            user=member, shift=ShiftFactory(distribution=distribution)
        )
    url = member_feed_url(member)
    with django_assert_max_num_queries(5):
        response = client.get(url)
    assert len(events(response)) == 220


# The page with the addresses ---------------------------------------------------


def test_my_feeds_needs_login(client, db):
    url = reverse("distribution:my_feeds")
    assertRedirects(
        client.get(url),
        f"{reverse('account_login')}?next={url}",
        fetch_redirect_response=False,
    )


def test_my_feeds_shows_the_private_and_public_addresses(as_user, member, collective):
    client = as_user(member)
    client.post(reverse("distribution:my_feeds"))
    response = client.get(reverse("distribution:my_feeds"))
    feed = CalendarFeed.objects.get(user=member)
    assertContains(response, f"http://testserver{feed.get_absolute_url()}")
    assertContains(response, f"webcal://testserver{feed.get_absolute_url()}")
    assertContains(response, f"http://testserver{collective_feed_url(collective)}")
    client.get(reverse("distribution:my_feeds"))
    assert CalendarFeed.objects.filter(user=member).count() == 1


def test_visiting_my_feeds_creates_no_address_a_button_does(
    as_user, member, collective
):
    """A GET writes nothing (a link on another site cannot make one)."""
    client = as_user(member)

    response = client.get(reverse("distribution:my_feeds"))

    assert not CalendarFeed.objects.filter(user=member).exists()
    assertContains(response, "Create my calendar address")
    assertNotContains(response, "Get a new address")
    assertContains(response, f"http://testserver{collective_feed_url(collective)}")
    created = client.post(reverse("distribution:my_feeds"), follow=True)
    assertContains(created, "Your calendar address is ready.")
    feed = CalendarFeed.objects.get(user=member)
    assertContains(created, f"http://testserver{feed.get_absolute_url()}")


def test_my_feeds_regenerates_the_token_and_the_old_address_stops(
    as_user, member, collective
):
    client = as_user(member)
    client.post(reverse("distribution:my_feeds"))
    old_url = CalendarFeed.objects.get(user=member).get_absolute_url()
    assert client.get(old_url).status_code == 200
    response = client.post(reverse("distribution:my_feeds"), follow=True)
    assertContains(response, "the old one no longer works")
    new_url = CalendarFeed.objects.get(user=member).get_absolute_url()
    assert new_url != old_url
    assert client.get(old_url).status_code == 404
    assert client.get(new_url).status_code == 200
    assertContains(response, new_url)
