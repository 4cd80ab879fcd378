"""Farms' statements of how they meet each commitment of the ethical charter."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from amap.texts import TEXT_MAX_LENGTH

from ..models import CharterCommitment, Producer
from ..permissions import require_producer_manager
from ..selectors.charter import current_commitments
from .moderation import request_commitments_review

MAX_STATEMENT = TEXT_MAX_LENGTH


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
