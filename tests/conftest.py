"""A small named cast, so permission tests read like sentences.

- `member` belongs to `collective`; `other_member` belongs to `other_collective`;
- `organiser` organises `collective`; `other_organiser` organises `other_collective`;
- `producer_user` manages the farm `producer`, which supplies `collective`;
  `other_producer_user` manages `other_producer`, which supplies
  `other_collective` (the farms exist only when a test asks for them);
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
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private_media"


@pytest.fixture(autouse=True)
def _no_failure_remembered():
    """A queue or cache failure in one test does not pause the next one's."""
    from amap import cache
    from amap.operations import outbox

    outbox.reset_pause()
    cache.reset_state()


@pytest.fixture(autouse=True)
def _no_charter_version_cached():
    """No charter version exists until a test publishes one (publishing clears
    the cached number): the charter middleware then costs no query, whichever
    test runs first, and query counts stay exact."""
    from django.core.cache import cache

    from amap.members.services import CHARTER_CACHE_KEY
    from cms.menu import MENU_CACHE_KEY

    cache.set(CHARTER_CACHE_KEY, 0)
    # Likewise the public site's menu: empty until a test builds it.
    cache.set(MENU_CACHE_KEY, {"nav": [], "footer": []})


@pytest.fixture
def fresh_cache():
    """An empty cache before and after the test: no charter version number,
    no rendition or geocoding answer left by another test."""
    from django.core.cache import cache

    from cms.menu import MENU_CACHE_KEY

    cache.clear()
    # The public site's menu stays as the autouse fixture set it (empty), so
    # that a page's query count does not depend on being the first request.
    cache.set(MENU_CACHE_KEY, {"nav": [], "footer": []})
    yield
    cache.clear()


@pytest.fixture
def directory(db):
    """The producer directory page at /producteurs/, under the home page."""
    from cms.models import HomePage, ProducerDirectoryPage

    page = ProducerDirectoryPage(title="Les fermes", slug="producteurs")
    HomePage.objects.get().add_child(instance=page)
    page.save_revision().publish()
    return page


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


@pytest.fixture
def producer(producer_user, collective):
    """The farm `producer_user` manages; it supplies `collective`."""
    from tests.factories import PartnershipFactory, ProducerFactory

    farm = ProducerFactory(
        name="Maraîchage de la Sèvre", slug="maraichage-sevre", managers=[producer_user]
    )
    PartnershipFactory(producer=farm, collective=collective)
    return farm


@pytest.fixture
def other_producer_user(db):
    return UserFactory(
        email="lucie.garnier@example.org", first_name="Lucie", last_name="Garnier"
    )


@pytest.fixture
def other_producer(other_producer_user, other_collective):
    """Another farm, managed by `other_producer_user`, supplying `other_collective`."""
    from tests.factories import PartnershipFactory, ProducerFactory

    farm = ProducerFactory(
        name="Chèvrerie des Moulins",
        slug="chevrerie-moulins",
        activity="Fromages de chèvre",
        managers=[other_producer_user],
    )
    PartnershipFactory(producer=farm, collective=other_collective)
    return farm
