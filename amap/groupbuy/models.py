"""Group purchases: a campaign pools members' pledges to reach full cases,
price tiers and the supplier's minimum order; wishes collect demand first.

Quantities are whole units of the item (a kilo, a bottle, a bag): suppliers
ship cases of N units and members pledge units. Pledges are never deleted
once made: withdrawing one sets it to zero, and the allocation is kept on
the pledge (`allocated`), next to what was asked.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import (
    MaxLengthValidator,
    MaxValueValidator,
    MinValueValidator,
)
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amap.distribution.models import Distribution
from amap.members.models import Collective
from amap.money import format_euros
from amap.orders.models import ReceivedPayment
from amap.producers.models import MAX_PRICE, Producer, Product
from amap.texts import LONG_TEXT_MAX_LENGTH, SHORT_TEXT_MAX_LENGTH, TEXT_MAX_LENGTH

# A pledge or a case count above this is a typing error, not an order.
MAX_UNITS = 100_000
MAX_CASES = 10_000


class Policy(models.TextChoices):
    """How units are shared when the cases do not match the pledges exactly
    (see amap/groupbuy/allocation.py and docs/group-purchases.md)."""

    FIRST_COME = "first_come", _("First come, first served")
    FAIR_SHARE = "fair_share", _("Fair share (pro rata)")


class GroupPurchaseQuerySet(models.QuerySet):
    def for_collectives(self, collectives):
        return self.filter(collectives__in=collectives).distinct()

    def open(self, now=None):
        now = now or timezone.now()
        return self.filter(
            status=GroupPurchase.Status.OPEN, opens_at__lte=now, closes_at__gt=now
        )

    def due_for_closing(self, now=None):
        return self.filter(
            status=GroupPurchase.Status.OPEN, closes_at__lte=now or timezone.now()
        )


class GroupPurchase(models.Model):
    """One campaign: a supplier, items sold by the case, a closing date and
    the distribution where members collect what they get."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open for pledges")
        CLOSED = "closed", _("Closed, awaiting a decision")
        ALLOCATED = "allocated", _("Allocated")
        ORDERED = "ordered", _("Ordered from the supplier")
        DELIVERED = "delivered", _("Delivered")
        CANCELLED = "cancelled", _("Cancelled")

    collectives = models.ManyToManyField(
        Collective,
        related_name="group_purchases",
        verbose_name=_("collectives"),
        help_text=_("One collective, or several of the network buying together."),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(
        _("description"),
        blank=True,
        max_length=LONG_TEXT_MAX_LENGTH,
        validators=[MaxLengthValidator(LONG_TEXT_MAX_LENGTH)],
    )
    producer = models.ForeignKey(
        Producer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="group_purchases",
        verbose_name=_("producer of the network"),
    )
    supplier_name = models.CharField(
        _("outside supplier"),
        max_length=200,
        blank=True,
        help_text=_("When the supplier is not a producer of the network."),
    )
    supplier_contact = models.CharField(
        _("supplier contact"),
        max_length=300,
        blank=True,
        help_text=_("Email, phone or address of the supplier."),
    )
    opens_at = models.DateTimeField(_("pledges open on"))
    closes_at = models.DateTimeField(_("pledges close on"))
    distribution = models.ForeignKey(
        Distribution,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="group_purchases",
        verbose_name=_("collected at"),
        help_text=_("The distribution where members collect the goods."),
    )
    minimum_order = models.DecimalField(
        _("minimum order (€)"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_PRICE)],
        help_text=_("The supplier does not ship below this amount (0: no minimum)."),
    )
    policy = models.CharField(
        _("sharing rule"),
        max_length=12,
        choices=Policy,
        default=Policy.FAIR_SHARE,
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.DRAFT
    )
    wish = models.ForeignKey(
        "Wish",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="campaigns",
        verbose_name=_("from the wish"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created on"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed on"), null=True, blank=True)
    allocated_at = models.DateTimeField(_("allocated on"), null=True, blank=True)
    ordered_at = models.DateTimeField(_("ordered on"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered on"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled on"), null=True, blank=True)
    cancel_reason = models.TextField(
        _("reason for cancelling"),
        blank=True,
        max_length=SHORT_TEXT_MAX_LENGTH,
        validators=[MaxLengthValidator(SHORT_TEXT_MAX_LENGTH)],
    )
    order_anyway = models.BooleanField(
        _("order below the minimum"),
        default=False,
        help_text=_("Set by an organiser who orders although the minimum is not met."),
    )

    objects = GroupPurchaseQuerySet.as_manager()

    class Meta:
        ordering = ["-closes_at", "pk"]
        verbose_name = _("group purchase")
        verbose_name_plural = _("group purchases")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")),
                name="groupbuy_closes_after_opening",
                violation_error_message=_("Pledges must close after they open."),
            ),
            models.CheckConstraint(
                condition=Q(producer__isnull=False) | ~Q(supplier_name=""),
                name="groupbuy_has_a_supplier",
                violation_error_message=_(
                    "Choose a producer of the network or name an outside supplier."
                ),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("groupbuy:campaign_detail", args=[self.pk])

    @property
    def supplier_display(self) -> str:
        return self.producer.name if self.producer_id else self.supplier_name


class Item(models.Model):
    """A product of the campaign, sold by the case, with its price tiers."""

    campaign = models.ForeignKey(
        GroupPurchase,
        on_delete=models.CASCADE,
        related_name="items",
        verbose_name=_("group purchase"),
    )
    product = models.ForeignKey(
        Product,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("catalogue product"),
    )
    name = models.CharField(_("product"), max_length=200)
    unit = models.CharField(
        _("unit"),
        max_length=10,
        choices=Product.Unit,
        default=Product.Unit.KG,
    )
    case_size = models.PositiveIntegerField(
        _("units per case"),
        validators=[MinValueValidator(1), MaxValueValidator(MAX_UNITS)],
    )
    min_cases = models.PositiveIntegerField(
        _("minimum cases"),
        default=0,
        validators=[MaxValueValidator(MAX_CASES)],
        help_text=_("Not ordered at all below this number of cases (0: no minimum)."),
    )
    max_cases = models.PositiveIntegerField(
        _("maximum cases"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_CASES)],
        help_text=_("The supplier's stock (empty: no limit)."),
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    cases_ordered = models.PositiveIntegerField(
        _("cases ordered"), null=True, blank=True
    )
    final_unit_price = models.DecimalField(
        _("final price per unit (€)"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
    )

    class Meta:
        ordering = ["campaign", "position", "pk"]
        verbose_name = _("item")
        verbose_name_plural = _("items")
        constraints = [
            models.CheckConstraint(
                condition=Q(max_cases__isnull=True) | Q(max_cases__gte=F("min_cases")),
                name="groupbuy_item_max_at_least_min",
                violation_error_message=_(
                    "The maximum number of cases cannot be below the minimum."
                ),
            ),
        ]

    def __str__(self):
        return self.name


class PriceTier(models.Model):
    """The price per unit from a number of cases on, for everyone."""

    item = models.ForeignKey(
        Item, on_delete=models.CASCADE, related_name="tiers", verbose_name=_("item")
    )
    min_cases = models.PositiveIntegerField(
        _("from (cases)"), validators=[MaxValueValidator(MAX_CASES)]
    )
    unit_price = models.DecimalField(
        _("price per unit (€)"),
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(MAX_PRICE)],
    )

    class Meta:
        ordering = ["item", "min_cases"]
        verbose_name = _("price tier")
        verbose_name_plural = _("price tiers")
        constraints = [
            models.UniqueConstraint(
                fields=["item", "min_cases"],
                name="groupbuy_one_tier_per_case_count",
                violation_error_message=_(
                    "Two tiers start at the same number of cases."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.item}: {format_euros(self.unit_price)} ≥ {self.min_cases}"


class Pledge(models.Model):
    """A member's pledge for one item: the units wanted and the extra units
    accepted to complete a case. `pledged_at` orders first come first served:
    it moves to the time of any increase, never of a decrease."""

    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="pledges", verbose_name=_("item")
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="pledges",
        verbose_name=_("member"),
    )
    quantity = models.PositiveIntegerField(
        _("quantity"), validators=[MaxValueValidator(MAX_UNITS)]
    )
    tolerance = models.PositiveIntegerField(
        _("extra units accepted"),
        default=0,
        validators=[MaxValueValidator(MAX_UNITS)],
        help_text=_("How many more units you would take to complete a case."),
    )
    pledged_at = models.DateTimeField(_("pledged on"))
    updated_at = models.DateTimeField(_("changed on"), auto_now=True)
    allocated = models.PositiveIntegerField(_("allocated"), null=True, blank=True)
    notified_at = models.DateTimeField(_("told on"), null=True, blank=True)

    class Meta:
        ordering = ["item", "pledged_at", "pk"]
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")
        constraints = [
            models.UniqueConstraint(
                fields=["item", "member"],
                name="groupbuy_one_pledge_per_item_and_member",
                violation_error_message=_("You already pledged for this item."),
            ),
        ]

    def __str__(self):
        return f"{self.member} — {self.item}: {self.quantity} (+{self.tolerance})"


class Payment(ReceivedPayment):
    """Money received from a member for what a campaign allocated them."""

    campaign = models.ForeignKey(
        GroupPurchase,
        on_delete=models.PROTECT,
        related_name="payments",
        verbose_name=_("group purchase"),
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="group_purchase_payments",
        verbose_name=_("member"),
    )
    # Typed on the campaign's sheet: a cent at least, never above a price.
    amount = models.DecimalField(
        _("amount (€)"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(MAX_PRICE)],
    )
    # Always recorded by the campaign's organiser: required by full_clean().
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    cancelled_at = models.DateTimeField(_("cancelled on"), null=True, blank=True)

    class Meta:
        ordering = ["campaign", "received_at", "pk"]
        verbose_name = _("group purchase payment")
        verbose_name_plural = _("group purchase payments")

    def __str__(self):
        return f"{self.member} — {self.campaign}: {format_euros(self.amount)}"


class Wish(models.Model):
    """A product or supplier members would like to buy together."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        PLANNED = "planned", _("Turned into a group purchase")
        DECLINED = "declined", _("Declined")

    collective = models.ForeignKey(
        Collective,
        on_delete=models.CASCADE,
        related_name="wishes",
        verbose_name=_("collective"),
    )
    title = models.CharField(_("what"), max_length=200)
    description = models.TextField(
        _("details"),
        blank=True,
        max_length=TEXT_MAX_LENGTH,
        validators=[MaxLengthValidator(TEXT_MAX_LENGTH)],
    )
    supplier_hint = models.CharField(
        _("supplier you know of"), max_length=300, blank=True
    )
    unit = models.CharField(
        _("unit"), max_length=10, choices=Product.Unit, default=Product.Unit.KG
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="wishes",
        verbose_name=_("proposed by"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.OPEN
    )
    answer = models.TextField(
        _("answer from the organisers"),
        blank=True,
        max_length=TEXT_MAX_LENGTH,
        validators=[MaxLengthValidator(TEXT_MAX_LENGTH)],
    )
    created_at = models.DateTimeField(_("proposed on"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "pk"]
        verbose_name = _("wish")
        verbose_name_plural = _("wishes")

    def __str__(self):
        return self.title


class Vote(models.Model):
    """A member's support for a wish, with the quantity they might take."""

    wish = models.ForeignKey(
        Wish, on_delete=models.CASCADE, related_name="votes", verbose_name=_("wish")
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="wish_votes",
        verbose_name=_("member"),
    )
    quantity = models.PositiveIntegerField(
        _("quantity I might take"),
        default=0,
        validators=[MaxValueValidator(MAX_UNITS)],
    )
    created_at = models.DateTimeField(_("voted on"), auto_now_add=True)

    class Meta:
        ordering = ["wish", "created_at", "pk"]
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(
                fields=["wish", "member"],
                name="groupbuy_one_vote_per_wish_and_member",
                violation_error_message=_("You already support this wish."),
            ),
        ]

    def __str__(self):
        return f"{self.member} — {self.wish}: {self.quantity}"
