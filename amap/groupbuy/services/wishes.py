"""Wishes: members propose something to buy together, others vote with the
quantity they might take, organisers decline or turn a wish into a draft
group purchase."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from amap.members.permissions import is_member, require_organiser
from amap.producers.models import Producer

from ..models import MAX_UNITS, GroupPurchase, Vote, Wish

# A draft made from a wish opens in a week for two weeks; organisers adjust
# the dates before opening it.
DRAFT_OPENS_IN = timedelta(days=7)
DRAFT_OPEN_FOR = timedelta(days=14)


def _require_member(member, collective) -> None:
    if not is_member(member, collective):
        raise PermissionDenied(
            _("Only active members of %(collective)s can do this.")
            % {"collective": collective}
        )


def _locked_wish(wish: Wish) -> Wish:
    return Wish.objects.select_for_update().select_related("collective").get(pk=wish.pk)


def _require_open(wish: Wish) -> None:
    if wish.status != Wish.Status.OPEN:
        raise ValidationError(
            _("This wish is no longer open: it was %(status)s.")
            % {"status": wish.get_status_display().lower()},
            code="not_open",
        )


def _clean_quantity(quantity) -> int:
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise ValidationError(
            {"quantity": _("Enter a whole number, for instance 3.")}, code="invalid"
        )
    if quantity < 0 or quantity > MAX_UNITS:
        raise ValidationError(
            {"quantity": _("This is not a sensible quantity.")}, code="invalid"
        )
    return quantity


def propose_wish(
    *,
    member,
    collective,
    title: str,
    description: str = "",
    supplier_hint: str = "",
    unit: str = "kg",
    quantity: int | None = None,
) -> Wish:
    """A new wish; the proposer's vote comes with it when they give a quantity."""
    _require_member(member, collective)
    with transaction.atomic():
        wish = Wish(
            collective=collective,
            title=(title or "").strip(),
            description=(description or "").strip(),
            supplier_hint=(supplier_hint or "").strip(),
            unit=unit,
            proposed_by=member,
        )
        wish.full_clean()
        wish.save()
        if quantity is not None:
            Vote.objects.create(
                wish=wish, member=member, quantity=_clean_quantity(quantity)
            )
        return wish


def vote(*, member, wish: Wish, quantity: int) -> Vote:
    """Support a wish, or change the quantity of one's support."""
    quantity = _clean_quantity(quantity)
    with transaction.atomic():
        wish = _locked_wish(wish)
        _require_member(member, wish.collective)
        _require_open(wish)
        support, created = Vote.objects.get_or_create(
            wish=wish, member=member, defaults={"quantity": quantity}
        )
        if not created and support.quantity != quantity:
            support.quantity = quantity
            support.save(update_fields=["quantity"])
        return support


def withdraw_vote(*, member, wish: Wish) -> None:
    """Take one's support back (nothing happens when there was none)."""
    with transaction.atomic():
        wish = _locked_wish(wish)
        _require_member(member, wish.collective)
        _require_open(wish)
        Vote.objects.filter(wish=wish, member=member).delete()


def decline_wish(*, wish: Wish, declined_by, answer: str) -> Wish:
    """An organiser says no, and why: the answer shows on the wish."""
    answer = (answer or "").strip()
    with transaction.atomic():
        wish = _locked_wish(wish)
        require_organiser(declined_by, wish.collective)
        _require_open(wish)
        if not answer:
            raise ValidationError(
                {"answer": _("Tell the members why.")}, code="required"
            )
        wish.status = Wish.Status.DECLINED
        wish.answer = answer
        wish.save(update_fields=["status", "answer"])
        return wish


def turn_wish_into_campaign(
    *,
    wish: Wish,
    created_by,
    producer: Producer | None = None,
    supplier_name: str = "",
    now=None,
) -> GroupPurchase:
    """A DRAFT group purchase for the wish's collective, linked to the wish,
    which becomes planned. The supplier is a producer partnering the
    collective, else a name (the wish's supplier hint by default)."""
    now = now or timezone.now()
    supplier_name = (supplier_name or "").strip()
    with transaction.atomic():
        wish = _locked_wish(wish)
        require_organiser(created_by, wish.collective)
        _require_open(wish)
        if producer is not None:
            if (
                not Producer.objects.supplying(wish.collective)
                .filter(pk=producer.pk)
                .exists()
            ):
                raise ValidationError(
                    {
                        "producer": _("%(producer)s does not supply %(collective)s.")
                        % {"producer": producer, "collective": wish.collective}
                    },
                    code="not_partner",
                )
            supplier_name = ""
        else:
            supplier_name = supplier_name or wish.supplier_hint.strip()[:200]
            if not supplier_name:
                raise ValidationError(
                    {
                        "supplier_name": _(
                            "Choose a producer of the network or name an outside "
                            "supplier."
                        )
                    },
                    code="no_supplier",
                )
        opens_at = now + DRAFT_OPENS_IN
        campaign = GroupPurchase(
            title=wish.title,
            description=wish.description,
            producer=producer,
            supplier_name=supplier_name,
            opens_at=opens_at,
            closes_at=opens_at + DRAFT_OPEN_FOR,
            status=GroupPurchase.Status.DRAFT,
            wish=wish,
            created_by=created_by,
        )
        campaign.full_clean(exclude=["collectives"])
        campaign.save()
        campaign.collectives.add(wish.collective)
        wish.status = Wish.Status.PLANNED
        wish.save(update_fields=["status"])
        return campaign
