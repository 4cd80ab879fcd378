import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import CharField, Count, OuterRef, Q, Subquery, Value
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amap.texts import LONG_TEXT_MAX_LENGTH, SHORT_TEXT_MAX_LENGTH, TEXT_MAX_LENGTH


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        email = self.normalize_email(email).lower()
        user = self.model(email=email, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person with an account: member, organiser, producer, or several."""

    username = None
    email = models.EmailField(_("email address"), unique=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["last_name", "first_name", "email"]

    def __str__(self):
        return self.get_full_name() or self.email

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    def get_sort_name(self):
        """ "Last First" for alphabetical lists such as distribution sheets."""
        return f"{self.last_name} {self.first_name}".strip() or self.email


class CollectiveQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)

    def with_member_counts(self):
        return self.annotate(
            member_count=Count(
                "memberships",
                filter=Q(memberships__status=Membership.Status.ACTIVE),
                distinct=True,
            )
        )

    def with_status_for(self, user):
        """Annotate `my_status`: the user's membership status, or None."""
        if not user.is_authenticated:
            return self.annotate(my_status=Value(None, output_field=CharField()))
        return self.annotate(
            my_status=Subquery(
                Membership.objects.filter(collective=OuterRef("pk"), user=user).values(
                    "status"
                )[:1]
            )
        )


class Collective(models.Model):
    """One local group of the network: an AMAP or a buying group."""

    class Kind(models.TextChoices):
        AMAP = "amap", _("AMAP")
        BUYING_GROUP = "buying_group", _("Buying group")

    name = models.CharField(_("name"), max_length=150)
    slug = models.SlugField(_("slug"), max_length=150, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.AMAP)
    town = models.CharField(_("town"), max_length=100, blank=True)
    description = models.TextField(
        _("description"),
        blank=True,
        max_length=LONG_TEXT_MAX_LENGTH,
        validators=[MaxLengthValidator(LONG_TEXT_MAX_LENGTH)],
    )
    contact_email = models.EmailField(_("contact email"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = CollectiveQuerySet.as_manager()

    class Meta:
        verbose_name = _("collective")
        verbose_name_plural = _("collectives")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("members:collective_detail", args=[self.slug])


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=Membership.Status.ACTIVE)

    def organisers(self):
        return self.active().filter(role=Membership.Role.ORGANISER)

    def for_collective(self, collective):
        """Memberships of one collective with their users, for listings."""
        return self.filter(collective=collective).select_related("user")

    def without_charter_acceptance(self, version):
        """Memberships whose person has not accepted charter `version`."""
        return self.exclude(
            user__in=CharterAcceptance.objects.filter(version=version).values("user")
        )


class Membership(models.Model):
    """A user's place in a collective: member or organiser."""

    class Role(models.TextChoices):
        MEMBER = "member", _("Member")
        ORGANISER = "organiser", _("Organiser")

    class Status(models.TextChoices):
        PENDING = "pending", _("Join request")
        ACTIVE = "active", _("Active")
        DECLINED = "declined", _("Declined")
        INACTIVE = "inactive", _("Deactivated")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    collective = models.ForeignKey(
        Collective,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("collective"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role, default=Role.MEMBER)
    status = models.CharField(
        _("status"), max_length=20, choices=Status, default=Status.PENDING
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    message = models.TextField(
        _("message"),
        blank=True,
        max_length=SHORT_TEXT_MAX_LENGTH,
        validators=[MaxLengthValidator(SHORT_TEXT_MAX_LENGTH)],
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["collective", "user__last_name", "user__first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "collective"], name="membership_unique_user_collective"
            ),
            models.CheckConstraint(
                condition=~Q(status="active") | Q(joined_on__isnull=False),
                name="membership_active_has_joined_on",
            ),
        ]

    def __str__(self):
        return f"{self.user} — {self.collective} ({self.get_role_display()})"

    @property
    def is_active(self):
        return self.status == self.Status.ACTIVE

    @property
    def is_organiser(self):
        return self.is_active and self.role == self.Role.ORGANISER


def _new_token():
    return secrets.token_urlsafe(32)


def _invitation_expiry():
    """An invitation's link works for `INVITATION_DAYS` days after it is sent."""
    return timezone.now() + timedelta(days=settings.INVITATION_DAYS)


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(accepted_at__isnull=True, cancelled_at__isnull=True)

    def open(self):
        """Pending and not yet expired: what can still be accepted."""
        return self.pending().filter(expires_at__gt=timezone.now())

    def for_verified_emails_of(self, user):
        """Those sent to one of `user`'s confirmed addresses (any case)."""
        from allauth.account.models import EmailAddress

        emails = EmailAddress.objects.filter(user=user, verified=True).values_list(
            "email", flat=True
        )
        query = Q(pk__in=[])
        for email in emails:
            query |= Q(email__iexact=email)
        return self.filter(query)


class InvitationBase(models.Model):
    """What every invitation sent by email has: the address, a token for the
    link, who sent it, and its life (accepted, cancelled, expired).

    Only the person invited may accept, logged in with that address once
    confirmed: see `services.check_can_accept`.
    """

    email = models.EmailField(_("email address"))
    token = models.CharField(max_length=64, unique=True, default=_new_token)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), default=_invitation_expiry)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    @property
    def is_pending(self):
        return self.accepted_at is None and self.cancelled_at is None

    @property
    def is_expired(self):
        return self.is_pending and self.expires_at <= timezone.now()


class Invitation(InvitationBase):
    """An invitation sent by email to join a collective; the link holds a token."""

    collective = models.ForeignKey(
        Collective,
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("collective"),
    )
    role = models.CharField(
        _("role"),
        max_length=20,
        choices=Membership.Role,
        default=Membership.Role.MEMBER,
    )

    class Meta(InvitationBase.Meta):
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["collective", "email"],
                condition=Q(accepted_at__isnull=True, cancelled_at__isnull=True),
                name="invitation_one_pending_per_email",
            )
        ]

    def __str__(self):
        return f"{self.email} → {self.collective}"

    def get_absolute_url(self):
        return reverse("members:invitation_accept", args=[self.token])


class CharterVersionQuerySet(models.QuerySet):
    def latest_first(self):
        return self.order_by("-number")


class CharterVersion(models.Model):
    """One published version of the network's ethical charter.

    The text is written in the public site (a Wagtail page); each publication
    leaves a snapshot here, so that the rules about accepting it live in this
    app, below everything that has to enforce them.
    """

    number = models.PositiveIntegerField(_("version"), unique=True)
    title = models.CharField(_("title"), max_length=255)
    body = models.TextField(_("text (HTML)"))
    what_changed = models.TextField(
        _("what changed"),
        blank=True,
        max_length=TEXT_MAX_LENGTH,
        validators=[MaxLengthValidator(TEXT_MAX_LENGTH)],
    )
    page_url = models.CharField(
        _("address of the charter page"), max_length=500, blank=True
    )
    source_revision_id = models.PositiveBigIntegerField(
        _("page revision"), null=True, blank=True, unique=True, editable=False
    )
    published_at = models.DateTimeField(_("published"), default=timezone.now)

    objects = CharterVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("charter version")
        verbose_name_plural = _("charter versions")
        ordering = ["-number"]

    def __str__(self):
        return _("%(title)s, version %(number)s") % {
            "title": self.title,
            "number": self.number,
        }


class CharterAcceptance(models.Model):
    """A person's acceptance of one charter version; kept for good."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="charter_acceptances",
        verbose_name=_("user"),
    )
    version = models.ForeignKey(
        CharterVersion,
        on_delete=models.PROTECT,
        related_name="acceptances",
        verbose_name=_("version"),
    )
    accepted_at = models.DateTimeField(_("accepted"), default=timezone.now)

    class Meta:
        verbose_name = _("charter acceptance")
        verbose_name_plural = _("charter acceptances")
        ordering = ["-accepted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "version"], name="charter_acceptance_unique"
            )
        ]

    def __str__(self):
        return f"{self.user} — {self.version}"


class CharterNotice(models.Model):
    """The email telling one person about one new version: sent at most once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    version = models.ForeignKey(
        CharterVersion, on_delete=models.CASCADE, related_name="notices"
    )
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "version"], name="charter_notice_unique"
            )
        ]

    def __str__(self):
        return f"{self.user} — {self.version}"
