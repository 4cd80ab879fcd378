"""A collective can leave with its data: `manage.py export_collective` and the
organisers' download give a ZIP of CSV and JSON of its members, contracts,
subscriptions, orders, payments, absences and shifts, and nothing of any
other collective."""

import csv
import io
import json
import zipfile
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from amap.orders.models import Instalment, OrderPayment, PaymentMethod
from tests.factories import (
    AbsenceFactory,
    DistributionFactory,
    MembershipFactory,
    OfferFactory,
    OrderLineFactory,
    PartnershipFactory,
    ShiftAssignmentFactory,
    SubscriptionFactory,
)

pytestmark = pytest.mark.django_db


def _fill(collective, members: int, *, tag: str):
    """`members` members of `collective`, each with an order of two lines, a
    payment, a subscription with an instalment, an absence and a shift."""
    distribution = DistributionFactory(
        cycle__collective=collective,
        pickup_point__name=f"Salle {tag}",
        cycle__name=f"Semaine {tag}",
    )
    PartnershipFactory(collective=collective, producer__name=f"Ferme {tag}")
    offers = [
        OfferFactory(cycle=distribution.cycle, product__name=f"Carottes {tag}"),
        OfferFactory(cycle=distribution.cycle, product__name=f"Poireaux {tag}"),
    ]
    subscription = None
    for number in range(members):
        user = MembershipFactory(
            collective=collective, user__email=f"{tag}{number}@example.org"
        ).user
        line = OrderLineFactory(
            order__member=user,
            order__distribution=distribution,
            order__total=Decimal("1234.56"),
            offer=offers[0],
            quantity=Decimal("1.250"),
            unit_price=Decimal("987.65"),
            amount=Decimal("1234.56"),
        )
        OrderLineFactory(order=line.order, offer=offers[1])
        OrderPayment.objects.create(
            order=line.order,
            amount=Decimal("10.50"),
            method=PaymentMethod.CHEQUE,
            reference=f"chèque {tag}",
            received_at=timezone.now(),
        )
        subscription = SubscriptionFactory(
            member=user,
            option__contract__collective=collective,
            option__contract__name=f"Contrat {tag}",
            total=Decimal("100.00"),
        )
        subscription.contract.deliveries.add(distribution)
        Instalment.objects.create(
            subscription=subscription,
            number=1,
            due_date=timezone.localdate(),
            amount=Decimal("100.00"),
        )
        AbsenceFactory(member=user, distribution=distribution, note=f"absent {tag}")
        ShiftAssignmentFactory(
            user=user, shift__distribution=distribution, shift__role=f"Accueil {tag}"
        )
    return distribution


def _zip_files(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {
            name.split("/", 1)[1]: archive.read(name) for name in archive.namelist()
        }


def _csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())  # Excel reads the accents right
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def test_organisers_download_every_table_of_their_collective(
    as_user, organiser, collective
):
    _fill(collective, 2, tag="ici")

    response = as_user(organiser).get(
        reverse("orders:collective_export", args=[collective.slug])
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    assert "dervallieres" in response["Content-Disposition"]
    files = _zip_files(response.content)
    for name in (
        "collective",
        "members",
        "pickup_points",
        "cycles",
        "distributions",
        "partnerships",
        "contracts",
        "contract_options",
        "subscriptions",
        "instalments",
        "orders",
        "order_lines",
        "order_payments",
        "absences",
        "shifts",
        "shift_signups",
    ):
        assert f"{name}.csv" in files, name
    members = _csv_rows(files["members.csv"])
    assert members[0][1:3] == ["E-mail", "Nom"]  # the labels in French
    emails = {row[1] for row in members[1:]}
    assert {"ici0@example.org", "ici1@example.org", organiser.email} <= emails
    orders = _csv_rows(files["orders.csv"])
    assert orders[1][6] == "1234,56"  # a decimal comma, no thousands separator
    lines = _csv_rows(files["order_lines.csv"])
    assert ["1,25", "987,65", "1234,56"] in [row[6:9] for row in lines[1:]]
    assert "Chèque" in files["order_payments.csv"].decode("utf-8-sig")

    data = json.loads(files["data.json"])
    assert data["collective"] == "dervallieres"
    order = data["tables"]["orders"][0]
    assert order["total"] == "1234.56"
    assert order["status"] == "confirmed"
    assert len(data["tables"]["order_lines"]) == 4
    assert data["tables"]["order_payments"][0]["method"] == "cheque"
    assert data["tables"]["contracts"][0]["deliveries"] == [
        data["tables"]["distributions"][0]["id"]
    ]
    assert len(data["tables"]["shift_signups"]) == 2
    assert "README.txt" in files or "LISEZMOI.txt" in files


def test_the_export_holds_nothing_of_another_collective(
    as_user, organiser, collective, other_collective, other_member
):
    _fill(collective, 1, tag="ici")
    _fill(other_collective, 2, tag="ailleurs")
    # A person in both collectives: only what they did here is exported.
    both = MembershipFactory(collective=other_collective).user
    MembershipFactory(collective=collective, user=both)

    response = as_user(organiser).get(
        reverse("orders:collective_export", args=[collective.slug])
    )

    for name, content in _zip_files(response.content).items():
        text = content.decode("utf-8-sig")
        assert "ailleurs" not in text, name
        assert other_member.email not in text, name
        assert "Trentemoult" not in text, name
    data = json.loads(_zip_files(response.content)["data.json"])
    assert len(data["tables"]["orders"]) == 1
    assert len(data["tables"]["members"]) == 3  # organiser, ici0, both


@pytest.mark.parametrize(
    "who", ["member", "other_organiser", "producer_user", "other_member"]
)
def test_only_the_collectives_organisers_may_download(
    as_user, request, collective, organiser, who
):
    person = request.getfixturevalue(who)

    response = as_user(person).get(
        reverse("orders:collective_export", args=[collective.slug])
    )

    assert response.status_code == 404


def test_anonymous_people_are_sent_to_log_in(client, collective):
    response = client.get(reverse("orders:collective_export", args=[collective.slug]))

    assert response.status_code == 302
    assert "/compte/login/" in response["Location"]


def test_the_export_reads_a_fixed_number_of_queries(
    as_user, organiser, collective, django_assert_max_num_queries
):
    from amap.orders.data_export import collective_zip

    _fill(collective, 1, tag="un")
    with django_assert_max_num_queries(19) as few:
        collective_zip(collective)
    _fill(collective, 8, tag="huit")
    with django_assert_max_num_queries(len(few.captured_queries)):
        collective_zip(collective)


def test_the_organiser_area_offers_the_export(as_user, organiser, collective):
    response = as_user(organiser).get(reverse("members:organiser_home"))

    url = reverse("orders:collective_export", args=[collective.slug])
    assert f'href="{url}"' in response.content.decode()


def test_the_command_writes_the_zip(collective, tmp_path):
    _fill(collective, 2, tag="ici")
    out = io.StringIO()

    call_command("export_collective", "dervallieres", output=str(tmp_path), stdout=out)

    (written,) = tmp_path.glob("*.zip")
    assert str(written) in out.getvalue()
    files = _zip_files(written.read_bytes())
    assert len(_csv_rows(files["orders.csv"])) == 3


def test_the_command_names_an_unknown_collective(db):
    with pytest.raises(CommandError, match="nowhere"):
        call_command("export_collective", "nowhere")


def test_group_purchases_bring_only_this_collectives_pledges_and_payments(
    organiser, collective, other_collective, member, other_member
):
    from amap.groupbuy.models import Payment
    from amap.orders.data_export import collective_zip
    from tests.factories import GroupPurchaseFactory, PledgeFactory

    shared = GroupPurchaseFactory(
        title="Agrumes partagés", collectives=[collective, other_collective]
    )
    GroupPurchaseFactory(title="Huile ailleurs", collectives=[other_collective])
    PledgeFactory(item__campaign=shared, member=member, quantity=7)
    PledgeFactory(item__campaign=shared, member=other_member, quantity=9)
    for person in (member, other_member):
        Payment.objects.create(
            campaign=shared,
            member=person,
            amount=Decimal("12.00"),
            method=PaymentMethod.CASH,
            received_at=timezone.now(),
            recorded_by=organiser,
        )

    data = json.loads(_zip_files(collective_zip(collective).content)["data.json"])

    assert [c["title"] for c in data["tables"]["group_purchases"]] == [
        "Agrumes partagés"
    ]
    assert [p["member"] for p in data["tables"]["group_purchase_pledges"]] == [
        member.email
    ]
    assert [p["member"] for p in data["tables"]["group_purchase_payments"]] == [
        member.email
    ]
