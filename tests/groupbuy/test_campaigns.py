"""Services of the organiser side: campaigns, items, opening, closing with
the allocation, the decisions below the minimum order, payments."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections
from django.utils import timezone

from amap.groupbuy.models import GroupPurchase, Item, Payment, Pledge
from amap.groupbuy.selectors.campaigns import (
    amounts_due_by_member,
    collected_at,
    item_inputs,
)
from amap.groupbuy.services import lifecycle
from amap.groupbuy.services.campaigns import create_campaign, update_campaign
from amap.groupbuy.services.items import add_item, remove_item, update_item
from amap.groupbuy.services.lifecycle import (
    cancel_campaign,
    close_campaign,
    close_due_campaigns,
    extend_campaign,
    mark_delivered,
    mark_ordered,
    order_anyway,
)
from amap.groupbuy.services.notifications import notify_allocation, notify_cancellation
from amap.groupbuy.services.payments import cancel_payment, record_payment
from amap.groupbuy.services.recovery import sweep
from tests.factories import (
    DistributionFactory,
    GroupItemFactory,
    GroupPurchaseFactory,
    MembershipFactory,
    PartnershipFactory,
    PledgeFactory,
    ProducerFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

Status = GroupPurchase.Status
NOW = timezone.now()


def campaign_fields(**overrides):
    fields = {
        "title": "Agrumes de Sicile",
        "supplier_name": "Coopérativa Sicilia",
        "opens_at": NOW - dt.timedelta(days=1),
        "closes_at": NOW + dt.timedelta(days=7),
        "minimum_order": Decimal("0"),
    }
    fields.update(overrides)
    return fields


def open_campaign(collective, distribution, *, minimum=Decimal("0"), **kwargs):
    """An open campaign: oranges in cases of 10 kg, 2.40 € then 2.10 € from 2
    cases."""
    campaign = GroupPurchaseFactory(
        collectives=[collective],
        distribution=distribution,
        minimum_order=minimum,
        **kwargs,
    )
    item = GroupItemFactory(
        campaign=campaign,
        name="Oranges",
        case_size=10,
        tiers=[(0, "2.40"), (2, "2.10")],
    )
    return campaign, item


def members_of(collective, count):
    return [MembershipFactory(collective=collective).user for _ in range(count)]


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


def creation_errors(**fields) -> dict:
    """The errors, by field, with which `create_campaign(**fields)` refuses."""
    with pytest.raises(ValidationError) as excinfo:
        create_campaign(**fields)
    return errors_of(excinfo)


# Creating and changing -----------------------------------------------------------


def test_create_campaign_makes_a_draft(organiser, collective, distribution):
    campaign = create_campaign(
        created_by=organiser,
        collectives=[collective],
        distribution=distribution,
        **campaign_fields(),
    )
    assert campaign.status == Status.DRAFT
    assert list(campaign.collectives.all()) == [collective]
    assert campaign.created_by == organiser


def test_create_campaign_refuses_a_collective_the_organiser_does_not_organise(
    organiser, collective, other_collective
):
    assert "collectives" in creation_errors(
        created_by=organiser,
        collectives=[collective, other_collective],
        **campaign_fields(),
    )


def test_create_campaign_refuses_no_collective(organiser):
    assert "collectives" in creation_errors(
        created_by=organiser, collectives=[], **campaign_fields()
    )


def test_create_campaign_refuses_a_member(member, collective):
    assert "collectives" in creation_errors(
        created_by=member, collectives=[collective], **campaign_fields()
    )


def test_create_campaign_needs_a_supplier(organiser, collective):
    assert "supplier_name" in creation_errors(
        created_by=organiser,
        collectives=[collective],
        **campaign_fields(supplier_name=" "),
    )


def test_create_campaign_refuses_a_producer_and_an_outside_supplier(
    organiser, collective, producer
):
    assert "supplier_name" in creation_errors(
        created_by=organiser,
        collectives=[collective],
        producer=producer,
        **campaign_fields(),
    )


def test_create_campaign_accepts_a_partner_producer(organiser, collective, producer):
    campaign = create_campaign(
        created_by=organiser,
        collectives=[collective],
        producer=producer,
        **campaign_fields(supplier_name=""),
    )
    assert campaign.supplier_display == producer.name


def test_create_campaign_refuses_a_producer_who_is_not_a_partner(
    organiser, collective, other_producer
):
    assert "producer" in creation_errors(
        created_by=organiser,
        collectives=[collective],
        producer=other_producer,
        **campaign_fields(supplier_name=""),
    )


def test_create_campaign_refuses_a_distribution_of_another_collective(
    organiser, collective, other_collective
):
    elsewhere = DistributionFactory(
        cycle__collective=other_collective,
        date=timezone.localdate() + dt.timedelta(days=20),
    )
    assert "distribution" in creation_errors(
        created_by=organiser,
        collectives=[collective],
        distribution=elsewhere,
        **campaign_fields(),
    )


def test_create_campaign_refuses_a_distribution_before_closing(
    organiser, collective, distribution
):
    assert "distribution" in creation_errors(
        created_by=organiser,
        collectives=[collective],
        distribution=distribution,
        **campaign_fields(closes_at=NOW + dt.timedelta(days=30)),
    )


def test_create_campaign_refuses_closing_before_opening(organiser, collective):
    assert "closes_at" in creation_errors(
        created_by=organiser,
        collectives=[collective],
        **campaign_fields(closes_at=NOW - dt.timedelta(days=2)),
    )


def test_update_campaign_refuses_an_organiser_of_another_collective(
    other_organiser, collective, distribution
):
    campaign, _item = open_campaign(collective, distribution)
    with pytest.raises(PermissionDenied):
        update_campaign(campaign, updated_by=other_organiser, title="Hop")


def test_update_open_campaign_allows_a_later_closing_date(
    organiser, collective, distribution
):
    campaign, _item = open_campaign(collective, distribution)
    later = NOW + dt.timedelta(days=10)
    update_campaign(campaign, updated_by=organiser, closes_at=later)
    campaign.refresh_from_db()
    assert campaign.closes_at == later


def test_update_open_campaign_refuses_a_new_sharing_rule(
    organiser, collective, distribution
):
    campaign, _item = open_campaign(collective, distribution)
    with pytest.raises(ValidationError) as excinfo:
        update_campaign(campaign, updated_by=organiser, policy="first_come")
    assert "policy" in errors_of(excinfo)


def test_update_refuses_a_closed_campaign(organiser, collective, distribution):
    campaign, _item = open_campaign(collective, distribution, status=Status.CLOSED)
    with pytest.raises(ValidationError):
        update_campaign(campaign, updated_by=organiser, title="Autre")


def test_co_organised_campaign_keeps_the_collective_the_editor_does_not_organise(
    organiser, other_organiser, collective, other_collective, distribution
):
    campaign = GroupPurchaseFactory(
        collectives=[collective, other_collective], status=Status.DRAFT
    )
    update_campaign(
        campaign,
        updated_by=organiser,
        collectives=[collective, other_collective],
        title="Ensemble",
    )
    with pytest.raises(ValidationError) as excinfo:
        update_campaign(campaign, updated_by=organiser, collectives=[collective])
    assert "collectives" in errors_of(excinfo)


# Items and tiers -----------------------------------------------------------------


@pytest.fixture
def draft(organiser, collective, distribution):
    return create_campaign(
        created_by=organiser,
        collectives=[collective],
        distribution=distribution,
        **campaign_fields(),
    )


def add(draft, organiser, **overrides):
    fields = {
        "name": "Oranges",
        "case_size": 10,
        "tiers": [(0, Decimal("2.40")), (10, Decimal("2.10")), (25, Decimal("1.95"))],
    }
    fields.update(overrides)
    return add_item(campaign=draft, added_by=organiser, **fields)


def test_add_item_saves_its_tiers(draft, organiser):
    item = add(draft, organiser)
    assert [(t.min_cases, t.unit_price) for t in item.tiers.order_by("min_cases")] == [
        (0, Decimal("2.40")),
        (10, Decimal("2.10")),
        (25, Decimal("1.95")),
    ]


@pytest.mark.parametrize(
    "tiers",
    [
        [],
        [(5, Decimal("2.40"))],
        [(0, Decimal("2.40")), (0, Decimal("2.10"))],
        [(0, Decimal("2.40")), (10, Decimal("2.50"))],
        [(0, Decimal("0"))],
        [(0, Decimal("2.405"))],
    ],
    ids=["none", "no-tier-at-0", "twice-0", "rising", "free", "sub-cent"],
)
def test_add_item_refuses_bad_tiers_on_the_tiers_field(draft, organiser, tiers):
    with pytest.raises(ValidationError) as excinfo:
        add(draft, organiser, tiers=tiers)
    assert list(errors_of(excinfo)) == ["tiers"]


def test_add_item_refuses_a_maximum_below_the_minimum(draft, organiser):
    with pytest.raises(ValidationError) as excinfo:
        add(draft, organiser, min_cases=5, max_cases=3)
    assert "max_cases" in errors_of(excinfo)


def test_add_item_refuses_an_open_campaign(organiser, collective, distribution):
    campaign, _item = open_campaign(collective, distribution)
    with pytest.raises(ValidationError):
        add(campaign, organiser)


def test_add_item_refuses_another_collectives_organiser(draft, other_organiser):
    with pytest.raises(PermissionDenied):
        add(draft, other_organiser)


def test_update_item_replaces_its_tiers(draft, organiser):
    item = add(draft, organiser)
    update_item(
        item,
        updated_by=organiser,
        name="Oranges sanguines",
        case_size=5,
        tiers=[(0, Decimal("3.00"))],
    )
    item.refresh_from_db()
    assert item.name == "Oranges sanguines"
    assert item.case_size == 5
    assert [t.unit_price for t in item.tiers.all()] == [Decimal("3.00")]


def test_remove_item_refuses_an_item_with_pledges(draft, organiser, member):
    item = add(draft, organiser)
    PledgeFactory(item=item, member=member)
    with pytest.raises(ValidationError):
        remove_item(item, removed_by=organiser)
    assert Item.objects.filter(pk=item.pk).exists()


def test_remove_item_from_a_draft(draft, organiser):
    item = add(draft, organiser)
    remove_item(item, removed_by=organiser)
    assert not Item.objects.filter(pk=item.pk).exists()


# Opening -------------------------------------------------------------------------


def test_open_campaign_needs_an_item(draft, organiser):
    with pytest.raises(ValidationError) as excinfo:
        lifecycle.open_campaign(draft, opened_by=organiser)
    assert "Add at least one item." in excinfo.value.messages


def test_open_campaign_needs_a_distribution(organiser, collective):
    campaign = create_campaign(
        created_by=organiser, collectives=[collective], **campaign_fields()
    )
    add(campaign, organiser)
    with pytest.raises(ValidationError) as excinfo:
        lifecycle.open_campaign(campaign, opened_by=organiser)
    assert "Choose the distribution where members collect." in excinfo.value.messages


def test_open_campaign_needs_a_closing_date_to_come(draft, organiser):
    add(draft, organiser)
    with pytest.raises(ValidationError) as excinfo:
        lifecycle.open_campaign(
            draft, opened_by=organiser, now=NOW + dt.timedelta(days=8)
        )
    assert "Choose a closing date in the future." in excinfo.value.messages


def test_open_campaign_opens_a_complete_draft(draft, organiser):
    add(draft, organiser)
    lifecycle.open_campaign(draft, opened_by=organiser)
    draft.refresh_from_db()
    assert draft.status == Status.OPEN


def test_open_campaign_refuses_a_member(draft, organiser, member):
    add(draft, organiser)
    with pytest.raises(PermissionDenied):
        lifecycle.open_campaign(draft, opened_by=member)


# Closing and allocating ----------------------------------------------------------


@pytest.fixture
def pledged(collective, distribution):
    """Oranges: 7 + 8 + 6 kg with tolerances 3, 0, 0: two cases of 10 fill
    (21 base + 3 tolerance = 24 → 2 cases), at 2.10 €."""
    campaign, item = open_campaign(collective, distribution)
    people = members_of(collective, 3)
    for person, (quantity, tolerance), minutes in zip(
        people, [(7, 3), (8, 0), (6, 0)], [1, 2, 3], strict=True
    ):
        PledgeFactory(
            item=item,
            member=person,
            quantity=quantity,
            tolerance=tolerance,
            pledged_at=NOW - dt.timedelta(hours=1, minutes=-minutes),
        )
    return campaign, item, people


def test_close_campaign_waits_for_the_deadline(pledged):
    campaign, _item, _people = pledged
    close_campaign(campaign)
    campaign.refresh_from_db()
    assert campaign.status == Status.OPEN


def test_close_campaign_allocates_and_tells_each_member_once(
    pledged, django_capture_on_commit_callbacks
):
    campaign, item, people = pledged
    later = campaign.closes_at + dt.timedelta(minutes=1)
    with django_capture_on_commit_callbacks(execute=True):
        close_campaign(campaign, now=later)
    campaign.refresh_from_db()
    item.refresh_from_db()
    assert campaign.status == Status.ALLOCATED
    assert campaign.allocated_at == later
    assert item.cases_ordered == 2
    assert item.final_unit_price == Decimal("2.10")
    allocated = dict(
        Pledge.objects.filter(item=item).values_list("member", "allocated")
    )
    assert (
        allocated == {people[0].pk: 10, people[1].pk: 8, people[2].pk: 2}
        or sum(allocated.values()) == 20
    )
    assert sum(allocated.values()) == 20
    assert len(mail.outbox) == 3
    assert all(Pledge.objects.filter(item=item).values_list("notified_at", flat=True))

    with django_capture_on_commit_callbacks(execute=True):
        close_campaign(campaign, now=later + dt.timedelta(hours=1))
    assert notify_allocation(campaign.pk) == 0
    assert len(mail.outbox) == 3
    assert (
        dict(Pledge.objects.filter(item=item).values_list("member", "allocated"))
        == allocated
    )


def test_allocated_amounts_become_what_members_owe_and_collect(
    pledged, collective, distribution, organiser
):
    campaign, item, people = pledged
    close_campaign(campaign, now=campaign.closes_at)
    pledges = {p.member_id: p for p in Pledge.objects.filter(item=item)}
    due = amounts_due_by_member(collective)
    for person in people:
        expected = pledges[person.pk].allocated * Decimal("2.10")
        assert due.get(person.pk, Decimal("0")) == expected
    lines = collected_at([distribution])
    first = lines[(distribution.pk, people[0].pk)]
    assert first[0].name == "Oranges"
    assert first[0].quantity == pledges[people[0].pk].allocated
    assert first[0].supplier == "Coopérativa Sicilia"


def test_organiser_closes_early(pledged, organiser):
    campaign, _item, _people = pledged
    close_campaign(campaign, closed_by=organiser)
    campaign.refresh_from_db()
    assert campaign.status == Status.ALLOCATED
    assert campaign.closes_at <= timezone.now()


def test_close_campaign_refuses_another_collectives_organiser(pledged, other_organiser):
    campaign, _item, _people = pledged
    with pytest.raises(PermissionDenied):
        close_campaign(campaign, closed_by=other_organiser)


def test_close_due_campaigns_closes_only_those_past_their_deadline(
    pledged, collective, distribution
):
    due, _item, _people = pledged
    later, _ = open_campaign(collective, distribution)
    later.closes_at = due.closes_at + dt.timedelta(days=1)
    later.save()
    assert close_due_campaigns(now=due.closes_at) == 1
    due.refresh_from_db()
    later.refresh_from_db()
    assert (due.status, later.status) == (Status.ALLOCATED, Status.OPEN)
    assert close_due_campaigns(now=due.closes_at) == 0


def test_pledges_are_refused_after_closing(pledged):
    from amap.groupbuy.services.pledges import pledge

    campaign, item, people = pledged
    close_campaign(campaign, now=campaign.closes_at)
    with pytest.raises(ValidationError):
        pledge(member=people[0], item=item, quantity=20, tolerance=0)
    assert Pledge.objects.get(item=item, member=people[0]).quantity == 7


# Minimum order not met -------------------------------------------------------------


@pytest.fixture
def short(collective, distribution, organiser):
    """12 kg pledged (1 case, 24 €) for a minimum order of 100 €."""
    campaign, item = open_campaign(collective, distribution, minimum=Decimal("100"))
    people = members_of(collective, 2)
    PledgeFactory(item=item, member=people[0], quantity=8, tolerance=0)
    PledgeFactory(item=item, member=people[1], quantity=4, tolerance=0)
    return campaign, item, people


def test_minimum_not_met_stops_at_closed_and_emails_the_organisers_once(
    short, organiser, django_capture_on_commit_callbacks
):
    campaign, item, _people = short
    with django_capture_on_commit_callbacks(execute=True):
        close_campaign(campaign, now=campaign.closes_at)
    campaign.refresh_from_db()
    assert campaign.status == Status.CLOSED
    assert campaign.closed_at == campaign.closes_at
    assert not Pledge.objects.filter(item=item, allocated__isnull=False).exists()
    assert [m.to for m in mail.outbox] == [[organiser.email]]
    assert "24.00" in mail.outbox[0].body and "100.00" in mail.outbox[0].body

    with django_capture_on_commit_callbacks(execute=True):
        close_campaign(campaign, now=campaign.closes_at)
        close_due_campaigns(now=campaign.closes_at)
    assert len(mail.outbox) == 1


def test_extend_campaign_opens_pledges_again(short, organiser):
    campaign, _item, _people = short
    close_campaign(campaign, now=campaign.closes_at)
    new_date = timezone.now() + dt.timedelta(days=3)
    extend_campaign(campaign, closes_at=new_date, extended_by=organiser)
    campaign.refresh_from_db()
    assert (campaign.status, campaign.closes_at, campaign.closed_at) == (
        Status.OPEN,
        new_date,
        None,
    )


def test_extend_campaign_refuses_a_past_date(short, organiser):
    campaign, _item, _people = short
    close_campaign(campaign, now=campaign.closes_at)
    with pytest.raises(ValidationError) as excinfo:
        extend_campaign(
            campaign,
            closes_at=timezone.now() - dt.timedelta(hours=1),
            extended_by=organiser,
        )
    assert "closes_at" in errors_of(excinfo)


def test_extend_campaign_refuses_a_date_after_the_distribution(short, organiser):
    campaign, _item, _people = short
    close_campaign(campaign, now=campaign.closes_at)
    with pytest.raises(ValidationError) as excinfo:
        extend_campaign(
            campaign,
            closes_at=timezone.now() + dt.timedelta(days=40),
            extended_by=organiser,
        )
    assert "closes_at" in errors_of(excinfo)


def test_extend_campaign_refuses_an_open_campaign(short, organiser):
    campaign, _item, _people = short
    with pytest.raises(ValidationError):
        extend_campaign(
            campaign,
            closes_at=timezone.now() + dt.timedelta(days=3),
            extended_by=organiser,
        )


def test_order_anyway_allocates_below_the_minimum(
    short, organiser, django_capture_on_commit_callbacks
):
    campaign, item, people = short
    close_campaign(campaign, now=campaign.closes_at)
    with django_capture_on_commit_callbacks(execute=True):
        order_anyway(campaign, decided_by=organiser)
    campaign.refresh_from_db()
    item.refresh_from_db()
    assert campaign.status == Status.ALLOCATED and campaign.order_anyway
    assert item.cases_ordered == 1
    assert len(mail.outbox) == 2
    with django_capture_on_commit_callbacks(execute=True):
        order_anyway(campaign, decided_by=organiser)
    assert len(mail.outbox) == 2


def test_order_anyway_refuses_an_open_campaign(short, organiser):
    campaign, _item, _people = short
    with pytest.raises(ValidationError):
        order_anyway(campaign, decided_by=organiser)


def test_order_anyway_refuses_a_member(short, member):
    campaign, _item, _people = short
    close_campaign(campaign, now=campaign.closes_at)
    with pytest.raises(PermissionDenied):
        order_anyway(campaign, decided_by=member)


def test_cancel_campaign_needs_a_reason(short, organiser):
    campaign, _item, _people = short
    with pytest.raises(ValidationError) as excinfo:
        cancel_campaign(campaign, reason="  ", cancelled_by=organiser)
    assert "reason" in errors_of(excinfo)


def test_cancel_campaign_tells_every_member_who_pledged_once(
    short, organiser, collective, django_capture_on_commit_callbacks
):
    campaign, item, people = short
    withdrawn = members_of(collective, 1)[0]
    PledgeFactory(item=item, member=withdrawn, quantity=0, tolerance=0)
    close_campaign(campaign, now=campaign.closes_at)
    with django_capture_on_commit_callbacks(execute=True):
        cancel_campaign(
            campaign, reason="Le fournisseur n'a plus de stock.", cancelled_by=organiser
        )
    campaign.refresh_from_db()
    assert campaign.status == Status.CANCELLED
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)
    assert "Le fournisseur n'a plus de stock." in mail.outbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        cancel_campaign(campaign, reason="Encore", cancelled_by=organiser)
    assert notify_cancellation(campaign.pk) == 0
    assert len(mail.outbox) == 2


def test_cancel_campaign_refuses_an_allocated_campaign(pledged, organiser):
    campaign, _item, _people = pledged
    close_campaign(campaign, now=campaign.closes_at)
    with pytest.raises(ValidationError):
        cancel_campaign(campaign, reason="Trop tard", cancelled_by=organiser)


# Ordered, delivered ------------------------------------------------------------


def test_mark_ordered_then_delivered(pledged, organiser):
    campaign, _item, _people = pledged
    with pytest.raises(ValidationError):
        mark_ordered(campaign, ordered_by=organiser)
    close_campaign(campaign, now=campaign.closes_at)
    with pytest.raises(ValidationError):
        mark_delivered(campaign, delivered_by=organiser)
    mark_ordered(campaign, ordered_by=organiser)
    mark_ordered(campaign, ordered_by=organiser)
    mark_delivered(campaign, delivered_by=organiser)
    campaign.refresh_from_db()
    assert campaign.status == Status.DELIVERED
    assert campaign.ordered_at and campaign.delivered_at


def test_mark_ordered_refuses_another_collectives_organiser(pledged, other_organiser):
    campaign, _item, _people = pledged
    close_campaign(campaign, now=campaign.closes_at)
    with pytest.raises(PermissionDenied):
        mark_ordered(campaign, ordered_by=other_organiser)


# Payments ------------------------------------------------------------------------


@pytest.fixture
def allocated(pledged):
    campaign, item, people = pledged
    close_campaign(campaign, now=campaign.closes_at)
    return campaign, item, people


def pay(campaign, member, received_by, *, amount=Decimal("1"), method="cash"):
    return record_payment(
        campaign=campaign,
        member=member,
        amount=amount,
        method=method,
        received_by=received_by,
    )


def owed(item, person) -> Decimal:
    return Pledge.objects.get(item=item, member=person).allocated * Decimal("2.10")


def test_record_payment_reduces_what_is_due(allocated, organiser, collective):
    campaign, item, people = allocated
    amount = owed(item, people[0])
    record_payment(
        campaign=campaign,
        member=people[0],
        amount=amount,
        method="cheque",
        reference="n° 1234",
        received_by=organiser,
    )
    assert people[0].pk not in amounts_due_by_member(collective)
    assert amounts_due_by_member(collective, member_ids=[people[1].pk]) == {
        people[1].pk: owed(item, people[1])
    }


def test_record_payment_refuses_more_than_is_due(allocated, organiser):
    campaign, item, people = allocated
    with pytest.raises(ValidationError) as excinfo:
        pay(
            campaign,
            people[0],
            organiser,
            amount=owed(item, people[0]) + Decimal("0.01"),
        )
    assert "amount" in errors_of(excinfo)


def test_record_payment_refuses_a_member_allocated_nothing(
    allocated, organiser, member
):
    campaign, _item, _people = allocated
    with pytest.raises(ValidationError) as excinfo:
        pay(campaign, member, organiser, amount=Decimal("5"))
    assert "amount" in errors_of(excinfo)


def test_record_payment_refuses_an_unknown_method(allocated, organiser):
    campaign, _item, people = allocated
    with pytest.raises(ValidationError) as excinfo:
        pay(campaign, people[0], organiser, method="bitcoin")
    assert "method" in errors_of(excinfo)


def test_record_payment_refuses_an_open_campaign(pledged, organiser):
    campaign, _item, people = pledged
    with pytest.raises(ValidationError):
        pay(campaign, people[0], organiser)


def test_record_payment_refuses_another_collectives_organiser(
    allocated, other_organiser
):
    campaign, _item, people = allocated
    with pytest.raises(PermissionDenied):
        pay(campaign, people[0], other_organiser)


def test_cancel_payment_makes_it_due_again_and_keeps_it(
    allocated, organiser, collective
):
    campaign, item, people = allocated
    payment = record_payment(
        campaign=campaign,
        member=people[1],
        amount=owed(item, people[1]),
        method="transfer",
        received_by=organiser,
    )
    cancel_payment(payment=payment, cancelled_by=organiser)
    assert Payment.objects.get(pk=payment.pk).cancelled_at is not None
    assert amounts_due_by_member(collective)[people[1].pk] == owed(item, people[1])
    with pytest.raises(ValidationError):
        cancel_payment(payment=payment, cancelled_by=organiser)


# Reads -----------------------------------------------------------------------------


def test_item_inputs_in_two_queries(
    collective, distribution, django_assert_max_num_queries
):
    campaign, item = open_campaign(collective, distribution)
    for person in members_of(collective, 30):
        PledgeFactory(item=item, member=person, quantity=3, tolerance=1)
    second = GroupItemFactory(campaign=campaign, name="Citrons", case_size=5)
    with django_assert_max_num_queries(2):
        inputs = item_inputs(campaign)
    assert [i.key for i in inputs] == [item.pk, second.pk]
    assert len(inputs[0].pledges) == 30 and len(inputs[0].tiers) == 2
    assert inputs[1].tiers == ()


def test_amounts_and_collected_lines_in_fixed_queries(
    collective, distribution, django_assert_max_num_queries
):
    for _ in range(3):
        campaign, item = open_campaign(collective, distribution)
        for person in members_of(collective, 10):
            PledgeFactory(item=item, member=person, quantity=5, tolerance=0)
        close_campaign(campaign, now=campaign.closes_at)
    with django_assert_max_num_queries(2):
        due = amounts_due_by_member(collective)
    with django_assert_max_num_queries(1):
        lines = collected_at([distribution])
    assert len(due) == 30 and len(lines) == 30


def test_amounts_due_ignore_other_collectives_and_open_campaigns(
    collective, other_collective, distribution
):
    campaign, item = open_campaign(collective, distribution)
    PledgeFactory(item=item, quantity=10)
    elsewhere = GroupPurchaseFactory(collectives=[other_collective])
    other_item = GroupItemFactory(campaign=elsewhere, tiers=[(0, "2.40")])
    PledgeFactory(item=other_item, quantity=10)
    close_campaign(elsewhere, now=elsewhere.closes_at)
    assert amounts_due_by_member(collective) == {}


def test_partner_of_a_second_collective_is_accepted(
    organiser, collective, other_collective
):
    farm = ProducerFactory()
    PartnershipFactory(producer=farm, collective=collective)
    campaign = create_campaign(
        created_by=organiser,
        collectives=[collective],
        producer=farm,
        **campaign_fields(supplier_name=""),
    )
    assert campaign.producer == farm


# Race between pledging and closing (PostgreSQL) --------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL"
)
def test_a_pledge_racing_the_closing_is_either_allocated_or_refused(
    collective, distribution
):
    """Closing locks the campaign row as pledging does: a pledge saved while
    the campaign closes is either in the allocation or refused, never lost."""
    from amap.groupbuy.services.pledges import pledge

    campaign, item = open_campaign(collective, distribution)
    late = members_of(collective, 1)[0]
    PledgeFactory(item=item, quantity=10)
    barrier = threading.Barrier(2)
    outcomes = []

    def close():
        barrier.wait()
        try:
            close_campaign(campaign, now=campaign.closes_at)
        finally:
            connections.close_all()

    def add_pledge():
        barrier.wait()
        try:
            pledge(member=late, item=item, quantity=10, tolerance=0)
            outcomes.append("saved")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=close), threading.Thread(target=add_pledge)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    late_pledge = Pledge.objects.filter(item=item, member=late).first()
    if outcomes == ["saved"]:
        assert late_pledge.allocated == 10
    else:
        assert outcomes == ["refused"] and late_pledge is None


def test_the_sweeper_tells_members_once_when_the_allocation_email_was_lost(
    pledged, django_capture_on_commit_callbacks
):
    """The campaign was allocated but its notification task died with the
    worker: a few minutes later the sweeper emails each member, once."""
    campaign, item, people = pledged
    later = campaign.closes_at + dt.timedelta(minutes=1)
    with django_capture_on_commit_callbacks():  # The task never runs.
        close_campaign(campaign, now=later)
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True) as queued:
        assert sweep(now=later + dt.timedelta(minutes=1))["allocations"] == 0
    assert queued == []  # Within the grace delay: the task may still run.

    with django_capture_on_commit_callbacks(execute=True):
        assert sweep(now=later + dt.timedelta(minutes=10))["allocations"] == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)

    # The lost task delivered late, and the sweeper again: nothing more.
    assert notify_allocation(campaign.pk) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep(now=later + dt.timedelta(minutes=15))["allocations"] == 0
    assert len(mail.outbox) == len(people)
