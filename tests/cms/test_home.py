import re

import pytest
from pytest_django.asserts import assertContains, assertNotContains
from wagtail.models import Page, Site

from cms.models import HomePage
from tests.factories import CollectiveFactory, MembershipFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def card_classes(response):
    """{slug: the card's classes} for each collective card on the page."""
    return {
        slug: classes.split()
        for classes, slug in re.findall(
            r'<li class="([^"]+)" data-collective="([^"]+)"',
            response.content.decode(),
        )
    }


@pytest.fixture
def home():
    return HomePage.objects.get()


def test_the_home_page_is_the_default_sites_root(home):
    assert Site.objects.get(is_default_site=True).root_page.specific == home


def test_the_home_page_lists_the_active_collectives(
    client, collective, other_collective
):
    CollectiveFactory(name="AMAP en sommeil", slug="sommeil", active=False)

    response = client.get("/")

    assertContains(response, "Réseau des AMAP")
    assertContains(response, "AMAP des Dervallières")
    assertContains(response, "AMAP de Trentemoult")
    assertNotContains(response, "AMAP en sommeil")
    assert set(card_classes(response)) == {"dervallieres", "trentemoult"}


def test_the_home_page_invites_visitors_to_sign_up(client, collective):
    response = client.get("/")

    assertContains(response, 'href="/compte/signup/"')


def test_a_member_sees_their_collective_marked(as_user, member, other_collective):
    response = as_user(member).get("/")

    cards = card_classes(response)
    assert "card-highlight" in cards["dervallieres"]
    assert "card-highlight" not in cards["trentemoult"]
    assertContains(response, "Your collective", count=1)


@pytest.mark.parametrize("status", ["pending", "declined", "inactive"])
def test_only_an_active_membership_marks_a_collective(
    as_user, producer_user, collective, status
):
    MembershipFactory(user=producer_user, collective=collective, status=status)

    response = as_user(producer_user).get("/")

    assert "card-highlight" not in card_classes(response)["dervallieres"]
    assertNotContains(response, "Your collective")


def test_a_visitor_sees_no_collective_marked(client, member, collective):
    response = client.get("/")

    assert card_classes(response)["dervallieres"] == ["card"]


def test_the_home_page_counts_active_members(client, collective, member, organiser):
    MembershipFactory(collective=collective, status="pending", joined_on=None)

    response = client.get("/")

    assertContains(response, "2 members")


def test_the_home_page_can_only_be_created_under_the_root(home):
    root = Page.get_first_root_node()

    assert HomePage.allowed_parent_page_models() == [Page]
    assert HomePage.can_exist_under(root)
    assert not HomePage.can_exist_under(home)


def test_there_is_only_one_home_page(home):
    """max_count: a second one cannot be created, even under the root."""
    assert not HomePage.can_create_at(Page.get_first_root_node())


@pytest.mark.parametrize("rows", [1, 30])
@pytest.mark.parametrize("logged_in", [False, True])
def test_home_page_queries_do_not_grow_with_collectives(
    as_user, member, rows, logged_in, django_assert_max_num_queries
):
    for _ in range(rows):
        MembershipFactory.create_batch(2, collective=CollectiveFactory())
    client = as_user(member if logged_in else None)

    # The site, the page, the collectives, the network map (pickup points,
    # farms, the directory for their links) and, logged in, the distributions.
    with django_assert_max_num_queries(14):
        response = client.get("/")

    assert len(card_classes(response)) == rows + 1
