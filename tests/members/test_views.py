"""Permission matrices and journeys for the members pages.

Pages are asked for in English (the `english` fixture), so the tests hold
whether or not the French catalogue is compiled.
"""

import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from amap.members.models import Invitation, Membership
from tests.factories import (
    CollectiveFactory,
    InvitationFactory,
    MembershipFactory,
    OrganiserMembershipFactory,
)

pytestmark = pytest.mark.usefixtures("english")

CAST = [
    "anonymous",
    "member",
    "other_member",
    "producer_user",
    "organiser",
    "other_organiser",
]
NOT_ORGANISERS_OF_COLLECTIVE = [
    "member",
    "other_member",
    "producer_user",
    "other_organiser",
]


@pytest.fixture
def cast(request, collective, other_collective):
    """`cast(name)`: that person of the cast (None for anonymous), all created."""
    people = {
        name: request.getfixturevalue(name) for name in CAST if name != "anonymous"
    }
    people["anonymous"] = None
    return people.__getitem__


@pytest.fixture
def client_as(cast, as_user):
    """`client_as(name)`: a client logged in as that person of the cast."""
    return lambda name: as_user(cast(name))


def login_url(next_url):
    return f"{reverse('account_login')}?next={next_url}"


def assert_sent_to_login(response, url):
    assertRedirects(response, login_url(url), fetch_redirect_response=False)


def card_classes(html):
    """{slug: "card" or "card card-highlight"} for each collective card."""
    return {
        slug: classes
        for classes, slug in re.findall(
            r'<li class="([^"]+)" data-collective="([^"]+)"', html
        )
    }


def pending_request(collective, **kwargs):
    return MembershipFactory(
        collective=collective,
        status=Membership.Status.PENDING,
        joined_on=None,
        **kwargs,
    )


# dashboard

DASHBOARD_SHOWS = {
    "member": ("AMAP des Dervallières", "AMAP de Trentemoult"),
    "other_member": ("AMAP de Trentemoult", "AMAP des Dervallières"),
    "organiser": ("AMAP des Dervallières", "AMAP de Trentemoult"),
    "other_organiser": ("AMAP de Trentemoult", "AMAP des Dervallières"),
}


def test_dashboard_sends_anonymous_to_login(client_as):
    url = reverse("members:dashboard")
    assert_sent_to_login(client_as("anonymous").get(url), url)


@pytest.mark.parametrize("person", DASHBOARD_SHOWS)
def test_dashboard_shows_only_ones_own_collectives(client_as, person):
    shown, hidden = DASHBOARD_SHOWS[person]

    response = client_as(person).get(reverse("members:dashboard"))

    assertContains(response, shown)
    assertNotContains(response, hidden)
    assertContains(response, '<span class="badge badge-active">Active</span>')


def test_dashboard_of_a_person_without_collective_says_so(client_as):
    response = client_as("producer_user").get(reverse("members:dashboard"))

    assertContains(response, "You are not a member of any collective yet.")
    assertNotContains(response, "AMAP des")


def test_dashboard_offers_member_management_to_organisers_only(client_as):
    manage = reverse("members:membership_list", args=["dervallieres"])

    assertContains(client_as("organiser").get(reverse("members:dashboard")), manage)
    assertNotContains(client_as("member").get(reverse("members:dashboard")), manage)


def test_dashboard_lists_invitations_sent_to_ones_email(client_as, producer_user):
    invitation = InvitationFactory(
        collective=CollectiveFactory(name="AMAP du Breil"),
        email=producer_user.email.upper(),
    )
    InvitationFactory(collective=CollectiveFactory(name="AMAP de Doulon"))

    response = client_as("producer_user").get(reverse("members:dashboard"))

    assertContains(response, invitation.get_absolute_url())
    assertContains(response, "Join AMAP du Breil")
    assertNotContains(response, "AMAP de Doulon")


def test_dashboard_hides_declined_requests(client_as, producer_user, collective):
    MembershipFactory(
        user=producer_user, collective=collective, status=Membership.Status.DECLINED
    )

    response = client_as("producer_user").get(reverse("members:dashboard"))

    assertNotContains(response, "AMAP des Dervallières")


def test_dashboard_offers_member_shortcuts_only_once_a_request_is_approved(
    client_as, producer_user, member, collective
):
    pending_request(collective, user=producer_user)

    response = client_as("producer_user").get(reverse("members:dashboard"))

    assertContains(response, "AMAP des Dervallières")
    assertNotContains(response, reverse("orders:absence_list"))
    response = client_as("member").get(reverse("members:dashboard"))
    assertContains(response, reverse("orders:absence_list"))


# collective_list

HIGHLIGHTED = {
    "anonymous": set(),
    "member": {"dervallieres"},
    "other_member": {"trentemoult"},
    "producer_user": set(),
    "organiser": {"dervallieres"},
    "other_organiser": {"trentemoult"},
}


@pytest.mark.parametrize("person", CAST)
def test_collective_list_shows_active_collectives_and_marks_ones_own(client_as, person):
    CollectiveFactory(name="AMAP en sommeil", slug="sommeil", active=False)

    response = client_as(person).get(reverse("members:collective_list"))

    assert response.status_code == 200
    cards = card_classes(response.content.decode())
    assert set(cards) == {"dervallieres", "trentemoult"}
    assert {
        slug for slug, classes in cards.items() if "card-highlight" in classes
    } == HIGHLIGHTED[person]
    assertNotContains(response, "AMAP en sommeil")


def test_collective_list_marks_a_request_as_sent(client_as, producer_user, collective):
    pending_request(collective, user=producer_user)

    response = client_as("producer_user").get(reverse("members:collective_list"))

    assertContains(response, "Request sent", count=1)


def test_collective_list_counts_active_members_only(client_as, collective, member):
    pending_request(collective)
    MembershipFactory(collective=collective, status=Membership.Status.INACTIVE)

    response = client_as("anonymous").get(reverse("members:collective_list"))

    # Marie (member) and Claire (organiser) are the only active ones.
    assertContains(response, "2 members")


# collective_detail

DETAIL_JOIN_BOX = {
    "anonymous": "Log in or create an account to ask to join.",
    "member": "You are a member of this collective.",
    "other_member": 'action="/collectifs/dervallieres/rejoindre/#rejoindre"',
    "producer_user": 'action="/collectifs/dervallieres/rejoindre/#rejoindre"',
    "organiser": "You are a member of this collective.",
    "other_organiser": 'action="/collectifs/dervallieres/rejoindre/#rejoindre"',
}


@pytest.mark.parametrize("person", CAST)
def test_collective_detail_offers_what_each_person_can_do(client_as, person):
    response = client_as(person).get(
        reverse("members:collective_detail", args=["dervallieres"])
    )

    assertContains(response, "AMAP des Dervallières")
    assertContains(response, "Claire Petit")  # the organiser, for everybody
    assertContains(response, DETAIL_JOIN_BOX[person])


def test_collective_detail_tells_a_waiting_person_so(
    client_as, producer_user, collective
):
    pending_request(collective, user=producer_user)

    response = client_as("producer_user").get(collective.get_absolute_url())

    assertContains(response, "waiting for an organiser")
    assertNotContains(response, "/rejoindre/")


@pytest.mark.parametrize("person", CAST)
def test_an_inactive_collective_has_no_page(client_as, person):
    CollectiveFactory(slug="sommeil", active=False)

    response = client_as(person).get(
        reverse("members:collective_detail", args=["sommeil"])
    )

    assert response.status_code == 404


# collective_join

JOIN_OUTCOME = {
    "member": (Membership.Status.ACTIVE, "You are already a member of AMAP des"),
    "organiser": (Membership.Status.ACTIVE, "You are already a member of AMAP des"),
    "other_member": (Membership.Status.PENDING, "has been sent to its organisers"),
    "producer_user": (Membership.Status.PENDING, "has been sent to its organisers"),
    "other_organiser": (Membership.Status.PENDING, "has been sent to its organisers"),
}


def test_join_sends_anonymous_to_login(client_as, collective):
    url = reverse("members:collective_join", args=[collective.slug])

    assert_sent_to_login(client_as("anonymous").post(url, {"message": "Hi"}), url)
    assert not Membership.objects.filter(status=Membership.Status.PENDING).exists()


@pytest.mark.parametrize("person", JOIN_OUTCOME)
def test_join_asks_to_join_unless_already_a_member(client_as, cast, collective, person):
    status, message = JOIN_OUTCOME[person]

    response = client_as(person).post(
        reverse("members:collective_join", args=[collective.slug]),
        {"message": "Nous habitons le quartier."},
        follow=True,
    )

    assertRedirects(response, collective.get_absolute_url())
    assertContains(response, message)
    membership = Membership.objects.get(user=cast(person), collective=collective)
    assert membership.status == status


def test_join_keeps_the_message_for_the_organisers(
    client_as, producer_user, collective
):
    client_as("producer_user").post(
        reverse("members:collective_join", args=[collective.slug]),
        {"message": "Nous habitons le quartier."},
    )

    membership = Membership.objects.get(user=producer_user)
    assert membership.message == "Nous habitons le quartier."


def test_join_refuses_a_message_too_long_next_to_it_and_keeps_it(
    client_as, producer_user, collective
):
    response = client_as("producer_user").post(
        reverse("members:collective_join", args=[collective.slug]),
        {"message": "x" * 1001},
    )

    assert response.status_code == 400
    assert response.context["join_form"].errors["message"]
    assertContains(response, "x" * 1001, status_code=400)
    assert not Membership.objects.filter(user=producer_user).exists()


def test_join_counts_a_line_break_as_one_character(
    client_as, producer_user, collective
):
    message = ("a" * 99 + "\r\n") * 10  # 1,000 characters as the browser counts

    client_as("producer_user").post(
        reverse("members:collective_join", args=[collective.slug]),
        {"message": message},
    )

    membership = Membership.objects.get(user=producer_user)
    assert membership.message == ("a" * 99 + "\n") * 9 + "a" * 99


def test_join_answers_a_second_request_with_a_message(
    client_as, producer_user, collective
):
    url = reverse("members:collective_join", args=[collective.slug])
    client = client_as("producer_user")
    client.post(url)

    response = client.post(url, follow=True)

    assertContains(response, "already waiting for approval")
    assert Membership.objects.filter(user=producer_user).count() == 1


def test_opening_the_join_address_leads_back_to_the_collective(
    client_as, producer_user, collective
):
    # e.g. after logging in again because the form's session had expired
    response = client_as("producer_user").get(
        reverse("members:collective_join", args=[collective.slug])
    )

    assert response.url == collective.get_absolute_url()
    assert not Membership.objects.filter(user=producer_user).exists()


def test_an_inactive_collective_cannot_be_joined(client_as, producer_user):
    CollectiveFactory(slug="sommeil", active=False)

    response = client_as("producer_user").post(
        reverse("members:collective_join", args=["sommeil"])
    )

    assert response.status_code == 404
    assert not Membership.objects.filter(user=producer_user).exists()


# organiser_home


def test_organiser_home_sends_anonymous_to_login(client_as):
    url = reverse("members:organiser_home")
    assert_sent_to_login(client_as("anonymous").get(url), url)


@pytest.mark.parametrize("person", ["member", "other_member", "producer_user"])
def test_organiser_home_is_empty_for_people_who_organise_nothing(client_as, person):
    response = client_as(person).get(reverse("members:organiser_home"))

    assertContains(response, "You do not organise any collective.")
    assertNotContains(response, "/organisation/dervallieres/")
    assertNotContains(response, "/organisation/trentemoult/")


@pytest.mark.parametrize(
    ("person", "own", "other"),
    [
        ("organiser", "dervallieres", "trentemoult"),
        ("other_organiser", "trentemoult", "dervallieres"),
    ],
)
def test_organiser_home_lists_only_the_collectives_one_organises(
    client_as, person, own, other
):
    response = client_as(person).get(reverse("members:organiser_home"))

    assertContains(response, reverse("members:membership_list", args=[own]))
    assertNotContains(response, reverse("members:membership_list", args=[other]))


def test_organiser_home_counts_members_and_waiting_requests(
    client_as, collective, member
):
    pending_request(collective)
    pending_request(collective)

    response = client_as("organiser").get(reverse("members:organiser_home"))

    assertContains(response, "2 active members")
    assertContains(response, "2 join requests waiting")


def test_a_deactivated_organiser_loses_the_organiser_area(
    client_as, organiser, collective
):
    OrganiserMembershipFactory(collective=collective)
    Membership.objects.filter(user=organiser).update(status=Membership.Status.INACTIVE)

    response = client_as("organiser").get(reverse("members:organiser_home"))

    assertContains(response, "You do not organise any collective.")


# membership_list


def membership_list_url(slug="dervallieres"):
    return reverse("members:membership_list", args=[slug])


def test_membership_list_sends_anonymous_to_login(client_as):
    url = membership_list_url()
    assert_sent_to_login(client_as("anonymous").get(url), url)


@pytest.mark.parametrize("person", NOT_ORGANISERS_OF_COLLECTIVE)
def test_membership_list_is_hidden_from_non_organisers(client_as, person):
    response = client_as(person).get(membership_list_url())

    assert response.status_code == 404
    assertNotContains(response, "Marie Martin", status_code=404)


def test_membership_list_of_a_missing_collective_is_a_404_too(client_as):
    assert (
        client_as("organiser").get(membership_list_url("nulle-part")).status_code == 404
    )


def test_membership_list_shows_the_members_to_the_organiser(
    client_as, member, other_member, collective
):
    declined = MembershipFactory(
        collective=collective,
        status=Membership.Status.DECLINED,
        user__first_name="Hugo",
        user__last_name="Refusé",
    )

    response = client_as("organiser").get(membership_list_url())

    assertContains(response, "Marie Martin")
    assertContains(response, "marie.martin@example.org")
    assertContains(response, "Claire Petit")
    assertNotContains(response, "Jean Bernard")  # a member of another collective
    assertNotContains(response, str(declined.user))


def test_membership_list_shows_join_requests_apart(client_as, collective):
    request = pending_request(
        collective,
        user__first_name="Paul",
        user__last_name="Nouveau",
        message="Je travaille à côté.",
    )

    response = client_as("organiser").get(membership_list_url())

    html = response.content.decode()
    requests_section = html.split('id="pending-title"')[1].split("</section>")[0]
    assert "Paul Nouveau" in requests_section
    assert "Je travaille à côté." in requests_section
    assert (
        reverse(
            "members:membership_action", args=["dervallieres", request.pk, "approve"]
        )
        in requests_section
    )


def test_membership_list_filters_by_name_and_status(client_as, member, collective):
    MembershipFactory(
        collective=collective,
        status=Membership.Status.INACTIVE,
        user__first_name="Ana",
        user__last_name="Ancienne",
    )
    client = client_as("organiser")

    by_name = client.get(membership_list_url(), {"q": "mart"})
    by_status = client.get(membership_list_url(), {"status": "inactive"})

    assertContains(by_name, "Marie Martin")
    assertNotContains(by_name, "Ana Ancienne")
    assertContains(by_status, "Ana Ancienne")
    assertNotContains(by_status, "Marie Martin")


def test_the_organiser_invites_someone_from_the_membership_list(
    client_as, collective, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as("organiser").post(
            membership_list_url(),
            {"invite-email": "lea.roux@example.org", "invite-role": "member"},
            follow=True,
        )

    assertRedirects(response, membership_list_url())
    assertContains(response, "An invitation has been sent to lea.roux@example.org.")
    invitation = Invitation.objects.get(collective=collective)
    assert invitation.email == "lea.roux@example.org"
    assert [m.to for m in mail.outbox] == [["lea.roux@example.org"]]
    # The pending invitation is listed with a way to cancel it.
    assertContains(
        response,
        reverse("members:invitation_cancel", args=["dervallieres", invitation.pk]),
    )


def test_inviting_a_member_shows_the_error_next_to_the_email_field(
    client_as, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as("organiser").post(
            membership_list_url(),
            {"invite-email": "marie.martin@example.org", "invite-role": "member"},
        )

    assertContains(
        response,
        '<p class="error" id="id_invite-email_error">'
        "marie.martin@example.org is already a member of this collective.</p>",
        status_code=400,
        html=True,
    )
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_inviting_with_an_invalid_email_is_refused(client_as):
    response = client_as("organiser").post(
        membership_list_url(),
        {"invite-email": "pas-une-adresse", "invite-role": "member"},
    )

    assert response.status_code == 400
    assertContains(response, 'id="id_invite-email_error"', status_code=400)
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("person", ["anonymous", *NOT_ORGANISERS_OF_COLLECTIVE])
def test_only_the_organiser_can_invite(client_as, person):
    response = client_as(person).post(
        membership_list_url(),
        {"invite-email": "lea.roux@example.org", "invite-role": "member"},
    )

    if person == "anonymous":
        assert_sent_to_login(response, membership_list_url())
    else:
        assert response.status_code == 404
    assert not Invitation.objects.exists()


# membership_action


def action_url(membership, action, slug="dervallieres"):
    return reverse("members:membership_action", args=[slug, membership.pk, action])


def test_membership_action_sends_anonymous_to_login(client_as, collective):
    request = pending_request(collective)
    url = action_url(request, "approve")

    assert_sent_to_login(client_as("anonymous").post(url), url)
    request.refresh_from_db()
    assert request.status == Membership.Status.PENDING


@pytest.mark.parametrize("person", NOT_ORGANISERS_OF_COLLECTIVE)
def test_membership_action_is_a_404_for_non_organisers(client_as, collective, person):
    request = pending_request(collective)

    response = client_as(person).post(action_url(request, "approve"))

    assert response.status_code == 404
    request.refresh_from_db()
    assert request.status == Membership.Status.PENDING


def test_membership_action_ignores_memberships_of_another_collective(
    client_as, other_collective
):
    """An organiser cannot reach another collective's membership through their own."""
    foreign = pending_request(other_collective)

    response = client_as("organiser").post(action_url(foreign, "approve"))

    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == Membership.Status.PENDING


ACTIONS = [
    # action, starting (status, role), resulting (status, role), message
    (
        "approve",
        (Membership.Status.PENDING, Membership.Role.MEMBER),
        (Membership.Status.ACTIVE, Membership.Role.MEMBER),
        "Léa Roux is now a member.",
    ),
    (
        "decline",
        (Membership.Status.PENDING, Membership.Role.MEMBER),
        (Membership.Status.DECLINED, Membership.Role.MEMBER),
        "The request from Léa Roux has been declined.",
    ),
    (
        "make_organiser",
        (Membership.Status.ACTIVE, Membership.Role.MEMBER),
        (Membership.Status.ACTIVE, Membership.Role.ORGANISER),
        "Léa Roux is now an organiser.",
    ),
    (
        "make_member",
        (Membership.Status.ACTIVE, Membership.Role.ORGANISER),
        (Membership.Status.ACTIVE, Membership.Role.MEMBER),
        "Léa Roux is no longer an organiser.",
    ),
    (
        "deactivate",
        (Membership.Status.ACTIVE, Membership.Role.MEMBER),
        (Membership.Status.INACTIVE, Membership.Role.MEMBER),
        "The membership of Léa Roux has been deactivated.",
    ),
    (
        "reactivate",
        (Membership.Status.INACTIVE, Membership.Role.MEMBER),
        (Membership.Status.ACTIVE, Membership.Role.MEMBER),
        "The membership of Léa Roux is active again.",
    ),
]


@pytest.mark.parametrize(("action", "before", "after", "message"), ACTIONS)
def test_the_organiser_acts_on_a_membership(
    client_as, collective, action, before, after, message
):
    membership = MembershipFactory(
        collective=collective,
        status=before[0],
        role=before[1],
        joined_on=timezone.localdate() if before[0] != "pending" else None,
        user__first_name="Léa",
        user__last_name="Roux",
    )

    response = client_as("organiser").post(action_url(membership, action), follow=True)

    assertRedirects(response, membership_list_url())
    assertContains(response, message)
    membership.refresh_from_db()
    assert (membership.status, membership.role) == after


def test_a_refused_action_shows_why(client_as, organiser, collective):
    own = Membership.objects.get(user=organiser)

    response = client_as("organiser").post(action_url(own, "deactivate"), follow=True)

    assertContains(
        response,
        "Claire Petit is the last organiser of AMAP des Dervallières: "
        "make someone else organiser first.",
    )
    own.refresh_from_db()
    assert own.status == Membership.Status.ACTIVE


def test_an_unknown_action_is_a_404(client_as, member):
    membership = Membership.objects.get(user=member)

    response = client_as("organiser").post(action_url(membership, "delete"))

    assert response.status_code == 404
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_membership_action_is_a_post_only_command(client_as, collective):
    request = pending_request(collective)

    response = client_as("organiser").get(action_url(request, "approve"))

    assert response.status_code == 405
    request.refresh_from_db()
    assert request.status == Membership.Status.PENDING


def test_membership_action_returns_to_a_page_of_the_site(client_as, collective):
    request = pending_request(collective)
    back = reverse("members:organiser_home")

    response = client_as("organiser").post(
        action_url(request, "approve"), {"next": back}
    )

    assertRedirects(response, back, fetch_redirect_response=False)


def test_membership_action_never_redirects_off_site(client_as, collective):
    request = pending_request(collective)

    response = client_as("organiser").post(
        action_url(request, "approve"), {"next": "https://evil.example/phish"}
    )

    assertRedirects(response, membership_list_url(), fetch_redirect_response=False)


# invitation_cancel


def cancel_url(invitation, slug="dervallieres"):
    return reverse("members:invitation_cancel", args=[slug, invitation.pk])


def test_invitation_cancel_sends_anonymous_to_login(client_as, collective):
    invitation = InvitationFactory(collective=collective)
    url = cancel_url(invitation)

    assert_sent_to_login(client_as("anonymous").post(url), url)
    invitation.refresh_from_db()
    assert invitation.is_pending


@pytest.mark.parametrize("person", NOT_ORGANISERS_OF_COLLECTIVE)
def test_invitation_cancel_is_a_404_for_non_organisers(client_as, collective, person):
    invitation = InvitationFactory(collective=collective)

    response = client_as(person).post(cancel_url(invitation))

    assert response.status_code == 404
    invitation.refresh_from_db()
    assert invitation.is_pending


def test_the_organiser_cancels_an_invitation(client_as, collective):
    invitation = InvitationFactory(collective=collective, email="lea.roux@example.org")

    response = client_as("organiser").post(cancel_url(invitation), follow=True)

    assertRedirects(response, membership_list_url())
    assertContains(
        response, "The invitation to lea.roux@example.org has been cancelled."
    )
    invitation.refresh_from_db()
    assert not invitation.is_pending


def test_an_invitation_of_another_collective_cannot_be_cancelled(
    client_as, other_collective
):
    foreign = InvitationFactory(collective=other_collective)

    response = client_as("organiser").post(cancel_url(foreign))

    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.is_pending


def test_a_cancelled_invitation_cannot_be_cancelled_again(client_as, collective):
    invitation = InvitationFactory(collective=collective, cancelled_at=timezone.now())

    assert client_as("organiser").post(cancel_url(invitation)).status_code == 404


# invitation_accept


@pytest.fixture
def invitation(collective, organiser):
    return InvitationFactory(
        collective=collective, invited_by=organiser, email="someone@example.org"
    )


def test_anonymous_is_asked_to_log_in_to_accept(client_as, invitation):
    url = invitation.get_absolute_url()

    response = client_as("anonymous").get(url)

    assertContains(response, "Join AMAP des Dervallières")
    assertContains(response, f"{reverse('account_login')}?next={url}")
    assertContains(response, f"{reverse('account_signup')}?next={url}")
    assertNotContains(response, "Accept the invitation")


def test_anonymous_cannot_accept_by_posting(client_as, invitation):
    before = Membership.objects.count()

    client_as("anonymous").post(invitation.get_absolute_url())

    invitation.refresh_from_db()
    assert invitation.is_pending
    assert Membership.objects.count() == before


@pytest.mark.parametrize("person", [p for p in CAST if p != "anonymous"])
def test_a_logged_in_person_sees_who_invites_them(client_as, cast, invitation, person):
    Invitation.objects.filter(pk=invitation.pk).update(email=cast(person).email)

    response = client_as(person).get(invitation.get_absolute_url())

    assertContains(response, "Claire Petit invites you to join the collective.")
    assertContains(response, "Accept the invitation")
    invitation.refresh_from_db()
    assert invitation.is_pending


@pytest.mark.parametrize("person", [p for p in CAST if p != "anonymous"])
def test_accepting_an_invitation_makes_one_an_active_member(
    client_as, cast, invitation, person
):
    Invitation.objects.filter(pk=invitation.pk).update(email=cast(person).email)

    response = client_as(person).post(invitation.get_absolute_url(), follow=True)

    assertRedirects(response, reverse("members:dashboard"))
    assertContains(response, "Welcome to AMAP des Dervallières!")
    membership = Membership.objects.get(
        user=cast(person), collective=invitation.collective
    )
    assert membership.status == Membership.Status.ACTIVE
    invitation.refresh_from_db()
    assert invitation.accepted_by == cast(person)


def test_a_used_invitation_says_so(client_as, invitation, producer_user, other_member):
    Invitation.objects.filter(pk=invitation.pk).update(email=producer_user.email)
    client_as("producer_user").post(invitation.get_absolute_url())
    client = client_as("other_member")

    page = client.get(invitation.get_absolute_url())
    response = client.post(invitation.get_absolute_url(), follow=True)

    assertContains(page, "This invitation has already been used or cancelled.")
    assertNotContains(page, "Accept the invitation")
    assertRedirects(response, reverse("members:dashboard"))
    assertContains(response, "This invitation has already been used or cancelled.")
    assert not Membership.objects.filter(
        user=other_member, collective=invitation.collective
    ).exists()


def test_an_unknown_invitation_token_is_a_404(client_as, db):
    response = client_as("anonymous").get(
        reverse("members:invitation_accept", args=["nope"])
    )

    assert response.status_code == 404


# A whole journey


def test_a_request_to_join_approved_by_the_organiser(
    client_as, producer_user, collective
):
    newcomer = client_as("producer_user")
    organiser = client_as("organiser")

    newcomer.post(
        reverse("members:collective_join", args=[collective.slug]),
        {"message": "Je cherche des paniers près de chez moi."},
    )
    listing = organiser.get(membership_list_url())
    requests_section = (
        listing.content.decode().split('id="pending-title"')[1].split("</section>")[0]
    )
    assert "Paul Durand" in requests_section
    assert "Je cherche des paniers près de chez moi." in requests_section
    request = Membership.objects.get(user=producer_user, collective=collective)
    approved = organiser.post(action_url(request, "approve"), follow=True)
    dashboard = newcomer.get(reverse("members:dashboard"))

    assertContains(approved, "Paul Durand is now a member.")
    assertNotContains(approved, 'id="pending-title"')
    assertContains(dashboard, "AMAP des Dervallières")
    assertContains(dashboard, '<span class="badge badge-active">Active</span>')
    assertContains(dashboard, "Member since")


# Query counts


@pytest.mark.parametrize("rows", [3, 60])
def test_membership_list_queries_do_not_grow_with_members(
    client_as, collective, organiser, rows, django_assert_max_num_queries
):
    for i in range(rows):
        status = ["active", "inactive", "pending"][i % 3]
        MembershipFactory(
            collective=collective,
            status=status,
            joined_on=None if status == "pending" else timezone.localdate(),
        )
        InvitationFactory(collective=collective, invited_by=organiser)
    client = client_as("organiser")

    with django_assert_max_num_queries(8):
        response = client.get(membership_list_url())

    # The rows, plus Marie (member) and Claire (organiser).
    assert response.content.decode().count("data-membership=") == rows + 2


@pytest.mark.parametrize("rows", [1, 30])
@pytest.mark.parametrize("person", ["anonymous", "member"])
def test_collective_list_queries_do_not_grow_with_collectives(
    client_as, rows, person, django_assert_max_num_queries
):
    for _ in range(rows):
        MembershipFactory.create_batch(2, collective=CollectiveFactory())
    client = client_as(person)

    with django_assert_max_num_queries(6):
        response = client.get(reverse("members:collective_list"))

    assert response.content.decode().count("data-collective=") == rows + 2


def test_a_member_of_many_collectives_is_marked_in_each(client_as, member):
    """The status annotation picks the person's own membership in every collective."""
    for collective in CollectiveFactory.create_batch(3):
        MembershipFactory(collective=collective, user=member)
        MembershipFactory(
            collective=collective, status=Membership.Status.PENDING, joined_on=None
        )

    response = client_as("member").get(reverse("members:collective_list"))

    cards = card_classes(response.content.decode())
    assert sum("card-highlight" in classes for classes in cards.values()) == 4
    assert "card-highlight" not in cards["trentemoult"]
