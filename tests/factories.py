import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from amap.members.models import Collective, Invitation, Membership, User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    password = factory.django.Password("secret-pass-123")

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        """Accounts come with a confirmed address, as after allauth's sign-up."""
        if create and extracted is not False:
            EmailAddress.objects.create(
                user=self, email=self.email, verified=True, primary=True
            )


class CollectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Collective
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"AMAP numéro {n}")
    slug = factory.Sequence(lambda n: f"amap-{n}")
    town = "Nantes"
    contact_email = factory.LazyAttribute(lambda o: f"contact@{o.slug}.example.org")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    collective = factory.SubFactory(CollectiveFactory)
    role = Membership.Role.MEMBER
    status = Membership.Status.ACTIVE
    joined_on = factory.LazyFunction(timezone.localdate)


class OrganiserMembershipFactory(MembershipFactory):
    role = Membership.Role.ORGANISER


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    collective = factory.SubFactory(CollectiveFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.org")
    invited_by = factory.SubFactory(UserFactory)


# Distribution ---------------------------------------------------------------

import datetime as _dt  # noqa: E402
from decimal import Decimal  # noqa: E402

from amap.distribution.models import (  # noqa: E402
    Distribution,
    OrderCycle,
    PickupPoint,
    Shift,
    ShiftAssignment,
)


class PickupPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PickupPoint

    collective = factory.SubFactory(CollectiveFactory)
    name = factory.Sequence(lambda n: f"Maison de quartier n°{n}")
    street = "5 rue Auguste Renoir"
    postcode = "44100"
    town = "Nantes"
    latitude = Decimal("47.221900")
    longitude = Decimal("-1.588300")
    position_source = PickupPoint.PositionSource.GEOCODED
    geocode_status = PickupPoint.GeocodeStatus.FOUND


class OrderCycleFactory(factory.django.DjangoModelFactory):
    """An open cycle by default: opened yesterday, closes in three days."""

    class Meta:
        model = OrderCycle

    collective = factory.SubFactory(CollectiveFactory)
    name = factory.Sequence(lambda n: f"Semaine {n}")
    opens_at = factory.LazyFunction(lambda: timezone.now() - _dt.timedelta(days=1))
    closes_at = factory.LazyFunction(lambda: timezone.now() + _dt.timedelta(days=3))


class DistributionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Distribution

    cycle = factory.SubFactory(OrderCycleFactory)
    pickup_point = factory.SubFactory(
        PickupPointFactory, collective=factory.SelfAttribute("..cycle.collective")
    )
    date = factory.LazyFunction(lambda: timezone.localdate() + _dt.timedelta(days=5))
    starts_at = _dt.time(18, 0)
    ends_at = _dt.time(19, 30)


class ShiftFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shift

    distribution = factory.SubFactory(DistributionFactory)
    role = "Accueil et émargement"
    starts_at = _dt.time(17, 45)
    ends_at = _dt.time(19, 45)
    people_needed = 2


class ShiftAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ShiftAssignment

    shift = factory.SubFactory(ShiftFactory)
    user = factory.SubFactory(UserFactory)


# Producers ------------------------------------------------------------------

from amap.producers.models import (  # noqa: E402
    Label,
    Offer,
    Partnership,
    Producer,
    Product,
)


class LabelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Label
        django_get_or_create = ["slug"]

    name = "Agriculture biologique"
    slug = "ab"


class ProducerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Producer
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Ferme n°{n}")
    slug = factory.Sequence(lambda n: f"ferme-{n}")
    activity = "Maraîchage"
    street = "La Grande Noë"
    postcode = "44190"
    town = "Clisson"
    latitude = Decimal("47.087000")
    longitude = Decimal("-1.282200")
    position_source = Producer.PositionSource.GEOCODED
    geocode_status = Producer.GeocodeStatus.FOUND
    published_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def managers(self, create, extracted, **kwargs):
        if create and extracted:
            self.managers.add(*extracted)


class PartnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partnership

    producer = factory.SubFactory(ProducerFactory)
    collective = factory.SubFactory(CollectiveFactory)
    # An established partnership, accepted by the farm.
    status = Partnership.Status.ACCEPTED
    active = True


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    producer = factory.SubFactory(ProducerFactory)
    name = factory.Sequence(lambda n: f"Légume n°{n}")
    category = Product.Category.VEGETABLES
    unit = Product.Unit.KG
    price = Decimal("3.20")


class OfferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Offer

    product = factory.SubFactory(ProductFactory)
    cycle = factory.SubFactory(OrderCycleFactory)
    quantity_available = Decimal("20")
    price = factory.LazyAttribute(lambda o: o.product.price)


# Orders ---------------------------------------------------------------------

from amap.orders.models import (  # noqa: E402
    Absence,
    Contract,
    ContractOption,
    Order,
    OrderLine,
    Subscription,
)


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order

    member = factory.SubFactory(UserFactory)
    distribution = factory.SubFactory(DistributionFactory)


class OrderLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderLine

    order = factory.SubFactory(OrderFactory)
    offer = factory.SubFactory(OfferFactory)
    quantity = Decimal("1")
    unit_price = factory.LazyAttribute(lambda o: o.offer.price)
    amount = factory.LazyAttribute(
        lambda o: (o.quantity * o.unit_price).quantize(Decimal("0.01"))
    )


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contract

    producer = factory.SubFactory(ProducerFactory)
    collective = factory.SubFactory(CollectiveFactory)
    name = factory.Sequence(lambda n: f"Contrat légumes n°{n}")
    instalment_choices = [1, 3, 6]
    signup_deadline = factory.LazyFunction(
        lambda: timezone.now() + _dt.timedelta(days=10)
    )
    status = Contract.Status.OPEN


class ContractOptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContractOption

    contract = factory.SubFactory(ContractFactory)
    name = "Petit panier"
    price_per_delivery = Decimal("15.00")


class SubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subscription

    option = factory.SubFactory(ContractOptionFactory)
    contract = factory.SelfAttribute("option.contract")
    member = factory.SubFactory(UserFactory)


class AbsenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Absence

    member = factory.SubFactory(UserFactory)
    distribution = factory.SubFactory(DistributionFactory)
    fate = Absence.Fate.SOLIDARITY


# Group purchases (amap/groupbuy)


class GroupPurchaseFactory(factory.django.DjangoModelFactory):
    """An open campaign of `collectives` (default: a new collective)."""

    class Meta:
        model = "groupbuy.GroupPurchase"
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Achat groupé {n}")
    supplier_name = "Coopérativa Sicilia"
    opens_at = factory.LazyFunction(lambda: timezone.now() - _dt.timedelta(days=2))
    closes_at = factory.LazyFunction(lambda: timezone.now() + _dt.timedelta(days=5))
    status = "open"

    @factory.post_generation
    def collectives(self, create, extracted, **kwargs):
        if create:
            self.collectives.set(extracted or [CollectiveFactory()])


class GroupItemFactory(factory.django.DjangoModelFactory):
    """`tiers=[(0, "2.40"), (2, "2.10")]` adds its price tiers: (from how many
    cases, unit price)."""

    class Meta:
        model = "groupbuy.Item"
        skip_postgeneration_save = True

    campaign = factory.SubFactory(GroupPurchaseFactory)
    name = factory.Sequence(lambda n: f"Produit {n}")
    unit = "kg"
    case_size = 10

    @factory.post_generation
    def tiers(item, create, extracted, **kwargs):
        for min_cases, unit_price in extracted or ():
            PriceTierFactory(
                item=item, min_cases=min_cases, unit_price=Decimal(unit_price)
            )


class PriceTierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "groupbuy.PriceTier"

    item = factory.SubFactory(GroupItemFactory)
    min_cases = 0
    unit_price = Decimal("2.40")


class PledgeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "groupbuy.Pledge"

    item = factory.SubFactory(GroupItemFactory)
    member = factory.SubFactory(UserFactory)
    quantity = 5
    tolerance = 0
    pledged_at = factory.LazyFunction(timezone.now)


class WishFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "groupbuy.Wish"

    collective = factory.SubFactory(CollectiveFactory)
    title = factory.Sequence(lambda n: f"Souhait {n}")
    unit = "kg"


class VoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "groupbuy.Vote"

    wish = factory.SubFactory(WishFactory)
    member = factory.SubFactory(UserFactory)
    quantity = 3
