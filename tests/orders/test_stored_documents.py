"""Sheets and delivery notes prepared in the background and stored: asked for,
generated with progress, downloaded from storage, rebuilt when (and only
when) something they show changes, and announced to organisers at closing."""

import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from amap.distribution.services.calendar import close_order_cycle
from amap.distribution.services.shifts import sign_up_for_shift
from amap.orders import sheet_exports
from amap.orders.models import (
    Instalment,
    PickingListSent,
    SheetLinksSent,
    StoredDocument,
)
from amap.orders.picking import send_picking_lists
from amap.orders.services.absences import cancel_absence, record_absence
from amap.orders.services.documents import (
    generate_document,
    request_document,
    send_sheet_links,
)
from amap.orders.services.payments import mark_instalments_paid, record_order_payment
from tests.factories import (
    AbsenceFactory,
    ContractFactory,
    ContractOptionFactory,
    DistributionFactory,
    MembershipFactory,
    OfferFactory,
    OrderCycleFactory,
    OrderFactory,
    OrderLineFactory,
    OrganiserMembershipFactory,
    PickupPointFactory,
    ProductFactory,
    ShiftFactory,
    SubscriptionFactory,
)

pytestmark = pytest.mark.usefixtures("english")

SHEET, NOTES = sheet_exports.SHEET, sheet_exports.DELIVERY_NOTES
Status = StoredDocument.Status


class FakeBuilder:
    """Stands in for `build_document` where the layout is not what is tested:
    records each call and returns small, numbered contents."""

    def __init__(self):
        self.calls = []
        self.error = None

    def __call__(self, *, distribution, kind, fmt, landscape=False):
        if self.error is not None:
            raise self.error
        self.calls.append((distribution.pk, kind, fmt, landscape))
        return sheet_exports.Document(
            content=f"{kind} {fmt} #{len(self.calls)}".encode(),
            filename=f"{kind}-{distribution.pk}.{fmt}",
            content_type=sheet_exports.CONTENT_TYPES[fmt],
        )


@pytest.fixture
def builder(monkeypatch):
    fake = FakeBuilder()
    monkeypatch.setattr(sheet_exports, "build_document", fake)
    return fake


@pytest.fixture
def closed_cycle(collective):
    """Ordering closed an hour ago (the deadline task has run)."""
    now = timezone.now()
    cycle = OrderCycleFactory(
        collective=collective,
        name="Semaine 49",
        opens_at=now - timedelta(days=5),
        closes_at=now - timedelta(hours=1),
    )
    close_order_cycle(cycle, closed_by=None)  # Hooks not run: nothing captured.
    cycle.refresh_from_db()
    return cycle


@pytest.fixture
def distribution(closed_cycle):
    return DistributionFactory(
        cycle=closed_cycle,
        pickup_point__name="Maison de quartier",
        date=timezone.localdate() + timedelta(days=3),
    )


@pytest.fixture
def other_distribution(closed_cycle):
    """The same cycle, at another pickup point."""
    return DistributionFactory(
        cycle=closed_cycle,
        pickup_point__name="Salle Bellamy",
        date=timezone.localdate() + timedelta(days=3),
    )


def stored(distribution, kind=SHEET, fmt="pdf", landscape=False):
    return StoredDocument.objects.get(
        distribution=distribution, kind=kind, fmt=fmt, landscape=landscape
    )


def prepare_all(distribution, capture):
    """Every document of the distribution stored and current, as after closing."""
    with capture(execute=True):
        for kind in sheet_exports.KINDS:
            for fmt in sheet_exports.FORMATS:
                request_document(distribution=distribution, kind=kind, fmt=fmt)


def download_url(distribution, kind=SHEET, variant="pdf", name="document_download"):
    return reverse(f"orders:{name}", args=[distribution.pk, kind, variant])


# Requesting, generating, downloading ------------------------------------------


def test_a_sheet_asked_for_is_generated_then_served_from_storage(
    as_user,
    organiser,
    distribution,
    builder,
    django_capture_on_commit_callbacks,
    django_assert_max_num_queries,
):
    client = as_user(organiser)

    response = client.get(download_url(distribution))
    assert response.status_code == 302
    assert response.url == download_url(distribution, name="document_progress")
    with django_capture_on_commit_callbacks(execute=True):
        posted = client.post(download_url(distribution, name="document_retry"))
    assert posted.url == response.url
    progress = client.get(response.url)
    assert "The document is ready" in progress.content.decode()
    assert 'http-equiv="refresh"' not in progress.content.decode()

    with django_assert_max_num_queries(4):
        response = client.get(download_url(distribution))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f"sheet-{distribution.pk}.pdf" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == b"sheet pdf #1"
    assert builder.calls == [(distribution.pk, SHEET, "pdf", False)]


def test_spreadsheets_are_downloaded_as_attachments_and_landscape_is_its_own_pdf(
    as_user, organiser, distribution, builder, django_capture_on_commit_callbacks
):
    client = as_user(organiser)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(download_url(distribution, NOTES, "xlsx", "document_retry"))
        client.post(download_url(distribution, SHEET, "pdf-paysage", "document_retry"))

    response = client.get(download_url(distribution, NOTES, "xlsx"))
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert stored(distribution, SHEET, "pdf", landscape=True).status == Status.READY
    assert (distribution.pk, SHEET, "pdf", True) in builder.calls


def test_asking_twice_while_waiting_queues_one_generation(
    organiser, distribution, builder, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued:
        first = request_document(distribution=distribution, kind=SHEET, fmt="csv")
        second = request_document(distribution=distribution, kind=SHEET, fmt="csv")

    assert first.pk == second.pk
    assert len(queued) == 1
    assert stored(distribution, fmt="csv").status == Status.PENDING


def test_generating_twice_builds_once(distribution, builder):
    document = request_document(distribution=distribution, kind=SHEET, fmt="csv")

    assert generate_document(document.pk) is True
    assert generate_document(document.pk) is False
    assert len(builder.calls) == 1


def test_the_progress_page_refreshes_itself_with_the_stage_and_percentage(
    as_user, organiser, distribution
):
    document = request_document(distribution=distribution, kind=SHEET, fmt="pdf")
    StoredDocument.objects.filter(pk=document.pk).update(
        status=Status.RUNNING,
        stage=StoredDocument.Stage.BUILDING,
        progress=30,
        started_at=timezone.now(),
    )

    page = as_user(organiser).get(download_url(distribution, name="document_progress"))

    html = page.content.decode()
    assert '<meta http-equiv="refresh" content="2">' in html
    assert "Laying out the document" in html
    assert "30 %" in html


def test_htmx_polls_the_progress_panel_alone_until_the_document_is_ready(
    as_user, organiser, distribution
):
    document = request_document(distribution=distribution, kind=SHEET, fmt="pdf")
    StoredDocument.objects.filter(pk=document.pk).update(
        status=Status.RUNNING, progress=30, started_at=timezone.now()
    )
    client = as_user(organiser)
    url = download_url(distribution, name="document_progress")

    page = client.get(url).content.decode()
    panel = client.get(url, headers={"HX-Request": "true"}).content.decode()

    assert f'hx-get="{url}"' in page
    assert "htmx.min.js" in page
    assert "<h1>" not in panel
    assert f'hx-get="{url}"' in panel
    assert "30 %" in panel
    StoredDocument.objects.filter(pk=document.pk).update(status=Status.FAILED)
    failed = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-get" not in failed


def test_the_documents_page_lists_every_document_with_its_state(
    as_user,
    organiser,
    distribution,
    builder,
    django_capture_on_commit_callbacks,
    django_assert_max_num_queries,
):
    prepare_all(distribution, django_capture_on_commit_callbacks)
    builder.error = RuntimeError("disk full")
    with django_capture_on_commit_callbacks(execute=True):
        request_document(
            distribution=distribution, kind=SHEET, fmt="pdf", landscape=True
        )

    client = as_user(organiser)
    with django_assert_max_num_queries(6):
        page = client.get(
            reverse("orders:distribution_documents", args=[distribution.pk])
        )

    html = page.content.decode()
    assert html.count("Ready") == 6
    assert "Failed" in html
    assert html.count(">Download<") == 8
    assert download_url(distribution, NOTES, "csv") in html


# Failures -------------------------------------------------------------------


def test_a_failed_generation_keeps_the_previous_file_downloadable(
    as_user, organiser, distribution, builder, django_capture_on_commit_callbacks
):
    prepare_all(distribution, django_capture_on_commit_callbacks)
    before = stored(distribution)
    builder.error = RuntimeError("WeasyPrint ran out of memory")

    with django_capture_on_commit_callbacks(execute=True):
        cancel_absence(
            AbsenceFactory(distribution=distribution), cancelled_by=organiser
        )

    failed = stored(distribution)
    assert failed.status == Status.FAILED
    assert failed.error == "WeasyPrint ran out of memory"
    assert failed.file.name == before.file.name
    assert default_storage.exists(before.file.name)
    client = as_user(organiser)
    response = client.get(download_url(distribution))
    assert response.url == download_url(distribution, name="document_progress")
    html = client.get(response.url).content.decode()
    assert "could not be prepared" in html
    assert "WeasyPrint ran out of memory" in html
    assert "Try again" in html
    assert 'http-equiv="refresh"' not in html
    previous = client.get(download_url(distribution, name="document_stored"))
    assert b"".join(previous.streaming_content) == b"sheet pdf #1"


def test_trying_again_replaces_the_file_and_deletes_the_old_one(
    as_user, organiser, distribution, builder, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request_document(distribution=distribution, kind=SHEET, fmt="pdf")
    old_name = stored(distribution).file.name
    builder.error = RuntimeError("boom")
    with django_capture_on_commit_callbacks(execute=True):
        cancel_absence(
            AbsenceFactory(distribution=distribution), cancelled_by=organiser
        )
    builder.error = None

    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(organiser).post(
            download_url(distribution, name="document_retry")
        )

    assert response.status_code == 302
    document = stored(distribution)
    assert document.status == Status.READY
    assert document.file.name != old_name
    assert not default_storage.exists(old_name)
    assert document.file.read() == b"sheet pdf #2"


def test_a_change_during_a_generation_queues_another_one(
    monkeypatch, organiser, distribution, builder, django_capture_on_commit_callbacks
):
    absence = AbsenceFactory(distribution=distribution)
    real_build = builder.__call__

    def build_and_change_meanwhile(**kwargs):
        if not builder.calls:
            with django_capture_on_commit_callbacks(execute=True):
                cancel_absence(absence, cancelled_by=organiser)
        return real_build(**kwargs)

    monkeypatch.setattr(sheet_exports, "build_document", build_and_change_meanwhile)
    with django_capture_on_commit_callbacks(execute=True):
        request_document(distribution=distribution, kind=SHEET, fmt="csv")

    document = stored(distribution, fmt="csv")
    assert len(builder.calls) == 2
    assert document.status == Status.READY
    assert document.generated_at >= document.requested_at


# What a change touches ----------------------------------------------------------


def regenerated(builder, since: int) -> set:
    return {(pk, kind, fmt) for pk, kind, fmt, _landscape in builder.calls[since:]}


def test_an_absence_rebuilds_only_that_distributions_sheet(
    organiser,
    distribution,
    other_distribution,
    builder,
    django_capture_on_commit_callbacks,
):
    prepare_all(distribution, django_capture_on_commit_callbacks)
    prepare_all(other_distribution, django_capture_on_commit_callbacks)
    absence = AbsenceFactory(distribution=distribution)
    before = len(builder.calls)

    with django_capture_on_commit_callbacks(execute=True):
        cancel_absence(absence, cancelled_by=organiser)

    assert regenerated(builder, before) == {
        (distribution.pk, SHEET, "pdf"),
        (distribution.pk, SHEET, "csv"),
        (distribution.pk, SHEET, "xlsx"),
    }
    assert stored(distribution).is_current


def test_an_absence_in_an_open_cycle_generates_nothing(
    collective, member, builder, django_capture_on_commit_callbacks
):
    open_distribution = DistributionFactory(cycle__collective=collective)

    with django_capture_on_commit_callbacks(execute=True):
        record_absence(member=member, distribution=open_distribution, fate="solidarity")

    assert builder.calls == []
    assert not StoredDocument.objects.exists()


def test_an_order_payment_rebuilds_the_sheets_the_member_is_on(
    collective,
    member,
    organiser,
    distribution,
    other_distribution,
    builder,
    django_capture_on_commit_callbacks,
):
    order = OrderFactory(member=member, distribution=distribution, total=Decimal("12"))
    prepare_all(distribution, django_capture_on_commit_callbacks)
    prepare_all(other_distribution, django_capture_on_commit_callbacks)
    before = len(builder.calls)

    with django_capture_on_commit_callbacks(execute=True):
        record_order_payment(
            order=order, amount=Decimal("12"), method="cash", received_by=organiser
        )

    assert regenerated(builder, before) == {
        (distribution.pk, SHEET, fmt) for fmt in sheet_exports.FORMATS
    }


def test_an_instalment_payment_rebuilds_the_sheets_where_the_basket_is_delivered(
    collective,
    member,
    organiser,
    distribution,
    other_distribution,
    builder,
    django_capture_on_commit_callbacks,
):
    contract = ContractFactory(collective=collective)
    contract.deliveries.add(other_distribution)
    subscription = SubscriptionFactory(
        member=member, option=ContractOptionFactory(contract=contract)
    )
    instalment = Instalment.objects.create(
        subscription=subscription,
        number=1,
        due_date=timezone.localdate(),
        amount=Decimal("30"),
    )
    prepare_all(distribution, django_capture_on_commit_callbacks)
    prepare_all(other_distribution, django_capture_on_commit_callbacks)
    before = len(builder.calls)

    with django_capture_on_commit_callbacks(execute=True):
        mark_instalments_paid(
            instalments=[instalment], method="cheque", recorded_by=organiser
        )

    assert regenerated(builder, before) == {
        (other_distribution.pk, SHEET, fmt) for fmt in sheet_exports.FORMATS
    }


def test_a_shift_sign_up_rebuilds_only_that_distributions_sheet(
    member,
    distribution,
    other_distribution,
    builder,
    django_capture_on_commit_callbacks,
):
    shift = ShiftFactory(distribution=distribution)
    prepare_all(distribution, django_capture_on_commit_callbacks)
    prepare_all(other_distribution, django_capture_on_commit_callbacks)
    before = len(builder.calls)

    with django_capture_on_commit_callbacks(execute=True):
        sign_up_for_shift(shift=shift, user=member)

    assert regenerated(builder, before) == {
        (distribution.pk, SHEET, fmt) for fmt in sheet_exports.FORMATS
    }


def test_a_sheet_of_an_open_cycle_is_built_afresh_each_time(
    as_user, collective, organiser, builder, django_capture_on_commit_callbacks
):
    open_distribution = DistributionFactory(cycle__collective=collective)
    client = as_user(organiser)

    generate = download_url(open_distribution, name="document_retry")

    assert client.get(download_url(open_distribution)).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(generate).status_code == 302
    progress = client.get(download_url(open_distribution, name="document_progress"))
    assert "The document is ready" in progress.content.decode()
    stored_url = download_url(open_distribution, name="document_stored")
    assert stored_url in progress.content.decode()
    served = client.get(stored_url)
    assert b"".join(served.streaming_content) == b"sheet pdf #1"
    # Ordering is open: the download address shows the page again, which
    # offers to build the sheet afresh.
    response = client.get(download_url(open_distribution), follow=True)
    assert ">Regenerate<" in response.content.decode()
    assert len(builder.calls) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(generate).status_code == 302

    assert len(builder.calls) == 2


# Closing a cycle --------------------------------------------------------------


def test_closing_a_cycle_prepares_every_document_and_emails_each_organiser_once(
    collective,
    organiser,
    builder,
    django_capture_on_commit_callbacks,
):
    second = OrganiserMembershipFactory(
        collective=collective, user__email="ana.roy@example.org"
    ).user
    MembershipFactory(collective=collective)  # A member gets nothing.
    cycle = OrderCycleFactory(collective=collective, name="Semaine 50")
    first_point = DistributionFactory(cycle=cycle, pickup_point__name="Dervallières")
    second_point = DistributionFactory(cycle=cycle, pickup_point__name="Bellamy")

    with django_capture_on_commit_callbacks(execute=True):
        close_order_cycle(cycle, closed_by=organiser)

    documents = StoredDocument.objects.filter(distribution__cycle=cycle)
    assert documents.count() == 12
    assert set(documents.values_list("status", flat=True)) == {Status.READY}
    assert not documents.filter(landscape=True).exists()
    emails = [m for m in mail.outbox if "Sheets ready" in m.subject]
    assert sorted(m.to[0] for m in emails) == [
        "ana.roy@example.org",
        organiser.email,
    ]
    for message in emails:
        assert "Semaine 50" in message.subject
        for point in (first_point, second_point):
            url = reverse("orders:distribution_documents", args=[point.pk])
            assert f"http://testserver{url}" in message.body
        assert "Bellamy" in message.body

    with django_capture_on_commit_callbacks(execute=True):
        close_order_cycle(cycle, closed_by=second)
    assert send_sheet_links(cycle.pk) == 0
    assert len([m for m in mail.outbox if "Sheets ready" in m.subject]) == 2
    assert SheetLinksSent.objects.filter(cycle=cycle).count() == 2


def test_closing_a_cycle_sends_each_farm_its_picking_list_once(
    collective,
    member,
    organiser,
    producer,
    builder,
    django_capture_on_commit_callbacks,
):
    cycle = OrderCycleFactory(collective=collective)
    distribution = DistributionFactory(cycle=cycle)
    offer = OfferFactory(cycle=cycle, product=ProductFactory(producer=producer))
    OrderLineFactory(
        order=OrderFactory(member=member, distribution=distribution), offer=offer
    )

    with django_capture_on_commit_callbacks(execute=True):
        close_order_cycle(cycle, closed_by=organiser)
    assert send_picking_lists() == 0

    picking = [m for m in mail.outbox if "picking list" in m.subject]
    assert len(picking) == 1
    assert picking[0].to == ["paul.durand@example.org"]
    assert PickingListSent.objects.filter(cycle=cycle, producer=producer).exists()


def test_a_cycle_closed_long_after_its_distributions_prepares_nothing(
    collective, builder, django_capture_on_commit_callbacks
):
    now = timezone.now()
    cycle = OrderCycleFactory(
        collective=collective,
        opens_at=now - timedelta(days=30),
        closes_at=now - timedelta(days=20),
    )
    DistributionFactory(cycle=cycle, date=timezone.localdate() - timedelta(days=18))

    with django_capture_on_commit_callbacks(execute=True):
        close_order_cycle(cycle, closed_by=None)

    assert not StoredDocument.objects.exists()
    assert not [m for m in mail.outbox if "Sheets ready" in m.subject]


# The real documents, end to end -----------------------------------------------


def test_the_real_sheet_is_stored_and_served_in_well_under_a_second(
    as_user,
    collective,
    member,
    organiser,
    producer,
    django_capture_on_commit_callbacks,
    django_assert_max_num_queries,
):
    cycle = OrderCycleFactory(collective=collective, name="Semaine 51")
    distribution = DistributionFactory(cycle=cycle, pickup_point__name="Dervallières")
    offer = OfferFactory(
        cycle=cycle,
        product=ProductFactory(producer=producer, name="Potimarron"),
        quantity_available=Decimal("40"),
    )
    OrderLineFactory(
        order=OrderFactory(member=member, distribution=distribution),
        offer=offer,
        quantity=Decimal("3"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        close_order_cycle(cycle, closed_by=organiser)

    client = as_user(organiser)
    with django_assert_max_num_queries(4):
        started = time.perf_counter()
        response = client.get(download_url(distribution))
        content = b"".join(response.streaming_content)
        elapsed = time.perf_counter() - started
    assert response.status_code == 200
    assert content.startswith(b"%PDF")
    assert elapsed < 0.5
    csv = client.get(download_url(distribution, SHEET, "csv"))
    text = b"".join(csv.streaming_content).decode("utf-8-sig")
    assert "Martin" in text
    notes = client.get(download_url(distribution, NOTES, "csv"))
    assert "Potimarron" in b"".join(notes.streaming_content).decode("utf-8-sig")


# Who may see what -------------------------------------------------------------


@pytest.mark.parametrize(
    "who, expected",
    [
        ("anonymous", 302),
        ("member", 404),
        ("other_member", 404),
        ("producer_user", 404),
        ("other_producer_user", 404),
        ("organiser", 200),
        ("other_organiser", 404),
    ],
)
def test_permission_matrix_for_the_documents_page(
    request, as_user, who, expected, distribution, other_collective
):
    user = None if who == "anonymous" else request.getfixturevalue(who)
    response = as_user(user).get(
        reverse("orders:distribution_documents", args=[distribution.pk])
    )

    assert response.status_code == expected
    if who == "anonymous":
        assert reverse("account_login") in response.url


@pytest.mark.parametrize(
    "name, method",
    [
        ("document_download", "get"),
        ("document_progress", "get"),
        ("document_stored", "get"),
        ("document_retry", "post"),
    ],
)
def test_another_collectives_organiser_and_members_get_404_for_each_document_page(
    as_user,
    name,
    method,
    member,
    other_organiser,
    distribution,
    builder,
    django_capture_on_commit_callbacks,
):
    prepare_all(distribution, django_capture_on_commit_callbacks)
    url = download_url(distribution, name=name)

    for user in (other_organiser, member):
        assert getattr(as_user(user), method)(url).status_code == 404
    anonymous = getattr(as_user(None), method)(url)
    assert anonymous.status_code == 302
    assert reverse("account_login") in anonymous.url
    assert len(builder.calls) == 6


def test_an_unknown_document_or_format_is_404(as_user, organiser, distribution):
    client = as_user(organiser)

    assert client.get(download_url(distribution, "receipts", "pdf")).status_code == 404
    assert client.get(download_url(distribution, SHEET, "docx")).status_code == 404


def test_the_calendar_links_each_distribution_to_its_sheets(
    as_user, collective, organiser
):
    coming = DistributionFactory(
        cycle__collective=collective,
        pickup_point=PickupPointFactory(collective=collective),
    )

    page = as_user(organiser).get(
        reverse("distribution:calendar", args=[collective.slug])
    )

    assert reverse("orders:distribution_documents", args=[coming.pk]) in (
        page.content.decode()
    )


# No GET writes ------------------------------------------------------------------


def snapshot():
    return list(
        StoredDocument.objects.order_by("pk").values(
            "pk", "status", "stage", "progress", "requested_at", "error"
        )
    )


@pytest.mark.parametrize(
    "state", ["missing", "stale", "failed", "open_cycle"], ids=lambda s: s
)
@pytest.mark.parametrize(
    "name", ["document_download", "document_progress", "distribution_documents"]
)
def test_a_get_on_a_document_page_queues_nothing_and_writes_nothing(
    as_user,
    organiser,
    collective,
    distribution,
    builder,
    monkeypatch,
    django_capture_on_commit_callbacks,
    name,
    state,
):
    """A cross-site <img> pointing at a download must not start PDF jobs."""
    if state == "open_cycle":
        distribution = DistributionFactory(cycle__collective=collective)
    if state != "missing":
        prepare_all(distribution, django_capture_on_commit_callbacks)
    if state == "stale":
        StoredDocument.objects.update(requested_at=timezone.now())
    if state == "failed":
        StoredDocument.objects.update(
            requested_at=timezone.now(), status=Status.FAILED, error="boom"
        )
    queued = []
    monkeypatch.setattr(
        "amap.orders.services.documents.enqueue_on_commit",
        lambda *args, **kwargs: queued.append(args),
    )
    before = snapshot()
    if name == "distribution_documents":
        url = reverse(f"orders:{name}", args=[distribution.pk])
    else:
        url = download_url(distribution, name=name)
    client = as_user(organiser)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.get(url, follow=True)

    assert response.status_code == 200
    assert queued == [] and callbacks == []
    assert snapshot() == before


def test_the_progress_page_offers_to_generate_a_missing_document(
    as_user, organiser, distribution, builder, django_capture_on_commit_callbacks
):
    client = as_user(organiser)
    response = client.get(download_url(distribution), follow=True)

    html = response.content.decode()
    assert "This document has not been prepared yet." in html
    assert f'action="{download_url(distribution, name="document_retry")}"' in html
    assert ">Generate<" in html
    assert not StoredDocument.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        posted = client.post(download_url(distribution, name="document_retry"))
    assert posted.url == download_url(distribution, name="document_progress")
    assert stored(distribution).status == Status.READY
    assert builder.calls == [(distribution.pk, SHEET, "pdf", False)]


def test_the_progress_page_offers_to_regenerate_a_stale_document(
    as_user, organiser, distribution, builder, django_capture_on_commit_callbacks
):
    prepare_all(distribution, django_capture_on_commit_callbacks)
    StoredDocument.objects.update(requested_at=timezone.now())

    html = (
        as_user(organiser).get(download_url(distribution), follow=True).content.decode()
    )

    assert "This document is not up to date." in html
    assert ">Regenerate<" in html


def test_the_generate_address_answers_405_to_a_get(
    as_user, organiser, distribution, builder
):
    response = as_user(organiser).get(download_url(distribution, name="document_retry"))

    assert response.status_code == 405
    assert not StoredDocument.objects.exists()
    assert builder.calls == []


def test_the_documents_page_has_a_generate_button_for_each_document_not_ready(
    as_user, organiser, distribution, builder, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request_document(distribution=distribution, kind=SHEET, fmt="pdf")
        request_document(distribution=distribution, kind=SHEET, fmt="csv")
    StoredDocument.objects.filter(fmt="csv").update(requested_at=timezone.now())

    html = (
        as_user(organiser)
        .get(reverse("orders:distribution_documents", args=[distribution.pk]))
        .content.decode()
    )

    assert html.count('/relancer/"') == 7
    assert html.count(">Generate<") == 6
    assert html.count(">Regenerate<") == 1
    assert f'action="{download_url(distribution, name="document_retry")}"' not in html
