"""Demo season contracts with subscriptions, schedules, payments and absences."""

import random
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from amap.distribution.models import Distribution
from amap.members.models import Membership
from amap.producers.models import Partnership

from .models import (
    Absence,
    Contract,
    ContractOption,
    Instalment,
    Order,
    OrderPayment,
    PaymentMethod,
    PickingListSent,
    Subscription,
)
from .schedule import instalment_dates, split_amount
from .services.contracts import subscription_total


def _season() -> str:
    today = timezone.localdate()
    start = today.year if today.month >= 7 else today.year - 1
    return f"{start}-{start + 1}"


def _contracts() -> list[dict]:
    season = _season()
    return [
        {
            "producer": "Maraîchage de la Sèvre",
            "name": f"Contrat légumes hiver {season}",
            "description": (
                "Un panier de légumes de saison chaque semaine, cultivés en "
                "agriculture biologique au bord de la Sèvre."
            ),
            "options": [
                ("Petit panier", "Pour 1 à 2 personnes", "12.00"),
                ("Grand panier", "Pour 3 à 4 personnes", "20.00"),
            ],
            "instalments": [1, 3, 6],
            "weeks": 20,
            "every": 1,
            "min": 10,
            "max": 60,
            "share": 0.75,
        },
        {
            "producer": "Fournil du Loroux",
            "name": f"Contrat pain {season}",
            "description": "Pain au levain cuit au feu de bois, farines bio locales.",
            "options": [
                ("1 pain de campagne", "1 kg", "4.80"),
                ("2 pains de campagne", "2 × 1 kg", "9.40"),
            ],
            "instalments": [1, 3],
            "weeks": 16,
            "every": 1,
            "min": 5,
            "max": None,
            "share": 0.5,
        },
        {
            "producer": "Volailles du Bois-Joli",
            "name": f"Contrat œufs {season}",
            "description": (
                "Œufs de poules élevées en plein air, livrés tous les 15 jours."
            ),
            "options": [
                ("6 œufs", "", "2.40"),
                ("12 œufs", "", "4.60"),
            ],
            "instalments": [1, 3, 6],
            "weeks": 20,
            "every": 2,
            "min": 5,
            "max": 30,
            "share": 0.35,
        },
    ]


def _coming_days(collective, weeks: int, every: int) -> list[Distribution]:
    """The collective's coming distributions, every `every` distribution day."""
    today = timezone.localdate()
    by_day = defaultdict(list)
    for distribution in Distribution.objects.filter(
        cycle__collective=collective,
        cancelled=False,
        date__gt=today,
        date__lte=today + timedelta(weeks=weeks),
    ).order_by("date", "starts_at"):
        by_day[distribution.date].append(distribution)
    days = sorted(by_day)[::every]
    return [d for day in days for d in by_day[day]]


def _subscribe(contract, option, member, quantity, instalments, sharing, partner):
    deliveries = sorted({d.date for d in contract.deliveries.all()})
    total = subscription_total(option, quantity, len(deliveries))
    subscription = Subscription.objects.create(
        contract=contract,
        option=option,
        member_id=member,
        quantity=quantity,
        instalments=instalments,
        sharing=sharing,
        shared_with_id=partner,
        total=total,
    )
    first = max(deliveries[0], timezone.localdate())
    Instalment.objects.bulk_create(
        Instalment(subscription=subscription, number=n, due_date=due, amount=amount)
        for n, (due, amount) in enumerate(
            zip(
                instalment_dates(first, instalments),
                split_amount(total, instalments),
                strict=True,
            ),
            start=1,
        )
    )
    return subscription


@transaction.atomic
def build_contracts(*, collectives, producers, organiser) -> int:
    """Two or three open contracts per demo collective, signed by most members.

    `collectives` is the demo collectives (a dict slug -> collective, or a
    list), `producers` the demo farms (picked by name). Idempotent: a contract
    that already exists (same collective and name) is left alone. Returns the
    number of subscriptions created.
    """
    rng = random.Random(55)
    farms = {p.name: p for p in producers}
    if isinstance(collectives, dict):
        collectives = list(collectives.values())
    now = timezone.now()
    created = 0
    for collective in collectives:
        members = list(
            Membership.objects.active()
            .filter(collective=collective)
            .order_by("user_id")
            .values_list("user_id", flat=True)
        )
        for data in _contracts():
            farm = farms.get(data["producer"])
            if (
                farm is None
                or not Partnership.objects.current()
                .filter(producer=farm, collective=collective)
                .exists()
            ):
                continue
            if Contract.objects.filter(
                collective=collective, name=data["name"]
            ).exists():
                continue
            deliveries = _coming_days(collective, data["weeks"], data["every"])
            if not deliveries:
                continue
            contract = Contract.objects.create(
                producer=farm,
                collective=collective,
                name=data["name"],
                description=data["description"],
                instalment_choices=data["instalments"],
                signup_deadline=now + timedelta(days=14),
                min_subscribers=data["min"],
                max_subscribers=data["max"],
                status=Contract.Status.OPEN,
            )
            contract.deliveries.set(deliveries)
            options = [
                ContractOption.objects.create(
                    contract=contract,
                    name=name,
                    description=description,
                    price_per_delivery=Decimal(price),
                )
                for name, description, price in data["options"]
            ]
            signing = [m for m in members if rng.random() < data["share"]]
            if data["max"]:
                signing = signing[: data["max"]]
            not_signing = [m for m in members if m not in signing]
            for member in signing:
                sharing, partner = "", None
                if not_signing and rng.random() < 0.12:
                    partner = not_signing.pop(rng.randrange(len(not_signing)))
                    sharing = rng.choice(
                        [Subscription.Sharing.ALTERNATE, Subscription.Sharing.SPLIT]
                    )
                subscription = _subscribe(
                    contract,
                    rng.choice(options),
                    member,
                    1 if rng.random() < 0.9 else 2,
                    rng.choice(data["instalments"]),
                    sharing,
                    partner,
                )
                created += 1
                _pay_some(subscription, organiser, rng)
            _absences(contract, signing, members, rng)
    return created


def _pay_some(subscription, organiser, rng) -> None:
    """Instalments due by now are mostly paid; a few paid in advance."""
    today = timezone.localdate()
    for instalment in subscription.schedule.order_by("number"):
        if instalment.due_date > today + timedelta(days=10) or rng.random() < 0.25:
            break
        method = rng.choice(
            [PaymentMethod.CHEQUE, PaymentMethod.CHEQUE, PaymentMethod.TRANSFER]
        )
        instalment.paid_at = timezone.now() - timedelta(days=rng.randint(0, 5))
        instalment.method = method
        instalment.reference = (
            f"Chèque n°{rng.randint(1000000, 9999999)}"
            if method == PaymentMethod.CHEQUE
            else "Virement adhésion"
        )
        instalment.recorded_by = organiser
        instalment._history_user = organiser
        instalment.save(update_fields=["paid_at", "method", "reference", "recorded_by"])


def _absences(contract, signing, members, rng) -> None:
    """A few announced absences at the next deliveries still open to changes."""
    now = timezone.now()
    coming = [
        d
        for d in contract.deliveries.select_related("cycle").order_by("date")[:6]
        if d.cycle.closes_at > now and d.cycle.closed_at is None
    ]
    for distribution in coming[:3]:
        for member in rng.sample(signing, min(2, len(signing))):
            if Absence.objects.filter(
                member_id=member, distribution=distribution, cancelled_at__isnull=True
            ).exists():
                continue
            fate = rng.choice(list(Absence.Fate.values))
            others = [m for m in members if m != member]
            if fate == Absence.Fate.GIVEN and not others:
                fate = Absence.Fate.SOLIDARITY
            Absence.objects.create(
                member_id=member,
                distribution=distribution,
                fate=fate,
                given_to_id=rng.choice(others) if fate == Absence.Fate.GIVEN else None,
                note="Je pars en week-end." if rng.random() < 0.5 else "",
            )


def remove_demo_orders(collective_slugs) -> None:
    """Remove what members booked, signed and paid in the demo collectives.

    Payments protect their order or subscription, and orders, subscriptions
    and absences protect the distributions, offers and contracts they point
    to, so they go first, in that order.
    """
    in_demo = {"distribution__cycle__collective__slug__in": collective_slugs}
    signed = {"subscription__contract__collective__slug__in": collective_slugs}
    OrderPayment.objects.filter(
        order__distribution__cycle__collective__slug__in=collective_slugs
    ).delete()
    Instalment.objects.filter(**signed).delete()
    Absence.objects.filter(**in_demo).delete()
    Order.objects.filter(**in_demo).delete()
    PickingListSent.objects.filter(
        cycle__collective__slug__in=collective_slugs
    ).delete()
    Subscription.objects.filter(
        contract__collective__slug__in=collective_slugs
    ).delete()
    Contract.objects.filter(collective__slug__in=collective_slugs).delete()
