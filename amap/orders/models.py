"""Orders (pre-bookings for a distribution), season contracts and their
subscriptions, absences, and the money members owe.

Nothing here is ever hard-deleted once a member has committed to it: orders
and subscriptions are cancelled, payments are recorded, and the history stays.
"""

import secrets

from django.conf import settings
from django.core.validators import MaxLengthValidator, MinValueValidator
from django.db import models
from django.db.models import F, Prefetch, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from amap.distribution.models import Distribution
from amap.members.models import Collective
from amap.money import ZERO, format_euros
from amap.producers.models import Offer, Producer, Product
from amap.texts import LONG_TEXT_MAX_LENGTH


class PaymentMethod(models.TextChoices):
    CHEQUE = "cheque", _("Cheque")
    TRANSFER = "transfer", _("Bank transfer")
    CASH = "cash", _("Cash")


# Pre-booking -----------------------------------------------------------------


class OrderQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(status=Order.Status.CONFIRMED)

    def for_distribution(self, distribution):
        return self.filter(distribution=distribution)

    def for_member(self, user):
        return self.filter(member=user)

    def with_lines(self):
        """Lines prefetched with their product and producer, by producer then
        product name."""
        return self.prefetch_related(
            Prefetch(
                "lines",
                queryset=OrderLine.objects.live()
                .select_related("offer__product__producer")
                .order_by("offer__product__producer__name", "offer__product__name"),
            )
        )


class Order(models.Model):
    """A member's pre-booking for one distribution: at most one per distribution."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        CANCELLED = "cancelled", _("Cancelled")

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="orders",
        verbose_name=_("member"),
    )
    distribution = models.ForeignKey(
        Distribution,
        on_delete=models.PROTECT,
        related_name="orders",
        verbose_name=_("distribution"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.CONFIRMED
    )
    total = models.DecimalField(
        _("total (€)"), max_digits=10, decimal_places=2, default=ZERO
    )
    created_at = models.DateTimeField(_("booked on"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed on"), auto_now=True)
    cancelled_at = models.DateTimeField(_("cancelled on"), null=True, blank=True)
    # Set by each change, cleared in the transaction that emails the summary:
    # the sweeper sends what a lost task did not (amap/orders/services/recovery.py).
    confirmation_due_since = models.DateTimeField(
        _("confirmation email due since"), null=True, blank=True
    )

    objects = OrderQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["distribution__date", "member__last_name", "member__first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "distribution"],
                name="order_one_per_member_and_distribution",
            ),
            models.CheckConstraint(
                condition=Q(total__gte=0), name="order_total_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.member} — {self.distribution}"

    def get_absolute_url(self):
        return reverse("orders:order_detail", args=[self.pk])


class OrderLineQuerySet(models.QuerySet):
    def live(self):
        """The lines not set to 0. A line the member set to 0 stays, with
        quantity and amount 0, as history; every reader skips it. A cancelled
        order's lines keep their quantities (what was cancelled)."""
        return self.filter(quantity__gt=0)

    def counted(self):
        """The lines that count in sheets, picking lists, totals and volumes:
        live lines of confirmed orders."""
        return self.live().filter(order__status=Order.Status.CONFIRMED)


class OrderLine(models.Model):
    """A quantity of one offer; the amount is rounded once, here, at the line.

    Never deleted: a line set to 0 keeps its row with quantity 0 (see
    `OrderLineQuerySet.live`), and its history says what it was."""

    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="lines", verbose_name=_("order")
    )
    offer = models.ForeignKey(
        Offer,
        on_delete=models.PROTECT,
        related_name="order_lines",
        verbose_name=_("offer"),
    )
    quantity = models.DecimalField(_("quantity"), max_digits=10, decimal_places=3)
    unit_price = models.DecimalField(
        _("unit price (€)"), max_digits=8, decimal_places=2
    )
    amount = models.DecimalField(_("amount (€)"), max_digits=10, decimal_places=2)

    objects = OrderLineQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["order", "offer__product__producer__name", "offer__product__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "offer"], name="order_line_one_per_offer"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=0),
                name="order_line_quantity_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="order_line_amount_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.quantity} × {self.offer.product}"


# Season contracts ------------------------------------------------------------


class ContractQuerySet(models.QuerySet):
    def for_collective(self, collective):
        return self.filter(collective=collective)

    def open_for_signup(self, now=None):
        from django.utils import timezone

        return self.filter(
            status=Contract.Status.OPEN, signup_deadline__gt=now or timezone.now()
        )


class Contract(models.Model):
    """A season agreement between a producer and a collective."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open for sign-up")
        CLOSED = "closed", _("Sign-up closed")
        CANCELLED = "cancelled", _("Cancelled")

    producer = models.ForeignKey(
        Producer,
        on_delete=models.PROTECT,
        related_name="contracts",
        verbose_name=_("producer"),
    )
    collective = models.ForeignKey(
        Collective,
        on_delete=models.PROTECT,
        related_name="contracts",
        verbose_name=_("collective"),
    )
    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(
        _("description"),
        blank=True,
        max_length=LONG_TEXT_MAX_LENGTH,
        validators=[MaxLengthValidator(LONG_TEXT_MAX_LENGTH)],
    )
    deliveries = models.ManyToManyField(
        Distribution, related_name="contracts", verbose_name=_("delivery distributions")
    )
    instalment_choices = models.JSONField(
        _("numbers of instalments allowed"),
        default=list,
        help_text=_("For instance [1, 3, 6]: one cheque, three or six."),
    )
    signup_deadline = models.DateTimeField(_("sign-up deadline"))
    min_subscribers = models.PositiveIntegerField(_("minimum subscribers"), default=0)
    max_subscribers = models.PositiveIntegerField(
        _("maximum subscribers"), null=True, blank=True
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.DRAFT
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ContractQuerySet.as_manager()

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["-signup_deadline", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_subscribers__isnull=True)
                | Q(max_subscribers__gte=F("min_subscribers")),
                name="contract_max_not_below_min",
            )
        ]

    def __str__(self):
        return self.name


class ContractOption(models.Model):
    """One choice of a contract: a basket size, or a product delivered each time."""

    contract = models.ForeignKey(
        Contract,
        on_delete=models.CASCADE,
        related_name="options",
        verbose_name=_("contract"),
    )
    name = models.CharField(_("name"), max_length=150)
    description = models.CharField(_("description"), max_length=300, blank=True)
    product = models.ForeignKey(
        Product,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contract_options",
        verbose_name=_("product"),
    )
    price_per_delivery = models.DecimalField(
        _("price per delivery (€)"),
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(ZERO)],
    )

    class Meta:
        verbose_name = _("contract option")
        verbose_name_plural = _("contract options")
        ordering = ["contract", "price_per_delivery", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(price_per_delivery__gte=0),
                name="contract_option_price_not_negative",
            )
        ]

    def __str__(self):
        return self.name


class SubscriptionQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=Subscription.Status.ACTIVE)


class Subscription(models.Model):
    """A member's signature of a contract; a basket may be shared with someone."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        CANCELLED = "cancelled", _("Cancelled")

    class Sharing(models.TextChoices):
        NONE = "", _("Not shared")
        ALTERNATE = "alternate", _("Alternate deliveries")
        SPLIT = "split", _("Split each basket")

    contract = models.ForeignKey(
        Contract,
        on_delete=models.PROTECT,
        related_name="subscriptions",
        verbose_name=_("contract"),
    )
    option = models.ForeignKey(
        ContractOption,
        on_delete=models.PROTECT,
        related_name="subscriptions",
        verbose_name=_("option"),
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="subscriptions",
        verbose_name=_("member"),
    )
    quantity = models.PositiveSmallIntegerField(
        _("quantity"), default=1, validators=[MinValueValidator(1)]
    )
    instalments = models.PositiveSmallIntegerField(
        _("number of instalments"), default=1
    )
    sharing = models.CharField(
        _("shared basket"),
        max_length=10,
        choices=Sharing,
        default=Sharing.NONE,
        blank=True,
    )
    shared_with = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="shared_subscriptions",
        verbose_name=_("shared with"),
    )
    total = models.DecimalField(
        _("total (€)"), max_digits=10, decimal_places=2, default=ZERO
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.ACTIVE
    )
    created_at = models.DateTimeField(_("signed on"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("cancelled on"), null=True, blank=True)

    objects = SubscriptionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        ordering = ["contract", "member__last_name", "member__first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "member"],
                condition=Q(status="active"),
                name="subscription_one_active_per_member",
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="subscription_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(instalments__gte=1),
                name="subscription_instalments_positive",
            ),
            models.CheckConstraint(
                condition=Q(sharing="") | Q(shared_with__isnull=False),
                name="subscription_shared_has_partner",
            ),
        ]

    def __str__(self):
        return f"{self.member} — {self.contract} ({self.option})"


class Instalment(models.Model):
    """One payment of a subscription's schedule; the amounts add up to its total."""

    subscription = models.ForeignKey(
        Subscription,
        on_delete=models.PROTECT,
        related_name="schedule",
        verbose_name=_("subscription"),
    )
    number = models.PositiveSmallIntegerField(_("number"))
    due_date = models.DateField(_("due date"))
    amount = models.DecimalField(_("amount (€)"), max_digits=10, decimal_places=2)
    paid_at = models.DateTimeField(_("received on"), null=True, blank=True)
    method = models.CharField(
        _("method"), max_length=10, choices=PaymentMethod, blank=True
    )
    reference = models.CharField(
        _("reference"),
        max_length=100,
        blank=True,
        help_text=_("Cheque number, transfer label…"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("instalment")
        verbose_name_plural = _("instalments")
        ordering = ["subscription", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "number"], name="instalment_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="instalment_amount_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.subscription} — {self.number}"

    @property
    def is_paid(self) -> bool:
        return self.paid_at is not None


class ReceivedPayment(models.Model):
    """Money a collective received from a member: how much, how, when, and
    which organiser recorded it. Subclasses add what it pays for."""

    amount = models.DecimalField(
        _("amount (€)"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(ZERO)],
    )
    method = models.CharField(_("method"), max_length=10, choices=PaymentMethod)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    received_at = models.DateTimeField(_("received on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        abstract = True


class OrderPayment(ReceivedPayment):
    """Money received for a one-off order (cheque, transfer or cash)."""

    order = models.ForeignKey(
        Order,
        on_delete=models.PROTECT,
        related_name="payments",
        verbose_name=_("order"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("order payment")
        verbose_name_plural = _("order payments")
        ordering = ["order", "received_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="order_payment_positive"
            )
        ]

    def __str__(self):
        return f"{self.order} — {format_euros(self.amount)}"


# Absences --------------------------------------------------------------------


class Absence(models.Model):
    """A member will not collect at a distribution; what becomes of their basket."""

    class Fate(models.TextChoices):
        GIVEN = "given", _("Given to another member")
        SOLIDARITY = "solidarity", _("Given to the solidarity pool")
        KEPT = "kept", _("Kept for later")

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="absences",
        verbose_name=_("member"),
    )
    distribution = models.ForeignKey(
        Distribution,
        on_delete=models.PROTECT,
        related_name="absences",
        verbose_name=_("distribution"),
    )
    fate = models.CharField(_("the basket is"), max_length=12, choices=Fate)
    given_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="baskets_received",
        verbose_name=_("given to"),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("recorded on"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("cancelled on"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        ordering = ["distribution", "member__last_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "distribution"],
                condition=Q(cancelled_at__isnull=True),
                name="absence_one_per_member_and_distribution",
            ),
            models.CheckConstraint(
                condition=~Q(fate="given") | Q(given_to__isnull=False),
                name="absence_given_has_recipient",
            ),
        ]

    def __str__(self):
        return f"{self.member} — {self.distribution}"


# Picking lists ---------------------------------------------------------------


class PickingListSent(models.Model):
    """A farm's picking list for a closed cycle has been emailed: never twice."""

    producer = models.ForeignKey(
        Producer,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("producer"),
    )
    cycle = models.ForeignKey(
        "distribution.OrderCycle",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("order cycle"),
    )
    sent_at = models.DateTimeField(_("sent on"), auto_now_add=True)

    class Meta:
        verbose_name = _("picking list sent")
        verbose_name_plural = _("picking lists sent")
        constraints = [
            models.UniqueConstraint(
                fields=["producer", "cycle"], name="picking_list_sent_once"
            )
        ]

    def __str__(self):
        return f"{self.producer} — {self.cycle}"


# Stored distribution sheets and delivery notes --------------------------------


def stored_document_path(document, filename: str) -> str:
    """A directory nobody can guess per file: media may be served as is, and a
    sheet holds members' names and what they owe."""
    return f"sheets/{secrets.token_urlsafe(16)}/{filename}"


class StoredDocumentQuerySet(models.QuerySet):
    def for_distribution(self, distribution):
        return self.filter(distribution=distribution)


class StoredDocument(models.Model):
    """A distribution's sheet or delivery notes in one format, generated in the
    background and kept until something it shows changes.

    `requested_at` is when the document was last asked for or touched by a
    change; `generated_at` when the data of the stored file was read. The file
    is current when it exists and `generated_at >= requested_at`.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be generated")
        RUNNING = "running", _("Being generated")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    class Stage(models.TextChoices):
        QUEUED = "queued", _("Waiting for a free worker")
        READING = "reading", _("Reading the orders")
        BUILDING = "building", _("Laying out the document")
        SAVING = "saving", _("Saving the file")
        DONE = "done", _("Done")

    distribution = models.ForeignKey(
        Distribution,
        on_delete=models.CASCADE,
        related_name="stored_documents",
        verbose_name=_("distribution"),
    )
    kind = models.CharField(_("document"), max_length=20)
    fmt = models.CharField(_("format"), max_length=5)
    landscape = models.BooleanField(_("landscape"), default=False)
    file = models.FileField(
        _("file"), upload_to=stored_document_path, max_length=300, blank=True
    )
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.PENDING
    )
    stage = models.CharField(
        _("stage"), max_length=10, choices=Stage, default=Stage.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    requested_at = models.DateTimeField(_("requested at"))
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    generated_at = models.DateTimeField(_("generated at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    # The worker generating it holds a lease: renewed at each stage, it lapses
    # soon after the worker dies, and another run may then take the document.
    claimed_by = models.CharField(_("claimed by"), max_length=64, blank=True)
    lease_expires_at = models.DateTimeField(
        _("lease expires at"), null=True, blank=True
    )

    objects = StoredDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("stored document")
        verbose_name_plural = _("stored documents")
        ordering = ["distribution", "kind", "fmt", "landscape"]
        constraints = [
            models.UniqueConstraint(
                fields=["distribution", "kind", "fmt", "landscape"],
                name="stored_document_one_per_variant",
            ),
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="stored_document_progress_max"
            ),
        ]

    def __str__(self):
        return f"{self.distribution} — {self.kind} ({self.fmt})"

    @property
    def is_current(self) -> bool:
        """The stored file shows the data as it is now."""
        return (
            bool(self.file)
            and self.generated_at is not None
            and self.generated_at >= self.requested_at
        )

    @property
    def is_working(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.RUNNING)


class SheetLinksSent(models.Model):
    """An organiser was emailed the links to a closed cycle's sheets: never twice."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("organiser"),
    )
    cycle = models.ForeignKey(
        "distribution.OrderCycle",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("order cycle"),
    )
    sent_at = models.DateTimeField(_("sent on"), auto_now_add=True)

    class Meta:
        verbose_name = _("sheet links sent")
        verbose_name_plural = _("sheet links sent")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "cycle"], name="sheet_links_sent_once"
            )
        ]

    def __str__(self):
        return f"{self.user} — {self.cycle}"
