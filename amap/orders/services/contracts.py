"""Season contracts, members' subscriptions and their instalment schedules."""

from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from amap.background import enqueue_on_commit
from amap.distribution.models import Distribution
from amap.emails import send_templated_email
from amap.history import changed_by
from amap.members.models import Membership
from amap.members.permissions import can_manage_collective
from amap.members.services import require_current_charter
from amap.money import round_cents
from amap.producers.models import Partnership

from ..models import Contract, ContractOption, Instalment, Subscription
from ..schedule import instalment_dates, split_amount

INSTALMENT_CHOICES = (1, 2, 3, 4, 6, 10)
MAX_QUANTITY = 10


def _require_organiser(user, collective) -> None:
    if not can_manage_collective(user, collective):
        raise PermissionDenied(_("Only the collective's organisers can do this."))


def _is_active_member(user, collective) -> bool:
    return (
        user is not None
        and Membership.objects.active()
        .filter(user=user, collective=collective)
        .exists()
    )


# Contracts -------------------------------------------------------------------


@transaction.atomic
def save_contract(
    *,
    contract: Contract,
    deliveries: list[Distribution],
    options: list[ContractOption],
    removed_options: Sequence[ContractOption] = (),
    saved_by,
) -> Contract:
    """Create or change a contract with its options and delivery distributions.

    `contract` and `options` are instances filled in by the forms, not yet
    saved. Once somebody has signed, the delivery dates and the prices can no
    longer change (the subscribers' totals and schedules depend on them), and
    an option somebody chose cannot be removed.
    """
    _require_organiser(saved_by, contract.collective)
    kept = [o for o in options if o not in removed_options]
    errors: dict = {}
    _check_contract_terms(contract, deliveries, errors)
    _check_options(contract, kept, errors)
    if errors:
        raise ValidationError(errors)
    if contract.pk:
        _check_signed_terms_unchanged(contract, deliveries, kept)
    _check_removable(removed_options)

    contract.full_clean(exclude=["deliveries"])
    contract.save()
    contract.deliveries.set(deliveries)
    for option in removed_options:
        if option.pk:
            option.delete()
    for option in kept:
        option.contract = contract
        option.full_clean()
        option.save()
    return contract


def _check_contract_terms(
    contract: Contract, deliveries: list[Distribution], errors: dict
) -> None:
    """The producer supplies the collective, the instalment choices are among
    INSTALMENT_CHOICES (then kept sorted, once each), the deliveries are the
    collective's distributions."""
    collective = contract.collective
    if (
        not Partnership.objects.current()
        .filter(producer_id=contract.producer_id, collective=collective)
        .exists()
    ):
        errors["producer"] = _("This producer does not supply the collective.")
    choices = contract.instalment_choices
    if (
        not isinstance(choices, list)
        or not choices
        or any(c not in INSTALMENT_CHOICES for c in choices)
    ):
        errors["instalment_choices"] = _(
            "Choose the numbers of instalments allowed among 1, 2, 3, 4, 6 and 10."
        )
    else:
        contract.instalment_choices = sorted(set(choices))
    if not deliveries:
        errors["deliveries"] = _("Choose at least one delivery distribution.")
    if any(d.cycle.collective_id != collective.pk for d in deliveries):
        errors["deliveries"] = _("A delivery is not a distribution of this collective.")


def _check_options(contract: Contract, kept: list[ContractOption], errors) -> None:
    """At least one option, each valid and of the contract's producer."""
    if not kept:
        errors["__all__"] = _("A contract needs at least one option.")
    for option in kept:
        try:
            option.full_clean(exclude=["contract"], validate_constraints=False)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                errors.setdefault(field, messages)
        if option.product and option.product.producer_id != contract.producer_id:
            errors["__all__"] = _(
                "The product of the option “%(option)s” is not one of this producer's."
            ) % {"option": option.name}


def _check_signed_terms_unchanged(
    contract: Contract, deliveries: list[Distribution], kept: list[ContractOption]
) -> None:
    """Locks the contract row; once a member signed, its producer, delivery
    dates and prices are what they signed for."""
    locked = Contract.objects.select_for_update().get(pk=contract.pk)
    if not locked.subscriptions.active().exists():
        return
    before = set(locked.deliveries.values_list("pk", flat=True))
    prices = dict(locked.options.values_list("pk", "price_per_delivery"))
    changed_price = any(
        option.pk is not None and prices.get(option.pk) != option.price_per_delivery
        for option in kept
    )
    if (
        changed_price
        or before != {d.pk for d in deliveries}
        or locked.producer_id != contract.producer_id
    ):
        raise ValidationError(
            _(
                "Members have already signed this contract: its producer, "
                "delivery dates and prices can no longer change."
            )
        )


def _check_removable(removed_options: Sequence[ContractOption]) -> None:
    for option in removed_options:
        if option.pk and option.subscriptions.exists():
            raise ValidationError(
                _("The option “%(option)s” has subscribers: it cannot be removed.")
                % {"option": option.name}
            )


# Subscriptions ---------------------------------------------------------------


def subscription_total(
    option: ContractOption, quantity: int, deliveries: int
) -> Decimal:
    """Price per delivery × quantity × deliveries, rounded once to the cent."""
    return round_cents(option.price_per_delivery * quantity * deliveries)


@transaction.atomic
def subscribe(
    *,
    contract: Contract,
    member,
    option: ContractOption,
    quantity: int,
    instalments: int,
    sharing: str = "",
    shared_with=None,
) -> Subscription:
    """Sign `member` up to `contract` and create the instalment schedule.

    Locks the contract row (select_for_update) before counting its active
    subscriptions, so members signing at the same time can never exceed the
    maximum: the second waits for the first to commit, then counts again.
    The confirmation email is sent after commit.
    """
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    _check_can_sign(contract, member)
    _check_choice(contract, option, quantity, instalments)
    shared_with = _checked_partner(contract, member, sharing, shared_with)
    _check_place_left(contract, member)
    deliveries = _delivery_days(contract)
    total = subscription_total(option, quantity, len(deliveries))
    subscription = _save_subscription(
        Subscription(
            contract=contract,
            option=option,
            member=member,
            quantity=quantity,
            instalments=instalments,
            sharing=sharing,
            shared_with=shared_with,
            total=total,
        )
    )
    _create_schedule(subscription, first_delivery=deliveries[0])
    enqueue_on_commit(
        "amap.orders.services.contracts.send_subscription_confirmation", subscription.pk
    )
    return subscription


def _check_can_sign(contract: Contract, member) -> None:
    """The contract is open and before its deadline; the member is an active
    member of its collective who accepted the current charter."""
    if contract.status != Contract.Status.OPEN:
        raise ValidationError(_("This contract is not open for sign-up."))
    if timezone.now() >= contract.signup_deadline:
        raise ValidationError(_("The sign-up deadline of this contract has passed."))
    if not _is_active_member(member, contract.collective_id):
        raise ValidationError(
            _("Only members of the collective can sign this contract.")
        )
    require_current_charter(member)


def _check_choice(
    contract: Contract, option: ContractOption, quantity: int, instalments: int
) -> None:
    """One of the contract's options, 1 to MAX_QUANTITY baskets, a number of
    instalments the contract allows."""
    if option.contract_id != contract.pk:
        raise ValidationError(
            {"option": _("This option is not one of this contract's.")}
        )
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise ValidationError({"quantity": _("Enter a whole number of baskets.")})
    if not 1 <= quantity <= MAX_QUANTITY:
        raise ValidationError(
            {
                "quantity": _("Choose between 1 and %(max)s baskets.")
                % {"max": MAX_QUANTITY}
            }
        )
    if instalments not in contract.instalment_choices:
        raise ValidationError(
            {
                "instalments": _(
                    "This contract can be paid in %(choices)s instalment(s) only."
                )
                % {"choices": ", ".join(str(c) for c in contract.instalment_choices)}
            }
        )


def _checked_partner(contract: Contract, member, sharing: str, shared_with):
    """The member a shared basket is shared with (another active member of
    the collective), or None when the basket is not shared."""
    if sharing not in Subscription.Sharing.values:
        raise ValidationError({"sharing": _("Unknown way of sharing a basket.")})
    if not sharing:
        return None
    if shared_with is None:
        raise ValidationError(
            {"shared_with": _("Choose the member you share the basket with.")}
        )
    if shared_with.pk == member.pk:
        raise ValidationError(
            {"shared_with": _("You cannot share a basket with yourself.")}
        )
    if not _is_active_member(shared_with, contract.collective_id):
        raise ValidationError(
            {
                "shared_with": _("%(name)s is not a member of the collective.")
                % {"name": shared_with}
            }
        )
    return shared_with


def _check_place_left(contract: Contract, member) -> None:
    """Not signed yet, and a place left; the contract row must be locked."""
    if contract.subscriptions.active().filter(member=member).exists():
        raise ValidationError(_("You have already signed this contract."))
    if (
        contract.max_subscribers is not None
        and contract.subscriptions.active().count() >= contract.max_subscribers
    ):
        raise ValidationError(
            _("This contract is full: all %(max)s places are taken.")
            % {"max": contract.max_subscribers}
        )


def _delivery_days(contract: Contract) -> list:
    """The contract's delivery days, sorted. A delivery is a day: the same
    day at two pickup points is one basket."""
    deliveries = sorted(
        set(contract.deliveries.filter(cancelled=False).values_list("date", flat=True))
    )
    if not deliveries:
        raise ValidationError(_("This contract has no delivery date."))
    return deliveries


def _save_subscription(subscription: Subscription) -> Subscription:
    subscription.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            subscription.save()
    except IntegrityError:
        # A double submit got there first: the unique constraint stopped it.
        raise ValidationError(_("You have already signed this contract.")) from None
    return subscription


def _create_schedule(subscription: Subscription, *, first_delivery) -> None:
    """The instalments, the first due on the first delivery (or today, when
    signing after it)."""
    first_due = max(first_delivery, timezone.localdate())
    instalments = subscription.instalments
    bulk_create_with_history(
        [
            Instalment(
                subscription=subscription, number=number, due_date=due, amount=amount
            )
            for number, (due, amount) in enumerate(
                zip(
                    instalment_dates(first_due, instalments),
                    split_amount(subscription.total, instalments),
                    strict=True,
                ),
                start=1,
            )
        ],
        Instalment,
        default_user=subscription.member,
    )


@transaction.atomic
def cancel_subscription(subscription: Subscription, *, cancelled_by) -> Subscription:
    """Cancel a subscription: the member before the sign-up deadline, an
    organiser of the collective at any time.

    Nothing is deleted. The instalments stay as they are (paid ones are the
    history of money received), but a cancelled subscription no longer counts
    in what the member owes; refunds are settled by the organisers outside
    the application.
    """
    subscription = (
        Subscription.objects.select_for_update()
        .select_related("contract")
        .get(pk=subscription.pk)
    )
    contract = subscription.contract
    is_organiser = can_manage_collective(cancelled_by, contract.collective)
    if not is_organiser:
        if cancelled_by is None or cancelled_by.pk != subscription.member_id:
            raise PermissionDenied(_("You cannot cancel this subscription."))
        if timezone.now() >= contract.signup_deadline:
            raise ValidationError(
                _(
                    "The sign-up deadline has passed: ask the organisers to "
                    "cancel your subscription."
                )
            )
    if subscription.status == Subscription.Status.CANCELLED:
        raise ValidationError(_("This subscription is already cancelled."))
    subscription.status = Subscription.Status.CANCELLED
    subscription.cancelled_at = timezone.now()
    changed_by(subscription, cancelled_by)
    subscription.save(update_fields=["status", "cancelled_at"])
    return subscription


def send_subscription_confirmation(subscription_id: int) -> None:
    """The confirmation email with the schedule; run after commit, from a task."""
    subscription = (
        Subscription.objects.select_related(
            "member",
            "shared_with",
            "contract__producer",
            "contract__collective",
            "option",
        )
        .filter(pk=subscription_id, status=Subscription.Status.ACTIVE)
        .first()
    )
    if subscription is None or not subscription.member.email:
        return
    send_templated_email(
        template="emails/orders/subscription_confirmed",
        to=[subscription.member.email],
        context={
            "subscription": subscription,
            "contract": subscription.contract,
            "schedule": list(subscription.schedule.order_by("number")),
            "deliveries": list(
                subscription.contract.deliveries.filter(cancelled=False)
                .select_related("pickup_point")
                .order_by("date", "starts_at")
            ),
        },
    )
