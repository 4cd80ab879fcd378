"""Organisers running a group purchase: the campaign's own fields, and the
helpers every organiser's write shares (items.py, lifecycle.py, payments.py).

Every write locks the campaign row first (`lock_campaign`), as pledging does,
so a pledge is saved either before the allocation reads the pledges or not at
all.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from amap.distribution.hooks import sheet_touched_on_commit
from amap.distribution.models import Distribution
from amap.members.permissions import organised_collectives
from amap.money import ZERO
from amap.producers.models import MAX_PRICE, Partnership, Producer

from .. import allocation
from ..models import GroupPurchase
from ..permissions import require_campaign_organiser

Status = GroupPurchase.Status

# Fields an organiser may still change once members pledge.
CHANGEABLE_WHEN_OPEN = {
    "title",
    "description",
    "supplier_contact",
    "closes_at",
    "distribution",
    "minimum_order",
}
CAMPAIGN_FIELDS = (
    "title",
    "description",
    "producer",
    "supplier_name",
    "supplier_contact",
    "opens_at",
    "closes_at",
    "distribution",
    "minimum_order",
    "policy",
)


def lock_campaign(campaign: GroupPurchase) -> GroupPurchase:
    """The campaign row, locked until the end of the transaction: every
    organiser's write takes it first, as pledging does."""
    return GroupPurchase.objects.select_for_update().get(pk=campaign.pk)


def lock_campaign_for(user, campaign: GroupPurchase) -> GroupPurchase:
    """The campaign row locked (`lock_campaign`), then `user` checked to
    organise it."""
    campaign = lock_campaign(campaign)
    require_campaign_organiser(user, campaign)
    return campaign


def refuse_unless(campaign: GroupPurchase, *statuses: str, message: str) -> None:
    if campaign.status not in statuses:
        raise ValidationError(message, code="status")


def touch_sheet(campaign: GroupPurchase) -> None:
    """What members collect and owe changed: the stored sheet of the
    campaign's distribution is regenerated after commit."""
    if campaign.distribution_id:
        sheet_touched_on_commit(campaign.distribution_id)


Problems = list[tuple[str, str]]


def check_campaign(
    *,
    campaign: GroupPurchase,
    collective_ids: set[int],
    allowed_collective_ids: set[int],
    previous_collective_ids: set[int],
) -> None:
    """Every rule on the campaign's own fields; errors keyed by field."""
    problems = [
        *_collective_problems(
            collective_ids, allowed_collective_ids, previous_collective_ids
        ),
        *_title_problems(campaign),
        *_supplier_problems(campaign, collective_ids),
        *_date_and_minimum_problems(campaign),
        *_distribution_problems(campaign, collective_ids),
    ]
    errors: dict[str, list[str]] = {}
    for field, message in problems:
        errors.setdefault(field, []).append(message)
    if errors:
        raise ValidationError(errors)


def _collective_problems(
    collective_ids: set[int], allowed: set[int], previous: set[int]
) -> Problems:
    problems = []
    if not collective_ids:
        problems.append(("collectives", _("Choose at least one collective.")))
    if (collective_ids ^ previous) - allowed:
        problems.append(
            ("collectives", _("You can only add or remove collectives you organise."))
        )
    if collective_ids and not collective_ids & allowed:
        problems.append(
            ("collectives", _("Choose at least one collective you organise."))
        )
    return problems


def _title_problems(campaign: GroupPurchase) -> Problems:
    if not campaign.title.strip():
        return [("title", _("Give the group purchase a title."))]
    return []


def _supplier_problems(campaign: GroupPurchase, collective_ids: set[int]) -> Problems:
    """A producer of the network supplying one of the collectives, or an
    outside supplier's name: exactly one of them."""
    if campaign.producer_id and campaign.supplier_name.strip():
        return [
            (
                "supplier_name",
                _(
                    "Choose a producer of the network or name an outside supplier, "
                    "not both."
                ),
            )
        ]
    if not campaign.producer_id and not campaign.supplier_name.strip():
        return [
            (
                "supplier_name",
                _("Choose a producer of the network or name an outside supplier."),
            )
        ]
    if (
        campaign.producer_id
        # Accepted by the farm (current or ended since): not a mere proposal.
        and not Partnership.objects.filter(
            producer_id=campaign.producer_id,
            collective_id__in=collective_ids,
            status=Partnership.Status.ACCEPTED,
        ).exists()
    ):
        return [
            (
                "producer",
                _("This producer does not supply any of the chosen collectives."),
            )
        ]
    return []


def _date_and_minimum_problems(campaign: GroupPurchase) -> Problems:
    problems = []
    if (
        campaign.opens_at
        and campaign.closes_at
        and campaign.closes_at <= campaign.opens_at
    ):
        problems.append(("closes_at", _("Pledges must close after they open.")))
    if campaign.minimum_order is None or campaign.minimum_order < 0:
        problems.append(("minimum_order", _("The minimum order cannot be negative.")))
    elif campaign.minimum_order > MAX_PRICE:
        problems.append(("minimum_order", _("This minimum order is too large.")))
    return problems


def _distribution_problems(
    campaign: GroupPurchase, collective_ids: set[int]
) -> Problems:
    """The distribution, when chosen, is one of the collectives', not
    cancelled, and after pledges close."""
    if not campaign.distribution_id:
        return []
    distribution = Distribution.objects.select_related("cycle").get(
        pk=campaign.distribution_id
    )
    if distribution.cycle.collective_id not in collective_ids:
        message = _("Choose a distribution of one of the chosen collectives.")
    elif distribution.cancelled:
        message = _("This distribution is cancelled.")
    elif campaign.closes_at and distribution.start_datetime <= campaign.closes_at:
        message = _("The distribution must take place after pledges close.")
    else:
        return []
    return [("distribution", message)]


def _organised_ids(user, collectives: Iterable) -> tuple[set[int], set[int]]:
    ids = {getattr(c, "pk", c) for c in collectives}
    allowed = set(
        organised_collectives(user).filter(pk__in=ids).values_list("pk", flat=True)
    )
    return ids, allowed


@transaction.atomic
def create_campaign(
    *,
    created_by,
    collectives: Sequence,
    title: str,
    opens_at: datetime,
    closes_at: datetime,
    description: str = "",
    producer: Producer | None = None,
    supplier_name: str = "",
    supplier_contact: str = "",
    distribution: Distribution | None = None,
    minimum_order: Decimal = ZERO,
    policy: str = allocation.Policy.FAIR_SHARE,
    wish=None,
) -> GroupPurchase:
    """A draft campaign of collectives `created_by` organises."""
    campaign = GroupPurchase(
        title=title.strip(),
        description=description,
        producer=producer,
        supplier_name=supplier_name.strip(),
        supplier_contact=supplier_contact.strip(),
        opens_at=opens_at,
        closes_at=closes_at,
        distribution=distribution,
        minimum_order=minimum_order,
        policy=policy,
        wish=wish,
        created_by=created_by,
    )
    ids, allowed = _organised_ids(created_by, collectives)
    check_campaign(
        campaign=campaign,
        collective_ids=ids,
        allowed_collective_ids=allowed,
        previous_collective_ids=set(),
    )
    campaign.full_clean(exclude=["collectives", "created_by"])
    campaign.save()
    campaign.collectives.set(ids)
    return campaign


def _check_open_campaign_change(
    campaign: GroupPurchase, fields: dict, *, collectives_change: bool
) -> None:
    """Members are pledging: only CHANGEABLE_WHEN_OPEN may change, and the
    closing date only to a moment still to come."""
    errors = {}
    for name, value in fields.items():
        current = getattr(campaign, name)
        if name in ("producer", "distribution"):
            current = getattr(campaign, f"{name}_id")
            value = getattr(value, "pk", value)
        if name not in CHANGEABLE_WHEN_OPEN and value != current:
            errors[name] = _("Members are pledging: this can no longer change.")
    if collectives_change:
        errors["collectives"] = _(
            "Members are pledging: the collectives can no longer change."
        )
    closes_at = fields.get("closes_at")
    if closes_at and closes_at != campaign.closes_at and closes_at <= timezone.now():
        errors["closes_at"] = _("Choose a closing date in the future.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def update_campaign(
    campaign: GroupPurchase,
    *,
    updated_by,
    collectives: Sequence | None = None,
    **fields,
) -> GroupPurchase:
    """Change a draft freely; an open campaign only in its texts, closing date
    (still in the future), distribution and minimum order."""
    unknown = set(fields) - set(CAMPAIGN_FIELDS)
    if unknown:
        raise TypeError(f"Unknown campaign fields: {sorted(unknown)}")
    campaign = lock_campaign_for(updated_by, campaign)
    refuse_unless(
        campaign,
        Status.DRAFT,
        Status.OPEN,
        message=_("This group purchase is closed: it can no longer be changed."),
    )
    previous = set(campaign.collectives.values_list("pk", flat=True))
    ids, allowed = _organised_ids(
        updated_by, previous if collectives is None else collectives
    )
    allowed |= set(
        organised_collectives(updated_by)
        .filter(pk__in=previous)
        .values_list("pk", flat=True)
    )
    if campaign.status == Status.OPEN:
        _check_open_campaign_change(
            campaign, fields, collectives_change=ids != previous
        )
    for name, value in fields.items():
        if isinstance(value, str) and name != "description":
            value = value.strip()
        setattr(campaign, name, value)
    check_campaign(
        campaign=campaign,
        collective_ids=ids,
        allowed_collective_ids=allowed,
        previous_collective_ids=previous,
    )
    campaign.full_clean(exclude=["collectives", "created_by"])
    campaign.save()
    if ids != previous:
        campaign.collectives.set(ids)
    return campaign
