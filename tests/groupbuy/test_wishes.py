"""Wishes: proposing, voting, the ranking, declining, turning into a draft."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from amap.groupbuy.models import GroupPurchase, Vote, Wish
from amap.groupbuy.selectors.wishes import ranked_wishes
from amap.groupbuy.services.wishes import (
    decline_wish,
    propose_wish,
    turn_wish_into_campaign,
    vote,
    withdraw_vote,
)
from tests.factories import MembershipFactory, VoteFactory, WishFactory

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def wish(collective):
    return WishFactory(
        collective=collective,
        title="Huile d'olive de Crète",
        supplier_hint="Coopérative d'Archanes",
        unit="litre",
    )


# Services


def test_propose_wish_with_the_proposers_vote(member, collective):
    wish = propose_wish(
        member=member, collective=collective, title=" Café ", unit="kg", quantity=2
    )
    assert wish.title == "Café"
    assert wish.proposed_by == member
    assert Vote.objects.get(wish=wish).quantity == 2


def test_propose_wish_refuses_another_collective(other_member, collective):
    with pytest.raises(PermissionDenied):
        propose_wish(member=other_member, collective=collective, title="Café")


def test_propose_wish_needs_a_title(member, collective):
    with pytest.raises(ValidationError) as caught:
        propose_wish(member=member, collective=collective, title="  ")
    assert "title" in caught.value.error_dict


def test_vote_creates_then_changes_the_quantity(member, wish):
    first = vote(member=member, wish=wish, quantity=3)
    second = vote(member=member, wish=wish, quantity=5)
    assert first.pk == second.pk
    assert Vote.objects.get().quantity == 5


@pytest.mark.parametrize("quantity", [-1, 100_001, 2.5, "3"])
def test_vote_refuses_absurd_quantities(member, wish, quantity):
    with pytest.raises(ValidationError):
        vote(member=member, wish=wish, quantity=quantity)
    assert not Vote.objects.exists()


def test_vote_refuses_another_collective(other_member, wish):
    with pytest.raises(PermissionDenied):
        vote(member=other_member, wish=wish, quantity=3)


def test_vote_refuses_a_declined_wish(member, wish):
    wish.status = Wish.Status.DECLINED
    wish.save()
    with pytest.raises(ValidationError, match="no longer open"):
        vote(member=member, wish=wish, quantity=3)


def test_withdraw_vote(member, wish):
    VoteFactory(wish=wish, member=member)
    withdraw_vote(member=member, wish=wish)
    assert not Vote.objects.exists()


def test_decline_wish_needs_an_organiser_and_an_answer(organiser, member, wish):
    with pytest.raises(PermissionDenied):
        decline_wish(wish=wish, declined_by=member, answer="Non")
    with pytest.raises(ValidationError):
        decline_wish(wish=wish, declined_by=organiser, answer=" ")
    declined = decline_wish(
        wish=wish, declined_by=organiser, answer="Trop loin pour cette année."
    )
    assert declined.status == Wish.Status.DECLINED
    assert declined.answer == "Trop loin pour cette année."


def test_decline_wish_refuses_an_organiser_of_another_collective(other_organiser, wish):
    with pytest.raises(PermissionDenied):
        decline_wish(wish=wish, declined_by=other_organiser, answer="Non")


def test_turn_wish_into_a_draft_with_the_supplier_hint(organiser, collective, wish):
    campaign = turn_wish_into_campaign(wish=wish, created_by=organiser)
    assert campaign.status == GroupPurchase.Status.DRAFT
    assert campaign.title == wish.title
    assert campaign.supplier_name == "Coopérative d'Archanes"
    assert campaign.wish == wish
    assert list(campaign.collectives.all()) == [collective]
    assert campaign.closes_at > campaign.opens_at
    wish.refresh_from_db()
    assert wish.status == Wish.Status.PLANNED
    with pytest.raises(ValidationError, match="no longer open"):
        turn_wish_into_campaign(wish=wish, created_by=organiser)
    assert GroupPurchase.objects.count() == 1


def test_turn_wish_into_a_draft_with_a_partner_producer(organiser, producer, wish):
    campaign = turn_wish_into_campaign(
        wish=wish, created_by=organiser, producer=producer
    )
    assert campaign.producer == producer
    assert campaign.supplier_name == ""


def test_turn_wish_refuses_a_producer_who_does_not_supply_the_collective(
    organiser, other_producer, wish
):
    with pytest.raises(ValidationError) as caught:
        turn_wish_into_campaign(
            wish=wish, created_by=organiser, producer=other_producer
        )
    assert "producer" in caught.value.error_dict
    assert not GroupPurchase.objects.exists()


def test_turn_wish_needs_a_supplier(organiser, collective):
    wish = WishFactory(collective=collective, supplier_hint="")
    with pytest.raises(ValidationError) as caught:
        turn_wish_into_campaign(wish=wish, created_by=organiser)
    assert "supplier_name" in caught.value.error_dict


def test_turn_wish_refuses_a_member(member, wish):
    with pytest.raises(PermissionDenied):
        turn_wish_into_campaign(wish=wish, created_by=member)


# Ranking


def test_ranking_by_votes_then_quantity_in_one_query(
    member, collective, other_collective, django_assert_num_queries
):
    rice = WishFactory(collective=collective, title="Riz de Camargue")
    coffee = WishFactory(collective=collective, title="Café")
    soap = WishFactory(collective=collective, title="Savon de Marseille")
    declined = WishFactory(
        collective=collective, title="Mangues", status=Wish.Status.DECLINED
    )
    elsewhere = WishFactory(collective=other_collective, title="Ailleurs")
    for quantity in (2, 2):
        VoteFactory(wish=rice, quantity=quantity)
    for quantity in (5, 1):
        VoteFactory(wish=coffee, quantity=quantity)
    VoteFactory(wish=soap, member=member, quantity=4)
    for _ in range(5):
        VoteFactory(wish=declined)
    VoteFactory(wish=elsewhere)
    with django_assert_num_queries(1):
        wishes = ranked_wishes(member)
    assert [w.title for w in wishes] == [
        "Café",
        "Riz de Camargue",
        "Savon de Marseille",
        "Mangues",
    ]
    assert (wishes[0].vote_count, wishes[0].total_quantity) == (2, 6)
    assert wishes[2].my_quantity == 4
    assert wishes[0].my_quantity is None


# Views


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", 302),
        ("member", 200),
        ("other_member", 404),
        ("organiser", 200),
        ("other_organiser", 404),
        ("producer_user", 404),
    ],
)
def test_wish_page_permission_matrix(request, as_user, wish, who, expected):
    user = None if who == "anonymous" else request.getfixturevalue(who)
    response = as_user(user).get(reverse("groupbuy:wish_detail", args=[wish.pk]))
    assert response.status_code == expected


def test_only_organisers_see_the_voters_and_the_actions(
    as_user, member, organiser, wish
):
    VoteFactory(wish=wish, member__first_name="Hélène", member__last_name="Roux")
    url = reverse("groupbuy:wish_detail", args=[wish.pk])
    as_member = as_user(member).get(url).text
    assert "Hélène Roux" not in as_member
    assert reverse("groupbuy:wish_to_campaign", args=[wish.pk]) not in as_member
    as_organiser = as_user(organiser).get(url).text
    assert "Hélène Roux" in as_organiser
    assert reverse("groupbuy:wish_to_campaign", args=[wish.pk]) in as_organiser
    listing = as_user(organiser).get(reverse("groupbuy:wish_list")).text
    assert "Hélène Roux" in listing


@pytest.mark.parametrize("action", ["wish_decline", "wish_to_campaign"])
@pytest.mark.parametrize("who", ["member", "other_organiser"])
def test_organiser_actions_are_404_for_others(request, as_user, wish, action, who):
    user = request.getfixturevalue(who)
    response = as_user(user).post(
        reverse(f"groupbuy:{action}", args=[wish.pk]), {"answer": "Non"}
    )
    assert response.status_code == 404
    wish.refresh_from_db()
    assert wish.status == Wish.Status.OPEN


def test_member_proposes_votes_and_withdraws(as_user, member, collective):
    client = as_user(member)
    response = client.post(
        reverse("groupbuy:wish_propose"),
        {
            "collective": collective.pk,
            "title": "Lentilles vertes du Puy",
            "unit": "kg",
            "vote-quantity": "3",
        },
    )
    assert response.status_code == 302
    wish = Wish.objects.get()
    assert Vote.objects.get(wish=wish, member=member).quantity == 3
    client.post(reverse("groupbuy:wish_vote", args=[wish.pk]), {"quantity": "6"})
    assert Vote.objects.get(wish=wish, member=member).quantity == 6
    client.post(reverse("groupbuy:wish_withdraw", args=[wish.pk]))
    assert not Vote.objects.exists()


def test_a_bad_vote_is_shown_next_to_the_field(as_user, member, wish):
    response = as_user(member).post(
        reverse("groupbuy:wish_vote", args=[wish.pk]), {"quantity": "-4"}
    )
    assert response.status_code == 400
    assert 'id="id_quantity_error"' in response.text


def test_proposing_for_another_collective_is_refused(as_user, member, other_collective):
    response = as_user(member).post(
        reverse("groupbuy:wish_propose"),
        {"collective": other_collective.pk, "title": "Café", "unit": "kg"},
    )
    assert response.status_code == 400
    assert not Wish.objects.exists()


def test_organiser_turns_a_wish_into_a_draft(as_user, organiser, collective, wish):
    response = as_user(organiser).post(
        reverse("groupbuy:wish_to_campaign", args=[wish.pk]),
        {"producer": "", "supplier_name": ""},
    )
    campaign = GroupPurchase.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "groupbuy:manage_detail", kwargs={"slug": collective.slug, "pk": campaign.pk}
    )
    page = as_user(organiser).get(reverse("groupbuy:wish_detail", args=[wish.pk]))
    assert response["Location"] in page.text


def test_organiser_declines_with_an_answer(as_user, organiser, member, wish):
    response = as_user(organiser).post(
        reverse("groupbuy:wish_decline", args=[wish.pk]), {"answer": ""}
    )
    assert response.status_code == 400
    assert 'id="id_answer_error"' in response.text
    as_user(organiser).post(
        reverse("groupbuy:wish_decline", args=[wish.pk]),
        {"answer": "Le fournisseur ne livre plus en France."},
    )
    page = as_user(member).get(reverse("groupbuy:wish_detail", args=[wish.pk]))
    assert "Le fournisseur ne livre plus en France." in page.text


def test_wish_list_has_a_fixed_number_of_queries(
    as_user, organiser, collective, django_assert_max_num_queries
):
    for n in range(12):
        wish = WishFactory(collective=collective)
        for _ in range(n % 4):
            VoteFactory(wish=wish, member=MembershipFactory(collective=collective).user)
    client = as_user(organiser)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("groupbuy:wish_list"))
    assert response.status_code == 200


# Demo


def test_demo_wishes_are_idempotent(db):
    from amap.groupbuy.demo_wishes import build_wishes, remove_demo_wishes
    from tests.factories import CollectiveFactory

    collectives = {
        slug: CollectiveFactory(slug=slug)
        for slug in ("amap-dervallieres", "groupement-clisson")
    }
    for collective in collectives.values():
        for _ in range(8):
            MembershipFactory(collective=collective)
    votes = build_wishes(collectives)
    assert Wish.objects.count() == 5
    assert votes == Vote.objects.count() > 10
    assert build_wishes(collectives) == 0
    assert Wish.objects.count() == 5
    remove_demo_wishes(list(collectives))
    assert not Wish.objects.exists()
