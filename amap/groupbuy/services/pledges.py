"""Members pledging to a group purchase: create, change or withdraw a pledge,
one item at a time or the whole form at once.

Every write locks the campaign row first, the row closing locks too, so a
pledge is either saved before the campaign closes or refused after it.
"""

from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from amap.members.permissions import member_collectives
from amap.members.services import require_current_charter
from amap.money import format_quantity

from ..models import MAX_UNITS, GroupPurchase, Item, Pledge


def _date(value) -> str:
    return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")


def closed_reason(campaign: GroupPurchase, now=None) -> str | None:
    """Why pledges cannot change now (a full sentence), or None when open."""
    now = now or timezone.now()
    status = GroupPurchase.Status
    if campaign.status == status.CANCELLED:
        return _("This group purchase was cancelled: it takes no pledges.")
    if campaign.status == status.DRAFT:
        return _("This group purchase is not open for pledges yet.")
    if campaign.status == status.OPEN and now < campaign.opens_at:
        return _("Pledges for this group purchase open on %(date)s.") % {
            "date": _date(campaign.opens_at)
        }
    if campaign.status != status.OPEN or now >= campaign.closes_at:
        return _(
            "Pledges for this group purchase closed on %(date)s: they can no "
            "longer change."
        ) % {"date": _date(campaign.closed_at or campaign.closes_at)}
    return None


def _locked_campaign(campaign_pk: int) -> GroupPurchase:
    return GroupPurchase.objects.select_for_update().get(pk=campaign_pk)


def _check_can_pledge(*, member, campaign: GroupPurchase, now) -> None:
    """Refuse anyone outside the campaign's collectives, and a campaign that
    is not open right now (read after locking its row)."""
    if not (
        member.is_authenticated
        and member_collectives(member)
        .filter(pk__in=campaign.collectives.values("pk"))
        .exists()
    ):
        raise ValidationError(
            _(
                "Only active members of its collectives can pledge to this group "
                "purchase."
            ),
            code="not_member",
        )
    reason = closed_reason(campaign, now)
    if reason:
        raise ValidationError(reason, code="closed")
    require_current_charter(member)


def _whole_units(value, *, item: Item, what: str) -> tuple[int | None, str | None]:
    """(value, None) for a sensible number of units, else (None, a sentence)."""
    unit = item.get_unit_display()
    if isinstance(value, bool):
        value = None
    try:
        number = int(value)
        exact = number == value or str(number) == str(value).strip()
    except (TypeError, ValueError, OverflowError):
        number, exact = None, False
    if number is None or not exact:
        return None, _("Enter a whole number of %(unit)s for %(item)s (%(what)s).") % {
            "unit": unit,
            "item": item.name,
            "what": what,
        }
    if number < 0:
        return None, _("%(what)s for %(item)s cannot be negative.") % {
            "what": what.capitalize(),
            "item": item.name,
        }
    if number > MAX_UNITS:
        return None, _("%(number)s is not a sensible %(what)s for %(item)s.") % {
            "number": format_quantity(number, item.unit),
            "what": what,
            "item": item.name,
        }
    return number, None


def clean_line(item: Item, quantity, tolerance) -> tuple[int, int]:
    """Check one item's quantity and tolerance; ValidationError with every
    problem of the line, else the two numbers."""
    errors = []
    quantity, error = _whole_units(quantity, item=item, what=_("quantity"))
    if error:
        errors.append(error)
    tolerance, error = _whole_units(tolerance, item=item, what=_("extra units"))
    if error:
        errors.append(error)
    if quantity is not None and item.max_cases is not None:
        stock = item.max_cases * item.case_size
        if quantity > stock:
            errors.append(
                _("The supplier has at most %(stock)s of %(item)s for the whole group.")
                % {
                    "stock": format_quantity(stock, item.unit),
                    "item": item.name,
                }
            )
    if errors:
        raise ValidationError(errors, code="invalid")
    return quantity, tolerance


def _save_line(
    *, member, item: Item, current: Pledge | None, quantity: int, tolerance: int, now
) -> Pledge | None:
    """Create or change the member's pledge. `pledged_at` moves to now on an
    increase of the quantity or the tolerance, never on a decrease: raising a
    pledge is a new place in the first-come queue, lowering it keeps one."""
    if current is None:
        if quantity == 0 and tolerance == 0:
            return None
        return Pledge.objects.create(
            item=item,
            member=member,
            quantity=quantity,
            tolerance=tolerance,
            pledged_at=now,
        )
    if quantity == current.quantity and tolerance == current.tolerance:
        return current
    if quantity > current.quantity or tolerance > current.tolerance:
        current.pledged_at = now
    current.quantity, current.tolerance = quantity, tolerance
    current.save(update_fields=["quantity", "tolerance", "pledged_at", "updated_at"])
    return current


def pledge(*, member, item: Item, quantity: int, tolerance: int = 0) -> Pledge | None:
    """Create, change or withdraw (0 and 0) the member's pledge for one item.

    A withdrawn pledge stays, at zero. Returns None when the member had no
    pledge and asks for nothing. Locks the campaign row.
    """
    with transaction.atomic():
        campaign = _locked_campaign(item.campaign_id)
        now = timezone.now()
        _check_can_pledge(member=member, campaign=campaign, now=now)
        item = Item.objects.get(pk=item.pk)
        quantity, tolerance = clean_line(item, quantity, tolerance)
        current = (
            Pledge.objects.select_for_update().filter(item=item, member=member).first()
        )
        return _save_line(
            member=member,
            item=item,
            current=current,
            quantity=quantity,
            tolerance=tolerance,
            now=now,
        )


def pledge_many(
    *, member, campaign: GroupPurchase, lines: dict[int, tuple[int, int]]
) -> dict[int, Pledge]:
    """Save the whole pledge form: item pk → (quantity, tolerance).

    All or nothing: if any line is wrong, nothing is saved and the
    ValidationError maps each bad item's pk to its sentences (a campaign-wide
    refusal is a plain ValidationError). Items left out keep their pledge.
    Returns item pk → pledge for the items that have one.
    """
    with transaction.atomic():
        campaign = _locked_campaign(campaign.pk)
        now = timezone.now()
        _check_can_pledge(member=member, campaign=campaign, now=now)
        items = {item.pk: item for item in Item.objects.filter(campaign=campaign)}
        errors: dict[int, list[str]] = {}
        cleaned = {}
        for item_pk, values in lines.items():
            item = items.get(item_pk)
            if item is None:
                raise ValidationError(
                    _("One of the products is not part of this group purchase."),
                    code="unknown_item",
                )
            try:
                quantity, tolerance = values
                cleaned[item_pk] = clean_line(item, quantity, tolerance)
            except ValidationError as error:
                errors[item_pk] = error.messages
            except (TypeError, ValueError):
                errors[item_pk] = [
                    _("Enter a quantity and extra units for %(item)s.")
                    % {"item": item.name}
                ]
        if errors:
            # Keyed by item pk: ValidationError takes any key, its stubs only str.
            raise ValidationError(cast(dict[str, Any], errors), code="invalid")
        current = {
            pledge.item_id: pledge
            for pledge in Pledge.objects.select_for_update().filter(
                item__campaign=campaign, member=member
            )
        }
        saved = {}
        for item_pk, (quantity, tolerance) in cleaned.items():
            result = _save_line(
                member=member,
                item=items[item_pk],
                current=current.get(item_pk),
                quantity=quantity,
                tolerance=tolerance,
                now=now,
            )
            if result is not None:
                saved[item_pk] = result
        for item_pk, pledge_row in current.items():
            saved.setdefault(item_pk, pledge_row)
        return saved
