"""Demo content for the public site: the page tree of a real-looking network.

Every builder is idempotent: a page that already exists (found by its slug
under its parent) is left as it is, with its history.
"""

from datetime import date

from wagtail.models import Page, Site

from amap.members.demo import COLLECTIVES
from amap.members.models import Collective

from .charter_demo import build_charter
from .models import (
    CollectivePage,
    ContentPage,
    HomePage,
    NewsIndexPage,
    NewsPage,
    ProducerDirectoryPage,
)

SITE_NAME = "Réseau des AMAP du Pays nantais"

HOME_INTRO = (
    "<p>Le Réseau des AMAP du Pays nantais relie des paysan·nes et des familles "
    "qui ont choisi de manger local, de saison, et de payer le juste prix, "
    "<b>sans intermédiaire</b>.</p>"
)

HOME_BODY = [
    ("heading", "Comment ça marche ?"),
    (
        "paragraph",
        "<p>Chaque semaine, les producteur·rices annoncent ce qu'ils récoltent. Vous "
        "réservez votre panier et vos produits en ligne avant la date limite, puis "
        "vous les retirez au lieu de distribution de votre AMAP, où des bénévoles "
        "tiennent la permanence.</p>",
    ),
    ("heading", "Un engagement réciproque"),
    (
        "paragraph",
        "<p>En signant un contrat de saison, vous partagez les aléas de la récolte "
        "avec la ferme, qui s'engage en retour sur des pratiques paysannes, "
        "respectueuses des sols et des animaux.</p>",
    ),
    (
        "quote",
        "Depuis que nous livrons l'AMAP, nous savons chaque lundi pour qui nous "
        "semons. — Thomas, maraîcher à Clisson",
    ),
]

ABOUT = {
    "title": "Qui sommes-nous ?",
    "slug": "qui-sommes-nous",
    "seo_title": "Le réseau, ses AMAP et ses fermes partenaires",
    "search_description": (
        "Une association de bénévoles qui relie des AMAP et des groupements "
        "d'achat du Pays nantais à une trentaine de fermes paysannes."
    ),
    "intro": (
        "<p>Une association loi 1901, animée par des bénévoles, qui relie les AMAP "
        "et les groupements d'achat du Pays nantais aux fermes qui les "
        "nourrissent.</p>"
    ),
    "body": [
        ("heading", "Notre histoire"),
        (
            "paragraph",
            "<p>Tout a commencé en 2007, sous le préau d'une école de Rezé : douze "
            "familles et un maraîcher de Vertou décident de s'engager ensemble pour "
            "une saison. Quinze ans plus tard, le réseau rassemble des AMAP de "
            "quartier, des groupements d'achat de villages et une trentaine de "
            "fermes, toutes à moins de 60 km de Nantes.</p>",
        ),
        ("heading", "Ce que fait le réseau"),
        (
            "paragraph",
            "<ul><li>il aide les nouvelles AMAP à démarrer : statuts, contrats "
            "types, premier lieu de distribution ;</li><li>il met en relation les "
            "collectifs et les paysan·nes qui s'installent ;</li><li>il fait vivre "
            "la charte éthique, discutée chaque année en assemblée générale ;"
            "</li><li>il organise les achats groupés que chaque AMAP ne pourrait "
            "pas porter seule (agrumes, huile d'olive, café).</li></ul>",
        ),
        (
            "quote",
            "Une AMAP, ce n'est pas un magasin : c'est une ferme qu'on fait vivre "
            "ensemble. — Hélène, bénévole depuis 2011",
        ),
    ],
}

HOW_IT_WORKS = {
    "title": "Comment ça marche ?",
    "slug": "comment-ca-marche",
    "seo_title": "Rejoindre une AMAP : contrats, réservations et distributions",
    "search_description": (
        "Choisir son AMAP, signer un contrat de saison, réserver ses produits "
        "chaque semaine et tenir une permanence : le mode d'emploi."
    ),
    "intro": (
        "<p>Rejoindre une AMAP prend dix minutes ; y rester, c'est une "
        "affaire de saisons.</p>"
    ),
    "body": [
        ("heading", "1. Choisir son AMAP"),
        (
            "paragraph",
            "<p>Repérez sur la carte l'AMAP ou le groupement d'achat le plus proche "
            "de chez vous ou de votre travail, puis demandez à le rejoindre : un·e "
            "référent·e valide votre demande et vous accueille à la distribution "
            "suivante.</p>",
        ),
        ("heading", "2. S'engager pour une saison"),
        (
            "paragraph",
            "<p>Les contrats de saison (légumes, pain, œufs, fromages…) se signent "
            "en ligne. Vous choisissez une formule, un nombre de paniers et un "
            "échéancier de paiement ; le prix est fixé avec la ferme, pour toute la "
            "saison.</p>",
        ),
        ("heading", "3. Réserver chaque semaine"),
        (
            "paragraph",
            "<p>En plus du panier, les fermes proposent chaque semaine des produits "
            "à l'unité. Réservez avant la clôture du cycle de commande, en général "
            "le lundi soir ; au-delà, la ferme prépare sa cueillette.</p>",
        ),
        ("heading", "4. Tenir une permanence"),
        (
            "paragraph",
            "<p>Deux ou trois fois par an, vous aidez à la distribution : installer "
            "les tables, accueillir, noter les paniers retirés. C'est aussi le "
            "meilleur moment pour discuter avec les paysan·nes.</p>",
        ),
    ],
}

NEWS_INDEX = {
    "show_in_menus": True,
    "title": "Actualités",
    "slug": "actualites",
    "search_description": "Les nouvelles du réseau, des AMAP et des fermes.",
    "intro": "<p>Les nouvelles du réseau, des AMAP et des fermes partenaires.</p>",
}

NEWS = [
    {
        "title": "Assemblée générale : la charte éthique évolue",
        "slug": "assemblee-generale-charte",
        "date": date(2026, 3, 14),
        "intro": (
            "Réunie à la salle Bonne-Garde, l'assemblée générale a adopté une "
            "nouvelle version de la charte, avec un engagement sur le bien-être "
            "animal et la transparence des prix."
        ),
        "body": [
            (
                "paragraph",
                "<p>Près de 120 adhérent·es et 18 fermes étaient présents. Après "
                "deux ateliers, l'assemblée a adopté la deuxième version de la "
                "charte éthique. Chacun·e sera invité·e à la lire et à l'accepter "
                "lors de sa prochaine connexion.</p>",
            ),
        ],
    },
    {
        "title": "Une nouvelle chèvrerie rejoint le réseau",
        "slug": "nouvelle-chevrerie",
        "date": date(2026, 5, 2),
        "intro": (
            "La Chèvrerie des Moulins, installée à Vallet, livre désormais ses "
            "fromages frais et ses tommes à l'AMAP de Trentemoult."
        ),
        "body": [
            (
                "paragraph",
                "<p>Installée depuis deux ans avec trente chèvres poitevines, Lucie "
                "transforme tout le lait à la ferme. Les contrats fromage "
                "démarrent en juin ; quelques places restent disponibles.</p>",
            ),
        ],
    },
    {
        "title": "Achat groupé d'agrumes de Sicile : c'est reparti",
        "slug": "achat-groupe-agrumes",
        "date": date(2026, 11, 9),
        "intro": (
            "Oranges, citrons et clémentines d'une coopérative sicilienne en "
            "agriculture biologique : engagements ouverts jusqu'au 30 novembre."
        ),
        "body": [
            (
                "paragraph",
                "<p>Comme chaque hiver, le réseau regroupe les commandes de toutes "
                "les AMAP pour remplir un camion complet. Plus nous serons "
                "nombreux, plus le prix au kilo baissera.</p>",
            ),
        ],
    },
]

DIRECTORY = {
    "show_in_menus": True,
    "title": "Les fermes du réseau",
    "slug": "producteurs",
    "seo_title": "Annuaire des fermes paysannes du Pays nantais",
    "search_description": (
        "Maraîchers, boulangers, fromagers, éleveurs et apiculteurs qui livrent "
        "les AMAP du réseau : leurs produits, leurs labels et où les trouver."
    ),
    "intro": (
        "<p>Toutes les fermes qui livrent les AMAP et les groupements du réseau. "
        "Cherchez par produit, par label, ou autour de chez vous.</p>"
    ),
}

COLLECTIVE_PRESENTATION = (
    "<p>Retrouvez ci-dessous les lieux et horaires de distribution, les fermes "
    "qui livrent le collectif et la marche à suivre pour le rejoindre.</p>"
)


def _child(parent: Page, model: type[Page], *, slug: str, **fields) -> Page:
    """The child page of `parent` with this slug, created and published once."""
    existing = parent.get_children().filter(slug=slug).first()
    if existing is not None:
        return existing.specific
    page = model(slug=slug, **fields)
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def build_home() -> HomePage:
    """Fill the home page once; a second run leaves it (and its history) alone."""
    home = HomePage.objects.first()
    if home.title == SITE_NAME and home.live:
        return home
    home.title = SITE_NAME
    home.intro = HOME_INTRO
    home.body = HOME_BODY
    home.seo_title = (
        "Réseau des AMAP du Pays nantais — paniers paysans en circuit court"
    )
    home.search_description = (
        "Paniers de légumes, pain, fromages et viandes de fermes voisines, "
        "réservés en ligne et retirés chaque semaine dans votre quartier."
    )
    home.save_revision().publish()
    Site.objects.filter(is_default_site=True).update(site_name=SITE_NAME)
    return home


def build_collective_pages(home: HomePage, collectives) -> list[CollectivePage]:
    pages = []
    for collective in collectives:
        page = _child(
            home,
            CollectivePage,
            slug=collective.slug,
            title=collective.name,
            collective=collective,
            presentation=f"<p>{collective.description}</p>{COLLECTIVE_PRESENTATION}",
            search_description=collective.description[:250],
        )
        if page.collective_id is None:
            # After `demo --reset` the collective is new: point the page to it.
            CollectivePage.objects.filter(pk=page.pk).update(collective=collective)
        pages.append(page)
    return pages


def build_site() -> HomePage:
    home = build_home()
    directory = _child(home, ProducerDirectoryPage, **DIRECTORY)
    _child(home, ContentPage, **ABOUT)
    _child(
        home,
        ContentPage,
        **{
            **HOW_IT_WORKS,
            "body": HOW_IT_WORKS["body"]
            + [
                (
                    "call_to_action",
                    {
                        "title": "Trouver une ferme près de chez vous",
                        "text": "Légumes, pain, fromages, miel : cherchez par "
                        "produit ou autour de votre commune.",
                        "button_label": "Voir l'annuaire",
                        "page": directory,
                        "url": "",
                    },
                )
            ],
        },
    )
    news_index = _child(home, NewsIndexPage, **NEWS_INDEX)
    for item in NEWS:
        _child(news_index, NewsPage, **item)
    build_charter(home)
    collectives = Collective.objects.filter(
        slug__in=[data["slug"] for data in COLLECTIVES]
    ).order_by("name")
    build_collective_pages(home, collectives)
    return home
