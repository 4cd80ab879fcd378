"""Reads for farms and their partnerships with collectives."""

from django.db.models import Count, Prefetch, Q

from amap.members.models import Collective, Membership, User

from ..models import ManagerInvitation, Partnership, Producer
from ..permissions import managed_producers
from .charter import farm_accepted_charter, farm_has_accounts


def producer_home_farms(user) -> list[Producer]:
    """The farms `user` manages, each with `current_partnerships`: the
    collectives it supplies with their référent, and `proposal_count`: the
    collectives' proposals waiting for its answer. Two queries."""
    return list(
        managed_producers(user)
        .annotate(
            proposal_count=Count(
                "partnerships",
                filter=Q(partnerships__status=Partnership.Status.PROPOSED),
                distinct=True,
            )
        )
        .prefetch_related(
            Prefetch(
                "partnerships",
                queryset=Partnership.objects.current()
                .select_related("collective", "referent")
                .order_by("collective__name"),
                to_attr="current_partnerships",
            )
        )
        .order_by("-active", "name")
    )


def partnership_proposals(producer: Producer) -> list[Partnership]:
    """The collectives' proposals waiting for `producer`'s answer, oldest
    first, with who proposed them and the référent. One query."""
    return list(
        Partnership.objects.proposed()
        .filter(producer=producer)
        .select_related("collective", "proposed_by", "referent")
        .order_by("proposed_at", "pk")
    )


def collective_partnerships(collective: Collective) -> list[Partnership]:
    """The collective's partnerships, current ones first, then proposals
    waiting for the farm, then declined and ended ones; withdrawn proposals
    are left out. Two queries. Each carries `has_accounts` and
    `charter_accepted` (None before a charter is published): a farm whose
    accounts have not accepted the current charter cannot publish its stock;
    and its farm `open_manager_invitations`, the addresses invited to manage
    it (shown while no account manages it)."""
    partnerships = (
        Partnership.objects.filter(collective=collective)
        .exclude(status=Partnership.Status.WITHDRAWN)
        .annotate(has_accounts=farm_has_accounts())
    )
    accepted = farm_accepted_charter()
    if accepted is not None:
        partnerships = partnerships.annotate(charter_accepted=accepted)
    return list(
        partnerships.select_related("producer", "referent")
        .prefetch_related(
            Prefetch(
                "producer__manager_invitations",
                queryset=ManagerInvitation.objects.open().order_by("email"),
                to_attr="open_manager_invitations",
            )
        )
        # "proposed" sorts before "declined", and both before "accepted".
        .order_by("-active", "-status", "producer__name")
    )


def referent_choices(collective: Collective):
    """The people who may be référent·e of the collective's partnerships."""
    return User.objects.filter(
        pk__in=Membership.objects.organisers()
        .filter(collective=collective)
        .values("user")
    ).order_by("last_name", "first_name", "email")


def partner_candidates(collective: Collective):
    """Active producers of the network the collective may propose a
    partnership to: managed by at least one account (someone must answer),
    and without a partnership with it (a withdrawn proposal aside: declined
    and ended ones are proposed again from their row)."""
    return (
        Producer.objects.active()
        .filter(farm_has_accounts("pk"))
        .exclude(
            pk__in=Partnership.objects.filter(collective=collective)
            .exclude(status=Partnership.Status.WITHDRAWN)
            .values("producer")
        )
        .order_by("name")
    )
