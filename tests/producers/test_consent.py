"""Issue #15, finding 3: farms join collectives only with their consent, and
naming a manager never reveals whether an account exists.

A collective proposes a partnership, the farm's managers accept or decline
it; only then does the farm appear in the collective and do its organisers
moderate it. Naming a manager sends an invitation that only the verified
addressee accepts. Pages are asked for in English (the `english` fixture).
"""

import importlib

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from amap.producers.models import ManagerInvitation, Partnership, Producer
from amap.producers.selectors.moderation import moderated_producer_ids
from amap.producers.selectors.partnerships import partner_candidates
from amap.producers.services import partnerships
from amap.producers.services.moderation import can_moderate, submit_profile_change
from tests.factories import (
    CollectiveFactory,
    OrganiserMembershipFactory,
    PartnershipFactory,
    ProducerFactory,
    UserFactory,
)

pytestmark = pytest.mark.usefixtures("english")


def add_url(collective):
    return reverse("producers:partnership_add", args=[collective.slug])


def list_url(collective):
    return reverse("producers:partnership_list", args=[collective.slug])


def proposals_url(producer):
    return reverse("producers:partnership_proposals", args=[producer.slug])


def accept_url(partnership):
    return reverse(
        "producers:partnership_accept",
        args=[partnership.producer.slug, partnership.pk],
    )


def decline_url(partnership):
    return reverse(
        "producers:partnership_decline",
        args=[partnership.producer.slug, partnership.pk],
    )


@pytest.fixture
def proposal(
    as_user,
    other_collective,
    other_organiser,
    producer,
    django_capture_on_commit_callbacks,
):
    """`other_collective` (not supplied by `producer`) proposes a partnership."""
    with django_capture_on_commit_callbacks(execute=True):
        as_user(other_organiser).post(
            add_url(other_collective), {"producer": producer.pk}
        )
    return Partnership.objects.get(producer=producer, collective=other_collective)


@pytest.fixture
def waiting_change(producer, producer_user):
    """A change of the farm's public page, waiting for a moderator."""
    return submit_profile_change(
        producer=producer,
        submitted_by=producer_user,
        name=producer.name,
        activity=producer.activity,
        description="Un nouveau texte, pas encore relu.",
    )


# A proposal gives nothing until the farm accepts ---------------------------------


def test_a_proposed_farm_is_not_moderated_nor_in_the_collective(
    other_collective, other_organiser, producer, proposal, waiting_change
):
    """Today's attack: an organiser adds any farm and becomes its moderator."""
    assert proposal.status == Partnership.Status.PROPOSED
    assert not proposal.active
    assert (
        not moderated_producer_ids(other_organiser)
        .filter(producer=producer.pk)
        .exists()
    )
    assert not can_moderate(other_organiser, waiting_change)
    assert not Producer.objects.supplying(other_collective).exists()


def test_a_proposed_farm_is_not_on_the_collectives_pages(
    as_user, other_collective, other_organiser, producer, proposal, waiting_change
):
    client = as_user(other_organiser)
    queue = client.get(
        reverse("producers:moderation_queue", args=[other_collective.slug])
    )
    assertNotContains(queue, "Un nouveau texte")
    review = client.post(
        reverse(
            "producers:moderation_review",
            args=[other_collective.slug, waiting_change.pk],
        ),
        {f"s{waiting_change.pk}-decision": "approve"},
        follow=True,
    )
    assertContains(review, "This change is no longer waiting")
    waiting_change.refresh_from_db()
    assert waiting_change.status == waiting_change.Status.PENDING
    geojson = client.get(
        reverse("producers:collective_producers_geojson", args=[other_collective.slug])
    )
    assert geojson.json()["features"] == []
    page = client.get(list_url(other_collective))
    assertContains(page, "Proposed, waiting for the farm's answer")
    assertContains(page, "Withdraw the proposal")


def test_each_manager_gets_an_email_with_the_link(producer, producer_user, proposal):
    (email,) = mail.outbox
    assert email.to == [producer_user.email]
    assert "AMAP de Trentemoult" in email.subject
    assert proposals_url(producer) in email.body


def test_the_farm_accepts_and_then_supplies_the_collective(
    as_user,
    other_collective,
    other_organiser,
    producer,
    producer_user,
    proposal,
    waiting_change,
):
    client = as_user(producer_user)
    page = client.get(proposals_url(producer))
    assertContains(page, "AMAP de Trentemoult")
    assertContains(page, "Accept: supply AMAP de Trentemoult")
    response = client.post(accept_url(proposal), follow=True)
    assertContains(response, "Maraîchage de la Sèvre now supplies AMAP de Trentemoult")
    proposal.refresh_from_db()
    assert (proposal.status, proposal.active) == (Partnership.Status.ACCEPTED, True)
    assert (proposal.answered_by, proposal.since) == (
        producer_user,
        timezone.localdate(),
    )
    assert list(Producer.objects.supplying(other_collective)) == [producer]
    assert can_moderate(other_organiser, waiting_change)


def test_the_farm_declines_and_can_be_asked_again(
    as_user,
    other_collective,
    other_organiser,
    producer,
    producer_user,
    proposal,
    django_capture_on_commit_callbacks,
):
    response = as_user(producer_user).post(decline_url(proposal), follow=True)
    assertContains(response, "You declined the proposal of AMAP de Trentemoult.")
    proposal.refresh_from_db()
    assert proposal.status == Partnership.Status.DECLINED
    assert not Producer.objects.supplying(other_collective).exists()
    page = as_user(other_organiser).get(list_url(other_collective))
    assertContains(page, "Declined by the farm")
    # Answering twice is refused with a message, not a 500.
    response = as_user(producer_user).post(accept_url(proposal), follow=True)
    assertContains(response, "is no longer waiting for an answer")
    assert not Producer.objects.supplying(other_collective).exists()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        as_user(other_organiser).post(
            reverse(
                "producers:partnership_renew", args=[other_collective.slug, proposal.pk]
            )
        )
    proposal.refresh_from_db()
    assert proposal.is_proposed
    assert proposal.answered_by is None
    assert len(mail.outbox) == 1


def test_the_organisers_withdraw_a_proposal(
    as_user, other_collective, other_organiser, producer, producer_user, proposal
):
    response = as_user(other_organiser).post(
        reverse(
            "producers:partnership_withdraw", args=[other_collective.slug, proposal.pk]
        ),
        follow=True,
    )
    assertContains(
        response, "The proposal to Maraîchage de la Sèvre has been withdrawn."
    )
    proposal.refresh_from_db()
    assert proposal.status == Partnership.Status.WITHDRAWN
    assertNotContains(
        as_user(producer_user).get(proposals_url(producer)), "Trentemoult"
    )
    response = as_user(producer_user).post(accept_url(proposal), follow=True)
    assertContains(response, "is no longer waiting for an answer")
    assert not Producer.objects.supplying(other_collective).exists()
    # Withdrawn, the farm is a candidate again.
    page = as_user(other_organiser).get(list_url(other_collective))
    assertContains(page, f'<option value="{producer.pk}">')


@pytest.mark.parametrize(
    "person", ["other_organiser", "other_producer_user", "member", "organiser"]
)
def test_only_the_farms_managers_answer(request, as_user, producer, proposal, person):
    client = as_user(request.getfixturevalue(person))
    assert client.get(proposals_url(producer)).status_code == 404
    assert client.post(accept_url(proposal)).status_code == 404
    assert client.post(decline_url(proposal)).status_code == 404
    proposal.refresh_from_db()
    assert proposal.is_proposed


def test_the_answers_refuse_get(as_user, producer_user, proposal):
    assert as_user(producer_user).get(accept_url(proposal)).status_code == 405
    proposal.refresh_from_db()
    assert proposal.is_proposed


def test_a_farm_without_a_manager_cannot_be_proposed(
    as_user, other_collective, other_organiser
):
    orphan = ProducerFactory(name="Ferme sans compte")
    assert orphan not in partner_candidates(other_collective)
    with pytest.raises(ValidationError) as caught:
        partnerships.propose_partnership(
            producer=orphan, collective=other_collective, proposed_by=other_organiser
        )
    assert "No account manages Ferme sans compte yet" in caught.value.messages[0]
    response = as_user(other_organiser).post(
        add_url(other_collective), {"producer": orphan.pk}
    )
    assert response.status_code == 400
    assert not Partnership.objects.filter(producer=orphan).exists()


def test_the_database_refuses_an_active_partnership_not_accepted(producer):
    with pytest.raises(IntegrityError):
        PartnershipFactory(
            producer=producer,
            collective=CollectiveFactory(),
            status=Partnership.Status.PROPOSED,
            active=True,
        )


def test_the_migration_marks_existing_partnerships_accepted(producer):
    migration = importlib.import_module(
        "amap.producers.migrations.0005_partnership_consent_and_manager_invitations"
    )
    Partnership.objects.update(status=Partnership.Status.PROPOSED, active=False)
    migration.existing_partnerships_were_accepted(apps, None)
    assert set(Partnership.objects.values_list("status", flat=True)) == {"accepted"}


def test_the_proposals_page_has_a_fixed_number_of_queries(
    as_user, producer, producer_user, django_assert_max_num_queries
):
    for _ in range(30):
        collective = CollectiveFactory()
        organiser = OrganiserMembershipFactory(collective=collective).user
        PartnershipFactory(
            producer=producer,
            collective=collective,
            status=Partnership.Status.PROPOSED,
            active=False,
            proposed_by=organiser,
            proposed_at=timezone.now(),
            referent=organiser,
        )
    client = as_user(producer_user)
    with django_assert_max_num_queries(8):
        response = client.get(proposals_url(producer))
    assert response.content.decode().count("data-proposal=") == 30


def test_the_producer_home_says_proposals_are_waiting(
    as_user, producer, producer_user, proposal
):
    response = as_user(producer_user).get(reverse("producers:home"))
    assertContains(response, "1 collective proposes that the farm supplies it")


# Naming a manager is an invitation -----------------------------------------------

NEW_FARM = {
    "name": "Vergers de la Divatte",
    "street": "La Levée",
    "postcode": "44450",
    "town": "Divatte-sur-Loire",
}


def create_farm(client, collective, email, name="Vergers de la Divatte"):
    return client.post(
        reverse("producers:producer_create", args=[collective.slug]),
        {**NEW_FARM, "name": name, "manager_email": email},
        follow=True,
    )


def _message(response, email) -> str:
    (message,) = [str(m) for m in response.context["messages"]]
    return message.replace(email, "<email>")


def test_naming_a_manager_makes_nobody_manager_and_sends_an_invitation(
    as_user, collective, organiser, producer_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        create_farm(as_user(organiser), collective, producer_user.email)
    farm = Producer.objects.get(name="Vergers de la Divatte")
    assert not farm.managers.exists()
    assert not producer_user.managed_producers.exists()
    (email,) = mail.outbox
    assert email.to == [producer_user.email]
    invitation = farm.manager_invitations.get()
    assert invitation.get_absolute_url() in email.body


def test_the_answer_is_the_same_whether_an_account_exists(
    as_user, collective, organiser, producer_user, django_capture_on_commit_callbacks
):
    client = as_user(organiser)
    with django_capture_on_commit_callbacks(execute=True):
        known = create_farm(client, collective, producer_user.email, name="A")
        unknown = create_farm(client, collective, "nobody@example.org", name="B")
    assert known.status_code == unknown.status_code == 200
    assert known.redirect_chain == unknown.redirect_chain
    known_message = _message(known, producer_user.email).replace("A has", "X has")
    unknown_message = _message(unknown, "nobody@example.org").replace("B has", "X has")
    assert known_message == unknown_message
    assert "An invitation to manage the farm" in known_message
    assert len(mail.outbox) == 2  # one invitation each


def test_the_invited_person_accepts_with_the_verified_address(
    as_user, collective, organiser, producer_user
):
    create_farm(as_user(organiser), collective, producer_user.email)
    invitation = ManagerInvitation.objects.get()
    client = as_user(producer_user)
    assertContains(client.get(invitation.get_absolute_url()), "Accept the invitation")
    response = client.post(invitation.get_absolute_url())
    assertRedirects(response, reverse("producers:home"))
    farm = Producer.objects.get(name="Vergers de la Divatte")
    assert list(farm.managers.all()) == [producer_user]
    invitation.refresh_from_db()
    assert invitation.accepted_by == producer_user


def test_another_account_cannot_accept_the_invitation(
    as_user, collective, organiser, producer_user, other_producer_user
):
    create_farm(as_user(organiser), collective, producer_user.email)
    invitation = ManagerInvitation.objects.get()
    client = as_user(other_producer_user)
    page = client.get(invitation.get_absolute_url())
    assertContains(page, "This invitation was sent to another email address.")
    assertNotContains(page, "Accept the invitation")
    response = client.post(invitation.get_absolute_url(), follow=True)
    assertContains(response, "This invitation was sent to another email address.")
    assert not Producer.objects.get(name="Vergers de la Divatte").managers.exists()


def test_an_unconfirmed_address_cannot_accept(as_user, collective, organiser):
    person = UserFactory(email="new.farmer@example.org", verified_email=False)
    EmailAddress.objects.create(user=person, email=person.email, verified=False)
    create_farm(as_user(organiser), collective, person.email)
    invitation = ManagerInvitation.objects.get()
    response = as_user(person).post(invitation.get_absolute_url(), follow=True)
    assertContains(response, "Confirm the email address this invitation was sent to")
    assert not person.managed_producers.exists()


def test_an_expired_invitation_is_refused(
    as_user, collective, organiser, producer_user
):
    create_farm(as_user(organiser), collective, producer_user.email)
    ManagerInvitation.objects.update(expires_at=timezone.now())
    invitation = ManagerInvitation.objects.get()
    response = as_user(producer_user).post(invitation.get_absolute_url(), follow=True)
    assertContains(response, "This invitation has expired.")
    assert not producer_user.managed_producers.exists()


def test_the_dashboard_lists_the_invitation_for_its_addressee_only(
    as_user, collective, organiser, producer_user, other_producer_user
):
    create_farm(as_user(organiser), collective, producer_user.email)
    invitation = ManagerInvitation.objects.get()
    mine = as_user(producer_user).get(reverse("members:dashboard"))
    assertContains(mine, "Manage Vergers de la Divatte")
    assertContains(mine, invitation.get_absolute_url())
    theirs = as_user(other_producer_user).get(reverse("members:dashboard"))
    assertNotContains(theirs, "Vergers de la Divatte")


def test_organisers_invite_again_while_no_account_manages_the_farm(
    as_user, collective, organiser, django_capture_on_commit_callbacks
):
    create_farm(as_user(organiser), collective, "wrong@example.org")
    partnership = Partnership.objects.get(producer__name="Vergers de la Divatte")
    page = as_user(organiser).get(list_url(collective))
    assertContains(page, "Invitation to manage it sent to wrong@example.org")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(organiser).post(
            reverse("producers:manager_invite", args=[collective.slug, partnership.pk]),
            {"email": "right@example.org"},
            follow=True,
        )
    assertContains(response, "An invitation to manage the farm")
    assert [m.to for m in mail.outbox] == [["right@example.org"]]


def test_organisers_cannot_name_a_manager_of_a_farm_that_has_one(
    as_user, collective, organiser, producer
):
    partnership = Partnership.objects.get(producer=producer, collective=collective)
    response = as_user(organiser).post(
        reverse("producers:manager_invite", args=[collective.slug, partnership.pk]),
        {"email": organiser.email},
        follow=True,
    )
    assertContains(response, "Only the accounts managing this farm can invite")
    assert not ManagerInvitation.objects.exists()
