"""Who may see or change pickup points, cycles, distributions and shifts.

Each helper returns a queryset scoped to the user, so a view that looks an
object up through it answers 404 for somebody else's object.
"""

from django.shortcuts import get_object_or_404

from amap.members.permissions import member_collectives, organised_collectives

from .models import Distribution, OrderCycle, PickupPoint, Shift


def organised_pickup_points(user):
    return PickupPoint.objects.filter(collective__in=organised_collectives(user))


def organised_cycles(user):
    return OrderCycle.objects.filter(collective__in=organised_collectives(user))


def organised_distributions(user):
    return Distribution.objects.filter(
        cycle__collective__in=organised_collectives(user)
    )


def organised_shifts(user):
    return Shift.objects.filter(
        distribution__cycle__collective__in=organised_collectives(user)
    )


def member_distributions(user):
    """Distributions of the collectives the user is an active member of."""
    return Distribution.objects.filter(cycle__collective__in=member_collectives(user))


def member_shifts(user):
    return Shift.objects.filter(
        distribution__cycle__collective__in=member_collectives(user)
    )


def access_organised_distribution(user, pk) -> Distribution:
    """A distribution of a collective `user` organises; 404 otherwise."""
    return get_object_or_404(
        organised_distributions(user).select_related(
            "cycle__collective", "pickup_point"
        ),
        pk=pk,
    )
