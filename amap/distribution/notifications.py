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

from collections.abc import Callable, Iterable

from django.contrib.auth import get_user_model

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
