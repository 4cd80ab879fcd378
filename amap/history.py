"""Who made a change, for the history django-simple-history keeps.

Its middleware records the logged-in person of a request; a service that
knows better (a task, an organiser acting for a member) says who acted with
`changed_by` before saving.
"""

from typing import Any


def changed_by(instance: Any, person: Any) -> None:
    """The next save of `instance` is recorded in its history as `person`'s."""
    # simple_history reads this private attribute when it writes the row.
    instance._history_user = person
