"""The demo's ethical charter: version 1, accepted by the demo people, then
version 2 with its "what changed" note, so that logging in shows the diff."""

from wagtail.models import Page

from amap.members.demo import DEMO_DOMAIN, demo_email
from amap.members.models import CharterAcceptance, CharterNotice, CharterVersion
from amap.members.services import accept_charter, people_bound_by_charter
from amap.producers.models import CharterCommitment, Producer

from .charter import CharterPage

TITLE = "Charte éthique du réseau"
INTRO = (
    "<p>Ce que les paysans, les amapiens et les bénévoles du réseau "
    "s'engagent à faire vivre ensemble, semaine après semaine.</p>"
)
COMMITMENTS_V1 = [
    (
        "Une agriculture paysanne",
        "Les fermes du réseau sont à taille humaine, autonomes et transmissibles. "
        "Le paysan produit lui-même ce qu'il vend ; il n'achète pas pour revendre.",
    ),
    (
        "Le respect de la terre et du vivant",
        "Pas d'OGM, pas de pesticides de synthèse ni d'engrais chimiques. Les sols "
        "sont nourris, les haies gardées, les semences paysannes encouragées.",
    ),
    (
        "Un prix juste, fixé ensemble",
        "Le prix des paniers est discuté chaque saison entre le paysan et le "
        "collectif, sur la base des coûts réels de la ferme et d'un revenu digne.",
    ),
    (
        "La solidarité face aux aléas",
        "Les amapiens s'engagent pour la saison : une grêle ou une sécheresse "
        "se partage, et un panier plus léger ne se rembourse pas.",
    ),
    (
        "La transparence et les visites de ferme",
        "Chaque ferme accueille les amapiens au moins une fois par saison et "
        "répond aux questions sur ses pratiques.",
    ),
]
COMMITMENTS_V2 = COMMITMENTS_V1[:2] + [
    (
        "Un prix juste, fixé ensemble",
        "Le prix des paniers est discuté chaque saison entre le paysan et le "
        "collectif, sur la base des coûts réels de la ferme et d'un revenu digne. "
        "Une caisse de solidarité permet aux foyers modestes de payer moins, "
        "sans que le paysan ne perde rien.",
    ),
    *COMMITMENTS_V1[3:],
    (
        "Des livraisons sobres",
        "Les tournées sont mutualisées entre fermes voisines et les emballages "
        "consignés ou réutilisés.",
    ),
]
WHAT_CHANGED_V2 = (
    "Une caisse de solidarité pour les foyers modestes, et un nouvel engagement "
    "sur des livraisons sobres (tournées mutualisées, emballages consignés)."
)


def _body(commitments) -> str:
    return "".join(f"<h2>{title}</h2><p>{text}</p>" for title, text in commitments)


def _demo_people_accepted_the_first_version() -> None:
    """History for the demo: its people accepted version 1 (those who have
    accepted nothing yet, e.g. after `demo --reset`), so that logging in shows
    what changed in the current version."""
    first = CharterVersion.objects.order_by("number").first()
    if first is None or not CharterVersion.objects.filter(number__gt=first.number):
        return
    people = people_bound_by_charter().filter(
        email__endswith=f"@{DEMO_DOMAIN}", charter_acceptances__isnull=True
    )
    CharterAcceptance.objects.bulk_create(
        [CharterAcceptance(user=user, version=first) for user in people],
        ignore_conflicts=True,
    )


# The demo's login accounts see the new version at their next visit.
LOGIN_ACCOUNTS = [
    demo_email(local) for local in ("organisatrice", "amapien", "producteur", "admin")
]


def _most_demo_people_accepted_the_current_version() -> None:
    """History for the demo: everyone was told of the current version, and
    about three people in five (and the farms they run) already accepted it,
    so that the organisers see a realistic few who have not; the login
    accounts have not, so that logging in shows what changed."""
    current = CharterVersion.objects.latest_first().first()
    if current is None or current.number == 1:
        return
    people = (
        people_bound_by_charter()
        .filter(email__endswith=f"@{DEMO_DOMAIN}")
        .exclude(email__in=LOGIN_ACCOUNTS)
        .order_by("pk")
    )
    CharterAcceptance.objects.bulk_create(
        [
            CharterAcceptance(user=user, version=current)
            for index, user in enumerate(people)
            if index % 5 < 3
        ],
        ignore_conflicts=True,
    )
    # Everyone was told by email when it was published, not at the task
    # worker's first run after `make run`.
    CharterNotice.objects.bulk_create(
        [
            CharterNotice(user=user, version=current)
            for user in people_bound_by_charter().filter(
                email__endswith=f"@{DEMO_DOMAIN}"
            )
        ],
        ignore_conflicts=True,
    )


# What two demo farms say about the charter's commitments, already approved.
FARM_STATEMENTS = {
    "maraichage-de-la-sevre": {
        "Une agriculture paysanne": (
            "Nous sommes deux associés sur six hectares, sans salarié saisonnier "
            "précaire : les semis, les récoltes et la vente, c'est nous."
        ),
        "Un prix juste, fixé ensemble": (
            "Le prix du panier est discuté chaque hiver avec l'AMAP, chiffres de "
            "la ferme sur la table : semences, gazole, temps passé."
        ),
        "Des livraisons sobres": (
            "Une seule tournée le mardi, en camion utilitaire, qui dessert trois "
            "lieux de distribution dans l'ordre."
        ),
    },
    "chevrerie-des-moulins": {
        "Le respect de la terre et du vivant": (
            "Les chèvres pâturent d'avril à novembre ; le foin vient de nos "
            "prairies, sans maïs ni soja importé."
        ),
        "La transparence et les visites de ferme": (
            "Portes ouvertes chaque premier samedi de juin : traite, fromagerie "
            "et caves d'affinage."
        ),
    },
}


def _farm_statements() -> None:
    """Approved statements for the demo farms (created once, never changed)."""
    farms = {
        farm.slug: farm
        for farm in Producer.objects.filter(slug__in=list(FARM_STATEMENTS))
    }
    for slug, statements in FARM_STATEMENTS.items():
        if slug not in farms:
            continue
        for heading, text in statements.items():
            CharterCommitment.objects.get_or_create(
                producer=farms[slug],
                heading=heading,
                defaults={"statement": text, "published_statement": text},
            )


def build_charter(home: Page) -> CharterPage:
    """The charter page under `home`, created once, in two published versions."""
    _farm_statements()
    existing = CharterPage.objects.child_of(home).first()
    if existing is not None:
        _demo_people_accepted_the_first_version()
        _most_demo_people_accepted_the_current_version()
        return existing
    page = CharterPage(
        title=TITLE,
        slug="charte",
        intro=INTRO,
        body=_body(COMMITMENTS_V1),
        show_in_menus=True,
    )
    home.add_child(instance=page)
    page.save_revision().publish()
    v1 = CharterVersion.objects.latest_first().first()
    for user in people_bound_by_charter().filter(email__endswith=f"@{DEMO_DOMAIN}"):
        accept_charter(user=user, version=v1)
    page.body = _body(COMMITMENTS_V2)
    page.what_changed = WHAT_CHANGED_V2
    page.save_revision().publish()
    _most_demo_people_accepted_the_current_version()
    return page
