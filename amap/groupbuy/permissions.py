"""Who may see or change group purchases and wishes.

A campaign belongs to one or several collectives: their active members see
it once it is open and pledge; their organisers manage it (any organiser of
any of its collectives). Anything else answers 404.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from amap.members.permissions import member_collectives, organised_collectives

from .models import GroupPurchase, Wish


def visible_campaigns(user):
    """Campaigns a member may see: not drafts, of one of their collectives."""
    return GroupPurchase.objects.for_collectives(member_collectives(user)).exclude(
        status=GroupPurchase.Status.DRAFT
    )


def access_visible_campaign(user, pk) -> GroupPurchase:
    """A campaign the member may see, with its distribution and farm; 404
    otherwise, as for a missing one."""
    return get_object_or_404(
        visible_campaigns(user).select_related(
            "distribution__pickup_point", "producer"
        ),
        pk=pk,
    )


def managed_campaigns(user):
    """Campaigns an organiser manages, drafts included."""
    return GroupPurchase.objects.for_collectives(organised_collectives(user))


def can_manage_campaign(user, campaign) -> bool:
    return managed_campaigns(user).filter(pk=campaign.pk).exists()


def require_campaign_organiser(user, campaign) -> None:
    """The check every service that changes a campaign starts with."""
    if not can_manage_campaign(user, campaign):
        raise PermissionDenied(
            _("Only the organisers of its collectives can change this group purchase.")
        )


def visible_wishes(user):
    return Wish.objects.filter(collective__in=member_collectives(user))
