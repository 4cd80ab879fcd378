"""The distribution sheet and the delivery notes, as data: who is on them, in
which order, with what, and how many queries it takes."""

from decimal import Decimal

import pytest

from amap.orders.models import Absence, Instalment, Order
from amap.orders.selectors.balances import amounts_due_by_member, member_balances
from amap.orders.sheets import delivery_notes, distribution_sheet
from tests.factories import DistributionFactory
from tests.orders.sheet_data import big_distribution, book, sheet_scenario

pytestmark = pytest.mark.django_db


@pytest.fixture
def scenario(collective, member, organiser, producer, english):
    return sheet_scenario(
        collective=collective, member=member, organiser=organiser, producer=producer
    )


def rows_by_name(sheet):
    return {row.member.last_name: row for row in sheet.rows}


def test_sheet_lists_everyone_concerned_in_alphabetical_order(scenario):
    sheet = distribution_sheet(scenario["distribution"])
    assert [row.member.last_name for row in sheet.rows] == [
        "Abel",
        "adam",
        "Duval",
        "Lefèvre",
        "Martin",
        "Roux",
        "Simon",
        "Zola",
    ]
    assert sheet.rows[0].name == "ABEL Éric"


def test_sheet_shows_baskets_shares_and_baskets_given(scenario):
    rows = rows_by_name(distribution_sheet(scenario["distribution"]))
    assert rows["Zola"].baskets_text == "Légumes d'hiver — Grand panier × 2"
    assert rows["Martin"].baskets_text == (
        "Légumes d'hiver — Petit panier × 0.5 (½ basket shared with Éric Abel)"
    )
    assert rows["Abel"].baskets_text == (
        "Légumes d'hiver — Petit panier × 0.5 (½ basket shared with Marie Martin)"
    )
    assert rows["Lefèvre"].baskets_text == (
        "Légumes d'hiver — Petit panier × 1 (given by DUVAL Chloé)"
    )
    assert rows["Duval"].baskets == []
    assert rows["Duval"].absence_note == "Absent — basket given to LEFÈVRE Hugo"
    assert rows["Simon"].baskets_text == (
        "Légumes d'hiver — Petit panier × 1 (kept for later)"
    )
    assert rows["Simon"].absence_note == "Absent — basket kept for later"


def test_solidarity_baskets_have_their_own_section(scenario):
    sheet = distribution_sheet(scenario["distribution"])
    rows = rows_by_name(sheet)
    assert rows["Roux"].baskets == []
    assert rows["Roux"].absence_note == "Absent — basket given to the solidarity pool"
    assert [(b.name, b.quantity, b.note) for b in sheet.solidarity] == [
        ("Légumes d'hiver — Petit panier", Decimal("1"), "from ROUX Paul")
    ]


def test_sheet_groups_pre_bookings_by_producer(scenario):
    rows = rows_by_name(distribution_sheet(scenario["distribution"]))
    martin = rows["Martin"]
    assert [group.producer for group in martin.producers] == [
        "Fournil du Bourg",
        "Maraîchage de la Sèvre",
    ]
    assert martin.products_text == (
        "Fournil du Bourg : Pain de campagne 1\xa0piece"
        " / Maraîchage de la Sèvre : Carottes 1.5\xa0kg"
    )
    assert martin.order_total == Decimal("6.85")
    assert rows["Lefèvre"].order_total is None


def test_sheet_shows_what_each_member_still_owes(scenario):
    rows = rows_by_name(distribution_sheet(scenario["distribution"]))
    # 30 € instalment + the 6.85 € order; Zola paid 5 € of 7.50 €.
    assert rows["Martin"].amount_due == Decimal("36.85")
    assert rows["Zola"].amount_due == Decimal("2.50")
    assert rows["Lefèvre"].amount_due == Decimal("0")


def test_sheet_totals_per_product_and_per_contract_option(scenario):
    sheet = distribution_sheet(scenario["distribution"])
    assert [
        (t.producer, t.name, t.quantity, t.amount) for t in sheet.product_totals
    ] == [
        ("Fournil du Bourg", "Pain de campagne", Decimal("1"), Decimal("3.10")),
        ("Maraîchage de la Sèvre", "Carottes", Decimal("4.5"), Decimal("11.25")),
        ("Maraîchage de la Sèvre", "Œufs", Decimal("1"), Decimal("4.20")),
    ]
    assert [(t.name, t.quantity) for t in sheet.basket_totals] == [
        ("Légumes d'hiver — Grand panier", Decimal("2")),
        ("Légumes d'hiver — Petit panier", Decimal("4")),
    ]
    assert sheet.amount == Decimal("18.55")
    assert sheet.basket_count == Decimal("6")


def test_sheet_lists_the_shift_volunteers_with_their_phone(scenario, organiser):
    (line,) = distribution_sheet(scenario["distribution"]).shifts
    assert line.shift.role == "Accueil et émargement"
    assert [(u.last_name, u.phone) for u in line.volunteers] == [
        ("Petit", "06 12 34 56 78")
    ]
    assert line.missing == 1


def test_cancelled_orders_and_absences_stay_off_the_sheet(scenario):
    distribution = scenario["distribution"]
    Order.objects.filter(member=scenario["adam"]).update(status=Order.Status.CANCELLED)
    Absence.objects.filter(member=scenario["roux"]).update(
        cancelled_at=distribution.start_datetime
    )
    sheet = distribution_sheet(distribution)
    rows = rows_by_name(sheet)
    assert "adam" not in rows
    assert rows["Roux"].absence_note == ""
    assert rows["Roux"].baskets_text == "Légumes d'hiver — Petit panier × 1"
    assert sheet.solidarity == []


def test_amounts_due_by_member_agree_with_member_balances(scenario, collective):
    people = [scenario[name] for name in ("martin", "zola", "lefevre")]
    due = amounts_due_by_member(collective, [p.pk for p in people])
    for person in people:
        balance = sum((b.due for b in member_balances(person)), Decimal("0"))
        assert due.get(person.pk, Decimal("0")) == balance


def test_amounts_due_ignore_other_collectives_and_paid_instalments(
    scenario, collective, other_collective, member
):
    Instalment.objects.update(paid_at=scenario["distribution"].start_datetime)
    other = DistributionFactory(cycle__collective=other_collective)
    book(member, other, scenario["offers"]["carrots"], "2")
    assert amounts_due_by_member(collective, [member.pk]) == {
        member.pk: Decimal("6.85")
    }


def test_delivery_notes_per_producer_count_whole_baskets(scenario, producer):
    notes = delivery_notes(scenario["distribution"])
    assert [note.producer.name for note in notes] == [
        "Fournil du Bourg",
        "Maraîchage de la Sèvre",
    ]
    bakery, farm = notes
    assert [(t.name, t.quantity, t.amount) for t in bakery.products] == [
        ("Pain de campagne", Decimal("1"), Decimal("3.10"))
    ]
    assert bakery.baskets == []
    assert [(t.name, t.quantity, t.amount) for t in farm.products] == [
        ("Carottes", Decimal("4.5"), Decimal("11.25")),
        ("Œufs", Decimal("1"), Decimal("4.20")),
    ]
    # The split basket, the given one and the solidarity one are whole baskets.
    assert [(t.name, t.quantity) for t in farm.baskets] == [
        ("Légumes d'hiver — Grand panier", 2),
        ("Légumes d'hiver — Petit panier", 4),
    ]
    assert farm.amount == Decimal("15.45")
    martin = next(m for m in farm.members if m.member.last_name == "Martin")
    assert [item.text for item in martin.items] == ["Carottes 1.5\xa0kg"]
    assert [basket.text for basket in martin.baskets] == [
        "Légumes d'hiver — Petit panier × 1"
    ]
    assert [m.member.last_name for m in farm.members] == [
        "adam",
        "Duval",
        "Martin",
        "Roux",
        "Simon",
        "Zola",
    ]


def test_a_sheet_holds_only_its_pickup_points_members(scenario, collective):
    """Two pickup points the same day: each has its own sheet."""
    other_point = DistributionFactory(
        cycle=scenario["cycle"],
        date=scenario["distribution"].date,
        pickup_point__name="Le Jardin",
    )
    book(scenario["lefevre"], other_point, scenario["offers"]["eggs"], "2")
    sheet = distribution_sheet(other_point)
    assert sheet.distribution.pickup_point.name == "Le Jardin"
    assert [row.member.last_name for row in sheet.rows] == ["Lefèvre"]


def test_sheet_and_notes_take_a_fixed_number_of_queries(
    collective, django_assert_max_num_queries
):
    """500 members, shared and given baskets, absences: no query per row."""
    distribution = big_distribution(collective=collective, count=500)
    # Twelve for orders, contracts, absences and shifts; three for what group
    # purchases add (their lines, and what members owe on them).
    with django_assert_max_num_queries(15):
        sheet = distribution_sheet(distribution)
    assert len(sheet.rows) == 500
    assert sum(1 for row in sheet.rows if row.absence_note) == 100
    assert len(sheet.solidarity) > 0
    with django_assert_max_num_queries(8):
        notes = delivery_notes(distribution)
    assert sum(len(note.members) for note in notes) == 1000
