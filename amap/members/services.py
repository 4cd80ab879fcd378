"""Every write about accounts, collectives and memberships."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from amap.background import enqueue_on_commit
from amap.emails import send_templated_email

from .models import Collective, Invitation, Membership
from .permissions import require_organiser

User = get_user_model()


def _activate(membership: Membership) -> None:
    membership.status = Membership.Status.ACTIVE
    membership.joined_on = membership.joined_on or timezone.localdate()


@transaction.atomic
def request_membership(
    *, user, collective: Collective, message: str = ""
) -> Membership:
    """Ask to join a collective; an organiser approves or declines the request."""
    if not collective.active:
        raise ValidationError(_("This collective is not accepting new members."))
    membership = (
        Membership.objects.select_for_update()
        .filter(user=user, collective=collective)
        .first()
    )
    if membership is None:
        try:
            with transaction.atomic():
                return Membership.objects.create(
                    user=user, collective=collective, message=message
                )
        except IntegrityError:
            # A double submit created it meanwhile: answer as for a second request.
            membership = Membership.objects.get(user=user, collective=collective)
    if membership.status == Membership.Status.ACTIVE:
        raise ValidationError(
            _("You are already a member of %(collective)s.")
            % {"collective": collective.name}
        )
    if membership.status == Membership.Status.PENDING:
        raise ValidationError(
            _("Your request to join %(collective)s is already waiting for approval.")
            % {"collective": collective.name}
        )
    membership.status = Membership.Status.PENDING
    membership.requested_at = timezone.now()
    membership.message = message
    membership.save(update_fields=["status", "requested_at", "message"])
    return membership


@transaction.atomic
def approve_membership(membership: Membership, *, approved_by) -> Membership:
    require_organiser(approved_by, membership.collective)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.status != Membership.Status.PENDING:
        raise ValidationError(_("This request has already been handled."))
    _activate(membership)
    membership.save(update_fields=["status", "joined_on"])
    return membership


@transaction.atomic
def decline_membership(membership: Membership, *, declined_by) -> Membership:
    require_organiser(declined_by, membership.collective)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.status != Membership.Status.PENDING:
        raise ValidationError(_("This request has already been handled."))
    membership.status = Membership.Status.DECLINED
    membership.save(update_fields=["status"])
    return membership


def _ensure_another_organiser(membership: Membership) -> None:
    """Refuse to leave a collective with no active organiser."""
    if not membership.is_organiser:
        return
    others = (
        Membership.objects.organisers()
        .select_for_update()
        .filter(collective_id=membership.collective_id)
        .exclude(pk=membership.pk)
    )
    if not list(others):
        raise ValidationError(
            _(
                "%(name)s is the last organiser of %(collective)s: make someone "
                "else organiser first."
            )
            % {"name": membership.user, "collective": membership.collective}
        )


@transaction.atomic
def set_membership_role(membership: Membership, *, role: str, changed_by) -> Membership:
    require_organiser(changed_by, membership.collective)
    if role not in Membership.Role.values:
        raise ValidationError(_("Unknown role."))
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.status != Membership.Status.ACTIVE:
        raise ValidationError(_("Only an active member can be given a role."))
    if membership.role == role:
        return membership
    if role == Membership.Role.MEMBER:
        _ensure_another_organiser(membership)
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def deactivate_membership(membership: Membership, *, deactivated_by) -> Membership:
    """End a membership; the history (orders, payments) stays attached to it."""
    require_organiser(deactivated_by, membership.collective)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.status != Membership.Status.ACTIVE:
        raise ValidationError(_("This membership is not active."))
    _ensure_another_organiser(membership)
    membership.status = Membership.Status.INACTIVE
    membership.save(update_fields=["status"])
    return membership


@transaction.atomic
def reactivate_membership(membership: Membership, *, reactivated_by) -> Membership:
    require_organiser(reactivated_by, membership.collective)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.status == Membership.Status.ACTIVE:
        raise ValidationError(_("This membership is already active."))
    _activate(membership)
    membership.save(update_fields=["status", "joined_on"])
    return membership


@transaction.atomic
def invite_member(
    *,
    collective: Collective,
    email: str,
    invited_by,
    role: str = Membership.Role.MEMBER,
) -> Invitation:
    """Invite someone by email; the email goes out after commit, from a task."""
    require_organiser(invited_by, collective)
    email = User.objects.normalize_email(email).lower()
    if (
        Membership.objects.active()
        .filter(collective=collective, user__email__iexact=email)
        .exists()
    ):
        raise ValidationError(
            {
                "email": _("%(email)s is already a member of this collective.")
                % {"email": email}
            }
        )
    if collective.invitations.pending().filter(email__iexact=email).exists():
        raise ValidationError(
            {
                "email": _("An invitation to %(email)s is already pending.")
                % {"email": email}
            }
        )
    invitation = Invitation(
        collective=collective, email=email, role=role, invited_by=invited_by
    )
    invitation.full_clean()
    invitation.save()
    enqueue_on_commit("amap.members.tasks.send_invitation_email_task", invitation.pk)
    return invitation


def send_invitation_email(*, invitation_id: int) -> None:
    invitation = (
        Invitation.objects.select_related("collective", "invited_by")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None or not invitation.is_pending:
        return
    send_templated_email(
        template="emails/members/invitation",
        to=[invitation.email],
        context={"invitation": invitation},
    )


@transaction.atomic
def cancel_invitation(invitation: Invitation, *, cancelled_by) -> Invitation:
    require_organiser(cancelled_by, invitation.collective)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_pending:
        raise ValidationError(_("This invitation is no longer pending."))
    invitation.cancelled_at = timezone.now()
    invitation.save(update_fields=["cancelled_at"])
    return invitation


@transaction.atomic
def accept_invitation(*, invitation: Invitation, user) -> Membership:
    """Join the invitation's collective, whatever state an earlier membership was in."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_pending:
        raise ValidationError(_("This invitation has already been used or cancelled."))
    membership, _created = Membership.objects.select_for_update().get_or_create(
        user=user,
        collective=invitation.collective,
        defaults={"role": invitation.role},
    )
    if membership.status != Membership.Status.ACTIVE:
        membership.role = invitation.role
    elif invitation.role == Membership.Role.ORGANISER:
        membership.role = Membership.Role.ORGANISER
    _activate(membership)
    membership.save()
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership
