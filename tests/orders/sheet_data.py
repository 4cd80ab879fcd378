"""A distribution with everything a sheet shows, and a fast way to fill one
with hundreds of members, for tests/orders/test_sheet*.py and bench/sheets.py."""

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model

from amap.orders.models import (
    Absence,
    Contract,
    Instalment,
    Order,
    OrderLine,
    OrderPayment,
    Subscription,
)
from tests.factories import (
    AbsenceFactory,
    ContractFactory,
    ContractOptionFactory,
    DistributionFactory,
    OfferFactory,
    OrderCycleFactory,
    OrderLineFactory,
    ProducerFactory,
    ProductFactory,
    ShiftAssignmentFactory,
    ShiftFactory,
    SubscriptionFactory,
    UserFactory,
)

DAY = dt.date(2026, 12, 3)


def book(member, distribution, offer, quantity):
    order, _ = Order.objects.get_or_create(member=member, distribution=distribution)
    line = OrderLineFactory(order=order, offer=offer, quantity=Decimal(quantity))
    order.total += line.amount
    order.save(update_fields=["total"])
    return line


def sheet_scenario(*, collective, member, organiser, producer):
    """Thursday at the Maison de quartier des Dervallières:

    - Marie Martin books 1.5 kg of carrots and a loaf, shares a basket
      ("split") with Éric Abel, and owes a 30 € instalment;
    - Albert Zola books 3 kg of carrots, has two big baskets, paid 5 € of
      his 7.50 € order;
    - Chloé Duval is absent and gives her basket to Hugo Lefèvre;
    - Paul Roux is absent, his basket goes to the solidarity pool;
    - Inès Simon is absent and her basket is kept for later;
    - émile adam (lower case) books eggs;
    - Claire Petit (the organiser) holds the welcome shift; one place is free.
    """
    cycle = OrderCycleFactory(collective=collective, name="Semaine 49")
    distribution = DistributionFactory(
        cycle=cycle,
        date=DAY,
        pickup_point__name="Maison de quartier des Dervallières",
    )
    bakery = ProducerFactory(name="Fournil du Bourg", slug="fournil-du-bourg")
    carrots = OfferFactory(
        cycle=cycle,
        product=ProductFactory(
            producer=producer, name="Carottes", price=Decimal("2.50")
        ),
    )
    eggs = OfferFactory(
        cycle=cycle,
        product=ProductFactory(
            producer=producer, name="Œufs", unit="dozen", price=Decimal("4.20")
        ),
    )
    bread = OfferFactory(
        cycle=cycle,
        product=ProductFactory(
            producer=bakery,
            name="Pain de campagne",
            unit="piece",
            price=Decimal("3.10"),
        ),
    )
    people = {
        name: UserFactory(first_name=first, last_name=last)
        for name, (first, last) in {
            "zola": ("Albert", "Zola"),
            "abel": ("Éric", "Abel"),
            "duval": ("Chloé", "Duval"),
            "lefevre": ("Hugo", "Lefèvre"),
            "roux": ("Paul", "Roux"),
            "simon": ("Inès", "Simon"),
            "adam": ("émile", "adam"),
        }.items()
    }
    people["martin"] = member
    book(member, distribution, carrots, "1.5")
    book(member, distribution, bread, "1")
    zola_line = book(people["zola"], distribution, carrots, "3")
    OrderPayment.objects.create(
        order=zola_line.order,
        amount=Decimal("5.00"),
        method="cash",
        received_at=distribution.start_datetime,
    )
    book(people["adam"], distribution, eggs, "1")
    contract = ContractFactory(
        producer=producer, collective=collective, name="Légumes d'hiver"
    )
    contract.deliveries.add(distribution)
    big = ContractOptionFactory(contract=contract, name="Grand panier")
    small = ContractOptionFactory(contract=contract, name="Petit panier")
    SubscriptionFactory(option=big, member=people["zola"], quantity=2)
    shared = SubscriptionFactory(
        option=small,
        member=member,
        sharing=Subscription.Sharing.SPLIT,
        shared_with=people["abel"],
    )
    Instalment.objects.create(
        subscription=shared, number=1, due_date=DAY, amount=Decimal("30.00")
    )
    for name in ("duval", "roux", "simon"):
        SubscriptionFactory(option=small, member=people[name])
    AbsenceFactory(
        member=people["duval"],
        distribution=distribution,
        fate=Absence.Fate.GIVEN,
        given_to=people["lefevre"],
    )
    AbsenceFactory(
        member=people["roux"], distribution=distribution, fate=Absence.Fate.SOLIDARITY
    )
    AbsenceFactory(
        member=people["simon"], distribution=distribution, fate=Absence.Fate.KEPT
    )
    organiser.phone = "06 12 34 56 78"
    organiser.save(update_fields=["phone"])
    ShiftAssignmentFactory(
        shift=ShiftFactory(
            distribution=distribution, role="Accueil et émargement", people_needed=2
        ),
        user=organiser,
    )
    return {
        "distribution": distribution,
        "cycle": cycle,
        "bakery": bakery,
        "contract": contract,
        "offers": {"carrots": carrots, "eggs": eggs, "bread": bread},
        **people,
    }


def add_members(distribution, offers, contract_option, count, *, prefix="Membre"):
    """`count` members, each booking one unit of every offer and subscribing
    to `contract_option` (one in three sharing it with the previous one, one
    in five absent), with an unpaid instalment. Bulk inserts: a few queries
    per call whatever `count`."""
    User = get_user_model()
    users = User.objects.bulk_create(
        User(
            email=f"{prefix.lower()}{n}.d{distribution.pk}@example.org",
            first_name=f"Prénom{n}",
            last_name=f"{prefix}{n:05d}",
            password="!",
        )
        for n in range(count)
    )
    orders = Order.objects.bulk_create(
        Order(
            member=user,
            distribution=distribution,
            total=sum((offer.price for offer in offers), Decimal("0")),
        )
        for user in users
    )
    OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            offer=offer,
            quantity=Decimal("1"),
            unit_price=offer.price,
            amount=offer.price,
        )
        for order in orders
        for offer in offers
    )
    subscriptions = Subscription.objects.bulk_create(
        Subscription(
            contract=contract_option.contract,
            option=contract_option,
            member=user,
            total=Decimal("30.00"),
            sharing=Subscription.Sharing.SPLIT if n % 3 == 2 else "",
            shared_with=users[n - 1] if n % 3 == 2 else None,
        )
        for n, user in enumerate(users)
    )
    Instalment.objects.bulk_create(
        Instalment(
            subscription=subscription,
            number=1,
            due_date=distribution.date,
            amount=Decimal("30.00"),
        )
        for subscription in subscriptions
    )
    Absence.objects.bulk_create(
        Absence(
            member=user,
            distribution=distribution,
            fate=Absence.Fate.GIVEN if n % 10 == 4 else Absence.Fate.SOLIDARITY,
            given_to=users[n - 1] if n % 10 == 4 else None,
        )
        for n, user in enumerate(users)
        if n % 5 == 4
    )
    return users


def big_distribution(*, collective, count):
    """A distribution of `collective` with `count` members, two farms, three
    products, a basket contract and a shift."""
    cycle = OrderCycleFactory(collective=collective)
    distribution = DistributionFactory(cycle=cycle, date=DAY)
    farm = ProducerFactory(name="Maraîchage du Bourg")
    bakery = ProducerFactory(name="Fournil des Dervallières")
    offers = [
        OfferFactory(cycle=cycle, product=ProductFactory(producer=farm, name=name))
        for name in ("Carottes", "Poireaux")
    ] + [OfferFactory(cycle=cycle, product=ProductFactory(producer=bakery))]
    contract = ContractFactory(
        producer=farm, collective=collective, status=Contract.Status.CLOSED
    )
    contract.deliveries.add(distribution)
    option = ContractOptionFactory(contract=contract)
    ShiftAssignmentFactory(shift=ShiftFactory(distribution=distribution))
    add_members(distribution, offers, option, count)
    return distribution
