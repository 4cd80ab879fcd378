"""The supplier order: PDF totals read back with pypdf, CSV cells neutralised."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from amap.groupbuy.selectors.campaigns import supplier_order
from amap.groupbuy.services.lifecycle import close_campaign
from amap.groupbuy.supplier_order import supplier_order_csv, supplier_order_pdf
from tests.factories import (
    DistributionFactory,
    GroupItemFactory,
    GroupPurchaseFactory,
    MembershipFactory,
    PledgeFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def allocated(collective):
    """Oranges 10 kg cases: 2.40 €, 2.10 € from 3 cases; 34 kg pledged → 3 cases
    (38 with tolerances) at 2.10 = 63.00 €. Coffee 6 bags: 9.50 €; 12 bags →
    2 cases = 114.00 €. Total 177.00 €."""
    distribution = DistributionFactory(
        cycle__collective=collective, date=timezone.localdate() + dt.timedelta(days=9)
    )
    campaign = GroupPurchaseFactory(
        collectives=[collective],
        distribution=distribution,
        title="Agrumes et café",
        supplier_name='=HYPERLINK("http://x")',
        supplier_contact="ventes@sicilia.example.org",
    )
    oranges = GroupItemFactory(
        campaign=campaign,
        name="Oranges",
        case_size=10,
        tiers=[(0, "2.40"), (3, "2.10")],
    )
    coffee = GroupItemFactory(
        campaign=campaign,
        name="Café",
        case_size=6,
        unit="piece",
        position=1,
        tiers=[(0, "9.50")],
    )
    lemons = GroupItemFactory(
        campaign=campaign, name="Citrons", case_size=5, position=2, tiers=[(0, "3.00")]
    )
    people = [MembershipFactory(collective=collective).user for _ in range(4)]
    for person, quantity in zip(people, [9, 12, 8, 5], strict=True):
        PledgeFactory(item=oranges, member=person, quantity=quantity, tolerance=1)
    PledgeFactory(item=coffee, member=people[0], quantity=7)
    PledgeFactory(item=coffee, member=people[1], quantity=5)
    PledgeFactory(item=lemons, member=people[2], quantity=2)
    close_campaign(campaign, now=campaign.closes_at)
    campaign.refresh_from_db()
    return campaign


def test_supplier_order_lines_and_total(allocated):
    order = supplier_order(allocated)
    assert [
        (line.name, line.cases, line.units, line.unit_price, line.amount)
        for line in order.lines
    ] == [
        ("Oranges", 3, 30, Decimal("2.10"), Decimal("63.00")),
        ("Café", 2, 12, Decimal("9.50"), Decimal("114.00")),
    ]
    assert order.total == Decimal("177.00")


def test_supplier_order_pdf_shows_the_totals(allocated):
    pdf = supplier_order_pdf(supplier_order(allocated))
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Agrumes et café" in text
    assert "63.00\xa0€" in text and "114.00\xa0€" in text and "177.00\xa0€" in text
    assert "Citrons" not in text
    assert "ventes@sicilia.example.org" in text


def test_supplier_order_csv_is_neutralised_and_totals(allocated):
    content = supplier_order_csv(supplier_order(allocated)).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content), delimiter=";"))
    assert ["Supplier", '\'=HYPERLINK("http://x")'] in rows
    assert ["Oranges", "kg", "10", "3", "30", "2.10", "63.00"] in rows
    assert rows[-1] == ["Total", "", "", "5", "", "", "177.00"]


def test_supplier_order_downloads(as_user, organiser, allocated):
    client = as_user(organiser)
    args = ["dervallieres", allocated.pk]
    pdf = client.get(reverse("groupbuy:manage_supplier_order_pdf", args=args))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    csv_response = client.get(reverse("groupbuy:manage_supplier_order_csv", args=args))
    assert "attachment" in csv_response["Content-Disposition"]
    assert "177.00" in csv_response.content.decode("utf-8-sig")
