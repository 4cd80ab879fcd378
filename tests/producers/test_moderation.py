"""Moderation of farms' public pages: a manager's change waits, an organiser
of a collective the farm supplies approves it or rejects it with a comment,
the farm is told by email; the public site shows only approved pages."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from amap.producers.models import Producer, ProfileSubmission
from amap.producers.selectors.moderation import moderation_queue, pending_change
from amap.producers.services.moderation import (
    approve_profile_change,
    reject_profile_change,
    submit_profile_change,
)
from amap.producers.services.profile import create_producer, update_producer_profile
from tests.factories import (
    OrganiserMembershipFactory,
    PartnershipFactory,
    ProducerFactory,
    UserFactory,
)

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def change(producer, producer_user):
    return submit_profile_change(
        producer=producer,
        submitted_by=producer_user,
        name="Maraîchage de la Sèvre",
        activity="Légumes bio de saison",
        description="Six hectares en bord de Sèvre.",
    )


def test_a_submitted_change_waits_and_changes_nothing_yet(producer, change):
    assert change.status == ProfileSubmission.Status.PENDING
    assert Producer.objects.get(pk=producer.pk).description != change.description


def test_submitting_again_replaces_the_waiting_change(producer, producer_user, change):
    again = submit_profile_change(
        producer=producer, submitted_by=producer_user, name="Maraîchage de la Sèvre"
    )
    assert again.pk == change.pk
    assert ProfileSubmission.objects.count() == 1


def test_only_the_farms_managers_submit(producer, other_producer_user):
    with pytest.raises(PermissionDenied):
        submit_profile_change(
            producer=producer, submitted_by=other_producer_user, name="X"
        )


def test_the_queue_holds_the_farms_supplying_the_organisers_collective(
    change, organiser, other_organiser
):
    assert list(moderation_queue(organiser)) == [change]
    assert list(moderation_queue(other_organiser)) == []


def test_approving_publishes_the_change_and_tells_the_farm(
    producer, producer_user, change, organiser, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        approve_profile_change(change, reviewed_by=organiser, comment="Très bien.")
    producer.refresh_from_db()
    assert producer.activity == "Légumes bio de saison"
    assert producer.description == "Six hectares en bord de Sèvre."
    change.refresh_from_db()
    assert change.status == ProfileSubmission.Status.APPROVED
    assert change.reviewed_by == organiser
    assert [m.to for m in mail.outbox] == [[producer_user.email]]
    assert "Très bien." in mail.outbox[0].body


def test_rejecting_needs_a_comment_and_changes_nothing(
    producer, producer_user, change, organiser, django_capture_on_commit_callbacks
):
    with pytest.raises(ValidationError):
        reject_profile_change(change, reviewed_by=organiser, comment=" ")
    with django_capture_on_commit_callbacks(execute=True):
        reject_profile_change(
            change, reviewed_by=organiser, comment="Pas de photo de tracteur."
        )
    producer.refresh_from_db()
    assert producer.description != "Six hectares en bord de Sèvre."
    assert ProfileSubmission.objects.get().status == ProfileSubmission.Status.REJECTED
    assert "Pas de photo de tracteur." in mail.outbox[0].body


def test_an_organiser_of_another_collective_cannot_review(change, other_organiser):
    with pytest.raises(PermissionDenied):
        approve_profile_change(change, reviewed_by=other_organiser)


def test_a_change_is_reviewed_once(change, organiser):
    approve_profile_change(change, reviewed_by=organiser)
    with pytest.raises(ValidationError):
        reject_profile_change(change, reviewed_by=organiser, comment="Trop tard.")


def test_an_organiser_who_manages_the_farm_cannot_review_its_page(
    producer, change, organiser
):
    producer.managers.add(organiser)
    with pytest.raises(ValidationError, match="You manage this farm"):
        approve_profile_change(change, reviewed_by=organiser)
    with pytest.raises(ValidationError, match="You manage this farm"):
        reject_profile_change(change, reviewed_by=organiser, comment="Non.")
    change.refresh_from_db()
    assert change.status == ProfileSubmission.Status.PENDING
    assert Producer.objects.get(pk=producer.pk).description != change.description


def test_a_superuser_organiser_who_does_not_manage_the_farm_reviews_it(
    producer, change, organiser
):
    organiser.is_superuser = True
    organiser.save()
    approve_profile_change(change, reviewed_by=organiser)
    assert Producer.objects.get(pk=producer.pk).description == change.description


def test_a_proposal_identical_to_the_page_withdraws_the_waiting_change(
    producer, producer_user, change
):
    withdrawn = submit_profile_change(
        producer=producer,
        submitted_by=producer_user,
        name=producer.name,
        activity=producer.activity,
        description=producer.description,
    )
    assert withdrawn is None
    assert pending_change(producer) is None


def test_a_submission_tells_the_organisers_who_can_review_it(
    producer,
    producer_user,
    organiser,
    other_organiser,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        update_producer_profile(
            producer, updated_by=producer_user, description="Nouveau texte."
        )
    assert [m.to for m in mail.outbox] == [[organiser.email]]
    assert "/organisation/" in mail.outbox[0].body
    assert "moderation" in mail.outbox[0].body
    # Amending the waiting change does not email them again.
    with django_capture_on_commit_callbacks(execute=True):
        update_producer_profile(
            producer, updated_by=producer_user, description="Nouveau texte, relu."
        )
    assert len(mail.outbox) == 1
    assert pending_change(producer).description == "Nouveau texte, relu."


def test_a_farm_added_by_an_organiser_to_their_collective_is_public_at_once(
    collective, organiser, producer_user
):
    farm = create_producer(
        name="Fromagerie du Bocage",
        created_by=organiser,
        manager_emails=[producer_user.email],
        collective=collective,
        street="La Grande Noë",
        postcode="44190",
        town="Clisson",
    )
    assert Producer.objects.public().filter(pk=farm.pk).exists()
    assert pending_change(farm) is None


def test_a_farm_added_outside_a_collective_waits_for_an_organiser(
    collective, organiser, producer_user, django_capture_on_commit_callbacks
):
    staff = UserFactory(is_staff=True)
    farm = create_producer(
        name="Fromagerie du Bocage",
        created_by=staff,
        manager_emails=[producer_user.email],
        street="La Grande Noë",
        postcode="44190",
        town="Clisson",
    )
    assert not Producer.objects.public().filter(pk=farm.pk).exists()
    # Not in any collective's queue until it supplies one.
    assert list(moderation_queue(organiser)) == []
    PartnershipFactory(producer=farm, collective=collective)
    (waiting,) = moderation_queue(organiser)
    assert waiting.name == "Fromagerie du Bocage"
    with django_capture_on_commit_callbacks(execute=True):
        approve_profile_change(waiting, reviewed_by=organiser)
    assert Producer.objects.public().filter(pk=farm.pk).exists()


# The organisers' queue -----------------------------------------------------------


def test_an_organiser_of_two_collectives_the_farm_supplies_gets_one_email(
    collective,
    producer,
    producer_user,
    organiser,
    other_collective,
    django_capture_on_commit_callbacks,
):
    OrganiserMembershipFactory(collective=other_collective, user=organiser)
    PartnershipFactory(producer=producer, collective=other_collective)
    with django_capture_on_commit_callbacks(execute=True):
        update_producer_profile(
            producer, updated_by=producer_user, description="Nouveau texte."
        )
    assert [m.to for m in mail.outbox] == [[organiser.email]]
    body = mail.outbox[0].body
    for supplied in (collective, other_collective):
        assert f"/organisation/{supplied.slug}/moderation/" in body
    names = sorted([collective.name, other_collective.name])
    assert f"supplies the collectives {names[0]} and {names[1]}," in body


def test_an_organiser_who_manages_the_farm_is_not_asked_to_review_it(
    collective,
    producer,
    producer_user,
    organiser,
    django_capture_on_commit_callbacks,
):
    second = OrganiserMembershipFactory(collective=collective).user
    producer.managers.add(organiser)
    with django_capture_on_commit_callbacks(execute=True):
        update_producer_profile(
            producer, updated_by=producer_user, description="Nouveau texte."
        )
    assert [m.to for m in mail.outbox] == [[second.email]]


def queue_url(collective):
    return reverse("producers:moderation_queue", args=[collective.slug])


def review_url(collective, submission):
    return reverse("producers:moderation_review", args=[collective.slug, submission.pk])


def test_the_queue_shows_what_the_change_does_word_by_word(
    as_user, collective, organiser, producer, change
):
    response = as_user(organiser).get(queue_url(collective))
    assertContains(response, f'data-submission="{change.pk}"')
    assertContains(response, "<del>Maraîchage</del><ins>Légumes bio de saison</ins>")
    assertContains(response, "<ins>Six hectares en bord de Sèvre.</ins>")
    assertContains(response, "Approve and publish")


def test_the_queue_keeps_its_queries_with_many_farms(
    as_user, collective, organiser, django_assert_max_num_queries
):
    for number in range(30):
        manager = UserFactory()
        farm = ProducerFactory(managers=[manager])
        PartnershipFactory(producer=farm, collective=collective)
        submit_profile_change(
            producer=farm, submitted_by=manager, name=farm.name, description=f"{number}"
        )
    client = as_user(organiser)
    with django_assert_max_num_queries(8):
        response = client.get(queue_url(collective))
    assert response.content.decode().count("data-submission=") == 30


def test_the_queue_shows_an_organiser_their_own_farm_without_the_buttons(
    as_user, collective, organiser, producer, change
):
    producer.managers.add(organiser)
    client = as_user(organiser)
    response = client.get(queue_url(collective))
    assertContains(response, f'data-submission="{change.pk}"')
    assertContains(response, "another organiser of a collective it supplies")
    assertNotContains(response, "Approve and publish")
    response = client.post(
        review_url(collective, change), {f"s{change.pk}-decision": "approve"}
    )
    assertContains(response, "You manage this farm", status_code=400)
    change.refresh_from_db()
    assert change.status == ProfileSubmission.Status.PENDING


@pytest.mark.parametrize("person", ["member", "other_organiser", "producer_user"])
def test_only_the_collectives_organisers_see_its_queue(
    request, as_user, collective, change, person
):
    client = as_user(request.getfixturevalue(person))
    assert client.get(queue_url(collective)).status_code == 404
    response = client.post(
        review_url(collective, change), {f"s{change.pk}-decision": "approve"}
    )
    assert response.status_code == 404
    change.refresh_from_db()
    assert change.status == ProfileSubmission.Status.PENDING


def test_opening_a_review_address_leads_to_the_queue(
    as_user, collective, organiser, change
):
    response = as_user(organiser).get(review_url(collective, change))
    assert response.url == queue_url(collective)
    change.refresh_from_db()
    assert change.status == ProfileSubmission.Status.PENDING


def test_a_visitor_is_asked_to_log_in_and_changes_nothing(client, collective, change):
    assert client.get(queue_url(collective)).url.startswith("/compte/login/")
    response = client.post(
        review_url(collective, change), {f"s{change.pk}-decision": "approve"}
    )
    assert response.url.startswith("/compte/login/")
    change.refresh_from_db()
    assert change.status == ProfileSubmission.Status.PENDING


def test_approving_from_the_queue_publishes_the_page(
    as_user, collective, organiser, producer, change, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(organiser).post(
            review_url(collective, change),
            {f"s{change.pk}-decision": "approve", f"s{change.pk}-comment": ""},
            follow=True,
        )
    assertContains(response, "is published")
    assertContains(response, "Nothing to review")
    producer.refresh_from_db()
    assert producer.description == "Six hectares en bord de Sèvre."
    assert len(mail.outbox) == 1


def test_rejecting_without_a_comment_is_refused_next_to_the_comment(
    as_user, collective, organiser, producer, change
):
    response = as_user(organiser).post(
        review_url(collective, change),
        {f"s{change.pk}-decision": "reject", f"s{change.pk}-comment": "  "},
    )
    assert response.status_code == 400
    assertContains(
        response, "Say why, so that the farm can correct its page.", status_code=400
    )
    change.refresh_from_db()
    assert change.status == ProfileSubmission.Status.PENDING


def test_the_farm_reads_why_its_change_was_rejected(
    as_user, collective, organiser, producer, producer_user, change
):
    as_user(organiser).post(
        review_url(collective, change),
        {
            f"s{change.pk}-decision": "reject",
            f"s{change.pk}-comment": "Précisez les variétés.",
        },
    )
    page = as_user(producer_user).get(producer.get_absolute_url())
    assertContains(page, "Your last change was not accepted.")
    assertContains(page, "Précisez les variétés.")


def test_a_change_already_reviewed_is_explained_not_an_error(
    as_user, collective, organiser, change
):
    approve_profile_change(change, reviewed_by=organiser)
    response = as_user(organiser).post(
        review_url(collective, change),
        {f"s{change.pk}-decision": "reject", f"s{change.pk}-comment": "Non."},
        follow=True,
    )
    assertContains(response, "no longer waiting")
    change.refresh_from_db()
    assert change.status == ProfileSubmission.Status.APPROVED


def test_a_review_that_loses_a_race_is_told_so(
    as_user, collective, organiser, change, monkeypatch
):
    """Another organiser approves between the page's read and the reject."""
    from amap.producers.services import moderation

    reject = moderation.reject_profile_change

    def approved_meanwhile(submission, **kwargs):
        approve_profile_change(submission, reviewed_by=organiser)
        return reject(submission, **kwargs)

    monkeypatch.setattr(moderation, "reject_profile_change", approved_meanwhile)
    response = as_user(organiser).post(
        review_url(collective, change),
        {f"s{change.pk}-decision": "reject", f"s{change.pk}-comment": "Non."},
        follow=True,
    )
    assertContains(response, "already been reviewed")
    change.refresh_from_db()
    assert change.status == ProfileSubmission.Status.APPROVED


# The public site ------------------------------------------------------------------


def test_the_public_profile_shows_the_approved_text_until_approval(
    client, directory, producer, change, organiser
):
    Producer.objects.filter(pk=producer.pk).update(description="Texte approuvé.")
    url = directory.url + directory.reverse_subpage(
        "producer", kwargs={"slug": producer.slug}
    )
    response = client.get(url)
    assertContains(response, "Texte approuvé.")
    assertNotContains(response, "Six hectares en bord de Sèvre.")
    approve_profile_change(change, reviewed_by=organiser)
    assertContains(client.get(url), "Six hectares en bord de Sèvre.")


def test_a_farm_never_approved_is_not_on_the_public_site(client, directory, producer):
    Producer.objects.filter(pk=producer.pk).update(published_at=None)
    assertNotContains(client.get(directory.url), producer.name)
    url = directory.url + directory.reverse_subpage(
        "producer", kwargs={"slug": producer.slug}
    )
    assert client.get(url).status_code == 404
