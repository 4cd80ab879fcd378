"""Who may see or change producers, their catalogue and their stock.

A producer's own pages are reached through `managed_producers(user)`: a farm
the user does not manage answers 404, the same as a missing one.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from .models import Producer, Product


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
