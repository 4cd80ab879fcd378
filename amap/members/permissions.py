"""Who may see or change what, for collectives and memberships."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from .models import Collective, Membership


def organised_collectives(user):
    """The collectives `user` organises (all of them for a superuser)."""
    if not user.is_authenticated:
        return Collective.objects.none()
    if user.is_superuser:
        return Collective.objects.all()
    # A subquery, not a join: counts annotated by callers over `memberships`
    # must see every membership, not only the user's own.
    return Collective.objects.filter(
        pk__in=Membership.objects.organisers().filter(user=user).values("collective")
    )


def member_collectives(user):
    """The collectives `user` is an active member of (organisers included)."""
    if not user.is_authenticated:
        return Collective.objects.none()
    return Collective.objects.filter(
        memberships__user=user, memberships__status=Membership.Status.ACTIVE
    ).distinct()


def can_manage_collective(user, collective) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return (
        Membership.objects.organisers()
        .filter(user=user, collective=collective)
        .exists()
    )


def is_member(user, collective) -> bool:
    if not user.is_authenticated:
        return False
    return Membership.objects.active().filter(user=user, collective=collective).exists()


def require_organiser(user, collective) -> None:
    """For services: refuse anyone who does not organise `collective`."""
    if not can_manage_collective(user, collective):
        raise PermissionDenied(_("Only the collective's organisers can do this."))
