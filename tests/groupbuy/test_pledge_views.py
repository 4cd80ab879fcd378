"""Members' group purchase pages: who sees what, the form, the live panel."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from amap.groupbuy.models import GroupPurchase, Pledge
from tests.factories import (
    DistributionFactory,
    GroupItemFactory,
    GroupPurchaseFactory,
    MembershipFactory,
    PledgeFactory,
)

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def campaign(collective):
    return GroupPurchaseFactory(collectives=[collective], title="Café du Chiapas")


@pytest.fixture
def coffee(campaign):
    return GroupItemFactory(
        campaign=campaign,
        name="Café en grains",
        case_size=6,
        tiers=[(0, "14.00"), (2, "12.50")],
    )


def _urls(campaign):
    return [
        reverse("groupbuy:campaign_detail", args=[campaign.pk]),
        reverse("groupbuy:campaign_panel", args=[campaign.pk]),
    ]


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", 302),
        ("member", 200),
        ("other_member", 404),
        ("organiser", 200),
        ("other_organiser", 404),
        ("producer_user", 404),
        ("other_producer_user", 404),
    ],
)
def test_campaign_pages_permission_matrix(
    request, as_user, campaign, coffee, who, expected
):
    user = None if who == "anonymous" else request.getfixturevalue(who)
    client = as_user(user)
    for url in _urls(campaign):
        response = client.get(url)
        assert response.status_code == expected, url
        if expected == 302:
            assert "/compte/login/" in response["Location"]


@pytest.mark.parametrize("who", ["anonymous", "member", "other_member", "organiser"])
def test_campaign_list_permission_matrix(request, as_user, campaign, who):
    user = None if who == "anonymous" else request.getfixturevalue(who)
    response = as_user(user).get(reverse("groupbuy:campaign_list"))
    if user is None:
        assert response.status_code == 302
        return
    assert response.status_code == 200
    assert (campaign.title in response.text) == (who in ("member", "organiser"))


def test_a_draft_is_not_shown_to_members(as_user, member, campaign, coffee):
    campaign.status = GroupPurchase.Status.DRAFT
    campaign.save()
    for url in _urls(campaign):
        assert as_user(member).get(url).status_code == 404


def test_posting_other_collectives_campaign_is_404(
    as_user, other_member, campaign, coffee
):
    response = as_user(other_member).post(
        _urls(campaign)[0],
        {f"quantity_{coffee.pk}": "3", f"tolerance_{coffee.pk}": "0"},
    )
    assert response.status_code == 404
    assert not Pledge.objects.exists()


def test_the_page_shows_the_form_and_the_live_panel(as_user, member, campaign, coffee):
    response = as_user(member).get(_urls(campaign)[0])
    assert f'name="quantity_{coffee.pk}"' in response.text
    assert f'name="tolerance_{coffee.pk}"' in response.text
    assert "vendor/htmx/htmx.min.js" in response.text
    assert "every 10s" in response.text


def test_saving_the_form_saves_every_pledge(as_user, member, campaign, coffee):
    response = as_user(member).post(
        _urls(campaign)[0],
        {f"quantity_{coffee.pk}": "4", f"tolerance_{coffee.pk}": "2"},
    )
    assert response.status_code == 302
    saved = Pledge.objects.get(member=member, item=coffee)
    assert (saved.quantity, saved.tolerance) == (4, 2)
    page = as_user(member).get(_urls(campaign)[0])
    assert f'name="quantity_{coffee.pk}" value="4"' in page.text


def test_bad_input_is_shown_next_to_the_field(as_user, member, campaign, coffee):
    response = as_user(member).post(
        _urls(campaign)[0],
        {f"quantity_{coffee.pk}": "-2", f"tolerance_{coffee.pk}": "deux"},
    )
    assert response.status_code == 400
    assert f'id="id_quantity_{coffee.pk}_error"' in response.text
    assert f'id="id_tolerance_{coffee.pk}_error"' in response.text
    assert not Pledge.objects.exists()


def test_stock_refusal_from_the_service_is_shown_on_the_item(
    as_user, member, campaign, coffee
):
    coffee.max_cases = 2
    coffee.save()
    response = as_user(member).post(
        _urls(campaign)[0],
        {f"quantity_{coffee.pk}": "13", f"tolerance_{coffee.pk}": "0"},
    )
    assert response.status_code == 400
    assert "at most 12" in response.text
    assert not Pledge.objects.exists()


def test_a_change_after_closing_is_refused_server_side(
    as_user, member, campaign, coffee
):
    PledgeFactory(member=member, item=coffee, quantity=3)
    GroupPurchase.objects.filter(pk=campaign.pk).update(
        closes_at=timezone.now() - dt.timedelta(minutes=1)
    )
    response = as_user(member).post(
        _urls(campaign)[0],
        {f"quantity_{coffee.pk}": "9", f"tolerance_{coffee.pk}": "0"},
    )
    assert response.status_code == 400
    assert "can no longer change" in response.text
    assert f'name="quantity_{coffee.pk}"' not in response.text
    assert Pledge.objects.get(member=member).quantity == 3


def test_the_panel_previews_typed_values_without_saving(
    as_user, member, campaign, coffee
):
    PledgeFactory(item=coffee, quantity=4, tolerance=0)
    client = as_user(member)
    url = _urls(campaign)[1]
    before = client.get(url)
    assert 'data-full-cases="0"' in before.text
    assert 'data-missing="2"' in before.text

    response = client.get(
        url, {f"quantity_{coffee.pk}": "2", f"tolerance_{coffee.pk}": "0"}
    )
    assert response.status_code == 200
    assert 'data-full-cases="1"' in response.text
    assert "Every case is complete." in response.text
    assert "not saved yet" in response.text
    assert "you would get <strong>2\xa0kg</strong>" in response.text
    assert not Pledge.objects.filter(member=member).exists()


def test_the_panel_ignores_a_bad_typed_value(as_user, member, campaign, coffee):
    PledgeFactory(member=member, item=coffee, quantity=4)
    response = as_user(member).get(
        _urls(campaign)[1],
        {f"quantity_{coffee.pk}": "-1", f"tolerance_{coffee.pk}": "0"},
    )
    assert response.status_code == 200
    assert 'data-missing="2"' in response.text


def test_the_panel_reloads_the_page_once_closed(as_user, member, campaign, coffee):
    campaign.status = GroupPurchase.Status.CLOSED
    campaign.save()
    response = as_user(member).get(_urls(campaign)[1], headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Refresh"] == "true"


def test_after_allocation_the_member_sees_what_they_get(
    as_user, member, collective, campaign, coffee
):
    distribution = DistributionFactory(
        cycle__collective=collective, pickup_point__name="Maison des Haubans"
    )
    campaign.distribution = distribution
    campaign.status = GroupPurchase.Status.ALLOCATED
    campaign.closes_at = timezone.now() - dt.timedelta(days=1)
    campaign.save()
    coffee.final_unit_price = "12.50"
    coffee.cases_ordered = 2
    coffee.save()
    PledgeFactory(member=member, item=coffee, quantity=4, tolerance=1, allocated=5)
    response = as_user(member).get(_urls(campaign)[0])
    assert response.status_code == 200
    assert "What you get" in response.text
    assert "62.50\xa0€" in response.text
    assert "Maison des Haubans" in response.text
    assert f'name="quantity_{coffee.pk}"' not in response.text
    listing = as_user(member).get(reverse("groupbuy:campaign_list"))
    assert "62.50\xa0€" in listing.text


def _many_pledges(campaign, collective, coffee, count=200):
    second = GroupItemFactory(
        campaign=campaign, name="Café moulu", case_size=12, tiers=[(0, "13.00")]
    )
    for n in range(count // 2):
        user = MembershipFactory(collective=collective).user
        PledgeFactory(member=user, item=coffee, quantity=n % 5 + 1, tolerance=n % 2)
        PledgeFactory(member=user, item=second, quantity=n % 3, tolerance=1)


def test_campaign_pages_have_a_fixed_number_of_queries(
    as_user, member, collective, campaign, coffee, django_assert_max_num_queries
):
    _many_pledges(campaign, collective, coffee)
    client = as_user(member)
    detail, panel = _urls(campaign)
    with django_assert_max_num_queries(8):
        assert client.get(detail).status_code == 200
    with django_assert_max_num_queries(8):
        response = client.get(
            panel, {f"quantity_{coffee.pk}": "3", f"tolerance_{coffee.pk}": "1"}
        )
        assert response.status_code == 200


def test_campaign_list_has_a_fixed_number_of_queries(
    as_user, member, collective, django_assert_max_num_queries
):
    for n in range(15):
        campaign = GroupPurchaseFactory(collectives=[collective])
        item = GroupItemFactory(campaign=campaign)
        PledgeFactory(member=member, item=item, quantity=n + 1)
    client = as_user(member)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("groupbuy:campaign_list"))
    assert response.text.count("data-my-pledge") == 15


def test_the_dashboard_lists_the_open_campaigns(as_user, member, campaign):
    response = as_user(member).get(reverse("members:dashboard"))
    assert campaign.title in response.text
    assert reverse("groupbuy:campaign_detail", args=[campaign.pk]) in response.text
