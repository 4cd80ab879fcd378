"""Money members pay organisers for what the allocation gave them."""

from __future__ import annotations

import logging
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from amap.money import ZERO, format_euros
from amap.orders.models import PaymentMethod

from ..models import GroupPurchase, Payment
from ..selectors.campaigns import SETTLED_STATUSES, member_amount
from .campaigns import lock_campaign_for, refuse_unless, touch_sheet

logger = logging.getLogger(__name__)


@transaction.atomic
def record_payment(
    *,
    campaign: GroupPurchase,
    member,
    amount: Decimal,
    method: str,
    received_by,
    reference: str = "",
    received_at: datetime | None = None,
) -> Payment:
    """Money received from a member for their allocation; never more than
    what is still due."""
    campaign = lock_campaign_for(received_by, campaign)
    refuse_unless(
        campaign,
        *SETTLED_STATUSES,
        message=_("Payments are recorded once the group purchase is allocated."),
    )
    errors = {}
    if method not in PaymentMethod.values:
        errors["method"] = _("Choose how the money was received.")
    reference = (reference or "").strip()
    if len(reference) > 100:
        errors["reference"] = _("A reference has at most 100 characters.")
    owed = member_amount(campaign, member)
    paid = sum(
        Payment.objects.filter(
            campaign=campaign, member=member, cancelled_at__isnull=True
        ).values_list("amount", flat=True),
        ZERO,
    )
    due = owed - paid
    if amount is None or amount <= 0:
        errors["amount"] = _("The amount must be positive.")
    elif owed == 0:
        errors["amount"] = _(
            "This member was allocated nothing in this group purchase."
        )
    elif amount > due:
        errors["amount"] = _("This is more than the %(due)s still due.") % {
            "due": format_euros(due)
        }
    if errors:
        raise ValidationError(errors)
    payment = Payment(
        campaign=campaign,
        member=member,
        amount=amount,
        method=method,
        reference=reference,
        received_at=received_at or timezone.now(),
        recorded_by=received_by,
    )
    payment.full_clean()
    payment.save()
    touch_sheet(payment.campaign)
    return payment


@transaction.atomic
def cancel_payment(*, payment: Payment, cancelled_by, now=None) -> Payment:
    """Undo a payment recorded by mistake; it stays in the history."""
    lock_campaign_for(cancelled_by, payment.campaign)
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.cancelled_at is not None:
        raise ValidationError(
            _("This payment is already cancelled."), code="already_cancelled"
        )
    payment.cancelled_at = now or timezone.now()
    payment.save(update_fields=["cancelled_at"])
    logger.info(
        "Group purchase payment %s cancelled by user %s", payment.pk, cancelled_by.pk
    )
    touch_sheet(payment.campaign)
    return payment
