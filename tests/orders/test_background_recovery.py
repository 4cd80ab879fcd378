"""Background work survives a dead worker: documents are claimed with a lease
that a task delivered again takes over once it lapses, and the sweeper queues
again what a lost task left undone, each email still sent once."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from amap.orders import sheet_exports
from amap.orders.models import Order, SheetLinksSent, StoredDocument
from amap.orders.services import booking, documents
from amap.orders.services.booking import place_order, send_order_confirmation
from amap.orders.services.documents import (
    generate_document,
    request_document,
    send_sheet_links,
)
from amap.orders.services.recovery import sweep
from tests.factories import (
    DistributionFactory,
    OfferFactory,
    OrganiserMembershipFactory,
)
from tests.orders import test_stored_documents as documents_tests

# The fixtures of the stored documents' tests.
builder = documents_tests.builder
closed_cycle = documents_tests.closed_cycle
distribution = documents_tests.distribution
stored = documents_tests.stored

pytestmark = pytest.mark.usefixtures("english")

SHEET, NOTES = sheet_exports.SHEET, sheet_exports.DELIVERY_NOTES
Status = StoredDocument.Status
Stage = StoredDocument.Stage


def claimed_by_a_worker(document, *, started_ago, lease_left, worker="dead:1:abc"):
    """The document as a worker left it: running, at 30 %, with its lease."""
    now = timezone.now()
    StoredDocument.objects.filter(pk=document.pk).update(
        status=Status.RUNNING,
        stage=Stage.BUILDING,
        progress=30,
        started_at=now - started_ago,
        claimed_by=worker,
        lease_expires_at=now + lease_left,
    )


@pytest.fixture
def waiting(distribution, django_capture_on_commit_callbacks):
    """A sheet asked for, its task queued but not run."""
    with django_capture_on_commit_callbacks():
        return request_document(distribution=distribution, kind=SHEET, fmt="csv")


def test_a_task_delivered_again_takes_over_a_document_whose_worker_died(
    waiting, builder
):
    """The worker was killed 6 minutes ago: its lease lapsed long before
    django-q2 delivers the task again, which generates the document."""
    claimed_by_a_worker(waiting, started_ago=timedelta(minutes=6), lease_left=-LEASE)

    assert generate_document(waiting.pk) is True

    document = stored(waiting.distribution, fmt="csv")
    assert document.status == Status.READY
    assert document.progress == 100
    assert document.file and document.is_current
    assert document.claimed_by == "" and document.lease_expires_at is None
    assert len(builder.calls) == 1


LEASE = timedelta(seconds=1)


def test_a_live_lease_is_left_alone_however_long_the_generation_runs(waiting, builder):
    claimed_by_a_worker(
        waiting, started_ago=timedelta(minutes=15), lease_left=timedelta(minutes=1)
    )

    assert generate_document(waiting.pk) is False

    document = stored(waiting.distribution, fmt="csv")
    assert document.status == Status.RUNNING
    assert document.claimed_by == "dead:1:abc"
    assert builder.calls == []


def test_a_task_for_a_document_already_ready_does_nothing(waiting, builder):
    assert generate_document(waiting.pk) is True
    generated_at = stored(waiting.distribution, fmt="csv").generated_at

    assert generate_document(waiting.pk) is False

    assert stored(waiting.distribution, fmt="csv").generated_at == generated_at
    assert len(builder.calls) == 1


def test_a_run_that_lost_its_claim_throws_its_file_away(waiting, builder, monkeypatch):
    """While it rendered, its lease lapsed and another run took the document:
    its file is not the one kept, and it does not report success."""

    def taken_over(**kwargs):
        StoredDocument.objects.filter(pk=waiting.pk).update(claimed_by="other:2:def")
        return builder(**kwargs)

    monkeypatch.setattr(sheet_exports, "build_document", taken_over)

    assert generate_document(waiting.pk) is False

    document = stored(waiting.distribution, fmt="csv")
    assert document.status == Status.RUNNING
    assert document.claimed_by == "other:2:def"
    assert not document.file


def test_the_lease_is_renewed_at_each_step_of_the_generation(
    waiting, builder, monkeypatch
):
    start = timezone.now()
    ticks = iter(range(100))
    clock = SimpleNamespace(now=lambda: start + timedelta(minutes=next(ticks)))
    monkeypatch.setattr(documents, "timezone", clock)
    seen = []

    def watching(**kwargs):
        document = StoredDocument.objects.get(pk=waiting.pk)
        seen.append((document.stage, document.lease_expires_at))
        return builder(**kwargs)

    monkeypatch.setattr(sheet_exports, "build_document", watching)
    lease = timedelta(seconds=settings.BACKGROUND_LEASE_SECONDS)

    assert generate_document(waiting.pk) is True

    # Claimed at minute 0, renewed when laying out began at minute 1.
    assert seen == [(Stage.BUILDING, start + timedelta(minutes=1) + lease)]


def test_lease_timeout_and_retry_leave_a_margin():
    """A dead worker's lease lapses before django-q2 kills a task, which is
    before it delivers the task again."""
    lease = settings.BACKGROUND_LEASE_SECONDS
    timeout, retry = settings.Q_CLUSTER["timeout"], settings.Q_CLUSTER["retry"]
    assert lease < timeout < retry
    assert retry - timeout >= 60
    assert timeout - lease >= 60


# The sweeper --------------------------------------------------------------------


NOTHING = {
    "documents": 0,
    "cycle_documents": 0,
    "sheet_links": 0,
    "order_confirmations": 0,
}


def ago(**kwargs):
    return timezone.now() - timedelta(**kwargs)


def just_closed(cycle):
    cycle.closes_at = cycle.closed_at = ago(minutes=1)
    cycle.save()


def test_the_sweeper_queues_again_documents_waiting_too_long_or_abandoned(
    distribution, builder, django_capture_on_commit_callbacks
):
    just_closed(distribution.cycle)  # Only the documents are looked at.
    with django_capture_on_commit_callbacks():
        lost = request_document(distribution=distribution, kind=SHEET, fmt="csv")
        request_document(distribution=distribution, kind=SHEET, fmt="pdf")  # fresh
        dead = request_document(distribution=distribution, kind=SHEET, fmt="xlsx")
        alive = request_document(distribution=distribution, kind=NOTES, fmt="csv")
    StoredDocument.objects.filter(pk=lost.pk).update(requested_at=ago(minutes=20))
    claimed_by_a_worker(dead, started_ago=timedelta(minutes=3), lease_left=-LEASE)
    claimed_by_a_worker(
        alive, started_ago=timedelta(minutes=3), lease_left=timedelta(minutes=1)
    )

    with django_capture_on_commit_callbacks(execute=True) as queued:
        counts = sweep()

    assert counts == {**NOTHING, "documents": 2}
    assert len(queued) == 2
    assert stored(distribution, fmt="csv").status == Status.READY
    assert stored(distribution, fmt="xlsx").status == Status.READY
    assert stored(distribution, fmt="pdf").status == Status.PENDING
    assert stored(distribution, kind=NOTES, fmt="csv").status == Status.RUNNING


def test_the_sweeper_finishes_a_close_whose_tasks_were_lost(
    closed_cycle, distribution, organiser, builder, django_capture_on_commit_callbacks
):
    """The cycle closed an hour ago and its tasks died with the worker: no
    document was asked for and no organiser told. The sweeper does both, once."""
    second = OrganiserMembershipFactory(
        collective=closed_cycle.collective, user__email="ana.roy@example.org"
    ).user

    with django_capture_on_commit_callbacks(execute=True):
        counts = sweep()

    assert counts["cycle_documents"] == 1 and counts["sheet_links"] == 1
    documents_ = StoredDocument.objects.filter(distribution=distribution)
    expected = len(sheet_exports.KINDS) * len(sheet_exports.FORMATS)
    assert documents_.filter(status=Status.READY).count() == expected
    links = [m.to[0] for m in mail.outbox if "Sheets ready" in m.subject]
    assert sorted(links) == sorted([organiser.email, second.email])

    # The original tasks arrive late, and the sweeper runs again: nothing more.
    with django_capture_on_commit_callbacks(execute=True) as queued:
        assert send_sheet_links(closed_cycle.pk) == 0
        assert sweep() == NOTHING
    assert queued == []
    assert len([m for m in mail.outbox if "Sheets ready" in m.subject]) == 2
    assert SheetLinksSent.objects.filter(cycle=closed_cycle).count() == 2


def test_the_sweeper_leaves_a_close_alone_during_the_grace_delay(
    closed_cycle, distribution, organiser, django_capture_on_commit_callbacks
):
    """Just closed: the close's own tasks are still expected to run."""
    just_closed(closed_cycle)

    with django_capture_on_commit_callbacks() as queued:
        sweep()

    assert queued == []


def test_an_email_that_failed_to_send_is_sent_once_by_the_sweeper(
    closed_cycle,
    distribution,
    organiser,
    monkeypatch,
    builder,
    django_capture_on_commit_callbacks,
):
    """The mail server refused the original send: nothing was recorded, so the
    sweeper sends it, once, and a late second delivery of the original sends
    nothing."""
    real_send = documents.send_templated_email

    def refused(**kwargs):
        raise ConnectionRefusedError("SMTP down")

    monkeypatch.setattr(documents, "send_templated_email", refused)
    assert send_sheet_links(closed_cycle.pk) == 0
    assert not SheetLinksSent.objects.filter(cycle=closed_cycle).exists()

    monkeypatch.setattr(documents, "send_templated_email", real_send)
    with django_capture_on_commit_callbacks(execute=True):
        sweep()
    assert send_sheet_links(closed_cycle.pk) == 0

    assert [m.to[0] for m in mail.outbox if "Sheets ready" in m.subject] == [
        organiser.email
    ]


# Order confirmations --------------------------------------------------------------


@pytest.fixture
def booked(member, producer, collective, django_capture_on_commit_callbacks):
    """An order placed 10 minutes ago whose confirmation task was lost."""
    distribution = DistributionFactory(cycle__collective=collective)
    offer = OfferFactory(cycle=distribution.cycle, product__producer=producer)
    with django_capture_on_commit_callbacks():  # The task never runs.
        result = place_order(
            member=member, distribution=distribution, lines={offer.pk: 2}
        )
    Order.objects.filter(pk=result.order.pk).update(
        confirmation_due_since=ago(minutes=10)
    )
    return result.order


def confirmations(member):
    return [m for m in mail.outbox if m.to == [member.email]]


def test_the_sweeper_sends_a_lost_order_confirmation_once(
    booked, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep()["order_confirmations"] == 1
    assert len(confirmations(member)) == 1

    # The original task delivered late, and the sweeper again: nothing more.
    assert send_order_confirmation(order_id=booked.pk) is False
    with django_capture_on_commit_callbacks(execute=True) as queued:
        sweep()
    assert queued == []
    assert len(confirmations(member)) == 1


def test_an_order_confirmation_that_failed_to_send_stays_due(
    booked, member, monkeypatch, django_capture_on_commit_callbacks
):
    def refused(**kwargs):
        raise ConnectionRefusedError("SMTP down")

    monkeypatch.setattr(booking, "send_templated_email", refused)
    with pytest.raises(ConnectionRefusedError):
        send_order_confirmation(order_id=booked.pk)
    assert Order.objects.get(pk=booked.pk).confirmation_due_since is not None

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        sweep()
    assert len(confirmations(member)) == 1
    assert Order.objects.get(pk=booked.pk).confirmation_due_since is None


def test_a_recent_order_confirmation_is_left_to_its_own_task(
    booked, django_capture_on_commit_callbacks
):
    Order.objects.filter(pk=booked.pk).update(confirmation_due_since=ago(minutes=1))
    with django_capture_on_commit_callbacks() as queued:
        assert sweep()["order_confirmations"] == 0
    assert queued == []
