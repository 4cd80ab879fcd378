"""Issue #16, finding 2: with Redis unreachable, the site still answers.

The cache is the deployment's (`cache_and_broker_settings`) pointed at a
closed port; the deployment's rate limits are on, so allauth uses the cache
on every login. Every dynamic page answers, a member logs in and books, and
Redis is not asked on every call: the number of connection attempts stays
small (a down Redis must not add a timeout to each request).
"""

import logging
import socket
from decimal import Decimal

import pytest
import redis.connection
from django.conf import settings as django_settings
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

import amap.cache
import amap.settings as deployment
from amap.orders.models import Order
from amap.settings import cache_and_broker_settings
from tests.factories import DistributionFactory, OfferFactory, ProductFactory

pytestmark = pytest.mark.usefixtures("english")

PASSWORD = "secret-pass-123"


def closed_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def connection_attempts(monkeypatch):
    attempts = []
    connect = redis.connection.Connection._connect

    def counted(self):
        attempts.append(self.port)
        return connect(self)

    monkeypatch.setattr(redis.connection.Connection, "_connect", counted)
    return attempts


@pytest.fixture
def redis_down(settings, connection_attempts):
    amap.cache.reset_state()
    settings.CACHES = cache_and_broker_settings(f"redis://127.0.0.1:{closed_port()}/0")[
        0
    ]
    settings.ACCOUNT_RATE_LIMITS = deployment.ACCOUNT_RATE_LIMITS
    yield connection_attempts
    amap.cache.reset_state()


@pytest.fixture
def distribution(collective):
    return DistributionFactory(cycle__collective=collective)


@pytest.fixture
def carrots(distribution, producer):
    return OfferFactory(
        cycle=distribution.cycle,
        product=ProductFactory(producer=producer, name="Carottes", price="2.35"),
        quantity_available=Decimal("10"),
    )


def test_sessions_do_not_live_in_the_cache_alone():
    assert django_settings.SESSION_ENGINE in (
        "django.contrib.sessions.backends.db",
        "django.contrib.sessions.backends.cached_db",
    )


def test_every_page_answers_and_a_member_logs_in_and_books_with_redis_down(
    redis_down,
    directory,
    member,
    distribution,
    carrots,
    caplog,
    django_capture_on_commit_callbacks,
):
    caplog.set_level(logging.WARNING, logger="amap.cache")
    visitor = Client()
    assert visitor.get("/").status_code == 200
    assert visitor.get(directory.url).status_code == 200
    login_page = visitor.get(reverse("account_login"))
    assert login_page.status_code == 200

    response = visitor.post(
        reverse("account_login"),
        {"login": member.email, "password": PASSWORD},
        follow=True,
    )
    assert response.status_code == 200
    assert response.wsgi_request.user == member
    dashboard = visitor.get(reverse("members:dashboard"))
    assert dashboard.status_code == 200
    booking_url = reverse("orders:booking", args=[distribution.pk])
    assert visitor.get(booking_url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = visitor.post(booking_url, {f"offer_{carrots.pk}": "2"}, follow=True)

    assert response.status_code == 200
    assert "Your order is saved" in response.content.decode()
    assert Order.objects.get(member=member, distribution=distribution).total == (
        Decimal("4.70")
    )
    assert len(mail.outbox) == 1
    # Asked once, then left alone for a few seconds: not once per call.
    assert len(redis_down) == 1
    warnings = [r for r in caplog.records if r.name == "amap.cache"]
    assert len(warnings) == 1


def test_the_cache_is_asked_again_after_a_pause_and_logs_once(
    redis_down, monkeypatch, caplog
):
    caplog.set_level(logging.WARNING, logger="amap.cache")
    now = [1000.0]
    monkeypatch.setattr(amap.cache.time, "monotonic", lambda: now[0])

    assert cache.get("anything", "default") == "default"
    cache.set("anything", 1)
    assert cache.add("anything", 1) is True
    assert cache.get_or_set("other", 2) == 2
    assert len(redis_down) == 1

    now[0] += amap.cache.RETRY_AFTER + 0.1
    assert cache.get("anything") is None
    assert len(redis_down) == 2
    assert len([r for r in caplog.records if r.name == "amap.cache"]) == 1


def test_a_counter_in_an_unreachable_cache_is_a_missing_key(redis_down):
    with pytest.raises(ValueError):
        cache.incr("counter")
