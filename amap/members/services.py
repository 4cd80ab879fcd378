"""Every write about accounts, collectives and memberships."""

from typing import cast

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from amap.background import enqueue_on_commit
from amap.emails import send_templated_email

from .charter_diff import changed_passages, charter_headings, html_to_text
from .models import (
    CharterAcceptance,
    CharterNotice,
    CharterVersion,
    Collective,
    Invitation,
    InvitationBase,
    Membership,
)
from .permissions import require_organiser

User = get_user_model()


def _activate(membership: Membership) -> None:
    membership.status = Membership.Status.ACTIVE
    membership.joined_on = membership.joined_on or timezone.localdate()


@transaction.atomic
def request_membership(
    *, user, collective: Collective, message: str = ""
) -> Membership:
    """Ask to join a collective; an organiser approves or declines the request."""
    if not collective.active:
        raise ValidationError(_("This collective is not accepting new members."))
    membership = (
        Membership.objects.select_for_update()
        .filter(user=user, collective=collective)
        .first()
    )
    if membership is None:
        try:
            with transaction.atomic():
                return Membership.objects.create(
                    user=user, collective=collective, message=message
                )
        except IntegrityError:
            # A double submit created it meanwhile: answer as for a second request.
            membership = Membership.objects.get(user=user, collective=collective)
    if membership.status == Membership.Status.ACTIVE:
        raise ValidationError(
            _("You are already a member of %(collective)s.")
            % {"collective": collective.name}
        )
    if membership.status == Membership.Status.PENDING:
        raise ValidationError(
            _("Your request to join %(collective)s is already waiting for approval.")
            % {"collective": collective.name}
        )
    membership.status = Membership.Status.PENDING
    membership.requested_at = timezone.now()
    membership.message = message
    membership.save(update_fields=["status", "requested_at", "message"])
    return membership


@transaction.atomic
def approve_membership(membership: Membership, *, approved_by) -> Membership:
    require_organiser(approved_by, membership.collective)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.status != Membership.Status.PENDING:
        raise ValidationError(_("This request has already been handled."))
    _activate(membership)
    membership.save(update_fields=["status", "joined_on"])
    return membership


@transaction.atomic
def decline_membership(membership: Membership, *, declined_by) -> Membership:
    require_organiser(declined_by, membership.collective)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.status != Membership.Status.PENDING:
        raise ValidationError(_("This request has already been handled."))
    membership.status = Membership.Status.DECLINED
    membership.save(update_fields=["status"])
    return membership


def _ensure_another_organiser(membership: Membership) -> None:
    """Refuse to leave a collective with no active organiser."""
    if not membership.is_organiser:
        return
    others = (
        Membership.objects.organisers()
        .select_for_update()
        .filter(collective_id=membership.collective_id)
        .exclude(pk=membership.pk)
    )
    if not list(others):
        raise ValidationError(
            _(
                "%(name)s is the last organiser of %(collective)s: make someone "
                "else organiser first."
            )
            % {"name": membership.user, "collective": membership.collective}
        )


@transaction.atomic
def set_membership_role(membership: Membership, *, role: str, changed_by) -> Membership:
    require_organiser(changed_by, membership.collective)
    if role not in Membership.Role.values:
        raise ValidationError(_("Unknown role."))
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.status != Membership.Status.ACTIVE:
        raise ValidationError(_("Only an active member can be given a role."))
    if membership.role == role:
        return membership
    if role == Membership.Role.MEMBER:
        _ensure_another_organiser(membership)
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def deactivate_membership(membership: Membership, *, deactivated_by) -> Membership:
    """End a membership; the history (orders, payments) stays attached to it."""
    require_organiser(deactivated_by, membership.collective)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.status != Membership.Status.ACTIVE:
        raise ValidationError(_("This membership is not active."))
    _ensure_another_organiser(membership)
    membership.status = Membership.Status.INACTIVE
    membership.save(update_fields=["status"])
    return membership


@transaction.atomic
def reactivate_membership(membership: Membership, *, reactivated_by) -> Membership:
    require_organiser(reactivated_by, membership.collective)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.status == Membership.Status.ACTIVE:
        raise ValidationError(_("This membership is already active."))
    _activate(membership)
    membership.save(update_fields=["status", "joined_on"])
    return membership


@transaction.atomic
def invite_member(
    *,
    collective: Collective,
    email: str,
    invited_by,
    role: str = Membership.Role.MEMBER,
) -> Invitation:
    """Invite someone by email; the email goes out after commit, from a task."""
    require_organiser(invited_by, collective)
    email = User.objects.normalize_email(email).lower()
    if (
        Membership.objects.active()
        .filter(collective=collective, user__email__iexact=email)
        .exists()
    ):
        raise ValidationError(
            {
                "email": _("%(email)s is already a member of this collective.")
                % {"email": email}
            }
        )
    # An expired invitation makes way for the new one.
    collective.invitations.pending().filter(
        email__iexact=email, expires_at__lte=timezone.now()
    ).update(cancelled_at=timezone.now())
    if collective.invitations.pending().filter(email__iexact=email).exists():
        raise ValidationError(
            {
                "email": _("An invitation to %(email)s is already pending.")
                % {"email": email}
            }
        )
    invitation = Invitation(
        collective=collective, email=email, role=role, invited_by=invited_by
    )
    invitation.full_clean()
    invitation.save()
    enqueue_on_commit("amap.members.tasks.send_invitation_email_task", invitation.pk)
    return invitation


def send_invitation_email(*, invitation_id: int) -> None:
    invitation = (
        Invitation.objects.select_related("collective", "invited_by")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None or not invitation.is_pending:
        return
    send_templated_email(
        template="emails/members/invitation",
        to=[invitation.email],
        context={"invitation": invitation},
    )


@transaction.atomic
def cancel_invitation(invitation: Invitation, *, cancelled_by) -> Invitation:
    require_organiser(cancelled_by, invitation.collective)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_pending:
        raise ValidationError(_("This invitation is no longer pending."))
    invitation.cancelled_at = timezone.now()
    invitation.save(update_fields=["cancelled_at"])
    return invitation


def check_can_accept(
    invitation: InvitationBase, user, *, expired_message: str = ""
) -> None:
    """Refuse unless `invitation` is open and `user` confirmed its email address.

    The link alone is not a credential: whoever holds it must be logged in
    with the address it was sent to, and have confirmed that address. Works
    for every kind of invitation (`InvitationBase`); `expired_message` says
    whom to ask for a new one.
    """
    if not invitation.is_pending:
        raise ValidationError(_("This invitation has already been used or cancelled."))
    if invitation.is_expired:
        raise ValidationError(
            expired_message
            or _(
                "This invitation has expired. Ask the collective's organisers "
                "to send you a new one."
            )
        )
    invited = type(invitation).objects.for_verified_emails_of(user)
    if invited.filter(pk=invitation.pk).exists():
        return
    if EmailAddress.objects.filter(user=user, email__iexact=invitation.email).exists():
        raise ValidationError(
            _(
                "Confirm the email address this invitation was sent to (on "
                "your account's email page), then open the invitation again."
            )
        )
    raise ValidationError(
        _(
            "This invitation was sent to another email address. Log in with "
            "the account of that address to accept it."
        )
    )


@transaction.atomic
def accept_invitation(*, invitation: Invitation, user) -> Membership:
    """Join the invitation's collective, whatever state an earlier membership was in.

    Only the person invited may accept: see `check_can_accept`.
    """
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    check_can_accept(invitation, user)
    membership, _created = Membership.objects.select_for_update().get_or_create(
        user=user,
        collective=invitation.collective,
        defaults={"role": invitation.role},
    )
    if membership.status != Membership.Status.ACTIVE:
        membership.role = invitation.role
    elif invitation.role == Membership.Role.ORGANISER:
        membership.role = Membership.Role.ORGANISER
    _activate(membership)
    membership.save()
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


# The ethical charter -------------------------------------------------------

# The number of the current charter version (0: none), cached so that the
# middleware costs no query while nothing is left to accept.
CHARTER_CACHE_KEY = "members:charter:current-number"
CHARTER_CACHE_SECONDS = 300


class CharterNotAccepted(ValidationError):
    """The person has not accepted the current charter; `accept_url` is where to."""

    def __init__(self, version: CharterVersion):
        self.version = version
        self.accept_url = reverse("members:charter_accept")
        super().__init__(
            _(
                "Please read and accept version %(number)s of the network's ethical "
                "charter first."
            )
            % {"number": version.number},
            code="charter_not_accepted",
        )


def current_charter_version() -> CharterVersion | None:
    """The version everyone must have accepted, or None if none was published."""
    return CharterVersion.objects.latest_first().first()


def current_charter_number() -> int:
    """The current version's number (0 for none), from the cache when it can."""
    number = cache.get(CHARTER_CACHE_KEY)
    if number is None:
        number = (
            CharterVersion.objects.latest_first()
            .values_list("number", flat=True)
            .first()
            or 0
        )
        cache.set(CHARTER_CACHE_KEY, number, CHARTER_CACHE_SECONDS)
    return number


def charter_status(user) -> tuple[CharterVersion | None, bool]:
    """(current version, whether `user` accepted it), in one query."""
    version = (
        CharterVersion.objects.latest_first()
        .annotate(
            accepted=Exists(
                CharterAcceptance.objects.filter(
                    version=OuterRef("pk"), user_id=user.pk
                )
            )
        )
        .first()
    )
    if version is None:
        return None, True
    return version, version.accepted


def require_current_charter(user) -> None:
    """For services that book, pledge or publish stock: refuse (CharterNotAccepted,
    a ValidationError) someone who has not accepted the current version. With
    no version published, there is nothing to accept."""
    if not user.is_authenticated:
        return
    version, accepted = charter_status(user)
    if not accepted:
        # Not accepted means a version exists (see charter_status).
        raise CharterNotAccepted(cast(CharterVersion, version))


def people_bound_by_charter():
    """Users who must accept the charter: active members and producers' managers.

    The producers side is reached by its reverse relation name only, since
    this app sits below the producers app.
    """
    return User.objects.filter(is_active=True).filter(
        pk__in=User.objects.filter(
            Q(memberships__status=Membership.Status.ACTIVE)
            | Q(managed_producers__active=True)
        ).values("pk")
    )


def charter_applies_to(user) -> bool:
    return (
        user.is_authenticated and people_bound_by_charter().filter(pk=user.pk).exists()
    )


def _forget_current_charter_number() -> None:
    cache.delete(CHARTER_CACHE_KEY)


def same_charter_text(text: tuple[str, str], version: CharterVersion) -> bool:
    """Whether (title, body) reads the same as `version`: the words and their
    paragraphs and headings, not the editor's markup (Wagtail adds block keys
    to every paragraph when it saves a text it did not write)."""
    title, body = text
    return (
        " ".join(title.split()) == " ".join(version.title.split())
        and html_to_text(body) == html_to_text(version.body)
        and charter_headings(body) == charter_headings(version.body)
    )


def check_charter_change(*, title: str, body: str, what_changed: str) -> None:
    """A text that differs from the current version needs its own "what
    changed" note: members read it when asked to accept, and the previous
    version's note, left in place, would tell them the wrong thing.

    Checked when the charter page is saved, before it can be published.
    """
    current = current_charter_version()
    if current is None or same_charter_text((title, body), current):
        return
    note = what_changed.strip()
    if not note or note == current.what_changed.strip():
        raise ValidationError(
            {
                "what_changed": _(
                    "The text differs from version %(number)s: say in a few "
                    "words what changed in this version (members read it "
                    "before accepting)."
                )
                % {"number": current.number}
            }
        )


@transaction.atomic
def publish_charter_version(
    *,
    title: str,
    body: str,
    what_changed: str = "",
    page_url: str = "",
    source_revision_id: int | None = None,
) -> CharterVersion:
    """Record a published text of the charter as its next version.

    Called when the charter page is published. Publishing the same revision
    again, or a text identical to the current version's, makes no new version
    (nobody is asked to accept the same text twice; a new note is kept).
    Everyone bound by the charter is told by email, after commit.
    """
    if source_revision_id is not None:
        known = CharterVersion.objects.filter(
            source_revision_id=source_revision_id
        ).first()
        if known is not None:
            return known
    latest = CharterVersion.objects.select_for_update().latest_first().first()
    if latest is not None and same_charter_text((title, body), latest):
        latest.page_url = page_url or latest.page_url
        latest.what_changed = what_changed or latest.what_changed
        latest.save(update_fields=["page_url", "what_changed"])
        return latest
    version = CharterVersion(
        number=(latest.number + 1) if latest else 1,
        title=title,
        body=body,
        what_changed=what_changed,
        page_url=page_url,
        source_revision_id=source_revision_id,
    )
    version.full_clean()
    version.save()
    _forget_current_charter_number()
    transaction.on_commit(_forget_current_charter_number)
    enqueue_on_commit("amap.members.tasks.send_charter_version_emails_task", version.pk)
    return version


@transaction.atomic
def accept_charter(*, user, version: CharterVersion) -> CharterAcceptance:
    """Record that `user` accepts `version`, which must be the current one.

    Accepting twice returns the first acceptance.
    """
    current = current_charter_version()
    if current is None or current.pk != version.pk:
        raise ValidationError(
            _(
                "A newer version of the charter has been published meanwhile: "
                "please read it before accepting."
            ),
            code="not_current",
        )
    try:
        with transaction.atomic():
            acceptance, _created = CharterAcceptance.objects.get_or_create(
                user=user, version=version
            )
    except IntegrityError:
        # A double submit recorded it meanwhile.
        acceptance = CharterAcceptance.objects.get(user=user, version=version)
    return acceptance


def last_accepted_charter_version(user) -> CharterVersion | None:
    return (
        CharterVersion.objects.filter(acceptances__user_id=user.pk)
        .latest_first()
        .first()
    )


def send_charter_version_emails(*, version_id: int) -> int:
    """Tell each person bound by the charter that `version_id` awaits them.

    At most one email per person and version, however often this runs; skipped
    once a newer version exists (its own emails say it all). Returns how many
    emails went out.
    """
    version = CharterVersion.objects.filter(pk=version_id).first()
    if version is None or version != current_charter_version():
        return 0
    recipients = (
        people_bound_by_charter()
        .exclude(pk__in=version.notices.values("user"))
        .exclude(pk__in=version.acceptances.values("user"))
        .order_by("pk")
    )
    previous = (
        CharterVersion.objects.filter(number__lt=version.number)
        .order_by("-number")
        .first()
    )
    removed, added = (
        changed_passages(previous.body, version.body) if previous else ([], [])
    )
    sent = 0
    for user in recipients:
        try:
            with transaction.atomic():
                CharterNotice.objects.create(user=user, version=version)
        except IntegrityError:
            continue  # Another run took this person.
        send_templated_email(
            template="emails/members/charter_version",
            to=[user.email],
            context={
                "version": version,
                "user": user,
                "previous": previous,
                "removed": removed,
                "added": added,
            },
        )
        sent += 1
    return sent
