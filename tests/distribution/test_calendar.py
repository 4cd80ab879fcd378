"""Seasons, cycles, cancelling: the services, then the organiser's pages."""

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from amap import hooks
from amap.distribution.hooks import CONCERNED_PEOPLE
from amap.distribution.models import Distribution, OrderCycle
from amap.distribution.recurrence import SeasonRule
from amap.distribution.services import calendar as services
from tests.factories import (
    DistributionFactory,
    OrderCycleFactory,
    PickupPointFactory,
    ShiftAssignmentFactory,
    ShiftFactory,
    UserFactory,
)

PARIS = ZoneInfo("Europe/Paris")
THURSDAY = 3


def next_weekday(weekday: int, after: date) -> date:
    return after + timedelta(days=(weekday - after.weekday()) % 7 or 7)


def season_rule(first: date | None = None, weeks: int = 4, **changes) -> SeasonRule:
    first = first or next_weekday(THURSDAY, timezone.localdate() + timedelta(days=7))
    values = {
        "weekday": first.weekday(),
        "start_time": time(18, 0),
        "end_time": time(19, 30),
        "first_date": first,
        "last_date": first + timedelta(weeks=weeks - 1),
        "opens_days_before": 7,
        "opens_time": time(9, 0),
        "closes_days_before": 2,
        "closes_time": time(20, 0),
        "tz": "Europe/Paris",
    }
    values.update(changes)
    return SeasonRule(**values)


@pytest.fixture
def point(collective):
    return PickupPointFactory(collective=collective, name="Maison de quartier")


@pytest.fixture
def second_point(collective):
    return PickupPointFactory(collective=collective, name="Ferme du Bois")


@pytest.fixture
def distribution(collective, point):
    return DistributionFactory(
        cycle=OrderCycleFactory(collective=collective), pickup_point=point
    )


# generate_season ---------------------------------------------------------------


def test_generate_season_creates_one_cycle_per_date_serving_each_point(
    collective, point, second_point, organiser
):
    rule = season_rule(first=date(2030, 3, 21), weeks=4)  # Thursdays, DST on 31 March
    cycles = services.generate_season(
        collective=collective,
        pickup_points=[point, second_point],
        rule=rule,
        created_by=organiser,
    )
    assert len(cycles) == 4
    assert OrderCycle.objects.filter(collective=collective).count() == 4
    assert Distribution.objects.count() == 8
    first = OrderCycle.objects.order_by("opens_at").first()
    assert "jeudi 21 mars 2030" in first.name
    assert first.distributions.count() == 2
    assert {d.pickup_point for d in first.distributions.all()} == {point, second_point}
    for cycle in OrderCycle.objects.all():
        assert timezone.localtime(cycle.closes_at).time() == time(20, 0)
        assert timezone.localtime(cycle.opens_at).time() == time(9, 0)
    last = OrderCycle.objects.order_by("opens_at").last()
    assert timezone.localtime(last.closes_at).date() == date(2030, 4, 9)
    assert last.closes_at.astimezone(ZoneInfo("UTC")).hour == 18


def test_generate_season_refuses_a_pickup_point_of_another_collective(
    collective, other_collective, point, organiser
):
    theirs = PickupPointFactory(collective=other_collective)
    with pytest.raises(ValidationError) as info:
        services.generate_season(
            collective=collective,
            pickup_points=[point, theirs],
            rule=season_rule(),
            created_by=organiser,
        )
    assert "pickup_points" in info.value.message_dict
    assert not OrderCycle.objects.exists()


def test_generate_season_refuses_dates_already_taken_and_lists_them(
    collective, point, second_point, organiser
):
    rule = season_rule(weeks=3)
    taken = rule.first_date + timedelta(weeks=1)
    DistributionFactory(
        cycle=OrderCycleFactory(collective=collective), pickup_point=point, date=taken
    )
    with pytest.raises(ValidationError) as info:
        services.generate_season(
            collective=collective,
            pickup_points=[point, second_point],
            rule=rule,
            created_by=organiser,
        )
    assert f"{taken:%d/%m/%Y}" in " ".join(info.value.messages)
    assert OrderCycle.objects.count() == 1
    assert Distribution.objects.count() == 1


def test_generate_season_ignores_cancelled_distributions(collective, point, organiser):
    rule = season_rule(weeks=2)
    DistributionFactory(
        cycle=OrderCycleFactory(collective=collective),
        pickup_point=point,
        date=rule.first_date,
        cancelled=True,
    )
    services.generate_season(
        collective=collective, pickup_points=[point], rule=rule, created_by=organiser
    )
    assert Distribution.objects.active().count() == 2


def test_generate_season_turns_a_bad_rule_into_a_field_error(
    collective, point, organiser
):
    rule = season_rule(last_date=date(2040, 1, 1))
    with pytest.raises(ValidationError) as info:
        services.generate_season(
            collective=collective,
            pickup_points=[point],
            rule=rule,
            created_by=organiser,
        )
    assert "last_date" in info.value.message_dict


def test_generate_season_needs_a_pickup_point(collective, organiser):
    with pytest.raises(ValidationError) as info:
        services.generate_season(
            collective=collective,
            pickup_points=[],
            rule=season_rule(),
            created_by=organiser,
        )
    assert "pickup_points" in info.value.message_dict


@pytest.mark.parametrize("person", ["member", "other_organiser"])
def test_generate_season_is_for_the_collectives_organisers(
    request, collective, point, person
):
    with pytest.raises(PermissionDenied):
        services.generate_season(
            collective=collective,
            pickup_points=[point],
            rule=season_rule(),
            created_by=request.getfixturevalue(person),
        )
    assert not OrderCycle.objects.exists()


# close_order_cycle -------------------------------------------------------------


def test_close_order_cycle_closes_it_once(collective, organiser):
    cycle = OrderCycleFactory(collective=collective)
    assert cycle.is_open
    services.close_order_cycle(cycle, closed_by=organiser)
    cycle.refresh_from_db()
    closed_at = cycle.closed_at
    assert cycle.status == OrderCycle.Status.CLOSED
    assert cycle.closed_by == organiser
    services.close_order_cycle(cycle, closed_by=organiser)
    cycle.refresh_from_db()
    assert cycle.closed_at == closed_at


def test_close_order_cycle_by_the_deadline_task(collective):
    cycle = OrderCycleFactory(collective=collective)
    services.close_order_cycle(cycle, closed_by=None)
    cycle.refresh_from_db()
    assert cycle.closed_at is not None
    assert cycle.closed_by is None


def test_close_order_cycle_refuses_another_collectives_organiser(
    collective, other_organiser
):
    cycle = OrderCycleFactory(collective=collective)
    with pytest.raises(PermissionDenied):
        services.close_order_cycle(cycle, closed_by=other_organiser)
    cycle.refresh_from_db()
    assert cycle.closed_at is None


# cancel_distribution and notifications -----------------------------------------


def test_cancel_distribution_records_it_and_emails_the_volunteers(
    distribution, organiser, django_capture_on_commit_callbacks
):
    volunteer = ShiftAssignmentFactory(
        shift=ShiftFactory(distribution=distribution), user__first_name="Anne"
    ).user
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_distribution(
            distribution, cancelled_by=organiser, reason="Salle indisponible"
        )
    distribution.refresh_from_db()
    assert distribution.cancelled
    assert distribution.cancelled_at is not None
    assert distribution.cancel_reason == "Salle indisponible"
    assert [m.to for m in mail.outbox] == [[volunteer.email]]
    assert "Salle indisponible" in mail.outbox[0].body
    assert "Maison de quartier" in mail.outbox[0].subject


def test_cancel_distribution_sends_nothing_when_rolled_back(
    distribution, organiser, django_capture_on_commit_callbacks
):
    ShiftAssignmentFactory(shift=ShiftFactory(distribution=distribution))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.cancel_distribution(distribution, cancelled_by=organiser, reason="x")
    assert len(callbacks) == 1
    assert mail.outbox == []


def test_cancel_distribution_refuses_a_past_distribution(collective, point, organiser):
    past = DistributionFactory(
        cycle=OrderCycleFactory(
            collective=collective,
            opens_at=timezone.now() - timedelta(days=20),
            closes_at=timezone.now() - timedelta(days=10),
        ),
        pickup_point=point,
        date=timezone.localdate() - timedelta(days=7),
    )
    with pytest.raises(ValidationError):
        services.cancel_distribution(past, cancelled_by=organiser, reason="trop tard")
    past.refresh_from_db()
    assert not past.cancelled


def test_cancel_distribution_refuses_twice_and_an_empty_reason(distribution, organiser):
    with pytest.raises(ValidationError) as info:
        services.cancel_distribution(distribution, cancelled_by=organiser, reason="  ")
    assert "reason" in info.value.message_dict
    services.cancel_distribution(distribution, cancelled_by=organiser, reason="Grêle")
    with pytest.raises(ValidationError):
        services.cancel_distribution(
            distribution, cancelled_by=organiser, reason="Encore"
        )
    distribution.refresh_from_db()
    assert distribution.cancel_reason == "Grêle"


def test_cancel_distribution_refuses_another_collectives_organiser(
    distribution, other_organiser
):
    with pytest.raises(PermissionDenied):
        services.cancel_distribution(
            distribution, cancelled_by=other_organiser, reason="Non"
        )


def test_people_concerned_gathers_every_provider_once(distribution):
    volunteers = [
        ShiftAssignmentFactory(shift=ShiftFactory(distribution=distribution)).user
        for _ in range(2)
    ]
    buyer = UserFactory()

    def buyers(d):
        assert d == distribution
        return [buyer, volunteers[0]]

    with hooks.register_temporarily(CONCERNED_PEOPLE, buyers):
        hooks.register(CONCERNED_PEOPLE, buyers)  # a second time: called once
        people = services.people_concerned_by(distribution)
    assert {p.pk for p in people} == {buyer.pk, *(v.pk for v in volunteers)}
    assert len(people) == 3
    assert len(services.people_concerned_by(distribution)) == 2


def test_notify_distribution_cancelled_does_nothing_for_a_live_distribution(
    distribution,
):
    ShiftAssignmentFactory(shift=ShiftFactory(distribution=distribution))
    assert services.notify_distribution_cancelled(distribution_id=distribution.pk) == 0
    assert mail.outbox == []


def test_the_cancellation_is_told_once_even_if_the_task_runs_twice(
    distribution, organiser, django_capture_on_commit_callbacks
):
    ShiftAssignmentFactory(shift=ShiftFactory(distribution=distribution))
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_distribution(
            distribution, cancelled_by=organiser, reason="Salle inondée"
        )
    assert len(mail.outbox) == 1
    assert services.notify_distribution_cancelled(distribution_id=distribution.pk) == 0
    assert len(mail.outbox) == 1


# update_distribution -----------------------------------------------------------


def test_update_distribution_changes_notes_and_times(distribution, organiser):
    services.update_distribution(
        distribution,
        changed_by=organiser,
        notes="Salle B",
        starts_at=time(17, 30),
        ends_at=time(19, 0),
    )
    distribution.refresh_from_db()
    assert distribution.notes == "Salle B"
    assert (distribution.starts_at, distribution.ends_at) == (time(17, 30), time(19, 0))


def test_update_distribution_refusals(distribution, organiser, other_organiser):
    with pytest.raises(ValidationError) as info:
        services.update_distribution(
            distribution, changed_by=organiser, ends_at=time(17, 0)
        )
    assert "ends_at" in info.value.message_dict
    with pytest.raises(TypeError):
        services.update_distribution(
            distribution, changed_by=organiser, date=date(2030, 1, 1)
        )
    with pytest.raises(PermissionDenied):
        services.update_distribution(
            distribution, changed_by=other_organiser, notes="x"
        )
    services.cancel_distribution(distribution, cancelled_by=organiser, reason="Pluie")
    with pytest.raises(ValidationError):
        services.update_distribution(distribution, changed_by=organiser, notes="x")


def test_update_distribution_refuses_starting_before_ordering_closes(
    collective, point, organiser
):
    day = timezone.localdate() + timedelta(days=10)
    cycle = OrderCycleFactory(
        collective=collective, closes_at=datetime.combine(day, time(12), tzinfo=PARIS)
    )
    distribution = DistributionFactory(cycle=cycle, pickup_point=point, date=day)
    with pytest.raises(ValidationError) as info:
        services.update_distribution(
            distribution, changed_by=organiser, starts_at=time(11, 0)
        )
    assert "starts_at" in info.value.message_dict


# Pages: permissions ------------------------------------------------------------

NOT_ORGANISERS = ["member", "other_member", "producer_user", "other_organiser"]


def page_urls(collective, distribution):
    return [
        reverse("distribution:calendar", args=[collective.slug]),
        reverse("distribution:season_create", args=[collective.slug]),
        reverse("distribution:cycle_list", args=[collective.slug]),
        reverse("distribution:distribution_edit", args=[distribution.pk]),
        reverse("distribution:distribution_cancel", args=[distribution.pk]),
    ]


@pytest.mark.usefixtures("english")
def test_organiser_pages_open_for_the_organiser(
    as_user, organiser, collective, distribution
):
    client = as_user(organiser)
    for url in page_urls(collective, distribution):
        assert client.get(url).status_code == 200, url


def test_organiser_pages_send_anonymous_to_login(as_user, collective, distribution):
    for url in page_urls(collective, distribution):
        response = as_user(None).get(url)
        assertRedirects(
            response,
            f"{reverse('account_login')}?next={url}",
            fetch_redirect_response=False,
        )
    url = reverse("distribution:cycle_close", args=[distribution.cycle.pk])
    assert as_user(None).post(url).status_code == 302


@pytest.mark.parametrize("person", NOT_ORGANISERS)
def test_organiser_pages_are_404_for_everyone_else(
    request, as_user, collective, other_collective, distribution, person
):
    client = as_user(request.getfixturevalue(person))
    for url in page_urls(collective, distribution):
        assert client.get(url).status_code == 404, url
    cycle = distribution.cycle
    assert (
        client.post(reverse("distribution:cycle_close", args=[cycle.pk])).status_code
        == 404
    )
    response = client.post(
        reverse("distribution:distribution_cancel", args=[distribution.pk]),
        {"reason": "Non"},
    )
    assert response.status_code == 404
    distribution.refresh_from_db()
    cycle.refresh_from_db()
    assert not distribution.cancelled
    assert cycle.closed_at is None


# Pages: the calendar -----------------------------------------------------------


@pytest.mark.usefixtures("english")
def test_calendar_shows_coming_distributions_by_month_with_status_and_coverage(
    as_user, organiser, collective, point, other_collective
):
    day = timezone.localdate() + timedelta(days=3)
    live = DistributionFactory(
        cycle=OrderCycleFactory(collective=collective), pickup_point=point, date=day
    )
    ShiftAssignmentFactory(shift=ShiftFactory(distribution=live, people_needed=3))
    DistributionFactory(
        cycle=OrderCycleFactory(collective=collective),
        pickup_point=PickupPointFactory(collective=collective, name="Salle annulée"),
        date=day,
        cancelled=True,
        cancel_reason="Grève",
    )
    DistributionFactory(
        cycle=OrderCycleFactory(collective=other_collective),
        pickup_point=PickupPointFactory(collective=other_collective, name="Chez eux"),
        date=day,
    )
    DistributionFactory(
        cycle=OrderCycleFactory(collective=collective),
        pickup_point=PickupPointFactory(collective=collective, name="Trop loin"),
        date=timezone.localdate() + timedelta(weeks=20),
    )
    response = as_user(organiser).get(
        reverse("distribution:calendar", args=[collective.slug])
    )
    assertContains(response, "Maison de quartier")
    assertContains(response, "Open for orders")
    assertContains(response, "Shifts: 1/3 volunteers")
    assertContains(response, "Salle annulée</strong>")
    assert re.search(r"<del><strong>Salle annulée", response.content.decode())
    assertContains(response, "Grève")
    assertNotContains(response, "Chez eux")
    assertNotContains(response, "Trop loin")
    assertContains(
        response, reverse("distribution:distribution_cancel", args=[live.pk])
    )
    month_heading = f"{day:%B %Y}".capitalize()
    assertContains(response, month_heading)


@pytest.mark.usefixtures("english")
def test_calendar_range_selector(as_user, organiser, collective, point):
    far = timezone.localdate() + timedelta(weeks=20)
    DistributionFactory(
        cycle=OrderCycleFactory(collective=collective), pickup_point=point, date=far
    )
    url = reverse("distribution:calendar", args=[collective.slug])
    client = as_user(organiser)
    response = client.get(
        url, {"from": f"{far - timedelta(days=2):%Y-%m-%d}", "weeks": 1}
    )
    assertContains(response, "Maison de quartier")
    response = client.get(url, {"weeks": 60})
    assertContains(response, "Ensure this value is less than or equal to 52.")
    assertNotContains(response, "Maison de quartier")
    response = client.get(url, {"from": "31/02/2026"})
    assert response.status_code == 200
    assertContains(response, "Enter a valid date.")


def test_calendar_query_count_is_fixed(
    as_user, organiser, collective, django_assert_max_num_queries
):
    points = [PickupPointFactory(collective=collective) for _ in range(4)]
    start = timezone.localdate()
    cycles = OrderCycle.objects.bulk_create(
        OrderCycle(
            collective=collective,
            name=f"Cycle {n}",
            opens_at=timezone.now() - timedelta(days=1),
            closes_at=timezone.now() + timedelta(days=n + 1),
        )
        for n in range(52)
    )
    Distribution.objects.bulk_create(
        Distribution(
            cycle=cycle,
            pickup_point=p,
            date=start + timedelta(days=n),
            starts_at=time(18),
            ends_at=time(19),
        )
        for n, cycle in enumerate(cycles)
        for p in points
    )
    assert Distribution.objects.count() == 208
    client = as_user(organiser)
    with django_assert_max_num_queries(12):
        response = client.get(
            reverse("distribution:calendar", args=[collective.slug]), {"weeks": 52}
        )
    assert response.content.decode().count("data-distribution=") == 208


# Pages: the season -------------------------------------------------------------


def season_post(point, first: date, **changes):
    data = {
        "weekday": str(first.weekday()),
        "start_time": "18:00",
        "end_time": "19:30",
        "first_date": f"{first:%Y-%m-%d}",
        "last_date": f"{first + timedelta(weeks=3):%Y-%m-%d}",
        "pickup_points": [str(point.pk)],
        "opens_days_before": "7",
        "opens_time": "09:00",
        "closes_days_before": "2",
        "closes_time": "20:00",
        "skip_dates": "",
        "action": "preview",
    }
    data.update(changes)
    return data


def hidden_fields(html: str) -> dict:
    data = {}
    for name, value in re.findall(
        r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html
    ):
        data.setdefault(name, []).append(value)
    return data


@pytest.mark.usefixtures("english")
def test_season_preview_then_confirm_creates_the_distributions(
    as_user, organiser, collective, point, second_point
):
    client = as_user(organiser)
    url = reverse("distribution:season_create", args=[collective.slug])
    first = next_weekday(THURSDAY, timezone.localdate() + timedelta(days=7))
    skipped = first + timedelta(weeks=1)
    data = season_post(point, first, skip_dates=f"{skipped:%d/%m/%Y}, 01/01/2000")
    data["pickup_points"] = [str(point.pk), str(second_point.pk)]
    response = client.post(url, data)
    assert response.status_code == 200
    assertContains(response, "Create these 6 distributions")
    html = response.content.decode()
    assert html.count("<tr data-date=") == 3
    assert f'data-skipped="{skipped:%Y-%m-%d}"' in html
    assert not OrderCycle.objects.exists()

    carried = hidden_fields(html)
    assert sorted(carried["pickup_points"]) == sorted(data["pickup_points"])
    response = client.post(url, {**carried, "action": "confirm"})
    assert response.status_code == 302
    assert response["Location"].startswith(
        reverse("distribution:calendar", args=[collective.slug])
    )
    assert OrderCycle.objects.filter(collective=collective).count() == 3
    assert Distribution.objects.count() == 6
    assert not Distribution.objects.filter(date=skipped).exists()
    page = client.get(response["Location"])
    assertContains(page, "6 distributions created.")


@pytest.mark.usefixtures("english")
def test_season_form_puts_errors_next_to_the_fields(
    as_user, organiser, collective, point
):
    client = as_user(organiser)
    url = reverse("distribution:season_create", args=[collective.slug])
    first = next_weekday(THURSDAY, timezone.localdate() + timedelta(days=7))
    response = client.post(url, season_post(point, first, skip_dates="30/02/2026"))
    assert response.status_code == 400
    assertContains(
        response, 'id="id_skip_dates_error"', status_code=response.status_code
    )
    assertContains(
        response, "“30/02/2026” is not a date", status_code=response.status_code
    )

    response = client.post(
        url,
        season_post(point, first, last_date=f"{first + timedelta(days=3650):%Y-%m-%d}"),
    )
    assert response.status_code == 400
    assertContains(
        response,
        '<p class="error" id="id_last_date_error">'
        "A season cannot last more than a year.",
        status_code=response.status_code,
    )

    response = client.post(url, season_post(point, first, end_time="17:00"))
    assertContains(response, 'id="id_end_time_error"', status_code=response.status_code)

    response = client.post(url, season_post(point, first, pickup_points=[]))
    assertContains(
        response, "Choose at least one pickup point.", status_code=response.status_code
    )
    assert not OrderCycle.objects.exists()


@pytest.mark.usefixtures("english")
def test_season_refuses_another_collectives_point_and_taken_dates(
    as_user, organiser, collective, other_collective, point
):
    client = as_user(organiser)
    url = reverse("distribution:season_create", args=[collective.slug])
    first = next_weekday(THURSDAY, timezone.localdate() + timedelta(days=7))
    theirs = PickupPointFactory(collective=other_collective)
    response = client.post(url, season_post(theirs, first))
    assert response.status_code == 400
    assertContains(response, "Select a valid choice.", status_code=response.status_code)

    DistributionFactory(
        cycle=OrderCycleFactory(collective=collective), pickup_point=point, date=first
    )
    response = client.post(url, season_post(point, first))
    assert response.status_code == 400
    assertContains(
        response, "There is already a distribution", status_code=response.status_code
    )
    assertContains(response, f"{first:%m/%d/%Y}", status_code=response.status_code)
    response = client.post(url, {**season_post(point, first), "action": "confirm"})
    assert response.status_code == 400
    assert OrderCycle.objects.count() == 1


# Pages: cycles, edit, cancel ---------------------------------------------------


@pytest.mark.usefixtures("english")
def test_cycle_list_and_close_now(as_user, organiser, collective):
    cycle = OrderCycleFactory(collective=collective, name="Semaine 12")
    client = as_user(organiser)
    url = reverse("distribution:cycle_list", args=[collective.slug])
    response = client.get(url)
    assertContains(response, "Semaine 12")
    assertContains(response, "Open for orders")
    close_url = reverse("distribution:cycle_close", args=[cycle.pk])
    assertContains(response, close_url)
    response = client.post(close_url)
    assertRedirects(response, url)
    cycle.refresh_from_db()
    assert cycle.closed_by == organiser
    response = client.get(url)
    assertNotContains(response, close_url)
    assertContains(response, "Closed")
    assert client.post(close_url).status_code == 302


def test_cycle_list_query_count_is_fixed(
    as_user, organiser, collective, django_assert_max_num_queries
):
    point = PickupPointFactory(collective=collective)
    cycles = OrderCycle.objects.bulk_create(
        OrderCycle(
            collective=collective,
            name=f"Cycle {n}",
            opens_at=timezone.now() + timedelta(days=n),
            closes_at=timezone.now() + timedelta(days=n + 1),
        )
        for n in range(200)
    )
    Distribution.objects.bulk_create(
        Distribution(
            cycle=cycle,
            pickup_point=point,
            date=timezone.localdate() + timedelta(days=n + 2),
            starts_at=time(18),
            ends_at=time(19),
        )
        for n, cycle in enumerate(cycles)
    )
    client = as_user(organiser)
    with django_assert_max_num_queries(10):
        response = client.get(
            reverse("distribution:cycle_list", args=[collective.slug])
        )
    assert response.content.decode().count("data-cycle=") == 200


@pytest.mark.usefixtures("english")
def test_distribution_edit_page(as_user, organiser, distribution):
    client = as_user(organiser)
    url = reverse("distribution:distribution_edit", args=[distribution.pk])
    response = client.post(
        url, {"starts_at": "18:00", "ends_at": "17:00", "notes": "Salle B"}
    )
    assert response.status_code == 400
    assertContains(response, 'id="id_ends_at_error"', status_code=response.status_code)
    response = client.post(
        url, {"starts_at": "17:30", "ends_at": "19:00", "notes": "Salle B"}
    )
    assert response.status_code == 302
    distribution.refresh_from_db()
    assert distribution.notes == "Salle B"
    assert distribution.starts_at == time(17, 30)


@pytest.mark.usefixtures("english")
def test_cancel_page_warns_then_cancels_and_notifies(
    as_user, organiser, distribution, django_capture_on_commit_callbacks
):
    for _ in range(3):
        ShiftAssignmentFactory(shift=ShiftFactory(distribution=distribution))
    client = as_user(organiser)
    url = reverse("distribution:distribution_cancel", args=[distribution.pk])
    response = client.get(url)
    assertContains(
        response, "3 people will be told by email.", status_code=response.status_code
    )

    response = client.post(url, {"reason": ""})
    assert response.status_code == 400
    assertContains(
        response,
        "Tell the members why the distribution is cancelled.",
        status_code=response.status_code,
    )
    distribution.refresh_from_db()
    assert not distribution.cancelled

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"reason": "Inondation"})
    assert response.status_code == 302
    distribution.refresh_from_db()
    assert distribution.cancelled
    assert distribution.cancel_reason == "Inondation"
    assert len(mail.outbox) == 3
    page = client.get(response["Location"])
    assertContains(page, "is cancelled")
    assertNotContains(page, url)
    # A second visit does not cancel again.
    assert client.get(url).status_code == 302


def test_pages_work_in_french(as_user, organiser, collective, distribution, point):
    """The default language: date inputs still take ISO dates from type=date."""
    client = as_user(organiser)
    response = client.get(reverse("distribution:calendar", args=[collective.slug]))
    assert response.status_code == 200
    months = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ]
    assertContains(response, months[distribution.date.month - 1].capitalize())
    first = next_weekday(THURSDAY, timezone.localdate() + timedelta(days=7))
    response = client.post(
        reverse("distribution:season_create", args=[collective.slug]),
        season_post(point, first, skip_dates=""),
    )
    assert response.status_code == 200
    assert response.content.decode().count("<tr data-date=") == 4
    assert (
        client.get(
            reverse("distribution:distribution_cancel", args=[distribution.pk])
        ).status_code
        == 200
    )


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"first_date": "0001-01-01"}, "first_date", "Enter a date between"),
        ({"last_date": "9999-12-31"}, "last_date", "Enter a date between"),
        (
            {"pickup_points": ["99999999999999999999"]},
            "pickup_points",
            "Select a valid choice",
        ),
    ],
)
def test_season_refuses_out_of_range_input_next_to_the_field(
    as_user, organiser, collective, point, changes, field, message
):
    first = next_weekday(THURSDAY, timezone.localdate() + timedelta(days=7))
    response = as_user(organiser).post(
        reverse("distribution:season_create", args=[collective.slug]),
        season_post(point, first, **changes),
    )
    assert response.status_code in (200, 400)
    assert message in response.content.decode()
    assert field in response.context["form"].errors
    assert not OrderCycle.objects.exists()
