"""What higher apps add to what members collect and owe.

Group purchases sit above orders, yet what a member gets from one is handed
over at a distribution (so it belongs on the sheet) and is money they owe
(so it belongs in their balance). The orders app cannot import them; they
register providers here from their `AppConfig.ready()`, as the distribution
app does for the people concerned by a cancellation. Each provider answers
for many distributions or members at once, in a fixed number of queries.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from amap.money import ZERO


@dataclass(frozen=True)
class CollectedLine:
    """Something a member collects at a distribution besides their order."""

    member: object  # the person who collects it
    source: str  # e.g. the group purchase's title
    name: str
    unit: str
    quantity: Decimal
    amount: Decimal


@dataclass(frozen=True)
class OtherDue:
    """Money a member owes a collective besides instalments and orders."""

    collective: object
    label: str
    total: Decimal
    paid: Decimal
    url: str = ""

    @property
    def due(self) -> Decimal:
        return max(self.total - self.paid, ZERO)


# provider(distributions) -> {(distribution pk, member pk): [CollectedLine]}
CollectedProvider = Callable[[list], dict]
# provider(collective, member_ids) -> {member pk: Decimal still due}
DueProvider = Callable[[object, set], dict]
# provider(user) -> [OtherDue]
MemberDueProvider = Callable[[object], list]

_collected: list[CollectedProvider] = []
_due: list[DueProvider] = []
_member_due: list[MemberDueProvider] = []


def _add(registry: list, provider):
    if provider not in registry:
        registry.append(provider)
    return provider


def register_collected_lines(provider: CollectedProvider) -> CollectedProvider:
    return _add(_collected, provider)


def register_amounts_due(provider: DueProvider) -> DueProvider:
    return _add(_due, provider)


def register_member_dues(provider: MemberDueProvider) -> MemberDueProvider:
    return _add(_member_due, provider)


def collected_lines(distributions) -> dict[tuple[int, int], list[CollectedLine]]:
    lines: dict[tuple[int, int], list[CollectedLine]] = {}
    for provider in _collected:
        for key, found in provider(distributions).items():
            lines.setdefault(key, []).extend(found)
    return lines


def other_amounts_due(collective, member_ids) -> dict[int, Decimal]:
    due: dict[int, Decimal] = {}
    for provider in _due:
        for member_id, amount in provider(collective, member_ids).items():
            due[member_id] = due.get(member_id, ZERO) + amount
    return due


def other_member_dues(user) -> list[OtherDue]:
    return [due for provider in _member_due for due in provider(user)]
