"""Who may see or change producers, their catalogue and their stock.

A producer's own pages are reached through `managed_producers(user)`: a farm
the user does not manage answers 404, the same as a missing one.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from amap.members.permissions import organised_collectives

from .models import Partnership, Producer, Product, ProfileSubmission


def managed_producers(user):
    """The producers the user manages (all of them for a superuser)."""
    if not user.is_authenticated:
        return Producer.objects.none()
    if user.is_superuser:
        return Producer.objects.all()
    return Producer.objects.filter(managers=user)


def can_manage_producer(user, producer) -> bool:
    return managed_producers(user).filter(pk=producer.pk).exists()


def require_producer_manager(user, producer) -> None:
    """The check every service that changes a farm starts with."""
    if not can_manage_producer(user, producer):
        raise PermissionDenied(_("Only the accounts managing this farm can do this."))


def managed_products(user):
    return Product.objects.filter(producer__in=managed_producers(user))


def access_managed_producer(user, slug) -> Producer:
    """The farm if `user` manages it; 404 otherwise, as for a missing one."""
    return get_object_or_404(managed_producers(user), slug=slug)


def access_managed_product(user, pk) -> Product:
    """The product if `user` manages its farm; 404 otherwise."""
    return get_object_or_404(managed_products(user).select_related("producer"), pk=pk)


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


def reviewable_producers(user):
    """The farms whose waiting or refused changes (and their files) `user` may
    see: those they manage and those they moderate."""
    if not user.is_authenticated:
        return Producer.objects.none()
    return Producer.objects.filter(
        Q(pk__in=managed_producers(user).values("pk"))
        | Q(pk__in=moderated_producer_ids(user))
    )


def access_reviewable_submission(user, pk) -> ProfileSubmission:
    """A farm's change (waiting, approved or refused) if `user` manages or
    moderates the farm; 404 otherwise."""
    return get_object_or_404(
        ProfileSubmission.objects.filter(producer__in=reviewable_producers(user)),
        pk=pk,
    )


def access_reviewable_product(user, pk) -> Product:
    """A product if `user` manages or moderates its farm; 404 otherwise."""
    return get_object_or_404(
        Product.objects.filter(producer__in=reviewable_producers(user)), pk=pk
    )
