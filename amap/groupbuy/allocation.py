"""Group purchase allocation: how many cases to order and who gets what.

Pure functions on plain data (no ORM, no I/O), called by the closing
service and by the pledge page for its live figures. The French guide for
organisers, with the same worked examples as the tests, is
docs/group-purchases.md.

Vocabulary: a pledge asks for `quantity` units (its base) and accepts up to
`tolerance` extra units to complete a case; `max` below means base +
tolerance. Quantities are whole units of the item (a kilo, a bottle).

Cases to order (`choose_cases`)
    cases = floor(Σ max / case_size), capped by `max_cases`
    ("capped_by_max"); when that is below `min_cases`, nothing is ordered
    (0, "below_minimum"). Pledges that fill no case give 0 cases, "ok" with
    no minimum. Nothing is ordered either when nobody asks for a base
    quantity ("no_pledges"): tolerances complete cases that base quantities
    start, they never start an order on their own.

    Tolerances may thus fill more than one case, and the maximum is
    ordered even when it exceeds what the base quantities need by more than
    one case. This is the same number as "ceil(Σ base / case_size) cases for
    the base quantities, then each further case only when the tolerances
    left fill it completely": every case ordered is made of units somebody
    accepted, and nobody gets more than they said they would take. Ordering
    fewer would leave unused the tolerances members offered, and more cases
    reach better price tiers for everyone.

Sharing the units (`share_units`), cases × case_size units in all
    Shortage (units < Σ base): nobody gets tolerance units and the base
    quantities are shared:
      - FIRST_COME: by `pledged_at` (ties by key), each takes
        min(quantity, units left);
      - FAIR_SHARE: pro rata of the quantities, largest remainders
        (Hamilton's method), remainder ties to the earlier pledge then the
        smaller key; never above the quantity.
    Surplus (units >= Σ base): everyone gets their base quantity and the
    extra units go to tolerances, by pledge order up to each tolerance
    (FIRST_COME) or pro rata of the tolerances with largest remainders,
    never above the tolerance (FAIR_SHARE).

    Hence: nobody gets more than quantity + tolerance; the units shared
    equal the cases ordered × case_size; when the cases cover the base
    quantities everyone gets theirs; nobody is cut below their base while
    another gets tolerance units. Pro rata arithmetic is on integers (no
    rounding), and every order is (pledged_at, key), so the same pledges in
    any order give the same result.

Prices
    The tier with the largest `min_cases` <= cases applies to every unit of
    the item (the whole group pays the same price). Without a 0-case tier, an
    order below the first tier has no price (None). Amounts are units ×
    price, rounded half up to the cent (0.00 without a price). The
    campaign's minimum order in euros is compared with `campaign_total` by
    the caller.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from amap.money import ZERO, line_amount


class Policy(StrEnum):
    FIRST_COME = "first_come"
    FAIR_SHARE = "fair_share"


class Reason(StrEnum):
    """Why `cases` is what it is (codes, translated by the caller)."""

    OK = "ok"
    BELOW_MINIMUM = "below_minimum"
    CAPPED_BY_MAX = "capped_by_max"
    NO_PLEDGES = "no_pledges"


@dataclass(frozen=True)
class PledgeInput:
    key: int
    quantity: int
    tolerance: int
    pledged_at: datetime

    def __post_init__(self):
        if self.quantity < 0 or self.tolerance < 0:
            raise ValueError(f"Pledge {self.key}: negative quantity or tolerance.")

    @property
    def max_units(self) -> int:
        return self.quantity + self.tolerance


@dataclass(frozen=True)
class Tier:
    min_cases: int
    unit_price: Decimal


@dataclass(frozen=True)
class ItemInput:
    key: int
    case_size: int
    pledges: tuple[PledgeInput, ...]
    min_cases: int = 0
    max_cases: int | None = None
    tiers: tuple[Tier, ...] = ()

    def __post_init__(self):
        if self.case_size < 1:
            raise ValueError(f"Item {self.key}: case size below 1.")
        if self.min_cases < 0 or (self.max_cases is not None and self.max_cases < 0):
            raise ValueError(f"Item {self.key}: negative case limit.")
        keys = [pledge.key for pledge in self.pledges]
        if len(set(keys)) != len(keys):
            raise ValueError(f"Item {self.key}: two pledges share a key.")

    @property
    def base_units(self) -> int:
        return sum(pledge.quantity for pledge in self.pledges)

    @property
    def max_units(self) -> int:
        return sum(pledge.max_units for pledge in self.pledges)


@dataclass(frozen=True)
class ItemAllocation:
    key: int
    cases: int
    unit_price: Decimal | None
    shares: dict[int, int]
    reason: str

    @property
    def units(self) -> int:
        return sum(self.shares.values())

    @property
    def amount(self) -> Decimal:
        return line_amount(self.units, self.unit_price)

    def amount_for(self, pledge_key: int) -> Decimal:
        """What one pledge pays: its units at the item's tier price."""
        return line_amount(self.shares[pledge_key], self.unit_price)


@dataclass(frozen=True)
class ItemProgress:
    """Live figures for the pledge page, as if pledges closed now."""

    key: int
    case_size: int
    base_units: int  # units pledged, without tolerances
    max_units: int  # units pledged, with tolerances
    full_cases: int  # cases the base units fill: floor(base / case_size)
    missing_units: int  # base units missing to complete the next case
    tolerance_cases: int  # cases base + tolerances fill, within max_cases
    cases: int  # what closing now would order (choose_cases)
    reason: str
    unit_price: Decimal | None  # tier price for `cases`
    next_tier: Tier | None  # next better tier within max_cases
    cases_to_next_tier: int | None  # more cases needed to reach it


def _pledge_order(pledges: Iterable[PledgeInput]) -> list[PledgeInput]:
    return sorted(pledges, key=lambda pledge: (pledge.pledged_at, pledge.key))


def _cases_and_reason(item: ItemInput) -> tuple[int, Reason]:
    if item.base_units == 0:
        return 0, Reason.NO_PLEDGES
    cases = item.max_units // item.case_size
    reason = Reason.OK
    if item.max_cases is not None and cases > item.max_cases:
        cases, reason = item.max_cases, Reason.CAPPED_BY_MAX
    if cases < item.min_cases:
        return 0, Reason.BELOW_MINIMUM
    return cases, reason


def choose_cases(item: ItemInput) -> int:
    """The number of cases to order (rules in the module docstring)."""
    return _cases_and_reason(item)[0]


def _first_come(
    ordered: list[PledgeInput], wants: Mapping[int, int], units: int
) -> dict[int, int]:
    shares = {}
    for pledge in ordered:
        shares[pledge.key] = min(wants[pledge.key], units)
        units -= shares[pledge.key]
    return shares


def _largest_remainders(
    ordered: list[PledgeInput], wants: Mapping[int, int], units: int
) -> dict[int, int]:
    """Hamilton's method: `units` (<= Σ wants) pro rata of `wants`. Each
    quota is below its want unless all are met, so the +1 for the largest
    remainders never exceeds a want."""
    total = sum(wants.values())
    if total == 0:
        return {pledge.key: 0 for pledge in ordered}
    shares = {pledge.key: units * wants[pledge.key] // total for pledge in ordered}
    left = units - sum(shares.values())
    # Remainders over the same denominator `total`, compared as integers;
    # `sorted` is stable, so equal remainders keep the pledge order.
    by_remainder = sorted(
        ordered, key=lambda pledge: -(units * wants[pledge.key] % total)
    )
    for pledge in by_remainder[:left]:
        shares[pledge.key] += 1
    return shares


def share_units(item: ItemInput, cases: int, policy: Policy | str) -> dict[int, int]:
    """Units per pledge key for `cases` cases; every pledge is present.

    Raises ValueError when the cases hold more units than the pledges accept.
    """
    policy = Policy(policy)
    units = cases * item.case_size
    if units > item.max_units:
        raise ValueError(
            f"Item {item.key}: {cases} cases hold more units than pledged."
        )
    ordered = _pledge_order(item.pledges)
    share = _first_come if policy is Policy.FIRST_COME else _largest_remainders
    base = {pledge.key: pledge.quantity for pledge in ordered}
    if units < item.base_units:
        shares = share(ordered, base, units)
    else:
        tolerances = {pledge.key: pledge.tolerance for pledge in ordered}
        extra = share(ordered, tolerances, units - item.base_units)
        shares = {key: base[key] + extra[key] for key in base}
    return dict(sorted(shares.items()))


def allocate_item(item: ItemInput, policy: Policy | str) -> ItemAllocation:
    cases, reason = _cases_and_reason(item)
    return ItemAllocation(
        key=item.key,
        cases=cases,
        unit_price=tier_price(item.tiers, cases),
        shares=share_units(item, cases, policy),
        reason=reason.value,
    )


def allocate(items: Iterable[ItemInput], policy: Policy | str) -> list[ItemAllocation]:
    """One allocation per item, in the order given."""
    items = list(items)
    keys = [item.key for item in items]
    if len(set(keys)) != len(keys):
        raise ValueError("Two items share a key.")
    return [allocate_item(item, policy) for item in items]


def _tier_for(tiers: Iterable[Tier], cases: int) -> Tier | None:
    reached = [tier for tier in tiers if tier.min_cases <= cases]
    if not reached:
        return None
    return min(reached, key=lambda tier: (-tier.min_cases, tier.unit_price))


def tier_price(tiers: Iterable[Tier], cases: int) -> Decimal | None:
    """The price per unit for everyone when `cases` cases are ordered."""
    tier = _tier_for(tiers, cases)
    return None if tier is None else tier.unit_price


def next_tier(tiers: Iterable[Tier], cases: int) -> Tier | None:
    """The nearest tier above `cases` with a lower price than now (any price
    when none applies now): what more cases would bring."""
    tiers = tuple(tiers)
    price = tier_price(tiers, cases)
    better = [
        tier
        for tier in tiers
        if tier.min_cases > cases and (price is None or tier.unit_price < price)
    ]
    if not better:
        return None
    return min(better, key=lambda tier: (tier.min_cases, tier.unit_price))


def item_progress(item: ItemInput) -> ItemProgress:
    cases, reason = _cases_and_reason(item)
    base = item.base_units
    tolerance_cases = item.max_units // item.case_size
    if item.max_cases is not None:
        tolerance_cases = min(tolerance_cases, item.max_cases)
    upcoming = next_tier(item.tiers, cases)
    if (
        upcoming is not None
        and item.max_cases is not None
        and upcoming.min_cases > item.max_cases
    ):
        upcoming = None
    return ItemProgress(
        key=item.key,
        case_size=item.case_size,
        base_units=base,
        max_units=item.max_units,
        full_cases=base // item.case_size,
        missing_units=item.case_size - base % item.case_size,
        tolerance_cases=tolerance_cases,
        cases=cases,
        reason=reason.value,
        unit_price=tier_price(item.tiers, cases),
        next_tier=upcoming,
        cases_to_next_tier=None if upcoming is None else upcoming.min_cases - cases,
    )


def campaign_total(allocations: Iterable[ItemAllocation]) -> Decimal:
    """What the campaign orders from the supplier, in euros, to compare
    with its minimum order."""
    return sum((allocation.amount for allocation in allocations), ZERO)
