"""Reads for farms' statements about the charter, and the query expressions
telling whether a farm has accounts and whether they accepted the charter."""

from django.db.models import Exists, OuterRef

from amap.members.charter_diff import charter_headings
from amap.members.services import current_charter_number, current_charter_version

from ..models import CharterCommitment, Producer


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


def waiting_commitments(producer: Producer) -> set[str]:
    """Headings whose statement waits for an organiser's approval."""
    return set(producer.charter_commitments.waiting().values_list("heading", flat=True))
