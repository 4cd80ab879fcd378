"""Demo people and collectives: a small network around Nantes (Loire-Atlantique).

Every demo account's address ends in DEMO_DOMAIN, which is how `demo --reset`
finds what to remove. Names come from a fixed seed, so two runs agree.
"""

import random

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from .models import CharterAcceptance, Collective, Invitation, Membership, User

DEMO_DOMAIN = "demo.amap.example"
DEMO_PASSWORD = "amap-demo"

COLLECTIVES = [
    {
        "slug": "amap-dervallieres",
        "name": "AMAP des Dervallières",
        "kind": Collective.Kind.AMAP,
        "town": "Nantes",
        "description": (
            "Une AMAP de quartier née en 2009 autour de la Maison de quartier des "
            "Dervallières. Chaque jeudi soir, une cinquantaine de foyers retrouvent "
            "leurs paniers de légumes, leur pain et leurs fromages, et les paysan·nes "
            "qui les produisent à moins de 40 km."
        ),
    },
    {
        "slug": "amap-trentemoult",
        "name": "AMAP de Trentemoult",
        "kind": Collective.Kind.AMAP,
        "town": "Rezé",
        "description": (
            "Au bord de la Loire, l'AMAP de Trentemoult distribue le mardi soir sous "
            "le préau de l'école du Port-au-Blé. Légumes, œufs, volailles, miel et "
            "champignons, en contrat de saison ou à la commande."
        ),
    },
    {
        "slug": "groupement-clisson",
        "name": "Groupement d'achat du Vignoble",
        "kind": Collective.Kind.BUYING_GROUP,
        "town": "Clisson",
        "description": (
            "Un groupement d'achat de familles du vignoble nantais : commandes "
            "groupées d'agrumes, d'huile d'olive et de café, et produits des fermes "
            "voisines, retirés le samedi matin aux halles de Clisson."
        ),
    },
]

# The eight farms the demo network works with; the producer area links each
# account to its farm.
PRODUCERS = [
    ("Thomas", "Guérin", "maraicher", "Maraîchage de la Sèvre"),
    ("Émilie", "Rousseau", "boulangere", "Fournil du Loroux"),
    ("Jacques", "Fleury", "fromager", "Chèvrerie des Moulins"),
    ("Sophie", "Lemaire", "apicultrice", "Ruchers de l'Erdre"),
    ("Antoine", "Blanchard", "arboriculteur", "Vergers de la Divatte"),
    ("Nathalie", "Caillaud", "volailles", "Volailles du Bois-Joli"),
    ("Olivier", "Perraud", "eleveur", "Ferme de la Bouvre"),
    ("Camille", "Morin", "champignons", "Champignonnière des Coteaux"),
]

FIRST_NAMES = [
    "Anne",
    "Bernard",
    "Céline",
    "Damien",
    "Élodie",
    "François",
    "Gaëlle",
    "Hugo",
    "Inès",
    "Julien",
    "Karine",
    "Louis",
    "Manon",
    "Nicolas",
    "Océane",
    "Pierre",
    "Quentin",
    "Rachel",
    "Sébastien",
    "Tiphaine",
    "Ulysse",
    "Valérie",
    "William",
    "Yasmine",
    "Zoé",
    "Agnès",
    "Baptiste",
    "Chloé",
    "Denis",
    "Estelle",
    "Fabien",
    "Gwénaëlle",
    "Hélène",
    "Isabelle",
    "Jérôme",
    "Laure",
    "Mathieu",
    "Nadia",
    "Pauline",
    "Romain",
    "Sylvie",
    "Thibault",
    "Véronique",
    "Yann",
    "Maël",
    "Léa",
    "Gaspard",
    "Noémie",
    "Erwan",
    "Solène",
]
LAST_NAMES = [
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefebvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "François",
    "Martinez",
    "Legrand",
    "Garnier",
    "Faure",
    "Rousseau",
    "Blanc",
    "Guerin",
    "Muller",
    "Henry",
    "Roussel",
    "Nicolas",
    "Perrin",
    "Mathieu",
    "Clément",
    "Gauthier",
    "Le Goff",
    "Le Gall",
    "Kerbrat",
    "Tessier",
    "Chevalier",
    "Charpentier",
    "Baudry",
    "Ménard",
    "Brochard",
    "Ollivier",
    "Jamet",
    "Pineau",
]

MEMBER_COUNT = 150


def demo_email(local: str) -> str:
    return f"{local}@{DEMO_DOMAIN}"


def _slug(text: str) -> str:
    from django.utils.text import slugify

    return slugify(text).replace("-", ".")


def _ensure_users(rows: list[tuple[str, str, str]], password_hash: str) -> dict:
    """Create the missing users of `(email, first, last)` rows in bulk."""
    emails = [email for email, _first, _last in rows]
    existing = {u.email: u for u in User.objects.filter(email__in=emails)}
    new = [
        User(email=email, first_name=first, last_name=last, password=password_hash)
        for email, first, last in rows
        if email not in existing
    ]
    User.objects.bulk_create(new)
    users = {u.email: u for u in User.objects.filter(email__in=emails)}
    have_address = set(
        EmailAddress.objects.filter(email__in=emails).values_list("email", flat=True)
    )
    EmailAddress.objects.bulk_create(
        [
            EmailAddress(user=u, email=u.email, verified=True, primary=True)
            for u in users.values()
            if u.email not in have_address
        ]
    )
    return users


def build_members() -> dict:
    """Collectives, 150 members, organisers and producer accounts. Idempotent."""
    rng = random.Random(2026)
    password_hash = make_password(DEMO_PASSWORD)
    today = timezone.localdate()

    collectives = {}
    for data in COLLECTIVES:
        collective, _created = Collective.objects.update_or_create(
            slug=data["slug"],
            defaults={**data, "contact_email": demo_email(data["slug"])},
        )
        collectives[data["slug"]] = collective

    _ensure_users([(demo_email("admin"), "Admin", "Réseau")], password_hash)
    User.objects.filter(email=demo_email("admin")).update(
        is_staff=True, is_superuser=True
    )
    admin = User.objects.get(email=demo_email("admin"))

    rows = [
        (demo_email("organisatrice"), "Françoise", "Lebrun"),
        (demo_email("amapien"), "Martin", "Jouan"),
    ]
    used = set()
    while len(rows) < MEMBER_COUNT + 2:
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        local = f"{_slug(first)}.{_slug(last)}"
        if local in used:
            continue
        used.add(local)
        rows.append((demo_email(local), first, last))
    producer_rows = [
        (demo_email("producteur" if i == 0 else f"producteur{i + 1}"), first, last)
        for i, (first, last, _kind, _farm) in enumerate(PRODUCERS)
    ]
    users = _ensure_users(rows + producer_rows, password_hash)

    slugs = list(collectives)
    memberships = []

    def add(user, slug, role=Membership.Role.MEMBER, status=Membership.Status.ACTIVE):
        joined = today - timezone.timedelta(days=rng.randint(30, 1500))
        memberships.append(
            Membership(
                user=user,
                collective=collectives[slug],
                role=role,
                status=status,
                joined_on=joined if status == Membership.Status.ACTIVE else None,
            )
        )

    organiser = users[demo_email("organisatrice")]
    add(organiser, "amap-dervallieres", Membership.Role.ORGANISER)
    add(organiser, "groupement-clisson", Membership.Role.ORGANISER)
    add(users[demo_email("amapien")], "amap-dervallieres")
    add(users[demo_email("amapien")], "groupement-clisson")

    members = [users[email] for email, _f, _l in rows[2:]]
    for i, user in enumerate(members):
        slug = slugs[i % 3]
        if i < 6:  # two extra organisers per collective
            add(user, slug, Membership.Role.ORGANISER)
        elif i >= MEMBER_COUNT - 9:  # a few requests waiting in each collective
            add(user, slug, status=Membership.Status.PENDING)
        else:
            add(user, slug)
            if i % 7 == 0:  # some households belong to two collectives
                add(user, slugs[(i + 1) % 3])

    existing = set(
        Membership.objects.filter(collective__in=collectives.values()).values_list(
            "user_id", "collective_id"
        )
    )
    Membership.objects.bulk_create(
        [m for m in memberships if (m.user.pk, m.collective.pk) not in existing]
    )

    invitee = demo_email("nouvelle.voisine")
    if not Invitation.objects.filter(email=invitee).exists():
        Invitation.objects.create(
            collective=collectives["amap-dervallieres"],
            email=invitee,
            invited_by=organiser,
        )

    return {
        "collectives": collectives,
        "admin": admin,
        "organiser": organiser,
        "member": users[demo_email("amapien")],
        "producers": [users[email] for email, _f, _l in producer_rows],
    }


def remove_demo_members() -> None:
    Invitation.objects.filter(email__endswith=f"@{DEMO_DOMAIN}").delete()
    # Acceptances are kept for good, except those of the demo's fake people.
    CharterAcceptance.objects.filter(user__email__endswith=f"@{DEMO_DOMAIN}").delete()
    Collective.objects.filter(slug__in=[c["slug"] for c in COLLECTIVES]).delete()
    User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}").delete()
