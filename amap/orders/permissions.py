"""Who may see or change orders, contracts, subscriptions, absences, payments."""

from amap.members.permissions import organised_collectives

from .models import Absence, Contract, Order, Subscription


def member_orders(user):
    if not user.is_authenticated:
        return Order.objects.none()
    return Order.objects.filter(member=user)


def member_subscriptions(user):
    if not user.is_authenticated:
        return Subscription.objects.none()
    return Subscription.objects.filter(member=user)


def member_absences(user):
    if not user.is_authenticated:
        return Absence.objects.none()
    return Absence.objects.filter(member=user)


def organised_orders(user):
    return Order.objects.filter(
        distribution__cycle__collective__in=organised_collectives(user)
    )


def organised_contracts(user):
    return Contract.objects.filter(collective__in=organised_collectives(user))


def organised_subscriptions(user):
    return Subscription.objects.filter(
        contract__collective__in=organised_collectives(user)
    )
