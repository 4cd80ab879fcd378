"""What the producers app adds to the organiser's home
(`amap.members.hooks`, see `amap.hooks`): farm pages waiting for review, and farms whose
accounts have not accepted the current charter (so they cannot publish stock);
and to a person's dashboard: the invitations to manage a farm.
"""

from collections.abc import Iterable
from typing import Any, cast

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from amap import hooks
from amap.members.hooks import (
    INVITATIONS,
    ORGANISER_WAITING,
    PendingInvitation,
    Waiting,
)

from .models import ManagerInvitation, Partnership, ProfileSubmission
from .selectors.charter import farm_accepted_charter, farm_has_accounts
from .selectors.moderation import managed_by


@hooks.register(ORGANISER_WAITING)
def organiser_waiting(user, collectives) -> dict[int, list[Waiting]]:
    """For each collective: how many farm pages `user` can review, and how
    many supplying farms have not accepted the charter; one query."""
    review = Exists(
        ProfileSubmission.objects.filter(
            producer_id=OuterRef("producer_id"),
            status=ProfileSubmission.Status.PENDING,
        )
    ) & ~Exists(managed_by(user).filter(producer_id=OuterRef("producer_id")))
    counts = {"to_review": Count("pk", filter=Q(review))}
    accepted = farm_accepted_charter()
    if accepted is not None:
        counts["without_charter"] = Count(
            "pk",
            filter=Q(farm_has_accounts(), producer__active=True) & ~Q(accepted),
        )
    rows = (
        Partnership.objects.current()
        .filter(collective__in=[c.pk for c in collectives])
        .values("collective")
        .annotate(**counts)
        .order_by()
    )
    slugs = {collective.pk: collective.slug for collective in collectives}
    waiting: dict[int, list[Waiting]] = {}
    # The counts are annotated by name (**counts): the stubs cannot see them.
    for row in cast(Iterable[dict[str, Any]], rows):
        items = waiting.setdefault(row["collective"], [])
        slug = slugs[row["collective"]]
        if row["to_review"]:
            items.append(
                Waiting(
                    ngettext(
                        "%(count)s farm page to review",
                        "%(count)s farm pages to review",
                        row["to_review"],
                    )
                    % {"count": row["to_review"]},
                    reverse("producers:moderation_queue", args=[slug]),
                )
            )
        if row.get("without_charter"):
            items.append(
                Waiting(
                    ngettext(
                        "%(count)s farm has not accepted the current charter "
                        "and cannot publish its stock",
                        "%(count)s farms have not accepted the current charter "
                        "and cannot publish their stock",
                        row["without_charter"],
                    )
                    % {"count": row["without_charter"]},
                    reverse("producers:partnership_list", args=[slug])
                    + "#partners-title",
                )
            )
    return waiting


@hooks.register(INVITATIONS)
def manager_invitations(user) -> list[PendingInvitation]:
    """The open invitations to manage a farm sent to one of `user`'s
    confirmed addresses; one query (and one for the addresses)."""
    return [
        PendingInvitation(
            label=_("Manage %(producer)s") % {"producer": invitation.producer.name},
            url=invitation.get_absolute_url(),
        )
        for invitation in ManagerInvitation.objects.open()
        .for_verified_emails_of(user)
        .select_related("producer")
    ]
