"""Demo orders: most members booked in the last weeks' cycles and the open one."""

import random
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import F
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from amap.distribution.models import Distribution, OrderCycle, UsualPickupPoint
from amap.members.models import Membership
from amap.money import ZERO, line_amount
from amap.producers.models import Offer, Partnership, Product


def _quantity_for(product: Product, rng: random.Random) -> Decimal:
    if product.unit == Product.Unit.KG:
        step = product.weight_step or Decimal("0.5")
        return step * rng.randint(1, 4)
    return Decimal(rng.randint(1, 3))


def build_orders(*, collectives: dict, past_cycles: int = 4) -> int:
    """Orders for about two thirds of the members in the recent and open cycles.

    Offers are created for past cycles that have none (the catalogue demo only
    covers the coming ones). Idempotent: a cycle that already has orders is
    left alone. Returns the number of orders created.
    """
    from .models import Order, OrderLine

    rng = random.Random(5)
    now = timezone.now()
    created = 0
    for collective in collectives.values():
        past = list(
            OrderCycle.objects.filter(
                collective=collective, closes_at__lte=now
            ).order_by("-closes_at")[:past_cycles]
        )
        cycles = past + list(OrderCycle.objects.filter(collective=collective).open(now))
        products = list(
            Product.objects.active()
            .filter(
                producer__partnerships__collective=collective,
                producer__partnerships__active=True,
                producer__partnerships__status=Partnership.Status.ACCEPTED,
            )
            .exclude(category=Product.Category.BASKET)
        )
        if not products:
            continue
        members = list(
            Membership.objects.active()
            .filter(collective=collective)
            .values_list("user_id", flat=True)
        )
        people = get_user_model().objects.in_bulk(members)
        usual = dict(
            UsualPickupPoint.objects.filter(collective=collective).values_list(
                "user_id", "pickup_point_id"
            )
        )
        for cycle in cycles:
            if Order.objects.filter(distribution__cycle=cycle).exists():
                continue
            distributions = {
                d.pickup_point_id: d
                for d in Distribution.objects.filter(cycle=cycle, cancelled=False)
            }
            if not distributions:
                continue
            existing = {o.product_id: o for o in Offer.objects.filter(cycle=cycle)}
            Offer.objects.bulk_create(
                [
                    Offer(
                        product=p,
                        cycle=cycle,
                        price=p.price,
                        quantity_available=(p.usual_quantity or Decimal("30")) * 2,
                    )
                    for p in products
                    if p.pk not in existing
                ]
            )
            offers = list(
                Offer.objects.filter(cycle=cycle, product__in=products).select_related(
                    "product"
                )
            )
            booked = {offer.pk: offer.booked for offer in offers}
            orders, lines = [], []
            for user_id in members:
                if rng.random() > 0.65:
                    continue
                distribution = distributions.get(usual.get(user_id)) or next(
                    iter(distributions.values())
                )
                order = Order(member_id=user_id, distribution=distribution)
                # Their history says they booked on the cycle's first day.
                order._history_user = people[user_id]
                order._history_date = min(now, cycle.opens_at + timedelta(days=1))
                chosen = rng.sample(offers, min(len(offers), rng.randint(2, 5)))
                order_lines = []
                for offer in chosen:
                    quantity = _quantity_for(offer.product, rng)
                    available = offer.quantity_available
                    if (
                        available is not None
                        and booked[offer.pk] + quantity > available
                    ):
                        continue
                    booked[offer.pk] += quantity
                    amount = line_amount(quantity, offer.price)
                    order_lines.append(
                        OrderLine(
                            order=order,
                            offer=offer,
                            quantity=quantity,
                            unit_price=offer.price,
                            amount=amount,
                        )
                    )
                    order_lines[-1]._history_user = order._history_user
                    order_lines[-1]._history_date = order._history_date
                if not order_lines:
                    continue
                order.total = sum((line.amount for line in order_lines), ZERO)
                orders.append(order)
                lines.extend(order_lines)
            bulk_create_with_history(orders, Order)
            for line in lines:
                line.order_id = line.order.pk
            bulk_create_with_history(lines, OrderLine)
            for offer in offers:
                offer.booked = booked[offer.pk]
            Offer.objects.bulk_update(offers, ["booked"])
            created += len(orders)
    return created


def record_past_closings(collectives) -> int:
    """History for the demo: the cycles whose deadline has passed were closed
    on time and their farms got their picking lists then, as on a network
    that has run for weeks. Without it, the task worker's first run (`make
    run`) would close them all at once and email dozens of picking lists.
    Returns the number of cycles recorded as closed."""
    from .models import PickingListSent
    from .picking import _cycles_to_send

    now = timezone.now()
    due = OrderCycle.objects.due_for_closing(now).filter(
        collective__in=list(collectives.values())
    )
    cycles = list(due)
    for cycle in cycles:
        cycle.closed_at = cycle.closes_at
    OrderCycle.objects.bulk_update(cycles, ["closed_at"])
    closed = {cycle.pk for cycle in cycles}
    PickingListSent.objects.bulk_create(
        [
            PickingListSent(producer_id=producer_id, cycle_id=cycle_id)
            for producer_id, cycle_id in _cycles_to_send(now)
            if cycle_id in closed
        ],
        ignore_conflicts=True,
    )
    return len(cycles)


def build_history_examples(*, collective, member, organiser) -> bool:
    """A story for the organisers' "History" lists: the demo member changed
    their latest order of `collective` two days after the cycle opened (one
    product set to 0, one quantity changed) and paid part of it; an organiser
    undid an instalment payment recorded by mistake. The order's cycle is
    usually closed already, so its change is written as the booking service
    would have, with its date; the undo goes through the service.
    Idempotent; whether it wrote anything."""
    from .models import Instalment, Order, OrderPayment
    from .services.payments import cancel_instalment_payment

    in_collective = {"subscription__contract__collective": collective}
    if Instalment.history.filter(
        **in_collective, history_type="~", paid_at__isnull=True
    ).exists():
        return False
    order = (
        Order.objects.confirmed()
        .filter(member=member, distribution__cycle__collective=collective)
        .select_related("distribution__cycle")
        .order_by("-distribution__date")
        .first()
    )
    lines = list(order.lines.live().select_related("offer")) if order else []
    if len(lines) >= 2:
        when = min(timezone.now(), order.distribution.cycle.opens_at + timedelta(2))
        removed, changed = lines[0], lines[1]
        Offer.objects.filter(pk=removed.offer_id).update(
            booked=F("booked") - removed.quantity
        )
        removed.quantity = removed.amount = ZERO
        changed.quantity += 1
        Offer.objects.filter(pk=changed.offer_id).update(booked=F("booked") + 1)
        changed.amount = line_amount(changed.quantity, changed.unit_price)
        for line in (removed, changed):
            line._history_user, line._history_date = member, when
            line.save(update_fields=["quantity", "amount"])
        order.total = sum((line.amount for line in order.lines.live()), ZERO)
        order._history_user, order._history_date = member, when
        order.save(update_fields=["total", "updated_at"])
        payment = OrderPayment(
            order=order,
            amount=min(order.total, Decimal("5.00")),
            method="cash",
            received_at=when + timedelta(hours=1),
            recorded_by=organiser,
        )
        payment._history_user = organiser
        payment._history_date = payment.received_at
        payment.save()
    paid = (
        Instalment.objects.filter(**in_collective, paid_at__isnull=False)
        .order_by("due_date", "pk")
        .first()
    )
    if paid is not None:
        cancel_instalment_payment(instalment=paid, cancelled_by=organiser)
    return True
