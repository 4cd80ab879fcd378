"""The charter page: where it may live, its publications as versions, rendering.

Pages are asked for in English (the `english` fixture).
"""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from amap.members.models import CharterVersion
from amap.members.services import accept_charter
from cms.charter import CharterPage
from cms.models import ContentPage, HomePage

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "fresh_cache")]

V1 = "<h2>Agriculture paysanne</h2><p>Des fermes à taille humaine.</p>"
V2 = V1 + "<h2>Prix justes</h2><p>Le prix est fixé avec le paysan.</p>"


@pytest.fixture
def home():
    return HomePage.objects.get()


@pytest.fixture
def charter(home):
    page = home.add_child(
        instance=CharterPage(title="Charte éthique du réseau", slug="charte", body=V1)
    )
    page.save_revision().publish()
    return page


def publish(page, **changes):
    for name, value in changes.items():
        setattr(page, name, value)
    revision = page.save_revision()
    revision.publish()
    return revision


def test_the_charter_lives_under_the_home_page_only(home):
    assert CharterPage.can_exist_under(home)
    assert not CharterPage.can_exist_under(ContentPage())
    assert CharterPage.allowed_subpage_models() == []
    assert CharterPage in HomePage.allowed_subpage_models()


def test_there_is_one_charter(charter, home):
    assert not CharterPage.can_create_at(home)


def test_publishing_the_page_records_version_one(charter):
    version = CharterVersion.objects.get()
    assert version.number == 1
    assert version.title == "Charte éthique du réseau"
    assert "Des fermes à taille humaine." in version.body
    assert version.page_url == "/charte/"


def test_publishing_a_change_records_the_next_version_with_its_note(charter):
    publish(charter, body=V2, what_changed="Un engagement sur les prix.")
    latest = CharterVersion.objects.latest_first().first()
    assert latest.number == 2
    assert latest.what_changed == "Un engagement sur les prix."
    assert "Prix justes" in latest.body


def test_publishing_the_same_revision_again_makes_no_new_version(charter):
    revision = publish(charter, body=V2, what_changed="Les prix.")
    revision.publish()
    assert CharterVersion.objects.count() == 2


def test_the_snapshot_expands_internal_links(charter, home):
    body = f'<p>Voir <a linktype="page" id="{home.pk}">l\'accueil</a>.</p>'
    publish(charter, body=body, what_changed="Un lien vers l'accueil.")
    latest = CharterVersion.objects.latest_first().first()
    assert 'href="/"' in latest.body
    assert "linktype" not in latest.body


@pytest.mark.parametrize("note", ["", "  ", "Un engagement sur les prix."])
def test_a_changed_text_needs_a_new_note(charter, note):
    publish(charter, body=V2, what_changed="Un engagement sur les prix.")
    charter.body = V1
    charter.what_changed = note  # empty, or the previous version's note
    with pytest.raises(ValidationError) as raised:
        charter.save_revision()
    assert "what changed in this version" in str(raised.value.message_dict)
    assert CharterVersion.objects.count() == 2


def test_the_note_alone_may_be_corrected_without_a_new_version(charter):
    publish(charter, what_changed="Première version.")
    assert CharterVersion.objects.count() == 1


def test_other_pages_publishing_records_nothing(home):
    page = home.add_child(instance=ContentPage(title="À propos", slug="a-propos"))
    page.save_revision().publish()
    assert not CharterVersion.objects.exists()


def test_the_page_renders_with_its_history(client, charter):
    publish(charter, body=V2, what_changed="Un engagement sur les prix.")
    response = client.get("/charte/")
    assertContains(response, "Prix justes")
    assertContains(response, "Version 2")
    assertContains(response, "Un engagement sur les prix.")
    assertNotContains(response, "Read and accept")


def test_a_member_who_has_not_accepted_may_read_it_and_is_invited_to_accept(
    as_user, member, charter
):
    response = as_user(member).get("/charte/")
    assert response.status_code == 200
    assertContains(response, "Read and accept")
    assertContains(response, reverse("members:charter_accept"))


def test_a_member_who_accepted_is_told_so(as_user, member, charter):
    accept_charter(user=member, version=CharterVersion.objects.get())
    response = as_user(member).get("/charte/")
    assertContains(response, "You have accepted this version.")


def test_the_demo_charter_has_two_versions_and_demo_people_accepted_the_first(
    home, collective
):
    from amap.members.demo import DEMO_DOMAIN
    from amap.members.services import last_accepted_charter_version
    from cms.charter_demo import build_charter
    from tests.factories import MembershipFactory

    demo_member = MembershipFactory(
        collective=collective, user__email=f"amapien@{DEMO_DOMAIN}"
    ).user
    page = build_charter(home)
    assert build_charter(home) == page
    versions = list(CharterVersion.objects.latest_first())
    assert [v.number for v in versions] == [2, 1]
    assert "caisse de solidarité" in versions[0].what_changed
    assert last_accepted_charter_version(demo_member) == versions[1]


def test_in_the_demo_most_people_accepted_the_current_version_but_the_logins(
    home, collective
):
    from amap.members.demo import DEMO_DOMAIN
    from amap.members.services import charter_status
    from cms.charter_demo import build_charter
    from tests.factories import MembershipFactory

    login = MembershipFactory(
        collective=collective, user__email=f"organisatrice@{DEMO_DOMAIN}"
    ).user
    others = [
        MembershipFactory(
            collective=collective, user__email=f"membre{n}@{DEMO_DOMAIN}"
        ).user
        for n in range(10)
    ]
    build_charter(home)
    build_charter(home)
    current = CharterVersion.objects.latest_first().first()
    assert charter_status(login) == (current, False)
    accepted = [person for person in others if charter_status(person)[1]]
    assert len(accepted) == 6


def test_after_a_demo_reset_the_new_demo_people_have_accepted_the_first_version(
    home, collective
):
    from amap.members.demo import DEMO_DOMAIN
    from amap.members.services import charter_status, last_accepted_charter_version
    from cms.charter_demo import build_charter
    from tests.factories import MembershipFactory

    build_charter(home)
    # `demo --reset` deletes the demo people; the charter page stays.
    recreated = MembershipFactory(
        collective=collective, user__email=f"amapien@{DEMO_DOMAIN}"
    ).user
    build_charter(home)
    first, current = CharterVersion.objects.order_by("number")
    assert last_accepted_charter_version(recreated) == first
    assert charter_status(recreated) == (current, False)


def test_the_demo_farms_state_how_they_meet_the_charter(home, client):
    from amap.producers.selectors.charter import producer_commitments
    from cms.charter_demo import build_charter
    from tests.factories import ProducerFactory

    farm = ProducerFactory(slug="chevrerie-des-moulins")
    build_charter(home)
    build_charter(home)
    assert [heading for heading, _text in producer_commitments(farm)] == [
        "Le respect de la terre et du vivant",
        "La transparence et les visites de ferme",
    ]
