"""What the producers app adds to the organiser's home
(`amap.members.hooks`, see `amap.hooks`): farm pages waiting for review, and farms whose
accounts have not accepted the current charter (so they cannot publish stock).
"""

from collections.abc import Iterable
from typing import Any, cast

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import ngettext

from amap import hooks
from amap.members.hooks import ORGANISER_WAITING, Waiting

from .models import Partnership, ProfileSubmission
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
        Partnership.objects.filter(
            active=True, collective__in=[c.pk for c in collectives]
        )
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
