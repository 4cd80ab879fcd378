"""Issue #15, finding 1: one login path (allauth's), verified emails only,
and invitations that only their addressee can accept, for a limited time."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from amap.members.models import Invitation, Membership
from tests.factories import InvitationFactory, UserFactory

pytestmark = pytest.mark.usefixtures("english")

PASSWORD = "secret-pass-123"


@pytest.fixture
def unverified(db):
    """An account whose email was never confirmed (allauth's sign-up, no click)."""
    user = UserFactory(email="stranger@example.org", verified_email=False)
    EmailAddress.objects.create(
        user=user, email=user.email, verified=False, primary=True
    )
    return user


def logged_in(client):
    return "_auth_user_id" in client.session


# Every login form is allauth's -------------------------------------------


@pytest.mark.parametrize(
    ("url", "next_url"),
    [
        ("/_util/login/", "/une-page-privee/"),
        ("/admin/login/", "/admin/"),
        ("/cms/login/", "/cms/"),
    ],
)
def test_other_login_forms_send_to_allauths_and_log_no_one_in(
    unverified, url, next_url
):
    client = Client()

    page = client.get(url, {"next": next_url})
    response = client.post(
        f"{url}?next={next_url}",
        {"username": unverified.email, "password": PASSWORD},
    )

    expected = f"{reverse('account_login')}?next={next_url.replace('/', '%2F')}"
    assertRedirects(page, expected, fetch_redirect_response=False)
    assertRedirects(response, expected, fetch_redirect_response=False)
    assert not logged_in(client)


@pytest.mark.parametrize("url", ["/_util/login/", "/admin/login/", "/cms/login/"])
def test_a_foreign_next_is_dropped_on_the_way(db, url):
    response = Client().get(url, {"next": "https://evil.example/"})

    assert response.status_code == 302
    assert "evil.example" not in response["Location"]
    assert response["Location"].startswith(reverse("account_login"))


def test_allauths_login_refuses_an_unverified_account(unverified):
    client = Client()

    client.post(
        reverse("account_login"), {"login": unverified.email, "password": PASSWORD}
    )

    assert not logged_in(client)


def test_allauths_login_lets_a_verified_account_in(producer_user):
    client = Client()

    client.post(
        reverse("account_login"), {"login": producer_user.email, "password": PASSWORD}
    )

    assert logged_in(client)


# Invitations ----------------------------------------------------------------


def test_an_unverified_account_sees_no_invitation(unverified, collective):
    invitation = InvitationFactory(
        collective=collective, email=unverified.email, role=Membership.Role.ORGANISER
    )
    client = Client()
    client.force_login(unverified)

    response = client.get(reverse("members:dashboard"))

    assertNotContains(response, invitation.get_absolute_url())
    assertNotContains(response, "Join AMAP des Dervallières")


def test_an_unverified_account_cannot_accept(unverified, collective):
    invitation = InvitationFactory(
        collective=collective, email=unverified.email, role=Membership.Role.ORGANISER
    )
    client = Client()
    client.force_login(unverified)

    page = client.get(invitation.get_absolute_url())
    response = client.post(invitation.get_absolute_url(), follow=True)

    assertNotContains(page, "Accept the invitation")
    assertContains(response, "Confirm the email address this invitation was sent to")
    assert not Membership.objects.filter(user=unverified).exists()
    invitation.refresh_from_db()
    assert invitation.is_pending


def test_someone_elses_link_is_refused(other_member, collective, organiser):
    invitation = InvitationFactory(
        collective=collective,
        email="invited@example.org",
        invited_by=organiser,
        role=Membership.Role.ORGANISER,
    )
    client = Client()
    client.force_login(other_member)

    page = client.get(invitation.get_absolute_url())
    response = client.post(invitation.get_absolute_url(), follow=True)

    assertNotContains(page, "Accept the invitation")
    assertContains(page, "This invitation was sent to another email address.")
    assertRedirects(response, reverse("members:dashboard"))
    assertContains(response, "This invitation was sent to another email address.")
    assert not Membership.objects.filter(
        user=other_member, collective=collective
    ).exists()
    invitation.refresh_from_db()
    assert invitation.is_pending


def test_an_expired_invitation_is_refused(producer_user, collective, settings):
    settings.INVITATION_DAYS = 14
    invitation = InvitationFactory(collective=collective, email=producer_user.email)
    assert invitation.expires_at > timezone.now() + timedelta(days=13)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    client = Client()
    client.force_login(producer_user)

    dashboard = client.get(reverse("members:dashboard"))
    page = client.get(invitation.get_absolute_url())
    response = client.post(invitation.get_absolute_url(), follow=True)

    assertNotContains(dashboard, invitation.get_absolute_url())
    assertNotContains(page, "Accept the invitation")
    assertContains(page, "This invitation has expired.")
    assertContains(response, "This invitation has expired.")
    assert not Membership.objects.filter(user=producer_user).exists()


def test_organisers_see_an_expired_invitation_as_expired(client, organiser, collective):
    invitation = InvitationFactory(
        collective=collective,
        email="late@example.org",
        expires_at=timezone.now() - timedelta(days=1),
    )
    client.force_login(organiser)

    response = client.get(reverse("members:membership_list", args=[collective.slug]))

    assertContains(response, invitation.email)
    assertContains(response, "expired")


def test_an_expired_invitation_may_be_sent_again(organiser, collective):
    from amap.members import services

    InvitationFactory(
        collective=collective,
        email="late@example.org",
        expires_at=timezone.now() - timedelta(days=1),
    )

    invitation = services.invite_member(
        collective=collective, email="late@example.org", invited_by=organiser
    )

    assert invitation.expires_at > timezone.now()
    assert collective.invitations.pending().count() == 1


def test_the_invited_verified_person_accepts_with_any_case(producer_user, collective):
    invitation = InvitationFactory(
        collective=collective,
        email=producer_user.email.upper(),
        role=Membership.Role.ORGANISER,
    )
    client = Client()
    client.force_login(producer_user)

    response = client.post(invitation.get_absolute_url(), follow=True)

    assertContains(response, "Welcome to AMAP des Dervallières!")
    membership = Membership.objects.get(user=producer_user, collective=collective)
    assert membership.role == Membership.Role.ORGANISER
    assert membership.status == Membership.Status.ACTIVE


def test_a_verified_secondary_address_may_accept(producer_user, collective):
    EmailAddress.objects.create(
        user=producer_user, email="paul.pro@example.org", verified=True
    )
    invitation = InvitationFactory(collective=collective, email="paul.pro@example.org")
    client = Client()
    client.force_login(producer_user)

    client.post(invitation.get_absolute_url())

    assert Membership.objects.filter(
        user=producer_user, collective=collective, status=Membership.Status.ACTIVE
    ).exists()


# The demo ------------------------------------------------------------------


def test_the_demo_accounts_log_in_through_allauth(db):
    from io import StringIO

    from django.core.management import call_command

    from amap.members.demo import DEMO_PASSWORD, demo_email

    call_command("demo", stdout=StringIO())

    for local in ["admin", "organisatrice"]:
        client = Client()
        response = client.post(
            reverse("account_login"),
            {"login": demo_email(local), "password": DEMO_PASSWORD, "next": "/cms/"},
        )
        assert logged_in(client), local
        assert response.status_code == 302
    # The site admin, logged in on the site's form, opens both admins.
    admin = Client()
    admin.post(
        reverse("account_login"),
        {"login": demo_email("admin"), "password": DEMO_PASSWORD},
    )
    assert admin.get("/admin/").status_code == 200
    assert admin.get("/cms/").status_code == 200
