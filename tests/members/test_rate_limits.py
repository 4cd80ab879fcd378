"""Issue #15, finding 4: rate limits that see the real client behind the
proxy, per address and per account, on every form that checks a password or
sends an email.

The deployment's limits (amap/settings.py) are switched on for these tests
only, in an emptied cache; requests come through one proxy (REMOTE_ADDR is
the proxy, the client is the last X-Forwarded-For entry it adds).
"""

import os
from unittest import mock

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertTemplateUsed

import amap.settings as deployment
from tests.test_settings import settings_module

pytestmark = pytest.mark.usefixtures("english", "fresh_cache")

PASSWORD = "secret-pass-123"
PROXY = "127.0.0.1"
CLIENT_A = "203.0.113.5"
CLIENT_B = "198.51.100.7"


@pytest.fixture(autouse=True)
def limits(settings):
    settings.ACCOUNT_RATE_LIMITS = deployment.ACCOUNT_RATE_LIMITS
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER = None


def through_proxy(client_ip, forwarded_for=None):
    """A browser at `client_ip`, its requests relayed by the proxy."""
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for or client_ip)


def log_in(client, email, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def logged_in(client):
    return "_auth_user_id" in client.session


def burst_of_failed_logins(client, count=35):
    """Wrong passwords for many addresses, as a password sprayer would."""
    return [
        log_in(client, f"victim{n}@example.org", "wrong-password").status_code
        for n in range(count)
    ]


def test_a_burst_from_one_client_does_not_lock_out_another(member):
    statuses = burst_of_failed_logins(through_proxy(CLIENT_A))
    someone_else = through_proxy(CLIENT_B)

    response = log_in(someone_else, member.email)

    assert 429 in statuses
    assert response.status_code == 302
    assert logged_in(someone_else)


def test_without_the_proxy_setting_everyone_shares_the_proxys_address(settings, member):
    """Why TRUSTED_PROXY_COUNT matters: counted at the proxy's address, one
    person's burst refuses everyone (what the issue saw)."""
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    burst_of_failed_logins(through_proxy(CLIENT_A))
    someone_else = through_proxy(CLIENT_B)

    response = log_in(someone_else, member.email)

    assert response.status_code == 429
    assert not logged_in(someone_else)


def test_a_client_cannot_pass_for_another_by_writing_the_header(member):
    """Only the entry the proxy added counts: what the client wrote before
    it (a new address each time) changes nothing."""
    statuses = []
    for n in range(35):
        client = through_proxy(CLIENT_A, forwarded_for=f"10.0.{n}.1, {CLIENT_A}")
        statuses.append(
            log_in(client, f"victim{n}@example.org", "wrong-password").status_code
        )

    assert statuses[-1] == 429


def test_a_header_named_by_the_proxy_is_used_instead(settings, member):
    settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER = "X-Real-IP"
    attacker = Client(REMOTE_ADDR=PROXY, HTTP_X_REAL_IP=CLIENT_A)
    burst_of_failed_logins(attacker)
    someone_else = Client(REMOTE_ADDR=PROXY, HTTP_X_REAL_IP=CLIENT_B)

    assert log_in(attacker, member.email).status_code == 429
    assert log_in(someone_else, member.email).status_code == 302


def test_guessing_one_accounts_password_from_many_addresses_is_stopped(member):
    for n in range(5):
        log_in(through_proxy(f"192.0.2.{n + 1}"), member.email, f"guess-{n}")
    client = through_proxy("192.0.2.100")

    response = log_in(client, member.email)

    assertContains(response, "Too many failed login attempts")
    assert not logged_in(client)


def test_a_successful_login_does_not_count_as_a_failure(member):
    for _ in range(8):
        client = through_proxy(CLIENT_A)
        assert log_in(client, member.email).status_code == 302


def test_the_refusal_page_says_what_happened_and_what_to_do(member):
    client = through_proxy(CLIENT_A)
    burst_of_failed_logins(client)

    response = log_in(client, member.email)

    assert response.status_code == 429
    assertTemplateUsed(response, "429.html")
    assertContains(response, "Too many attempts", status_code=429)
    assertContains(response, "Wait a few minutes", status_code=429)
    assertContains(response, reverse("account_reset_password"), status_code=429)
    assertContains(response, 'class="site-header"', status_code=429)


def test_the_refusal_page_is_in_french_by_default(member):
    client = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=CLIENT_A)
    burst_of_failed_logins(client)

    response = client.post(
        reverse("account_login"),
        {"login": member.email, "password": PASSWORD},
        HTTP_ACCEPT_LANGUAGE="fr",
    )

    assertContains(response, '<html lang="fr">', status_code=429)


def test_password_reset_emails_to_one_address_are_limited(member):
    statuses = []
    for n in range(8):
        response = through_proxy(f"192.0.2.{n + 1}").post(
            reverse("account_reset_password"), {"email": member.email}
        )
        statuses.append(response.status_code)

    assert statuses[:5] == [302] * 5
    assert statuses[5:] == [429] * 3
    assert len(mail.outbox) == 5


def test_password_reset_requests_from_one_client_are_limited(db):
    client = through_proxy(CLIENT_A)
    statuses = [
        client.post(
            reverse("account_reset_password"), {"email": f"p{n}@example.org"}
        ).status_code
        for n in range(12)
    ]

    assert statuses[:10] == [302] * 10
    assert statuses[10:] == [429] * 2


def test_sign_ups_from_one_client_are_limited(db):
    client = through_proxy(CLIENT_A)
    statuses = []
    for n in range(12):
        client.logout()
        response = client.post(
            reverse("account_signup"),
            {
                "email": f"new{n}@example.org",
                "password1": "a-long-pass-phrase-42",
                "password2": "a-long-pass-phrase-42",
            },
        )
        statuses.append(response.status_code)

    assert 429 not in statuses[:10]
    assert statuses[10:] == [429] * 2


# Settings from the environment ----------------------------------------------


def test_one_proxy_is_trusted_once_deployed():
    loaded = settings_module(DEBUG="0")
    assert loaded["ALLAUTH_TRUSTED_PROXY_COUNT"] == 1
    assert loaded["ALLAUTH_TRUSTED_CLIENT_IP_HEADER"] is None


def test_no_proxy_is_trusted_in_development():
    with mock.patch.dict(os.environ):
        os.environ.pop("TRUSTED_PROXY_COUNT", None)
        loaded = settings_module(DEBUG="1")
    assert loaded["ALLAUTH_TRUSTED_PROXY_COUNT"] == 0


def test_the_proxies_and_the_client_header_come_from_the_environment():
    loaded = settings_module(
        DEBUG="0", TRUSTED_PROXY_COUNT="2", TRUSTED_CLIENT_IP_HEADER="X-Real-IP"
    )
    assert loaded["ALLAUTH_TRUSTED_PROXY_COUNT"] == 2
    assert loaded["ALLAUTH_TRUSTED_CLIENT_IP_HEADER"] == "X-Real-IP"


def test_limits_are_per_address_and_per_account():
    failed = deployment.ACCOUNT_RATE_LIMITS["login_failed"]
    assert "/ip" in failed and "/key" in failed
    assert "/key" in deployment.ACCOUNT_RATE_LIMITS["reset_password"]


@pytest.mark.parametrize(
    "url", ["/cms/password_reset/", "/cms/password_reset/confirm/MQ/abc-123/"]
)
def test_the_editors_admin_password_reset_is_allauths(member, url):
    """Wagtail's own reset form sent an email for every POST, without limit."""
    client = through_proxy(CLIENT_A)

    page = client.get(url)
    response = client.post(url, {"email": member.email})

    assert page.status_code == 302
    assert page["Location"] == reverse("account_reset_password")
    assert response["Location"] == reverse("account_reset_password")
    assert mail.outbox == []


@pytest.fixture
def restricted_page(db):
    from wagtail.models import PageViewRestriction

    from cms.models import ContentPage, HomePage

    page = ContentPage(title="Réservé au bureau", slug="bureau")
    HomePage.objects.get().add_child(instance=page)
    page.save_revision().publish()
    return PageViewRestriction.objects.create(
        page=page, restriction_type="password", password="le-bon-mot"
    )


def guess(client, restriction, password):
    url = reverse(
        "wagtailcore_authenticate_with_password",
        args=[restriction.pk, restriction.page_id],
    )
    return client.post(url, {"password": password, "return_url": "/bureau/"})


def test_guessing_a_page_password_is_limited(restricted_page):
    attacker = through_proxy(CLIENT_A)
    statuses = [
        guess(attacker, restricted_page, f"essai-{n}").status_code for n in range(12)
    ]

    assert 429 not in statuses[:10]
    assert statuses[10:] == [429] * 2
    # Someone else, elsewhere, who knows the password still gets in.
    assert (
        guess(through_proxy(CLIENT_B), restricted_page, "le-bon-mot").status_code == 302
    )
