"""Demo content for the public site."""

from wagtail.models import Site

from .models import HomePage

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


SITE_NAME = "Réseau des AMAP du Pays nantais"


def build_site() -> HomePage:
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
