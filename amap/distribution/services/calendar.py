"""Order cycles, seasons of distributions, cancelling, and calendar feeds."""

from collections.abc import Iterable
from datetime import date
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from amap.background import enqueue_on_commit
from amap.emails import send_templated_email
from amap.members.models import Collective
from amap.members.permissions import require_organiser

from ..hooks import concerned_people, cycle_closed
from ..models import CalendarFeed, Distribution, OrderCycle, PickupPoint
from ..recurrence import PlannedCycle, SeasonRule, SeasonRuleError, plan_season

SEASON_RULE_MESSAGES = {
    "bad_weekday": gettext_lazy("Choose a day of the week."),
    "end_before_start": gettext_lazy("The distribution must end after it starts."),
    "last_before_first": gettext_lazy("The last date must be after the first date."),
    "too_long": gettext_lazy("A season cannot last more than a year."),
    "negative_days": gettext_lazy("Give a number of days of zero or more."),
    "no_weekday_in_range": gettext_lazy(
        "There is no such day of the week between these dates."
    ),
    "all_skipped": gettext_lazy("Every date of the season is skipped."),
    "closes_after_start": gettext_lazy(
        "Ordering must close before the distribution starts."
    ),
    "opens_after_closing": gettext_lazy("Ordering must open before it closes."),
}

EDITABLE_DISTRIBUTION_FIELDS = {"notes", "starts_at", "ends_at"}


def season_rule_error(error: SeasonRuleError) -> ValidationError:
    """The translated ValidationError for a SeasonRuleError, keyed by its field."""
    message = str(SEASON_RULE_MESSAGES.get(error.code, error.message))
    if error.field:
        return ValidationError({error.field: message})
    return ValidationError(message)


def cycle_name(day: date) -> str:
    """ "Distribution du jeudi 2 avril 2026": in the site's language, as stored."""
    with translation.override(settings.LANGUAGE_CODE):
        return _("Distribution of %(date)s") % {"date": date_format(day, "l j F Y")}


def _check_season(
    *, collective: Collective, pickup_points: list[PickupPoint], rule: SeasonRule
) -> list[PlannedCycle]:
    if not pickup_points:
        raise ValidationError({"pickup_points": _("Choose at least one pickup point.")})
    if any(point.collective_id != collective.pk for point in pickup_points):
        raise ValidationError(
            {
                "pickup_points": _(
                    "A season can only use the pickup points of %(collective)s."
                )
                % {"collective": collective.name}
            }
        )
    try:
        plan = plan_season(rule)
    except SeasonRuleError as error:
        raise season_rule_error(error) from error
    taken = sorted(
        set(
            Distribution.objects.active()
            .filter(
                pickup_point__in=pickup_points,
                date__in=[planned.date for planned in plan],
            )
            .values_list("date", flat=True)
        )
    )
    if taken:
        raise ValidationError(
            _(
                "There is already a distribution at one of these pickup points "
                "on: %(dates)s. Skip these dates or cancel those distributions first."
            )
            % {
                "dates": ", ".join(
                    date_format(day, "SHORT_DATE_FORMAT") for day in taken
                )
            }
        )
    return plan


def preview_season(
    *, collective: Collective, pickup_points: list[PickupPoint], rule: SeasonRule
) -> list[PlannedCycle]:
    """What `generate_season` would create, with the same refusals; writes nothing."""
    return _check_season(
        collective=collective, pickup_points=list(pickup_points), rule=rule
    )


@transaction.atomic
def generate_season(
    *,
    collective: Collective,
    pickup_points: Iterable[PickupPoint],
    rule: SeasonRule,
    created_by,
) -> list[OrderCycle]:
    """One order cycle per date of the rule, serving one distribution per point.

    Locks the pickup points so two organisers generating the same season at
    once cannot both pass the check for existing distributions.
    """
    require_organiser(created_by, collective)
    point_ids = [point.pk for point in pickup_points]
    points = list(
        PickupPoint.objects.select_for_update().filter(pk__in=point_ids).order_by("pk")
    )
    if len(points) != len(set(point_ids)):
        raise ValidationError({"pickup_points": _("This pickup point does not exist.")})
    plan = _check_season(collective=collective, pickup_points=points, rule=rule)
    cycles = [
        OrderCycle(
            collective=collective,
            name=cycle_name(planned.date),
            opens_at=planned.opens_at,
            closes_at=planned.closes_at,
        )
        for planned in plan
    ]
    for cycle in cycles:
        # The plan already guarantees the check constraint; skip its query.
        cycle.full_clean(validate_constraints=False)
    cycles = OrderCycle.objects.bulk_create(cycles)
    distributions = [
        Distribution(
            cycle=cycle,
            pickup_point=point,
            date=planned.date,
            starts_at=planned.starts_at,
            ends_at=planned.ends_at,
        )
        for cycle, planned in zip(cycles, plan, strict=True)
        for point in points
    ]
    try:
        with transaction.atomic():
            Distribution.objects.bulk_create(distributions)
    except IntegrityError as error:
        raise ValidationError(
            _("Another distribution was created meanwhile on one of these dates.")
        ) from error
    return cycles


def hold_cycle_for_booking(cycle_id: int) -> None:
    """Take a shared lock on the cycle row until the end of the transaction;
    call inside one, before reading whether the cycle is open.

    The fence between bookings and the close: `close_order_cycle` locks the
    row FOR UPDATE, so it waits for every booking holding the row (they
    commit before `closed_at` and are on every list made at the close), and
    a booking arriving during a close waits for it, then reads the cycle
    closed. FOR SHARE, not FOR UPDATE: bookings of one cycle never wait for
    each other here (Django's `select_for_update` has no FOR SHARE). SQLite
    has no row locks and serialises its writers: nothing to do there.
    """
    if connection.vendor != "postgresql":
        return
    table = connection.ops.quote_name(OrderCycle._meta.db_table)
    column = connection.ops.quote_name(OrderCycle._meta.pk.column or "id")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {table} WHERE {column} = %s FOR SHARE", [cycle_id]
        )


@transaction.atomic
def close_order_cycle(cycle: OrderCycle, *, closed_by) -> bool:
    """Close ordering now. Closing a closed cycle changes nothing.

    `closed_by` is None when the deadline task closes the cycle. Locks the
    cycle row, so of two closings at once only one closes it; that one tells
    the registered apps (`hooks.cycle_closed`) after commit. Returns
    whether this call closed the cycle.

    The lock also waits for every booking under way (they hold the row
    shared, `hold_cycle_for_booking`), and `closed_at` is read after it: a
    booking either committed before `closed_at` or reads the cycle closed.
    """
    if closed_by is not None:
        require_organiser(closed_by, cycle.collective)
    cycle = OrderCycle.objects.select_for_update().get(pk=cycle.pk)
    if cycle.closed_at is not None:
        return False
    cycle.closed_at = timezone.now()
    cycle.closed_by = closed_by
    cycle.save(update_fields=["closed_at", "closed_by"])
    transaction.on_commit(partial(cycle_closed, cycle.pk))
    return True


def close_due_cycles(now=None) -> list[int]:
    """Close every cycle whose deadline has passed and that nobody closed yet.

    Each cycle is closed by `close_order_cycle`, in its own transaction, so
    one failure does not hold the others back and two workers running this at
    once close each cycle once. Returns the ids of the cycles this run closed.
    """
    closed = []
    due = OrderCycle.objects.due_for_closing(now).order_by("closes_at", "pk")
    for cycle in list(due.only("pk")):
        if close_order_cycle(cycle, closed_by=None):
            closed.append(cycle.pk)
    return closed


def _locked_distribution(distribution: Distribution) -> Distribution:
    return (
        Distribution.objects.select_for_update()
        .select_related("cycle__collective", "pickup_point")
        .get(pk=distribution.pk)
    )


@transaction.atomic
def cancel_distribution(
    distribution: Distribution, *, cancelled_by, reason: str
) -> None:
    """Cancel a coming distribution; the people concerned get an email after commit."""
    require_organiser(cancelled_by, distribution.cycle.collective)
    distribution = _locked_distribution(distribution)
    if distribution.cancelled:
        raise ValidationError(_("This distribution is already cancelled."))
    if distribution.end_datetime <= timezone.now():
        raise ValidationError(_("This distribution is over: it cannot be cancelled."))
    reason = reason.strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Tell the members why the distribution is cancelled.")}
        )
    distribution.cancelled = True
    distribution.cancelled_at = timezone.now()
    distribution.cancel_reason = reason
    distribution.full_clean(validate_constraints=False)
    distribution.save(update_fields=["cancelled", "cancelled_at", "cancel_reason"])
    enqueue_on_commit(
        "amap.distribution.tasks.notify_distribution_cancelled_task", distribution.pk
    )


def people_concerned_by(distribution: Distribution) -> list:
    """Everyone to tell about a change to the distribution (see `hooks`)."""
    return concerned_people(distribution)


@transaction.atomic
def notify_distribution_cancelled(*, distribution_id: int) -> int:
    """Email each person concerned by a cancelled distribution; returns how many.

    Idempotent: the distribution is marked as notified in the same transaction,
    so a second run sends nothing, and a failed send rolls the mark back so a
    retry sends again.
    """
    distribution = (
        Distribution.objects.select_for_update(of=("self",))
        .select_related("cycle__collective", "pickup_point")
        .filter(
            pk=distribution_id, cancelled=True, cancellation_notified_at__isnull=True
        )
        .first()
    )
    if distribution is None:
        return 0
    distribution.cancellation_notified_at = timezone.now()
    distribution.save(update_fields=["cancellation_notified_at"])
    people = people_concerned_by(distribution)
    for person in people:
        send_templated_email(
            template="emails/distribution/distribution_cancelled",
            to=[person.email],
            context={"distribution": distribution, "person": person},
        )
    return len(people)


@transaction.atomic
def update_distribution(
    distribution: Distribution, *, changed_by, **fields
) -> Distribution:
    """Change the notes or the time window of a distribution that is not cancelled."""
    unknown = set(fields) - EDITABLE_DISTRIBUTION_FIELDS
    if unknown:
        raise TypeError(f"Cannot change {', '.join(sorted(unknown))}")
    require_organiser(changed_by, distribution.cycle.collective)
    distribution = _locked_distribution(distribution)
    if distribution.cancelled:
        raise ValidationError(_("A cancelled distribution cannot be changed."))
    for name, value in fields.items():
        setattr(distribution, name, value)
    if distribution.ends_at <= distribution.starts_at:
        raise ValidationError(
            {"ends_at": _("The distribution must end after it starts.")}
        )
    if {"starts_at"} & set(
        fields
    ) and distribution.start_datetime <= distribution.cycle.closes_at:
        raise ValidationError(
            {
                "starts_at": _(
                    "The distribution cannot start before ordering closes (%(closes)s)."
                )
                % {
                    "closes": date_format(
                        timezone.localtime(distribution.cycle.closes_at),
                        "DATETIME_FORMAT",
                    )
                }
            }
        )
    distribution.full_clean(validate_constraints=False)
    distribution.save(update_fields=sorted(fields))
    return distribution


# Calendar feeds ---------------------------------------------------------------


def get_calendar_feed(*, user) -> CalendarFeed | None:
    """The user's private feed, if they made one (reading never creates it:
    the page that shows it is a GET)."""
    return CalendarFeed.objects.filter(user=user).first()


@transaction.atomic
def regenerate_calendar_feed(*, user) -> CalendarFeed:
    """A new secret address (the first one if there was none); the old one
    stops working at once."""
    feed = CalendarFeed.objects.select_for_update().filter(user=user).first()
    if feed is None:
        return CalendarFeed.objects.create(user=user)
    feed.token = CalendarFeed._meta.get_field("token").get_default()
    feed.save(update_fields=["token", "created_at"])
    return feed
