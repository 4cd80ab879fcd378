"""The hooks of the orders app (see `amap.hooks`): what higher apps add to
what members collect and owe; and what orders adds to the distribution app.

Group purchases sit above orders, yet what a member gets from one is handed
over at a distribution (so it belongs on the sheet) and is money they owe
(so it belongs in their balance). The orders app cannot import them; they
register functions for these hooks in their own `hooks.py`. Each answers for
many distributions or members at once, in a fixed number of queries.
"""

from dataclasses import dataclass
from decimal import Decimal

from amap import hooks
from amap.distribution.hooks import CONCERNED_PEOPLE, CYCLE_CLOSED, SHEET_TOUCHED
from amap.money import ZERO

from .selectors.booking import members_with_orders_for

# fn(distributions) -> {(distribution pk, member pk): [CollectedLine]}
COLLECTED_LINES = "orders.collected_lines"
# fn(collective, member_ids) -> {member pk: Decimal still due}
AMOUNTS_DUE = "orders.amounts_due"
# fn(user) -> [OtherDue]
MEMBER_DUES = "orders.member_dues"
# fn(collective) -> [Table]: more tables for a collective's data export, each
# in a fixed number of queries.
EXPORT_TABLES = "orders.export_tables"


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
class Column:
    """A column of an exported table: `key` names it in JSON, `label` in CSV;
    `path` is the attribute read on each row object ("member.email").
    `kind` says how to write the value: text, id, number, amount, quantity,
    bool, date, time, datetime, list, ids (of a prefetched many-to-many), or
    choice (then `choices` is the TextChoices class giving its label)."""

    key: str
    label: object
    path: str
    kind: str = "text"
    choices: type | None = None


@dataclass(frozen=True)
class Table:
    """One table of a collective's data export: a CSV file, a JSON list."""

    name: str  # the file name, without extension: "orders"
    title: object
    columns: tuple[Column, ...]
    rows: list[tuple]


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


def collected_lines(distributions) -> dict[tuple[int, int], list[CollectedLine]]:
    lines: dict[tuple[int, int], list[CollectedLine]] = {}
    for provider in hooks.get_hooks(COLLECTED_LINES):
        for key, found in provider(distributions).items():
            lines.setdefault(key, []).extend(found)
    return lines


def other_amounts_due(collective, member_ids) -> dict[int, Decimal]:
    due: dict[int, Decimal] = {}
    for provider in hooks.get_hooks(AMOUNTS_DUE):
        for member_id, amount in provider(collective, member_ids).items():
            due[member_id] = due.get(member_id, ZERO) + amount
    return due


def other_member_dues(user) -> list[OtherDue]:
    return [due for provider in hooks.get_hooks(MEMBER_DUES) for due in provider(user)]


# What orders adds to the distribution app's hooks ---------------------------

hooks.register(CONCERNED_PEOPLE, members_with_orders_for)


@hooks.register(CYCLE_CLOSED)
def on_cycle_closed(cycle_id: int) -> None:
    """See `services.documents.on_cycle_closed`."""
    # Imported here: the documents build the sheets, which read this module.
    from .services.documents import on_cycle_closed

    on_cycle_closed(cycle_id)


@hooks.register(SHEET_TOUCHED)
def on_sheet_touched(distribution_id: int) -> None:
    """See `services.documents.on_sheet_touched`."""
    from .services.documents import on_sheet_touched

    on_sheet_touched(distribution_id)
