"""Reads for the moderation of farms' public pages: the queue an organiser
reviews, and a farm's waiting and last reviewed changes."""

from django.db.models import Exists, OuterRef

from ..models import (
    CharterCommitment,
    Partnership,
    Producer,
    Product,
    ProfileSubmission,
)
from ..permissions import moderated_producer_ids


def is_trusted(producer: Producer) -> bool:
    """The organisers of a collective the farm supplies trust it: its changes
    are published without review."""
    return (
        Partnership.objects.current().filter(producer=producer, trusted=True).exists()
    )


def managed_by(user):
    """The farm-manager links of `user`, for an `Exists` on a farm: a farm's
    own managers do not review its page."""
    return Producer.managers.through.objects.filter(user_id=user.pk)


def moderation_queue(user, collective=None):
    """Pending changes of the farms supplying a collective `user` organises
    (only `collective` when given), oldest first, in one query. Each carries
    `reviewer_manages_farm`: true for a farm `user` manages, which another
    organiser must review."""
    return (
        ProfileSubmission.objects.filter(
            status=ProfileSubmission.Status.PENDING,
            producer__in=moderated_producer_ids(user, collective),
        )
        .annotate(
            reviewer_manages_farm=Exists(
                managed_by(user).filter(producer_id=OuterRef("producer_id"))
            )
        )
        .select_related("producer", "submitted_by")
        .order_by("submitted_at", "pk")
    )


def pending_change(producer: Producer) -> ProfileSubmission | None:
    return producer.profile_submissions.filter(
        status=ProfileSubmission.Status.PENDING
    ).first()


def last_review(producer: Producer) -> ProfileSubmission | None:
    """The latest reviewed change, so that the farm sees why it was refused."""
    return (
        producer.profile_submissions.exclude(status=ProfileSubmission.Status.PENDING)
        .order_by("-reviewed_at", "-pk")
        .first()
    )


def unpublished_commitments(producer_ids) -> dict[int, list[CharterCommitment]]:
    """Statements about the charter written but not approved yet, by farm, in
    one query."""
    by_farm: dict[int, list[CharterCommitment]] = {}
    rows = (
        CharterCommitment.objects.filter(producer__in=producer_ids)
        .waiting()
        .order_by("pk")
    )
    for commitment in rows:
        by_farm.setdefault(commitment.producer_id, []).append(commitment)
    return by_farm


def unpublished_products(producer_ids) -> dict[int, list[Product]]:
    """Products on sale whose public name, description or photo wait for
    approval, by farm, in one query."""
    by_farm: dict[int, list[Product]] = {}
    rows = (
        Product.objects.filter(producer__in=producer_ids)
        .waiting()
        .order_by("name", "pk")
    )
    for product in rows:
        by_farm.setdefault(product.producer_id, []).append(product)
    return by_farm
