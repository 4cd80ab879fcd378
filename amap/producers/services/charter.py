"""Farms' statements of how they meet each commitment of the ethical charter."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.utils.translation import gettext as _

from amap.members.charter_diff import charter_headings
from amap.members.services import current_charter_number, current_charter_version

from ..models import CharterCommitment, Producer
from ..permissions import require_producer_manager
from .moderation import request_commitments_review

MAX_STATEMENT = 2000


def farm_accepted_charter(producer_ref="producer_id"):
    """`Exists` true when an account managing the farm at `producer_ref` (an
    `OuterRef` path) accepted the current charter version; None before one is
    published. Only a farm whose accounts accepted it can publish stock."""
    number = current_charter_number()
    if not number:
        return None
    return Exists(
        Producer.managers.through.objects.filter(
            producer_id=OuterRef(producer_ref),
            user__charter_acceptances__version__number=number,
        )
    )


def farm_has_accounts(producer_ref="producer_id"):
    """`Exists` true when some account manages the farm at `producer_ref`."""
    return Exists(
        Producer.managers.through.objects.filter(producer_id=OuterRef(producer_ref))
    )


def current_commitments() -> list[str]:
    """The headings of the current charter version (none before one is published)."""
    version = current_charter_version()
    return charter_headings(version.body) if version else []


def producer_commitments(producer: Producer) -> list[tuple[str, str]]:
    """(commitment, the farm's approved statement) for each commitment of the
    current charter the farm wrote about, in the charter's order. Two queries."""
    statements = dict(
        CharterCommitment.objects.filter(producer=producer).values_list(
            "heading", "published_statement"
        )
    )
    return [
        (heading, statements[heading])
        for heading in current_commitments()
        if statements.get(heading)
    ]


@transaction.atomic
def save_charter_commitments(
    *, producer: Producer, statements: dict[str, str], saved_by
) -> None:
    """Save the farm's statements, heading → text; an empty text removes one.

    Only the current charter's commitments are accepted (ValidationError keyed
    by heading otherwise, or for a text too long). A new or changed text is
    public once an organiser approves it (`moderation`), except for a
    superuser; a removed one leaves the public page at once.
    """
    require_producer_manager(saved_by, producer)
    headings = set(current_commitments())
    errors = {}
    for heading, text in statements.items():
        if heading not in headings:
            errors[heading] = _("This is not a commitment of the current charter.")
        elif len(text) > MAX_STATEMENT:
            errors[heading] = _(
                "Keep it under %(max)s characters (it has %(length)s)."
            ) % {"max": MAX_STATEMENT, "length": len(text)}
    if errors:
        raise ValidationError(errors)
    for heading, text in statements.items():
        text = text.strip()
        if text:
            CharterCommitment.objects.update_or_create(
                producer=producer, heading=heading, defaults={"statement": text}
            )
        else:
            CharterCommitment.objects.filter(
                producer=producer, heading=heading
            ).delete()
    if saved_by.is_superuser:
        producer.charter_commitments.update(published_statement=F("statement"))
    else:
        request_commitments_review(producer=producer, submitted_by=saved_by)


def waiting_commitments(producer: Producer) -> set[str]:
    """Headings whose statement waits for an organiser's approval."""
    return set(producer.charter_commitments.waiting().values_list("heading", flat=True))
