from decimal import Decimal

import pytest
from pytest_django.asserts import assertContains, assertNotContains

from amap import geocoding
from amap.producers.models import Product
from cms.models import CollectivePage
from tests.factories import (
    LabelFactory,
    PartnershipFactory,
    ProducerFactory,
    ProductFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

# (postcode, town, latitude, longitude) of farms around Clisson.
VALLET = ("44330", "Vallet", Decimal("47.161700"), Decimal("-1.266100"))
NANTES = ("44000", "Nantes", Decimal("47.218371"), Decimal("-1.553621"))
SAINT_HERBLAIN = ("44800", "Saint-Herblain", Decimal("47.212200"), Decimal("-1.649700"))


def farm(name, place, **kwargs):
    postcode, town, latitude, longitude = place
    return ProducerFactory(
        name=name,
        postcode=postcode,
        town=town,
        latitude=latitude,
        longitude=longitude,
        **kwargs,
    )


@pytest.fixture
def farms(db):
    bio = LabelFactory(name="Agriculture biologique", slug="ab")
    chevrerie = farm("Chèvrerie des Moulins", VALLET, slug="chevrerie")
    chevrerie.labels.add(bio)
    ProductFactory(producer=chevrerie, name="Crottin", category=Product.Category.CHEESE)
    fromagerie = farm("Fromagerie de Saint-Herblain", SAINT_HERBLAIN, slug="fromagerie")
    ProductFactory(producer=fromagerie, name="Tomme", category=Product.Category.CHEESE)
    maraichage = farm("Maraîchage de l'Erdre", NANTES, slug="maraichage")
    maraichage.labels.add(bio)
    ProductFactory(producer=maraichage, name="Poireaux")
    ProductFactory(
        producer=maraichage,
        name="Vieux fromage",
        category=Product.Category.CHEESE,
        active=False,
    )
    farm("Ferme en sommeil", VALLET, slug="sommeil", active=False)
    return {"chevrerie": chevrerie, "fromagerie": fromagerie, "maraichage": maraichage}


def listed(response):
    return [entry.producer.slug for entry in response.context["entries"]]


def test_the_directory_lists_every_active_producer(client, directory, farms):
    response = client.get("/producteurs/")

    assert listed(response) == ["chevrerie", "fromagerie", "maraichage"]
    assertNotContains(response, "Ferme en sommeil")
    assertContains(response, 'href="/producteurs/chevrerie/"')
    features = response.context["map_data"]["features"]
    assert {f["properties"]["url"] for f in features} == {
        "/producteurs/chevrerie/",
        "/producteurs/fromagerie/",
        "/producteurs/maraichage/",
    }


def test_the_directory_filters_by_product_category(client, directory, farms):
    """A product no longer on sale does not count."""
    response = client.get("/producteurs/", {"category": "cheese"})

    assert listed(response) == ["chevrerie", "fromagerie"]


def test_the_directory_filters_by_label(client, directory, farms):
    response = client.get("/producteurs/", {"label": "ab"})

    assert listed(response) == ["chevrerie", "maraichage"]


def test_the_directory_filters_by_name_or_activity(client, directory, farms):
    response = client.get("/producteurs/", {"q": "fromagerie"})

    assert listed(response) == ["fromagerie"]


@pytest.mark.parametrize(
    ("near", "distance", "expected"),
    [
        ("Clisson", 10, ["chevrerie"]),
        ("44190", 30, ["chevrerie", "maraichage"]),
        ("44190 Clisson", 50, ["chevrerie", "maraichage", "fromagerie"]),
    ],
)
def test_the_directory_filters_by_distance_nearest_first(
    client, directory, farms, near, distance, expected
):
    response = client.get("/producteurs/", {"near": near, "distance": distance})

    assert listed(response) == expected
    distances = [entry.distance for entry in response.context["entries"]]
    assert distances == sorted(distances)
    assert Decimal("8") < distances[0] < Decimal("9")


def test_cheese_makers_within_30_km_of_a_town(client, directory, farms):
    response = client.get(
        "/producteurs/", {"near": "Clisson", "distance": 30, "category": "cheese"}
    )

    assert listed(response) == ["chevrerie"]
    assertContains(response, 'data-distance="8.')


def test_a_search_near_a_town_without_a_distance_shows_the_one_it_uses(
    client, directory, farms
):
    response = client.get("/producteurs/", {"near": "44190"})

    assert listed(response) == ["chevrerie", "maraichage"]  # within 30 km
    assertContains(response, '<option value="30" selected>')


def test_an_unknown_town_is_explained_next_to_the_field(client, directory, farms):
    response = client.get("/producteurs/", {"near": "Atlantide"})

    assertContains(response, "This town or postcode was not found")
    assert listed(response) == []


def test_an_unavailable_geocoder_is_explained(client, directory, farms, monkeypatch):
    def unavailable(**kwargs):
        raise geocoding.GeocodingUnavailable("down")

    monkeypatch.setattr(geocoding, "geocode", unavailable)

    response = client.get("/producteurs/", {"near": "Montaigu"})

    assert response.status_code == 200
    assertContains(response, "cannot answer now")


def test_bad_filter_values_are_not_an_error(client, directory, farms):
    response = client.get(
        "/producteurs/", {"category": "caviar", "label": "nope", "distance": "x"}
    )

    assert response.status_code == 200
    assert listed(response) == []


@pytest.mark.parametrize("count", [5, 500])
def test_the_directory_has_a_fixed_number_of_queries(
    client, directory, count, django_assert_num_queries
):
    bio = LabelFactory()
    producers = ProducerFactory.create_batch(count)
    for producer in producers:
        producer.labels.add(bio)
    Product.objects.bulk_create(
        Product(producer=producer, name=f"Produit {producer.pk}", price=Decimal("2.00"))
        for producer in producers
    )

    # The site, the page and its route (six), the producers with their labels
    # and products (three), the site's root paths for the profile links, the
    # label choices of the form: ten, whatever the number of producers.
    with django_assert_num_queries(10):
        response = client.get("/producteurs/")

    assert len(response.context["entries"]) == count


def test_a_distance_search_over_500_producers_keeps_its_queries(
    client, directory, django_assert_num_queries
):
    ProducerFactory.create_batch(500)

    with django_assert_num_queries(10):
        response = client.get("/producteurs/", {"near": "Clisson", "distance": 10})

    assert len(response.context["entries"]) == 500


# Public profile


def test_a_producer_profile_shows_its_public_data(
    client, directory, farms, collective, other_collective
):
    chevrerie = farms["chevrerie"]
    chevrerie.description = "Trente chèvres poitevines."
    chevrerie.save()
    ProductFactory(producer=chevrerie, name="Œufs frais", category="eggs")
    PartnershipFactory(producer=chevrerie, collective=collective)
    PartnershipFactory(producer=chevrerie, collective=other_collective, active=False)
    page = CollectivePage(
        title=collective.name, slug="dervallieres", collective=collective
    )
    directory.get_parent().add_child(instance=page)
    page.save_revision().publish()

    response = client.get("/producteurs/chevrerie/")

    assertContains(response, "<h1>Chèvrerie des Moulins</h1>", html=True)
    assertContains(response, "Trente chèvres poitevines.")
    assertContains(response, "Agriculture biologique")
    assert list(response.context["products_by_category"]) == [
        "Cheese and dairy",
        "Eggs",
    ]
    assertContains(response, '<a href="/dervallieres/">AMAP des Dervallières</a>')
    assertNotContains(response, "AMAP de Trentemoult")
    assertContains(response, 'data-map="point"')
    assertContains(
        response, '<meta property="og:title" content="Chèvrerie des Moulins">'
    )


@pytest.mark.parametrize("slug", ["sommeil", "inconnue"])
def test_an_inactive_or_unknown_producer_has_no_profile(client, directory, farms, slug):
    assert client.get(f"/producteurs/{slug}/").status_code == 404


# Search


def test_search_finds_pages_producers_and_products(client, directory, farms):
    response = client.get("/recherche/", {"q": "fromage"})

    assert [p.slug for p in response.context["producers"]] == ["fromagerie"]
    assertContains(response, 'href="/producteurs/fromagerie/"')
    response = client.get("/recherche/", {"q": "crottin"})
    assert [p.name for p in response.context["products"]] == ["Crottin"]
    response = client.get("/recherche/", {"q": "fermes"})
    assert [p.title for p in response.context["pages"]] == ["Les fermes"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("CHEVRERIE", ["chevrerie"]),  # no accent, capitals
        ("maraichage erdre", ["maraichage"]),  # words in any order
        ("erdre maraîchage", ["maraichage"]),
        ("poireaux", ["maraichage"]),  # a product on sale
        ("vieux fromage", []),  # a product no longer on sale
        ("saint herblain", ["fromagerie"]),  # the town, typed without its hyphen
        ("saint-herblain", ["fromagerie"]),
    ],
)
def test_the_directory_matches_as_people_type(
    client, directory, farms, query, expected
):
    assert listed(client.get("/producteurs/", {"q": query})) == expected


@pytest.mark.parametrize(
    "query", ['"fromage', 'fromage"', "(fromage)", "fromage*", "« fromage »"]
)
def test_search_reads_quotes_and_operators_as_plain_words(
    client, directory, farms, query
):
    response = client.get("/recherche/", {"q": query})
    assert [p.slug for p in response.context["producers"]] == ["fromagerie"]


@pytest.mark.parametrize("query", ['"', "'", "'\"", "*", "\x00", "- ( ) :"])
def test_search_finds_nothing_for_punctuation_alone(client, directory, farms, query):
    response = client.get("/recherche/", {"q": query})
    assert response.context["producers"] == []
    assert response.context["products"] == []
    assertContains(response, "No page matches your search.")


def test_search_ignores_accents_and_ligatures(client, directory, farms):
    ProductFactory(producer=farms["chevrerie"], name="Œufs frais")
    response = client.get("/recherche/", {"q": "oeufs"})
    assert [p.name for p in response.context["products"]] == ["Œufs frais"]
    response = client.get("/recherche/", {"q": "chevrerie"})
    assert [p.slug for p in response.context["producers"]] == ["chevrerie"]


def test_search_keeps_its_queries_with_many_farms(
    client, directory, django_assert_max_num_queries
):
    for number in range(60):
        producer = farm(f"Ferme {number}", VALLET, slug=f"ferme-{number}")
        ProductFactory.create_batch(3, producer=producer, name="Miel de châtaignier")
    with django_assert_max_num_queries(8):
        response = client.get("/recherche/", {"q": "miel chataignier"})
    assert len(response.context["products"]) == 30  # the first 30 shown


def test_search_without_a_query_shows_the_form(client, directory):
    response = client.get("/recherche/")

    assertContains(response, 'name="q"')
    assertNotContains(response, "No page matches")


def test_a_profile_lists_products_by_category_then_name_as_read_in_french(
    client, directory, farms
):
    farm = farms["chevrerie"]
    farm.products.all().delete()
    for name, category in [
        ("Panier du mois", "basket"),
        ("Crottin sec", "cheese"),
        ("Crème dessert", "cheese"),
        ("Échalotes", "vegetables"),
        ("Carottes", "vegetables"),
    ]:
        ProductFactory(producer=farm, name=name, category=category)

    response = client.get(f"/producteurs/{farm.slug}/")

    listed_products = {
        category: [p.name for p in products]
        for category, products in response.context["products_by_category"].items()
    }
    assert list(listed_products.items()) == [
        ("Vegetables", ["Carottes", "Échalotes"]),
        ("Cheese and dairy", ["Crème dessert", "Crottin sec"]),
        ("Baskets", ["Panier du mois"]),
    ]


def test_a_producer_profile_shares_its_photo(client, directory, farms):
    from django.core.files.base import ContentFile

    chevrerie = farms["chevrerie"]
    assertNotContains(client.get("/producteurs/chevrerie/"), 'property="og:image"')
    chevrerie.photo.save("chevres.png", ContentFile(b"\x89PNG"), save=True)
    response = client.get("/producteurs/chevrerie/")
    assertContains(
        response,
        f'<meta property="og:image" content="http://testserver{chevrerie.photo.url}">',
    )
