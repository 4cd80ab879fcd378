"""How long the public producer directory takes to answer, and in how many queries.

For each size (100, 500 and 2000 public farms, or `--producers N` for one),
fills a throwaway SQLite database with farms spread around Nantes and Clisson
(a position, up to two labels, ten products on sale across three categories
and one archived, a partnership with a collective), then asks the directory
page for, with Django's test client (anonymous visitor, French):

    producers         public farms in the database
    rows              farms the directory lists without a filter
    list_seconds      median time of the directory without a filter
    list_queries      the queries that request made
    near_rows         farms listed for cheese within 30 km of Clisson
    near_seconds      median time of that search (the fake geocoder answers;
                      the town's position is cached after the warm-up, as on
                      the site)
    near_queries      the queries that request made
    profile_seconds   median time of one farm's public profile
    profile_queries   the queries that request made

and prints a JSON list, one object per size.

    .venv/bin/python bench/directory.py [--producers 500] [--runs 5]

Each measure starts with one request not timed (the warm-up), then one that
counts the queries, then `--runs` timed ones. The database lives in a
temporary directory, deleted at the end; tables are created straight from the
models (no migrations), so the script creates Wagtail's root page, the home
page, the default site and the directory page itself. Sizes share the
database: each adds farms to the previous one's, the same farms a single size
would create (each farm's data is drawn from its own seeded generator).
"""

import argparse
import json
import math
import os
import random
import re
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = (100, 500, 2000)
SETTINGS_MODULE = "directory_bench_settings"
SETTINGS_SOURCE = """\
from pathlib import Path

from amap.settings import *  # noqa: F403


class _NoMigrations:
    def __contains__(self, app):
        return True

    def __getitem__(self, app):
        return None


MIGRATION_MODULES = _NoMigrations()
ALLOWED_HOSTS = ["testserver"]
STATIC_ROOT = Path(__file__).parent / "staticfiles"
SECURE_SSL_REDIRECT = False
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# No collectstatic before a bench: plain storage instead of the manifest.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
"""
DIRECTORY_URL = "/producteurs/"
NEAR = {"near": "Clisson", "distance": 30, "category": "cheese"}
# Farms gather around these two towns, up to this far from them.
CENTRES = ((47.218371, -1.553621), (47.087000, -1.282200))  # Nantes, Clisson
SPREAD_KM = 40
LABELS = (
    ("Agriculture biologique", "ab"),
    ("Nature & Progrès", "nature-progres"),
    ("Demeter", "demeter"),
    ("Haute valeur environnementale", "hve"),
)
COLLECTIVES = (
    ("AMAP des Dervallières", "dervallieres", "Nantes"),
    ("AMAP de Trentemoult", "trentemoult", "Rezé"),
    ("AMAP du Vignoble", "vignoble", "Clisson"),
)
# (main category, its weight, the activity shown on the card)
FARM_KINDS = (
    ("vegetables", 6, "Maraîchage"),
    ("fruit", 2, "Arboriculture"),
    ("bread", 2, "Boulangerie paysanne"),
    ("cheese", 3, "Fromagerie"),
    ("eggs", 2, "Élevage de poules pondeuses"),
    ("poultry", 1, "Volailles"),
    ("meat", 2, "Élevage"),
    ("honey", 1, "Apiculture"),
    ("mushrooms", 1, "Champignonnière"),
    ("drinks", 1, "Viticulture"),
)
PRODUCTS_ON_SALE = 10
RESULT_COUNT_RE = re.compile(r'data-result-count="(\d+)"')


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--producers", type=int, help="one size only")
    parser.add_argument("--runs", type=int, default=5, help="runs per measure")
    return parser.parse_args()


def set_up_django(directory: str) -> None:
    Path(directory, f"{SETTINGS_MODULE}.py").write_text(SETTINGS_SOURCE)
    Path(directory, "staticfiles").mkdir()
    sys.path[:0] = [directory, str(ROOT)]
    os.environ.update(
        DATABASE_URL=f"sqlite:///{Path(directory) / 'bench.sqlite3'}",
        DEBUG="0",
        SECRET_KEY="bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEF",
        DJANGO_SETTINGS_MODULE=SETTINGS_MODULE,
        GEOCODER="fake",
        LOG_LEVEL="WARNING",
    )
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", run_syncdb=True, verbosity=0)


def create_site() -> None:
    """What Wagtail's and the cms migrations would have created, and the page."""
    from django.conf import settings
    from wagtail.coreutils import get_supported_content_language_variant
    from wagtail.models import Locale, Page, Site

    from amap.members.models import Collective
    from amap.producers.models import Label
    from cms.models import HomePage, ProducerDirectoryPage

    locale = Locale.objects.create(
        language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
    )
    root = Page.add_root(instance=Page(title="Root", slug="root", locale=locale))
    home = root.add_child(instance=HomePage(title="Réseau des AMAP", slug="home"))
    Site.objects.create(hostname="localhost", root_page=home, is_default_site=True)
    directory = home.add_child(
        instance=ProducerDirectoryPage(
            title="Les fermes", slug=DIRECTORY_URL.strip("/")
        )
    )
    directory.save_revision().publish()
    Label.objects.bulk_create(Label(name=name, slug=slug) for name, slug in LABELS)
    Collective.objects.bulk_create(
        Collective(name=name, slug=slug, town=town) for name, slug, town in COLLECTIVES
    )


def nearest_town(latitude: float, longitude: float) -> tuple[str, str]:
    """(postcode, town) of the closest place of the fake geocoder's table."""
    from amap.geocoding import FAKE_PLACES

    scale = math.cos(math.radians(latitude))
    place = min(
        (p for p in FAKE_PLACES if p.startswith("44")),
        key=lambda p: (
            (FAKE_PLACES[p][0] - latitude) ** 2
            + ((FAKE_PLACES[p][1] - longitude) * scale) ** 2
        ),
    )
    return place[:5], place[6:].title()


def add_farms(start: int, stop: int) -> None:
    """Farms number `start` to `stop - 1`, each drawn from its own generator."""
    from django.utils import timezone

    from amap.members.models import Collective
    from amap.producers.models import Label, Partnership, Producer, Product

    labels = list(Label.objects.order_by("slug"))
    collectives = list(Collective.objects.order_by("slug"))
    categories = [value for value, _ in Product.Category.choices]
    now = timezone.now()
    farms, drawn = [], []
    for number in range(start, stop):
        rng = random.Random(number)
        main, _, activity = rng.choices(
            FARM_KINDS, weights=[kind[1] for kind in FARM_KINDS]
        )[0]
        centre_latitude, centre_longitude = rng.choice(CENTRES)
        distance = SPREAD_KM * math.sqrt(rng.random())
        bearing = rng.uniform(0, 2 * math.pi)
        latitude = centre_latitude + distance * math.cos(bearing) / 111.2
        longitude = centre_longitude + distance * math.sin(bearing) / (
            111.2 * math.cos(math.radians(centre_latitude))
        )
        postcode, town = nearest_town(latitude, longitude)
        farms.append(
            Producer(
                name=f"{activity} n°{number}",
                slug=f"ferme-{number}",
                activity=activity,
                description="Une ferme du réseau. " * 20,
                street=f"{number} route des Vignes",
                postcode=postcode,
                town=town,
                latitude=Decimal(f"{latitude:.6f}"),
                longitude=Decimal(f"{longitude:.6f}"),
                position_source=Producer.PositionSource.GEOCODED,
                geocode_status=Producer.GeocodeStatus.FOUND,
                published_at=now,
            )
        )
        others = rng.sample([c for c in categories if c != main], 2)
        drawn.append(
            (
                [main] * 6 + [others[0]] * 2 + [others[1]] * 2,
                rng.sample(labels, rng.randint(0, 2)),
                rng.choice(collectives),
            )
        )
    farms = Producer.objects.bulk_create(farms)
    products, farm_labels, partnerships = [], [], []
    for farm, (product_categories, farm_label_list, collective) in zip(
        farms, drawn, strict=True
    ):
        for index, category in enumerate(product_categories):
            products.append(
                Product(
                    producer=farm,
                    name=f"Produit {index} de {farm.slug}",
                    category=category,
                    price=Decimal("3.20"),
                )
            )
        products.append(
            Product(
                producer=farm,
                name=f"Ancien produit de {farm.slug}",
                category=Product.Category.CHEESE,
                price=Decimal("5.00"),
                active=False,
            )
        )
        farm_labels += [
            Producer.labels.through(producer=farm, label=label)
            for label in farm_label_list
        ]
        partnerships.append(Partnership(producer=farm, collective=collective))
    Product.objects.bulk_create(products, batch_size=1000)
    Producer.labels.through.objects.bulk_create(farm_labels, batch_size=1000)
    Partnership.objects.bulk_create(partnerships, batch_size=1000)


def measure_get(client, url: str, params: dict, runs: int) -> dict:
    """Warm-up, then one request that counts queries, then `runs` timed ones."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def get():
        response = client.get(url, params)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} {params}: {response.status_code}")
        return response

    get()
    with CaptureQueriesContext(connection) as queries:
        response = get()
    # Read now: the next request empties the connection's query log.
    query_count = len(queries)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        get()
        times.append(time.perf_counter() - start)
    return {
        "seconds": round(statistics.median(times), 3),
        "queries": query_count,
        "content": response.content.decode(),
    }


def listed(content: str) -> int:
    """The number of farms the page says it lists, checked against its cards."""
    count = int(RESULT_COUNT_RE.search(content)[1])
    cards = content.count('<li class="card" data-producer=')
    if count != cards:
        raise RuntimeError(f"the page says {count} producers and shows {cards}")
    return count


def measure(size: int, runs: int) -> dict:
    from django.test import Client

    from amap.producers.models import Producer

    existing = Producer.objects.count()
    add_farms(existing, size)
    client = Client()
    everything = measure_get(client, DIRECTORY_URL, {}, runs)
    near = measure_get(client, DIRECTORY_URL, NEAR, runs)
    profile = measure_get(client, f"{DIRECTORY_URL}ferme-0/", {}, runs)
    return {
        "producers": Producer.objects.public().count(),
        "rows": listed(everything["content"]),
        "list_seconds": everything["seconds"],
        "list_queries": everything["queries"],
        "near_rows": listed(near["content"]),
        "near_seconds": near["seconds"],
        "near_queries": near["queries"],
        "profile_seconds": profile["seconds"],
        "profile_queries": profile["queries"],
    }


def main():
    args = parse_args()
    sizes = [args.producers] if args.producers else list(SIZES)
    with tempfile.TemporaryDirectory(prefix="amap-directory-bench-") as directory:
        set_up_django(directory)
        create_site()
        results = [measure(size, args.runs) for size in sorted(sizes)]
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
