"""Everything a collective has in the site, table by table, so that it can
leave with its data: members, pickup points, cycles, distributions, farms,
contracts, subscriptions and their instalments, orders and their lines,
payments, absences and shifts (group purchases add their tables through
the `EXPORT_TABLES` hook).

One query per table (two for contracts, with their delivery dates), however
many members and orders; only rows of this collective. Values stay Python
values (Decimal, date, datetime, choice codes): `amap.orders.data_export`
turns them into CSV and JSON.
"""

from dataclasses import dataclass, field
from operator import attrgetter

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from amap import hooks
from amap.distribution.models import (
    Distribution,
    OrderCycle,
    PickupPoint,
    Shift,
    ShiftAssignment,
)
from amap.members.models import Membership
from amap.producers.models import Partnership, Product

from ..hooks import EXPORT_TABLES, Column, Table
from ..models import (
    Absence,
    Contract,
    ContractOption,
    Instalment,
    Order,
    OrderLine,
    OrderPayment,
    PaymentMethod,
    Subscription,
)

__all__ = ["CollectiveExport", "Column", "Table", "collective_export", "table"]


@dataclass(frozen=True)
class CollectiveExport:
    collective: object
    tables: list[Table] = field(default_factory=list)


def _rows(queryset, columns: tuple[Column, ...]) -> list[tuple]:
    getters = [(attrgetter(column.path), column.kind) for column in columns]
    rows = []
    for item in queryset:
        row = []
        for getter, kind in getters:
            try:
                value = getter(item)
            except AttributeError:  # through an empty foreign key
                value = None
            if kind == "ids":  # a prefetched many-to-many
                value = [related.pk for related in value.all()]
            row.append(value)
        rows.append(tuple(row))
    return rows


def table(name, title, queryset, *columns: Column) -> Table:
    """A `Table` of the objects of `queryset`, one row each (for the
    `EXPORT_TABLES` hook too)."""
    return Table(name=name, title=title, columns=columns, rows=_rows(queryset, columns))


MEMBER_EMAIL = _("Member's email")
# A row's identifier, which other tables' "… number" columns refer to.
NUMBER = pgettext_lazy("export column", "Number")


def collective_export(collective) -> CollectiveExport:
    """All the tables of `collective`, in a fixed number of queries."""
    in_collective = {"cycle__collective": collective}
    distributions_in = {"distribution__cycle__collective": collective}
    tables = [
        table(
            "members",
            _("Members"),
            Membership.objects.filter(collective=collective)
            .select_related("user")
            .order_by("user__last_name", "user__first_name", "user__email"),
            Column("user_id", _("Person number"), "user_id", "id"),
            Column("email", _("Email"), "user.email"),
            Column("last_name", _("Last name"), "user.last_name"),
            Column("first_name", _("First name"), "user.first_name"),
            Column("phone", _("Phone"), "user.phone"),
            Column("role", _("Role"), "role", "choice", Membership.Role),
            Column("status", _("Status"), "status", "choice", Membership.Status),
            Column("requested_at", _("Asked to join on"), "requested_at", "datetime"),
            Column("joined_on", _("Joined on"), "joined_on", "date"),
        ),
        table(
            "pickup_points",
            _("Pickup points"),
            PickupPoint.objects.filter(collective=collective).order_by("name"),
            Column("id", NUMBER, "pk", "id"),
            Column("name", _("Name"), "name"),
            Column("street", _("Street"), "street"),
            Column("postcode", _("Postcode"), "postcode"),
            Column("town", _("Town"), "town"),
            Column("latitude", _("Latitude"), "latitude", "number"),
            Column("longitude", _("Longitude"), "longitude", "number"),
            Column("capacity", _("Capacity"), "capacity", "number"),
            Column("opening_notes", _("Access and opening notes"), "opening_notes"),
            Column("active", _("Active"), "active", "bool"),
        ),
        table(
            "cycles",
            _("Order cycles"),
            OrderCycle.objects.filter(collective=collective).order_by("opens_at"),
            Column("id", NUMBER, "pk", "id"),
            Column("name", _("Name"), "name"),
            Column("opens_at", _("Orders open"), "opens_at", "datetime"),
            Column("closes_at", _("Orders close"), "closes_at", "datetime"),
            Column("closed_at", _("Closed at"), "closed_at", "datetime"),
        ),
        table(
            "distributions",
            _("Distributions"),
            Distribution.objects.filter(**in_collective)
            .select_related("pickup_point")
            .order_by("date", "starts_at", "pk"),
            Column("id", NUMBER, "pk", "id"),
            Column("cycle_id", _("Order cycle number"), "cycle_id", "id"),
            Column(
                "pickup_point_id", _("Pickup point number"), "pickup_point_id", "id"
            ),
            Column("pickup_point", _("Pickup point"), "pickup_point.name"),
            Column("date", _("Date"), "date", "date"),
            Column("starts_at", _("Start"), "starts_at", "time"),
            Column("ends_at", _("End"), "ends_at", "time"),
            Column("cancelled", _("Cancelled"), "cancelled", "bool"),
            Column("cancel_reason", _("Reason for cancelling"), "cancel_reason"),
            Column("notes", _("Notes"), "notes"),
        ),
        table(
            "partnerships",
            _("Producers"),
            Partnership.objects.filter(collective=collective)
            .select_related("producer", "referent")
            .order_by("producer__name"),
            Column("id", NUMBER, "pk", "id"),
            Column("producer_id", _("Farm number"), "producer_id", "id"),
            Column("producer", _("Farm"), "producer.name"),
            Column("referent", _("Référent's email"), "referent.email"),
            Column("since", _("Since"), "since", "date"),
            Column("active", _("Active"), "active", "bool"),
        ),
        table(
            "contracts",
            _("Contracts"),
            Contract.objects.filter(collective=collective)
            .select_related("producer")
            .prefetch_related(
                Prefetch(
                    "deliveries",
                    queryset=Distribution.objects.only("pk").order_by(
                        "date", "starts_at", "pk"
                    ),
                )
            )
            .order_by("signup_deadline", "pk"),
            Column("id", NUMBER, "pk", "id"),
            Column("name", _("Name"), "name"),
            Column("producer", _("Farm"), "producer.name"),
            Column("status", _("Status"), "status", "choice", Contract.Status),
            Column(
                "signup_deadline", _("Sign-up deadline"), "signup_deadline", "datetime"
            ),
            Column(
                "min_subscribers", _("Minimum subscribers"), "min_subscribers", "number"
            ),
            Column(
                "max_subscribers", _("Maximum subscribers"), "max_subscribers", "number"
            ),
            Column(
                "instalment_choices",
                _("Numbers of instalments allowed"),
                "instalment_choices",
                "list",
            ),
            Column(
                "deliveries",
                _("Delivery distribution numbers"),
                "deliveries",
                "ids",
            ),
            Column("description", _("Description"), "description"),
        ),
        table(
            "contract_options",
            _("Contract options"),
            ContractOption.objects.filter(contract__collective=collective)
            .select_related("product")
            .order_by("contract_id", "price_per_delivery", "name"),
            Column("id", NUMBER, "pk", "id"),
            Column("contract_id", _("Contract number"), "contract_id", "id"),
            Column("name", _("Name"), "name"),
            Column("product", _("Product"), "product.name"),
            Column(
                "price_per_delivery",
                _("Price per delivery (€)"),
                "price_per_delivery",
                "amount",
            ),
            Column("description", _("Description"), "description"),
        ),
        table(
            "subscriptions",
            _("Subscriptions"),
            Subscription.objects.filter(contract__collective=collective)
            .select_related("contract", "option", "member", "shared_with")
            .order_by("contract_id", "member__last_name", "member__first_name", "pk"),
            Column("id", NUMBER, "pk", "id"),
            Column("contract_id", _("Contract number"), "contract_id", "id"),
            Column("contract", _("Contract"), "contract.name"),
            Column("option", _("Option"), "option.name"),
            Column("member", MEMBER_EMAIL, "member.email"),
            Column("quantity", _("Quantity"), "quantity", "number"),
            Column("instalments", _("Number of instalments"), "instalments", "number"),
            Column(
                "sharing", _("Shared basket"), "sharing", "choice", Subscription.Sharing
            ),
            Column("shared_with", _("Shared with"), "shared_with.email"),
            Column("total", _("Total (€)"), "total", "amount"),
            Column("status", _("Status"), "status", "choice", Subscription.Status),
            Column("created_at", _("Signed on"), "created_at", "datetime"),
            Column("cancelled_at", _("Cancelled on"), "cancelled_at", "datetime"),
        ),
        table(
            "instalments",
            _("Instalments"),
            Instalment.objects.filter(subscription__contract__collective=collective)
            .select_related("subscription__member", "subscription__contract")
            .order_by("subscription_id", "number"),
            Column("id", NUMBER, "pk", "id"),
            Column(
                "subscription_id", _("Subscription number"), "subscription_id", "id"
            ),
            Column("contract", _("Contract"), "subscription.contract.name"),
            Column("member", MEMBER_EMAIL, "subscription.member.email"),
            Column("number", _("Instalment"), "number", "number"),
            Column("due_date", _("Due date"), "due_date", "date"),
            Column("amount", _("Amount (€)"), "amount", "amount"),
            Column("paid_at", _("Received on"), "paid_at", "datetime"),
            Column("method", _("Method"), "method", "choice", PaymentMethod),
            Column("reference", _("Reference"), "reference"),
        ),
        table(
            "orders",
            _("Orders"),
            Order.objects.filter(**distributions_in)
            .select_related("member", "distribution__pickup_point")
            .order_by("distribution__date", "distribution_id", "pk"),
            Column("id", NUMBER, "pk", "id"),
            Column(
                "distribution_id", _("Distribution number"), "distribution_id", "id"
            ),
            Column("date", _("Date"), "distribution.date", "date"),
            Column("pickup_point", _("Pickup point"), "distribution.pickup_point.name"),
            Column("member", MEMBER_EMAIL, "member.email"),
            Column("status", _("Status"), "status", "choice", Order.Status),
            Column("total", _("Total (€)"), "total", "amount"),
            Column("created_at", _("Booked on"), "created_at", "datetime"),
            Column("cancelled_at", _("Cancelled on"), "cancelled_at", "datetime"),
        ),
        table(
            "order_lines",
            _("Order lines"),
            OrderLine.objects.live()
            .filter(**{f"order__{k}": v for k, v in distributions_in.items()})
            .select_related("order__member", "offer__product__producer")
            .order_by(
                "order_id", "offer__product__producer__name", "offer__product__name"
            ),
            Column("id", NUMBER, "pk", "id"),
            Column("order_id", _("Order number"), "order_id", "id"),
            Column("member", MEMBER_EMAIL, "order.member.email"),
            Column("producer", _("Farm"), "offer.product.producer.name"),
            Column("product", _("Product"), "offer.product.name"),
            Column("unit", _("Unit"), "offer.product.unit", "choice", Product.Unit),
            Column("quantity", _("Quantity"), "quantity", "quantity"),
            Column("unit_price", _("Unit price (€)"), "unit_price", "amount"),
            Column("amount", _("Amount (€)"), "amount", "amount"),
        ),
        table(
            "order_payments",
            _("Order payments"),
            OrderPayment.objects.filter(
                **{f"order__{k}": v for k, v in distributions_in.items()}
            )
            .select_related("order__member")
            .order_by("received_at", "pk"),
            Column("id", NUMBER, "pk", "id"),
            Column("order_id", _("Order number"), "order_id", "id"),
            Column("member", MEMBER_EMAIL, "order.member.email"),
            Column("amount", _("Amount (€)"), "amount", "amount"),
            Column("method", _("Method"), "method", "choice", PaymentMethod),
            Column("reference", _("Reference"), "reference"),
            Column("received_at", _("Received on"), "received_at", "datetime"),
        ),
        table(
            "absences",
            _("Absences"),
            Absence.objects.filter(**distributions_in)
            .select_related("member", "given_to", "distribution")
            .order_by("distribution__date", "pk"),
            Column("id", NUMBER, "pk", "id"),
            Column(
                "distribution_id", _("Distribution number"), "distribution_id", "id"
            ),
            Column("date", _("Date"), "distribution.date", "date"),
            Column("member", MEMBER_EMAIL, "member.email"),
            Column("fate", _("The basket is"), "fate", "choice", Absence.Fate),
            Column("given_to", _("Given to"), "given_to.email"),
            Column("note", _("Note"), "note"),
            Column("created_at", _("Recorded on"), "created_at", "datetime"),
            Column("cancelled_at", _("Cancelled on"), "cancelled_at", "datetime"),
        ),
        table(
            "shifts",
            _("Shifts"),
            Shift.objects.filter(**distributions_in)
            .select_related("distribution")
            .order_by("distribution__date", "starts_at", "pk"),
            Column("id", NUMBER, "pk", "id"),
            Column(
                "distribution_id", _("Distribution number"), "distribution_id", "id"
            ),
            Column("date", _("Date"), "distribution.date", "date"),
            Column("role", _("Task"), "role"),
            Column("starts_at", _("Start"), "starts_at", "time"),
            Column("ends_at", _("End"), "ends_at", "time"),
            Column("people_needed", _("People needed"), "people_needed", "number"),
        ),
        table(
            "shift_signups",
            _("Shift sign-ups"),
            ShiftAssignment.objects.filter(
                shift__distribution__cycle__collective=collective
            )
            .select_related("user", "shift__distribution")
            .order_by("shift__distribution__date", "shift_id", "created_at"),
            Column("id", NUMBER, "pk", "id"),
            Column("shift_id", _("Shift number"), "shift_id", "id"),
            Column("date", _("Date"), "shift.distribution.date", "date"),
            Column("role", _("Task"), "shift.role"),
            Column("volunteer", _("Volunteer's email"), "user.email"),
            Column("created_at", _("Signed up"), "created_at", "datetime"),
        ),
    ]
    for provider in hooks.get_hooks(EXPORT_TABLES):
        tables.extend(provider(collective))
    return CollectiveExport(collective=collective, tables=tables)
