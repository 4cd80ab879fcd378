"""The hooks of the distribution app (see `amap.hooks`): who is concerned when
a distribution changes or is cancelled, and what happens when a cycle closes
or a distribution's sheet changes.

The distribution app only knows about its own people (the volunteers signed
up for its shifts) and does not print the sheets; higher apps register their
functions for these hooks in their own `hooks.py`, so the distribution app
never imports `orders` or `groupbuy`.
"""

import logging
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from amap import hooks

logger = logging.getLogger(__name__)

# fn(distribution) -> iterable of users concerned by it
CONCERNED_PEOPLE = "distribution.concerned_people"
# fn(cycle_id), after commit, once a cycle is closed
CYCLE_CLOSED = "distribution.cycle_closed"
# fn(distribution_id), after commit, once something shown on the
# distribution's sheet changed (a shift or a volunteer)
SHEET_TOUCHED = "distribution.sheet_touched"


def concerned_people(distribution) -> list:
    """Active users with an email address concerned by `distribution`, each once,
    sorted by name. One query per registered function."""
    people: dict[int, Any] = {}
    for provider in hooks.get_hooks(CONCERNED_PEOPLE):
        for user in provider(distribution):
            if user.is_active and user.email:
                people.setdefault(user.pk, user)
    return sorted(people.values(), key=lambda u: (u.get_sort_name(), u.email))


@hooks.register(CONCERNED_PEOPLE)
def shift_volunteers(distribution):
    """The people signed up for a shift at the distribution."""
    return (
        get_user_model()
        .objects.filter(shift_assignments__shift__distribution=distribution)
        .distinct()
    )


def _call_each(hook_name: str, object_id: int) -> None:
    """Call every function of the hook; one that fails is logged and does not
    stop the others (the change they follow is already committed)."""
    for callback in hooks.get_hooks(hook_name):
        try:
            callback(object_id)
        except Exception:
            logger.exception("%s failed for %s", callback, object_id)


def cycle_closed(cycle_id: int) -> None:
    """Tell every registered app that the cycle has just been closed (call after
    commit, once per closing)."""
    _call_each(CYCLE_CLOSED, cycle_id)


def sheet_touched(distribution_id: int) -> None:
    """Tell every registered app that the distribution's sheet changed."""
    _call_each(SHEET_TOUCHED, distribution_id)


def sheet_touched_on_commit(distribution_id: int) -> None:
    """`sheet_touched` once the current transaction commits (nothing on rollback)."""
    transaction.on_commit(lambda: sheet_touched(distribution_id))
