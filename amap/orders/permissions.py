"""Who may see or change orders, contracts, subscriptions, absences, payments."""

from amap.members.permissions import organised_collectives

from .models import Absence, Order, Subscription


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


def organised_subscriptions(user):
    return Subscription.objects.filter(
        contract__collective__in=organised_collectives(user)
    )
