"""A Redis cache that fails open: Redis speeds the site up, it does not hold it up.

When Redis does not answer, every cache call behaves as on an empty cache
that keeps nothing (a read gives the default, `add` succeeds, a write keeps
nothing, `incr` finds no key) instead of raising, so pages, logins and
bookings still answer. The first failure is logged once; then the cache is
not asked again for `RETRY_AFTER` seconds, so a Redis that is down costs one
short timeout (`socket_connect_timeout`) every few seconds per process, not
one per call. The first call after the pause tries again; the first success
after an outage is logged too.
"""

import logging
import threading
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# Seconds without asking Redis after a failure.
RETRY_AFTER = 5.0
# Seconds to connect to, then to hear from, Redis before giving up.
SOCKET_TIMEOUT = 0.3

# The caches of a process, by location: Django builds one cache object per
# thread, and all of them must know that Redis is down.
_state_lock = threading.Lock()
_down_until: dict[str, float] = {}


def _options(params: dict) -> dict:
    options = dict(params.get("OPTIONS") or {})
    options.setdefault("socket_connect_timeout", SOCKET_TIMEOUT)
    options.setdefault("socket_timeout", SOCKET_TIMEOUT)
    return options


class FailOpenRedisCache(RedisCache):
    """Django's RedisCache, with every call turned into a miss while Redis is
    unreachable (see the module's docstring)."""

    def __init__(self, server, params):
        super().__init__(server, {**params, "OPTIONS": _options(params)})
        self._location = server if isinstance(server, str) else ",".join(server)

    def _call(self, method: str, fallback, *args, **kwargs):
        down_until = _down_until.get(self._location)
        if down_until is not None and time.monotonic() < down_until:
            return fallback
        try:
            result = getattr(super(), method)(*args, **kwargs)
        except RedisError as error:
            with _state_lock:
                first = self._location not in _down_until
                _down_until[self._location] = time.monotonic() + RETRY_AFTER
            if first:
                logger.warning(
                    "Cache unreachable (%s); pages are served without it, "
                    "trying again every %s s.",
                    type(error).__name__,
                    RETRY_AFTER,
                )
            return fallback
        if down_until is not None:
            with _state_lock:
                _down_until.pop(self._location, None)
            logger.warning("Cache reachable again.")
        return result

    def ping(self) -> None:
        """Ask Redis directly, raising its error: for the health check, which
        must tell an unreachable cache from an empty one."""
        self._cache.get_client(write=True).ping()

    def add(self, key, value, timeout=None, version=None):
        # An empty cache takes the key: allauth's rate limits take a lock with
        # `add`, and a refused lock would refuse every login.
        return self._call("add", True, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call("get", default, key, default, version)

    def set(self, key, value, timeout=None, version=None):
        return self._call("set", None, key, value, timeout, version)

    def touch(self, key, timeout=None, version=None):
        return self._call("touch", False, key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", False, key, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", {}, keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", False, key, version)

    def incr(self, key, delta=1, version=None):
        # A missing key is a ValueError for every Django cache: so is a
        # counter Redis cannot give.
        marker = object()
        result = self._call("incr", marker, key, delta, version)
        if result is marker:
            raise ValueError(f"Key '{key}' not found (cache unreachable)")
        return result

    def set_many(self, data, timeout=None, version=None):
        return self._call("set_many", [], data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", None, keys, version)

    def clear(self):
        return self._call("clear", False)


def reset_state() -> None:
    """Forget past failures (for tests)."""
    with _state_lock:
        _down_until.clear()
