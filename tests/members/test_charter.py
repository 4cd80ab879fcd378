"""The ethical charter: versions, acceptance, gating of booking, pledging,
subscribing and stock, the visit redirect, the emails and the organisers' list.

Pages are asked for in English (the `english` fixture).
"""

from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from amap.groupbuy.services.pledges import pledge
from amap.members.charter_diff import html_to_text, word_diff
from amap.members.models import CharterAcceptance, CharterNotice, CharterVersion
from amap.members.services import (
    CharterNotAccepted,
    accept_charter,
    check_charter_change,
    current_charter_version,
    publish_charter_version,
    require_current_charter,
    send_charter_version_emails,
)
from amap.orders.services.booking import place_order
from amap.producers.services.stock import StockCell, save_stock_grid
from tests.factories import (
    DistributionFactory,
    GroupItemFactory,
    GroupPurchaseFactory,
    MembershipFactory,
    OfferFactory,
    OrderCycleFactory,
    PriceTierFactory,
    ProductFactory,
)

pytestmark = pytest.mark.usefixtures("english", "fresh_cache")

V1 = "<h2>Nos engagements</h2><p>Une agriculture paysanne et de saison.</p>"
V2 = (
    "<h2>Nos engagements</h2><p>Une agriculture paysanne, biologique et de saison.</p>"
    "<p>Des prix justes pour les paysans.</p>"
)


def publish(body=V1, what_changed="", **kwargs):
    return publish_charter_version(
        title="Charte éthique du réseau",
        body=body,
        what_changed=what_changed,
        page_url="/charte/",
        **kwargs,
    )


@pytest.fixture
def v1(db):
    return publish()


@pytest.fixture
def v2(v1):
    return publish(V2, what_changed="Le bio devient un engagement.")


# Versions and acceptance --------------------------------------------------------


def test_nothing_to_accept_before_a_version_is_published(member):
    assert current_charter_version() is None
    require_current_charter(member)  # does not raise


def test_publishing_numbers_the_versions(v1, v2):
    assert (v1.number, v2.number) == (1, 2)
    assert current_charter_version() == v2


def test_publishing_the_same_revision_twice_makes_one_version(db):
    first = publish(source_revision_id=41)
    again = publish(V2, source_revision_id=41)
    assert again == first
    assert CharterVersion.objects.count() == 1


def test_publishing_the_same_text_again_makes_no_new_version(v1):
    again = publish(V1, what_changed="Coquille corrigée.")
    assert again == v1
    assert CharterVersion.objects.count() == 1


def test_the_editors_markup_alone_makes_no_new_version(v1, member):
    """Wagtail adds block keys to every paragraph when it first saves a text."""
    accept_charter(user=member, version=v1)
    resaved = (
        '<h2 data-block-key="a1b2c">Nos engagements</h2>'
        '<p data-block-key="d3e4f">Une agriculture paysanne et   de saison.</p>'
    )
    check_charter_change(
        title="Charte éthique du réseau", body=resaved, what_changed=""
    )  # no new note asked for
    assert publish(resaved) == v1
    assert CharterVersion.objects.count() == 1
    require_current_charter(member)  # still accepted


def test_a_paragraph_turned_into_a_heading_is_a_new_version(v1):
    as_heading = (
        "<h2>Nos engagements</h2><h2>Une agriculture paysanne et de saison.</h2>"
    )
    assert publish(as_heading, what_changed="Un nouvel engagement.").number == 2


def test_accepting_records_the_version_and_the_date(member, v1):
    acceptance = accept_charter(user=member, version=v1)
    assert acceptance.version == v1
    assert acceptance.accepted_at is not None
    require_current_charter(member)  # does not raise


def test_accepting_twice_keeps_the_first_acceptance(member, v1):
    first = accept_charter(user=member, version=v1)
    assert accept_charter(user=member, version=v1) == first
    assert CharterAcceptance.objects.count() == 1


def test_accepting_an_old_version_is_refused(member, v1, v2):
    with pytest.raises(Exception, match="newer version"):
        accept_charter(user=member, version=v1)


def test_a_new_version_must_be_accepted_again(member, v1):
    accept_charter(user=member, version=v1)
    v2 = publish(V2)
    with pytest.raises(CharterNotAccepted) as raised:
        require_current_charter(member)
    assert raised.value.version == v2
    assert raised.value.accept_url == reverse("members:charter_accept")
    assert "version 2" in raised.value.messages[0]
    accept_charter(user=member, version=v2)
    require_current_charter(member)
    assert CharterAcceptance.objects.filter(user=member).count() == 2


# Gating -------------------------------------------------------------------------


@pytest.fixture
def carrots(collective, producer):
    distribution = DistributionFactory(cycle__collective=collective)
    offer = OfferFactory(
        cycle=distribution.cycle,
        product=ProductFactory(producer=producer, name="Carottes"),
        quantity_available=Decimal("10"),
    )
    return distribution, offer


def test_booking_is_refused_until_the_member_accepts(member, carrots, v1):
    distribution, offer = carrots
    with pytest.raises(CharterNotAccepted):
        place_order(member=member, distribution=distribution, lines={offer.pk: 1})
    accept_charter(user=member, version=v1)
    result = place_order(member=member, distribution=distribution, lines={offer.pk: 1})
    assert result.ok


def test_booking_works_when_no_version_was_published(member, carrots):
    distribution, offer = carrots
    assert place_order(member=member, distribution=distribution, lines={offer.pk: 1}).ok


@pytest.fixture
def oranges(collective):
    campaign = GroupPurchaseFactory(collectives=[collective])
    item = GroupItemFactory(campaign=campaign, name="Oranges", case_size=10)
    PriceTierFactory(item=item, min_cases=0, unit_price="2.40")
    return item


def test_pledging_is_refused_until_the_member_accepts(member, oranges, v1):
    with pytest.raises(CharterNotAccepted):
        pledge(member=member, item=oranges, quantity=3)
    accept_charter(user=member, version=v1)
    assert pledge(member=member, item=oranges, quantity=3).quantity == 3


def test_saving_stock_is_refused_until_the_producer_accepts(
    producer, producer_user, collective, v1
):
    cycle = OrderCycleFactory(collective=collective)
    product = ProductFactory(producer=producer)
    cells = [StockCell(product.pk, cycle.pk, quantity=Decimal("5"))]
    with pytest.raises(CharterNotAccepted):
        save_stock_grid(producer=producer, cells=cells, saved_by=producer_user)
    assert not product.offers.exists()
    accept_charter(user=producer_user, version=v1)
    save_stock_grid(producer=producer, cells=cells, saved_by=producer_user)
    assert product.offers.get().quantity_available == Decimal("5")


def test_subscribing_to_a_contract_is_refused_until_the_member_accepts(
    member, producer, collective, v1
):
    from amap.orders.services.contracts import subscribe
    from tests.factories import ContractFactory, ContractOptionFactory

    cycle = OrderCycleFactory(collective=collective)
    contract = ContractFactory(
        producer=producer, collective=collective, instalment_choices=[1]
    )
    contract.deliveries.set([DistributionFactory(cycle=cycle)])
    option = ContractOptionFactory(contract=contract)
    with pytest.raises(CharterNotAccepted):
        subscribe(
            contract=contract, member=member, option=option, quantity=1, instalments=1
        )
    accept_charter(user=member, version=v1)
    assert subscribe(
        contract=contract, member=member, option=option, quantity=1, instalments=1
    ).pk


def test_the_booking_page_shows_the_refusal(member, carrots, v1, as_user):
    """A POST is not redirected: the service refuses it with its message."""
    distribution, offer = carrots
    client = as_user(member)
    response = client.post(
        reverse("orders:booking", args=[distribution.pk]), {f"offer_{offer.pk}": "1"}
    )
    assertContains(response, "accept version 1", status_code=400)
    assert not offer.order_lines.exists()


def test_the_pledge_form_shows_the_refusal(member, oranges, v1, as_user):
    response = as_user(member).post(
        reverse("groupbuy:campaign_detail", args=[oranges.campaign_id]),
        {f"quantity_{oranges.pk}": "3", f"tolerance_{oranges.pk}": "0"},
        follow=True,
    )
    assertContains(response, "accept version 1", status_code=response.status_code)
    assert not oranges.pledges.exists()


def test_the_stock_grid_shows_the_refusal(
    producer, producer_user, collective, v1, as_user
):
    cycle = OrderCycleFactory(collective=collective)
    product = ProductFactory(producer=producer)
    response = as_user(producer_user).post(
        reverse("producers:stock_grid", args=[producer.slug]),
        {f"q-{product.pk}-{cycle.pk}": "5", f"p-{product.pk}-{cycle.pk}": ""},
        follow=True,
    )
    assertContains(response, "accept version 1", status_code=response.status_code)
    assert not product.offers.exists()


# The visit redirect -------------------------------------------------------------


def test_a_member_is_sent_to_the_charter_at_their_next_visit(member, v1, as_user):
    client = as_user(member)
    dashboard = reverse("members:dashboard")
    response = client.get(dashboard)
    assertRedirects(
        response, f"{reverse('members:charter_accept')}?next=%2Fmon-espace%2F"
    )


def charter_queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return [q["sql"] for q in queries if "charter" in q["sql"].lower()]


def test_nobody_is_redirected_before_a_version_exists_and_it_costs_no_query(
    member, as_user
):
    client = as_user(member)
    client.get(reverse("members:dashboard"))
    assert charter_queries(client, reverse("members:dashboard")) == []


def test_once_accepted_the_visits_cost_no_charter_query(member, v1, as_user):
    accept_charter(user=member, version=v1)
    client = as_user(member)
    client.get(reverse("members:dashboard"))  # the session learns it
    assert charter_queries(client, reverse("members:dashboard")) == []
    # A new version is asked for at the next visit, whatever the session knew.
    publish(V2, what_changed="Le bio.")
    response = client.get(reverse("members:dashboard"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("members:charter_accept"))


def test_the_charter_page_and_logout_stay_reachable(member, v1, as_user):
    client = as_user(member)
    assert client.get(reverse("members:charter_accept")).status_code == 200
    assert client.get(reverse("account_logout")).status_code == 200
    assert client.get("/charte/").status_code != 302


def test_a_person_bound_by_nothing_is_not_redirected(as_user, v1):
    from tests.factories import UserFactory

    client = as_user(UserFactory())
    assert client.get(reverse("members:dashboard")).status_code == 200


def test_a_producer_is_redirected_too(producer, producer_user, v1, as_user):
    response = as_user(producer_user).get(reverse("members:dashboard"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("members:charter_accept"))


def test_anonymous_visitors_are_not_redirected(client, v1):
    assert client.get(reverse("members:collective_list")).status_code == 200


def test_accepting_on_the_page_records_it_and_goes_back(member, v1, as_user):
    client = as_user(member)
    response = client.post(
        reverse("members:charter_accept"),
        {"version": v1.pk, "next": "/collectifs/"},
    )
    assertRedirects(response, "/collectifs/")
    assert CharterAcceptance.objects.filter(user=member, version=v1).exists()
    assert client.get(reverse("members:dashboard")).status_code == 200


def test_accepting_a_stale_version_from_the_page_is_refused(member, v1, as_user):
    client = as_user(member)
    v2 = publish(V2)
    response = client.post(reverse("members:charter_accept"), {"version": v1.pk})
    assert response.status_code == 200
    assertContains(response, "newer version")
    assert not CharterAcceptance.objects.filter(user=member).exists()
    assertContains(response, f'name="version" value="{v2.pk}"')


def test_accepting_ignores_a_next_address_on_another_site(member, v1, as_user):
    response = as_user(member).post(
        reverse("members:charter_accept"),
        {"version": v1.pk, "next": "https://evil.example.com/"},
    )
    assertRedirects(response, reverse("members:dashboard"))


def test_the_accept_page_shows_what_changed_since_the_accepted_version(
    member, v1, as_user
):
    accept_charter(user=member, version=v1)
    publish(V2, what_changed="Le bio devient un engagement.")
    response = as_user(member).get(reverse("members:charter_accept"))
    assertContains(response, "Le bio devient un engagement.")
    assertContains(response, "<ins>")
    assertContains(response, "biologique")
    assertContains(response, "I accept version 2")


def test_the_accept_page_of_a_first_acceptance_shows_no_diff(member, v1, as_user):
    response = as_user(member).get(reverse("members:charter_accept"))
    assertContains(response, "Une agriculture paysanne et de saison.")
    assertNotContains(response, "<ins>")


def test_the_accept_page_without_a_version_goes_back(member, as_user):
    response = as_user(member).get(reverse("members:charter_accept"))
    assertRedirects(response, reverse("members:dashboard"))


def test_the_accept_page_asks_anonymous_visitors_to_log_in(client, v1):
    response = client.get(reverse("members:charter_accept"))
    assert response.status_code == 302
    assert "next=" in response.url


# Emails -------------------------------------------------------------------------


def test_a_new_version_is_announced_once_to_each_member_and_producer(
    member, other_member, organiser, producer, producer_user, v1
):
    """Emails are sent from the task, at most once per person and version."""
    mail.outbox.clear()
    sent = send_charter_version_emails(version_id=v1.pk)
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert sent == 4
    assert recipients == sorted(
        [member.email, other_member.email, organiser.email, producer_user.email]
    )
    assert "version 1" in mail.outbox[0].subject
    assert reverse("members:charter_accept") in mail.outbox[0].body
    assert send_charter_version_emails(version_id=v1.pk) == 0
    assert len(mail.outbox) == 4
    assert CharterNotice.objects.count() == 4


def test_publishing_queues_the_emails_after_commit(
    member, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        publish()
    assert [m.to for m in mail.outbox] == [[member.email]]


def test_an_outdated_version_is_not_announced(member, v1, v2):
    mail.outbox.clear()
    assert send_charter_version_emails(version_id=v1.pk) == 0
    assert mail.outbox == []


def test_the_email_quotes_what_changed_since_the_previous_version(member, v1):
    v2 = publish(V2, what_changed="L'agriculture biologique devient un engagement.")
    mail.outbox.clear()
    send_charter_version_emails(version_id=v2.pk)
    (email,) = mail.outbox
    assert "L'agriculture biologique devient un engagement." in email.body
    assert "compared with version 1" in email.body
    assert "- Removed: Une agriculture paysanne et de saison." in email.body
    assert "+ Added: Une agriculture paysanne, biologique et de saison." in email.body
    assert "+ Added: Des prix justes pour les paysans." in email.body
    assert "&#x27;" not in email.body


def test_who_already_accepted_gets_no_email(member, other_member, v1):
    accept_charter(user=member, version=v1)
    mail.outbox.clear()
    send_charter_version_emails(version_id=v1.pk)
    assert [m.to for m in mail.outbox] == [[other_member.email]]


# The organisers' list -----------------------------------------------------------


def pending_url(collective):
    return reverse("members:charter_pending", args=[collective.slug])


def test_organisers_see_who_has_not_accepted_in_their_collective(
    collective, member, organiser, other_member, v1, as_user
):
    accept_charter(user=organiser, version=v1)
    late = MembershipFactory(collective=collective, user__last_name="Zola").user
    accept_charter(user=late, version=v1)
    response = as_user(organiser).get(pending_url(collective))
    assert response.status_code == 200
    assertContains(response, member.email)
    assertNotContains(response, organiser.email)
    assertNotContains(response, late.email)
    assertNotContains(response, other_member.email)
    assertContains(response, "1 of 3 active members has not accepted it yet")


def test_the_list_says_so_when_no_version_is_published(collective, organiser, as_user):
    response = as_user(organiser).get(pending_url(collective))
    assertContains(response, "No version of the charter has been published yet.")


@pytest.mark.parametrize(
    "who", ["anonymous", "member", "other_member", "producer_user", "other_organiser"]
)
def test_only_the_collectives_organisers_see_the_list(
    who, collective, request, as_user
):
    user = None if who == "anonymous" else request.getfixturevalue(who)
    if who == "producer_user":
        request.getfixturevalue("producer")
    response = as_user(user).get(pending_url(collective))
    expected = 302 if who == "anonymous" else 404
    assert response.status_code == expected


def test_the_list_has_a_fixed_number_of_queries(
    collective, organiser, v1, as_user, django_assert_max_num_queries
):
    accept_charter(user=organiser, version=v1)
    client = as_user(organiser)
    client.get(pending_url(collective))
    for _ in range(30):
        MembershipFactory(collective=collective)
    with django_assert_max_num_queries(12):
        response = client.get(pending_url(collective))
    assertContains(response, "30 of 31 active members")


# The diff -----------------------------------------------------------------------


def test_html_to_text_keeps_one_paragraph_a_line():
    assert html_to_text(V1) == (
        "Nos engagements\nUne agriculture paysanne et de saison."
    )


def test_word_diff_marks_removed_and_added_words():
    assert word_diff(
        "<p>Des prix justes.</p>", "<p>Des prix <b>très</b> justes.</p>"
    ) == ("Des prix<ins> très</ins> justes.")
    assert word_diff("<p>a b c</p>", "<p>a c</p>") == "a<del> b</del> c"


def test_word_diff_escapes_the_text():
    diff = word_diff("", "<p>Pain &amp; fromage &lt;script&gt;</p>")
    assert diff == "<ins>Pain &amp; fromage &lt;script&gt;</ins>"


def test_an_htmx_request_is_refused_too_and_sent_to_the_accept_page(
    member, v1, as_user
):
    """The gate does not trust a header the client chooses: an htmx request
    gets no content, and htmx is told to load the accept page in full (a 302
    would be followed by the browser and the accept page swapped into the
    panel)."""
    client = as_user(member)

    response = client.get(
        reverse("members:dashboard"),
        headers={
            "HX-Request": "true",
            "HX-Current-URL": "http://testserver/mon-espace/?onglet=1",
        },
    )

    assert response.status_code == 403
    assert response.content == b""
    assert response["HX-Redirect"] == (
        f"{reverse('members:charter_accept')}?next=%2Fmon-espace%2F%3Fonglet%3D1"
    )


def test_an_htmx_request_from_another_site_page_gets_no_next(member, v1, as_user):
    response = as_user(member).get(
        reverse("members:dashboard"),
        headers={"HX-Request": "true", "HX-Current-URL": "https://evil.example/x"},
    )

    assert response.status_code == 403
    assert response["HX-Redirect"] == reverse("members:charter_accept")


def test_an_htmx_request_after_accepting_is_served(member, v1, as_user):
    accept_charter(user=member, version=v1)
    response = as_user(member).get(
        reverse("members:dashboard"), headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert "HX-Redirect" not in response
