"""A farm's statements of how it meets each commitment of the charter.

Pages are asked for in English (the `english` fixture).
"""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from pytest_django.asserts import assertContains

from amap.members.charter_diff import charter_headings
from amap.members.services import accept_charter, publish_charter_version
from amap.producers.models import CharterCommitment
from amap.producers.selectors.charter import producer_commitments, waiting_commitments
from amap.producers.selectors.moderation import moderation_queue
from amap.producers.services.charter import save_charter_commitments
from amap.producers.services.moderation import (
    approve_profile_change,
    reject_profile_change,
)

pytestmark = pytest.mark.usefixtures("english", "fresh_cache")

BODY = (
    "<h2>Agriculture paysanne</h2><p>…</p>"
    "<h2>Prix <b>justes</b> &amp; solidaires</h2><p>…</p>"
)


@pytest.fixture
def charter(db):
    return publish_charter_version(title="Charte", body=BODY)


def test_the_commitments_are_the_charters_level_two_headings():
    assert charter_headings(BODY) == [
        "Agriculture paysanne",
        "Prix justes & solidaires",
    ]


def test_a_producer_states_how_the_farm_meets_commitments(
    producer, producer_user, organiser, charter
):
    save_charter_commitments(
        producer=producer,
        saved_by=producer_user,
        statements={
            "Prix justes & solidaires": "Prix fixés avec l'AMAP chaque saison.",
            "Agriculture paysanne": "",
        },
    )
    # Public text: it waits for an organiser of a collective the farm supplies.
    assert producer_commitments(producer) == []
    (waiting,) = moderation_queue(organiser)
    assert waiting.producer == producer
    approve_profile_change(waiting, reviewed_by=organiser)
    assert producer_commitments(producer) == [
        ("Prix justes & solidaires", "Prix fixés avec l'AMAP chaque saison.")
    ]


def test_a_changed_statement_keeps_the_approved_one_public_until_approval(
    producer, producer_user, organiser, charter
):
    heading = "Agriculture paysanne"
    save_charter_commitments(
        producer=producer, saved_by=producer_user, statements={heading: "12 ha."}
    )
    approve_profile_change(moderation_queue(organiser).get(), reviewed_by=organiser)
    save_charter_commitments(
        producer=producer, saved_by=producer_user, statements={heading: "14 ha."}
    )
    assert producer_commitments(producer) == [(heading, "12 ha.")]
    assert waiting_commitments(producer) == {heading}
    reject_profile_change(
        moderation_queue(organiser).get(), reviewed_by=organiser, comment="Précisez."
    )
    assert producer_commitments(producer) == [(heading, "12 ha.")]
    # Writing the approved text back withdraws nothing left to review.
    save_charter_commitments(
        producer=producer, saved_by=producer_user, statements={heading: "12 ha."}
    )
    assert not moderation_queue(organiser).exists()
    assert waiting_commitments(producer) == set()


def test_the_queue_shows_the_statements_waiting(
    producer, producer_user, organiser, collective, charter, as_user
):
    save_charter_commitments(
        producer=producer,
        saved_by=producer_user,
        statements={"Agriculture paysanne": "Deux associés sur 12 ha."},
    )
    accept_charter(user=organiser, version=charter)
    response = as_user(organiser).get(
        reverse("producers:moderation_queue", args=[collective.slug])
    )
    assertContains(response, "Charter: Agriculture paysanne")
    assertContains(response, "<ins>Deux associés sur 12 ha.</ins>")


def test_an_empty_statement_removes_it(producer, producer_user, charter):
    statements = {"Agriculture paysanne": "Deux associés sur 12 ha."}
    save_charter_commitments(
        producer=producer, saved_by=producer_user, statements=statements
    )
    save_charter_commitments(
        producer=producer,
        saved_by=producer_user,
        statements={"Agriculture paysanne": "  "},
    )
    assert not CharterCommitment.objects.exists()


def test_an_unknown_commitment_is_refused(producer, producer_user, charter):
    with pytest.raises(ValidationError) as raised:
        save_charter_commitments(
            producer=producer, saved_by=producer_user, statements={"Autre": "x"}
        )
    assert "Autre" in raised.value.message_dict


def test_only_the_farms_managers_may_write(producer, other_producer_user, charter):
    with pytest.raises(PermissionDenied):
        save_charter_commitments(
            producer=producer,
            saved_by=other_producer_user,
            statements={"Agriculture paysanne": "x"},
        )


def test_the_page_saves_the_statements(producer, producer_user, charter, as_user):
    url = reverse("producers:charter_commitments", args=[producer.slug])
    client = as_user(producer_user)
    accept_charter(user=producer_user, version=charter)
    response = client.get(url)
    assertContains(response, "Prix justes &amp; solidaires")
    response = client.post(
        url, {"c0": "Deux associés sur 12 ha.", "c1": ""}, follow=True
    )
    assertContains(response, "once an organiser")
    assertContains(response, 'data-waiting="c0"')
    assert CharterCommitment.objects.get().statement == "Deux associés sur 12 ha."


@pytest.mark.parametrize("who", ["anonymous", "member", "other_producer_user"])
def test_nobody_else_sees_the_page(who, producer, request, as_user, charter):
    user = None if who == "anonymous" else request.getfixturevalue(who)
    if user is not None:
        accept_charter(user=user, version=charter)
    url = reverse("producers:charter_commitments", args=[producer.slug])
    response = as_user(user).get(url)
    assert response.status_code == (302 if who == "anonymous" else 404)
