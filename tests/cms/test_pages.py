from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects
from wagtail.models import Page

from amap.members.models import Membership
from cms.models import (
    CollectivePage,
    ContentPage,
    HomePage,
    NewsIndexPage,
    NewsPage,
    ProducerDirectoryPage,
)
from tests.factories import (
    CollectiveFactory,
    DistributionFactory,
    OrderCycleFactory,
    PickupPointFactory,
    ProducerFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def add(parent, page):
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


@pytest.fixture
def home():
    return HomePage.objects.get()


@pytest.fixture
def tree(home, collective):
    """One page of each type under the home page."""
    news_index = add(home, NewsIndexPage(title="Actualités", slug="actualites"))
    return {
        "home": home,
        "about": add(
            home,
            ContentPage(
                title="Qui sommes-nous ?",
                slug="qui-sommes-nous",
                body=[("heading", "Notre histoire"), ("quote", "Une ferme à soi.")],
                search_description="Le réseau et ses fermes.",
            ),
        ),
        "news_index": news_index,
        "news": add(
            news_index,
            NewsPage(
                title="Une chèvrerie rejoint le réseau",
                slug="chevrerie",
                date=date(2026, 5, 2),
                intro="Des fromages frais à Trentemoult.",
            ),
        ),
        "older_news": add(
            news_index,
            NewsPage(title="Assemblée générale", slug="ag", date=date(2026, 3, 14)),
        ),
        "directory": add(
            home, ProducerDirectoryPage(title="Les fermes", slug="producteurs")
        ),
        "collective": add(
            home,
            CollectivePage(
                title=collective.name, slug="dervallieres", collective=collective
            ),
        ),
    }


# Parent and child rules


@pytest.mark.parametrize(
    "model",
    [ContentPage, NewsIndexPage, ProducerDirectoryPage, CollectivePage],
)
def test_site_sections_live_under_the_home_page(home, model):
    assert model.can_exist_under(home)
    assert not model.can_exist_under(Page.get_first_root_node())


def test_content_pages_nest(tree):
    assert ContentPage.can_exist_under(tree["about"])
    assert ContentPage.allowed_subpage_models() == [ContentPage]


def test_news_pages_live_only_in_a_news_index(tree):
    assert NewsPage.allowed_parent_page_models() == [NewsIndexPage]
    assert NewsIndexPage.allowed_subpage_models() == [NewsPage]
    assert not NewsPage.can_exist_under(tree["home"])


@pytest.mark.parametrize("model", [NewsPage, CollectivePage, ProducerDirectoryPage])
def test_leaf_pages_have_no_children(model):
    assert model.allowed_subpage_models() == []


def test_there_is_only_one_directory(tree):
    assert not ProducerDirectoryPage.can_create_at(tree["home"])


# Every page renders


@pytest.mark.parametrize(
    "name", ["home", "about", "news_index", "news", "directory", "collective"]
)
def test_every_page_renders_with_its_seo_tags(client, tree, name):
    page = tree[name]

    response = client.get(page.url)

    assert response.status_code == 200
    assertContains(response, '<meta property="og:title" content="')
    assertContains(
        response, f'<link rel="canonical" href="http://localhost{page.url}">'
    )


def test_a_content_page_shows_its_description_and_blocks(client, tree):
    response = client.get("/qui-sommes-nous/")

    assertContains(
        response, "<title>Qui sommes-nous ? · AMAP network</title>", html=True
    )
    assertContains(
        response, '<meta name="description" content="Le réseau et ses fermes.">'
    )
    assertContains(response, "<h2>Notre histoire</h2>", html=True)
    assertContains(response, "Une ferme à soi.")


def test_the_news_index_lists_the_newest_first(client, tree):
    response = client.get("/actualites/")

    content = response.content.decode()
    assert content.index("Une chèvrerie") < content.index("Assemblée générale")


@pytest.mark.parametrize("path", ["flux/", "flux/atom/"])
def test_the_news_feeds_list_the_news(client, tree, path):
    response = client.get("/actualites/" + path)

    assert response.status_code == 200
    assert "xml" in response["Content-Type"]
    assertContains(response, "Une chèvrerie rejoint le réseau")
    assertContains(response, "http://testserver/actualites/chevrerie/")


def test_new_pages_appear_in_the_sitemap(client, tree, producer):
    response = client.get("/sitemap.xml")

    for path in ["/qui-sommes-nous/", "/actualites/chevrerie/", "/dervallieres/"]:
        assertContains(response, f"<loc>http://localhost{path}</loc>")
    assertContains(
        response, "<loc>http://localhost/producteurs/maraichage-sevre/</loc>"
    )


# Home page


def test_the_home_page_shows_the_network_map(client, tree, producer):
    PickupPointFactory(collective=producer.collectives.get(), name="Maison de quartier")

    response = client.get("/")

    data = response.context["network_map"]
    kinds = sorted(f["properties"]["kind"] for f in data["features"])
    assert kinds == ["pickup_point", "producer"]
    farm = next(f for f in data["features"] if f["properties"]["kind"] == "producer")
    assert farm["properties"]["url"] == "/producteurs/maraichage-sevre/"
    assertContains(response, 'id="network-map-data"')


def test_a_member_sees_the_next_distributions_of_their_collective(
    as_user, tree, member, collective, other_collective
):
    today = timezone.localdate()
    mine = DistributionFactory(
        cycle=OrderCycleFactory(collective=collective),
        pickup_point=PickupPointFactory(collective=collective, name="Préau du Breil"),
        date=today + timedelta(days=3),
    )
    DistributionFactory(
        cycle=OrderCycleFactory(collective=other_collective),
        pickup_point=PickupPointFactory(
            collective=other_collective, name="Port-au-Blé"
        ),
        date=today + timedelta(days=2),
    )

    response = as_user(member).get("/")

    assert response.context["next_distributions"] == [mine]
    assertContains(response, "Préau du Breil")
    assertNotContains(response, "Port-au-Blé")


def test_a_member_sees_only_the_distributions_of_their_usual_pickup_point(
    as_user, tree, member, collective
):
    from amap.distribution.services.pickup_points import choose_usual_pickup_point

    today = timezone.localdate()
    cycle = OrderCycleFactory(collective=collective)
    breil = PickupPointFactory(collective=collective, name="Préau du Breil")
    solilab = PickupPointFactory(collective=collective, name="Solilab")
    at_breil = DistributionFactory(
        cycle=cycle, pickup_point=breil, date=today + timedelta(days=3)
    )
    at_solilab = DistributionFactory(
        cycle=cycle, pickup_point=solilab, date=today + timedelta(days=3)
    )
    client = as_user(member)
    assert client.get("/").context["next_distributions"] == [at_breil, at_solilab]

    choose_usual_pickup_point(user=member, pickup_point=solilab)
    response = client.get("/")

    assert response.context["next_distributions"] == [at_solilab]
    assertNotContains(response, "Préau du Breil")


def test_a_visitor_sees_no_distribution(client, tree):
    response = client.get("/")

    assertNotContains(response, "Your next distributions")


# Collective page


def test_a_collective_page_shows_its_pickup_points_and_farms(client, tree, producer):
    PickupPointFactory(collective=tree["collective"].collective, name="Préau du Breil")
    ProducerFactory(name="Ferme d'ailleurs")

    response = client.get("/dervallieres/")

    assertContains(response, "Préau du Breil")
    assertContains(response, 'href="/producteurs/maraichage-sevre/"')
    assertNotContains(response, "Ferme d'ailleurs")
    assert len(response.context["map_data"]["features"]) == 2


def test_a_visitor_is_asked_to_log_in_to_join(client, tree):
    response = client.get("/dervallieres/")

    assertContains(response, "/compte/login/?next=/dervallieres/")
    assertNotContains(response, 'action="/dervallieres/rejoindre/#rejoindre"')


def test_joining_from_the_collective_page_sends_a_request(
    as_user, tree, producer_user, collective
):
    client = as_user(producer_user)
    form = 'action="/dervallieres/rejoindre/#rejoindre"'  # back to the form after
    assertContains(client.get("/dervallieres/"), form)

    response = client.post(
        "/dervallieres/rejoindre/", {"message": "Bonjour !"}, follow=True
    )

    membership = Membership.objects.get(user=producer_user, collective=collective)
    assert membership.status == Membership.Status.PENDING
    assert membership.message == "Bonjour !"
    assertContains(response, "has been sent to its organisers")
    assertContains(response, "waiting for an organiser")


def test_a_member_asking_again_is_told_they_already_belong(as_user, tree, member):
    response = as_user(member).post("/dervallieres/rejoindre/", follow=True)

    assertContains(response, "already a member")


def test_joining_needs_a_login_and_a_post(client, as_user, tree, member):
    assert client.post("/dervallieres/rejoindre/").status_code == 302
    response = as_user(member).get("/dervallieres/rejoindre/")
    assert response.url == "/dervallieres/#rejoindre"
    assert not Membership.objects.exclude(user=member).exists()


def test_a_message_too_long_is_refused_next_to_it_and_kept(
    as_user, tree, producer_user
):
    response = as_user(producer_user).post(
        "/dervallieres/rejoindre/", {"message": "x" * 1001}
    )

    assert response.status_code == 400
    assert response.context["join_form"].errors["message"]
    assertContains(response, "x" * 1001, status_code=400)
    assert not Membership.objects.filter(user=producer_user).exists()


def test_the_collectives_plain_page_leads_to_its_public_page(client, tree):
    collective = tree["collective"].collective

    response = client.get(collective.get_absolute_url())

    assertRedirects(response, "/dervallieres/")
    cards = client.get("/collectifs/").content.decode()
    assert 'href="/dervallieres/"' in cards
    assert client.get("/").content.decode().count('href="/dervallieres/"') >= 1


def test_a_collective_without_a_public_page_keeps_its_plain_page(client, tree):
    other = CollectiveFactory(name="AMAP de Rezé", slug="reze")

    response = client.get(other.get_absolute_url())

    assertContains(response, "AMAP de Rezé")
    assertContains(client.get("/collectifs/"), 'href="/collectifs/reze/"')


def test_the_collective_page_gives_its_calendar_and_contact(client, tree):
    collective = tree["collective"].collective
    collective.contact_email = "contact@dervallieres.example"
    collective.save()

    response = client.get("/dervallieres/")

    assertContains(response, f"/collectifs/{collective.slug}/")
    assertContains(response, "mailto:contact@dervallieres.example")
    assertContains(response, "data-calendar")


# Demo


def test_the_demo_builds_the_page_tree_once(client):
    call_command("demo", stdout=StringIO())
    call_command("demo", stdout=StringIO())

    home = HomePage.objects.get()
    slugs = set(home.get_children().values_list("slug", flat=True))
    assert {
        "qui-sommes-nous",
        "comment-ca-marche",
        "actualites",
        "producteurs",
        "amap-dervallieres",
        "amap-trentemoult",
        "groupement-clisson",
    } <= slugs
    assert NewsPage.objects.count() == 3
    assert CollectivePage.objects.filter(collective__isnull=False).count() == 3
    for page in Page.objects.live().filter(depth__gte=2):
        assert client.get(page.url).status_code == 200, page.url


def test_the_demo_leaves_the_task_worker_nothing_to_catch_up(mailoutbox):
    """Past cycles were closed on time and their picking lists sent then, and
    everyone was told of the charter's version 2 when it came out: the
    worker's first run after `make run` closes and emails nothing."""
    from amap.distribution.services.calendar import close_due_cycles
    from amap.members.services import (
        current_charter_version,
        send_charter_version_emails,
    )
    from amap.orders.picking import send_picking_lists

    call_command("demo", stdout=StringIO())
    mailoutbox.clear()

    assert close_due_cycles() == []
    assert send_picking_lists() == 0
    assert send_charter_version_emails(version_id=current_charter_version().pk) == 0
    assert mailoutbox == []


# The editors' side: Wagtail's admin opens every page type


@pytest.fixture
def editor(client):
    from tests.factories import UserFactory

    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "name", ["home", "about", "news_index", "news", "directory", "collective"]
)
def test_an_editor_opens_every_page_in_the_admin(editor, tree, name):
    from django.urls import reverse

    response = editor.get(reverse("wagtailadmin_pages:edit", args=[tree[name].pk]))
    assertContains(response, tree[name].title)


@pytest.mark.parametrize(
    ("model", "parent"),
    [
        ("contentpage", "home"),
        ("contentpage", "about"),
        ("newspage", "news_index"),
        ("charterpage", "home"),
    ],
)
def test_an_editor_may_add_each_page_type_where_it_belongs(editor, tree, model, parent):
    from django.urls import reverse

    url = reverse("wagtailadmin_pages:add", args=["cms", model, tree[parent].pk])
    assert editor.get(url).status_code == 200
    # ...and not elsewhere: Wagtail refuses the type under a news page.
    wrong = reverse("wagtailadmin_pages:add", args=["cms", model, tree["news"].pk])
    assertRedirects(
        editor.get(wrong),
        reverse("wagtailadmin_home"),
        fetch_redirect_response=False,
    )


# Sharing: the first image of a page is its Open Graph picture


@pytest.fixture
def no_cached_renditions():
    """Wagtail caches renditions by image id, which the next test reuses."""
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()


def wagtail_image(name="verger.png"):
    import io

    from django.core.files.images import ImageFile
    from PIL import Image as PillowImage
    from wagtail.images.models import Image

    buffer = io.BytesIO()
    PillowImage.new("RGB", (1600, 900), (90, 140, 60)).save(buffer, format="PNG")
    return Image.objects.create(title="Le verger", file=ImageFile(buffer, name=name))


def test_a_page_shares_its_first_image(client, home, no_cached_renditions):
    image = wagtail_image()
    page = add(
        home,
        ContentPage(
            title="Les vergers",
            slug="vergers",
            body=[
                ("heading", "Au printemps"),
                ("image", {"image": image, "caption": "En fleurs"}),
            ],
        ),
    )
    response = client.get(page.url)
    rendition = image.get_rendition("fill-1200x630")
    assert (rendition.width, rendition.height) == (1200, 630)
    assertContains(
        response,
        f'<meta property="og:image" content="http://testserver{rendition.url}">',
    )
    assertContains(response, 'content="summary_large_image"')


def test_a_missing_image_file_does_not_break_the_page(
    client, home, no_cached_renditions
):
    image = wagtail_image()
    image.file.storage.delete(image.file.name)
    page = add(
        home,
        ContentPage(
            title="Les vergers",
            slug="vergers",
            body=[("image", {"image": image, "caption": ""})],
        ),
    )
    response = client.get(page.url)
    assert response.status_code == 200
    assertNotContains(response, 'property="og:image"')
    assertContains(response, 'content="summary"')


def test_the_editors_workflow_has_a_french_name():
    from wagtail.models import Task, Workflow

    assert Workflow.objects.filter(name="Validation par l'équipe du site").exists()
    assert not Workflow.objects.filter(name="Moderators approval").exists()
    assert not Task.objects.filter(name="Moderators approval").exists()


def test_a_second_page_for_a_collective_is_refused_with_a_clear_message(tree):
    from django.core.exceptions import ValidationError

    second = CollectivePage(
        title="Encore", slug="encore", collective=tree["collective"].collective
    )
    with pytest.raises(ValidationError) as refused:
        second.validate_unique()
    assert refused.value.message_dict["collective"] == [
        "This collective already has its page: edit that one instead."
    ]
