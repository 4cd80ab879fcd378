"""Volunteer shifts: the sign-up rules, the reminders and the pages.

Pages and messages are in English (the `english` fixture), so the tests hold
whether or not the French catalogue is compiled.
"""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django_q.models import Schedule
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from amap.distribution.models import Distribution, Shift, ShiftAssignment
from amap.distribution.services import shifts as services
from amap.distribution.tasks import send_shift_reminders_task
from amap.members.models import Membership
from tests.factories import (
    DistributionFactory,
    MembershipFactory,
    OrderCycleFactory,
    PickupPointFactory,
    ShiftAssignmentFactory,
    ShiftFactory,
    UserFactory,
)

pytestmark = pytest.mark.usefixtures("english")

NOT_ORGANISERS = ["member", "other_member", "producer_user", "other_organiser"]


def shift_form(role, starts_at, ends_at, people_needed) -> dict:
    """The POST data of the shift form (add or edit)."""
    return {
        "role": role,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "people_needed": people_needed,
    }


def shifts_url(distribution_id) -> str:
    return reverse("distribution:distribution_shifts", args=[distribution_id])


def edit_url(shift_id) -> str:
    return reverse("distribution:shift_edit", args=[shift_id])


@pytest.fixture
def cast(request, collective, other_collective):
    """`cast(name)`: that person of the cast (None for anonymous), all created."""
    names = ["member", "other_member", "producer_user", "organiser", "other_organiser"]
    people = {name: request.getfixturevalue(name) for name in names}
    people["anonymous"] = None
    return people.__getitem__


@pytest.fixture
def client_as(cast, as_user):
    return lambda name: as_user(cast(name))


@pytest.fixture
def distribution(collective):
    """In five days, 18:00–19:30, at the Maison de quartier des Dervallières."""
    return DistributionFactory(
        cycle__collective=collective,
        pickup_point__name="Maison de quartier des Dervallières",
        date=timezone.localdate() + dt.timedelta(days=5),
    )


@pytest.fixture
def shift(distribution):
    return ShiftFactory(distribution=distribution, role="Accueil", people_needed=2)


@pytest.fixture
def other_shift(other_collective):
    return ShiftFactory(
        distribution__cycle__collective=other_collective, role="Rangement Trentemoult"
    )


def before_deadline(distribution):
    return distribution.start_datetime - dt.timedelta(hours=30)


def after_deadline(distribution):
    return distribution.start_datetime - dt.timedelta(hours=2)


def another_member(collective, **kwargs):
    return MembershipFactory(collective=collective, **kwargs).user


def assert_sent_to_login(response, url):
    assertRedirects(
        response,
        f"{reverse('account_login')}?next={url}",
        fetch_redirect_response=False,
    )


# add_shift, update_shift, remove_shift


def test_add_shift_creates_the_slot(distribution, organiser):
    shift = services.add_shift(
        distribution=distribution,
        role=" Installation ",
        starts_at=dt.time(17, 45),
        ends_at=dt.time(18, 30),
        people_needed=3,
        added_by=organiser,
    )

    assert (shift.distribution, shift.role, shift.people_needed) == (
        distribution,
        "Installation",
        3,
    )


def test_add_shift_refuses_an_end_before_the_start(distribution, organiser):
    with pytest.raises(ValidationError) as error:
        services.add_shift(
            distribution=distribution,
            role="Installation",
            starts_at=dt.time(18, 30),
            ends_at=dt.time(18, 0),
            people_needed=2,
            added_by=organiser,
        )

    assert error.value.message_dict == {
        "ends_at": ["The shift must end after it starts."]
    }
    assert not Shift.objects.exists()


@pytest.mark.parametrize("person", ["member", "other_organiser"])
def test_add_shift_is_for_the_collectives_organisers(request, distribution, person):
    with pytest.raises(PermissionDenied):
        services.add_shift(
            distribution=distribution,
            role="Installation",
            starts_at=dt.time(17, 45),
            ends_at=dt.time(18, 30),
            people_needed=2,
            added_by=request.getfixturevalue(person),
        )


def test_add_shift_refuses_a_cancelled_distribution(distribution, organiser):
    Distribution.objects.filter(pk=distribution.pk).update(cancelled=True)
    distribution.refresh_from_db()

    with pytest.raises(ValidationError, match="cancelled"):
        services.add_shift(
            distribution=distribution,
            role="Installation",
            starts_at=dt.time(17, 45),
            ends_at=dt.time(18, 30),
            people_needed=2,
            added_by=organiser,
        )


def test_update_shift_changes_the_slot(shift, organiser):
    services.update_shift(
        shift,
        role="Accueil et émargement",
        starts_at=dt.time(18, 0),
        ends_at=dt.time(19, 0),
        people_needed=4,
        updated_by=organiser,
    )

    shift.refresh_from_db()
    assert (shift.role, shift.ends_at, shift.people_needed) == (
        "Accueil et émargement",
        dt.time(19, 0),
        4,
    )


def test_update_shift_refuses_fewer_places_than_volunteers(shift, organiser):
    ShiftAssignmentFactory.create_batch(2, shift=shift)

    with pytest.raises(ValidationError) as error:
        services.update_shift(
            shift,
            role=shift.role,
            starts_at=shift.starts_at,
            ends_at=shift.ends_at,
            people_needed=1,
            updated_by=organiser,
        )

    assert (
        "2 people are already signed up" in error.value.message_dict["people_needed"][0]
    )


def test_remove_shift_deletes_an_empty_shift(shift, organiser):
    services.remove_shift(shift, removed_by=organiser)

    assert not Shift.objects.exists()


def test_remove_shift_refuses_while_volunteers_hold_it(shift, organiser, member):
    ShiftAssignmentFactory(shift=shift, user=member)

    with pytest.raises(ValidationError, match="unassign them before removing"):
        services.remove_shift(shift, removed_by=organiser)
    assert Shift.objects.filter(pk=shift.pk).exists()


def test_remove_shift_is_for_the_collectives_organisers(shift, other_organiser):
    with pytest.raises(PermissionDenied):
        services.remove_shift(shift, removed_by=other_organiser)


# add_standard_shifts


def test_add_standard_shifts_gives_the_usual_set(distribution, organiser):
    count = services.add_standard_shifts(
        distributions=[distribution], added_by=organiser
    )

    assert count == 1
    assert [
        (s.role, s.starts_at, s.ends_at, s.people_needed)
        for s in distribution.shifts.order_by("starts_at")
    ] == [
        ("Set-up", dt.time(17, 45), dt.time(18, 30), 2),
        ("Welcome and sign-in sheet", dt.time(18, 0), dt.time(19, 30), 2),
        ("Tidying up", dt.time(19, 15), dt.time(19, 45), 1),
    ]


def test_add_standard_shifts_skips_planned_and_cancelled_distributions(
    collective, distribution, shift, organiser
):
    cancelled = DistributionFactory(
        cycle__collective=collective, cancelled=True, date=distribution.date
    )
    bare = DistributionFactory(cycle__collective=collective)

    count = services.add_standard_shifts(
        distributions=[distribution, cancelled, bare], added_by=organiser
    )

    assert count == 1
    assert distribution.shifts.count() == 1
    assert not cancelled.shifts.exists()
    assert bare.shifts.count() == 3
    assert services.add_standard_shifts(distributions=[bare], added_by=organiser) == 0
    assert bare.shifts.count() == 3


def test_add_standard_shifts_is_for_the_collectives_organisers(
    distribution, other_organiser
):
    with pytest.raises(PermissionDenied):
        services.add_standard_shifts(
            distributions=[distribution], added_by=other_organiser
        )
    assert not distribution.shifts.exists()


def test_standard_shifts_stay_within_the_day(collective):
    late = DistributionFactory(
        cycle__collective=collective,
        starts_at=dt.time(0, 5),
        ends_at=dt.time(23, 50),
    )

    times = [(s.starts_at, s.ends_at) for s in services.standard_shifts(late)]

    assert times[0][0] == dt.time(0, 0)
    assert times[2][1] == dt.time(23, 59)


# sign_up_for_shift


def test_sign_up_takes_a_place(shift, member):
    assignment = services.sign_up_for_shift(
        shift=shift, user=member, now=before_deadline(shift.distribution)
    )

    assert (assignment.shift, assignment.user, assignment.assigned_by) == (
        shift,
        member,
        member,
    )


def test_the_last_place_cannot_be_taken_twice(shift, member, collective):
    now = before_deadline(shift.distribution)
    ShiftAssignmentFactory(shift=shift, user=another_member(collective))
    services.sign_up_for_shift(shift=shift, user=member, now=now)

    with pytest.raises(ValidationError, match="This shift is full"):
        services.sign_up_for_shift(
            shift=shift, user=another_member(collective), now=now
        )
    assert shift.assignments.count() == 2


def test_sign_up_refuses_a_double_sign_up(shift, member):
    now = before_deadline(shift.distribution)
    services.sign_up_for_shift(shift=shift, user=member, now=now)

    with pytest.raises(ValidationError, match="already signed up for this shift"):
        services.sign_up_for_shift(shift=shift, user=member, now=now)


def test_sign_up_refuses_after_the_deadline(shift, member):
    with pytest.raises(ValidationError) as error:
        services.sign_up_for_shift(
            shift=shift, user=member, now=after_deadline(shift.distribution)
        )

    assert error.value.messages[0].startswith("Sign-ups for this shift closed on ")
    assert not shift.assignments.exists()


def test_sign_up_deadline_follows_the_setting(settings, shift, member):
    settings.SHIFT_CHANGE_DEADLINE_HOURS = 1

    services.sign_up_for_shift(
        shift=shift, user=member, now=after_deadline(shift.distribution)
    )

    assert shift.assignments.count() == 1


def test_sign_up_with_timezone_now_frozen(monkeypatch, shift, member):
    monkeypatch.setattr(
        "django.utils.timezone.now", lambda: after_deadline(shift.distribution)
    )

    with pytest.raises(ValidationError, match="closed on"):
        services.sign_up_for_shift(shift=shift, user=member)


def test_sign_up_refuses_a_cancelled_distribution(shift, member):
    Distribution.objects.filter(pk=shift.distribution_id).update(cancelled=True)

    with pytest.raises(ValidationError, match="cancelled"):
        services.sign_up_for_shift(
            shift=shift, user=member, now=before_deadline(shift.distribution)
        )


def test_sign_up_refuses_a_past_distribution(shift, member):
    with pytest.raises(ValidationError, match="This distribution is over."):
        services.sign_up_for_shift(
            shift=shift,
            user=member,
            now=shift.distribution.end_datetime + dt.timedelta(hours=1),
        )


@pytest.mark.parametrize("person", ["other_member", "producer_user"])
def test_sign_up_is_for_active_members(request, shift, person):
    with pytest.raises(PermissionDenied):
        services.sign_up_for_shift(
            shift=shift,
            user=request.getfixturevalue(person),
            now=before_deadline(shift.distribution),
        )


def test_sign_up_refuses_a_deactivated_member(shift, collective):
    former = MembershipFactory(
        collective=collective, status=Membership.Status.INACTIVE
    ).user

    with pytest.raises(PermissionDenied):
        services.sign_up_for_shift(
            shift=shift, user=former, now=before_deadline(shift.distribution)
        )


# withdraw_from_shift


def test_withdraw_frees_the_place(shift, member):
    ShiftAssignmentFactory(shift=shift, user=member)

    services.withdraw_from_shift(
        shift=shift, user=member, now=before_deadline(shift.distribution)
    )

    assert not shift.assignments.exists()


def test_withdraw_refuses_after_the_deadline(shift, member):
    ShiftAssignmentFactory(shift=shift, user=member)

    with pytest.raises(ValidationError, match="contact the organisers"):
        services.withdraw_from_shift(
            shift=shift, user=member, now=after_deadline(shift.distribution)
        )
    assert shift.assignments.count() == 1


def test_withdraw_refuses_someone_not_signed_up(shift, member):
    with pytest.raises(ValidationError, match="not signed up"):
        services.withdraw_from_shift(
            shift=shift, user=member, now=before_deadline(shift.distribution)
        )


# assign_to_shift, unassign_from_shift


def test_organiser_may_assign_after_the_deadline(monkeypatch, shift, member, organiser):
    monkeypatch.setattr(
        "django.utils.timezone.now", lambda: after_deadline(shift.distribution)
    )

    assignment = services.assign_to_shift(
        shift=shift, user=member, assigned_by=organiser
    )

    assert assignment.assigned_by == organiser


def test_assign_refuses_a_full_shift(shift, member, organiser, collective):
    ShiftAssignmentFactory.create_batch(2, shift=shift)

    with pytest.raises(ValidationError, match="This shift is full"):
        services.assign_to_shift(shift=shift, user=member, assigned_by=organiser)


def test_assign_refuses_a_non_member(shift, other_member, organiser):
    with pytest.raises(ValidationError, match="is not an active member"):
        services.assign_to_shift(shift=shift, user=other_member, assigned_by=organiser)


def test_assign_refuses_a_double_assignment(shift, member, organiser):
    ShiftAssignmentFactory(shift=shift, user=member)

    with pytest.raises(ValidationError, match="already signed up"):
        services.assign_to_shift(shift=shift, user=member, assigned_by=organiser)


@pytest.mark.parametrize("person", ["member", "other_organiser"])
def test_assign_is_for_the_collectives_organisers(request, shift, member, person):
    with pytest.raises(PermissionDenied):
        services.assign_to_shift(
            shift=shift, user=member, assigned_by=request.getfixturevalue(person)
        )


def test_unassign_frees_the_place(shift, member, organiser):
    assignment = ShiftAssignmentFactory(shift=shift, user=member)

    services.unassign_from_shift(assignment=assignment, unassigned_by=organiser)

    assert not shift.assignments.exists()


def test_unassign_is_for_the_collectives_organisers(shift, member, other_organiser):
    assignment = ShiftAssignmentFactory(shift=shift, user=member)

    with pytest.raises(PermissionDenied):
        services.unassign_from_shift(
            assignment=assignment, unassigned_by=other_organiser
        )
    assert shift.assignments.exists()


# send_shift_reminders


@pytest.fixture
def tomorrow_shift(collective):
    return ShiftFactory(
        distribution__cycle__collective=collective,
        distribution__pickup_point__name="Maison de quartier des Dervallières",
        distribution__date=timezone.localdate() + dt.timedelta(days=1),
        role="Accueil et émargement",
        starts_at=dt.time(17, 45),
        ends_at=dt.time(19, 45),
    )


def test_reminder_is_sent_once(tomorrow_shift, member):
    ShiftAssignmentFactory(shift=tomorrow_shift, user=member)

    assert services.send_shift_reminders() == 1
    assert services.send_shift_reminders() == 0

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["marie.martin@example.org"]
    assert ShiftAssignment.objects.get().reminder_sent_at is not None


def test_reminder_tells_when_where_what_and_with_whom(tomorrow_shift, member):
    ShiftAssignmentFactory(shift=tomorrow_shift, user=member)
    ShiftAssignmentFactory(
        shift=tomorrow_shift, user__first_name="Louise", user__last_name="Leroy"
    )

    services.send_shift_reminders()

    email = next(m for m in mail.outbox if m.to == ["marie.martin@example.org"])
    assert "Accueil et émargement" in email.subject
    assert "17:45–19:45" in email.body
    assert "Maison de quartier des Dervallières" in email.body
    assert "5 rue Auguste Renoir, 44100 Nantes" in email.body
    assert "Louise Leroy" in email.body
    assert "Marie Martin" not in email.body
    assert "http://testserver/permanences/" in email.body


def test_reminders_skip_other_days_and_cancelled_distributions(
    tomorrow_shift, collective, member
):
    ShiftAssignmentFactory(shift__distribution__cycle__collective=collective)
    ShiftAssignmentFactory(
        shift__distribution__cycle__collective=collective,
        shift__distribution__date=timezone.localdate() + dt.timedelta(days=1),
        shift__distribution__cancelled=True,
    )

    assert services.send_shift_reminders() == 0
    assert mail.outbox == []


def test_reminders_use_the_local_date(tomorrow_shift, member):
    """At 23:30 in Paris (22:30 UTC in winter) 'tomorrow' is the Paris tomorrow."""
    ShiftAssignmentFactory(shift=tomorrow_shift, user=member)
    late_tonight = timezone.make_aware(
        dt.datetime.combine(timezone.localdate(), dt.time(23, 30))
    )

    assert services.send_shift_reminders(now=late_tonight) == 1


def test_reminder_task_runs_the_service(tomorrow_shift, member):
    ShiftAssignmentFactory(shift=tomorrow_shift, user=member)

    assert send_shift_reminders_task() == 1


def test_the_migration_schedules_the_reminders_daily(db):
    schedule = Schedule.objects.get(name="shift-reminders")

    assert schedule.func == "amap.distribution.tasks.send_shift_reminders_task"
    assert schedule.schedule_type == Schedule.DAILY
    local = timezone.localtime(schedule.next_run)
    assert local.time() == dt.time(9, 0)
    assert local.date() > dt.date(2020, 1, 1)


# Member page: permanences/


def test_shift_list_sends_anonymous_to_login(client_as):
    url = reverse("distribution:shift_list")
    assert_sent_to_login(client_as("anonymous").get(url), url)


@pytest.mark.parametrize(
    "person, shown, hidden",
    [
        ("member", "Accueil", "Rangement Trentemoult"),
        ("organiser", "Accueil", "Rangement Trentemoult"),
        ("other_member", "Rangement Trentemoult", "Accueil"),
    ],
)
def test_shift_list_shows_only_ones_collectives(
    client_as, shift, other_shift, person, shown, hidden
):
    response = client_as(person).get(reverse("distribution:shift_list"))

    assertContains(response, shown)
    assertNotContains(response, hidden)


def test_shift_list_shows_people_and_sign_up_button(client_as, shift, collective):
    ShiftAssignmentFactory(
        shift=shift, user__first_name="Louise", user__last_name="Leroy"
    )

    response = client_as("member").get(reverse("distribution:shift_list"))

    assertContains(response, "1 / 2 people")
    assertContains(response, "Louise Leroy")
    assertContains(response, reverse("distribution:shift_sign_up", args=[shift.pk]))
    assertContains(response, "You have no shift in the coming weeks.")


def test_shift_list_puts_my_shifts_first_with_withdraw(client_as, shift, member):
    ShiftAssignmentFactory(shift=shift, user=member)

    response = client_as("member").get(reverse("distribution:shift_list"))

    html = response.content.decode()
    my_section = html.split('data-testid="my-shifts"')[1].split("</section>")[0]
    assert "Accueil" in my_section
    assert reverse("distribution:shift_withdraw", args=[shift.pk]) in my_section


def test_shift_list_disables_buttons_after_the_deadline(client_as, collective):
    today = DistributionFactory(
        cycle__collective=collective,
        date=timezone.localdate(),
        starts_at=dt.time(23, 0),
        ends_at=dt.time(23, 30),
    )
    late = ShiftFactory(
        distribution=today, starts_at=dt.time(22, 45), ends_at=dt.time(23, 45)
    )

    response = client_as("member").get(reverse("distribution:shift_list"))

    assertNotContains(response, reverse("distribution:shift_sign_up", args=[late.pk]))
    assertContains(response, "Changes closed on")
    assertContains(response, "disabled")


def test_shift_list_skips_cancelled_and_far_distributions(client_as, collective):
    ShiftFactory(
        role="Annulée",
        distribution__cycle__collective=collective,
        distribution__cancelled=True,
    )
    ShiftFactory(
        role="Lointaine",
        distribution__cycle__collective=collective,
        distribution__date=timezone.localdate() + dt.timedelta(weeks=9),
    )

    response = client_as("member").get(reverse("distribution:shift_list"))

    assertNotContains(response, "Annulée")
    assertNotContains(response, "Lointaine")
    assertContains(response, "No shift is planned in the coming weeks.")


def test_shift_list_runs_a_fixed_number_of_queries(
    client_as, collective, django_assert_max_num_queries
):
    cycle = OrderCycleFactory(collective=collective)
    points = PickupPointFactory.create_batch(4, collective=collective)
    today = timezone.localdate()
    distributions = Distribution.objects.bulk_create(
        Distribution(
            cycle=cycle,
            pickup_point=point,
            date=today + dt.timedelta(days=day),
            starts_at=dt.time(18, 0),
            ends_at=dt.time(19, 30),
        )
        for point in points
        for day in range(2, 54)
    )
    shifts = Shift.objects.bulk_create(
        Shift(
            distribution=d,
            role="Accueil",
            starts_at=dt.time(18, 0),
            ends_at=dt.time(19, 0),
            people_needed=3,
        )
        for d in distributions
    )
    volunteers = UserFactory.create_batch(3)
    ShiftAssignment.objects.bulk_create(
        ShiftAssignment(shift=s, user=u) for s in shifts for u in volunteers[:2]
    )
    client = client_as("member")

    with django_assert_max_num_queries(8):
        response = client.get(reverse("distribution:shift_list"))

    assert len(shifts) >= 200
    assertContains(response, "2 / 3 people", count=len(shifts))


# Member commands: sign up, withdraw


@pytest.mark.parametrize("name", ["shift_sign_up", "shift_withdraw"])
def test_shift_commands_send_anonymous_to_login(client_as, shift, name):
    url = reverse(f"distribution:{name}", args=[shift.pk])
    assert_sent_to_login(client_as("anonymous").post(url), url)


@pytest.mark.parametrize("name", ["shift_sign_up", "shift_withdraw"])
@pytest.mark.parametrize("person", ["other_member", "producer_user", "other_organiser"])
def test_shift_commands_answer_404_outside_ones_collectives(
    client_as, shift, name, person
):
    url = reverse(f"distribution:{name}", args=[shift.pk])
    assert client_as(person).post(url).status_code == 404
    assert not shift.assignments.exists()


def test_shift_commands_refuse_get(client_as, shift):
    url = reverse("distribution:shift_sign_up", args=[shift.pk])
    assert client_as("member").get(url).status_code == 405


@pytest.mark.parametrize("person", ["member", "organiser"])
def test_member_signs_up_then_withdraws(client_as, cast, shift, person):
    client = client_as(person)

    response = client.post(
        reverse("distribution:shift_sign_up", args=[shift.pk]), follow=True
    )
    assertContains(response, "Thank you! You are signed up for “Accueil”.")
    assert list(shift.assignments.values_list("user", flat=True)) == [cast(person).pk]

    response = client.post(
        reverse("distribution:shift_withdraw", args=[shift.pk]), follow=True
    )
    assertContains(response, "You are no longer signed up for “Accueil”.")
    assert not shift.assignments.exists()


def test_sign_up_to_a_full_shift_shows_the_reason(client_as, shift):
    ShiftAssignmentFactory.create_batch(2, shift=shift)

    response = client_as("member").post(
        reverse("distribution:shift_sign_up", args=[shift.pk]), follow=True
    )

    assertContains(response, "This shift is full")
    assert shift.assignments.count() == 2


def test_sign_up_ignores_a_foreign_next(client_as, shift):
    response = client_as("member").post(
        reverse("distribution:shift_sign_up", args=[shift.pk]),
        {"next": "https://evil.example.com/"},
    )

    assertRedirects(
        response, reverse("distribution:shift_list"), fetch_redirect_response=False
    )


# Organiser pages: the matrix


def organiser_urls(shift, assignment):
    distribution = shift.distribution
    slug = distribution.cycle.collective.slug
    return {
        "coverage": ("get", reverse("distribution:shift_coverage", args=[slug])),
        "standard": ("post", reverse("distribution:shift_add_standard", args=[slug])),
        "distribution": (
            "get",
            shifts_url(distribution.pk),
        ),
        "edit": ("get", edit_url(shift.pk)),
        "save": ("post", edit_url(shift.pk)),
        "remove": ("post", reverse("distribution:shift_remove", args=[shift.pk])),
        "assign": ("post", reverse("distribution:shift_assign", args=[shift.pk])),
        "unassign": (
            "post",
            reverse("distribution:shift_unassign", args=[assignment.pk]),
        ),
    }


PAGES = [
    "coverage",
    "standard",
    "distribution",
    "edit",
    "save",
    "remove",
    "assign",
    "unassign",
]


@pytest.fixture
def assignment(shift, collective):
    return ShiftAssignmentFactory(shift=shift, user=another_member(collective))


@pytest.mark.parametrize("page", PAGES)
def test_organiser_pages_send_anonymous_to_login(client_as, shift, assignment, page):
    method, url = organiser_urls(shift, assignment)[page]
    assert_sent_to_login(getattr(client_as("anonymous"), method)(url), url)


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("person", NOT_ORGANISERS)
def test_organiser_pages_answer_404_to_others(
    client_as, shift, assignment, page, person
):
    method, url = organiser_urls(shift, assignment)[page]

    response = getattr(client_as(person), method)(url)

    assert response.status_code == 404
    assert Shift.objects.filter(pk=shift.pk).exists()
    assert ShiftAssignment.objects.filter(pk=assignment.pk).exists()


@pytest.mark.parametrize("page", ["coverage", "distribution", "edit"])
def test_organiser_pages_open_for_the_organiser(client_as, shift, assignment, page):
    _method, url = organiser_urls(shift, assignment)[page]
    assert client_as("organiser").get(url).status_code == 200


# Organiser: coverage


def test_coverage_lists_lacking_distributions_first(client_as, collective):
    today = timezone.localdate()
    covered = ShiftFactory(
        distribution__cycle__collective=collective,
        distribution__date=today + dt.timedelta(days=1),
        people_needed=1,
    )
    ShiftAssignmentFactory(shift=covered)
    bare = DistributionFactory(
        cycle__collective=collective, date=today + dt.timedelta(days=2)
    )
    lacking = ShiftFactory(
        distribution__cycle__collective=collective,
        distribution__date=today + dt.timedelta(days=3),
        people_needed=3,
    )

    response = client_as("organiser").get(
        reverse("distribution:shift_coverage", args=[collective.slug])
    )

    html = response.content.decode()
    positions = [
        html.index(f'data-distribution="{d.pk}"')
        for d in (lacking.distribution, bare, covered.distribution)
    ]
    assert positions == sorted(positions)
    assertContains(response, "missing 3 people")
    assertContains(response, 'class="coverage-missing"', count=1)
    assertContains(response, "no shifts yet")
    assertContains(response, "Add the standard shifts to the distributions without")


def test_coverage_follows_the_weeks_asked(client_as, collective):
    DistributionFactory(
        cycle__collective=collective,
        date=timezone.localdate() + dt.timedelta(weeks=10),
        pickup_point__name="Lointain",
    )
    url = reverse("distribution:shift_coverage", args=[collective.slug])
    client = client_as("organiser")

    assertNotContains(client.get(url), "Lointain")
    assertContains(client.get(url, {"weeks": 12}), "Lointain")


def test_coverage_explains_a_bad_number_of_weeks(client_as, collective):
    response = client_as("organiser").get(
        reverse("distribution:shift_coverage", args=[collective.slug]),
        {"weeks": "abc"},
    )

    assert response.status_code == 400
    assertContains(response, "Enter a whole number.", status_code=400)


def test_add_standard_shifts_from_the_coverage_page(client_as, collective, shift):
    bare = DistributionFactory(cycle__collective=collective)
    far = DistributionFactory(
        cycle__collective=collective,
        date=timezone.localdate() + dt.timedelta(weeks=20),
    )

    response = client_as("organiser").post(
        reverse("distribution:shift_add_standard", args=[collective.slug]),
        {"weeks": 8},
        follow=True,
    )

    assertContains(response, "The standard shifts have been added to 1 distribution.")
    assert bare.shifts.count() == 3
    assert shift.distribution.shifts.count() == 1
    assert not far.shifts.exists()


def test_coverage_runs_a_fixed_number_of_queries(
    client_as, collective, django_assert_max_num_queries
):
    cycle = OrderCycleFactory(collective=collective)
    point = PickupPointFactory(collective=collective)
    today = timezone.localdate()
    distributions = Distribution.objects.bulk_create(
        Distribution(
            cycle=cycle,
            pickup_point=point,
            date=today + dt.timedelta(days=day),
            starts_at=dt.time(18, 0),
            ends_at=dt.time(19, 30),
        )
        for day in range(1, 211)
    )
    shifts = Shift.objects.bulk_create(
        Shift(
            distribution=d,
            role="Accueil",
            starts_at=dt.time(18, 0),
            ends_at=dt.time(19, 0),
            people_needed=3,
        )
        for d in distributions[::2]
    )
    volunteer = UserFactory()
    ShiftAssignment.objects.bulk_create(
        ShiftAssignment(shift=s, user=volunteer) for s in shifts
    )
    client = client_as("organiser")
    url = reverse("distribution:shift_coverage", args=[collective.slug])

    with django_assert_max_num_queries(8):
        response = client.get(url, {"weeks": 52})

    assertContains(response, "missing 2 people", count=len(shifts))
    assertContains(
        response,
        'data-coverage="no_shifts"',
        count=len(distributions) - len(shifts),
    )


# Organiser: the shifts of one distribution


def test_distribution_shifts_lists_volunteers_and_sorted_members(
    client_as, shift, collective
):
    ShiftAssignmentFactory(
        shift=shift, user__first_name="Louise", user__last_name="Leroy"
    )
    another_member(collective, user__first_name="Anne", user__last_name="Zola")
    another_member(collective, user__first_name="Bruno", user__last_name="Abel")

    response = client_as("organiser").get(shifts_url(shift.distribution_id))

    html = response.content.decode()
    assertContains(response, "Louise Leroy")
    assert (
        html.index("Abel Bruno") < html.index("Martin Marie") < html.index("Zola Anne")
    )
    assertNotContains(response, "Bernard Jean")


def test_organiser_adds_a_shift(client_as, distribution):
    response = client_as("organiser").post(
        shifts_url(distribution.pk),
        shift_form("Installation", "17:30", "18:15", "3"),
        follow=True,
    )

    assertContains(response, "The shift “Installation” has been added.")
    shift = distribution.shifts.get()
    assert (shift.starts_at, shift.ends_at, shift.people_needed) == (
        dt.time(17, 30),
        dt.time(18, 15),
        3,
    )


def test_adding_a_shift_ending_before_its_start_shows_the_error(
    client_as, distribution
):
    response = client_as("organiser").post(
        shifts_url(distribution.pk),
        shift_form("Installation", "18:30", "18:00", "2"),
    )

    assert response.status_code == 400
    assertContains(
        response,
        '<p class="error" id="id_ends_at_error">'
        "The shift must end after it starts.</p>",
        status_code=400,
        html=True,
    )
    assert not distribution.shifts.exists()


def test_adding_a_shift_with_bad_input_shows_errors(client_as, distribution):
    response = client_as("organiser").post(
        shifts_url(distribution.pk),
        shift_form("", "25:99", "", "0"),
    )

    assert response.status_code == 400
    assertContains(response, "Enter a valid time.", status_code=400)
    assertContains(response, "This field is required.", status_code=400)
    assert not distribution.shifts.exists()


def test_distribution_shifts_link_to_each_shifts_edit_form(client_as, shift):
    response = client_as("organiser").get(shifts_url(shift.distribution_id))

    assertContains(response, edit_url(shift.pk))


def test_shift_edit_form_is_prefilled(client_as, shift):
    response = client_as("organiser").get(edit_url(shift.pk))

    form = response.context["form"]
    assert form["role"].value() == "Accueil"
    assert form["people_needed"].value() == 2


def test_organiser_changes_a_shift(client_as, shift):
    response = client_as("organiser").post(
        edit_url(shift.pk),
        shift_form("Accueil et émargement", "17:45", "19:00", "3"),
    )

    assertRedirects(
        response,
        shifts_url(shift.distribution_id),
        fetch_redirect_response=False,
    )
    shift.refresh_from_db()
    assert (shift.role, shift.starts_at, shift.ends_at, shift.people_needed) == (
        "Accueil et émargement",
        dt.time(17, 45),
        dt.time(19, 0),
        3,
    )


def test_changing_a_shift_to_fewer_places_than_volunteers_is_refused(
    client_as, shift, collective
):
    ShiftAssignmentFactory(shift=shift, user=another_member(collective))
    ShiftAssignmentFactory(shift=shift, user=another_member(collective))

    response = client_as("organiser").post(
        edit_url(shift.pk),
        shift_form("Accueil", "18:00", "19:30", "1"),
    )

    assertContains(
        response, "2 people are already signed up: unassign some", status_code=400
    )
    shift.refresh_from_db()
    assert shift.people_needed == 2


def test_organiser_assigns_then_unassigns(client_as, shift, member):
    client = client_as("organiser")

    response = client.post(
        reverse("distribution:shift_assign", args=[shift.pk]),
        {"user": member.pk},
        follow=True,
    )
    assertContains(response, "Marie Martin is now on “Accueil”.")
    assignment = shift.assignments.get()

    response = client.post(
        reverse("distribution:shift_unassign", args=[assignment.pk]), follow=True
    )
    assertContains(response, "Marie Martin is no longer on “Accueil”.")
    assert not shift.assignments.exists()


def test_organiser_cannot_assign_someone_of_another_collective(
    client_as, shift, other_member
):
    response = client_as("organiser").post(
        reverse("distribution:shift_assign", args=[shift.pk]),
        {"user": other_member.pk},
        follow=True,
    )

    assertContains(response, "Choose an active member of the collective.")
    assert not shift.assignments.exists()


def test_removing_a_shift_with_volunteers_is_refused(client_as, assignment, shift):
    response = client_as("organiser").post(
        reverse("distribution:shift_remove", args=[shift.pk]), follow=True
    )

    assertContains(response, "unassign them before removing the shift")
    assert Shift.objects.filter(pk=shift.pk).exists()


def test_organiser_removes_an_empty_shift(client_as, shift):
    response = client_as("organiser").post(
        reverse("distribution:shift_remove", args=[shift.pk]), follow=True
    )

    assertContains(response, "The shift “Accueil” has been removed.")
    assert not Shift.objects.exists()
