"""The producer's "what was booked": page, CSV, PDF picking list, and the email."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

import amap.pdf
from amap.distribution.models import UsualPickupPoint
from amap.orders.models import Order, OrderLine, PickingListSent
from amap.orders.picking import neutralise, send_picking_lists
from amap.orders.selectors.producer_bookings import producer_bookings
from amap.orders.tasks import send_picking_lists_task
from tests.factories import (
    ContractFactory,
    ContractOptionFactory,
    DistributionFactory,
    OfferFactory,
    OrderCycleFactory,
    OrderLineFactory,
    ProductFactory,
    SubscriptionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle(collective):
    return OrderCycleFactory(collective=collective, name="Semaine 12")


@pytest.fixture
def distribution(cycle):
    return DistributionFactory(cycle=cycle, pickup_point__name="Maison de quartier")


def book(member, distribution, offer, quantity):
    order, _ = Order.objects.get_or_create(member=member, distribution=distribution)
    line = OrderLineFactory(order=order, offer=offer, quantity=Decimal(quantity))
    order.total += line.amount
    order.save(update_fields=["total"])
    return line


@pytest.fixture
def booked(producer, cycle, distribution, member, collective):
    """Marie Martin and Albert Zola book carrots and eggs; a basket contract too."""
    carrots = OfferFactory(
        cycle=cycle,
        product=ProductFactory(
            producer=producer, name="Carottes", price=Decimal("2.50")
        ),
    )
    eggs = OfferFactory(
        cycle=cycle,
        product=ProductFactory(
            producer=producer, name="Œufs", unit="dozen", price=Decimal("4.20")
        ),
    )
    zola = UserFactory(first_name="Albert", last_name="Zola")
    book(member, distribution, carrots, "1.5")
    book(member, distribution, eggs, "2")
    book(zola, distribution, carrots, "3")
    contract = ContractFactory(
        producer=producer, collective=collective, name="Légumes d'été"
    )
    contract.deliveries.add(distribution)
    option = ContractOptionFactory(contract=contract, name="Grand panier")
    SubscriptionFactory(option=option, member=zola, quantity=2)
    return {"carrots": carrots, "eggs": eggs, "zola": zola}


# The selector ------------------------------------------------------------------


def test_bookings_total_per_product_per_distribution_and_per_member(
    producer, cycle, booked, member
):
    bookings = producer_bookings(producer, cycle)
    totals = {t.name: (t.quantity, t.amount) for t in bookings.product_totals}
    assert totals == {
        "Carottes": (Decimal("4.5"), Decimal("11.25")),
        "Œufs": (Decimal("2"), Decimal("8.40")),
    }
    assert [(t.name, t.quantity) for t in bookings.basket_totals] == [
        ("Légumes d'été — Grand panier", 2)
    ]
    assert bookings.amount == Decimal("19.65")
    assert [m.member.last_name for m in bookings.members] == ["Martin", "Zola"]
    assert [m.amount for m in bookings.members] == [Decimal("12.15"), Decimal("7.50")]
    (entry,) = bookings.distributions
    assert entry.amount == Decimal("19.65")


def test_bookings_ignore_cancelled_orders_other_farms_and_other_cycles(
    producer, other_producer, cycle, distribution, booked, member, collective
):
    cancelled = UserFactory(last_name="Annulé")
    line = book(cancelled, distribution, booked["carrots"], "5")
    Order.objects.filter(pk=line.order_id).update(status=Order.Status.CANCELLED)
    book(
        member,
        distribution,
        OfferFactory(cycle=cycle, product=ProductFactory(producer=other_producer)),
        "1",
    )
    later = DistributionFactory(cycle__collective=collective)
    book(
        member,
        later,
        OfferFactory(cycle=later.cycle, product=booked["carrots"].product),
        "9",
    )
    bookings = producer_bookings(producer, cycle)
    assert {t.name for t in bookings.product_totals} == {"Carottes", "Œufs"}
    assert [m.member.last_name for m in bookings.members] == ["Martin", "Zola"]


def test_a_basket_goes_to_the_members_usual_pickup_point(
    producer, cycle, distribution, collective, member
):
    other_point = DistributionFactory(
        cycle=cycle, date=distribution.date, pickup_point__name="Le Jardin"
    )
    contract = ContractFactory(producer=producer, collective=collective)
    contract.deliveries.add(distribution, other_point)
    SubscriptionFactory(option__contract=contract, member=member)
    UsualPickupPoint.objects.create(
        user=member, collective=collective, pickup_point=other_point.pickup_point
    )
    bookings = producer_bookings(producer, cycle)
    (entry,) = bookings.distributions
    assert entry.distribution == other_point
    assert bookings.basket_totals[0].quantity == 1


# Permissions -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        (None, 302),
        ("member", 404),
        ("other_member", 404),
        ("organiser", 404),
        ("other_organiser", 404),
        ("producer_user", 200),
        ("other_producer_user", 404),
    ],
)
@pytest.mark.parametrize(
    "name",
    [
        "producer_cycles",
        "producer_bookings",
        "producer_bookings_csv",
        "producer_bookings_pdf",
    ],
)
def test_producer_bookings_permission_matrix(
    request, as_user, producer, other_producer, cycle, booked, who, expected, name
):
    user = request.getfixturevalue(who) if who else None
    args = [producer.slug] if name == "producer_cycles" else [producer.slug, cycle.pk]
    response = as_user(user).get(reverse(f"orders:{name}", args=args))
    assert response.status_code == expected


def test_another_farm_or_a_cycle_without_offers_is_a_404(
    as_user, producer, other_producer, producer_user, cycle, booked, collective
):
    client = as_user(producer_user)
    url = reverse("orders:producer_bookings", args=[other_producer.slug, cycle.pk])
    assert client.get(url).status_code == 404
    empty_cycle = OrderCycleFactory(collective=collective)
    url = reverse("orders:producer_bookings", args=[producer.slug, empty_cycle.pk])
    assert client.get(url).status_code == 404


# Pages -----------------------------------------------------------------------


def test_cycle_list_newest_first(as_user, producer, producer_user, collective, english):
    old = OrderCycleFactory(
        collective=collective,
        name="Old week",
        opens_at=timezone.now() - dt.timedelta(days=20),
        closes_at=timezone.now() - dt.timedelta(days=15),
    )
    new = OrderCycleFactory(collective=collective, name="New week")
    for cycle in (old, new):
        OfferFactory(cycle=cycle, product=ProductFactory(producer=producer))
    OrderCycleFactory(collective=collective, name="No offers")
    page = (
        as_user(producer_user)
        .get(reverse("orders:producer_cycles", args=[producer.slug]))
        .content.decode()
    )
    assert page.index("New week") < page.index("Old week")
    assert "No offers" not in page


def test_bookings_page_shows_totals_and_members(
    as_user, producer, producer_user, cycle, booked, english
):
    page = (
        as_user(producer_user)
        .get(reverse("orders:producer_bookings", args=[producer.slug, cycle.pk]))
        .content.decode()
    )
    assert "Carottes" in page and "4.5\xa0kg" in page and "11.25\xa0€" in page
    assert "Légumes d&#x27;été — Grand panier" in page
    assert page.index("MARTIN") < page.index("ZOLA")
    assert "19.65\xa0€" in page


def test_bookings_csv_lists_each_line_and_neutralises_formulas(
    as_user, producer, producer_user, cycle, distribution, booked, english
):
    booked["carrots"].product.name = '=HYPERLINK("http://evil")'
    booked["carrots"].product.save()
    tricky = UserFactory(first_name="@mention", last_name="+33 6 12")
    book(tricky, distribution, booked["eggs"], "1")
    client = as_user(producer_user)
    for url in (
        reverse("orders:producer_bookings_csv", args=[producer.slug, cycle.pk]),
        reverse("orders:producer_bookings", args=[producer.slug, cycle.pk])
        + "?format=csv",
    ):
        response = client.get(url)
        assert response["Content-Type"].startswith("text/csv")
        assert "attachment" in response["Content-Disposition"]
        text = response.content.decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text), delimiter=";"))
        cells = [cell for row in rows for cell in row]
        assert '\'=HYPERLINK("http://evil")' in cells
        assert "'+33 6 12" in cells and "'@mention" in cells
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
        martin = [row for row in rows if row[2:4] == ["Martin", "Marie"]]
        assert [row[4:7] for row in martin] == [
            ['\'=HYPERLINK("http://evil")', "1.5", "kg"],
            ["Œufs", "2", "dozen"],
        ]
        assert ["Légumes d'été — Grand panier", "2", "basket"] in [
            row[4:7] for row in rows
        ]
        assert rows[-1][0] == "Total" and rows[-1][-1] == "23.85"


def test_neutralise_leaves_ordinary_text_alone():
    assert neutralise("Carottes") == "Carottes"
    assert neutralise("-1") == "'-1"
    assert neutralise("\tcmd") == "'\tcmd"
    assert neutralise(None) == ""


def test_bookings_pdf_lists_names_quantities_and_totals(
    as_user, producer, producer_user, cycle, booked, english
):
    response = as_user(producer_user).get(
        reverse("orders:producer_bookings_pdf", args=[producer.slug, cycle.pk])
    )
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    for expected in (
        "Maraîchage de la Sèvre",
        "Semaine 12",
        "MARTIN Marie",
        "ZOLA Albert",
        "Carottes",
        "4.5\xa0kg",
        "11.25\xa0€",
        "Grand panier",
        "19.65\xa0€",
        f"Page 1 / {len(reader.pages)}",
    ):
        assert expected in text, expected


def test_pdf_repeats_the_table_header_on_every_page(
    as_user, producer, producer_user, cycle, distribution, english
):
    offer = OfferFactory(
        cycle=cycle, product=ProductFactory(producer=producer, name="Poireaux")
    )
    people = UserFactory.create_batch(70)
    for person in people:
        book(person, distribution, offer, "1")
    response = as_user(producer_user).get(
        reverse("orders:producer_bookings_pdf", args=[producer.slug, cycle.pk])
    )
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) >= 3
    for number, page in enumerate(reader.pages[1:], start=2):
        text = page.extract_text()
        assert "Member" in text and "Quantity" in text
        assert f"Page {number} / {len(reader.pages)}" in text


# Query counts ----------------------------------------------------------------


def _bulk_bookings(producer, cycle, distribution, collective, members, products):
    offers = [
        OfferFactory(
            cycle=cycle,
            quantity_available=None,
            product=ProductFactory(producer=producer, name=f"Produit {i:02d}"),
        )
        for i in range(products)
    ]
    people = UserFactory.create_batch(members)
    orders = Order.objects.bulk_create(
        Order(member=p, distribution=distribution, total=Decimal("20")) for p in people
    )
    OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            offer=offer,
            quantity=Decimal("1"),
            unit_price=offer.price,
            amount=offer.price,
        )
        for order in orders
        for offer in offers
    )
    contract = ContractFactory(producer=producer, collective=collective)
    contract.deliveries.add(distribution)
    option = ContractOptionFactory(contract=contract)
    for person in people[: members // 2]:
        SubscriptionFactory(option=option, member=person)


@pytest.fixture
def laid_out_html(monkeypatch):
    """WeasyPrint's layout is skipped: the PDF view still builds its data and
    renders its template (every query it makes), and the HTML it would lay
    out is kept in the returned list. The real PDFs are tested above, small."""
    pages = []

    class HTMLWithoutLayout:
        def __init__(self, *, string, **kwargs):
            pages.append(string)

        def write_pdf(self):
            return b"%PDF-1.7 layout skipped"

    monkeypatch.setattr(amap.pdf, "HTML", HTMLWithoutLayout)
    return pages


@pytest.mark.parametrize(("members", "products"), [(2, 2), (100, 20)])
def test_bookings_pages_have_a_fixed_number_of_queries(
    as_user,
    producer,
    producer_user,
    cycle,
    distribution,
    collective,
    django_assert_max_num_queries,
    laid_out_html,
    members,
    products,
):
    _bulk_bookings(producer, cycle, distribution, collective, members, products)
    client = as_user(producer_user)
    base = reverse("orders:producer_bookings", args=[producer.slug, cycle.pk])
    with django_assert_max_num_queries(14):
        page = client.get(base)
    assert page.content.decode().count("data-member=") == members
    with django_assert_max_num_queries(14):
        client.get(
            reverse("orders:producer_bookings_csv", args=[producer.slug, cycle.pk])
        )
    with django_assert_max_num_queries(14):
        client.get(reverse("orders:producer_cycles", args=[producer.slug]))
    with django_assert_max_num_queries(14):
        pdf = client.get(
            reverse("orders:producer_bookings_pdf", args=[producer.slug, cycle.pk])
        )
    assert pdf.content.startswith(b"%PDF")
    [html] = laid_out_html
    assert f"Produit {products - 1:02d}" in html


# The email -------------------------------------------------------------------


def close(cycle):
    cycle.opens_at = timezone.now() - dt.timedelta(days=4)
    cycle.closes_at = timezone.now() - dt.timedelta(hours=1)
    cycle.save()


def test_send_picking_lists_once_per_farm_and_closed_cycle(
    producer, producer_user, cycle, booked, english
):
    assert send_picking_lists() == 0  # the cycle is still open
    close(cycle)
    assert send_picking_lists() == 1
    assert send_picking_lists() == 0
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [producer_user.email]
    assert "Semaine 12" in message.subject
    assert "Carottes: 4.5\xa0kg" in message.body
    ((filename, content, mimetype),) = message.attachments
    assert filename.endswith(".pdf") and mimetype == "application/pdf"
    assert content.startswith(b"%PDF")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    assert "MARTIN Marie" in text
    assert PickingListSent.objects.filter(producer=producer, cycle=cycle).count() == 1


def test_send_picking_lists_skips_farms_without_bookings_and_old_cycles(
    producer, other_producer, cycle, booked, collective
):
    OfferFactory(cycle=cycle, product=ProductFactory(producer=other_producer))
    old = OrderCycleFactory(
        collective=collective,
        opens_at=timezone.now() - dt.timedelta(days=30),
        closes_at=timezone.now() - dt.timedelta(days=20),
    )
    old_distribution = DistributionFactory(cycle=old)
    book(
        UserFactory(),
        old_distribution,
        OfferFactory(cycle=old, product=booked["carrots"].product),
        "1",
    )
    close(cycle)
    assert send_picking_lists_task() == 1
    assert [m.to for m in mail.outbox] == [[producer.managers.get().email]]


def test_a_failed_send_is_retried_next_time(producer, cycle, booked, monkeypatch):
    close(cycle)

    def broken(**kwargs):
        raise ConnectionError("SMTP down")

    monkeypatch.setattr("amap.orders.picking.send_templated_email", broken)
    assert send_picking_lists() == 0
    assert not PickingListSent.objects.exists()
    monkeypatch.undo()
    assert send_picking_lists() == 1


def test_the_schedule_exists():
    from django_q.models import Schedule

    schedule = Schedule.objects.get(name="picking-lists")
    assert schedule.func == "amap.orders.tasks.send_picking_lists_task"
    assert (schedule.schedule_type, schedule.minutes) == (Schedule.MINUTES, 15)
