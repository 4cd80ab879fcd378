"""The health endpoint a load balancer polls: "ok", "degraded" while the cache
or the queue is down (the site still serves), "down" with a 503 when the
database or the storage is."""

import time
from datetime import timedelta

import pytest
from django.core.cache.backends.locmem import LocMemCache
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone
from django_q.models import OrmQ, Schedule

from amap.operations import health
from amap.operations.models import OutboxTask
from amap.settings import cache_and_broker_settings

pytestmark = pytest.mark.django_db

URL = "/sante/"


@pytest.fixture(autouse=True)
def _schedules_on_time():
    """The migrations' schedules as a running cluster keeps them: due later."""
    Schedule.objects.update(next_run=timezone.now() + timedelta(hours=1))


def test_the_health_path_is_sante():
    assert reverse("health") == URL


def test_all_is_ok(client):
    response = client.get(URL)

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "queue", "storage"}
    assert all(check["status"] == "ok" for check in body["checks"].values())
    assert body["checks"]["queue"]["queued"] == 0
    assert "no-cache" in response["Cache-Control"]
    assert "Set-Cookie" not in response.headers or not response.cookies


def test_a_load_balancer_calling_by_address_over_http_gets_an_answer(client, settings):
    """No host check, no HTTPS redirect, no session: it answers first."""
    settings.ALLOWED_HOSTS = ["amap.example.org"]
    settings.SECURE_SSL_REDIRECT = True

    response = client.get(URL, HTTP_HOST="10.0.0.7")

    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert not response.cookies


def test_a_member_who_must_accept_the_charter_is_not_redirected(
    client, member, monkeypatch
):
    from amap.members import middleware

    monkeypatch.setattr(
        middleware.CharterMiddleware, "_must_accept", lambda self, request: True
    )
    client.force_login(member)

    assert client.get(URL).status_code == 200
    assert client.get(reverse("members:dashboard")).status_code == 302


def test_the_cache_down_is_degraded_not_down(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        }
    }

    response = client.get(URL)

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["cache"]["status"] == "fail"
    assert body["checks"]["database"]["status"] == "ok"
    assert "127.0.0.1" not in response.content.decode()  # no address shown


def test_the_fail_open_cache_down_is_degraded_too(client, settings):
    settings.CACHES = cache_and_broker_settings("redis://127.0.0.1:1/0")[0]

    body = client.get(URL).json()

    assert body["status"] == "degraded"
    assert body["checks"]["cache"]["status"] == "fail"
    assert body["checks"]["cache"]["error"] == "ConnectionError"


def test_a_task_left_in_the_outbox_too_long_is_degraded(client, settings):
    settings.HEALTH_QUEUE_MAX_AGE = 600
    task = OutboxTask.objects.create(func="amap.orders.tasks.x")
    OutboxTask.objects.filter(pk=task.pk).update(
        created_at=timezone.now() - timedelta(minutes=20)
    )

    body = client.get(URL).json()

    assert body["status"] == "degraded"
    assert body["checks"]["queue"]["outbox_pending"] == 1
    assert body["checks"]["queue"]["oldest_outbox_seconds"] >= 1200


def test_a_task_waiting_too_long_is_degraded(client, settings):
    settings.HEALTH_QUEUE_MAX_AGE = 600
    OrmQ.objects.create(
        key="amap", payload="x", lock=timezone.now() - timedelta(minutes=20)
    )

    body = client.get(URL).json()

    assert body["status"] == "degraded"
    assert body["checks"]["queue"]["status"] == "fail"
    assert body["checks"]["queue"]["queued"] == 1
    assert body["checks"]["queue"]["oldest_queued_seconds"] >= 1200


def test_a_schedule_not_run_on_time_is_degraded(client):
    """No worker has run the schedules: nothing in the background happens."""
    Schedule.objects.create(
        func="amap.background.noop",
        schedule_type=Schedule.MINUTES,
        minutes=5,
        next_run=timezone.now() - timedelta(hours=2),
    )

    body = client.get(URL).json()

    assert body["status"] == "degraded"
    assert body["checks"]["queue"]["schedules_late_seconds"] >= 7200


def test_a_recent_task_is_ok(client):
    OrmQ.objects.create(key="amap", payload="x", lock=timezone.now())

    assert client.get(URL).json()["status"] == "ok"


def test_the_database_down_is_down(client, monkeypatch):
    def broken():
        raise OperationalError("could not connect to server at 10.0.0.3 password=x")

    monkeypatch.setattr(
        health,
        "CHECKS",
        tuple(
            (name, broken if name == "database" else check, critical)
            for name, check, critical in health.CHECKS
        ),
    )

    response = client.get(URL)

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down"
    assert body["checks"]["database"] == {
        "status": "fail",
        "error": "OperationalError",
        "ms": body["checks"]["database"]["ms"],
    }
    assert "10.0.0.3" not in response.content.decode()


def test_storage_that_cannot_be_written_is_down(client, settings, tmp_path):
    not_a_folder = tmp_path / "media-is-a-file"
    not_a_folder.write_text("")
    settings.MEDIA_ROOT = not_a_folder

    response = client.get(URL)

    assert response.status_code == 503
    assert response.json()["checks"]["storage"]["status"] == "fail"


def test_a_check_that_hangs_fails_within_the_timeout(client, settings, monkeypatch):
    settings.HEALTH_CHECK_TIMEOUT = 0.2
    monkeypatch.setattr(LocMemCache, "set", lambda *args: time.sleep(5))

    started = time.monotonic()
    body = client.get(URL).json()

    assert time.monotonic() - started < 2
    assert body["status"] == "degraded"
    assert body["checks"]["cache"] == {
        "status": "fail",
        "error": "timeout",
        "ms": body["checks"]["cache"]["ms"],
    }


def test_the_storage_check_leaves_no_file(client, settings):
    client.get(URL)

    assert not [p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()]
