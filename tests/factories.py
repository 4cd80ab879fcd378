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
