"""The farm itself: the producer area's home, the profile and its position,
creating farms, the navigation, the admin and the demo farms.

Pages are asked for in English (the `english` fixture).
"""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from amap import geocoding
from amap.members.models import Membership
from amap.navigation import user_areas
from amap.producers import demo
from amap.producers.models import Label, Partnership, Producer
from amap.producers.selectors.moderation import moderation_queue, pending_change
from amap.producers.services import profile as services
from tests.factories import (
    CollectiveFactory,
    LabelFactory,
    MembershipFactory,
    OrganiserMembershipFactory,
    PartnershipFactory,
    ProducerFactory,
    UserFactory,
)
from tests.producers.profile_forms import png_file, profile_data

pytestmark = pytest.mark.usefixtures("english")

DIVATTE = (Decimal("47.281900"), Decimal("-1.333000"))
HAND = (Decimal("47.100000"), Decimal("-1.300000"))
NEW_ADDRESS = {
    "street": "La Levée",
    "postcode": "44450",
    "town": "Divatte-sur-Loire",
}


def position(producer):
    producer.refresh_from_db()
    return (producer.latitude, producer.longitude)


@pytest.fixture
def no_geocoding(monkeypatch):
    def forbidden(**address):
        raise AssertionError("the address service should not be called")

    monkeypatch.setattr(geocoding, "geocode", forbidden)


@pytest.fixture
def hand_placed(producer):
    Producer.objects.filter(pk=producer.pk).update(
        latitude=HAND[0],
        longitude=HAND[1],
        position_source=Producer.PositionSource.MANUAL,
        geocode_status=Producer.GeocodeStatus.SKIPPED,
    )
    producer.refresh_from_db()
    return producer


# update_producer_profile ----------------------------------------------------------


def test_a_new_address_is_looked_up_after_commit(
    producer, producer_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        farm = services.update_producer_profile(
            producer, updated_by=producer_user, **NEW_ADDRESS
        )
        assert farm.geocode_status == Producer.GeocodeStatus.PENDING
        assert farm.latitude is None
    assert len(callbacks) == 1
    assert position(producer) == DIVATTE
    assert producer.position_source == Producer.PositionSource.GEOCODED
    assert producer.geocode_status == Producer.GeocodeStatus.FOUND


def test_a_hand_placed_position_survives_an_address_change(
    hand_placed, producer_user, no_geocoding, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.update_producer_profile(
            hand_placed, updated_by=producer_user, **NEW_ADDRESS
        )
    assert callbacks == []
    assert position(hand_placed) == HAND
    assert hand_placed.town == "Divatte-sur-Loire"
    assert hand_placed.position_source == Producer.PositionSource.MANUAL


def test_regeocode_gives_a_hand_placed_position_back_to_the_address(
    hand_placed, producer_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.update_producer_profile(
            hand_placed, updated_by=producer_user, regeocode=True, **NEW_ADDRESS
        )
    assert position(hand_placed) == DIVATTE
    assert hand_placed.position_source == Producer.PositionSource.GEOCODED


def test_placing_the_farm_by_hand_records_the_position(
    producer, producer_user, no_geocoding, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.update_producer_profile(
            producer,
            updated_by=producer_user,
            position_set_by_hand=True,
            latitude=HAND[0],
            longitude=HAND[1],
        )
    assert callbacks == []
    assert position(producer) == HAND
    assert producer.geocode_status == Producer.GeocodeStatus.SKIPPED


def test_changing_only_the_description_keeps_the_position(
    producer, producer_user, no_geocoding, django_capture_on_commit_callbacks
):
    before = position(producer)
    with django_capture_on_commit_callbacks() as callbacks:
        services.update_producer_profile(
            producer, updated_by=producer_user, description="Légumes de saison."
        )
    # The only task is telling the organisers a change waits: no geocoding.
    assert len(callbacks) == 1
    assert position(producer) == before
    producer.refresh_from_db()
    assert producer.description == ""
    assert pending_change(producer).description == "Légumes de saison."


def test_the_profile_replaces_the_labels(producer, producer_user):
    organic = LabelFactory()
    demeter = LabelFactory(name="Demeter", slug="demeter")
    producer.labels.add(organic)
    services.update_producer_profile(
        producer, updated_by=producer_user, labels=[demeter]
    )
    assert list(producer.labels.all()) == [demeter]


@pytest.mark.parametrize("person", ["member", "organiser", "other_producer_user"])
def test_only_the_farms_accounts_change_its_profile(
    request, producer, other_producer, person
):
    with pytest.raises(PermissionDenied):
        services.update_producer_profile(
            producer, updated_by=request.getfixturevalue(person), name="Autre nom"
        )
    producer.refresh_from_db()
    assert producer.name == "Maraîchage de la Sèvre"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"postcode": "99000"}, "postcode"),
        ({"name": ""}, "name"),
        ({"email": "pas-une-adresse"}, "email"),
        ({"website": "pas un site"}, "website"),
    ],
)
def test_the_profile_refuses_bad_fields(producer, producer_user, fields, field):
    with pytest.raises(ValidationError) as caught:
        services.update_producer_profile(producer, updated_by=producer_user, **fields)
    assert field in caught.value.message_dict


def test_the_profile_refuses_a_latitude_out_of_range(producer, producer_user):
    with pytest.raises(ValidationError) as caught:
        services.update_producer_profile(
            producer,
            updated_by=producer_user,
            position_set_by_hand=True,
            latitude=Decimal("300"),
            longitude=Decimal("-1.3"),
        )
    assert "latitude" in caught.value.message_dict


def test_the_profile_refuses_a_hand_position_without_coordinates(
    producer, producer_user
):
    with pytest.raises(ValidationError) as caught:
        services.update_producer_profile(
            producer, updated_by=producer_user, position_set_by_hand=True
        )
    assert "latitude" in caught.value.message_dict


def test_the_profile_refuses_a_photo_over_the_limit(producer, producer_user, settings):
    settings.UPLOAD_MAX_BYTES = 10
    with pytest.raises(ValidationError) as caught:
        services.update_producer_profile(
            producer, updated_by=producer_user, photo=png_file()
        )
    assert caught.value.message_dict["photo"][0].startswith("This file is too big (")


def test_geocoding_a_farm_twice_changes_nothing(producer, monkeypatch):
    Producer.objects.filter(pk=producer.pk).update(
        latitude=None,
        longitude=None,
        position_source="",
        geocode_status=Producer.GeocodeStatus.PENDING,
        street="La Levée",
        postcode="44450",
        town="Divatte-sur-Loire",
    )
    services.geocode_producer(producer_id=producer.pk)
    assert position(producer) == DIVATTE

    def forbidden(**address):
        raise AssertionError("already found: the service should not be called")

    monkeypatch.setattr(geocoding, "geocode", forbidden)
    services.geocode_producer(producer_id=producer.pk)
    assert position(producer) == DIVATTE
    services.geocode_producer(producer_id=999_999)  # a farm gone: nothing happens


# create_producer ------------------------------------------------------------------

NEW_FARM = {"street": "Le Bourg", "postcode": "44330", "town": "Vallet"}


def test_an_organiser_creates_a_farm_supplying_the_collective(
    collective, organiser, producer_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        farm = services.create_producer(
            name="Ferme du Bourg",
            created_by=organiser,
            manager_emails=[producer_user.email],
            collective=collective,
            activity="Maraîchage",
            **NEW_FARM,
        )
    assert farm.slug == "ferme-du-bourg"
    assert not farm.managers.exists()  # until Paul accepts the invitation
    assert farm.manager_invitations.get().email == producer_user.email
    partnership = Partnership.objects.get(producer=farm)
    assert (partnership.collective, partnership.referent) == (collective, organiser)
    assert partnership.active
    farm.refresh_from_db()
    assert farm.geocode_status == Producer.GeocodeStatus.FOUND
    assert farm.latitude == Decimal("47.161700")


def test_two_farms_of_the_same_name_get_different_slugs(organiser, producer_user):
    first = services.create_producer(
        name="Ferme du Bourg",
        created_by=organiser,
        manager_emails=[producer_user.email],
        **NEW_FARM,
    )
    second = services.create_producer(
        name="Ferme du Bourg",
        created_by=organiser,
        manager_emails=[producer_user.email],
        **NEW_FARM,
    )
    assert (first.slug, second.slug) == ("ferme-du-bourg", "ferme-du-bourg-2")


def test_a_superuser_who_organises_nothing_adds_a_farm_without_referent(
    collective, producer_user
):
    admin = UserFactory(is_staff=True, is_superuser=True)
    farm = services.create_producer(
        name="Ferme du Bourg",
        created_by=admin,
        manager_emails=[producer_user.email],
        collective=collective,
        **NEW_FARM,
    )
    assert Partnership.objects.get(producer=farm).referent is None


@pytest.mark.parametrize("person", ["member", "producer_user"])
def test_only_organisers_create_farms(request, person, producer_user):
    with pytest.raises(PermissionDenied):
        services.create_producer(
            name="Ferme du Bourg",
            created_by=request.getfixturevalue(person),
            manager_emails=[producer_user.email],
            **NEW_FARM,
        )
    assert not Producer.objects.filter(name="Ferme du Bourg").exists()


def test_an_organiser_cannot_create_a_farm_for_another_collective(
    other_collective, organiser, producer_user
):
    with pytest.raises(PermissionDenied):
        services.create_producer(
            name="Ferme du Bourg",
            created_by=organiser,
            manager_emails=[producer_user.email],
            collective=other_collective,
            **NEW_FARM,
        )


def test_a_farm_needs_an_account_to_manage_it(organiser):
    with pytest.raises(ValidationError) as caught:
        services.create_producer(
            name="Ferme du Bourg", created_by=organiser, manager_emails=[], **NEW_FARM
        )
    assert "manager_emails" in caught.value.message_dict


def test_creating_a_farm_refuses_a_bad_postcode(organiser, producer_user):
    with pytest.raises(ValidationError) as caught:
        services.create_producer(
            name="Ferme du Bourg",
            created_by=organiser,
            manager_emails=[producer_user.email],
            **{**NEW_FARM, "postcode": "4433"},
        )
    assert "postcode" in caught.value.message_dict
    assert not Producer.objects.exists()


# Producer area home ----------------------------------------------------------------


def test_the_home_asks_anonymous_visitors_to_log_in(as_user):
    url = reverse("producers:home")
    response = as_user(None).get(url)
    assertRedirects(response, f"{reverse('account_login')}?next={url}")


def test_someone_managing_no_farm_is_told_so(as_user, member):
    response = as_user(member).get(reverse("producers:home"))
    assert response.status_code == 200
    assertContains(response, "You do not manage any farm yet")


def test_a_producer_sees_the_dashboard_of_their_farm(
    as_user, producer, producer_user, organiser, collective
):
    Partnership.objects.filter(producer=producer).update(referent=organiser)
    organiser.phone = "06 11 22 33 44"
    organiser.save()
    response = as_user(producer_user).get(reverse("producers:home"))
    assertContains(response, "Maraîchage de la Sèvre")
    assertContains(response, "AMAP des Dervallières")
    assertContains(response, "Claire Petit")
    assertContains(response, "mailto:claire.petit@example.org")
    assertContains(response, "06 11 22 33 44")
    assertContains(response, reverse("producers:product_list", args=[producer.slug]))
    assertContains(response, reverse("producers:stock_grid", args=[producer.slug]))
    assertContains(response, reverse("producers:profile_edit", args=[producer.slug]))
    assertNotContains(response, "position on the map is missing")


def test_the_dashboard_hides_ended_partnerships(as_user, producer, producer_user):
    ended = CollectiveFactory(name="AMAP du Vieux Bourg")
    PartnershipFactory(producer=producer, collective=ended, active=False)
    response = as_user(producer_user).get(reverse("producers:home"))
    assertNotContains(response, "AMAP du Vieux Bourg")


def test_the_dashboard_warns_when_the_position_is_missing(
    as_user, producer, producer_user
):
    Producer.objects.filter(pk=producer.pk).update(
        latitude=None,
        longitude=None,
        position_source="",
        geocode_status=Producer.GeocodeStatus.NOT_FOUND,
    )
    response = as_user(producer_user).get(reverse("producers:home"))
    assertContains(response, "the address was not found")


def test_a_producer_does_not_see_someone_elses_farm(
    as_user, producer, other_producer, other_producer_user
):
    response = as_user(other_producer_user).get(reverse("producers:home"))
    assertContains(response, "Chèvrerie des Moulins")
    assertNotContains(response, "Maraîchage de la Sèvre")


def test_the_home_lists_every_farm_in_a_fixed_number_of_queries(
    as_user, producer_user, django_assert_max_num_queries
):
    collectives = [CollectiveFactory() for _ in range(5)]
    farms = [ProducerFactory(managers=[producer_user]) for _ in range(40)]
    Partnership.objects.bulk_create(
        [
            Partnership(
                producer=f,
                collective=c,
                status=Partnership.Status.ACCEPTED,
                active=True,
            )
            for f in farms
            for c in collectives
        ]
    )
    client = as_user(producer_user)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("producers:home"))
    assertContains(response, "You manage 40 farms.")
    assertContains(response, "Supplies 5 collectives", count=40)


# Profile page ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("person", "status"),
    [
        ("member", 404),
        ("organiser", 404),
        ("other_producer_user", 404),
        ("producer_user", 200),
    ],
)
def test_only_the_farms_accounts_open_its_page(
    request, as_user, producer, other_producer, person, status
):
    response = as_user(request.getfixturevalue(person)).get(
        reverse("producers:profile_edit", args=[producer.slug])
    )
    assert response.status_code == status


def test_the_profile_page_asks_anonymous_visitors_to_log_in(as_user, producer):
    url = producer.get_absolute_url()
    assert url == reverse("producers:profile_edit", args=[producer.slug])
    assertRedirects(as_user(None).get(url), f"{reverse('account_login')}?next={url}")


def test_someone_elses_farm_cannot_be_changed(
    as_user, producer, other_producer_user, other_producer
):
    response = as_user(other_producer_user).post(
        producer.get_absolute_url(), profile_data(producer, name="Piraté")
    )
    assert response.status_code == 404
    producer.refresh_from_db()
    assert producer.name == "Maraîchage de la Sèvre"


def test_the_profile_page_shows_the_map_picker(as_user, producer, producer_user):
    LabelFactory(name="Demeter", slug="demeter")
    response = as_user(producer_user).get(producer.get_absolute_url())
    assertContains(response, 'data-map="place-form"')
    assertContains(response, 'data-lat="47.087000"')
    assertContains(response, "Demeter")
    assertContains(response, "Find the position from the address again")


def test_saving_the_profile_changes_the_farm(
    as_user, producer, producer_user, django_capture_on_commit_callbacks
):
    organic = LabelFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(producer_user).post(
            producer.get_absolute_url(),
            {
                **profile_data(
                    producer,
                    description="Cinquante variétés de légumes.",
                    website="ferme-sevre.example.org",
                    postcode="44 450",
                    street="La Levée",
                    town="Divatte-sur-Loire",
                ),
                "labels": [organic.pk],
                "photo": png_file(),
            },
        )
    assertRedirects(response, producer.get_absolute_url())
    producer.refresh_from_db()
    # Contact, labels and address change at once...
    assert producer.website == "https://ferme-sevre.example.org"
    assert list(producer.labels.all()) == [organic]
    assert (producer.latitude, producer.longitude) == DIVATTE
    # ...the public text and photo wait for an organiser's approval.
    assert producer.description == ""
    assert not producer.photo
    waiting = pending_change(producer)
    assert waiting.description == "Cinquante variétés de légumes."
    assert waiting.photo.name.startswith("producers/submissions/")
    page = as_user(producer_user).get(producer.get_absolute_url())
    assertContains(page, "Waiting for approval")
    assertContains(page, "Cinquante variétés de légumes.")


def test_a_position_placed_on_the_map_is_kept(
    as_user, producer, producer_user, no_geocoding, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(producer_user).post(
            producer.get_absolute_url(),
            profile_data(
                producer,
                latitude="47.1",
                longitude="-1.3",
                position_set_by_hand="1",
                town="Gétigné",
            ),
        )
    assert response.status_code == 302
    assert position(producer) == HAND
    assert producer.position_source == Producer.PositionSource.MANUAL


def test_saving_without_a_new_photo_keeps_the_old_one(as_user, producer, producer_user):
    producer.photo.save("ferme.png", png_file())
    old = producer.photo.name
    response = as_user(producer_user).post(
        producer.get_absolute_url(), profile_data(producer, activity="Légumes")
    )
    assert response.status_code == 302
    producer.refresh_from_db()
    assert producer.photo.name == old
    waiting = pending_change(producer)
    assert waiting.activity == "Légumes"
    assert not waiting.photo


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"postcode": "4400"}, "postcode", "Enter a postcode of 5 digits"),
        ({"postcode": "99000"}, "postcode", "Unknown postcode."),
        (
            {"latitude": "300", "longitude": "-1.3", "position_set_by_hand": "1"},
            "latitude",
            "The latitude must be between -90 and 90.",
        ),
        ({"name": ""}, "name", "This field is required."),
        ({"email": "paul@"}, "email", "Enter a valid email address."),
    ],
)
def test_the_profile_form_shows_errors_next_to_the_fields(
    as_user, producer, producer_user, changes, field, message
):
    response = as_user(producer_user).post(
        producer.get_absolute_url(), profile_data(producer, **changes)
    )
    assert response.status_code == 400
    assertContains(response, f'id="id_{field}_error">{message}', status_code=400)
    producer.refresh_from_db()
    assert producer.postcode == "44190"


def test_the_profile_form_refuses_a_file_that_is_not_an_image(
    as_user, producer, producer_user
):
    fake = SimpleUploadedFile("ferme.jpg", b"not an image", content_type="image/jpeg")
    response = as_user(producer_user).post(
        producer.get_absolute_url(), {**profile_data(producer), "photo": fake}
    )
    assertContains(
        response, 'id="id_photo_error">This file is not an image', status_code=400
    )
    producer.refresh_from_db()
    assert not producer.photo


def test_the_profile_form_refuses_a_photo_over_the_limit(
    as_user, producer, producer_user, settings
):
    settings.UPLOAD_MAX_BYTES = 10
    response = as_user(producer_user).post(
        producer.get_absolute_url(), {**profile_data(producer), "photo": png_file()}
    )
    assertContains(response, "0.1 MB at most.</p>", status_code=400)
    producer.refresh_from_db()
    assert not producer.photo


# Navigation ------------------------------------------------------------------------


def test_the_navigation_shows_the_producer_area_to_producers(
    as_user, producer, producer_user
):
    response = as_user(producer_user).get(reverse("members:dashboard"))
    assertContains(response, f'href="{reverse("producers:home")}">Producer area')


@pytest.mark.parametrize("person", ["member", "organiser"])
def test_the_navigation_hides_the_producer_area_from_others(
    request, as_user, producer, person
):
    response = as_user(request.getfixturevalue(person)).get(
        reverse("members:dashboard")
    )
    assertNotContains(response, "Producer area")


def test_a_farm_no_longer_active_hides_the_producer_area(producer, producer_user):
    Producer.objects.filter(pk=producer.pk).update(active=False)
    assert user_areas(producer_user)["producer"] is False


def test_the_navigation_asks_the_same_number_of_queries_for_everyone(
    producer, producer_user, member, django_assert_num_queries
):
    for farm in ProducerFactory.create_batch(5, managers=[producer_user]):
        PartnershipFactory(producer=farm)
    with django_assert_num_queries(2):
        areas = user_areas(producer_user)
    assert areas["producer_url"] == reverse("producers:home")
    with django_assert_num_queries(2):
        assert user_areas(member)["producer"] is False


# Admin and demo --------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "producers_label_changelist",
        "producers_producer_changelist",
        "producers_product_changelist",
        "producers_offer_changelist",
        "producers_partnership_changelist",
        "producers_producer_add",
        "producers_profilesubmission_changelist",
        "producers_chartercommitment_changelist",
    ],
)
def test_the_admin_pages_open(as_user, producer, name):
    admin = UserFactory(is_staff=True, is_superuser=True)
    response = as_user(admin).get(reverse(f"admin:{name}"))
    assert response.status_code == 200


def test_a_farm_added_in_the_admin_is_approved_from_the_start(db, as_user):
    admin = UserFactory(is_staff=True, is_superuser=True)
    response = as_user(admin).get(reverse("admin:producers_producer_add"))
    assert response.context["adminform"].form.initial["published_at"] is not None


@pytest.fixture
def demo_network(db):
    collectives = {
        slug: CollectiveFactory(slug=slug)
        for slug in ("amap-dervallieres", "amap-trentemoult", "groupement-clisson")
    }
    organiser = UserFactory()
    for slug in ("amap-dervallieres", "groupement-clisson"):
        OrganiserMembershipFactory(user=organiser, collective=collectives[slug])
    MembershipFactory(user=organiser, collective=collectives["amap-trentemoult"])
    accounts = UserFactory.create_batch(8)
    return {
        "collectives": collectives,
        "producer_users": accounts,
        "organiser": organiser,
    }


def test_the_demo_farms_are_built_once(
    demo_network, no_geocoding, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        farms = demo.build_producers(**demo_network)
    assert callbacks == []
    assert len(farms) == 8
    accounts = demo_network["producer_users"]
    for farm, account in zip(farms, accounts, strict=True):
        assert list(farm.managers.all()) == [account]
        assert farm.email == account.email
        assert farm.has_position
        assert farm.geocode_status == Producer.GeocodeStatus.FOUND
        assert farm.description
        farm.full_clean()
    assert [f.name for f in farms][:2] == [
        "Maraîchage de la Sèvre",
        "Fournil du Loroux",
    ]
    collectives = demo_network["collectives"]
    dervallieres = collectives["amap-dervallieres"]
    assert Partnership.objects.filter(collective=dervallieres).count() == 8
    assert set(
        Partnership.objects.filter(collective=dervallieres).values_list(
            "referent", flat=True
        )
    ) == {demo_network["organiser"].pk}
    assert not Partnership.objects.filter(
        collective=collectives["amap-trentemoult"], referent__isnull=False
    ).exists()
    assert Partnership.objects.exclude(collective=dervallieres).count() >= 8
    # The demo producer has a proposal to answer, and a co-manager is invited.
    (proposal,) = Partnership.objects.proposed()
    assert (proposal.producer, proposal.collective) == (
        farms[0],
        collectives["groupement-clisson"],
    )
    assert farms[0].managers.get() == accounts[0]
    assert farms[0].manager_invitations.open().count() == 1
    assert set(Label.objects.values_list("slug", flat=True)) == {
        "ab",
        "nature-progres",
        "demeter",
        "bienvenue-ferme",
    }
    # Every demo farm is public, and one change waits in the organiser's queue.
    assert Producer.objects.public().count() == 8
    (waiting,) = moderation_queue(demo_network["organiser"], dervallieres)
    assert waiting.producer.slug == "chevrerie-des-moulins"
    assert "brebis" in waiting.description

    def snapshot():
        return (
            list(Producer.objects.values().order_by("pk")),
            list(Partnership.objects.values().order_by("pk")),
            list(Label.objects.values().order_by("pk")),
            list(Producer.labels.through.objects.values().order_by("pk")),
            list(Producer.managers.through.objects.values().order_by("pk")),
        )

    before = snapshot()
    demo.build_producers(**demo_network)
    assert snapshot() == before


def test_the_demo_farms_are_no_organisers_business(demo_network):
    """Demo accounts manage their farm, and only that farm."""
    farms = demo.build_producers(**demo_network)
    assert not Producer.objects.filter(managers=demo_network["organiser"]).exists()
    assert (
        Membership.objects.filter(user__in=demo_network["producer_users"]).count() == 0
    )
    assert len({f.slug for f in farms}) == 8


def test_saving_the_profile_refuses_a_huge_label_id(
    as_user, producer, producer_user, english
):
    response = as_user(producer_user).post(
        producer.get_absolute_url(),
        {**profile_data(producer), "labels": ["99999999999999999999"]},
    )
    assert response.status_code == 400
    assertContains(response, "Select a valid choice", status_code=400)
    assert not producer.labels.exists()
