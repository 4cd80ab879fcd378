"""A small named cast, so permission tests read like sentences.

- `member` belongs to `collective`; `other_member` belongs to `other_collective`;
- `organiser` organises `collective`; `other_organiser` organises `other_collective`;
- `producer_user` is a person with an account and no membership (the producer
  model links it to a farm once the producer area exists);
- `anonymous` is nobody.
"""

import pytest
from django.test import Client
from django.utils import translation

from tests.factories import (
    CollectiveFactory,
    MembershipFactory,
    OrganiserMembershipFactory,
    UserFactory,
)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def english(settings):
    """Pages and messages in English, whether or not the French catalogue is compiled.

    The test client sends no Accept-Language header, so LocaleMiddleware falls
    back to LANGUAGE_CODE; code run outside a request uses the active language.
    """
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def collective(db):
    return CollectiveFactory(name="AMAP des Dervallières", slug="dervallieres")


@pytest.fixture
def other_collective(db):
    return CollectiveFactory(
        name="AMAP de Trentemoult", slug="trentemoult", town="Rezé"
    )


@pytest.fixture
def member(collective):
    return MembershipFactory(
        collective=collective,
        user__email="marie.martin@example.org",
        user__first_name="Marie",
        user__last_name="Martin",
    ).user


@pytest.fixture
def other_member(other_collective):
    return MembershipFactory(
        collective=other_collective,
        user__email="jean.bernard@example.org",
        user__first_name="Jean",
        user__last_name="Bernard",
    ).user


@pytest.fixture
def organiser(collective):
    return OrganiserMembershipFactory(
        collective=collective,
        user__email="claire.petit@example.org",
        user__first_name="Claire",
        user__last_name="Petit",
    ).user


@pytest.fixture
def other_organiser(other_collective):
    return OrganiserMembershipFactory(
        collective=other_collective,
        user__email="luc.moreau@example.org",
        user__first_name="Luc",
        user__last_name="Moreau",
    ).user


@pytest.fixture
def producer_user(db):
    return UserFactory(
        email="paul.durand@example.org", first_name="Paul", last_name="Durand"
    )


@pytest.fixture
def as_user(client):
    """`as_user(person)` returns a client logged in as that person (None: anonymous)."""

    def login(user):
        c = Client()
        if user is not None:
            c.force_login(user)
        return c

    return login
