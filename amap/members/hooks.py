"""The hooks of the members app (see `amap.hooks`): what higher apps add to
the organiser's home, to the links to a collective's page, and to a member's
dashboard.

The members app cannot import the apps above it; they register their
functions for these hooks in their own `hooks.py`.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.template.loader import render_to_string

from amap import hooks

# fn(user, collectives) -> {collective pk: [Waiting]}; answers for all of a
# person's collectives in a fixed number of queries.
ORGANISER_WAITING = "members.organiser_waiting"
# fn(collectives) -> {collective pk: URL of its public page}
PUBLIC_PAGES = "members.public_pages"
# fn(user) -> DashboardCard or None; called for members with an active
# membership. Its context may hold querysets: they run when the card renders.
DASHBOARD_CARDS = "members.dashboard_cards"
# fn(user) -> [PendingInvitation]: the open invitations of a higher app sent
# to one of `user`'s confirmed addresses (to manage a farm…), listed on the
# dashboard with the invitations to join a collective.
INVITATIONS = "members.invitations"


@dataclass(frozen=True)
class Waiting:
    """Something waiting for a collective's organisers, with where to act."""

    label: str  # translated, with its count
    url: str


@dataclass(frozen=True)
class DashboardCard:
    """A card of a member's dashboard, drawn by a higher app's template."""

    template_name: str
    context: dict = field(default_factory=dict)

    def render(self) -> str:
        return render_to_string(self.template_name, self.context)


@dataclass(frozen=True)
class PendingInvitation:
    """An invitation waiting for the person, with the page to accept it."""

    label: str  # translated
    url: str


WaitingProvider = Callable[[object, list], dict]


def waiting_for_organisers(user, collectives) -> dict[int, list[Waiting]]:
    """Everything the registered functions list for `collectives`, by pk."""
    found: dict[int, list[Waiting]] = {}
    if not collectives:
        return found
    for provider in hooks.get_hooks(ORGANISER_WAITING):
        for pk, items in provider(user, collectives).items():
            found.setdefault(pk, []).extend(items)
    return found


def public_page_urls(collectives) -> dict[int, str]:
    """The public site (cms) gives each collective a richer page of its own;
    the members app's links and its plain collective page lead there."""
    urls: dict[int, str] = {}
    if not collectives:
        return urls
    for provider in hooks.get_hooks(PUBLIC_PAGES):
        urls.update(provider(collectives))
    return urls


def with_public_urls(collectives) -> list:
    """`collectives` as a list, each with `public_url` ("" without a page)."""
    collectives = list(collectives)
    urls = public_page_urls(collectives)
    for collective in collectives:
        collective.public_url = urls.get(collective.pk, "")
    return collectives


def dashboard_cards(user) -> list[DashboardCard]:
    """The cards higher apps show on a member's dashboard, in app order."""
    cards = (provider(user) for provider in hooks.get_hooks(DASHBOARD_CARDS))
    return [card for card in cards if card is not None]


def pending_invitations(user) -> list[PendingInvitation]:
    """The invitations higher apps list for `user`, in app order."""
    found: list[PendingInvitation] = []
    for provider in hooks.get_hooks(INVITATIONS):
        found.extend(provider(user))
    return found
