"""Demo farms: the eight producers of the demo network around Nantes.

Each farm is managed by one demo producer account, in the order of
`amap.members.demo.PRODUCERS`. Positions are given (real towns of
Loire-Atlantique), so no geocoding task runs. Idempotent: running it twice
changes nothing.
"""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from amap.members.models import Membership

from .models import (
    Label,
    ManagerInvitation,
    Offer,
    Partnership,
    Producer,
    Product,
    ProfileSubmission,
)

LABELS = [
    (
        "ab",
        "Agriculture biologique",
        "Le label public de l'agriculture biologique, contrôlé chaque année par "
        "un organisme certificateur.",
    ),
    (
        "nature-progres",
        "Nature & Progrès",
        "Une mention associative fondée sur une charte et des visites de pairs : "
        "paysan·nes et consommateur·rices contrôlent ensemble.",
    ),
    (
        "demeter",
        "Demeter",
        "La marque de l'agriculture biodynamique, au-delà du cahier des charges bio.",
    ),
    (
        "bienvenue-ferme",
        "Bienvenue à la ferme",
        "Le réseau des Chambres d'agriculture pour la vente directe et l'accueil "
        "à la ferme.",
    ),
]

DERVALLIERES = "amap-dervallieres"
TRENTEMOULT = "amap-trentemoult"
CLISSON = "groupement-clisson"

FARMS = [
    {
        "slug": "maraichage-de-la-sevre",
        "name": "Maraîchage de la Sèvre",
        "activity": "Maraîchage diversifié",
        "description": (
            "Thomas cultive une cinquantaine de variétés de légumes sur trois "
            "hectares en bord de Sèvre, à la sortie de Clisson : tomates anciennes, "
            "courges, poireaux, salades toute l'année sous deux tunnels. Pas de "
            "pesticides de synthèse, des engrais verts et du fumier de la ferme "
            "voisine. Les paniers suivent les saisons, et les amapien·nes sont "
            "invités aux chantiers de plantation au printemps."
        ),
        "street": "Chemin de la Garenne",
        "postcode": "44190",
        "town": "Clisson",
        "latitude": Decimal("47.092400"),
        "longitude": Decimal("-1.274600"),
        "phone": "02 40 54 18 27",
        "labels": ["ab"],
        "collectives": [DERVALLIERES, TRENTEMOULT],
        # Proposed by the collective's organisers, waiting for the farm's
        # answer: the demo producer accepts or declines it.
        "proposed_to": [CLISSON],
        "since": dt.date(2012, 4, 5),
    },
    {
        "slug": "fournil-du-loroux",
        "name": "Fournil du Loroux",
        "activity": "Paysanne boulangère",
        "description": (
            "Émilie sème ses blés anciens (rouge de Bordeaux, barbu du Roussillon) "
            "sur douze hectares, les moud sur un moulin Astrié à la ferme et cuit "
            "au feu de bois deux fois par semaine. Pains au levain naturel, "
            "grandes miches à la coupe, brioches le vendredi."
        ),
        "street": "La Haie Barbin",
        "postcode": "44430",
        "town": "Le Loroux-Bottereau",
        "latitude": Decimal("47.245100"),
        "longitude": Decimal("-1.352900"),
        "phone": "06 72 31 45 09",
        "labels": ["nature-progres"],
        "collectives": [DERVALLIERES, CLISSON],
        "since": dt.date(2015, 9, 3),
    },
    {
        "slug": "chevrerie-des-moulins",
        "name": "Chèvrerie des Moulins",
        "activity": "Fromages de chèvre fermiers",
        "description": (
            "Un troupeau de quarante chèvres poitevines qui pâturent les prairies "
            "des coteaux de la Sanguèze d'avril à novembre. Jacques transforme tout "
            "le lait à la ferme : crottins, bûches cendrées, tommes affinées six "
            "mois et faisselles. Les chevreaux restent sous la mère."
        ),
        "street": "Les Moulins de la Sanguèze",
        "postcode": "44330",
        "town": "Vallet",
        "latitude": Decimal("47.168200"),
        "longitude": Decimal("-1.252700"),
        "phone": "02 40 36 92 14",
        "labels": ["ab"],
        "collectives": [DERVALLIERES, TRENTEMOULT, CLISSON],
        "since": dt.date(2014, 3, 20),
    },
    {
        "slug": "ruchers-de-l-erdre",
        "name": "Ruchers de l'Erdre",
        "activity": "Apicultrice",
        "description": (
            "Sophie conduit deux cents ruches le long de l'Erdre, dans les marais "
            "et les bois de châtaigniers. Miels de printemps, de châtaignier et de "
            "bourdaine, extraits à froid et non chauffés ; pollen frais, propolis "
            "et pain d'épices au miel de la maison."
        ),
        "street": "La Chaussée du Bois",
        "postcode": "44240",
        "town": "Sucé-sur-Erdre",
        "latitude": Decimal("47.350600"),
        "longitude": Decimal("-1.520300"),
        "phone": "06 81 27 63 50",
        "labels": ["ab"],
        "collectives": [DERVALLIERES, TRENTEMOULT],
        "since": dt.date(2016, 5, 12),
    },
    {
        "slug": "vergers-de-la-divatte",
        "name": "Vergers de la Divatte",
        "activity": "Arboriculture",
        "description": (
            "Six hectares de vergers sur la levée de la Divatte, face à la Loire : "
            "une trentaine de variétés de pommes et de poires, dont des variétés "
            "locales sauvées avec les Croqueurs de pommes, des prunes et des "
            "cerises en été. Jus, cidre et vinaigre de cidre pressés à la ferme."
        ),
        "street": "Route de la Levée de la Divatte",
        "postcode": "44450",
        "town": "Divatte-sur-Loire",
        "latitude": Decimal("47.276300"),
        "longitude": Decimal("-1.323600"),
        "phone": "02 40 03 68 71",
        "labels": ["ab", "demeter"],
        "collectives": [DERVALLIERES, CLISSON],
        "since": dt.date(2013, 10, 1),
    },
    {
        "slug": "volailles-du-bois-joli",
        "name": "Volailles du Bois-Joli",
        "activity": "Volailles et œufs plein air",
        "description": (
            "Nathalie élève poulets, pintades et poules pondeuses en plein air, en "
            "petits lots sous les chênes du Bois-Joli, nourris avec les céréales "
            "de la ferme. Abattage et découpe à l'atelier de la ferme ; œufs "
            "ramassés la veille de la distribution."
        ),
        "street": "Le Bois-Joli",
        "postcode": "44310",
        "town": "Saint-Philbert-de-Grand-Lieu",
        "latitude": Decimal("47.043900"),
        "longitude": Decimal("-1.651800"),
        "phone": "06 14 58 22 97",
        "labels": ["bienvenue-ferme"],
        "collectives": [DERVALLIERES, TRENTEMOULT],
        "since": dt.date(2017, 1, 12),
    },
    {
        "slug": "ferme-de-la-bouvre",
        "name": "Ferme de la Bouvre",
        "activity": "Élevage bovin et porcin",
        "description": (
            "Olivier élève des vaches nantaises et des porcs blancs de l'Ouest sur "
            "les prairies humides du bord de Loire, à Bouguenais. Les bêtes "
            "passent l'année dehors ; la viande est vendue en colis de cinq ou dix "
            "kilos, et en charcuterie faite à la ferme."
        ),
        "street": "La Bouvre",
        "postcode": "44340",
        "town": "Bouguenais",
        "latitude": Decimal("47.187100"),
        "longitude": Decimal("-1.611200"),
        "phone": "02 40 65 30 48",
        "labels": ["bienvenue-ferme"],
        "collectives": [DERVALLIERES, CLISSON],
        "since": dt.date(2018, 2, 8),
    },
    {
        "slug": "champignonniere-des-coteaux",
        "name": "Champignonnière des Coteaux",
        "activity": "Champignons de culture",
        "description": (
            "Dans d'anciennes caves de tuffeau des coteaux de la Goulaine, Camille "
            "cultive pleurotes, shiitakés et champignons de Paris sur des substrats "
            "de paille et de bois de la région. Récolte le matin de la "
            "distribution, et champignons séchés pour l'hiver."
        ),
        "street": "Les Caves du Coteau",
        "postcode": "44115",
        "town": "Haute-Goulaine",
        "latitude": Decimal("47.201400"),
        "longitude": Decimal("-1.422100"),
        "phone": "06 45 19 83 26",
        "labels": ["ab"],
        "collectives": [DERVALLIERES, TRENTEMOULT],
        "since": dt.date(2020, 9, 17),
    },
]


@transaction.atomic
def build_producers(*, collectives: dict, producer_users: list, organiser) -> list:
    """The labels, the eight farms and their partnerships. Idempotent.

    `collectives` maps the demo collectives' slugs to collectives;
    `producer_users` are the demo producer accounts, one per farm in order;
    `organiser` is référent·e where they organise the collective.
    """
    labels = {}
    for slug, name, description in LABELS:
        labels[slug], _created = Label.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description}
        )
    organised = set(
        Membership.objects.organisers()
        .filter(user=organiser, collective__in=collectives.values())
        .values_list("collective_id", flat=True)
    )
    farms = []
    for data, account in zip(FARMS, producer_users, strict=True):
        fields = {
            key: value
            for key, value in data.items()
            if key not in ("slug", "labels", "collectives", "since", "proposed_to")
        }
        farm, _created = Producer.objects.get_or_create(
            slug=data["slug"],
            defaults={
                **fields,
                "email": account.email,
                "position_source": Producer.PositionSource.GEOCODED,
                "geocode_status": Producer.GeocodeStatus.FOUND,
                "published_at": timezone.now(),
            },
        )
        farm.managers.add(account)
        farm.labels.add(*(labels[slug] for slug in data["labels"]))
        for slug in data["collectives"]:
            collective = collectives[slug]
            Partnership.objects.get_or_create(
                producer=farm,
                collective=collective,
                defaults={
                    "referent": organiser if collective.pk in organised else None,
                    "since": data["since"],
                    "status": Partnership.Status.ACCEPTED,
                    "active": True,
                },
            )
        for slug in data.get("proposed_to", []):
            Partnership.objects.get_or_create(
                producer=farm,
                collective=collectives[slug],
                defaults={
                    "status": Partnership.Status.PROPOSED,
                    "referent": organiser,
                    "proposed_by": organiser,
                    "proposed_at": timezone.now(),
                },
            )
        farms.append(farm)
    _propose_a_change(farms)
    _invite_a_manager(farms[0], invited_by=producer_users[0])
    return farms


def _invite_a_manager(farm: Producer, *, invited_by) -> None:
    """A co-manager invited and not answered yet (visible in the admin, and on
    the dashboard of whoever signs up with that address)."""
    email = f"associee.{invited_by.email}"
    if not ManagerInvitation.objects.filter(producer=farm, email=email).exists():
        ManagerInvitation.objects.create(
            producer=farm, email=email, invited_by=invited_by
        )


PROPOSED_CHANGE = {
    "slug": "chevrerie-des-moulins",
    "activity": "Fromages de chèvre et de brebis fermiers",
    "description": (
        "Un troupeau de quarante chèvres poitevines et, depuis ce printemps, "
        "douze brebis vendéennes qui pâturent les prairies des coteaux de la "
        "Sanguèze d'avril à novembre. Jacques transforme tout le lait à la "
        "ferme : crottins, bûches cendrées, tommes affinées six mois, "
        "faisselles et, nouveauté, une tomme de brebis. Les chevreaux et les "
        "agneaux restent sous la mère."
    ),
}


def _propose_a_change(farms) -> None:
    """A change to one farm's page waits in the organisers' moderation queue
    (once: a farm whose change was reviewed keeps that review)."""
    farm = next(farm for farm in farms if farm.slug == PROPOSED_CHANGE["slug"])
    if farm.profile_submissions.exists():
        return
    ProfileSubmission.objects.create(
        producer=farm,
        submitted_by=farm.managers.first(),
        name=farm.name,
        activity=PROPOSED_CHANGE["activity"],
        description=PROPOSED_CHANGE["description"],
    )


def remove_demo_producers() -> None:
    """Remove the demo farms with their offers and catalogues.

    Offers protect their product and products their farm, so they go in that
    order; run it after the orders that point to the offers are gone.
    """
    slugs = [farm["slug"] for farm in FARMS]
    Offer.objects.filter(product__producer__slug__in=slugs).delete()
    Product.objects.filter(producer__slug__in=slugs).delete()
    Producer.objects.filter(slug__in=slugs).delete()
