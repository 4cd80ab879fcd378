"""A refusal for want of accepting the current charter links to the accept page.

Booking, subscribing to a contract, pledging and saving the stock grid are
refused by their services; the page that shows the refusal offers the way
out, and the accept page brings the person back. Pages are in English.
"""

from decimal import Decimal
from urllib.parse import quote

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from amap.members.models import CharterAcceptance
from amap.members.services import publish_charter_version
from amap.orders.models import Order, Subscription
from tests.factories import (
    ContractFactory,
    ContractOptionFactory,
    DistributionFactory,
    GroupItemFactory,
    GroupPurchaseFactory,
    OfferFactory,
    OrderCycleFactory,
    PriceTierFactory,
    ProductFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "fresh_cache")]

LINK_TEXT = "Read and accept the charter"
REFUSAL = "Please read and accept version 1 of the network&#x27;s ethical charter"


@pytest.fixture
def charter(db):
    return publish_charter_version(
        title="Charte éthique du réseau",
        body="<h2>Nos engagements</h2><p>Une agriculture paysanne.</p>",
        page_url="/charte/",
    )


def accept_link(back_to: str) -> str:
    url = reverse("members:charter_accept") + "?next=" + quote(back_to)
    return f'<a class="charter-refusal-link" href="{url}">{LINK_TEXT}</a>'


def assert_refused_with_link(response, back_to):
    assert response.status_code == 400
    assertContains(response, REFUSAL, status_code=400)
    assertContains(response, accept_link(back_to), html=True, status_code=400)


def assert_accepting_goes_back(client, charter, back_to):
    """The link's page, once accepted, sends the person back where they were."""
    response = client.post(
        reverse("members:charter_accept"), {"version": charter.pk, "next": back_to}
    )
    assertRedirects(response, back_to, fetch_redirect_response=False)


def test_a_member_who_has_not_accepted_cannot_book_and_is_shown_the_way(
    member, producer, collective, charter, as_user
):
    distribution = DistributionFactory(cycle__collective=collective)
    offer = OfferFactory(
        cycle=distribution.cycle,
        product=ProductFactory(producer=producer, name="Carottes"),
        quantity_available=Decimal("10"),
    )
    url = reverse("orders:booking", args=[distribution.pk])
    client = as_user(member)

    response = client.post(url, {f"offer_{offer.pk}": "2"})

    assert_refused_with_link(response, url)
    assert not Order.objects.filter(member=member).exists()
    offer.refresh_from_db()
    assert offer.quantity_available == Decimal("10")
    assert_accepting_goes_back(client, charter, url)
    assert client.post(url, {f"offer_{offer.pk}": "2"}).status_code == 302
    assert Order.objects.get(member=member).lines.get().quantity == 2


def test_a_member_who_has_not_accepted_cannot_sign_a_contract(
    member, producer, collective, charter, as_user
):
    contract = ContractFactory(
        producer=producer, collective=collective, instalment_choices=[1]
    )
    contract.deliveries.set(
        [DistributionFactory(cycle=OrderCycleFactory(collective=collective))]
    )
    option = ContractOptionFactory(contract=contract)
    url = reverse("orders:contract_subscribe", args=[contract.pk])

    response = as_user(member).post(
        url, {"option": option.pk, "quantity": "1", "instalments": "1", "sharing": ""}
    )

    assert_refused_with_link(response, url)
    assert not Subscription.objects.filter(member=member).exists()


def test_a_member_who_has_not_accepted_cannot_pledge_and_is_shown_the_way(
    member, collective, charter, as_user
):
    campaign = GroupPurchaseFactory(collectives=[collective])
    oranges = GroupItemFactory(campaign=campaign, name="Oranges", case_size=10)
    PriceTierFactory(item=oranges, min_cases=0, unit_price="2.40")
    url = reverse("groupbuy:campaign_detail", args=[campaign.pk])
    client = as_user(member)

    response = client.post(
        url, {f"quantity_{oranges.pk}": "3", f"tolerance_{oranges.pk}": "0"}
    )

    assert_refused_with_link(response, url)
    assert not oranges.pledges.exists()
    assert_accepting_goes_back(client, charter, url)


def test_a_producer_who_has_not_accepted_cannot_save_stock_and_is_shown_the_way(
    producer, producer_user, collective, charter, as_user
):
    cycle = OrderCycleFactory(collective=collective)
    product = ProductFactory(producer=producer)
    # The grid with more columns than usual: the way back keeps them.
    url = reverse("producers:stock_grid", args=[producer.slug]) + "?cycles=6"
    client = as_user(producer_user)

    response = client.post(
        url, {f"q-{product.pk}-{cycle.pk}": "5", f"p-{product.pk}-{cycle.pk}": ""}
    )

    assert_refused_with_link(response, url)
    assert "%3Fcycles%3D6" in accept_link(url)
    assert not product.offers.exists()
    assert_accepting_goes_back(client, charter, url)
    assert CharterAcceptance.objects.filter(user=producer_user).exists()


def test_other_refusals_have_no_charter_link(member, producer, collective, as_user):
    """A refusal for another reason, shown at the same place, has no link."""
    contract = ContractFactory(
        producer=producer, collective=collective, instalment_choices=[1]
    )
    contract.deliveries.set(
        [DistributionFactory(cycle=OrderCycleFactory(collective=collective))]
    )
    option = ContractOptionFactory(contract=contract)
    url = reverse("orders:contract_subscribe", args=[contract.pk])
    data = {"option": option.pk, "quantity": "1", "instalments": "1", "sharing": ""}
    client = as_user(member)
    assert client.post(url, data).status_code == 302

    response = client.post(url, data)

    assertContains(
        response,
        '<p class="error">You have already signed this contract.</p>',
        html=True,
        status_code=400,
    )
    assertNotContains(response, LINK_TEXT, status_code=400)
