"""The accounts managing a farm: nobody becomes a manager without accepting.

Naming someone (when an organiser creates a farm, or a manager asks a
co-manager) sends an invitation to that address; the account of that
address, once confirmed, accepts it (`members.services.check_can_accept`).
The answer is the same whether or not an account uses the address.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from amap.background import enqueue_on_commit
from amap.emails import send_templated_email
from amap.members.permissions import organised_collectives
from amap.members.services import check_can_accept

from ..models import ManagerInvitation, Partnership, Producer
from ..permissions import can_manage_producer

User = get_user_model()
EMAIL_TASK = "amap.producers.tasks.send_manager_invitation_email_task"


def can_invite_managers(user, producer: Producer) -> bool:
    """Its managers may ask a co-manager; while it has none, the organisers
    of a collective it supplies may (the farm they created for it)."""
    if can_manage_producer(user, producer):
        return True
    return (
        not producer.managers.exists()
        and Partnership.objects.current()
        .filter(producer=producer, collective__in=organised_collectives(user))
        .exists()
    )


def send_manager_invitation(
    *, producer: Producer, email: str, invited_by
) -> ManagerInvitation:
    """Invite `email` to manage `producer`, without saying whether an account
    uses it. A pending invitation to the same address is sent again; an
    expired one makes way for a new one. Call inside a transaction, after the
    permission check."""
    email = User.objects.normalize_email(email.strip()).lower()
    pending = ManagerInvitation.objects.pending().filter(
        producer=producer, email__iexact=email
    )
    pending.filter(expires_at__lte=timezone.now()).update(cancelled_at=timezone.now())
    invitation = pending.filter(expires_at__gt=timezone.now()).first()
    if invitation is None:
        invitation = ManagerInvitation(
            producer=producer, email=email, invited_by=invited_by
        )
        invitation.full_clean()
        invitation.save()
    enqueue_on_commit(EMAIL_TASK, invitation.pk)
    return invitation


@transaction.atomic
def invite_manager(*, producer: Producer, email: str, invited_by) -> ManagerInvitation:
    """Invite `email` to manage `producer` (see `can_invite_managers`)."""
    if not can_invite_managers(invited_by, producer):
        raise PermissionDenied(
            _("Only the accounts managing this farm can invite another one.")
        )
    return send_manager_invitation(
        producer=producer, email=email, invited_by=invited_by
    )


def send_manager_invitation_email(*, invitation_id: int) -> None:
    invitation = (
        ManagerInvitation.objects.pending()
        .select_related("producer", "invited_by")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None:
        return
    send_templated_email(
        template="emails/producers/manager_invitation",
        to=[invitation.email],
        context={"invitation": invitation, "producer": invitation.producer},
    )


def check_can_accept_management(invitation: ManagerInvitation, user) -> None:
    """Only the person invited, logged in with the confirmed address, and
    while the invitation is open."""
    check_can_accept(
        invitation,
        user,
        expired_message=_(
            "This invitation has expired. Ask whoever sent it to send you a new one."
        ),
    )


@transaction.atomic
def accept_manager_invitation(*, invitation: ManagerInvitation, user) -> Producer:
    """`user` becomes one of the farm's managers."""
    invitation = ManagerInvitation.objects.select_for_update().get(pk=invitation.pk)
    check_can_accept_management(invitation, user)
    invitation.producer.managers.add(user)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return invitation.producer
