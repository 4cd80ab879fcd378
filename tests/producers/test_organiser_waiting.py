"""The organiser's home says what waits for each collective: farm pages to
review (not their own farm's), members and farms that have not accepted the
current charter; the producers page says which farm cannot publish its stock
for want of accepting it."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from amap.members.services import accept_charter, publish_charter_version
from amap.producers.services.moderation import submit_profile_change
from tests.factories import (
    MembershipFactory,
    OrganiserMembershipFactory,
    PartnershipFactory,
    ProducerFactory,
    UserFactory,
)

pytestmark = pytest.mark.usefixtures("english", "fresh_cache")

HOME = reverse("members:organiser_home")


@pytest.fixture
def charter(db):
    return publish_charter_version(title="Charte", body="<h2>Agriculture</h2>")


def waiting(response) -> list[str]:
    """The texts of the 'waiting for you' badges, in order."""
    import re

    return [
        re.sub(r"\s+", " ", text).strip()
        for text in re.findall(
            r"<a [^>]*data-waiting[^>]*>(.*?)</a>", response.content.decode(), re.S
        )
    ]


def change(farm, manager):
    return submit_profile_change(
        producer=farm, submitted_by=manager, name=farm.name, description="Nouveau."
    )


def test_the_home_counts_the_farm_pages_to_review_and_links_the_queue(
    as_user, collective, organiser, producer, producer_user, other_organiser
):
    change(producer, producer_user)
    response = as_user(organiser).get(HOME)
    assert waiting(response) == ["1 farm page to review"]
    assertContains(
        response, reverse("producers:moderation_queue", args=[collective.slug])
    )
    # The farm supplies only the organiser's collective.
    assert waiting(as_user(other_organiser).get(HOME)) == []


def test_an_organiser_is_not_asked_to_review_their_own_farm(
    as_user, organiser, producer, producer_user
):
    producer.managers.add(organiser)
    change(producer, producer_user)
    assert waiting(as_user(organiser).get(HOME)) == []


def test_the_home_counts_who_has_not_accepted_the_charter(
    as_user, collective, organiser, member, producer, producer_user, charter
):
    accept_charter(user=organiser, version=charter)
    client = as_user(organiser)
    assert waiting(client.get(HOME)) == [
        "1 member has not accepted the current charter",
        "1 farm has not accepted the current charter and cannot publish its stock",
    ]
    response = client.get(reverse("producers:partnership_list", args=[collective.slug]))
    assertContains(response, 'data-charter="pending"')

    accept_charter(user=member, version=charter)
    accept_charter(user=producer_user, version=charter)
    assert waiting(client.get(HOME)) == []
    response = client.get(reverse("producers:partnership_list", args=[collective.slug]))
    assertNotContains(response, "data-charter=")


def test_before_any_charter_nobody_is_counted_as_not_accepting(
    as_user, organiser, member, producer
):
    assert waiting(as_user(organiser).get(HOME)) == []


def test_a_new_version_counts_everyone_again(
    as_user, organiser, member, producer, producer_user, charter
):
    for person in (organiser, member, producer_user):
        accept_charter(user=person, version=charter)
    newer = publish_charter_version(title="Charte", body="<h2>Agriculture bio</h2>")
    accept_charter(user=organiser, version=newer)
    assert waiting(as_user(organiser).get(HOME)) == [
        "1 member has not accepted the current charter",
        "1 farm has not accepted the current charter and cannot publish its stock",
    ]


@pytest.mark.parametrize("collectives", [1, 4])
def test_the_home_keeps_its_queries_with_many_collectives_and_farms(
    as_user, organiser, charter, collectives, django_assert_max_num_queries
):
    accept_charter(user=organiser, version=charter)
    for _ in range(collectives):
        collective = OrganiserMembershipFactory(user=organiser).collective
        for number in range(8):
            MembershipFactory(collective=collective)
            manager = UserFactory()
            farm = ProducerFactory(managers=[manager])
            PartnershipFactory(producer=farm, collective=collective)
            if number % 2:
                change(farm, manager)
    client = as_user(organiser)
    # Session, user, charter (2), menus (2), the session's save (3), then
    # the collectives with their counts and the farms' counts: one each.
    with django_assert_max_num_queries(11):
        response = client.get(HOME)
    assert waiting(response).count("4 farm pages to review") == collectives
    assert (
        waiting(response).count("8 members have not accepted the current charter")
        == collectives
    )
