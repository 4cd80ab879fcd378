"""Forcing an interleaving on PostgreSQL: a service call in its own thread,
and a wait until it is stuck on a row lock the test holds."""

import threading
import time

from django.db import connections


class Attempt(threading.Thread):
    """A service call in its own thread and connection; `outcome` is what it
    returned or the exception it raised."""

    def __init__(self, call):
        super().__init__(daemon=True)
        self.call = call
        self.outcome = None

    def run(self):
        try:
            self.outcome = self.call()
        except Exception as error:  # noqa: BLE001 - the test looks at it
            self.outcome = error
        finally:
            connections.close_all()


def wait_until_waiting_on_a_lock(count: int, *, unless: Attempt | None = None):
    """Wait until `count` other connections wait on a lock (or `unless` ended:
    code that takes no lock never waits)."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if unless is not None and not unless.is_alive():
            return
        with connections["default"].cursor() as cursor:
            # pg_locks, not pg_stat_activity: that one is read once per
            # transaction, and the test is inside one.
            cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
            if cursor.fetchone()[0] >= count:
                return
        time.sleep(0.02)
    raise AssertionError(f"{count} connection(s) never waited on a lock")
