"""Moderation of what the public reads about a farm's products: a new or
renamed product, a new description or photo, waits for an organiser of a
collective the farm supplies (in the same queue and review as the farm's page),
unless the farm is trusted; members ordering read the current name.

Pages are asked for in English (the `english` fixture).
"""

import io
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from pytest_django.asserts import assertContains, assertNotContains

from amap.producers.models import Product, ProfileSubmission
from amap.producers.selectors.moderation import moderation_queue, pending_change
from amap.producers.services import catalogue
from amap.producers.services.moderation import (
    approve_profile_change,
    reject_profile_change,
    submit_profile_change,
)
from amap.producers.services.partnerships import set_partnership_trust
from tests.factories import (
    PartnershipFactory,
    ProducerFactory,
    ProductFactory,
    UserFactory,
)

pytestmark = pytest.mark.usefixtures("english")


def png_file(name="carottes.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (230, 120, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def profile_url(directory, producer):
    return directory.url + directory.reverse_subpage(
        "producer", kwargs={"slug": producer.slug}
    )


def new_product(producer, producer_user, name="Panais", **fields):
    return catalogue.create_product(
        producer=producer,
        created_by=producer_user,
        name=name,
        price=Decimal("3.20"),
        **fields,
    )


def test_a_new_product_is_not_public_until_approved(
    client, directory, producer, producer_user, organiser
):
    product = new_product(producer, producer_user, description="Panais doux.")
    url = profile_url(directory, producer)
    assertNotContains(client.get(url), "Panais")
    assertNotContains(client.get("/recherche/", {"q": "panais"}), "Panais")
    assertNotContains(client.get(directory.url, {"q": "panais"}), producer.name)

    (waiting,) = moderation_queue(organiser)
    approve_profile_change(waiting, reviewed_by=organiser)

    assertContains(client.get(url), "Panais")
    assertContains(client.get("/recherche/", {"q": "panais"}), "Panais")
    product.refresh_from_db()
    assert product.published_name == "Panais"


def test_a_renamed_product_keeps_its_approved_name_in_public_until_approved(
    client, directory, producer, producer_user, organiser
):
    carrots = ProductFactory(producer=producer, name="Carottes")
    catalogue.update_product(carrots, updated_by=producer_user, name="Carottes XXL")
    url = profile_url(directory, producer)
    response = client.get(url)
    assertContains(response, "Carottes")
    assertNotContains(response, "Carottes XXL")

    (waiting,) = moderation_queue(organiser)
    approve_profile_change(waiting, reviewed_by=organiser)
    assertContains(client.get(url), "Carottes XXL")


def test_a_refused_product_stays_off_the_public_page(
    client, directory, producer, producer_user, organiser, as_user
):
    new_product(producer, producer_user, name="Pilules miracle")
    (waiting,) = moderation_queue(organiser)
    reject_profile_change(waiting, reviewed_by=organiser, comment="Pas de remèdes.")
    assertNotContains(client.get(profile_url(directory, producer)), "Pilules")
    page = as_user(producer_user).get(
        reverse("producers:product_list", args=[producer.slug])
    )
    assertContains(page, "Not accepted")


def test_members_ordering_read_the_current_name(producer, producer_user):
    """Ordering inside a collective is not the public site: the booking page,
    sheets and stock grid keep reading `Product.name`."""
    carrots = ProductFactory(producer=producer, name="Carottes")
    catalogue.update_product(
        carrots, updated_by=producer_user, name="Carottes nouvelles"
    )
    carrots.refresh_from_db()
    assert carrots.name == "Carottes nouvelles"
    assert carrots.published_name == "Carottes"


def test_the_manager_sees_the_waiting_state_in_the_catalogue(
    as_user, producer, producer_user
):
    new_product(producer, producer_user)
    ProductFactory(producer=producer, name="Carottes")
    page = as_user(producer_user).get(
        reverse("producers:product_list", args=[producer.slug])
    )
    assertContains(page, "Waiting for approval", count=1)


def test_a_product_change_is_in_the_queue_with_the_same_emails(
    producer,
    producer_user,
    organiser,
    other_organiser,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        new_product(producer, producer_user)
    assert [m.to for m in mail.outbox] == [[organiser.email]]
    (waiting,) = moderation_queue(organiser)
    assert list(moderation_queue(other_organiser)) == []
    with django_capture_on_commit_callbacks(execute=True):
        approve_profile_change(waiting, reviewed_by=organiser, comment="Parfait.")
    assert mail.outbox[-1].to == [producer_user.email]
    assert "Parfait." in mail.outbox[-1].body


def test_the_queue_shows_the_product_changes(
    as_user, collective, producer, producer_user, organiser
):
    ProductFactory(producer=producer, name="Carottes")
    carrots = producer.products.get()
    catalogue.update_product(carrots, updated_by=producer_user, name="Carottes fanes")
    new_product(producer, producer_user, name="Panais")
    response = as_user(organiser).get(
        reverse("producers:moderation_queue", args=[collective.slug])
    )
    assertContains(response, "data-product-change", count=2)
    assertContains(response, "Carottes<ins> fanes</ins>")
    assertContains(response, "<ins>Panais</ins>")


def test_a_new_product_photo_is_not_public_until_approved(
    producer, producer_user, organiser, settings
):
    carrots = ProductFactory(producer=producer, name="Carottes")
    carrots = catalogue.update_product(
        carrots, updated_by=producer_user, photo=png_file()
    )
    assert not carrots.photo
    assert carrots.pending_photo
    media = settings.MEDIA_ROOT
    assert not any(path.is_file() for path in media.rglob("*"))

    (waiting,) = moderation_queue(organiser)
    approve_profile_change(waiting, reviewed_by=organiser)
    carrots.refresh_from_db()
    assert carrots.photo.url.startswith(settings.MEDIA_URL)
    assert (media / carrots.photo.name).is_file()
    assert not carrots.pending_photo


def test_a_farm_photo_is_not_public_until_approved(
    producer, producer_user, organiser, settings
):
    submission = submit_profile_change(
        producer=producer,
        submitted_by=producer_user,
        name=producer.name,
        photo=png_file("ferme.png"),
    )
    media = settings.MEDIA_ROOT
    assert not any(path.is_file() for path in media.rglob("*"))
    approve_profile_change(submission, reviewed_by=organiser)
    producer.refresh_from_db()
    assert (media / producer.photo.name).is_file()


# A trusted farm ------------------------------------------------------------------


def test_a_trusted_farm_publishes_its_products_at_once(
    client, directory, collective, producer, producer_user, organiser
):
    partnership = producer.partnerships.get(collective=collective)
    set_partnership_trust(partnership, trusted=True, changed_by=organiser)
    product = new_product(producer, producer_user, photo=png_file())
    assertContains(client.get(profile_url(directory, producer)), "Panais")
    assert product.photo and not product.pending_photo
    assert list(moderation_queue(organiser)) == []
    assert pending_change(producer) is None


def test_a_trusted_farm_publishes_its_page_at_once(
    collective, producer, producer_user, organiser
):
    partnership = producer.partnerships.get(collective=collective)
    set_partnership_trust(partnership, trusted=True, changed_by=organiser)
    submit_profile_change(
        producer=producer,
        submitted_by=producer_user,
        name=producer.name,
        description="Texte publié tout de suite.",
    )
    producer.refresh_from_db()
    assert producer.description == "Texte publié tout de suite."
    assert list(moderation_queue(organiser)) == []


def test_a_trusted_farm_publishes_its_profile_form_at_once(
    as_user, client, directory, collective, producer, producer_user, organiser
):
    from tests.producers.profile_forms import profile_data

    partnership = producer.partnerships.get(collective=collective)
    set_partnership_trust(partnership, trusted=True, changed_by=organiser)
    response = as_user(producer_user).post(
        producer.get_absolute_url(),
        profile_data(
            producer,
            description="Publié sans attendre.",
            photo=png_file("ferme.png"),
        ),
    )
    assert response.status_code == 302
    producer.refresh_from_db()
    assert producer.description == "Publié sans attendre."
    assert producer.photo.url.startswith("/media/producers/")
    assertContains(
        client.get(profile_url(directory, producer)), "Publié sans attendre."
    )


def test_trust_ends_with_the_partnership_or_when_withdrawn(
    collective, producer, producer_user, organiser
):
    partnership = producer.partnerships.get(collective=collective)
    set_partnership_trust(partnership, trusted=True, changed_by=organiser)
    set_partnership_trust(partnership, trusted=False, changed_by=organiser)
    new_product(producer, producer_user)
    assert len(moderation_queue(organiser)) == 1


def test_only_the_collectives_organisers_trust_a_farm(
    collective, producer, other_organiser, producer_user
):
    from django.core.exceptions import PermissionDenied

    partnership = producer.partnerships.get(collective=collective)
    for person in (other_organiser, producer_user):
        with pytest.raises(PermissionDenied):
            set_partnership_trust(partnership, trusted=True, changed_by=person)
    partnership.refresh_from_db()
    assert not partnership.trusted


def test_the_trust_button_on_the_partnership_list(
    as_user, collective, producer, organiser, producer_user
):
    partnership = producer.partnerships.get(collective=collective)
    url = reverse("producers:partnership_trust", args=[collective.slug, partnership.pk])
    client = as_user(organiser)
    page = client.get(reverse("producers:partnership_list", args=[collective.slug]))
    assertContains(page, url)
    response = client.post(url, {"trusted": "1"}, follow=True)
    assertContains(response, "publishes its changes at once")
    partnership.refresh_from_db()
    assert partnership.trusted
    # Somebody else: 404, nothing changes.
    assert as_user(producer_user).post(url, {"trusted": "0"}).status_code == 404
    partnership.refresh_from_db()
    assert partnership.trusted


# Query counts ----------------------------------------------------------------------

# As before moderation covered products (tests/cms/test_profile_commitments.py):
# the site, the page and its route, the farm, its labels, its approved
# products, its collectives, its statements, the charter's version, the
# site's root paths.
PUBLIC_PROFILE_QUERIES = 13


@pytest.mark.parametrize("count", [1, 20])
def test_the_public_profile_keeps_its_queries(
    client,
    directory,
    producer,
    producer_user,
    count,
    django_assert_max_num_queries,
    fresh_cache,
):
    for number in range(count):
        ProductFactory(producer=producer, name=f"Légume approuvé {number}")
        new_product(producer, producer_user, name=f"Légume en attente {number}")
    with django_assert_max_num_queries(PUBLIC_PROFILE_QUERIES):
        response = client.get(profile_url(directory, producer))
    body = response.content.decode()
    assert body.count("Légume approuvé") == count
    assert "Légume en attente" not in body


def test_the_queue_keeps_its_queries_with_product_changes(
    as_user, collective, organiser, django_assert_max_num_queries
):
    for number in range(20):
        manager = UserFactory()
        farm = ProducerFactory(managers=[manager])
        PartnershipFactory(producer=farm, collective=collective)
        for kind in ("A", "B"):
            new_product(farm, manager, name=f"Produit {kind}{number}")
    client = as_user(organiser)
    # One query more than the page alone (7): the products waiting, all farms at once.
    with django_assert_max_num_queries(8):
        response = client.get(
            reverse("producers:moderation_queue", args=[collective.slug])
        )
    body = response.content.decode()
    assert body.count("data-submission=") == 20
    assert body.count("data-product-change") == 40


def test_a_new_product_puts_the_farm_in_the_queue(producer, producer_user):
    new_product(producer, producer_user)
    assert pending_change(producer).status == ProfileSubmission.Status.PENDING
    assert Product.objects.public().count() == 0


def test_the_demo_has_a_product_waiting_for_review(db):
    from amap.producers import demo, demo_catalogue
    from tests.factories import CollectiveFactory

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
    demo_catalogue.build_catalogues(farms)
    demo_catalogue.build_catalogues(farms)  # idempotent
    waiting = Product.objects.waiting()
    assert [p.name for p in waiting] == [demo_catalogue.PROPOSED_PRODUCT["name"]]
    assert pending_change(waiting[0].producer) is not None
    assert Product.objects.public().count() == Product.objects.count() - 1


def test_the_product_form_says_the_public_site_waits(as_user, producer, producer_user):
    client = as_user(producer_user)
    response = client.post(
        reverse("producers:product_create", args=[producer.slug]),
        {
            "name": "Panais",
            "category": "vegetables",
            "unit": "kg",
            "price": "3.20",
            "vat_rate": "5.50",
            "active": "on",
        },
        follow=True,
    )
    assertContains(response, "shows it once an organiser approves it")
    product = Product.objects.get(name="Panais")
    page = client.get(reverse("producers:product_edit", args=[product.pk]))
    assertContains(page, "is not on the network's public site until an organiser")


def test_archiving_the_only_waiting_product_withdraws_the_change(
    producer, producer_user
):
    product = new_product(producer, producer_user)
    assert pending_change(producer) is not None
    catalogue.archive_product(product, archived_by=producer_user)
    assert pending_change(producer) is None
    catalogue.unarchive_product(product, unarchived_by=producer_user)
    assert pending_change(producer) is not None


def test_removing_the_photo_removes_the_waiting_one_too(producer, producer_user):
    carrots = ProductFactory(producer=producer, name="Carottes")
    carrots = catalogue.update_product(
        carrots, updated_by=producer_user, photo=png_file()
    )
    carrots = catalogue.update_product(carrots, updated_by=producer_user, photo="")
    assert not carrots.photo and not carrots.pending_photo
    assert pending_change(producer) is None


def test_a_price_change_does_not_send_a_refused_name_again(
    producer, producer_user, organiser
):
    product = new_product(producer, producer_user, name="Pilules")
    reject_profile_change(
        pending_change(producer), reviewed_by=organiser, comment="Non."
    )
    catalogue.update_product(product, updated_by=producer_user, price=Decimal("4"))
    assert pending_change(producer) is None
    catalogue.update_product(product, updated_by=producer_user, name="Panais")
    assert pending_change(producer) is not None


def test_a_superusers_product_is_public_at_once_and_nothing_else(
    producer, producer_user
):
    new_product(producer, producer_user, name="Panais")
    admin = UserFactory(is_staff=True, is_superuser=True)
    new_product(producer, admin, name="Topinambours")
    assert list(Product.objects.public().values_list("published_name", flat=True)) == [
        "Topinambours"
    ]
    assert pending_change(producer) is not None  # the manager's Panais waits
