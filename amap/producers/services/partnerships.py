"""A farm's partnerships with the network's collectives.

A collective's organisers propose a partnership; the farm's managers accept
or decline it. Only an accepted partnership is `active`: the farm then
appears in the collective (ordering, contracts, sheets, maps) and the
collective's organisers moderate its public page. Organisers withdraw a
proposal still waiting, choose the référent, end a partnership and propose
it again; a farm declines, and may be asked again later.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from amap.background import enqueue_on_commit
from amap.emails import send_templated_email
from amap.members.models import Collective, Membership
from amap.members.permissions import require_organiser

from ..models import Partnership, Producer
from ..permissions import require_producer_manager

PROPOSAL_EMAIL_TASK = "amap.producers.tasks.send_partnership_proposal_email_task"


def _names(partnership: Partnership) -> dict:
    return {
        "producer": partnership.producer.name,
        "collective": partnership.collective.name,
    }


def _is_organiser(person, collective: Collective) -> bool:
    return (
        Membership.objects.organisers()
        .filter(user=person, collective=collective)
        .exists()
    )


def _check_referent(referent, collective: Collective) -> None:
    if referent is None:
        return
    if not _is_organiser(referent, collective):
        raise ValidationError(
            {
                "referent": _(
                    "%(person)s is not an active organiser of %(collective)s; "
                    "choose the référent among its organisers."
                )
                % {"person": referent, "collective": collective.name}
            }
        )


def _locked(partnership: Partnership) -> Partnership:
    return (
        Partnership.objects.select_for_update()
        .select_related("producer", "collective")
        .get(pk=partnership.pk)
    )


def _already_proposed(names: dict) -> ValidationError:
    return ValidationError(
        {
            "producer": _(
                "%(collective)s has already proposed a partnership to "
                "%(producer)s; it is waiting for the farm's answer."
            )
            % names
        }
    )


def _check_can_be_proposed(producer: Producer, names: dict) -> None:
    if not producer.active:
        raise ValidationError(
            {"producer": _("%(producer)s no longer sells through the network.") % names}
        )
    if not producer.managers.exists():
        raise ValidationError(
            {
                "producer": _(
                    "No account manages %(producer)s yet, so nobody can accept "
                    "the proposal. It can be proposed once its producer has "
                    "accepted the invitation to manage it."
                )
                % names
            }
        )


def _open_proposal(partnership: Partnership, *, proposed_by, referent) -> Partnership:
    """Make the (locked) row a new proposal and tell the farm's managers."""
    names = _names(partnership)
    if partnership.active:
        raise ValidationError(
            {"producer": _("%(producer)s already supplies %(collective)s.") % names}
        )
    if partnership.pk is not None and partnership.is_proposed:
        raise _already_proposed(names)
    _check_can_be_proposed(partnership.producer, names)
    partnership.status = Partnership.Status.PROPOSED
    partnership.proposed_by = proposed_by
    partnership.proposed_at = timezone.now()
    partnership.answered_by = None
    partnership.answered_at = None
    partnership.referent = referent
    partnership.save()
    enqueue_on_commit(PROPOSAL_EMAIL_TASK, partnership.pk)
    return partnership


@transaction.atomic
def propose_partnership(
    *,
    producer: Producer,
    collective: Collective,
    proposed_by,
    referent=None,
) -> Partnership:
    """`collective` asks `producer` to supply it, followed by `referent`.

    The farm's managers are told by email and answer with
    `accept_partnership` or `decline_partnership`; until then the farm is
    not in the collective. A declined, withdrawn or ended partnership is
    proposed again on the same row.
    """
    require_organiser(proposed_by, collective)
    _check_referent(referent, collective)
    existing = (
        Partnership.objects.select_for_update()
        .select_related("producer", "collective")
        .filter(producer=producer, collective=collective)
        .first()
    )
    if existing is None:
        existing = Partnership(producer=producer, collective=collective)
    try:
        with transaction.atomic():
            return _open_proposal(existing, proposed_by=proposed_by, referent=referent)
    except IntegrityError:  # another organiser proposed it meanwhile
        raise _already_proposed(
            {"producer": producer.name, "collective": collective.name}
        ) from None


def send_partnership_proposal_email(*, partnership_id: int) -> None:
    """Tell each manager of the farm about a proposal still waiting."""
    partnership = (
        Partnership.objects.proposed()
        .select_related("producer", "collective", "proposed_by")
        .filter(pk=partnership_id)
        .first()
    )
    if partnership is None:
        return
    for email in partnership.producer.managers.order_by("email").values_list(
        "email", flat=True
    ):
        send_templated_email(
            template="emails/producers/partnership_proposed",
            to=[email],
            context={
                "partnership": partnership,
                "producer": partnership.producer,
                "collective": partnership.collective,
            },
        )


def _locked_proposal(partnership: Partnership) -> Partnership:
    partnership = _locked(partnership)
    if not partnership.is_proposed:
        raise ValidationError(
            _(
                "This proposal from %(collective)s is no longer waiting for an "
                "answer: it was withdrawn or already answered."
            )
            % _names(partnership)
        )
    return partnership


def _answer(partnership: Partnership, status: str, answered_by) -> None:
    partnership.status = status
    partnership.answered_by = answered_by
    partnership.answered_at = timezone.now()


@transaction.atomic
def accept_partnership(partnership: Partnership, *, accepted_by) -> Partnership:
    """The farm (one of its managers) agrees to supply the collective, from
    today; its organisers moderate the farm's public page from now on."""
    require_producer_manager(accepted_by, partnership.producer)
    partnership = _locked_proposal(partnership)
    if not partnership.producer.active:
        raise ValidationError(
            _("%(producer)s no longer sells through the network.") % _names(partnership)
        )
    _answer(partnership, Partnership.Status.ACCEPTED, accepted_by)
    partnership.active = True
    partnership.since = timezone.localdate()
    if partnership.referent_id is not None and not _is_organiser(
        partnership.referent, partnership.collective
    ):
        partnership.referent = None
    partnership.save()
    return partnership


@transaction.atomic
def decline_partnership(partnership: Partnership, *, declined_by) -> Partnership:
    """The farm does not supply the collective; it may be asked again later."""
    require_producer_manager(declined_by, partnership.producer)
    partnership = _locked_proposal(partnership)
    _answer(partnership, Partnership.Status.DECLINED, declined_by)
    partnership.save()
    return partnership


@transaction.atomic
def withdraw_partnership(partnership: Partnership, *, withdrawn_by) -> Partnership:
    """The collective's organisers take back a proposal the farm has not
    answered yet."""
    require_organiser(withdrawn_by, partnership.collective)
    partnership = _locked_proposal(partnership)
    partnership.status = Partnership.Status.WITHDRAWN
    partnership.save(update_fields=["status"])
    return partnership


def accept_on_creation(*, producer: Producer, collective: Collective, created_by):
    """The partnership of a farm an organiser creates for their own collective:
    accepted at once, since there is no one yet to ask (its managers are
    invited; see docs/decisions.md)."""
    require_organiser(created_by, collective)
    now = timezone.now()
    return Partnership.objects.create(
        producer=producer,
        collective=collective,
        referent=created_by if _is_organiser(created_by, collective) else None,
        since=timezone.localdate(),
        active=True,
        status=Partnership.Status.ACCEPTED,
        proposed_by=created_by,
        proposed_at=now,
        answered_at=now,
    )


@transaction.atomic
def set_partnership_referent(
    partnership: Partnership, *, referent, changed_by
) -> Partnership:
    """Make `referent` (an active organiser, or None) the partnership's référent."""
    require_organiser(changed_by, partnership.collective)
    partnership = _locked(partnership)
    _check_referent(referent, partnership.collective)
    partnership.referent = referent
    partnership.save(update_fields=["referent"])
    return partnership


@transaction.atomic
def end_partnership(partnership: Partnership, *, ended_by) -> Partnership:
    """The producer stops supplying the collective; the partnership stays on
    record, ended, and can be proposed again."""
    require_organiser(ended_by, partnership.collective)
    partnership = _locked(partnership)
    if not partnership.active:
        raise ValidationError(
            _("%(producer)s already no longer supplies %(collective)s.")
            % _names(partnership)
        )
    partnership.active = False
    partnership.save(update_fields=["active"])
    return partnership


@transaction.atomic
def renew_partnership(partnership: Partnership, *, renewed_by) -> Partnership:
    """Propose an ended, declined or withdrawn partnership again: the farm
    answers as for a first proposal. A référent who no longer organises the
    collective is forgotten."""
    require_organiser(renewed_by, partnership.collective)
    partnership = _locked(partnership)
    referent = partnership.referent
    if referent is not None and not _is_organiser(referent, partnership.collective):
        referent = None
    try:
        return _open_proposal(partnership, proposed_by=renewed_by, referent=referent)
    except ValidationError as error:
        # The button has no field: the message alone.
        raise ValidationError(error.messages) from None
