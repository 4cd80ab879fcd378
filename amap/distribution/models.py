import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core.validators import MaxLengthValidator, MinValueValidator
from django.db import models
from django.db.models import (
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amap.locations import Located, position_in_range
from amap.members.models import Collective
from amap.texts import SHORT_TEXT_MAX_LENGTH, TEXT_MAX_LENGTH


def local_datetime(day, time) -> datetime:
    """An aware datetime for a wall-clock date and time in the project's zone."""
    return timezone.make_aware(
        datetime.combine(day, time), timezone.get_default_timezone()
    )


class PickupPointQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)

    def for_collective(self, collective):
        return self.filter(collective=collective)

    def located(self):
        return self.filter(latitude__isnull=False, longitude__isnull=False)


class PickupPoint(Located):
    """Where members collect: an address and its position on the map."""

    collective = models.ForeignKey(
        Collective,
        on_delete=models.CASCADE,
        related_name="pickup_points",
        verbose_name=_("collective"),
    )
    name = models.CharField(_("name"), max_length=150)
    opening_notes = models.TextField(
        _("access and opening notes"),
        blank=True,
        max_length=TEXT_MAX_LENGTH,
        validators=[MaxLengthValidator(TEXT_MAX_LENGTH)],
        help_text=_("How to find the place, where to park, the door code…"),
    )
    capacity = models.PositiveIntegerField(
        _("capacity"),
        null=True,
        blank=True,
        help_text=_("How many households can collect here; leave empty if unlimited."),
    )
    active = models.BooleanField(_("active"), default=True)

    objects = PickupPointQuerySet.as_manager()

    class Meta:
        verbose_name = _("pickup point")
        verbose_name_plural = _("pickup points")
        ordering = ["collective", "name"]
        constraints = [
            models.CheckConstraint(
                condition=position_in_range(), name="pickup_point_position_in_range"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("distribution:pickup_point_edit", args=[self.pk])


class OrderCycleQuerySet(models.QuerySet):
    def open(self, now=None):
        now = now or timezone.now()
        return self.filter(opens_at__lte=now, closes_at__gt=now, closed_at__isnull=True)

    def upcoming(self, now=None):
        return self.filter(opens_at__gt=now or timezone.now(), closed_at__isnull=True)

    def closed(self, now=None):
        now = now or timezone.now()
        return self.filter(Q(closes_at__lte=now) | Q(closed_at__isnull=False))

    def due_for_closing(self, now=None):
        """Cycles past their deadline that nobody has closed yet."""
        return self.filter(closes_at__lte=now or timezone.now(), closed_at__isnull=True)


class OrderCycle(models.Model):
    """The ordering window for one or more distributions, usually one week."""

    class Status(models.TextChoices):
        UPCOMING = "upcoming", _("Not open yet")
        OPEN = "open", _("Open for orders")
        CLOSED = "closed", _("Closed")

    collective = models.ForeignKey(
        Collective,
        on_delete=models.CASCADE,
        related_name="order_cycles",
        verbose_name=_("collective"),
    )
    name = models.CharField(_("name"), max_length=150)
    opens_at = models.DateTimeField(_("orders open"))
    closes_at = models.DateTimeField(_("orders close"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )

    objects = OrderCycleQuerySet.as_manager()

    class Meta:
        verbose_name = _("order cycle")
        verbose_name_plural = _("order cycles")
        ordering = ["opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")),
                name="order_cycle_closes_after_opening",
            )
        ]
        indexes = [models.Index(fields=["collective", "closes_at"])]

    def __str__(self):
        return self.name

    def status_at(self, now) -> str:
        if self.closed_at is not None or now >= self.closes_at:
            return self.Status.CLOSED
        if now < self.opens_at:
            return self.Status.UPCOMING
        return self.Status.OPEN

    @property
    def status(self) -> str:
        return self.status_at(timezone.now())

    def get_status_display(self) -> str:
        return self.Status(self.status).label

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class DistributionQuerySet(models.QuerySet):
    def active(self):
        return self.filter(cancelled=False)

    def for_collective(self, collective):
        return self.filter(cycle__collective=collective)

    def upcoming(self, today=None):
        return self.filter(date__gte=today or timezone.localdate())

    def between(self, start, end):
        return self.filter(date__gte=start, date__lte=end)

    def with_details(self):
        """Cycle, pickup point and shift coverage (`people_needed`, `volunteers`)."""
        needed = (
            Shift.objects.filter(distribution=OuterRef("pk"))
            .values("distribution")
            .annotate(total=Sum("people_needed"))
            .values("total")
        )
        signed_up = (
            ShiftAssignment.objects.filter(shift__distribution=OuterRef("pk"))
            .values("shift__distribution")
            .annotate(total=Count("pk"))
            .values("total")
        )
        return self.select_related("cycle", "pickup_point").annotate(
            people_needed=Coalesce(Subquery(needed, output_field=IntegerField()), 0),
            volunteers=Coalesce(Subquery(signed_up, output_field=IntegerField()), 0),
        )

    def with_shifts(self):
        return self.prefetch_related(
            Prefetch(
                "shifts",
                queryset=Shift.objects.order_by("starts_at", "role").prefetch_related(
                    Prefetch(
                        "assignments",
                        queryset=ShiftAssignment.objects.select_related("user"),
                    )
                ),
            )
        )


class Distribution(models.Model):
    """One pickup event: a pickup point, a date and a time window."""

    cycle = models.ForeignKey(
        OrderCycle,
        on_delete=models.PROTECT,
        related_name="distributions",
        verbose_name=_("order cycle"),
    )
    pickup_point = models.ForeignKey(
        PickupPoint,
        on_delete=models.PROTECT,
        related_name="distributions",
        verbose_name=_("pickup point"),
    )
    date = models.DateField(_("date"))
    starts_at = models.TimeField(_("start"))
    ends_at = models.TimeField(_("end"))
    notes = models.TextField(
        _("notes"),
        blank=True,
        max_length=TEXT_MAX_LENGTH,
        validators=[MaxLengthValidator(TEXT_MAX_LENGTH)],
    )
    cancelled = models.BooleanField(_("cancelled"), default=False)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.TextField(
        _("reason for cancelling"),
        blank=True,
        max_length=SHORT_TEXT_MAX_LENGTH,
        validators=[MaxLengthValidator(SHORT_TEXT_MAX_LENGTH)],
    )
    cancellation_notified_at = models.DateTimeField(
        _("people told of the cancellation"), null=True, blank=True
    )

    objects = DistributionQuerySet.as_manager()

    class Meta:
        verbose_name = _("distribution")
        verbose_name_plural = _("distributions")
        ordering = ["date", "starts_at", "pickup_point__name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="distribution_ends_after_start",
            ),
            models.UniqueConstraint(
                fields=["pickup_point", "date"],
                condition=Q(cancelled=False),
                name="distribution_one_per_point_and_day",
            ),
        ]
        indexes = [models.Index(fields=["date"])]

    def __str__(self):
        return f"{self.pickup_point} — {self.date:%d/%m/%Y}"

    @property
    def start_datetime(self) -> datetime:
        return local_datetime(self.date, self.starts_at)

    @property
    def end_datetime(self) -> datetime:
        return local_datetime(self.date, self.ends_at)

    @property
    def shift_change_deadline(self) -> datetime:
        return self.start_datetime - timedelta(
            hours=settings.SHIFT_CHANGE_DEADLINE_HOURS
        )


class Shift(models.Model):
    """A volunteer slot (permanence) at a distribution."""

    distribution = models.ForeignKey(
        Distribution,
        on_delete=models.CASCADE,
        related_name="shifts",
        verbose_name=_("distribution"),
    )
    role = models.CharField(_("task"), max_length=100)
    starts_at = models.TimeField(_("start"))
    ends_at = models.TimeField(_("end"))
    people_needed = models.PositiveSmallIntegerField(
        _("people needed"), default=2, validators=[MinValueValidator(1)]
    )

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ["distribution", "starts_at", "role"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="shift_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(people_needed__gte=1), name="shift_needs_someone"
            ),
        ]

    def __str__(self):
        return f"{self.role} ({self.starts_at:%H:%M}–{self.ends_at:%H:%M})"


class ShiftAssignment(models.Model):
    """A person signed up (or assigned by an organiser) for a shift."""

    shift = models.ForeignKey(
        Shift,
        on_delete=models.CASCADE,
        related_name="assignments",
        verbose_name=_("shift"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="shift_assignments",
        verbose_name=_("volunteer"),
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned by"),
    )
    created_at = models.DateTimeField(_("signed up"), auto_now_add=True)
    reminder_sent_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("shift sign-up")
        verbose_name_plural = _("shift sign-ups")
        ordering = ["shift", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["shift", "user"], name="shift_assignment_unique_user"
            )
        ]

    def __str__(self):
        return f"{self.user} — {self.shift}"


class UsualPickupPoint(models.Model):
    """The pickup point a member usually collects at, in one collective."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    collective = models.ForeignKey(
        Collective, on_delete=models.CASCADE, related_name="+"
    )
    pickup_point = models.ForeignKey(
        PickupPoint, on_delete=models.CASCADE, related_name="usual_for"
    )

    class Meta:
        verbose_name = _("usual pickup point")
        verbose_name_plural = _("usual pickup points")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "collective"], name="usual_pickup_point_unique"
            )
        ]

    def __str__(self):
        return f"{self.user} → {self.pickup_point}"


def _new_feed_token():
    return secrets.token_urlsafe(24)


class CalendarFeed(models.Model):
    """The secret address of a member's private calendar feed."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=_new_feed_token)
    created_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self):
        return f"{self.user}"

    def get_absolute_url(self):
        return reverse("distribution:member_feed", args=[self.token])
