"""The health endpoint a load balancer polls (`/sante/`): the database, the
cache, the task queue and the media storage, each checked with a short
timeout, never cached.

- "ok" (200): everything answers;
- "degraded" (200): the cache or the queue is down or late; pages still
  answer, so the node stays in the pool, but someone must look;
- "down" (503): the database or the storage is down; take the node out.

The body is JSON, one entry per check, with no address, name or message of
the exception (only its class), so it can be public.
"""

import threading
import time
import uuid
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import Count, Min
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django_q.brokers import get_broker
from django_q.brokers.orm import ORM
from django_q.models import OrmQ, Schedule

from .models import OutboxTask

OK = "ok"
DEGRADED = "degraded"
DOWN = "down"
FAIL = "fail"


class CheckTimeout(Exception):
    pass


def _timeout() -> float:
    return float(getattr(settings, "HEALTH_CHECK_TIMEOUT", 2.0))


def _queue_max_age() -> float:
    return float(getattr(settings, "HEALTH_QUEUE_MAX_AGE", 600))


def _in_thread(check: Callable[[], dict]) -> dict:
    """Run `check` in a thread of its own and give up after the timeout (the
    thread is left to finish, or not, on its own)."""
    outcome: dict = {}

    def run():
        try:
            outcome["result"] = check()
        except Exception as error:  # noqa: BLE001 - any failure is a failed check
            outcome["error"] = error

    thread = threading.Thread(target=run, name="health-check", daemon=True)
    thread.start()
    thread.join(_timeout())
    if thread.is_alive():
        raise CheckTimeout
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]


def check_database() -> dict:
    """One query, with a statement timeout on PostgreSQL (the connection
    timeout is `DATABASE_CONNECT_TIMEOUT`)."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            milliseconds = int(_timeout() * 1000)
            cursor.execute(f"SET LOCAL statement_timeout = {milliseconds}")
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {}


def check_cache() -> dict:
    def round_trip():
        # The Redis cache fails open (amap/cache.py): ask Redis itself.
        if ping := getattr(cache, "ping", None):
            ping()
        key = f"health:{uuid.uuid4().hex}"
        cache.set(key, "ok", 10)
        value = cache.get(key)
        cache.delete(key)
        if value != "ok":
            raise RuntimeError("cache does not keep values")
        return {}

    return _in_thread(round_trip)


def check_queue() -> dict:
    """Tasks waiting too long, or schedules not run on time, mean that no
    worker (`qcluster`) is taking work; tasks left in the outbox, that the
    queue was unreachable when they were written."""
    now = timezone.now()
    broker = get_broker()
    details: dict = {}
    if isinstance(broker, ORM):
        oldest = OrmQ.objects.filter(key=broker.list_key, lock__lte=now).aggregate(
            oldest=Min("lock")
        )["oldest"]
        details["queued"] = broker.queue_size()
        details["oldest_queued_seconds"] = _seconds(now - oldest) if oldest else 0
    else:
        details["queued"] = _in_thread(lambda: {"n": broker.queue_size()})["n"]
    next_run = (
        Schedule.objects.exclude(repeats=0)
        .filter(next_run__lt=now)
        .aggregate(first=Min("next_run"))["first"]
    )
    details["schedules_late_seconds"] = _seconds(now - next_run) if next_run else 0
    outbox = OutboxTask.objects.pending().aggregate(
        count=Count("pk"), oldest=Min("created_at")
    )
    details["outbox_pending"] = outbox["count"]
    details["oldest_outbox_seconds"] = (
        _seconds(now - outbox["oldest"]) if outbox["oldest"] else 0
    )
    late = max(
        details.get("oldest_queued_seconds", 0),
        details["schedules_late_seconds"],
        details["oldest_outbox_seconds"],
    )
    if late > _queue_max_age():
        details["status"] = FAIL
        details["error"] = "late"
    return details


def check_storage() -> dict:
    """Write a small file where uploads go, read it back, delete it."""

    def write_read_delete():
        name = default_storage.save(
            f"health/{uuid.uuid4().hex}.txt", ContentFile(b"ok")
        )
        try:
            with default_storage.open(name) as stored:
                if stored.read() != b"ok":
                    raise RuntimeError("storage does not keep files")
        finally:
            default_storage.delete(name)
        return {}

    return _in_thread(write_read_delete)


# name, check, whether the site is down without it
CHECKS: tuple[tuple[str, Callable[[], dict], bool], ...] = (
    ("database", check_database, True),
    ("cache", check_cache, False),
    ("queue", check_queue, False),
    ("storage", check_storage, True),
)


def _seconds(delta: timedelta) -> int:
    return max(0, int(delta.total_seconds()))


def run_checks() -> tuple[str, dict]:
    """The overall status and each check's result."""
    results = {}
    status = OK
    for name, check, critical in CHECKS:
        started = time.monotonic()
        try:
            result = {"status": OK, **check()}
        except CheckTimeout:
            result = {"status": FAIL, "error": "timeout"}
        except Exception as error:  # noqa: BLE001 - any failure is a failed check
            result = {"status": FAIL, "error": type(error).__name__}
        result["ms"] = round((time.monotonic() - started) * 1000, 1)
        results[name] = result
        if result["status"] != OK:
            status = DOWN if critical else (DEGRADED if status == OK else status)
    return status, results


@never_cache
def health(request):
    status, checks = run_checks()
    return JsonResponse(
        {"status": status, "checks": checks}, status=503 if status == DOWN else 200
    )


class HealthCheckMiddleware:
    """Answers the health path before any other middleware: no HTTPS
    redirect, no host check (a load balancer calls by IP address), no
    session, CSRF, language or charter redirect. Place it first."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.path = getattr(settings, "HEALTH_PATH", "/sante/")

    def __call__(self, request):
        if request.path_info == self.path and request.method in ("GET", "HEAD"):
            return health(request)
        return self.get_response(request)
