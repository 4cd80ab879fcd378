"""Reads for farms and their partnerships with collectives."""

from django.db.models import Prefetch

from amap.members.models import Collective, Membership, User

from ..models import Partnership, Producer
from ..permissions import managed_producers
from .charter import farm_accepted_charter, farm_has_accounts


def producer_home_farms(user) -> list[Producer]:
    """The farms `user` manages, each with `current_partnerships`: the
    collectives it supplies with their référent. Two queries."""
    return list(
        managed_producers(user)
        .prefetch_related(
            Prefetch(
                "partnerships",
                queryset=Partnership.objects.filter(active=True)
                .select_related("collective", "referent")
                .order_by("collective__name"),
                to_attr="current_partnerships",
            )
        )
        .order_by("-active", "name")
    )


def collective_partnerships(collective: Collective) -> list[Partnership]:
    """The collective's partnerships, current ones first, in one query. Each
    carries `has_accounts` and `charter_accepted` (None before a charter is
    published): a farm whose accounts have not accepted the current charter
    cannot publish its stock."""
    partnerships = Partnership.objects.filter(collective=collective).annotate(
        has_accounts=farm_has_accounts()
    )
    accepted = farm_accepted_charter()
    if accepted is not None:
        partnerships = partnerships.annotate(charter_accepted=accepted)
    return list(
        partnerships.select_related("producer", "referent").order_by(
            "-active", "producer__name"
        )
    )


def referent_choices(collective: Collective):
    """The people who may be référent·e of the collective's partnerships."""
    return User.objects.filter(
        pk__in=Membership.objects.organisers()
        .filter(collective=collective)
        .values("user")
    ).order_by("last_name", "first_name", "email")


def partner_candidates(collective: Collective):
    """Active producers of the network not yet partners of the collective."""
    return (
        Producer.objects.active()
        .exclude(
            pk__in=Partnership.objects.filter(collective=collective).values("producer")
        )
        .order_by("name")
    )
