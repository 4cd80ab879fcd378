"""Moderation of farms' public pages.

The name, activity, description and photo a visitor reads on the public site
are the approved ones, stored on the `Producer`. A manager's change to them is
a `ProfileSubmission` (at most one waiting per farm); an organiser of a
collective the farm supplies approves it (the text is copied onto the farm,
and a farm never approved before becomes public) or rejects it with a comment
saying why. Both tell the farm's managers by email; a new submission tells the
organisers who can review it. An organiser who also manages the farm cannot
review its page: someone outside the farm reads every page before it goes
public.

A farm's statements about the charter's commitments are public text too:
each `CharterCommitment` keeps the approved `published_statement` beside
the farm's latest `statement`, and a difference puts the farm in the queue
through the same submission.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.text import get_text_list
from django.utils.translation import gettext as _

from amap.background import enqueue_on_commit
from amap.emails import send_templated_email
from amap.members.models import Membership

from ..models import Partnership, Producer, ProfileSubmission
from ..permissions import require_producer_manager
from ..selectors.moderation import managed_by, moderated_producer_ids

PUBLIC_FIELDS = ("name", "activity", "description")
MODERATED_FIELDS = (*PUBLIC_FIELDS, "photo")


def can_moderate(user, submission: ProfileSubmission) -> bool:
    return ProfileSubmission.objects.filter(
        pk=submission.pk, producer__in=moderated_producer_ids(user)
    ).exists()


def _has_unpublished_commitments(producer: Producer) -> bool:
    return producer.charter_commitments.waiting().exists()


def _changes(producer: Producer, proposed: dict) -> dict:
    """What `proposed` changes to the approved page; a new photo always does."""
    return {
        field: value
        for field, value in proposed.items()
        if (value if field == "photo" else value != getattr(producer, field))
    }


@transaction.atomic
def submit_profile_change(
    *,
    producer: Producer,
    submitted_by,
    name: str,
    activity: str = "",
    description: str = "",
    photo=None,
) -> ProfileSubmission | None:
    """Propose new public text (and photo) for the farm.

    It replaces a change still waiting, so there is at most one per farm. A
    proposal identical to the approved page withdraws the waiting change and
    returns None: there is nothing left to review.
    """
    require_producer_manager(submitted_by, producer)
    waiting = (
        ProfileSubmission.objects.select_for_update()
        .filter(producer=producer, status=ProfileSubmission.Status.PENDING)
        .first()
    )
    proposed = {"name": name, "activity": activity, "description": description}
    if photo:
        proposed["photo"] = photo
    keeps_waiting_photo = waiting is not None and waiting.photo and not photo
    if (
        not _changes(producer, proposed)
        and not keeps_waiting_photo
        and not _has_unpublished_commitments(producer)
    ):
        if waiting is not None:
            waiting.delete()
        return None
    return _save_submission(waiting, producer, submitted_by, proposed)


def _save_submission(waiting, producer, submitted_by, proposed) -> ProfileSubmission:
    submission = waiting or ProfileSubmission(producer=producer)
    for field, value in proposed.items():
        setattr(submission, field, value)
    submission.submitted_by = submitted_by
    submission.submitted_at = timezone.now()
    exclude = ["producer", "submitted_by", "reviewed_by"]
    if submission.description == producer.description:
        # Text approved before its length was limited is not checked again:
        # the farm may change its name or statements without rewriting it.
        exclude.append("description")
    submission.full_clean(exclude=exclude)
    submission.save()
    if waiting is None:
        enqueue_on_commit(
            "amap.producers.tasks.send_submission_notice_task", submission.pk
        )
    return submission


@transaction.atomic
def request_commitments_review(*, producer: Producer, submitted_by):
    """After the farm changed its statements about the charter: put it in the
    queue if some statement is not approved yet (keeping a waiting change of
    its text), or withdraw a waiting change that no longer changes anything."""
    require_producer_manager(submitted_by, producer)
    waiting = (
        ProfileSubmission.objects.select_for_update()
        .filter(producer=producer, status=ProfileSubmission.Status.PENDING)
        .first()
    )
    if _has_unpublished_commitments(producer):
        proposed = (
            {}
            if waiting is not None
            else {field: getattr(producer, field) for field in PUBLIC_FIELDS}
        )
        return _save_submission(waiting, producer, submitted_by, proposed)
    if waiting is not None and not waiting.photo:
        text = {field: getattr(waiting, field) for field in PUBLIC_FIELDS}
        if not _changes(producer, text):
            waiting.delete()
            return None
    return waiting


def _locked_pending(submission: ProfileSubmission, *, reviewed_by) -> ProfileSubmission:
    if not can_moderate(reviewed_by, submission):
        raise PermissionDenied(
            _("Only organisers of a collective this farm supplies can review it.")
        )
    submission = (
        ProfileSubmission.objects.select_for_update()
        .select_related("producer")
        .get(pk=submission.pk)
    )
    if submission.status != ProfileSubmission.Status.PENDING:
        raise ValidationError(_("This change has already been reviewed."))
    if managed_by(reviewed_by).filter(producer_id=submission.producer_id).exists():
        raise ValidationError(
            _(
                "You manage this farm: another organiser must review its page, "
                "so that someone outside the farm reads it before it goes public."
            )
        )
    return submission


def _close(submission, *, status, reviewed_by, comment) -> None:
    submission.status = status
    submission.reviewed_by = reviewed_by
    submission.reviewed_at = timezone.now()
    submission.comment = comment
    submission.save(update_fields=["status", "reviewed_by", "reviewed_at", "comment"])
    enqueue_on_commit("amap.producers.tasks.send_moderation_email_task", submission.pk)


@transaction.atomic
def approve_profile_change(
    submission: ProfileSubmission, *, reviewed_by, comment: str = ""
) -> ProfileSubmission:
    """Publish the change on the farm's page and tell its managers."""
    submission = _locked_pending(submission, reviewed_by=reviewed_by)
    producer = Producer.objects.select_for_update().get(pk=submission.producer_id)
    for field in PUBLIC_FIELDS:
        setattr(producer, field, getattr(submission, field))
    fields = list(PUBLIC_FIELDS)
    if submission.photo:
        producer.photo = submission.photo.name
        fields.append("photo")
    if producer.published_at is None:
        producer.published_at = timezone.now()
        fields.append("published_at")
    producer.save(update_fields=fields)
    producer.charter_commitments.waiting().update(published_statement=F("statement"))
    _close(
        submission,
        status=ProfileSubmission.Status.APPROVED,
        reviewed_by=reviewed_by,
        comment=comment.strip(),
    )
    return submission


@transaction.atomic
def reject_profile_change(
    submission: ProfileSubmission, *, reviewed_by, comment: str
) -> ProfileSubmission:
    """Refuse the change (a comment saying why is required) and tell the managers."""
    if not comment.strip():
        raise ValidationError(
            {"comment": _("Say why, so that the farm can correct its page.")}
        )
    submission = _locked_pending(submission, reviewed_by=reviewed_by)
    _close(
        submission,
        status=ProfileSubmission.Status.REJECTED,
        reviewed_by=reviewed_by,
        comment=comment.strip(),
    )
    return submission


def send_moderation_email(*, submission_id: int) -> None:
    """Tell the farm's managers that their change was approved or rejected."""
    submission = (
        ProfileSubmission.objects.select_related("producer")
        .filter(pk=submission_id)
        .exclude(status=ProfileSubmission.Status.PENDING)
        .first()
    )
    if submission is None:
        return
    recipients = list(submission.producer.managers.values_list("email", flat=True))
    if not recipients:
        return
    send_templated_email(
        template="emails/producers/profile_reviewed",
        to=recipients,
        context={"submission": submission, "producer": submission.producer},
    )


# "A, B and C" in the email's language: joined when the template renders.
_names_list = lazy(lambda names: get_text_list(names, _("and")), str)


def send_submission_notice(*, submission_id: int) -> None:
    """Tell the organisers of the collectives the farm supplies that a change
    waits for them, once each, with a link to each of their collectives' queue."""
    submission = (
        ProfileSubmission.objects.select_related("producer")
        .filter(pk=submission_id, status=ProfileSubmission.Status.PENDING)
        .first()
    )
    if submission is None:
        return
    organisers = (
        Membership.objects.organisers()
        .filter(
            collective__partnerships__producer=submission.producer_id,
            collective__partnerships__active=True,
            collective__partnerships__status=Partnership.Status.ACCEPTED,
        )
        .exclude(user__managed_producers=submission.producer_id)
        .select_related("user", "collective")
        .order_by("collective__name", "user__email")
    )
    by_person: dict[int, list] = {}
    emails: dict[int, str] = {}
    for membership in organisers:
        by_person.setdefault(membership.user_id, []).append(membership.collective)
        emails[membership.user_id] = membership.user.email
    for user_id, collectives in by_person.items():
        # One email per person, with the queue of each collective they organise.
        send_templated_email(
            template="emails/producers/profile_submitted",
            to=[emails[user_id]],
            context={
                "submission": submission,
                "producer": submission.producer,
                "collectives": collectives,
                "collective_names": _names_list([c.name for c in collectives]),
            },
        )
