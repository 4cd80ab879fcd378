"""The catalogue: the product list, the product form, archiving and deleting,
and the demo catalogues.

Pages are asked for in English (the `english` fixture).
"""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from amap.producers import demo, demo_catalogue
from amap.producers.models import Offer, Product
from amap.producers.services import catalogue as services
from tests.factories import (
    CollectiveFactory,
    OfferFactory,
    OrderCycleFactory,
    ProductFactory,
    UserFactory,
)

pytestmark = pytest.mark.usefixtures("english")


def png_file(name="carottes.png", size=(4, 4)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (230, 120, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture
def carrots(producer):
    return ProductFactory(
        producer=producer, name="Carottes", price=Decimal("2.40"), unit="kg"
    )


def product_data(**changes):
    data = {
        "name": "Poireaux",
        "category": "vegetables",
        "unit": "kg",
        "price": "3.20",
        "vat_rate": "5.50",
        "weight_step": "0.5",
        "usual_quantity": "20",
        "description": "Poireaux d'hiver",
        "active": "on",
    }
    data.update(changes)
    return data


# Services ---------------------------------------------------------------------


def test_create_product_adds_it_to_the_farm(producer, producer_user):
    product = services.create_product(
        producer=producer,
        created_by=producer_user,
        name="  Mâche ",
        category=Product.Category.VEGETABLES,
        unit=Product.Unit.KG,
        price=Decimal("12.00"),
        weight_step=Decimal("0.25"),
    )
    assert product.producer == producer
    assert product.name == "Mâche"
    assert product.active


def test_create_product_is_for_the_farm_managers_only(producer, other_producer_user):
    with pytest.raises(PermissionDenied):
        services.create_product(
            producer=producer,
            created_by=other_producer_user,
            name="Mâche",
            price=Decimal("12.00"),
        )
    assert not Product.objects.exists()


def test_a_weight_step_is_refused_for_a_product_not_sold_by_the_kg(
    producer, producer_user, carrots
):
    with pytest.raises(ValidationError) as raised:
        services.create_product(
            producer=producer,
            created_by=producer_user,
            name="Radis",
            unit=Product.Unit.BUNCH,
            price=Decimal("1.50"),
            weight_step=Decimal("0.5"),
        )
    assert "weight_step" in raised.value.message_dict
    with pytest.raises(ValidationError):
        services.update_product(
            carrots,
            updated_by=producer_user,
            unit=Product.Unit.PIECE,
            weight_step=Decimal("1"),
        )


@pytest.mark.parametrize("price", [Decimal("-1"), Decimal("100001")])
def test_a_price_out_of_bounds_is_refused(producer, producer_user, price):
    with pytest.raises(ValidationError) as raised:
        services.create_product(
            producer=producer, created_by=producer_user, name="Radis", price=price
        )
    assert "price" in raised.value.message_dict


def test_update_product_changes_it(producer_user, carrots, other_producer_user):
    services.update_product(carrots, updated_by=producer_user, price=Decimal("2.60"))
    carrots.refresh_from_db()
    assert carrots.price == Decimal("2.60")
    with pytest.raises(PermissionDenied):
        services.update_product(
            carrots, updated_by=other_producer_user, price=Decimal("1")
        )


def test_archive_and_unarchive(producer_user, carrots, other_producer_user):
    with pytest.raises(PermissionDenied):
        services.archive_product(carrots, archived_by=other_producer_user)
    services.archive_product(carrots, archived_by=producer_user)
    carrots.refresh_from_db()
    assert not carrots.active
    with pytest.raises(ValidationError, match="already archived"):
        services.archive_product(carrots, archived_by=producer_user)
    with pytest.raises(PermissionDenied):
        services.unarchive_product(carrots, unarchived_by=other_producer_user)
    services.unarchive_product(carrots, unarchived_by=producer_user)
    carrots.refresh_from_db()
    assert carrots.active
    with pytest.raises(ValidationError, match="already on sale"):
        services.unarchive_product(carrots, unarchived_by=producer_user)


def test_a_product_never_offered_can_be_deleted(
    producer_user, carrots, other_producer_user
):
    with pytest.raises(PermissionDenied):
        services.delete_product(carrots, deleted_by=other_producer_user)
    services.delete_product(carrots, deleted_by=producer_user)
    assert not Product.objects.filter(pk=carrots.pk).exists()


def test_a_product_already_offered_cannot_be_deleted(producer_user, carrots):
    OfferFactory(product=carrots)
    with pytest.raises(ValidationError) as raised:
        services.delete_product(carrots, deleted_by=producer_user)
    assert raised.value.messages == [
        "This product has already been offered: archive it instead."
    ]
    assert Product.objects.filter(pk=carrots.pk).exists()


def test_archived_products_leave_the_offers_members_can_book(producer_user, carrots):
    offer = OfferFactory(product=carrots)
    assert offer in Offer.objects.available()
    services.archive_product(carrots, archived_by=producer_user)
    assert offer not in Offer.objects.available()


# Pages --------------------------------------------------------------------------

MATRIX = [
    (None, "login"),
    ("member", 404),
    ("organiser", 404),
    ("other_producer_user", 404),
    ("producer_user", "ok"),
]


def _check(response, expected):
    if expected == "login":
        assert response.status_code == 302
        assert "/login/" in response["Location"]
    elif expected == 404:
        assert response.status_code == 404
    else:
        assert response.status_code in (200, 302, 400)


@pytest.mark.parametrize(("person", "expected"), MATRIX)
def test_catalogue_pages_permissions(
    request, as_user, producer, other_producer, carrots, person, expected
):
    user = request.getfixturevalue(person) if person else None
    client = as_user(user)
    pages = [
        reverse("producers:product_list", args=[producer.slug]),
        reverse("producers:product_create", args=[producer.slug]),
        reverse("producers:product_edit", args=[carrots.pk]),
    ]
    for url in pages:
        _check(client.get(url), expected)
    _check(
        client.post(reverse("producers:product_edit", args=[carrots.pk]), {}), expected
    )
    for name in ("product_archive", "product_unarchive", "product_delete"):
        url = reverse(f"producers:{name}", args=[carrots.pk])
        _check(client.post(url), expected)
        if expected != "ok":
            assert client.get(url).status_code in (302, 404, 405)
    if expected != "ok":
        carrots.refresh_from_db()
        assert carrots.active and carrots.price == Decimal("2.40")
    else:
        assert not Product.objects.filter(pk=carrots.pk).exists()


def test_the_catalogue_groups_products_by_category_with_prices(
    as_user, producer, producer_user, carrots, django_assert_max_num_queries
):
    ProductFactory(
        producer=producer,
        name="Pain de campagne",
        category=Product.Category.BREAD,
        unit=Product.Unit.PIECE,
        price=Decimal("4.50"),
    )
    ProductFactory(producer=producer, name="Ancien produit", active=False)
    for n in range(200):
        ProductFactory(producer=producer, name=f"Légume {n}")
    OfferFactory(product=carrots)
    client = as_user(producer_user)
    url = reverse("producers:product_list", args=[producer.slug])
    with django_assert_max_num_queries(10):
        response = client.get(url)
    assertContains(response, "Vegetables")
    assertContains(response, "Bread and bakery")
    assertContains(response, "4.50\xa0€ / piece")
    assertContains(response, "2.40\xa0€ / kg")
    assertNotContains(response, "Ancien produit")
    html = response.content.decode()
    assert html.index("Vegetables") < html.index("Bread and bakery")
    # Only never-offered products get a delete button.
    assert f'action="/producteur/produits/{carrots.pk}/supprimer/"' not in html

    archived = client.get(url, {"state": "archived"})
    assertContains(archived, "Ancien produit")
    assertNotContains(archived, "Carottes")
    everything = client.get(url, {"state": "all"})
    assertContains(everything, "Ancien produit")
    assertContains(everything, "Carottes")


def test_the_catalogue_formats_euros_in_french(
    settings, as_user, producer, producer_user, carrots
):
    settings.LANGUAGE_CODE = "fr"
    response = as_user(producer_user).get(
        reverse("producers:product_list", args=[producer.slug]),
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assertContains(response, "2,40\xa0€")


def test_creating_a_product_with_a_photo(as_user, producer, producer_user):
    response = as_user(producer_user).post(
        reverse("producers:product_create", args=[producer.slug]),
        {**product_data(), "photo": png_file()},
    )
    assertRedirects(response, reverse("producers:product_list", args=[producer.slug]))
    product = Product.objects.get(name="Poireaux")
    assert product.producer == producer
    assert product.price == Decimal("3.20")
    assert product.weight_step == Decimal("0.5")
    assert product.vat_rate == Decimal("5.50")
    assert product.photo.name.startswith("products/")


def test_a_french_comma_is_accepted_in_french(
    settings, as_user, producer, producer_user
):
    settings.LANGUAGE_CODE = "fr"
    as_user(producer_user).post(
        reverse("producers:product_create", args=[producer.slug]),
        product_data(price="3,20", weight_step="0,25"),
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    product = Product.objects.get()
    assert product.price == Decimal("3.20")
    assert product.weight_step == Decimal("0.25")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"price": "abc"}, "price", "Enter a price in euros"),
        ({"price": "-2"}, "price", "The price cannot be negative."),
        ({"price": "1000000"}, "price", "The price is too high"),
        (
            {"unit": "bunch", "weight_step": "0.5"},
            "weight_step",
            "only makes sense for a product sold by the kg",
        ),
        ({"usual_quantity": "-4"}, "usual_quantity", "cannot be negative"),
        ({"name": ""}, "name", "This field is required."),
    ],
)
def test_bad_product_input_is_refused_next_to_the_field(
    as_user, producer, producer_user, changes, field, message
):
    response = as_user(producer_user).post(
        reverse("producers:product_create", args=[producer.slug]),
        product_data(**changes),
    )
    assert response.status_code == 400
    assert any(message in error for error in response.context["form"].errors[field])
    assertContains(response, f'id="id_{field}_error"', status_code=400)
    assert not Product.objects.exists()


def test_a_photo_over_the_limit_is_refused(as_user, producer, producer_user, settings):
    settings.UPLOAD_MAX_BYTES = 10
    response = as_user(producer_user).post(
        reverse("producers:product_create", args=[producer.slug]),
        {**product_data(), "photo": png_file()},
    )
    assert response.status_code == 400
    assert "too big" in response.context["form"].errors["photo"][0]


def test_editing_a_product(as_user, producer, producer_user, carrots):
    url = reverse("producers:product_edit", args=[carrots.pk])
    client = as_user(producer_user)
    assertContains(client.get(url), 'value="2.40"')
    response = client.post(url, product_data(name="Carottes nouvelles", price="2.90"))
    assertRedirects(response, reverse("producers:product_list", args=[producer.slug]))
    carrots.refresh_from_db()
    assert (carrots.name, carrots.price) == ("Carottes nouvelles", Decimal("2.90"))


def test_archive_unarchive_and_delete_pages(as_user, producer, producer_user, carrots):
    client = as_user(producer_user)
    list_url = reverse("producers:product_list", args=[producer.slug])
    response = client.post(
        reverse("producers:product_archive", args=[carrots.pk]), follow=True
    )
    assertContains(response, "Carottes is archived")
    carrots.refresh_from_db()
    assert not carrots.active
    client.post(reverse("producers:product_unarchive", args=[carrots.pk]))
    carrots.refresh_from_db()
    assert carrots.active

    OfferFactory(product=carrots)
    response = client.post(
        reverse("producers:product_delete", args=[carrots.pk]), follow=True
    )
    assertContains(response, "This product has already been offered: archive it")
    assert Product.objects.filter(pk=carrots.pk).exists()

    radishes = ProductFactory(producer=producer, name="Radis")
    response = client.post(reverse("producers:product_delete", args=[radishes.pk]))
    assertRedirects(response, list_url)
    assert not Product.objects.filter(pk=radishes.pk).exists()


# Demo ---------------------------------------------------------------------------


def test_demo_catalogues_and_offers_are_believable_and_idempotent(
    db,
    django_assert_max_num_queries,
):
    collectives = {
        slug: CollectiveFactory(slug=slug, name=slug)
        for slug in (demo.DERVALLIERES, demo.TRENTEMOULT, demo.CLISSON)
    }
    organiser = UserFactory()
    farms = demo.build_producers(
        collectives=collectives,
        producer_users=[UserFactory() for _ in demo.FARMS],
        organiser=organiser,
    )
    now = timezone.now()
    for collective in collectives.values():
        for week in range(6):
            OrderCycleFactory(
                collective=collective,
                opens_at=now + timedelta(days=7 * week - 1),
                closes_at=now + timedelta(days=7 * week + 3),
            )
    demo_catalogue.build_catalogues(farms)
    demo_catalogue.build_offers(farms)
    counts = {farm.slug: farm.products.count() for farm in farms}
    assert all(20 <= count <= 60 for count in counts.values()), counts
    gardener = farms[0]
    carrots = Product.objects.get(producer=gardener, name="Carottes")
    assert (carrots.unit, carrots.price, carrots.weight_step) == (
        "kg",
        Decimal("2.40"),
        Decimal("0.5"),
    )
    assert Product.objects.get(name="Cidre brut").vat_rate == Decimal("20.00")
    for product in Product.objects.all():
        product.full_clean()
    offers = Offer.objects.count()
    assert offers > 0
    assert Offer.objects.filter(quantity_available__isnull=True).exists()
    # Four cycles ahead per collective supplied, never the fifth.
    assert not Offer.objects.filter(
        cycle__closes_at__gt=now + timedelta(days=7 * 3 + 4)
    ).exists()
    with django_assert_max_num_queries(60):
        demo_catalogue.build_catalogues(farms)
        demo_catalogue.build_offers(farms)
    assert {farm.slug: farm.products.count() for farm in farms} == counts
    assert Offer.objects.count() == offers
