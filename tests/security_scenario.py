"""One scenario for the tests that replay every URL (tests/test_permission_matrix.py,
tests/test_form_fuzz.py): two collectives, each with an organiser, a member and
a partner farm with its manager, and one of every object a URL can name,
all belonging to the first collective (`a`) or its farm.

`scenario_fixture()` builds it once per test module, inside a transaction
that is rolled back after the module's last test; each test runs in a
savepoint within it, so what one test writes is gone for the next.
"""

import copy
import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.test import Client, override_settings
from django.utils import timezone
from wagtail.documents import get_document_model

from amap.distribution.models import CalendarFeed
from amap.groupbuy.models import Payment
from amap.members.models import Membership
from amap.orders.models import Instalment, StoredDocument
from amap.orders.services.contracts import subscribe
from amap.producers.models import ManagerInvitation, Partnership, ProfileSubmission
from tests.factories import (
    AbsenceFactory,
    CollectiveFactory,
    ContractFactory,
    ContractOptionFactory,
    DistributionFactory,
    GroupItemFactory,
    GroupPurchaseFactory,
    InvitationFactory,
    MembershipFactory,
    OfferFactory,
    OrderFactory,
    OrderLineFactory,
    OrganiserMembershipFactory,
    PartnershipFactory,
    PledgeFactory,
    ProducerFactory,
    ProductFactory,
    ShiftAssignmentFactory,
    ShiftFactory,
    UserFactory,
    WishFactory,
)

# Words only the first collective's people may read: its member's and its
# applicant's names, the invitation's address, its contract, campaign and wish.
PRIVATE_TO_A = (
    "Privemembre",
    "Privenouvelle",
    "priveinvitation@example.org",
    "Privecontrat",
    "Privecampagne",
    "Privesouhait",
)
# Who must never read them.
OUTSIDERS_OF_A = (
    "anonymous",
    "other_member",
    "other_farmer",
    "other_organiser",
    "staff",
)

# The eight people every URL is tried as, in the matrix's column order.
ROLES = (
    "anonymous",
    "member",
    "other_member",
    "farmer",
    "other_farmer",
    "organiser",
    "other_organiser",
    "staff",
)


def _png() -> bytes:
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (4, 4), "green").save(out, "PNG")
    return out.getvalue()


PNG = _png()


def build() -> SimpleNamespace:
    """Create the scenario; returns its people, objects and URL kwargs."""
    s = SimpleNamespace()
    s.a = CollectiveFactory(name="AMAP des Dervallières", slug="dervallieres")
    s.b = CollectiveFactory(name="AMAP de Trentemoult", slug="trentemoult")
    s.member = MembershipFactory(
        collective=s.a, user__first_name="Marie", user__last_name="Privemembre"
    ).user
    s.other_member = MembershipFactory(collective=s.b, user__first_name="Jean").user
    s.organiser = OrganiserMembershipFactory(
        collective=s.a, user__first_name="Claire"
    ).user
    s.other_organiser = OrganiserMembershipFactory(
        collective=s.b, user__first_name="Luc"
    ).user
    s.farmer = UserFactory(first_name="Paul")
    s.other_farmer = UserFactory(first_name="Lucie")
    s.staff = UserFactory(first_name="Sam", is_staff=True)
    s.anonymous = None

    s.farm = ProducerFactory(slug="maraichage-sevre", managers=[s.farmer])
    s.partnership = PartnershipFactory(producer=s.farm, collective=s.a)
    s.other_farm = ProducerFactory(slug="chevrerie-moulins", managers=[s.other_farmer])
    PartnershipFactory(producer=s.other_farm, collective=s.b)

    # Members: someone asking to join, an invitation not yet accepted.
    s.newcomer = MembershipFactory(
        collective=s.a,
        status=Membership.Status.PENDING,
        user__first_name="Nina",
        user__last_name="Privenouvelle",
    )
    s.invitation = InvitationFactory(
        collective=s.a, email="priveinvitation@example.org", invited_by=s.organiser
    )

    # Distribution: a cycle, a distribution in five days, a shift the member
    # signed up for.
    s.distribution = DistributionFactory(
        cycle__collective=s.a, date=timezone.localdate() + dt.timedelta(days=5)
    )
    s.cycle = s.distribution.cycle
    s.pickup_point = s.distribution.pickup_point
    s.shift = ShiftFactory(distribution=s.distribution, people_needed=3)
    s.assignment = ShiftAssignmentFactory(shift=s.shift, user=s.member)
    s.feed = CalendarFeed.objects.create(user=s.member)

    # Producers: a product on offer this cycle, a change waiting for review.
    s.product = ProductFactory(producer=s.farm, name="Carottes")
    s.offer = OfferFactory(product=s.product, cycle=s.cycle, booked=Decimal("2"))
    s.submission = ProfileSubmission.objects.create(
        producer=s.farm, name="Maraîchage de la Sèvre", submitted_by=s.farmer
    )
    # Photos waiting for approval: private files, served by checking views.
    s.submission.photo.save("ferme.png", ContentFile(PNG), save=True)
    s.product.pending_photo.save("carottes.png", ContentFile(PNG), save=True)
    # Consent: the first collective proposes a partnership to the other farm
    # (its manager answers); an invitation to co-manage the first farm.
    s.proposal = Partnership.objects.create(
        producer=s.other_farm,
        collective=s.a,
        status=Partnership.Status.PROPOSED,
        active=False,
        proposed_by=s.organiser,
        proposed_at=timezone.now(),
    )
    s.manager_invitation = ManagerInvitation.objects.create(
        producer=s.farm,
        email="privegerant@example.org",
        invited_by=s.organiser,
        expires_at=timezone.now() + dt.timedelta(days=14),
    )

    # Orders: the member's order, a season contract they signed (with its
    # schedule), a sheet already generated.
    s.order = OrderFactory(
        member=s.member, distribution=s.distribution, total=Decimal("6.40")
    )
    OrderLineFactory(order=s.order, offer=s.offer, quantity=Decimal("2"))
    s.contract = ContractFactory(
        producer=s.farm, collective=s.a, name="Contrat Privecontrat"
    )
    s.contract.deliveries.add(s.distribution)
    s.option = ContractOptionFactory(contract=s.contract)
    s.subscription = subscribe(
        contract=s.contract,
        member=s.member,
        option=s.option,
        quantity=1,
        instalments=1,
    )
    s.instalment = Instalment.objects.filter(subscription=s.subscription).first()
    s.document = StoredDocument.objects.create(
        distribution=s.distribution,
        kind="sheet",
        fmt="csv",
        status=StoredDocument.Status.READY,
        filename="feuille.csv",
        content_type="text/csv",
        generated_at=timezone.now(),
        requested_at=timezone.now() - dt.timedelta(minutes=1),
    )
    s.document.file.save("feuille.csv", ContentFile(b"a;b\n"), save=True)

    # Group purchases: a campaign with an item, a pledge and a payment; a wish.
    s.campaign = GroupPurchaseFactory(
        collectives=[s.a], distribution=s.distribution, title="Achat Privecampagne"
    )
    s.item = GroupItemFactory(campaign=s.campaign, tiers=[(0, "2.40")])
    PledgeFactory(item=s.item, member=s.member)
    s.payment = Payment.objects.create(
        campaign=s.campaign,
        member=s.member,
        amount=Decimal("12.00"),
        method="cash",
        received_at=timezone.now(),
        recorded_by=s.organiser,
    )
    # A campaign already allocated, whose supplier order can be printed.
    s.allocated_campaign = GroupPurchaseFactory(
        collectives=[s.a],
        distribution=s.distribution,
        status="allocated",
        opens_at=timezone.now() - dt.timedelta(days=9),
        closes_at=timezone.now() - dt.timedelta(days=2),
    )
    s.wish = WishFactory(collective=s.a, proposed_by=s.member, title="Privesouhait")
    s.absence = AbsenceFactory(member=s.member, distribution=s.distribution)

    # The public site: a document of Wagtail's library.
    s.wagtail_document = get_document_model().objects.create(
        title="Statuts", file=ContentFile(b"%PDF-1.4 statuts", name="statuts.pdf")
    )

    s.kwargs = _url_kwargs(s)
    return s


def _url_kwargs(s) -> dict[str, dict]:
    """The kwargs of each kind of URL, by the object it is about."""
    a, farm = s.a.slug, s.farm.slug
    return {
        None: {},
        "collective": {"slug": a},
        "farm": {"slug": farm},
        "membership": {"slug": a, "pk": s.newcomer.pk, "action": "approve"},
        "invitation": {"slug": a, "pk": s.invitation.pk},
        "invitation_token": {"token": s.invitation.token},
        "pickup_point": {"pk": s.pickup_point.pk},
        "cycle": {"pk": s.cycle.pk},
        "distribution": {"pk": s.distribution.pk},
        "shift": {"pk": s.shift.pk},
        "assignment": {"pk": s.assignment.pk},
        "feed": {"token": s.feed.token},
        "partnership": {"slug": a, "pk": s.partnership.pk},
        "product": {"pk": s.product.pk},
        "submission": {"slug": a, "pk": s.submission.pk},
        "submission_photo": {"pk": s.submission.pk},
        "proposal": {"slug": s.other_farm.slug, "pk": s.proposal.pk},
        "proposal_withdraw": {"slug": a, "pk": s.proposal.pk},
        "manager_invitation_token": {"token": s.manager_invitation.token},
        "farm_cycle": {"slug": farm, "cycle_pk": s.cycle.pk},
        "order": {"pk": s.order.pk},
        "order_payment": {"slug": a, "pk": s.order.pk},
        "contract": {"slug": a, "pk": s.contract.pk},
        "open_contract": {"pk": s.contract.pk},
        "subscription": {"pk": s.subscription.pk},
        "absence_distribution": {"distribution_pk": s.distribution.pk},
        "instalment": {"slug": a, "pk": s.instalment.pk},
        "document": {"pk": s.distribution.pk, "kind": "sheet", "variant": "csv"},
        "campaign": {"slug": a, "pk": s.campaign.pk},
        "campaign_item": {"slug": a, "pk": s.campaign.pk, "item_pk": s.item.pk},
        "campaign_payment": {
            "slug": a,
            "pk": s.campaign.pk,
            "payment_pk": s.payment.pk,
        },
        "allocated_campaign": {"slug": a, "pk": s.allocated_campaign.pk},
        "member_campaign": {"pk": s.campaign.pk},
        "wish": {"pk": s.wish.pk},
        "absence": {"pk": s.absence.pk},
        # Positional arguments (the URL's pattern is a regular expression).
        "home_page": [""],
        "wagtail_document": [s.wagtail_document.pk, "statuts.pdf"],
        # Addresses whose key is a secret nobody here holds: a wrong one.
        "email_key": {"key": "not-a-key"},
        "reset_key": {"uidb36": "zz", "key": "not-a-key"},
        "restriction": {"restriction_id": 99999},
        "page_restriction": {"page_view_restriction_id": 99999, "page_id": 99999},
    }


def clients(s) -> dict[str, Client]:
    """A client per role, logged in once for the module."""
    result = {}
    for role in ROLES:
        client = Client()
        if (user := getattr(s, role)) is not None:
            client.force_login(user)
        client.saved_cookies = copy.deepcopy(client.cookies)
        result[role] = client
    return result


def send(s, role: str, method: str, url: str, data=None, **extra):
    """`role`'s request, as if it were the first one of the module: with the
    session cookie it logged in with (a logout does not carry over), and
    rolled back afterwards (what it wrote does not carry over either).

    Returns the response and what changed in the row counts.
    """
    client = s.clients[role]
    s.requests += 1
    client.cookies = copy.deepcopy(client.saved_cookies)
    with transaction.atomic():
        before = row_counts()
        response = getattr(client, method)(url, data or {}, **extra)
        changed = changed_counts(before)
        transaction.set_rollback(True)
    return response, changed


def counted_models():
    """Every model of the project's apps, and the accounts."""
    return [
        model
        for model in apps.get_models()
        if model.__module__.startswith(("amap.", "cms."))
        or model is get_user_model()
        or model._meta.label == "account.EmailAddress"
    ]


def row_counts() -> dict[str, int]:
    """How many rows each of `counted_models()` has, in one query."""
    models = counted_models()
    quote = connection.ops.quote_name
    sql = "SELECT " + ", ".join(
        f"(SELECT COUNT(*) FROM {quote(m._meta.db_table)})" for m in models
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        values = cursor.fetchone()
    return {m._meta.label: n for m, n in zip(models, values, strict=True)}


def changed_counts(before: dict[str, int]) -> dict[str, tuple[int, int]]:
    after = row_counts()
    return {k: (before[k], after[k]) for k in before if before[k] != after[k]}


def scenario_fixture():
    """A module-scoped fixture building the scenario once (see the docstring)."""

    @pytest.fixture(scope="module")
    def scenario(django_db_setup, django_db_blocker, tmp_path_factory):
        media = tmp_path_factory.mktemp("media")
        with (
            django_db_blocker.unblock(),
            override_settings(MEDIA_ROOT=media, PRIVATE_MEDIA_ROOT=media / "private"),
            transaction.atomic(),
        ):
            s = build()
            s.media_root = media
            s.clients = clients(s)
            s.requests = 0
            yield s
            print(f"\n{s.requests} requests sent")
            transaction.set_rollback(True)

    return scenario


# The URL map -------------------------------------------------------------------


def named_urls() -> dict[str, object]:
    """Every named URL of the URLconf, by its full name ("app:name"), with
    its pattern (the first one wins, as in `reverse()`)."""
    from django.urls import URLResolver, get_resolver

    found: dict[str, tuple[str, object]] = {}

    def walk(patterns, prefix, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = (
                        f"{namespace}:{pattern.namespace}"
                        if namespace
                        else (pattern.namespace)
                    )
                walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif pattern.name:
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                found.setdefault(name, (prefix + str(pattern.pattern), pattern))

    walk(get_resolver().url_patterns, "", None)
    return found
