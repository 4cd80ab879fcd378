"""What higher apps add to the organiser's home.

The organiser's home says, for each collective, what waits for them. Some of
it belongs to higher apps (a farm's page to review lives in `producers`),
which the members app cannot import; they register a provider here from their
`AppConfig.ready()`, as `amap/orders/extensions.py` does for sheets. A
provider answers for all of a person's collectives in a fixed number of
queries.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Waiting:
    """Something waiting for a collective's organisers, with where to act."""

    label: str  # translated, with its count
    url: str


# provider(user, collectives) -> {collective pk: [Waiting]}
WaitingProvider = Callable[[object, list], dict]

_waiting: list[WaitingProvider] = []


def _add(registry: list, provider):
    if provider not in registry:
        registry.append(provider)
    return provider


def register_waiting(provider: WaitingProvider) -> WaitingProvider:
    return _add(_waiting, provider)


def waiting_for_organisers(user, collectives) -> dict[int, list[Waiting]]:
    """Everything the registered providers list for `collectives`, by pk."""
    found: dict[int, list[Waiting]] = {}
    if not collectives:
        return found
    for provider in _waiting:
        for pk, items in provider(user, collectives).items():
            found.setdefault(pk, []).extend(items)
    return found


# provider(collectives) -> {collective pk: URL of its public page}
PublicPageProvider = Callable[[list], dict]

_public_pages: list[PublicPageProvider] = []


def register_public_pages(provider: PublicPageProvider) -> PublicPageProvider:
    """The public site (cms) gives each collective a richer page of its own;
    the members app's links and its plain collective page lead there."""
    return _add(_public_pages, provider)


def public_page_urls(collectives) -> dict[int, str]:
    urls: dict[int, str] = {}
    if not collectives:
        return urls
    for provider in _public_pages:
        urls.update(provider(collectives))
    return urls


def with_public_urls(collectives) -> list:
    """`collectives` as a list, each with `public_url` ("" without a page)."""
    collectives = list(collectives)
    urls = public_page_urls(collectives)
    for collective in collectives:
        collective.public_url = urls.get(collective.pk, "")
    return collectives
