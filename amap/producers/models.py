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
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from amap.locations import Located, position_in_range
from amap.members.models import Collective, InvitationBase
from amap.money import ZERO
from amap.private_media import private_storage
from amap.texts import LONG_TEXT_MAX_LENGTH, TEXT_MAX_LENGTH

# Quantities are validated against this ceiling: nobody brings a million
# kilos to a distribution, and a typo should not pass.
MAX_QUANTITY = Decimal("100000")
MAX_PRICE = Decimal("100000")


# A farm's public description: long enough for a page, short enough for an
# organiser to read it (and for the review queue's word diff).
DESCRIPTION_MAX_LENGTH = LONG_TEXT_MAX_LENGTH


class Label(models.Model):
    """A quality label or certification (AB, Nature & Progrès, Demeter…)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.TextField(
        _("description"),
        blank=True,
        max_length=TEXT_MAX_LENGTH,
        validators=[MaxLengthValidator(TEXT_MAX_LENGTH)],
    )

    class Meta:
        verbose_name = _("label")
        verbose_name_plural = _("labels")
        ordering = ["name"]

    def __str__(self):
        return self.name


class ProducerQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)

    def public(self):
        """Farms shown on the public site: active, and whose page an organiser
        has approved at least once (moderation)."""
        return self.filter(active=True, published_at__isnull=False)

    def supplying(self, collective):
        """Farms that accepted to supply `collective` and still do."""
        return self.filter(
            partnerships__collective=collective,
            partnerships__active=True,
            partnerships__status=Partnership.Status.ACCEPTED,
        ).distinct()


class Producer(Located):
    """A farm or workshop that sells to the network's collectives."""

    name = models.CharField(_("name"), max_length=150)
    slug = models.SlugField(_("slug"), max_length=150, unique=True)
    activity = models.CharField(
        _("activity"),
        max_length=150,
        blank=True,
        help_text=_("In a few words: market gardening, bakery, goat cheese…"),
    )
    description = models.TextField(
        _("description"),
        max_length=DESCRIPTION_MAX_LENGTH,
        # A TextField's max_length only reaches forms; this reaches full_clean.
        validators=[MaxLengthValidator(DESCRIPTION_MAX_LENGTH)],
        blank=True,
    )
    labels = models.ManyToManyField(
        Label, blank=True, related_name="producers", verbose_name=_("labels")
    )
    photo = models.ImageField(_("photo"), upload_to="producers/", blank=True)
    email = models.EmailField(_("contact email"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    website = models.URLField(_("website"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="managed_producers",
        verbose_name=_("accounts managing it"),
    )
    collectives = models.ManyToManyField(
        Collective,
        through="Partnership",
        related_name="producers",
        verbose_name=_("collectives supplied"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    published_at = models.DateTimeField(
        _("public page approved"),
        null=True,
        blank=True,
        help_text=_(
            "When an organiser first approved the farm's public page; "
            "until then it is not shown on the public site."
        ),
    )

    objects = ProducerQuerySet.as_manager()

    class Meta:
        verbose_name = _("producer")
        verbose_name_plural = _("producers")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=position_in_range(), name="producer_position_in_range"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("producers:profile_edit", args=[self.slug])


class PartnershipQuerySet(models.QuerySet):
    def current(self):
        """The farm accepted and still supplies the collective."""
        return self.filter(active=True, status=Partnership.Status.ACCEPTED)

    def proposed(self):
        """Proposals waiting for the farm's answer."""
        return self.filter(status=Partnership.Status.PROPOSED)


class Partnership(models.Model):
    """A producer supplies a collective; one organiser is its référent·e.

    The collective proposes it and the farm's managers accept it: only then
    is it `active` (the database refuses an active partnership that was not
    accepted), so every query on `active=True` counts accepted ones only.
    Ending keeps it accepted but inactive; proposing again starts a new
    proposal on the same row.
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed, waiting for the farm")
        ACCEPTED = "accepted", _("Accepted by the farm")
        DECLINED = "declined", _("Declined by the farm")
        WITHDRAWN = "withdrawn", _("Proposal withdrawn")

    producer = models.ForeignKey(
        Producer,
        on_delete=models.CASCADE,
        related_name="partnerships",
        verbose_name=_("producer"),
    )
    collective = models.ForeignKey(
        Collective,
        on_delete=models.CASCADE,
        related_name="partnerships",
        verbose_name=_("collective"),
    )
    referent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referent_for",
        verbose_name=_("référent"),
    )
    since = models.DateField(_("since"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=False)
    status = models.CharField(
        _("status"), max_length=20, choices=Status, default=Status.PROPOSED
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    proposed_at = models.DateTimeField(_("proposed"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    trusted = models.BooleanField(
        _("trusted"),
        default=False,
        help_text=_(
            "The collective's organisers trust the farm: its changes to its "
            "public page and products are published without review."
        ),
    )

    objects = PartnershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")
        ordering = ["collective__name", "producer__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["producer", "collective"], name="partnership_unique"
            ),
            models.CheckConstraint(
                condition=Q(active=False) | Q(status="accepted"),
                name="partnership_active_only_once_accepted",
            ),
        ]

    def __str__(self):
        return f"{self.producer} → {self.collective}"

    @property
    def is_proposed(self) -> bool:
        return self.status == self.Status.PROPOSED


class ManagerInvitation(InvitationBase):
    """An invitation to manage a farm, sent to the address an organiser (or
    one of its managers) named: the account of that address becomes a
    manager only once it accepts."""

    producer = models.ForeignKey(
        Producer,
        on_delete=models.CASCADE,
        related_name="manager_invitations",
        verbose_name=_("producer"),
    )

    class Meta(InvitationBase.Meta):
        verbose_name = _("invitation to manage a farm")
        verbose_name_plural = _("invitations to manage a farm")
        constraints = [
            models.UniqueConstraint(
                fields=["producer", "email"],
                condition=Q(accepted_at__isnull=True, cancelled_at__isnull=True),
                name="manager_invitation_one_pending_per_email",
            )
        ]

    def __str__(self):
        return f"{self.email} → {self.producer}"

    def get_absolute_url(self):
        return reverse("producers:manager_invitation_accept", args=[self.token])


class ProductQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)

    def archived(self):
        return self.filter(active=False)

    def public(self):
        """Products the public site shows (under their `published_name`): on
        sale, and approved at least once (moderation)."""
        return self.active().exclude(published_name="")

    def waiting(self):
        """Products on sale whose name, description or photo differ from what
        an organiser approved (moderation)."""
        return self.active().filter(
            ~Q(name=F("published_name"))
            | ~Q(description=F("published_description"))
            | ~Q(pending_photo="")
        )


class Product(models.Model):
    """An item of a producer's catalogue. Archived, never deleted once offered."""

    class Category(models.TextChoices):
        VEGETABLES = "vegetables", _("Vegetables")
        FRUIT = "fruit", _("Fruit")
        BREAD = "bread", _("Bread and bakery")
        CHEESE = "cheese", _("Cheese and dairy")
        EGGS = "eggs", _("Eggs")
        POULTRY = "poultry", _("Poultry")
        MEAT = "meat", _("Meat")
        HONEY = "honey", _("Honey and hive products")
        MUSHROOMS = "mushrooms", _("Mushrooms")
        DRINKS = "drinks", _("Drinks")
        GROCERY = "grocery", _("Grocery")
        BASKET = "basket", _("Baskets")
        OTHER = "other", _("Other")

    class Unit(models.TextChoices):
        KG = "kg", _("kg")
        PIECE = "piece", _("piece")
        BUNCH = "bunch", _("bunch")
        LITRE = "litre", _("litre")
        DOZEN = "dozen", _("dozen")
        BASKET = "basket", _("basket")
        JAR = "jar", _("jar")
        BOTTLE = "bottle", _("bottle")

    class VatRate(models.TextChoices):
        ZERO = "0.00", _("0 %")
        SUPER_REDUCED = "2.10", _("2.1 %")
        REDUCED = "5.50", _("5.5 %")
        INTERMEDIATE = "10.00", _("10 %")
        STANDARD = "20.00", _("20 %")

    producer = models.ForeignKey(
        Producer,
        on_delete=models.PROTECT,
        related_name="products",
        verbose_name=_("producer"),
    )
    name = models.CharField(_("name"), max_length=150)
    category = models.CharField(
        _("category"), max_length=20, choices=Category, default=Category.VEGETABLES
    )
    unit = models.CharField(_("unit"), max_length=10, choices=Unit, default=Unit.KG)
    price = models.DecimalField(
        _("price per unit (€)"),
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_PRICE)],
    )
    vat_rate = models.DecimalField(
        _("VAT rate (%)"),
        max_digits=4,
        decimal_places=2,
        choices=[(Decimal(value), label) for value, label in VatRate.choices],
        default=Decimal("5.50"),
    )
    weight_step = models.DecimalField(
        _("weight step (kg)"),
        max_digits=6,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.001"))],
        help_text=_("For weighed products: members order multiples of this, e.g. 0.5."),
    )
    usual_quantity = models.DecimalField(
        _("usual quantity per week"),
        max_digits=10,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_QUANTITY)],
        help_text=_("Used by the “same as usual” shortcut of the weekly stock."),
    )
    description = models.TextField(
        _("description"),
        blank=True,
        max_length=TEXT_MAX_LENGTH,
        validators=[MaxLengthValidator(TEXT_MAX_LENGTH)],
    )
    photo = models.ImageField(
        _("photo"),
        upload_to="products/",
        blank=True,
        help_text=_("The approved photo, on the public site."),
    )
    # What the public site shows: the name and description an organiser
    # approved. Members ordering in a collective read `name` and
    # `description`, the farm's latest words (see docs/decisions.md).
    published_name = models.CharField(
        _("published name"),
        max_length=150,
        blank=True,
        help_text=_("Empty until an organiser first approves the product."),
    )
    published_description = models.TextField(
        _("published description"),
        blank=True,
        max_length=TEXT_MAX_LENGTH,
        validators=[MaxLengthValidator(TEXT_MAX_LENGTH)],
    )
    pending_photo = models.ImageField(
        _("photo waiting for approval"),
        upload_to="products/",
        storage=private_storage,
        blank=True,
        help_text=_("Not public: only the farm and its moderators see it."),
    )
    active = models.BooleanField(_("on sale"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ProductQuerySet.as_manager()

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["producer", "category", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(price__gte=0), name="product_price_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(weight_step__isnull=True) | Q(weight_step__gt=0),
                name="product_weight_step_positive",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_unpublished(self) -> bool:
        """Its name, description or photo wait for an organiser's approval
        (or were refused): the public site shows the approved ones."""
        return bool(
            self.name != self.published_name
            or self.description != self.published_description
            or self.pending_photo
        )


class _OfferHistory(HistoricalRecords):
    """An offer's changes, not its deletion: an offer is deleted only while no
    order line ever pointed to it (they protect it), so nothing a dispute
    needs goes with it, and the stock grid deletes many at once without a
    history row each."""

    def post_delete(self, instance, using=None, **kwargs):
        return None


class OfferQuerySet(models.QuerySet):
    def for_cycle(self, cycle):
        return self.filter(cycle=cycle)

    def with_product(self):
        return self.select_related("product__producer")

    def available(self):
        """Offers members can still book: an active product, stock left."""
        return self.filter(product__active=True).filter(
            Q(quantity_available__isnull=True) | Q(booked__lt=F("quantity_available"))
        )


class Offer(models.Model):
    """A producer's quantity and price for a product in one order cycle.

    `booked` is maintained by the order services in the same transaction as
    the booking; the database refuses any row where it passes the quantity
    available, so concurrent bookings can never oversell.
    """

    LOW_STOCK_SHARE = Decimal("0.2")

    product = models.ForeignKey(
        Product,
        on_delete=models.PROTECT,
        related_name="offers",
        verbose_name=_("product"),
    )
    cycle = models.ForeignKey(
        "distribution.OrderCycle",
        on_delete=models.PROTECT,
        related_name="offers",
        verbose_name=_("order cycle"),
    )
    quantity_available = models.DecimalField(
        _("quantity available"),
        max_digits=10,
        decimal_places=3,
        null=True,
        blank=True,
        help_text=_("Empty: no limit."),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_QUANTITY)],
    )
    price = models.DecimalField(
        _("price per unit (€)"),
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_PRICE)],
    )
    booked = models.DecimalField(
        _("quantity booked"), max_digits=10, decimal_places=3, default=Decimal("0")
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = OfferQuerySet.as_manager()
    # Who changed the quantity or the price, and when (`booked` moves with
    # every booking by a plain UPDATE, which is not recorded here).
    history = _OfferHistory(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        ordering = ["cycle", "product"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "cycle"], name="offer_one_per_product_and_cycle"
            ),
            models.CheckConstraint(
                condition=Q(booked__gte=0), name="offer_booked_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(quantity_available__isnull=True)
                | Q(quantity_available__gte=0),
                name="offer_quantity_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(quantity_available__isnull=True)
                | Q(booked__lte=F("quantity_available")),
                name="offer_booked_within_available",
            ),
            models.CheckConstraint(
                condition=Q(price__gte=0), name="offer_price_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.product} — {self.cycle}"

    @property
    def is_unlimited(self) -> bool:
        return self.quantity_available is None

    @property
    def remaining(self) -> Decimal | None:
        """What members can still book; None when there is no limit."""
        if self.quantity_available is None:
            return None
        return max(self.quantity_available - self.booked, ZERO)

    @property
    def is_sold_out(self) -> bool:
        return self.remaining is not None and self.remaining <= 0

    @property
    def is_low_stock(self) -> bool:
        """A few units left: at most a fifth of the stock, and at least one unit."""
        remaining = self.remaining
        if remaining is None or remaining <= 0:
            return False
        return remaining <= max(self.quantity_available * self.LOW_STOCK_SHARE, 1)


class CharterCommitmentQuerySet(models.QuerySet):
    def waiting(self):
        """Statements written but not approved yet (moderation)."""
        return self.exclude(statement=models.F("published_statement"))


class CharterCommitment(models.Model):
    """How a farm meets one commitment of the charter, in its own words.

    Keyed by the commitment's heading in the charter text, so a statement
    follows its commitment from one version to the next while the heading
    stays the same.
    """

    producer = models.ForeignKey(
        Producer,
        on_delete=models.CASCADE,
        related_name="charter_commitments",
        verbose_name=_("producer"),
    )
    heading = models.CharField(_("commitment"), max_length=255)
    statement = models.TextField(
        _("how the farm meets it"),
        max_length=TEXT_MAX_LENGTH,
        validators=[MaxLengthValidator(TEXT_MAX_LENGTH)],
    )
    published_statement = models.TextField(
        _("published text"),
        blank=True,
        max_length=TEXT_MAX_LENGTH,
        validators=[MaxLengthValidator(TEXT_MAX_LENGTH)],
        help_text=_(
            "The text an organiser approved, shown on the public profile; "
            "it differs from the statement while a change waits (moderation)."
        ),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = CharterCommitmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("charter commitment")
        verbose_name_plural = _("charter commitments")
        ordering = ["producer", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["producer", "heading"], name="charter_commitment_unique"
            )
        ]

    def __str__(self):
        return f"{self.producer} — {self.heading}"


class ProfileSubmission(models.Model):
    """A change to a farm's public page, waiting for an organiser of a
    collective the farm supplies to approve it (moderation)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    producer = models.ForeignKey(
        Producer,
        on_delete=models.CASCADE,
        related_name="profile_submissions",
        verbose_name=_("producer"),
    )
    name = models.CharField(_("name"), max_length=150)
    activity = models.CharField(_("activity"), max_length=150, blank=True)
    description = models.TextField(
        _("description"),
        max_length=DESCRIPTION_MAX_LENGTH,
        # A TextField's max_length only reaches forms; this reaches full_clean.
        validators=[MaxLengthValidator(DESCRIPTION_MAX_LENGTH)],
        blank=True,
    )
    photo = models.ImageField(
        _("new photo"),
        upload_to="producers/submissions/",
        # Not public until approved: a copy goes to the farm's photo then.
        storage=private_storage,
        blank=True,
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status, default=Status.PENDING
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    comment = models.TextField(
        _("comment"),
        blank=True,
        max_length=TEXT_MAX_LENGTH,
        validators=[MaxLengthValidator(TEXT_MAX_LENGTH)],
    )

    class Meta:
        verbose_name = _("profile change")
        verbose_name_plural = _("profile changes")
        ordering = ["submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["producer"],
                condition=Q(status="pending"),
                name="profile_submission_one_pending",
            )
        ]

    def __str__(self):
        return f"{self.producer} — {self.get_status_display()}"
