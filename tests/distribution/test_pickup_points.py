"""Pickup points: the services (creation, editing, geocoding, usual point) and
the pages of organisers and members.

Pages are asked for in English (the `english` fixture).
"""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_q.models import Schedule
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from amap import geocoding
from amap.distribution.models import PickupPoint, UsualPickupPoint
from amap.distribution.services import pickup_points as services
from amap.distribution.tasks import geocode_pickup_point_task
from amap.locations import validate_french_postcode
from amap.members.models import Membership
from tests.factories import (
    CollectiveFactory,
    DistributionFactory,
    MembershipFactory,
    OrderCycleFactory,
    PickupPointFactory,
)

pytestmark = pytest.mark.usefixtures("english")

NANTES_44100 = (Decimal("47.221900"), Decimal("-1.588300"))
REZE = (Decimal("47.183300"), Decimal("-1.550000"))
ADDRESS = {"street": "5 rue Auguste Renoir", "postcode": "44100", "town": "Nantes"}
MISSING = (
    "Position missing: the address was not found; place the point on the map by hand"
)
NOT_ORGANISERS = ["member", "other_member", "producer_user", "other_organiser"]


def position(point):
    point.refresh_from_db()
    return (point.latitude, point.longitude)


def pending_point(**kwargs):
    return PickupPointFactory(
        latitude=None,
        longitude=None,
        position_source=PickupPoint.PositionSource.NONE,
        geocode_status=PickupPoint.GeocodeStatus.PENDING,
        **kwargs,
    )


def hand_placed_point(**kwargs):
    return PickupPointFactory(
        latitude=Decimal("47.200000"),
        longitude=Decimal("-1.500000"),
        position_source=PickupPoint.PositionSource.MANUAL,
        geocode_status=PickupPoint.GeocodeStatus.SKIPPED,
        **kwargs,
    )


def geocoding_retries():
    """Retries planned for the geocoding task (other schedules may exist)."""
    return list(Schedule.objects.filter(func=services.GEOCODE_TASK))


@pytest.fixture
def unavailable(monkeypatch):
    """The address service is down; `unavailable.calls` counts the attempts."""

    def down(**address):
        down.calls += 1
        raise geocoding.GeocodingUnavailable("503 Service Unavailable")

    down.calls = 0
    monkeypatch.setattr(geocoding, "geocode", down)
    return down


@pytest.fixture
def no_geocoding(monkeypatch):
    def forbidden(**address):
        raise AssertionError("the address service should not be called")

    monkeypatch.setattr(geocoding, "geocode", forbidden)


# Postcodes --------------------------------------------------------------------


@pytest.mark.parametrize("postcode", ["01000", "44000", "95880", "97400", "98800"])
def test_french_postcodes_are_accepted(postcode, collective, organiser):
    assert validate_french_postcode(postcode) is None
    address = {**ADDRESS, "postcode": postcode}
    point = services.create_pickup_point(
        collective=collective, created_by=organiser, name="Maison", **address
    )
    assert PickupPoint.objects.get(pk=point.pk).postcode == postcode


@pytest.mark.parametrize(
    ("postcode", "message"),
    [
        ("00123", "Unknown postcode."),
        ("96000", "Unknown postcode."),
        ("99000", "Unknown postcode."),
        ("4400", "Enter a postcode of 5 digits, for example 44000."),
        ("44 00", "Enter a postcode of 5 digits, for example 44000."),
        ("ABCDE", "Enter a postcode of 5 digits, for example 44000."),
        ("", "Enter a postcode of 5 digits, for example 44000."),
    ],
)
def test_other_postcodes_are_refused(postcode, message):
    with pytest.raises(ValidationError) as caught:
        validate_french_postcode(postcode)
    assert caught.value.messages == [message]


# Creating ---------------------------------------------------------------------


def test_creating_a_point_looks_its_address_up_after_commit(
    collective, organiser, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        point = services.create_pickup_point(
            collective=collective, created_by=organiser, name="Maison", **ADDRESS
        )
        assert point.geocode_status == PickupPoint.GeocodeStatus.PENDING
        assert point.latitude is None
    assert len(callbacks) == 1
    point.refresh_from_db()
    assert (point.latitude, point.longitude) == NANTES_44100
    assert point.position_source == PickupPoint.PositionSource.GEOCODED
    assert point.geocode_status == PickupPoint.GeocodeStatus.FOUND


def test_an_unknown_address_leaves_the_point_usable_without_position(
    collective, organiser, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        point = services.create_pickup_point(
            collective=collective,
            created_by=organiser,
            name="Ferme",
            street="Lieu-dit la Grange",
            postcode="12345",
            town="Nulle-part",
        )
    point.refresh_from_db()
    assert point.geocode_status == PickupPoint.GeocodeStatus.NOT_FOUND
    assert not point.has_position
    assert point.active
    assert PickupPoint.objects.active().filter(pk=point.pk).exists()


def test_a_point_placed_by_hand_at_creation_is_not_geocoded(
    collective, organiser, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        point = services.create_pickup_point(
            collective=collective,
            created_by=organiser,
            position_set_by_hand=True,
            name="Jardin",
            latitude=Decimal("47.2"),
            longitude=Decimal("-1.5"),
            **ADDRESS,
        )
    assert callbacks == []
    assert position(point) == (Decimal("47.200000"), Decimal("-1.500000"))
    assert point.position_source == PickupPoint.PositionSource.MANUAL
    assert point.geocode_status == PickupPoint.GeocodeStatus.SKIPPED


def test_creating_refuses_a_hand_position_without_coordinates(collective, organiser):
    with pytest.raises(ValidationError) as caught:
        services.create_pickup_point(
            collective=collective,
            created_by=organiser,
            position_set_by_hand=True,
            name="Jardin",
            latitude=Decimal("47.2"),
            **ADDRESS,
        )
    assert "latitude" in caught.value.message_dict
    assert not PickupPoint.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"postcode": "99000"}, "postcode"),
        ({"postcode": "4400"}, "postcode"),
        ({"capacity": 0}, "capacity"),
        ({"name": ""}, "name"),
        ({"street": ""}, "street"),
    ],
)
def test_creating_refuses_bad_fields(collective, organiser, fields, field):
    with pytest.raises(ValidationError) as caught:
        services.create_pickup_point(
            collective=collective,
            created_by=organiser,
            **{"name": "Maison", **ADDRESS, **fields},
        )
    assert field in caught.value.message_dict
    assert not PickupPoint.objects.exists()


def test_creating_refuses_a_latitude_out_of_range(collective, organiser):
    with pytest.raises(ValidationError) as caught:
        services.create_pickup_point(
            collective=collective,
            created_by=organiser,
            position_set_by_hand=True,
            name="Maison",
            latitude=Decimal("300"),
            longitude=Decimal("-1.5"),
            **ADDRESS,
        )
    assert "latitude" in caught.value.message_dict


@pytest.mark.parametrize("person", NOT_ORGANISERS)
def test_only_organisers_create_pickup_points(request, collective, person):
    user = request.getfixturevalue(person)
    with pytest.raises(PermissionDenied):
        services.create_pickup_point(
            collective=collective, created_by=user, name="Maison", **ADDRESS
        )
    assert not PickupPoint.objects.exists()


# Updating ---------------------------------------------------------------------


def test_a_new_address_is_looked_up_again(
    collective, organiser, django_capture_on_commit_callbacks
):
    point = PickupPointFactory(collective=collective)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.update_pickup_point(
            point,
            updated_by=organiser,
            street="1 place Pirmil",
            postcode="44400",
            town="Rezé",
        )
    assert len(callbacks) == 1
    assert position(point) == REZE
    assert point.geocode_status == PickupPoint.GeocodeStatus.FOUND


def test_a_new_address_clears_the_old_geocoded_position_until_found(
    collective, organiser, unavailable, django_capture_on_commit_callbacks
):
    point = PickupPointFactory(collective=collective)
    with django_capture_on_commit_callbacks(execute=True):
        services.update_pickup_point(
            point, updated_by=organiser, postcode="44400", town="Rezé"
        )
    assert position(point) == (None, None)
    assert point.geocode_status == PickupPoint.GeocodeStatus.UNAVAILABLE


def test_a_hand_set_position_survives_an_address_change(
    collective, organiser, no_geocoding, django_capture_on_commit_callbacks
):
    point = hand_placed_point(collective=collective)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.update_pickup_point(
            point,
            updated_by=organiser,
            street="1 place Pirmil",
            postcode="44400",
            town="Rezé",
            # The form sends back the shown position; without the flag it is ignored.
            latitude=Decimal("1"),
            longitude=Decimal("1"),
        )
    assert callbacks == []
    assert position(point) == (Decimal("47.200000"), Decimal("-1.500000"))
    assert point.town == "Rezé"
    assert point.position_source == PickupPoint.PositionSource.MANUAL
    assert point.geocode_status == PickupPoint.GeocodeStatus.SKIPPED


def test_placing_a_geocoded_point_by_hand_keeps_it_there(
    collective, organiser, django_capture_on_commit_callbacks
):
    point = PickupPointFactory(collective=collective)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.update_pickup_point(
            point,
            updated_by=organiser,
            position_set_by_hand=True,
            latitude=Decimal("47.230001"),
            longitude=Decimal("-1.580002"),
        )
    assert callbacks == []
    assert position(point) == (Decimal("47.230001"), Decimal("-1.580002"))
    assert point.position_source == PickupPoint.PositionSource.MANUAL


def test_regeocode_gives_a_hand_set_position_back_to_the_address(
    collective, organiser, django_capture_on_commit_callbacks
):
    point = hand_placed_point(collective=collective)
    with django_capture_on_commit_callbacks(execute=True):
        services.update_pickup_point(
            point,
            updated_by=organiser,
            regeocode=True,
            position_set_by_hand=True,
            latitude=Decimal("1"),
            longitude=Decimal("1"),
        )
    assert position(point) == NANTES_44100
    assert point.position_source == PickupPoint.PositionSource.GEOCODED


def test_changing_only_the_name_does_not_look_the_address_up(
    collective, organiser, django_capture_on_commit_callbacks
):
    point = PickupPointFactory(collective=collective)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.update_pickup_point(
            point, updated_by=organiser, name="Le Local", **ADDRESS, capacity=40
        )
    assert callbacks == []
    point.refresh_from_db()
    assert (point.name, point.capacity) == ("Le Local", 40)
    assert (point.latitude, point.longitude) == NANTES_44100


def test_updating_refuses_an_unknown_postcode_and_changes_nothing(
    collective, organiser
):
    point = PickupPointFactory(collective=collective)
    with pytest.raises(ValidationError) as caught:
        services.update_pickup_point(
            point, updated_by=organiser, name="Nouveau", postcode="96100"
        )
    assert caught.value.message_dict["postcode"] == ["Unknown postcode."]
    point.refresh_from_db()
    assert (point.name, point.postcode) != ("Nouveau", "96100")


@pytest.mark.parametrize("person", NOT_ORGANISERS)
def test_only_organisers_update_pickup_points(request, collective, person):
    user = request.getfixturevalue(person)
    point = PickupPointFactory(collective=collective, name="Maison")
    with pytest.raises(PermissionDenied):
        services.update_pickup_point(point, updated_by=user, name="Pirate")
    point.refresh_from_db()
    assert point.name == "Maison"


# Geocoding in the background --------------------------------------------------


def test_an_unavailable_service_records_the_attempt_and_schedules_a_retry(
    collective, unavailable
):
    point = pending_point(collective=collective)
    before = timezone.now()
    geocode_pickup_point_task(point.pk)
    point.refresh_from_db()
    assert point.geocode_status == PickupPoint.GeocodeStatus.UNAVAILABLE
    assert point.geocode_attempts == 1
    [retry] = geocoding_retries()
    assert retry.func == "amap.distribution.tasks.geocode_pickup_point_task"
    assert retry.schedule_type == Schedule.ONCE
    assert str(point.pk) in retry.args
    delay = retry.next_run - before
    assert dt.timedelta(minutes=4) < delay <= dt.timedelta(minutes=6)


def test_retries_wait_longer_each_time_and_stop_after_three_attempts(
    collective, unavailable
):
    point = pending_point(collective=collective)
    for _attempt in range(3):
        services.geocode_pickup_point(pickup_point_id=point.pk)
    point.refresh_from_db()
    assert point.geocode_attempts == 3
    assert unavailable.calls == 3
    runs = sorted(s.next_run for s in geocoding_retries())
    assert len(runs) == 2, "no retry is planned after the third attempt"
    assert runs[1] - runs[0] > dt.timedelta(minutes=4)


def test_a_retry_that_finds_the_address_records_the_position(collective):
    point = pending_point(collective=collective)
    point.geocode_status = PickupPoint.GeocodeStatus.UNAVAILABLE
    point.geocode_attempts = 1
    point.save()
    services.geocode_pickup_point(pickup_point_id=point.pk)
    assert position(point) == NANTES_44100
    assert point.geocode_status == PickupPoint.GeocodeStatus.FOUND


def test_geocoding_twice_changes_nothing_the_second_time(collective, monkeypatch):
    point = pending_point(collective=collective)
    services.geocode_pickup_point(pickup_point_id=point.pk)
    point.refresh_from_db()
    first = (point.latitude, point.longitude, point.geocode_status)
    calls = []
    monkeypatch.setattr(geocoding, "geocode", lambda **kw: calls.append(kw))
    services.geocode_pickup_point(pickup_point_id=point.pk)
    point.refresh_from_db()
    assert (point.latitude, point.longitude, point.geocode_status) == first
    assert calls == []


def test_geocoding_leaves_a_point_placed_by_hand_meanwhile(collective, no_geocoding):
    point = hand_placed_point(collective=collective)
    services.geocode_pickup_point(pickup_point_id=point.pk)
    assert position(point) == (Decimal("47.200000"), Decimal("-1.500000"))
    assert point.geocode_status == PickupPoint.GeocodeStatus.SKIPPED


def test_a_hand_placement_during_the_lookup_wins(collective, monkeypatch):
    point = pending_point(collective=collective)

    def slow_lookup(**address):
        PickupPoint.objects.filter(pk=point.pk).update(
            latitude=Decimal("47.1"),
            longitude=Decimal("-1.4"),
            position_source=PickupPoint.PositionSource.MANUAL,
            geocode_status=PickupPoint.GeocodeStatus.SKIPPED,
        )
        return geocoding.Position(*NANTES_44100)

    monkeypatch.setattr(geocoding, "geocode", slow_lookup)
    services.geocode_pickup_point(pickup_point_id=point.pk)
    assert position(point) == (Decimal("47.100000"), Decimal("-1.400000"))
    assert point.position_source == PickupPoint.PositionSource.MANUAL


def test_an_answer_for_an_old_address_is_dropped(collective, monkeypatch):
    point = pending_point(collective=collective)

    def lookup_while_address_changes(**address):
        PickupPoint.objects.filter(pk=point.pk).update(postcode="44400", town="Rezé")
        return geocoding.Position(*NANTES_44100)

    monkeypatch.setattr(geocoding, "geocode", lookup_while_address_changes)
    services.geocode_pickup_point(pickup_point_id=point.pk)
    assert position(point) == (None, None)
    assert point.geocode_status == PickupPoint.GeocodeStatus.PENDING


def test_geocoding_a_deleted_point_does_nothing(collective, unavailable):
    point = pending_point(collective=collective)
    point_id = point.pk
    point.delete()
    services.geocode_pickup_point(pickup_point_id=point_id)
    assert unavailable.calls == 0
    assert geocoding_retries() == []
    assert not PickupPoint.objects.exists()


# Usual pickup point -----------------------------------------------------------


def test_a_member_chooses_and_changes_their_usual_pickup_point(collective, member):
    first, second = PickupPointFactory.create_batch(2, collective=collective)
    services.choose_usual_pickup_point(user=member, pickup_point=first)
    services.choose_usual_pickup_point(user=member, pickup_point=second)
    [usual] = UsualPickupPoint.objects.all()
    assert (usual.user, usual.collective, usual.pickup_point) == (
        member,
        collective,
        second,
    )


def test_a_point_of_another_collective_is_refused(other_collective, member):
    point = PickupPointFactory(collective=other_collective)
    with pytest.raises(PermissionDenied):
        services.choose_usual_pickup_point(user=member, pickup_point=point)
    assert not UsualPickupPoint.objects.exists()


def test_a_former_member_cannot_choose_a_point(collective, member):
    Membership.objects.filter(user=member).update(status=Membership.Status.INACTIVE)
    point = PickupPointFactory(collective=collective)
    with pytest.raises(PermissionDenied):
        services.choose_usual_pickup_point(user=member, pickup_point=point)


def test_a_point_no_longer_in_use_is_refused(collective, member):
    point = PickupPointFactory(collective=collective, active=False, name="Ancien")
    with pytest.raises(ValidationError) as caught:
        services.choose_usual_pickup_point(user=member, pickup_point=point)
    assert "Ancien is no longer used" in caught.value.messages[0]
    assert not UsualPickupPoint.objects.exists()


# Organiser pages: permissions -------------------------------------------------


def login_redirect(url):
    return f"{reverse('account_login')}?next={url}"


@pytest.fixture
def cast(request, collective, other_collective):
    def person(name):
        return None if name == "anonymous" else request.getfixturevalue(name)

    return person


def organiser_urls(collective, point):
    return [
        reverse("distribution:pickup_point_list", args=[collective.slug]),
        reverse("distribution:pickup_point_create", args=[collective.slug]),
        reverse("distribution:pickup_point_edit", args=[point.pk]),
    ]


def test_anonymous_people_are_sent_to_log_in(client, collective):
    point = PickupPointFactory(collective=collective)
    for url in organiser_urls(collective, point):
        assertRedirects(
            client.get(url), login_redirect(url), fetch_redirect_response=False
        )


@pytest.mark.parametrize("person", NOT_ORGANISERS)
def test_other_people_get_not_found(cast, as_user, collective, person):
    point = PickupPointFactory(collective=collective)
    client = as_user(cast(person))
    for url in organiser_urls(collective, point):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"name": "Pirate", **ADDRESS}).status_code == 404, url
    assert PickupPoint.objects.count() == 1


def test_the_organiser_sees_the_pages(as_user, collective, organiser):
    point = PickupPointFactory(collective=collective)
    client = as_user(organiser)
    for url in organiser_urls(collective, point):
        assert client.get(url).status_code == 200, url


def test_the_organiser_of_another_collective_cannot_edit_its_points(
    as_user, collective, other_organiser
):
    point = PickupPointFactory(collective=collective, name="Maison")
    url = reverse("distribution:pickup_point_edit", args=[point.pk])
    response = as_user(other_organiser).post(url, {"name": "Pirate", **ADDRESS})
    assert response.status_code == 404
    point.refresh_from_db()
    assert point.name == "Maison"


# Organiser pages: behaviour ---------------------------------------------------


def test_the_list_shows_each_point_and_when_its_position_is_missing(
    as_user, collective, organiser, other_collective
):
    PickupPointFactory(collective=collective, name="Maison de quartier")
    lost = pending_point(collective=collective, name="Salle perdue")
    lost.geocode_status = PickupPoint.GeocodeStatus.NOT_FOUND
    lost.save()
    PickupPointFactory(collective=other_collective, name="Ailleurs")
    response = as_user(organiser).get(
        reverse("distribution:pickup_point_list", args=[collective.slug])
    )
    assertContains(response, "Maison de quartier")
    assertContains(response, "Salle perdue")
    assertContains(response, MISSING, count=1)
    assertNotContains(response, "Ailleurs")
    assertContains(response, lost.get_absolute_url())
    assertContains(
        response, reverse("distribution:pickup_point_create", args=[collective.slug])
    )
    assertContains(
        response, reverse("distribution:collective_map", args=[collective.slug])
    )


def test_the_list_takes_a_fixed_number_of_queries(
    as_user, collective, organiser, django_assert_max_num_queries
):
    PickupPointFactory.create_batch(250, collective=collective)
    client = as_user(organiser)
    url = reverse("distribution:pickup_point_list", args=[collective.slug])
    with django_assert_max_num_queries(8):
        response = client.get(url)
    assert response.content.count(b"data-pickup-point=") == 250


def form_data(**overrides):
    data = {
        "name": "Maison de quartier",
        "street": "5 rue Auguste Renoir",
        "postcode": "44100",
        "town": "Nantes",
        "opening_notes": "",
        "capacity": "",
        "active": "on",
        "latitude": "",
        "longitude": "",
        "position_set_by_hand": "",
    }
    data.update(overrides)
    return data


def test_the_form_page_has_a_map_with_hidden_position_inputs(
    as_user, collective, organiser
):
    response = as_user(organiser).get(
        reverse("distribution:pickup_point_create", args=[collective.slug])
    )
    html = response.content.decode()
    assert 'id="pickup-map"' in html
    assert 'data-lat=""' in html
    assert re.search(r'<input type="hidden" name="latitude"[^>]*id="id_latitude"', html)
    assert re.search(r'<input type="hidden" name="longitude"', html)
    assert re.search(r'<input type="hidden" name="position_set_by_hand"', html)
    assert "leaflet/leaflet" in html
    assert "js/maps.js" in html
    assert "regeocode" not in html, "nothing to look up again on a new point"


def test_creating_a_point_through_the_form(
    as_user, collective, organiser, django_capture_on_commit_callbacks
):
    url = reverse("distribution:pickup_point_create", args=[collective.slug])
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(organiser).post(
            url, form_data(postcode="44 100", capacity="30", opening_notes="Code 1234")
        )
    assertRedirects(
        response,
        reverse("distribution:pickup_point_list", args=[collective.slug]),
        fetch_redirect_response=False,
    )
    point = PickupPoint.objects.get()
    assert (point.collective, point.postcode, point.capacity) == (
        collective,
        "44100",
        30,
    )
    assert (point.latitude, point.longitude) == NANTES_44100


def test_creating_a_point_placed_by_hand_through_the_form(
    as_user, collective, organiser, no_geocoding
):
    url = reverse("distribution:pickup_point_create", args=[collective.slug])
    as_user(organiser).post(
        url,
        form_data(
            latitude="47.2345678912",
            longitude="-1.5",
            position_set_by_hand="1",
            town="Nulle-part",
        ),
    )
    point = PickupPoint.objects.get()
    assert (point.latitude, point.longitude) == (
        Decimal("47.234568"),
        Decimal("-1.500000"),
    )
    assert point.position_source == PickupPoint.PositionSource.MANUAL


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"postcode": "99123"}, "postcode", "Unknown postcode."),
        ({"postcode": "00123"}, "postcode", "Unknown postcode."),
        (
            {"postcode": "4410"},
            "postcode",
            "Enter a postcode of 5 digits, for example 44000.",
        ),
        (
            {"latitude": "300", "longitude": "-1.5", "position_set_by_hand": "1"},
            "latitude",
            "The latitude must be between -90 and 90.",
        ),
        (
            {"latitude": "47", "longitude": "-200", "position_set_by_hand": "1"},
            "longitude",
            "The longitude must be between -180 and 180.",
        ),
        (
            {"latitude": "", "longitude": "", "position_set_by_hand": "1"},
            "latitude",
            "Place the point on the map: both the latitude and the longitude are "
            "needed.",
        ),
        (
            {"capacity": "0"},
            "capacity",
            "The capacity must be at least 1 household; leave it empty if unlimited.",
        ),
        ({"capacity": "many"}, "capacity", "Enter a whole number."),
        ({"name": ""}, "name", "This field is required."),
    ],
)
def test_bad_input_gets_a_message_next_to_the_field(
    as_user, collective, organiser, overrides, field, message
):
    url = reverse("distribution:pickup_point_create", args=[collective.slug])
    response = as_user(organiser).post(url, form_data(**overrides))
    assert response.status_code == 400
    html = response.content.decode()
    match = re.search(rf'<p class="error" id="id_{field}_error">([^<]*)</p>', html)
    assert match, f"no error next to {field}"
    assert match.group(1) == message.replace("'", "&#x27;")
    assert not PickupPoint.objects.exists()


def test_a_form_error_keeps_the_position_placed_on_the_map(
    as_user, collective, organiser
):
    url = reverse("distribution:pickup_point_create", args=[collective.slug])
    response = as_user(organiser).post(
        url,
        form_data(
            name="", latitude="47.25", longitude="-1.55", position_set_by_hand="1"
        ),
    )
    html = response.content.decode()
    assert 'data-lat="47.25"' in html
    assert 'data-lng="-1.55"' in html
    assert 'data-position-set-by-hand="true"' in html


def test_the_edit_page_shows_the_current_position_on_the_map(
    as_user, collective, organiser
):
    point = PickupPointFactory(collective=collective)
    response = as_user(organiser).get(point.get_absolute_url())
    html = response.content.decode()
    assert 'data-lat="47.221900"' in html
    assert 'data-lng="-1.588300"' in html
    assert 'data-position-set-by-hand="false"' in html
    assertContains(response, "Find the position from the address again")
    assertNotContains(response, MISSING)


def test_the_edit_page_says_when_the_position_is_missing(
    as_user, collective, organiser
):
    point = pending_point(collective=collective)
    point.geocode_status = PickupPoint.GeocodeStatus.NOT_FOUND
    point.save()
    response = as_user(organiser).get(point.get_absolute_url())
    assertContains(response, MISSING)
    assertContains(response, 'data-lat=""')


def test_moving_the_marker_on_the_edit_page_places_the_point_by_hand(
    as_user, collective, organiser, django_capture_on_commit_callbacks
):
    point = PickupPointFactory(collective=collective)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = as_user(organiser).post(
            point.get_absolute_url(),
            form_data(
                latitude="47.210000",
                longitude="-1.560000",
                position_set_by_hand="1",
                town="Rezé",
                postcode="44400",
            ),
        )
    assert response.status_code == 302
    assert callbacks == []
    assert position(point) == (Decimal("47.210000"), Decimal("-1.560000"))
    assert point.town == "Rezé"


def test_saving_the_edit_page_untouched_keeps_a_hand_position(
    as_user, collective, organiser, django_capture_on_commit_callbacks
):
    point = hand_placed_point(collective=collective)
    with django_capture_on_commit_callbacks(execute=True):
        as_user(organiser).post(
            point.get_absolute_url(),
            form_data(
                latitude="47.200000",
                longitude="-1.500000",
                postcode="44400",
                town="Rezé",
            ),
        )
    assert position(point) == (Decimal("47.200000"), Decimal("-1.500000"))
    assert point.position_source == PickupPoint.PositionSource.MANUAL


def test_ticking_regeocode_on_the_edit_page_finds_the_position_again(
    as_user, collective, organiser, django_capture_on_commit_callbacks
):
    point = hand_placed_point(collective=collective)
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(organiser).post(
            point.get_absolute_url(),
            form_data(latitude="47.2", longitude="-1.5", regeocode="on"),
        )
    assert response.status_code == 302
    assert position(point) == NANTES_44100
    assert point.position_source == PickupPoint.PositionSource.GEOCODED


def test_deactivating_a_point_through_the_form(as_user, collective, organiser):
    point = PickupPointFactory(collective=collective)
    data = form_data()
    del data["active"]
    as_user(organiser).post(point.get_absolute_url(), data)
    point.refresh_from_db()
    assert not point.active


# Public map -------------------------------------------------------------------


@pytest.mark.parametrize(
    "person", ["anonymous", "member", "other_member", "organiser", "other_organiser"]
)
def test_the_map_of_a_collective_is_public(cast, as_user, collective, person):
    PickupPointFactory(collective=collective, name="Maison de quartier")
    PickupPointFactory(collective=collective, name="Ancienne salle", active=False)
    response = as_user(cast(person)).get(
        reverse("distribution:collective_map", args=[collective.slug])
    )
    assert response.status_code == 200
    geojson_url = reverse(
        "distribution:collective_pickup_points_geojson", args=[collective.slug]
    )
    assertContains(response, geojson_url)
    assertContains(response, "Maison de quartier")
    assertNotContains(response, "Ancienne salle")


def test_the_map_of_an_inactive_collective_is_not_found(client, db):
    closed = CollectiveFactory(slug="closed", active=False)
    response = client.get(reverse("distribution:collective_map", args=[closed.slug]))
    assert response.status_code == 404


def test_the_map_page_takes_a_fixed_number_of_queries(
    client, collective, django_assert_max_num_queries
):
    PickupPointFactory.create_batch(250, collective=collective)
    with django_assert_max_num_queries(4):
        response = client.get(
            reverse("distribution:collective_map", args=[collective.slug])
        )
    assert response.content.count(b"data-pickup-point=") == 250


# My pickup point --------------------------------------------------------------


def my_point_url():
    return reverse("distribution:my_pickup_point")


def test_anonymous_people_log_in_to_choose_a_pickup_point(client, db):
    url = my_point_url()
    assertRedirects(client.get(url), login_redirect(url), fetch_redirect_response=False)
    assertRedirects(
        client.post(url, {"pickup_point": 1}),
        login_redirect(url),
        fetch_redirect_response=False,
    )


@pytest.mark.parametrize(
    "person",
    ["member", "other_member", "organiser", "other_organiser", "producer_user"],
)
def test_everyone_sees_only_their_own_collectives(cast, as_user, person, collective):
    PickupPointFactory(collective=collective, name="Point Dervallières")
    PickupPointFactory(
        collective=CollectiveFactory(slug="trentemoult"), name="Point Trentemoult"
    )
    user = cast(person)
    response = as_user(user).get(my_point_url())
    assert response.status_code == 200
    html = response.content.decode()
    expected = {
        "member": "Point Dervallières",
        "organiser": "Point Dervallières",
        "other_member": "Point Trentemoult",
        "other_organiser": "Point Trentemoult",
    }.get(person)
    for name in ("Point Dervallières", "Point Trentemoult"):
        assert (name in html) == (name == expected), name
    if person == "producer_user":
        assertContains(response, "You are not a member of any collective yet.")


def test_a_member_chooses_a_point_and_sees_its_next_four_distributions(
    as_user, collective, member
):
    point = PickupPointFactory(
        collective=collective, name="Maison", opening_notes="Door code 4512"
    )
    other = PickupPointFactory(collective=collective, name="Salle")
    today = timezone.localdate()
    cycle = OrderCycleFactory(collective=collective, name="Semaine 12")
    upcoming = [
        DistributionFactory(
            cycle=cycle, pickup_point=point, date=today + dt.timedelta(days=d)
        )
        for d in (21, 0, 7, 28, 14, 35)
    ]
    DistributionFactory(
        cycle=cycle, pickup_point=point, date=today - dt.timedelta(days=7)
    )
    DistributionFactory(
        cycle=cycle,
        pickup_point=point,
        date=today + dt.timedelta(days=3),
        cancelled=True,
    )
    DistributionFactory(
        cycle=cycle, pickup_point=other, date=today + dt.timedelta(days=1)
    )
    client = as_user(member)

    response = client.post(my_point_url(), {"pickup_point": point.pk})
    assertRedirects(response, my_point_url(), fetch_redirect_response=False)
    assert UsualPickupPoint.objects.get(user=member).pickup_point == point

    response = client.get(my_point_url())
    html = response.content.decode()
    shown = [int(pk) for pk in re.findall(r'data-distribution="(\d+)"', html)]
    expected = sorted(upcoming, key=lambda d: d.date)[:4]
    assert shown == [d.pk for d in expected]
    assertContains(response, "Door code 4512")
    assertContains(response, "Semaine 12")
    assertContains(response, f'data-usual-pickup-point="{point.pk}"')
    assertContains(response, 'data-map="point"')
    assertContains(response, 'data-lat="47.221900"')
    assertContains(response, "Maison is now your usual pickup point")


def test_choosing_a_point_of_another_collective_is_not_found(
    as_user, member, other_collective
):
    point = PickupPointFactory(collective=other_collective)
    response = as_user(member).post(my_point_url(), {"pickup_point": point.pk})
    assert response.status_code == 404
    assert not UsualPickupPoint.objects.exists()


def test_choosing_a_missing_point_is_not_found(as_user, member):
    response = as_user(member).post(my_point_url(), {"pickup_point": 999999})
    assert response.status_code == 404


def test_choosing_nothing_gives_a_message(as_user, member):
    response = as_user(member).post(
        my_point_url(), {"pickup_point": "abc"}, follow=True
    )
    assertContains(response, "Choose one of the pickup points in the list.")
    assert not UsualPickupPoint.objects.exists()


def test_choosing_a_point_no_longer_in_use_gives_a_message(as_user, collective, member):
    point = PickupPointFactory(collective=collective, name="Ancien", active=False)
    response = as_user(member).post(
        my_point_url(), {"pickup_point": point.pk}, follow=True
    )
    assertContains(response, "Ancien is no longer used for distributions")
    assert not UsualPickupPoint.objects.exists()


def test_a_usual_point_taken_out_of_use_asks_for_another(as_user, collective, member):
    point = PickupPointFactory(collective=collective, name="Ancien")
    services.choose_usual_pickup_point(user=member, pickup_point=point)
    point.active = False
    point.save()
    response = as_user(member).get(my_point_url())
    assertContains(response, "Ancien is no longer used for distributions")
    assertNotContains(response, "data-usual-pickup-point")


def _fill_collectives(user, count, points_per_collective, distributions_per_point):
    today = timezone.localdate()
    for _index in range(count):
        collective = CollectiveFactory()
        MembershipFactory(collective=collective, user=user)
        points = PickupPointFactory.create_batch(
            points_per_collective, collective=collective
        )
        cycle = OrderCycleFactory(collective=collective)
        for day in range(distributions_per_point):
            DistributionFactory(
                cycle=cycle,
                pickup_point=points[0],
                date=today + dt.timedelta(days=7 * day + 1),
            )
        UsualPickupPoint.objects.create(
            user=user, collective=collective, pickup_point=points[0]
        )


def test_my_pickup_point_takes_a_fixed_number_of_queries(
    as_user, member, django_assert_max_num_queries
):
    client = as_user(member)
    _fill_collectives(member, 1, 2, 1)
    with CaptureQueriesContext(connection) as small:
        client.get(my_point_url())
    _fill_collectives(member, 5, 50, 8)
    with django_assert_max_num_queries(len(small)) as large:
        response = client.get(my_point_url())
    assert len(large) == len(small)
    assert response.content.count(b"data-distribution=") == 6 * 4 - 3
