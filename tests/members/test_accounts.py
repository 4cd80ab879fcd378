"""Sign-up and log-in by email through django-allauth."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse
from pytest_django.asserts import assertContains, assertRedirects

from amap.members.models import User
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

PASSWORD = "des-paniers-de-legumes-2024"


def sign_up(client, email="lea.roux@example.org", **overrides):
    data = {
        "email": email,
        "first_name": "Léa",
        "last_name": "Roux",
        "password1": PASSWORD,
        "password2": PASSWORD,
        **overrides,
    }
    return client.post(reverse("account_signup"), data)


def log_in(client, login, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": login, "password": password})


def logged_in_user_id(client):
    return client.session.get("_auth_user_id")


def confirmation_path(email_message):
    """The path of the confirmation link in an allauth email."""
    match = re.search(
        r"https?://testserver(/compte/confirm-email/[^/\s]+/)", email_message.body
    )
    assert match, email_message.body
    return match.group(1)


def test_sign_up_creates_the_account_with_names_and_sends_a_confirmation(client):
    response = sign_up(client)

    assertRedirects(
        response,
        reverse("account_email_verification_sent"),
        fetch_redirect_response=False,
    )
    user = User.objects.get(email="lea.roux@example.org")
    assert (user.first_name, user.last_name) == ("Léa", "Roux")
    assert user.check_password(PASSWORD)
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["lea.roux@example.org"]
    assert mail.outbox[0].subject.startswith("[AMAP] ")
    confirmation_path(mail.outbox[0])
    # It opens and closes as the network's emails, not "Hello from testserver!"
    assert "Hello from" not in mail.outbox[0].body
    assert "testserver!" not in mail.outbox[0].body


def test_sign_up_stores_the_email_in_lower_case(client):
    sign_up(client, email="Lea.Roux@Example.org")

    assert User.objects.filter(email="lea.roux@example.org").exists()


@pytest.mark.parametrize("missing", ["first_name", "last_name"])
def test_sign_up_requires_both_names(client, missing):
    response = sign_up(client, **{missing: ""})

    assert response.status_code == 200
    assert response.context["form"].errors[missing]
    assert not User.objects.exists()
    assert mail.outbox == []


def test_sign_up_refuses_mismatched_passwords(client):
    response = sign_up(client, password2="autre-chose-2024")

    assert response.status_code == 200
    assert "password2" in response.context["form"].errors
    assert not User.objects.exists()


def test_sign_up_never_creates_a_second_account_for_an_email(client, member):
    sign_up(client, email="Marie.Martin@example.org", first_name="Intrus")

    assert User.objects.filter(email__iexact="marie.martin@example.org").count() == 1
    member.refresh_from_db()
    assert member.first_name == "Marie"
    assert member.check_password("secret-pass-123")


def test_log_in_is_refused_until_the_email_is_confirmed(client):
    sign_up(client)
    client.logout()
    mail.outbox.clear()

    response = log_in(client, "lea.roux@example.org")

    assertRedirects(
        response,
        reverse("account_email_verification_sent"),
        fetch_redirect_response=False,
    )
    assert logged_in_user_id(client) is None
    # allauth sends the confirmation again.
    assert [m.to for m in mail.outbox] == [["lea.roux@example.org"]]


def test_confirming_the_email_opens_the_account(client):
    sign_up(client)
    path = confirmation_path(mail.outbox[0])
    user = User.objects.get(email="lea.roux@example.org")

    page = client.get(path)
    assertContains(page, 'method="post"')
    assert not EmailAddress.objects.get(
        user=user
    ).verified  # GET alone confirms nothing
    confirmed = client.post(path)

    assert EmailAddress.objects.get(user=user).verified
    assertRedirects(
        confirmed, reverse("members:dashboard"), fetch_redirect_response=False
    )
    visitor = type(client)()
    assertRedirects(
        log_in(visitor, "lea.roux@example.org"),
        reverse("members:dashboard"),
        fetch_redirect_response=False,
    )
    assert logged_in_user_id(visitor) == str(user.pk)


def test_log_in_by_email_opens_the_dashboard(client, member):
    response = log_in(client, "marie.martin@example.org", "secret-pass-123")

    assertRedirects(
        response, reverse("members:dashboard"), fetch_redirect_response=False
    )
    assert logged_in_user_id(client) == str(member.pk)


def test_log_in_ignores_the_case_of_the_email(client, member):
    log_in(client, "Marie.MARTIN@Example.org", "secret-pass-123")

    assert logged_in_user_id(client) == str(member.pk)


def test_a_wrong_password_is_refused_with_an_error(client, member):
    response = log_in(client, "marie.martin@example.org", "pas-le-bon")

    assert response.status_code == 200
    assertContains(
        response, "The email address and/or password you specified are not correct."
    )
    assert logged_in_user_id(client) is None


def test_an_unknown_email_gets_the_same_error(client, db):
    response = log_in(client, "personne@example.org", "pas-le-bon")

    assertContains(
        response, "The email address and/or password you specified are not correct."
    )
    assert logged_in_user_id(client) is None


def test_an_inactive_account_cannot_log_in(client):
    UserFactory(email="parti@example.org", is_active=False)

    log_in(client, "parti@example.org", "secret-pass-123")

    assert logged_in_user_id(client) is None
