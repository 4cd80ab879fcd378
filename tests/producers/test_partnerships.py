"""Partnerships between farms and collectives: the services and the
organisers' pages (list, add, référent, end, renew, new producer).

Pages are asked for in English (the `english` fixture).
"""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from amap.members.models import Membership
from amap.producers.models import Partnership, Producer
from amap.producers.services import partnerships as services
from tests.factories import (
    CollectiveFactory,
    MembershipFactory,
    OrganiserMembershipFactory,
    PartnershipFactory,
    ProducerFactory,
    UserFactory,
)

pytestmark = pytest.mark.usefixtures("english")

NOT_ORGANISERS = ["member", "other_member", "producer_user", "other_organiser"]


@pytest.fixture
def farm(db):
    """A farm of the network managed by its own account, supplying nobody."""
    return ProducerFactory(
        name="Ruchers de l'Erdre", slug="ruchers-erdre", managers=[UserFactory()]
    )


@pytest.fixture
def partnership(producer):
    return Partnership.objects.get(producer=producer)


@pytest.fixture
def ended(partnership):
    Partnership.objects.filter(pk=partnership.pk).update(active=False)
    partnership.refresh_from_db()
    return partnership


# propose_partnership ------------------------------------------------------------------


def test_an_organiser_proposes_a_partnership_with_a_referent(
    collective, organiser, farm
):
    partnership = services.propose_partnership(
        producer=farm, collective=collective, referent=organiser, proposed_by=organiser
    )
    assert not partnership.active
    assert partnership.status == Partnership.Status.PROPOSED
    assert (partnership.referent, partnership.proposed_by) == (organiser, organiser)
    assert partnership.proposed_at is not None


@pytest.mark.parametrize("person", NOT_ORGANISERS)
def test_only_organisers_add_partnerships(request, collective, farm, person):
    with pytest.raises(PermissionDenied):
        services.propose_partnership(
            producer=farm,
            collective=collective,
            proposed_by=request.getfixturevalue(person),
        )
    assert not Partnership.objects.filter(producer=farm).exists()


def test_a_producer_already_supplying_cannot_be_added_twice(
    collective, organiser, producer
):
    with pytest.raises(ValidationError) as caught:
        services.propose_partnership(
            producer=producer, collective=collective, proposed_by=organiser
        )
    assert caught.value.message_dict["producer"] == [
        "Maraîchage de la Sèvre already supplies AMAP des Dervallières."
    ]


def test_an_ended_partnership_is_proposed_again_on_its_row(
    collective, organiser, ended
):
    services.propose_partnership(
        producer=ended.producer, collective=collective, proposed_by=organiser
    )
    ended.refresh_from_db()
    assert (ended.status, ended.active) == (Partnership.Status.PROPOSED, False)
    assert Partnership.objects.filter(producer=ended.producer).count() == 1


def test_an_inactive_producer_cannot_be_added(collective, organiser, farm):
    Producer.objects.filter(pk=farm.pk).update(active=False)
    farm.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        services.propose_partnership(
            producer=farm, collective=collective, proposed_by=organiser
        )
    assert "no longer sells through the network" in caught.value.messages[0]


@pytest.mark.parametrize("person", ["member", "other_organiser", "producer_user"])
def test_the_referent_must_organise_the_collective(
    request, collective, organiser, farm, person
):
    with pytest.raises(ValidationError) as caught:
        services.propose_partnership(
            producer=farm,
            collective=collective,
            referent=request.getfixturevalue(person),
            proposed_by=organiser,
        )
    assert (
        "is not an active organiser of AMAP des Dervallières"
        in (caught.value.message_dict["referent"][0])
    )
    assert not Partnership.objects.filter(producer=farm).exists()


def test_a_deactivated_organiser_cannot_be_referent(collective, organiser, farm):
    former = OrganiserMembershipFactory(
        collective=collective, status=Membership.Status.INACTIVE
    ).user
    with pytest.raises(ValidationError):
        services.propose_partnership(
            producer=farm, collective=collective, referent=former, proposed_by=organiser
        )


# set_partnership_referent, end, renew ---------------------------------------------


def test_an_organiser_changes_the_referent(collective, organiser, partnership):
    second = OrganiserMembershipFactory(collective=collective).user
    services.set_partnership_referent(
        partnership, referent=second, changed_by=organiser
    )
    partnership.refresh_from_db()
    assert partnership.referent == second
    services.set_partnership_referent(partnership, referent=None, changed_by=organiser)
    partnership.refresh_from_db()
    assert partnership.referent is None


def test_the_new_referent_must_organise_the_collective(organiser, member, partnership):
    with pytest.raises(ValidationError) as caught:
        services.set_partnership_referent(
            partnership, referent=member, changed_by=organiser
        )
    assert "referent" in caught.value.message_dict


@pytest.mark.parametrize("person", NOT_ORGANISERS)
def test_only_organisers_change_the_referent(request, organiser, partnership, person):
    with pytest.raises(PermissionDenied):
        services.set_partnership_referent(
            partnership,
            referent=organiser,
            changed_by=request.getfixturevalue(person),
        )


def test_ending_a_partnership_keeps_it_on_record(organiser, partnership):
    services.end_partnership(partnership, ended_by=organiser)
    partnership.refresh_from_db()
    assert partnership.active is False


def test_a_partnership_cannot_end_twice(organiser, ended):
    with pytest.raises(ValidationError) as caught:
        services.end_partnership(ended, ended_by=organiser)
    assert "already no longer supplies" in caught.value.messages[0]


@pytest.mark.parametrize("person", NOT_ORGANISERS)
def test_only_organisers_end_partnerships(request, partnership, person):
    with pytest.raises(PermissionDenied):
        services.end_partnership(partnership, ended_by=request.getfixturevalue(person))
    partnership.refresh_from_db()
    assert partnership.active


def test_renewing_asks_the_farm_again(organiser, producer_user, ended):
    """Once accepted then ended, the farm consents again: a new proposal."""
    Partnership.objects.filter(pk=ended.pk).update(
        since=timezone.localdate() - timezone.timedelta(days=900), referent=organiser
    )
    ended.refresh_from_db()
    services.renew_partnership(ended, renewed_by=organiser)
    ended.refresh_from_db()
    assert (ended.status, ended.active) == (Partnership.Status.PROPOSED, False)
    services.accept_partnership(ended, accepted_by=producer_user)
    ended.refresh_from_db()
    assert ended.active
    assert ended.since == timezone.localdate()
    assert ended.referent == organiser


def test_renewing_forgets_a_referent_who_no_longer_organises(
    collective, organiser, ended
):
    former = OrganiserMembershipFactory(collective=collective).user
    Partnership.objects.filter(pk=ended.pk).update(referent=former)
    Membership.objects.filter(user=former).update(status=Membership.Status.INACTIVE)
    ended.refresh_from_db()
    services.renew_partnership(ended, renewed_by=organiser)
    ended.refresh_from_db()
    assert ended.is_proposed
    assert ended.referent is None


def test_an_active_partnership_cannot_be_renewed(organiser, partnership):
    with pytest.raises(ValidationError):
        services.renew_partnership(partnership, renewed_by=organiser)


def test_a_partnership_with_an_inactive_producer_cannot_be_renewed(organiser, ended):
    Producer.objects.filter(pk=ended.producer_id).update(active=False)
    ended.refresh_from_db()
    with pytest.raises(ValidationError):
        services.renew_partnership(ended, renewed_by=organiser)
    ended.refresh_from_db()
    assert not ended.active


@pytest.mark.parametrize("person", NOT_ORGANISERS)
def test_only_organisers_renew_partnerships(request, ended, person):
    with pytest.raises(PermissionDenied):
        services.renew_partnership(ended, renewed_by=request.getfixturevalue(person))


# The organisers' page --------------------------------------------------------------


def list_url(collective):
    return reverse("producers:partnership_list", args=[collective.slug])


def test_the_page_asks_anonymous_visitors_to_log_in(as_user, collective):
    url = list_url(collective)
    assertRedirects(as_user(None).get(url), f"{reverse('account_login')}?next={url}")


@pytest.mark.parametrize("person", NOT_ORGANISERS)
def test_only_the_collectives_organisers_see_its_producers(
    request, as_user, collective, producer, person
):
    response = as_user(request.getfixturevalue(person)).get(list_url(collective))
    assert response.status_code == 404


def test_organisers_see_current_and_ended_partnerships(
    as_user, collective, organiser, partnership, farm, other_producer
):
    Partnership.objects.filter(pk=partnership.pk).update(referent=organiser)
    PartnershipFactory(producer=farm, collective=collective, active=False)
    candidate = ProducerFactory(name="Fournil du Loroux", managers=[UserFactory()])
    ProducerFactory(name="Ferme arrêtée", active=False)
    response = as_user(organiser).get(list_url(collective))
    assertContains(response, "Maraîchage de la Sèvre")
    assertContains(response, "Claire Petit")
    assertContains(response, "Partnership ended")
    assertContains(response, "Propose the partnership again")
    # The select offers active producers that are not partners yet.
    assertContains(response, f'<option value="{candidate.pk}">Fournil du Loroux')
    assertContains(response, f'<option value="{other_producer.pk}">')
    assertNotContains(response, "Ferme arrêtée")
    assertNotContains(response, f'<option value="{farm.pk}">')


def test_the_page_has_a_fixed_number_of_queries(
    as_user, collective, organiser, django_assert_max_num_queries
):
    referents = [
        OrganiserMembershipFactory(collective=collective).user for _ in range(5)
    ]
    farms = ProducerFactory.create_batch(220)
    Partnership.objects.bulk_create(
        [
            Partnership(
                producer=farm,
                collective=collective,
                referent=referents[i % 5],
                active=i % 4 != 0,
                status=Partnership.Status.ACCEPTED,
            )
            for i, farm in enumerate(farms)
        ]
    )
    ProducerFactory.create_batch(30)
    client = as_user(organiser)
    with django_assert_max_num_queries(12):
        response = client.get(list_url(collective))
    assert response.content.decode().count("data-partnership=") == 220


def test_an_organiser_adds_a_partnership_from_the_page(
    as_user, collective, organiser, farm
):
    response = as_user(organiser).post(
        reverse("producers:partnership_add", args=[collective.slug]),
        {"producer": farm.pk, "referent": organiser.pk},
    )
    assertRedirects(response, list_url(collective))
    partnership = Partnership.objects.get(producer=farm, collective=collective)
    assert partnership.referent == organiser
    assert partnership.is_proposed


def test_adding_a_partner_twice_shows_an_error_next_to_the_field(
    as_user, collective, organiser, producer
):
    response = as_user(organiser).post(
        reverse("producers:partnership_add", args=[collective.slug]),
        {"producer": producer.pk, "referent": ""},
    )
    assertContains(
        response,
        'id="id_producer_error">Choose one of the producers in the list',
        status_code=400,
    )


def test_a_referent_outside_the_organisers_is_refused_on_the_page(
    as_user, collective, organiser, member, farm
):
    response = as_user(organiser).post(
        reverse("producers:partnership_add", args=[collective.slug]),
        {"producer": farm.pk, "referent": member.pk},
    )
    assertContains(response, 'id="id_referent_error">', status_code=400)
    assert not Partnership.objects.filter(producer=farm).exists()


@pytest.mark.parametrize("person", NOT_ORGANISERS)
def test_others_cannot_add_partnerships(request, as_user, collective, farm, person):
    response = as_user(request.getfixturevalue(person)).post(
        reverse("producers:partnership_add", args=[collective.slug]),
        {"producer": farm.pk},
    )
    assert response.status_code == 404
    assert not Partnership.objects.filter(producer=farm).exists()


def test_an_organiser_changes_the_referent_from_the_page(
    as_user, collective, organiser, partnership
):
    second = OrganiserMembershipFactory(
        collective=collective, user__first_name="Inès", user__last_name="Roux"
    ).user
    response = as_user(organiser).post(
        reverse(
            "producers:partnership_referent", args=[collective.slug, partnership.pk]
        ),
        {"referent": second.pk},
        follow=True,
    )
    assertContains(response, "Inès Roux is now the référent of Maraîchage de la Sèvre.")
    partnership.refresh_from_db()
    assert partnership.referent == second


def test_a_member_cannot_become_referent_from_the_page(
    as_user, collective, organiser, member, partnership
):
    response = as_user(organiser).post(
        reverse(
            "producers:partnership_referent", args=[collective.slug, partnership.pk]
        ),
        {"referent": member.pk},
        follow=True,
    )
    assertContains(response, "Choose the référent among the organisers in the list.")
    partnership.refresh_from_db()
    assert partnership.referent is None


def test_an_organiser_ends_then_renews_a_partnership(
    as_user, collective, organiser, partnership
):
    client = as_user(organiser)
    response = client.post(
        reverse("producers:partnership_end", args=[collective.slug, partnership.pk]),
        follow=True,
    )
    assertContains(
        response, "Maraîchage de la Sèvre no longer supplies AMAP des Dervallières."
    )
    partnership.refresh_from_db()
    assert not partnership.active
    response = client.post(
        reverse("producers:partnership_end", args=[collective.slug, partnership.pk]),
        follow=True,
    )
    assertContains(response, "already no longer supplies")
    response = client.post(
        reverse("producers:partnership_renew", args=[collective.slug, partnership.pk]),
        follow=True,
    )
    assertContains(
        response,
        "The partnership has been proposed to Maraîchage de la Sèvre: it will "
        "supply AMAP des Dervallières once one of its producers accepts.",
    )
    partnership.refresh_from_db()
    assert partnership.is_proposed


@pytest.mark.parametrize(
    "name", ["partnership_end", "partnership_renew", "partnership_referent"]
)
@pytest.mark.parametrize("person", NOT_ORGANISERS)
def test_others_cannot_change_a_partnership(
    request, as_user, collective, partnership, name, person
):
    response = as_user(request.getfixturevalue(person)).post(
        reverse(f"producers:{name}", args=[collective.slug, partnership.pk]),
        {"referent": ""},
    )
    assert response.status_code == 404
    partnership.refresh_from_db()
    assert partnership.active


def test_another_collectives_partnership_is_not_found(
    as_user, collective, organiser, other_producer
):
    theirs = Partnership.objects.get(producer=other_producer)
    response = as_user(organiser).post(
        reverse("producers:partnership_end", args=[collective.slug, theirs.pk])
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.active


def test_commands_refuse_get(as_user, collective, organiser, partnership):
    response = as_user(organiser).get(
        reverse("producers:partnership_end", args=[collective.slug, partnership.pk])
    )
    assert response.status_code == 405


# New producer ----------------------------------------------------------------------


def create_url(collective):
    return reverse("producers:producer_create", args=[collective.slug])


NEW_FARM = {
    "name": "Vergers de la Divatte",
    "activity": "Arboriculture",
    "street": "La Levée",
    "postcode": "44450",
    "town": "Divatte-sur-Loire",
}


@pytest.mark.parametrize("person", NOT_ORGANISERS)
def test_only_organisers_open_the_new_producer_form(
    request, as_user, collective, person
):
    response = as_user(request.getfixturevalue(person)).get(create_url(collective))
    assert response.status_code == 404


def test_the_new_producer_form_says_an_invitation_is_sent(
    as_user, collective, organiser
):
    response = as_user(organiser).get(create_url(collective))
    assertContains(response, "An invitation to manage the farm")


def test_an_organiser_adds_a_new_producer(
    as_user,
    collective,
    organiser,
    producer_user,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(organiser).post(
            create_url(collective),
            {**NEW_FARM, "manager_email": "PAUL.DURAND@example.org"},
        )
    assertRedirects(response, list_url(collective))
    farm = Producer.objects.get(name="Vergers de la Divatte")
    assert not farm.managers.exists()  # until Paul accepts
    assert farm.manager_invitations.get().email == "paul.durand@example.org"
    assert farm.email == "paul.durand@example.org"
    assert farm.has_position
    partnership = Partnership.objects.get(producer=farm)
    assert (partnership.collective, partnership.referent) == (collective, organiser)
    assert partnership.active


def test_the_new_producer_form_shows_a_bad_postcode(
    as_user, collective, organiser, producer_user
):
    response = as_user(organiser).post(
        create_url(collective),
        {**NEW_FARM, "postcode": "123", "manager_email": producer_user.email},
    )
    assertContains(response, 'id="id_postcode_error">', status_code=400)
    assert not Producer.objects.exists()


def test_the_new_producer_gets_the_producer_area_once_they_accept(
    as_user, collective, organiser, producer_user
):
    as_user(organiser).post(
        create_url(collective), {**NEW_FARM, "manager_email": producer_user.email}
    )
    client = as_user(producer_user)
    assertNotContains(client.get(reverse("producers:home")), "Vergers de la Divatte")
    invitation = Producer.objects.get().manager_invitations.get()
    client.post(invitation.get_absolute_url())
    response = client.get(reverse("producers:home"))
    assertContains(response, "Vergers de la Divatte")
    assertContains(response, "AMAP des Dervallières")


def test_a_collective_with_many_organisers_offers_only_its_own(
    as_user, collective, organiser, other_organiser, producer
):
    MembershipFactory(collective=collective, user=UserFactory(first_name="Simple"))
    response = as_user(organiser).get(list_url(collective))
    assertContains(response, f'<option value="{organiser.pk}"')
    assertNotContains(response, f'<option value="{other_organiser.pk}"')
    CollectiveFactory()  # an unrelated collective changes nothing
