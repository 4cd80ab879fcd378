"""Reads for wishes: the ranking by demand, and one wish with its voters."""

from django.db.models import (
    Case,
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from amap.members.permissions import organised_collectives

from ..models import GroupPurchase, Vote, Wish
from ..permissions import visible_wishes


def _ranked(wishes, user):
    mine = Vote.objects.filter(wish=OuterRef("pk"), member=user).values("quantity")[:1]
    return (
        wishes.select_related("collective", "proposed_by")
        .annotate(
            vote_count=Count("votes"),
            total_quantity=Coalesce(Sum("votes__quantity"), 0),
            my_quantity=Subquery(mine, output_field=IntegerField()),
            open_first=Case(
                When(status=Wish.Status.OPEN, then=Value(0)),
                When(status=Wish.Status.PLANNED, then=Value(1)),
                default=Value(2),
            ),
        )
        .order_by("open_first", "-vote_count", "-total_quantity", "-created_at", "pk")
    )


def ranked_wishes(user, *, with_voters: bool = False) -> list[Wish]:
    """The wishes of the user's collectives, most wanted first (open ones
    before the others): one aggregate query. With `with_voters`, the votes
    and their members of the wishes the user organises come in one more."""
    wishes = list(_ranked(visible_wishes(user), user))
    managed = set()
    if with_voters:
        managed = set(organised_collectives(user).values_list("pk", flat=True))
        votes = Vote.objects.filter(
            wish__in=[wish.pk for wish in wishes if wish.collective_id in managed]
        ).select_related("member")
        by_wish: dict[int, list[Vote]] = {}
        for support in votes.order_by("-quantity", "created_at"):
            by_wish.setdefault(support.wish_id, []).append(support)
        for wish in wishes:
            wish.voters = by_wish.get(wish.pk, [])
    for wish in wishes:
        wish.managed = wish.collective_id in managed
    return wishes


def wish_detail(user, pk: int) -> Wish:
    """One wish of the user's collectives, ranked figures included, with its
    votes and campaigns (Wish.DoesNotExist for anyone else's)."""
    return (
        _ranked(visible_wishes(user), user)
        .prefetch_related(
            Prefetch(
                "votes",
                queryset=Vote.objects.select_related("member").order_by(
                    "-quantity", "created_at"
                ),
            ),
            Prefetch(
                "campaigns",
                queryset=GroupPurchase.objects.order_by("-created_at"),
            ),
        )
        .get(pk=pk)
    )
