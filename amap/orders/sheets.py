"""Distribution sheets (feuilles d'émargement) and producers' delivery notes:
who collects what at a distribution, read in a fixed number of queries
whatever the number of members.

A sheet lists everyone concerned by the distribution once, sorted by name
(accents and case aside): the people collecting contract baskets (their own,
their share of a shared basket, a basket given to them), the people with a
pre-booking, and the people who announced an absence. Baskets given to the
solidarity pool have their own section; the totals count every basket
delivered, whoever collects it (see docs/decisions.md, "Producers count whole
contract baskets").
"""

import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from amap.distribution.models import Distribution, Shift, ShiftAssignment
from amap.money import ZERO, format_number, format_quantity

from .hooks import collected_lines
from .models import Absence, OrderLine
from .selectors.balances import amounts_due_by_member
from .selectors.contracts import ContractBasket, baskets_for_distributions
from .selectors.producer_bookings import BasketTotal, ProductTotal


def _fold(text: str) -> str:
    """`text` without accents nor case, for sorting names as people expect."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def person_sort_key(user) -> tuple:
    return (_fold(user.last_name or user.email), _fold(user.first_name), user.pk)


def person_name(user) -> str:
    """As on a paper list, "MARTIN Marie"; the address when there is no name."""
    name = f"{(user.last_name or '').upper()} {user.first_name or ''}".strip()
    return name or user.email


# What a sheet is made of -----------------------------------------------------


@dataclass
class ShiftLine:
    """A volunteer slot and who signed up for it."""

    shift: Shift
    volunteers: list

    @property
    def missing(self) -> int:
        return max(self.shift.people_needed - len(self.volunteers), 0)

    @property
    def volunteers_text(self) -> str:
        """Whom to call on the day: "PETIT Claire (06 12 34 56 78), …"."""
        return ", ".join(
            f"{person_name(user)} ({user.phone})" if user.phone else person_name(user)
            for user in self.volunteers
        )


@dataclass
class Item(ProductTotal):
    """A pre-booked product: quantity and amount for one person."""

    @property
    def text(self) -> str:
        return f"{self.name} {format_quantity(self.quantity, self.unit)}"


def _item(line) -> Item:
    product = line.offer.product
    return Item(
        name=product.name,
        unit=product.unit,
        quantity=line.quantity,
        amount=line.amount,
    )


@dataclass
class ProducerItems:
    producer: str
    items: list = field(default_factory=list)

    @property
    def text(self) -> str:
        return f"{self.producer} : " + ", ".join(item.text for item in self.items)


@dataclass
class SheetBasketTotal(BasketTotal):
    @property
    def quantity_text(self) -> str:
        return format_number(self.quantity)

    @property
    def count(self) -> int:
        """A whole number to choose "basket" or "baskets" with."""
        return int(self.quantity)


@dataclass
class SheetBasket(SheetBasketTotal):
    """A contract basket (or a share of one) as the sheet shows it."""

    note: str = ""

    @property
    def text(self) -> str:
        text = f"{self.name} × {self.quantity_text}"
        return f"{text} ({self.note})" if self.note else text


@dataclass
class SheetRow:
    """One person on the sheet, with an empty box for their signature."""

    member: object
    baskets: list = field(default_factory=list)
    producers: list = field(default_factory=list)
    order_total: Decimal | None = None
    amount_due: Decimal = ZERO
    absence_note: str = ""

    @property
    def name(self) -> str:
        return person_name(self.member)

    @property
    def baskets_text(self) -> str:
        return " / ".join(basket.text for basket in self.baskets)

    @property
    def products_text(self) -> str:
        return " / ".join(group.text for group in self.producers)


@dataclass
class SheetProductTotal(ProductTotal):
    producer: str = ""


@dataclass
class DistributionSheet:
    distribution: Distribution
    shifts: list = field(default_factory=list)
    rows: list = field(default_factory=list)
    solidarity: list = field(default_factory=list)
    product_totals: list = field(default_factory=list)
    basket_totals: list = field(default_factory=list)

    @property
    def amount(self) -> Decimal:
        return sum((total.amount for total in self.product_totals), ZERO)

    @property
    def basket_count(self) -> Decimal:
        return sum((total.quantity for total in self.basket_totals), ZERO)

    @property
    def basket_count_text(self) -> str:
        return format_number(self.basket_count)

    @property
    def basket_count_int(self) -> int:
        return int(self.basket_count)


@dataclass
class NoteMember:
    """What one member gets from the farm at the distribution."""

    member: object
    items: list = field(default_factory=list)
    baskets: list = field(default_factory=list)

    @property
    def name(self) -> str:
        return person_name(self.member)

    @property
    def amount(self) -> Decimal:
        return sum((item.amount for item in self.items), ZERO)


@dataclass
class DeliveryNote:
    """What a farm brings to one distribution."""

    producer: object
    distribution: Distribution
    products: list = field(default_factory=list)
    baskets: list = field(default_factory=list)
    members: list = field(default_factory=list)

    @property
    def amount(self) -> Decimal:
        return sum((total.amount for total in self.products), ZERO)


# Reading the database --------------------------------------------------------


@dataclass
class _Loaded:
    """Everything about some distributions, fetched once."""

    distributions: list
    lines: dict  # distribution pk -> confirmed order lines
    baskets: dict  # distribution pk -> contract baskets
    absences: dict  # distribution pk -> absences
    shifts: dict  # distribution pk -> shifts with their assignments
    # (distribution pk, member pk) -> what higher apps hand over there
    # (group purchases, see `hooks`)
    others: dict = field(default_factory=dict)


def _load(distributions, *, shifts=True, others=True) -> _Loaded:
    """Order lines, baskets, absences (and shifts) of `distributions`, and
    what higher apps hand over there: ten queries (seven for the notes)
    whatever their number and size, with group purchases installed."""
    by_pk = {d.pk: d for d in distributions}
    loaded = _Loaded(
        distributions=list(distributions),
        lines={pk: [] for pk in by_pk},
        baskets={pk: [] for pk in by_pk},
        absences={pk: [] for pk in by_pk},
        shifts={pk: [] for pk in by_pk},
    )
    if not by_pk:
        return loaded
    lines = (
        OrderLine.objects.counted()
        .filter(order__distribution__in=by_pk)
        .select_related("order__member", "offer__product__producer")
        .order_by("offer__product__producer__name", "offer__product__name", "pk")
    )
    for line in lines:
        loaded.lines[line.order.distribution_id].append(line)
    for basket in baskets_for_distributions(distributions):
        loaded.baskets[basket.distribution.pk].append(basket)
    absences = Absence.objects.filter(
        distribution__in=by_pk, cancelled_at__isnull=True
    ).select_related("member", "given_to")
    for absence in absences:
        loaded.absences[absence.distribution_id].append(absence)
    if shifts:
        for shift in Shift.objects.filter(distribution__in=by_pk).prefetch_related(
            Prefetch(
                "assignments",
                queryset=ShiftAssignment.objects.select_related("user").order_by(
                    "user__last_name", "user__first_name", "pk"
                ),
            )
        ):
            loaded.shifts[shift.distribution_id].append(shift)
    if others:
        loaded.others = collected_lines(loaded.distributions)
    return loaded


def _distributions(queryset) -> list[Distribution]:
    return list(
        queryset.select_related("pickup_point", "cycle__collective").order_by(
            "date", "starts_at", "pickup_point__name", "pk"
        )
    )


def _sheet_basket(basket: ContractBasket, note: str = "") -> SheetBasket:
    return SheetBasket(
        contract=basket.contract.name,
        option=basket.option.name,
        quantity=basket.quantity,
        note=note,
    )


def _absence_note(absence: Absence) -> str:
    if absence.fate == Absence.Fate.GIVEN:
        return _("Absent — basket given to %(name)s") % {
            "name": person_name(absence.given_to)
        }
    if absence.fate == Absence.Fate.SOLIDARITY:
        return _("Absent — basket given to the solidarity pool")
    return _("Absent — basket kept for later")


class _Rows(dict):
    """A sheet's rows by member pk, each made on the first mention of its
    member."""

    def of(self, user) -> SheetRow:
        if user.pk not in self:
            self[user.pk] = SheetRow(member=user)
        return self[user.pk]


def _build_sheet(distribution, loaded: _Loaded, amounts_due: dict):
    sheet = DistributionSheet(distribution=distribution)
    sheet.shifts = [
        ShiftLine(shift=shift, volunteers=[a.user for a in shift.assignments.all()])
        for shift in loaded.shifts[distribution.pk]
    ]
    rows = _Rows()
    sheet.product_totals = [
        *_add_order_lines(rows, loaded.lines[distribution.pk]),
        *_add_other_lines(rows, loaded.others, distribution_pk=distribution.pk),
    ]
    sheet.basket_totals = _add_baskets(sheet, rows, loaded.baskets[distribution.pk])
    for absence in loaded.absences[distribution.pk]:
        rows.of(absence.member).absence_note = _absence_note(absence)
    for row in rows.values():
        row.amount_due = amounts_due.get(row.member.pk, ZERO)
    sheet.rows = sorted(rows.values(), key=lambda r: person_sort_key(r.member))
    return sheet


def _add_item(row: SheetRow, producer: str, item: Item) -> None:
    """Under the producer's heading, started anew when the producer changes."""
    if not row.producers or row.producers[-1].producer != producer:
        row.producers.append(ProducerItems(producer=producer))
    row.producers[-1].items.append(item)


def _add_order_lines(rows: _Rows, lines) -> list[SheetProductTotal]:
    """Each pre-booked line on its member's row; the totals per product."""
    products: dict[int, SheetProductTotal] = {}
    for line in lines:
        product = line.offer.product
        row = rows.of(line.order.member)
        row.order_total = line.order.total
        _add_item(row, product.producer.name, _item(line))
        total = products.get(product.pk)
        if total is None:
            total = products[product.pk] = SheetProductTotal(
                name=product.name,
                unit=product.unit,
                producer=product.producer.name,
            )
        total.quantity += line.quantity
        total.amount += line.amount
    return list(products.values())


def _add_other_lines(
    rows: _Rows, others: dict, *, distribution_pk: int
) -> list[SheetProductTotal]:
    """What other apps hand over at the distribution (group purchases), on
    the members' rows; the totals per source, name and unit."""
    totals: dict[tuple, SheetProductTotal] = {}
    for (line_distribution_pk, _member_pk), lines in others.items():
        if line_distribution_pk != distribution_pk:
            continue
        row = rows.of(lines[0].member)
        for line in lines:
            _add_item(
                row,
                line.source,
                Item(
                    name=line.name,
                    unit=line.unit,
                    quantity=line.quantity,
                    amount=line.amount,
                ),
            )
            key = (line.source, line.name, line.unit)
            total = totals.get(key)
            if total is None:
                total = totals[key] = SheetProductTotal(
                    name=line.name, unit=line.unit, producer=line.source
                )
            total.quantity += line.quantity
            total.amount += line.amount
    return list(totals.values())


def _add_baskets(sheet, rows: _Rows, baskets) -> list[SheetBasketTotal]:
    """Each contract basket on its collector's row (or in the solidarity
    pool); the totals per option, by name."""
    totals: dict[int, SheetBasketTotal] = {}
    for basket in baskets:
        total = totals.get(basket.option.pk)
        if total is None:
            total = totals[basket.option.pk] = SheetBasketTotal(
                contract=basket.contract.name, option=basket.option.name, quantity=ZERO
            )
        total.quantity += basket.quantity
        _place_basket(sheet, rows, basket)
    return sorted(totals.values(), key=lambda t: _fold(t.name))


def _place_basket(sheet, rows: _Rows, basket: ContractBasket) -> None:
    absence = basket.absence
    if basket.given_by is not None:
        note = _("given by %(name)s") % {"name": person_name(basket.given_by)}
        rows.of(basket.member).baskets.append(_sheet_basket(basket, note))
    elif absence is not None and absence.fate == Absence.Fate.SOLIDARITY:
        sheet.solidarity.append(
            _sheet_basket(
                basket,
                _("from %(name)s") % {"name": person_name(basket.member)},
            )
        )
        rows.of(basket.member)
    elif absence is not None and absence.fate == Absence.Fate.KEPT:
        rows.of(basket.member).baskets.append(
            _sheet_basket(basket, _("kept for later"))
        )
    else:
        rows.of(basket.member).baskets.append(_sheet_basket(basket, basket.shared_note))


def _sheets(distributions) -> list[DistributionSheet]:
    loaded = _load(distributions)
    member_ids: dict[int, set] = {}  # collective pk -> people on its sheets
    for distribution in distributions:
        people = member_ids.setdefault(distribution.cycle.collective_id, set())
        people.update(line.order.member_id for line in loaded.lines[distribution.pk])
        people.update(b.member.pk for b in loaded.baskets[distribution.pk])
        people.update(a.member_id for a in loaded.absences[distribution.pk])
        people.update(
            member_pk
            for (distribution_pk, member_pk) in loaded.others
            if distribution_pk == distribution.pk
        )
    collectives = {d.cycle.collective_id: d.cycle.collective for d in distributions}
    amounts_due = {}
    for collective_id, people in member_ids.items():
        amounts_due[collective_id] = amounts_due_by_member(
            collectives[collective_id], people
        )
    return [
        _build_sheet(d, loaded, amounts_due[d.cycle.collective_id])
        for d in distributions
    ]


def distribution_sheet(distribution: Distribution) -> DistributionSheet:
    """The sheet of one distribution; fifteen queries whatever the number of
    members."""
    distributions = _distributions(Distribution.objects.filter(pk=distribution.pk))
    return _sheets(distributions)[0]


class _Notes(dict):
    """A distribution's delivery notes by producer pk, and each note's
    members, made on first mention."""

    def __init__(self, distribution):
        super().__init__()
        self.distribution = distribution
        self.members: dict[tuple[int, int], NoteMember] = {}

    def of(self, producer) -> DeliveryNote:
        if producer.pk not in self:
            self[producer.pk] = DeliveryNote(
                producer=producer, distribution=self.distribution
            )
        return self[producer.pk]

    def member(self, producer, user) -> NoteMember:
        key = (producer.pk, user.pk)
        if key not in self.members:
            self.members[key] = NoteMember(member=user)
            self.of(producer).members.append(self.members[key])
        return self.members[key]


def _notes(distribution, loaded: _Loaded) -> list[DeliveryNote]:
    notes = _Notes(distribution)
    _add_note_lines(notes, loaded.lines[distribution.pk])
    _add_note_baskets(notes, loaded.baskets[distribution.pk])
    for note in notes.values():
        note.baskets.sort(key=lambda t: _fold(t.name))
        note.members.sort(key=lambda m: person_sort_key(m.member))
    return sorted(notes.values(), key=lambda n: _fold(n.producer.name))


def _add_note_lines(notes: _Notes, lines) -> None:
    """Pre-booked products: a total per product on its farm's note, and each
    line under its member."""
    products: dict[int, ProductTotal] = {}
    for line in lines:
        product = line.offer.product
        note = notes.of(product.producer)
        total = products.get(product.pk)
        if total is None:
            total = products[product.pk] = ProductTotal(
                name=product.name, unit=product.unit
            )
            note.products.append(total)
        total.quantity += line.quantity
        total.amount += line.amount
        notes.member(product.producer, line.order.member).items.append(_item(line))


def _add_note_baskets(notes: _Notes, baskets) -> None:
    """Whole baskets: a shared or given basket is still one basket to bring,
    listed under the person who subscribed."""
    seen = set()
    options: dict[int, SheetBasketTotal] = {}
    for basket in baskets:
        subscription = basket.subscription
        if subscription.pk in seen:
            continue
        seen.add(subscription.pk)
        producer = subscription.contract.producer
        total = options.get(basket.option.pk)
        if total is None:
            total = options[basket.option.pk] = SheetBasketTotal(
                contract=basket.contract.name, option=basket.option.name
            )
            notes.of(producer).baskets.append(total)
        total.quantity += subscription.quantity
        notes.member(producer, subscription.member).baskets.append(
            SheetBasket(
                contract=basket.contract.name,
                option=basket.option.name,
                quantity=Decimal(subscription.quantity),
            )
        )


def delivery_notes(distribution: Distribution) -> list[DeliveryNote]:
    """Per farm (by name), what it brings to `distribution`: products with
    their total quantity and amount, whole contract baskets per option, and
    the detail per member. Eight queries whatever the size."""
    distributions = _distributions(Distribution.objects.filter(pk=distribution.pk))
    loaded = _load(distributions, shifts=False, others=False)
    return _notes(distributions[0], loaded)
