"""Who is concerned when a distribution changes or is cancelled.

The distribution app only knows about its own people (the volunteers signed up
for its shifts). Higher apps add theirs by registering a provider, a function
`(distribution) -> iterable of users`, from their `AppConfig.ready()`:

    # amap/orders/apps.py
    def ready(self):
        from amap.distribution.notifications import register_concerned_people
        from .selectors import members_with_orders_for

        register_concerned_people(members_with_orders_for)

so the distribution app never imports `orders` or `groupbuy`.
"""

import logging
from collections.abc import Callable, Iterable

from django.contrib.auth import get_user_model
from django.db import transaction

logger = logging.getLogger(__name__)

Provider = Callable[[object], Iterable]

_providers: list[Provider] = []


def register_concerned_people(provider: Provider) -> Provider:
    """Add a provider (once, however often it is registered); usable as decorator."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def unregister_concerned_people(provider: Provider) -> None:
    if provider in _providers:
        _providers.remove(provider)


def concerned_people(distribution) -> list:
    """Active users with an email address concerned by `distribution`, each once,
    sorted by name. One query per registered provider."""
    people = {}
    for provider in _providers:
        for user in provider(distribution):
            if user.is_active and user.email:
                people.setdefault(user.pk, user)
    return sorted(people.values(), key=lambda u: (u.get_sort_name(), u.email))


@register_concerned_people
def shift_volunteers(distribution):
    """The people signed up for a shift at the distribution."""
    return (
        get_user_model()
        .objects.filter(shift_assignments__shift__distribution=distribution)
        .distinct()
    )


# What happens when a cycle closes or a distribution's sheet changes ---------
#
# The same registry idea as above: higher apps register a callback, from their
# `AppConfig.ready()`, to be told after commit that a cycle has closed or that
# something printed on a distribution's sheet (its shift volunteers) changed.

Callback = Callable[[int], object]

_cycle_closed_callbacks: list[Callback] = []
_sheet_touched_callbacks: list[Callback] = []


def _register(callbacks: list[Callback], callback: Callback) -> Callback:
    if callback not in callbacks:
        callbacks.append(callback)
    return callback


def _call_each(callbacks: list[Callback], object_id: int) -> None:
    """Call every callback; one that fails is logged and does not stop the others
    (the change they follow is already committed)."""
    for callback in list(callbacks):
        try:
            callback(object_id)
        except Exception:
            logger.exception("%s failed for %s", callback, object_id)


def register_cycle_closed(callback: Callback) -> Callback:
    """`callback(cycle_id)` runs after a cycle is closed; usable as decorator."""
    return _register(_cycle_closed_callbacks, callback)


def unregister_cycle_closed(callback: Callback) -> None:
    if callback in _cycle_closed_callbacks:
        _cycle_closed_callbacks.remove(callback)


def cycle_closed(cycle_id: int) -> None:
    """Tell every registered app that the cycle has just been closed (call after
    commit, once per closing)."""
    _call_each(_cycle_closed_callbacks, cycle_id)


def register_sheet_touched(callback: Callback) -> Callback:
    """`callback(distribution_id)` runs after a change shown on the
    distribution's sheet (a shift or a volunteer); usable as decorator."""
    return _register(_sheet_touched_callbacks, callback)


def unregister_sheet_touched(callback: Callback) -> None:
    if callback in _sheet_touched_callbacks:
        _sheet_touched_callbacks.remove(callback)


def sheet_touched(distribution_id: int) -> None:
    """Tell every registered app that the distribution's sheet changed."""
    _call_each(_sheet_touched_callbacks, distribution_id)


def sheet_touched_on_commit(distribution_id: int) -> None:
    """`sheet_touched` once the current transaction commits (nothing on rollback)."""
    transaction.on_commit(lambda: sheet_touched(distribution_id))
