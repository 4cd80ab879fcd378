"""Files waiting for approval, or refused, are not at any public address: only
the farm's managers and its moderators open them, through a view that checks.

Pages are asked for in English (the `english` fixture).
"""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from amap.producers.services import catalogue
from amap.producers.services.moderation import (
    reject_profile_change,
    submit_profile_change,
)
from tests.factories import ProductFactory

pytestmark = pytest.mark.usefixtures("english")


def png_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (30, 120, 230)).save(buffer, format="PNG")
    return buffer.getvalue()


def png_file(name):
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


@pytest.fixture
def submission(producer, producer_user):
    return submit_profile_change(
        producer=producer,
        submitted_by=producer_user,
        name=producer.name,
        photo=png_file("ferme.png"),
    )


@pytest.fixture
def pending_product(producer, producer_user):
    carrots = ProductFactory(producer=producer, name="Carottes")
    return catalogue.update_product(
        carrots, updated_by=producer_user, photo=png_file("carottes.png")
    )


@pytest.mark.urls("tests.producers.media_urls")
def test_the_old_public_address_of_a_proposed_photo_answers_404(
    client, submission, organiser, settings
):
    assert client.get(settings.MEDIA_URL + submission.photo.name).status_code == 404
    assert (
        client.get(f"{settings.MEDIA_URL}producers/submissions/ferme.png").status_code
        == 404
    )
    reject_profile_change(submission, reviewed_by=organiser, comment="Floue.")
    assert client.get(settings.MEDIA_URL + submission.photo.name).status_code == 404


@pytest.mark.urls("tests.producers.media_urls")
def test_the_public_address_of_a_pending_product_photo_answers_404(
    client, pending_product, settings
):
    name = pending_product.pending_photo.name
    assert client.get(settings.MEDIA_URL + name).status_code == 404
    assert client.get(f"{settings.MEDIA_URL}products/carottes.png").status_code == 404


def submission_photo_url(submission):
    return reverse("producers:submission_photo", args=[submission.pk])


def product_photo_url(product):
    return reverse("producers:product_pending_photo", args=[product.pk])


@pytest.mark.parametrize("person", ["producer_user", "organiser"])
def test_the_manager_and_a_moderator_open_the_waiting_photos(
    request, as_user, submission, pending_product, person
):
    client = as_user(request.getfixturevalue(person))
    for url in (submission_photo_url(submission), product_photo_url(pending_product)):
        response = client.get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == png_bytes()
        assert response["Content-Type"] == "image/png"
        assert "private" in response["Cache-Control"]
        assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "person", ["other_producer_user", "member", "other_organiser", None]
)
def test_nobody_else_opens_the_waiting_photos(
    request, as_user, submission, pending_product, other_producer, person
):
    client = as_user(request.getfixturevalue(person) if person else None)
    assert client.get(submission_photo_url(submission)).status_code == 404
    assert client.get(product_photo_url(pending_product)).status_code == 404


def test_a_refused_photo_stays_visible_to_the_farm_only(
    as_user, submission, organiser, producer_user, member
):
    reject_profile_change(submission, reviewed_by=organiser, comment="Floue.")
    assert (
        as_user(producer_user).get(submission_photo_url(submission)).status_code == 200
    )
    assert as_user(member).get(submission_photo_url(submission)).status_code == 404


def test_no_photo_answers_404(as_user, producer, producer_user):
    carrots = ProductFactory(producer=producer, name="Carottes", price=Decimal("2"))
    assert as_user(producer_user).get(product_photo_url(carrots)).status_code == 404


def test_the_pages_show_the_waiting_photos_through_the_checking_view(
    as_user, collective, submission, pending_product, organiser, producer_user
):
    queue = (
        as_user(organiser)
        .get(reverse("producers:moderation_queue", args=[collective.slug]))
        .content.decode()
    )
    assert submission_photo_url(submission) in queue
    assert product_photo_url(pending_product) in queue
    assert "/media/" not in queue
    form = (
        as_user(producer_user)
        .get(reverse("producers:product_edit", args=[pending_product.pk]))
        .content.decode()
    )
    assert product_photo_url(pending_product) in form


def test_the_admin_links_to_the_checking_view(as_user, submission, pending_product):
    from tests.factories import UserFactory

    admin = UserFactory(is_staff=True, is_superuser=True)
    client = as_user(admin)
    for name, obj, url in (
        (
            "admin:producers_profilesubmission_change",
            submission,
            submission_photo_url(submission),
        ),
        (
            "admin:producers_product_change",
            pending_product,
            product_photo_url(pending_product),
        ),
    ):
        response = client.get(reverse(name, args=[obj.pk]))
        assert response.status_code == 200
        assert url in response.content.decode()
        assert client.get(url).status_code == 200


def test_the_migration_moves_proposed_photos_out_of_the_public_folder(
    producer, producer_user, settings
):
    """Photos uploaded before this change were in MEDIA_ROOT; one an approval
    made the farm's photo stays public as the farm's photo."""
    from importlib import import_module

    from django.apps import apps

    from amap.producers.models import Producer, ProfileSubmission

    migration = import_module(
        "amap.producers.migrations.0008_moderate_products_private_photos"
    )
    public = settings.MEDIA_ROOT / "producers" / "submissions"
    public.mkdir(parents=True)
    for name in ("refusee.png", "approuvee.png"):
        (public / name).write_bytes(png_bytes())
    refused = ProfileSubmission.objects.create(
        producer=producer, name=producer.name, status="rejected"
    )
    approved = ProfileSubmission.objects.create(
        producer=producer, name=producer.name, status="approved"
    )
    ProfileSubmission.objects.filter(pk=refused.pk).update(
        photo="producers/submissions/refusee.png"
    )
    ProfileSubmission.objects.filter(pk=approved.pk).update(
        photo="producers/submissions/approuvee.png"
    )
    Producer.objects.filter(pk=producer.pk).update(
        photo="producers/submissions/approuvee.png"
    )

    migration.move_submission_photos(apps, None)
    migration.move_submission_photos(apps, None)  # twice: nothing more happens

    private = settings.PRIVATE_MEDIA_ROOT / "producers" / "submissions"
    assert not (public / "refusee.png").exists()
    assert (private / "refusee.png").read_bytes() == png_bytes()
    assert (public / "approuvee.png").exists()  # the farm's photo
    assert (private / "approuvee.png").exists()
