"""Reads for pickup points: where and when a member collects."""

from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Window
from django.db.models.functions import RowNumber

from amap.members.models import Collective
from amap.members.permissions import member_collectives

from ..models import Distribution, PickupPoint, UsualPickupPoint


@dataclass
class MemberPickup:
    """What the "my pickup point" page shows for one collective of a member."""

    collective: Collective
    points: list[PickupPoint]
    usual: PickupPoint | None
    distributions: list[Distribution]

    @property
    def usual_is_active(self) -> bool:
        return self.usual is not None and self.usual.active


def next_distributions_for_member(user, *, today=None, limit: int = 5):
    """The next distributions `user` may collect at, soonest first, one query:
    in each collective they are an active member of, those of their usual
    pickup point, or of every point when they have not chosen one."""
    chosen = UsualPickupPoint.objects.filter(
        user_id=user.pk, collective=OuterRef("cycle__collective")
    )
    return list(
        Distribution.objects.active()
        .upcoming(today)
        .filter(cycle__collective__in=member_collectives(user))
        .filter(
            ~Exists(chosen)
            | Exists(chosen.filter(pickup_point=OuterRef("pickup_point")))
        )
        .select_related("pickup_point", "cycle__collective")
        .order_by("date", "starts_at", "pickup_point__name")[:limit]
    )


def member_pickup_overview(
    user, *, today=None, distributions_per_point: int = 4
) -> list[MemberPickup]:
    """For each collective `user` is an active member of: its active pickup
    points, the user's usual one and its next distributions. Four queries at
    most, whatever the number of collectives, points and distributions."""
    collectives = list(member_collectives(user).order_by("name"))
    if not collectives:
        return []
    points = list(
        PickupPoint.objects.active().filter(collective__in=collectives).order_by("name")
    )
    usual = {
        choice.collective_id: choice.pickup_point
        for choice in UsualPickupPoint.objects.filter(
            user=user, collective__in=collectives
        ).select_related("pickup_point")
    }
    chosen_ids = [point.pk for point in usual.values() if point.active]
    distributions = []
    if chosen_ids:
        distributions = list(
            Distribution.objects.active()
            .upcoming(today)
            .filter(pickup_point__in=chosen_ids)
            .select_related("cycle")
            .annotate(
                rank=Window(
                    RowNumber(),
                    partition_by=[F("pickup_point")],
                    order_by=[F("date").asc(), F("starts_at").asc()],
                )
            )
            .filter(rank__lte=distributions_per_point)
            .order_by("date", "starts_at")
        )
    overview = []
    for collective in collectives:
        chosen = usual.get(collective.pk)
        overview.append(
            MemberPickup(
                collective=collective,
                points=[p for p in points if p.collective_id == collective.pk],
                usual=chosen,
                distributions=[
                    d
                    for d in distributions
                    if chosen is not None and d.pickup_point_id == chosen.pk
                ],
            )
        )
    return overview
