"""The farm's page form as QA found it: a description of bounded length, the
text refused by an organiser kept for correction, a success message that
says what waits, photo sizes in one unit, thumbnails instead of file paths,
and label checkboxes beside their text.

Pages are asked for in English (the `english` fixture).
"""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from pytest_django.asserts import assertContains, assertNotContains

from amap.producers.forms.profile import ProducerProfileForm
from amap.producers.models import DESCRIPTION_MAX_LENGTH, Producer
from amap.producers.selectors.moderation import pending_change
from amap.producers.services.moderation import (
    reject_profile_change,
    submit_profile_change,
)
from tests.factories import LabelFactory
from tests.producers.profile_forms import png_file, profile_data

pytestmark = pytest.mark.usefixtures("english")


# The description's length ---------------------------------------------------------


def test_the_description_box_stops_at_the_limit(as_user, producer, producer_user):
    page = as_user(producer_user).get(producer.get_absolute_url())
    assertContains(page, f'maxlength="{DESCRIPTION_MAX_LENGTH}"')


def test_a_description_too_long_is_refused_next_to_the_field(
    as_user, producer, producer_user
):
    response = as_user(producer_user).post(
        producer.get_absolute_url(),
        profile_data(producer, description="x" * (DESCRIPTION_MAX_LENGTH + 1)),
    )
    assertContains(
        response,
        'id="id_description_error">The description is too long: 5000 characters '
        "at most, it has 5001.",
        status_code=400,
    )
    assert pending_change(producer) is None


def test_the_service_refuses_a_description_too_long(producer, producer_user):
    with pytest.raises(ValidationError) as error:
        submit_profile_change(
            producer=producer,
            submitted_by=producer_user,
            name=producer.name,
            description="x" * (DESCRIPTION_MAX_LENGTH + 1),
        )
    assert "description" in error.value.message_dict
    assert pending_change(producer) is None


def test_a_description_approved_before_the_limit_does_not_block_other_changes(
    producer, producer_user
):
    """Its name can change without rewriting a description already public."""
    long_text = "x" * 200_000
    Producer.objects.filter(pk=producer.pk).update(description=long_text)
    producer.refresh_from_db()
    change = submit_profile_change(
        producer=producer,
        submitted_by=producer_user,
        name="Les Jardins de la Sèvre",
        description=long_text,
    )
    assert change.name == "Les Jardins de la Sèvre"


def test_the_queue_shows_a_long_description_replaced_whole(
    as_user, collective, organiser, producer, producer_user
):
    old = " ".join(f"ancien{number}" for number in range(3000))
    Producer.objects.filter(pk=producer.pk).update(description=old)
    producer.refresh_from_db()
    submit_profile_change(
        producer=producer,
        submitted_by=producer_user,
        name=producer.name,
        description="Une description courte.",
    )
    response = as_user(organiser).get(
        reverse("producers:moderation_queue", args=[collective.slug])
    )
    assertContains(response, f"<del>{old}</del><ins>Une description courte.</ins>")


# After a rejection ----------------------------------------------------------------


@pytest.fixture
def rejected(producer, producer_user, organiser):
    change = submit_profile_change(
        producer=producer,
        submitted_by=producer_user,
        name="Maraîchage de la Sèvre",
        activity="Légumes bio de saison",
        description="Six hectares en bord de Sèvre.",
    )
    return reject_profile_change(
        change,
        reviewed_by=organiser,
        comment="Précisez les variétés.\nEt les jours de marché.",
    )


def test_after_a_rejection_the_form_holds_the_refused_text(
    as_user, producer, producer_user, rejected
):
    page = as_user(producer_user).get(producer.get_absolute_url())
    assertContains(page, "Your last change was not accepted.")
    assertContains(page, 'value="Légumes bio de saison"')
    assertContains(page, ">\nSix hectares en bord de Sèvre.</textarea>")
    assertContains(page, "Précisez les variétés.<br>Et les jours de marché.")


def test_correcting_a_refused_text_proposes_it_again(
    as_user, producer, producer_user, rejected
):
    client = as_user(producer_user)
    page = client.get(producer.get_absolute_url())
    data = {
        field: page.context["form"][field].value()
        for field in ("name", "activity", "description")
    }
    data["description"] += " Tomates, courges et poireaux."
    client.post(producer.get_absolute_url(), profile_data(producer, **data))
    waiting = pending_change(producer)
    assert waiting.activity == "Légumes bio de saison"
    assert waiting.description == (
        "Six hectares en bord de Sèvre. Tomates, courges et poireaux."
    )


# The message after saving ---------------------------------------------------------


def test_saving_a_text_says_the_text_waits(as_user, producer, producer_user):
    response = as_user(producer_user).post(
        producer.get_absolute_url(),
        profile_data(producer, description="Des légumes."),
        follow=True,
    )
    assertContains(response, "The new public text will show on the network")
    assertNotContains(response, "text and photo will show")


def test_saving_a_photo_says_the_text_and_photo_wait(as_user, producer, producer_user):
    response = as_user(producer_user).post(
        producer.get_absolute_url(),
        {**profile_data(producer), "photo": png_file()},
        follow=True,
    )
    assertContains(response, "The new public text and photo will show on the network")


# The photo ------------------------------------------------------------------------


def test_a_photo_too_big_gives_its_size_in_mb(
    as_user, producer, producer_user, settings
):
    settings.UPLOAD_MAX_BYTES = 5 * 1024**2 // 100  # 0.05 MB, shown as 0.1
    photo = png_file(size=(300, 300), noise=True)
    tenths = -(-photo.size * 10 // 1024**2)  # rounded up
    response = as_user(producer_user).post(
        producer.get_absolute_url(), {**profile_data(producer), "photo": photo}
    )
    assertContains(
        response,
        f'id="id_photo_error">This file is too big (0.{tenths} MB): 0.1 MB at most.',
        status_code=400,
    )


def test_the_photo_size_is_written_for_the_locale(producer, settings):
    settings.UPLOAD_MAX_BYTES = 10
    photo = png_file(size=(300, 300), noise=True)
    with translation.override("fr"):
        form = ProducerProfileForm(profile_data(producer), {"photo": photo})
        assert not form.is_valid()
        assert "(0," in form.errors["photo"][0]
    assert "Mio" not in form.errors["photo"][0]


@pytest.fixture
def with_photos(producer, producer_user):
    producer.photo.save("ok.jpg", png_file())
    return submit_profile_change(
        producer=producer,
        submitted_by=producer_user,
        name=producer.name,
        photo=png_file("nouvelle.png"),
    )


def test_the_form_shows_the_photos_not_their_paths(
    as_user, producer, producer_user, with_photos
):
    page = as_user(producer_user).get(producer.get_absolute_url())
    assertNotContains(page, "Currently")
    assertNotContains(page, f">{producer.photo.name}<")
    assertNotContains(page, f'href="{producer.photo.url}"')
    assertContains(page, f'<img src="{producer.photo.url}"')
    assertContains(page, f'<img src="{with_photos.photo.url}"')
    assertContains(page, "Proposed photo, waiting for approval")
    assertContains(page, "Remove the photo")


def test_remove_the_photo_takes_it_down(as_user, producer, producer_user):
    producer.photo.save("ok.jpg", png_file())
    response = as_user(producer_user).post(
        producer.get_absolute_url(), profile_data(producer, remove_photo="on")
    )
    assert response.status_code == 302
    producer.refresh_from_db()
    assert not producer.photo


def test_no_remove_box_without_a_photo(as_user, producer, producer_user):
    page = as_user(producer_user).get(producer.get_absolute_url())
    assertNotContains(page, "Remove the photo")


# Labels ---------------------------------------------------------------------------


def test_each_label_checkbox_sits_inside_its_label(as_user, producer, producer_user):
    LabelFactory()
    page = as_user(producer_user).get(producer.get_absolute_url())
    assertContains(
        page,
        '<label class="choice" for="id_labels_0"><input type="checkbox" name="labels"',
    )
    assertContains(page, "<span>Agriculture biologique</span></label>")
