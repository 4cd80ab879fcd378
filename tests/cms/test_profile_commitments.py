"""The farm's statements on the charter's commitments, on its public profile.

Pages are asked for in English (the `english` fixture).
"""

from decimal import Decimal

import pytest
from pytest_django.asserts import assertContains, assertNotContains

from amap.members.services import publish_charter_version
from amap.producers.models import CharterCommitment, Product
from cms.models import CollectivePage, HomePage
from tests.factories import (
    CollectiveFactory,
    LabelFactory,
    PartnershipFactory,
    ProducerFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "fresh_cache")]

# The site, the page and its route (six), the producer, its labels, its
# products, its collectives with their pages, the farm's statements, the
# charter's current version, the site's root paths for the collectives' links.
PROFILE_QUERIES = 13
SECTION = "Our commitments to the charter"
CHARTER = (
    "<h2>Agriculture paysanne</h2><p>…</p>"
    "<h2>Prix justes &amp; solidaires</h2><p>…</p>"
    "<h2>Transparence</h2><p>…</p>"
)


@pytest.fixture
def charter(db):
    return publish_charter_version(title="Charte éthique", body=CHARTER)


@pytest.fixture
def farm(db):
    return ProducerFactory(name="Chèvrerie des Moulins", slug="chevrerie")


def state(producer, heading, statement):
    """A statement an organiser has approved (see tests/producers for moderation)."""
    CharterCommitment.objects.create(
        producer=producer,
        heading=heading,
        statement=statement,
        published_statement=statement,
    )


def commitments_shown(response):
    return response.context["commitments"]


def test_the_profile_lists_the_farms_statements_in_the_charters_order(
    client, directory, charter, farm
):
    state(farm, "Transparence", "Nos comptes sont ouverts.\nVenez les voir.")
    state(farm, "Prix justes & solidaires", "Prix fixés avec l'AMAP.")
    # A commitment the current charter no longer has is not shown.
    state(farm, "Vente directe", "Aucun intermédiaire.")

    response = client.get("/producteurs/chevrerie/")

    assert commitments_shown(response) == [
        ("Prix justes & solidaires", "Prix fixés avec l'AMAP."),
        ("Transparence", "Nos comptes sont ouverts.\nVenez les voir."),
    ]
    assertContains(response, f'<h2 id="commitments-title">{SECTION}</h2>', html=True)
    assertContains(response, "<dt>Prix justes &amp; solidaires</dt>", html=True)
    assertContains(
        response, "<p>Nos comptes sont ouverts.<br>Venez les voir.</p>", html=True
    )
    # A commitment without a statement of the farm is left out.
    assertNotContains(response, "Agriculture paysanne")
    assertNotContains(response, "Aucun intermédiaire")


def test_another_farms_statements_are_not_on_the_profile(
    client, directory, charter, farm
):
    state(ProducerFactory(), "Transparence", "Les comptes d'une autre ferme.")

    response = client.get("/producteurs/chevrerie/")

    assert commitments_shown(response) == []
    assertNotContains(response, SECTION)
    assertNotContains(response, "Les comptes d'une autre ferme.")


def test_no_section_before_a_charter_is_published(client, directory, farm):
    state(farm, "Transparence", "Nos comptes sont ouverts.")

    response = client.get("/producteurs/chevrerie/")

    assert response.status_code == 200
    assertNotContains(response, SECTION)


def fill_profile(producer, *, count):
    """`count` products, labels, collectives (with pages) and statements."""
    home = HomePage.objects.get()
    for number in range(count):
        producer.labels.add(LabelFactory())
        collective = CollectiveFactory()
        PartnershipFactory(producer=producer, collective=collective)
        page = CollectivePage(
            title=collective.name, slug=f"amap-{number}", collective=collective
        )
        home.add_child(instance=page)
        page.save_revision().publish()
    Product.objects.bulk_create(
        Product(
            producer=producer,
            name=f"Produit {number}",
            price=Decimal("2.00"),
            category=category,
        )
        for number, category in enumerate(Product.Category.values * count)
    )
    headings = ["Agriculture paysanne", "Prix justes & solidaires", "Transparence"]
    for heading in headings[:count]:
        state(producer, heading, f"Ce que fait la ferme : {heading}.")


@pytest.mark.parametrize("count", [1, 3])
def test_the_profile_has_a_fixed_number_of_queries(
    client, directory, charter, farm, count, django_assert_max_num_queries
):
    fill_profile(farm, count=count)

    with django_assert_max_num_queries(PROFILE_QUERIES):
        response = client.get("/producteurs/chevrerie/")

    assert len(commitments_shown(response)) == count
    assert len(response.context["collectives"]) == count
