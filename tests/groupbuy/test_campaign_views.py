"""Organiser pages of group purchases: permissions, forms, commands, queries."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from amap.groupbuy.models import GroupPurchase, Item, Payment, Pledge
from amap.groupbuy.services.lifecycle import close_campaign
from tests.factories import (
    GroupItemFactory,
    GroupPurchaseFactory,
    MembershipFactory,
    PledgeFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

Status = GroupPurchase.Status


@pytest.fixture
def campaign(collective, distribution):
    campaign = GroupPurchaseFactory(
        collectives=[collective], distribution=distribution, title="Agrumes"
    )
    GroupItemFactory(
        campaign=campaign,
        name="Oranges",
        case_size=10,
        tiers=[(0, "2.40"), (5, "2.10")],
    )
    return campaign


def url(name, campaign=None, slug="dervallieres", **kwargs):
    args = [slug] + ([campaign.pk] if campaign is not None else [])
    args += list(kwargs.values())
    return reverse(f"groupbuy:{name}", args=args)


def pledge_many(campaign, collective, count):
    item = campaign.items.get()
    people = [MembershipFactory(collective=collective).user for _ in range(count)]
    for number, person in enumerate(people):
        PledgeFactory(item=item, member=person, quantity=1 + number % 7, tolerance=2)
    return people


PAGES = [
    "manage_detail",
    "manage_edit",
    "manage_item_add",
    "manage_allocation",
    "manage_payments",
    "manage_extend",
    "manage_cancel",
]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize(
    "who,status",
    [
        ("anonymous", 302),
        ("member", 404),
        ("other_member", 404),
        ("producer_user", 404),
        ("other_organiser", 404),
        ("organiser", 200),
    ],
)
def test_campaign_pages_permission_matrix(
    request, as_user, campaign, page, who, status
):
    user = None if who == "anonymous" else request.getfixturevalue(who)
    response = as_user(user).get(url(page, campaign))
    assert response.status_code == status
    if who == "anonymous":
        assert "/compte/login/" in response["Location"]


@pytest.mark.parametrize("who", ["member", "other_organiser", "producer_user"])
def test_list_and_create_answer_404_to_non_organisers(request, as_user, who):
    client = as_user(request.getfixturevalue(who))
    request.getfixturevalue("collective")
    assert client.get(url("manage_list")).status_code == 404
    assert client.get(url("manage_create")).status_code == 404


def test_other_organiser_cannot_reach_a_campaign_through_their_own_slug(
    as_user, campaign, other_organiser
):
    response = as_user(other_organiser).get(
        url("manage_detail", campaign, slug="trentemoult")
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    "command",
    [
        "manage_open",
        "manage_close",
        "manage_order_anyway",
        "manage_mark_ordered",
        "manage_mark_delivered",
    ],
)
def test_commands_answer_404_to_another_collectives_organiser(
    as_user, campaign, other_organiser, command
):
    response = as_user(other_organiser).post(url(command, campaign))
    assert response.status_code == 404
    campaign.refresh_from_db()
    assert campaign.status == Status.OPEN


def test_commands_refuse_get(as_user, campaign, organiser):
    assert as_user(organiser).get(url("manage_close", campaign)).status_code == 405


def test_list_in_fixed_queries(
    as_user, organiser, collective, distribution, django_assert_max_num_queries
):
    for _ in range(15):
        campaign = GroupPurchaseFactory(collectives=[collective])
        GroupItemFactory(campaign=campaign)
    client = as_user(organiser)
    client.get(url("manage_list"))
    with django_assert_max_num_queries(6):
        response = client.get(url("manage_list"))
    assert response.status_code == 200
    assert response.content.decode().count("Achat groupé") >= 15


@pytest.mark.parametrize(
    "page", ["manage_detail", "manage_allocation", "manage_payments"]
)
def test_detail_pages_with_100_pledges_in_fixed_queries(
    as_user, organiser, campaign, collective, page, django_assert_max_num_queries
):
    pledge_many(campaign, collective, 100)
    close_campaign(campaign, now=campaign.closes_at)
    client = as_user(organiser)
    client.get(url(page, campaign))
    with django_assert_max_num_queries(10):
        response = client.get(url(page, campaign))
    assert response.status_code == 200


def test_detail_of_an_open_campaign_with_100_pledges_in_fixed_queries(
    as_user, organiser, campaign, collective, django_assert_max_num_queries
):
    pledge_many(campaign, collective, 100)
    client = as_user(organiser)
    with django_assert_max_num_queries(10):
        response = client.get(url("manage_detail", campaign))
    assert response.status_code == 200
    assert "missing to the next case" in response.content.decode()


def test_create_a_campaign(as_user, organiser, collective, distribution):
    opens = timezone.localtime() + dt.timedelta(hours=1)
    closes = opens + dt.timedelta(days=5)
    response = as_user(organiser).post(
        url("manage_create"),
        {
            "collectives": [collective.pk],
            "title": "Café de la coopérative",
            "supplier_name": "Café Michel",
            "opens_at": opens.strftime("%Y-%m-%dT%H:%M"),
            "closes_at": closes.strftime("%Y-%m-%dT%H:%M"),
            "distribution": distribution.pk,
            "minimum_order": "150",
            "policy": "fair_share",
        },
    )
    campaign = GroupPurchase.objects.get(title="Café de la coopérative")
    assert response.status_code == 302
    assert response["Location"] == url("manage_detail", campaign)
    assert campaign.status == Status.DRAFT
    assert campaign.minimum_order == Decimal("150")


def test_create_shows_service_errors_next_to_the_field(
    as_user, organiser, collective, other_collective
):
    opens = timezone.localtime() + dt.timedelta(hours=1)
    response = as_user(organiser).post(
        url("manage_create"),
        {
            "collectives": [collective.pk],
            "title": "Sans fournisseur",
            "opens_at": opens.strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (opens + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
            "minimum_order": "0",
            "policy": "fair_share",
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors["supplier_name"]


def test_create_refuses_a_collective_not_organised(
    as_user, organiser, collective, other_collective
):
    opens = timezone.localtime() + dt.timedelta(hours=1)
    response = as_user(organiser).post(
        url("manage_create"),
        {
            "collectives": [other_collective.pk],
            "title": "Ailleurs",
            "supplier_name": "X",
            "opens_at": opens.strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (opens + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
            "minimum_order": "0",
            "policy": "fair_share",
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors["collectives"]
    assert not GroupPurchase.objects.filter(title="Ailleurs").exists()


@pytest.fixture
def draft(campaign):
    campaign.status = Status.DRAFT
    campaign.save()
    return campaign


def test_add_an_item_with_its_tiers(as_user, organiser, draft):
    response = as_user(organiser).post(
        url("manage_item_add", draft),
        {
            "name": "Citrons",
            "unit": "kg",
            "case_size": "5",
            "tiers": "0: 3,20; 4: 2.90",
            "max_cases": "20",
        },
    )
    assert response.status_code == 302
    item = Item.objects.get(name="Citrons")
    assert [(t.min_cases, t.unit_price) for t in item.tiers.all()] == [
        (0, Decimal("3.20")),
        (4, Decimal("2.90")),
    ]


@pytest.mark.parametrize(
    "tiers,message",
    [
        ("5: 2.40", "The first price must apply from 0 cases."),
        ("0: 2.40; 10: 2.60", "Prices cannot rise with volume"),
        ("0 = 2.40", "is not “from cases: price”"),
    ],
)
def test_item_tier_errors_are_shown_on_the_tiers_field(
    as_user, organiser, draft, tiers, message
):
    response = as_user(organiser).post(
        url("manage_item_add", draft),
        {"name": "Citrons", "unit": "kg", "case_size": "5", "tiers": tiers},
    )
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors["tiers"])


def test_edit_an_item_shows_its_tiers(as_user, organiser, draft):
    item = draft.items.get()
    response = as_user(organiser).get(url("manage_item_edit", draft, item_pk=item.pk))
    assert response.context["form"].initial["tiers"] == "0: 2.40; 5: 2.10"


def test_item_of_another_campaign_is_404(as_user, organiser, draft, collective):
    other = GroupPurchaseFactory(collectives=[collective], status=Status.DRAFT)
    item = GroupItemFactory(campaign=other)
    response = as_user(organiser).get(url("manage_item_edit", draft, item_pk=item.pk))
    assert response.status_code == 404


def test_open_close_order_deliver(as_user, organiser, draft, collective):
    client = as_user(organiser)
    assert client.post(url("manage_open", draft)).status_code == 302
    draft.refresh_from_db()
    assert draft.status == Status.OPEN
    pledge_many(draft, collective, 12)
    client.post(url("manage_close", draft))
    draft.refresh_from_db()
    assert draft.status == Status.ALLOCATED
    client.post(url("manage_mark_ordered", draft))
    client.post(url("manage_mark_delivered", draft))
    draft.refresh_from_db()
    assert draft.status == Status.DELIVERED


def test_open_an_incomplete_draft_says_why(as_user, organiser, draft):
    draft.distribution = None
    draft.save()
    response = as_user(organiser).post(url("manage_open", draft), follow=True)
    assert "Choose the distribution where members collect." in response.content.decode()


def test_decision_page_shows_total_and_minimum(
    as_user, organiser, campaign, collective
):
    campaign.minimum_order = Decimal("500")
    campaign.save()
    pledge_many(campaign, collective, 3)
    close_campaign(campaign, now=campaign.closes_at)
    response = as_user(organiser).get(url("manage_detail", campaign))
    content = response.content.decode()
    assert "Minimum order not met" in content
    assert "500.00" in content
    assert url("manage_extend", campaign) in content


def test_extend_cancel_and_order_anyway_views(as_user, organiser, campaign, collective):
    campaign.minimum_order = Decimal("500")
    campaign.save()
    pledge_many(campaign, collective, 3)
    close_campaign(campaign, now=campaign.closes_at)
    client = as_user(organiser)

    response = client.post(
        url("manage_extend", campaign), {"closes_at": "2000-01-01T10:00"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["closes_at"]

    later = (timezone.localtime() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    assert (
        client.post(url("manage_extend", campaign), {"closes_at": later}).status_code
        == 302
    )
    campaign.refresh_from_db()
    assert campaign.status == Status.OPEN

    close_campaign(campaign, closed_by=organiser)
    response = client.post(url("manage_cancel", campaign), {"reason": ""})
    assert response.status_code == 400
    client.post(url("manage_order_anyway", campaign))
    campaign.refresh_from_db()
    assert campaign.status == Status.ALLOCATED and campaign.order_anyway


def test_cancel_view(as_user, organiser, campaign):
    response = as_user(organiser).post(
        url("manage_cancel", campaign), {"reason": "Récolte gelée"}
    )
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.status == Status.CANCELLED
    assert campaign.cancel_reason == "Récolte gelée"


def test_supplier_order_is_404_before_allocation(as_user, organiser, campaign):
    client = as_user(organiser)
    assert client.get(url("manage_supplier_order_csv", campaign)).status_code == 404
    assert client.get(url("manage_supplier_order_pdf", campaign)).status_code == 404


def test_supplier_order_is_404_for_another_organiser(
    as_user, other_organiser, campaign, collective
):
    pledge_many(campaign, collective, 5)
    close_campaign(campaign, now=campaign.closes_at)
    client = as_user(other_organiser)
    assert client.get(url("manage_supplier_order_csv", campaign)).status_code == 404


def test_mark_a_payment_received_and_undo_it(as_user, organiser, campaign, collective):
    people = pledge_many(campaign, collective, 10)
    close_campaign(campaign, now=campaign.closes_at)
    pledge = Pledge.objects.filter(member=people[0]).get()
    due = pledge.allocated * campaign.items.get().final_unit_price
    client = as_user(organiser)
    response = client.post(
        url("manage_payments", campaign),
        {"member": people[0].pk, "amount": str(due), "method": "cheque"},
    )
    assert response.status_code == 302
    payment = Payment.objects.get(member=people[0])
    assert payment.amount == due and payment.recorded_by == organiser

    response = client.post(
        url("manage_payments", campaign),
        {"member": people[0].pk, "amount": "1", "method": "cheque"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["amount"]

    client.post(url("manage_payment_cancel", campaign, payment_pk=payment.pk))
    payment.refresh_from_db()
    assert payment.cancelled_at is not None


def test_payment_for_someone_outside_the_campaign_is_404(
    as_user, organiser, campaign, collective, other_member
):
    pledge_many(campaign, collective, 2)
    close_campaign(campaign, now=campaign.closes_at)
    response = as_user(organiser).post(
        url("manage_payments", campaign),
        {"member": other_member.pk, "amount": "1", "method": "cash"},
    )
    assert response.status_code == 404


def test_organiser_home_links_to_group_purchases(as_user, organiser, collective):
    response = as_user(organiser).get(reverse("members:organiser_home"))
    assert url("manage_list") in response.content.decode()


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"opens_at": "0001-01-01T00:00"}, "opens_at", "Enter a date between"),
        ({"closes_at": "9999-12-31T23:59"}, "closes_at", "Enter a date between"),
        (
            {"collectives": ["99999999999999999999"]},
            "collectives",
            "Select a valid choice",
        ),
    ],
)
def test_create_refuses_out_of_range_input_next_to_the_field(
    as_user, organiser, collective, distribution, english, change, field, message
):
    opens = timezone.localtime() + dt.timedelta(hours=1)
    data = {
        "collectives": [collective.pk],
        "title": "Café de la coopérative",
        "supplier_name": "Café Michel",
        "opens_at": opens.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (opens + dt.timedelta(days=5)).strftime("%Y-%m-%dT%H:%M"),
        "distribution": distribution.pk,
        "minimum_order": "150",
        "policy": "fair_share",
        **change,
    }
    response = as_user(organiser).post(url("manage_create"), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert field in response.context["form"].errors
    assert not GroupPurchase.objects.filter(title="Café de la coopérative").exists()
