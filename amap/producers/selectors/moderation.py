"""Reads for the moderation of farms' public pages: the queue an organiser
reviews, and a farm's waiting and last reviewed changes."""

from django.db.models import Exists, OuterRef

from amap.members.permissions import organised_collectives

from ..models import CharterCommitment, Partnership, Producer, ProfileSubmission


def moderated_producer_ids(user, collective=None):
    """The farms supplying (actively) a collective `user` organises."""
    collectives = organised_collectives(user)
    if collective is not None:
        collectives = collectives.filter(pk=collective.pk)
    return (
        Partnership.objects.current()
        .filter(collective__in=collectives)
        .values("producer")
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
