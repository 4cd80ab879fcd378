"""Demo wishes: what members of the demo collectives would like to buy
together, with votes. Idempotent: a wish is found again by its collective
and title, a vote by its wish and member."""

import random

from amap.members.models import Membership

from .models import Vote, Wish

WISHES = [
    (
        "amap-dervallieres",
        "Huile d'olive de Crète",
        "Une huile d'olive vierge extra d'une coopérative de Crète, en bidons de "
        "3 litres, comme le fait déjà une AMAP de Rennes.",
        "Coopérative agricole d'Archanes (Crète)",
        "litre",
        (9, 3, 6),
    ),
    (
        "amap-dervallieres",
        "Café d'une coopérative de torréfaction",
        "Du café en grains ou moulu, torréfié à Nantes, de coopératives de "
        "producteurs du Chiapas ou du Pérou.",
        "Torréfaction coopérative nantaise",
        "kg",
        (6, 1, 3),
    ),
    (
        "amap-dervallieres",
        "Riz de Camargue",
        "Riz complet et demi-complet bio, en sacs de 5 kg.",
        "",
        "kg",
        (4, 5, 10),
    ),
    (
        "groupement-clisson",
        "Savon de Marseille",
        "De vrais savons de Marseille à l'huile d'olive, d'une savonnerie "
        "artisanale, pour la maison et le linge.",
        "Savonnerie du Midi",
        "piece",
        (5, 2, 6),
    ),
    (
        "groupement-clisson",
        "Lentilles vertes du Puy",
        "Lentilles vertes AOP, en sacs de 5 kg à partager.",
        "",
        "kg",
        (7, 2, 5),
    ),
]


def build_wishes(collectives: dict) -> int:
    """The demo wishes and their votes; returns the number of votes created."""
    rng = random.Random(7)
    created = 0
    for slug, title, description, hint, unit, (voters, low, high) in WISHES:
        collective = collectives.get(slug)
        if collective is None:
            continue
        members = list(
            Membership.objects.active()
            .filter(collective=collective)
            .select_related("user")
            .order_by("user__email")
        )
        if not members:
            continue
        wish, _created = Wish.objects.get_or_create(
            collective=collective,
            title=title,
            defaults={
                "description": description,
                "supplier_hint": hint,
                "unit": unit,
                "proposed_by": members[rng.randrange(len(members))].user,
            },
        )
        for membership in rng.sample(members, min(voters, len(members))):
            _vote, made = Vote.objects.get_or_create(
                wish=wish,
                member=membership.user,
                defaults={"quantity": rng.randint(low, high)},
            )
            created += made
    return created


def remove_demo_wishes(collective_slugs) -> None:
    """Votes go with their wish; campaigns made from a wish only lose the link."""
    Wish.objects.filter(collective__slug__in=collective_slugs).delete()
