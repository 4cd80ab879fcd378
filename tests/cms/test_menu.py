"""The public site's pages reach every page: the navigation lists those
marked "show in menus", the footer all of them but the collectives' pages;
the menu is cached and rebuilt when a page is published, unpublished, moved
or deleted."""

import pytest
from django.core.cache import cache
from pytest_django.asserts import assertContains, assertNotContains

from cms.menu import MENU_CACHE_KEY, build_site_menu
from cms.models import (
    CollectivePage,
    ContentPage,
    HomePage,
    NewsIndexPage,
    ProducerDirectoryPage,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def publish(parent, page, capture):
    with capture(execute=True):
        parent.add_child(instance=page)
        page.save_revision().publish()
    return page


@pytest.fixture
def home():
    return HomePage.objects.get()


@pytest.fixture
def pages(home, collective, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    return {
        "directory": publish(
            home,
            ProducerDirectoryPage(
                title="Les fermes", slug="producteurs", show_in_menus=True
            ),
            capture,
        ),
        "about": publish(
            home, ContentPage(title="Qui sommes-nous ?", slug="qui"), capture
        ),
        "news": publish(
            home,
            NewsIndexPage(title="Actualités", slug="actualites", show_in_menus=True),
            capture,
        ),
        "collective": publish(
            home,
            CollectivePage(
                title="AMAP des Dervallières",
                slug="dervallieres",
                collective=collective,
            ),
            capture,
        ),
    }


def titles(items):
    return [item["title"] for item in items]


def test_the_menu_lists_the_pages_in_menus_and_the_footer_all_but_collectives(
    pages,
):
    menu = build_site_menu()
    assert titles(menu["nav"]) == ["Les fermes", "Actualités"]
    assert titles(menu["footer"]) == ["Les fermes", "Qui sommes-nous ?", "Actualités"]
    assert menu["nav"][0]["url"] == "/producteurs/"


def test_every_page_links_the_public_pages(client, member, pages):
    response = client.get("/collectifs/")
    assertContains(response, '<a href="/producteurs/">Les fermes</a>', count=2)
    assertContains(response, '<a href="/qui/">Qui sommes-nous ?</a>', count=1)


def test_publishing_a_page_updates_the_menu(
    client, home, pages, django_capture_on_commit_callbacks
):
    publish(
        home,
        ContentPage(title="Comment ça marche ?", slug="comment", show_in_menus=True),
        django_capture_on_commit_callbacks,
    )
    assertContains(client.get("/collectifs/"), 'href="/comment/"', count=2)

    with django_capture_on_commit_callbacks(execute=True):
        pages["news"].unpublish()
    assertNotContains(client.get("/collectifs/"), 'href="/actualites/"')


def test_a_deleted_page_leaves_the_menu(
    client, pages, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        pages["about"].delete()
    assertNotContains(client.get("/collectifs/"), 'href="/qui/"')


def test_the_menu_costs_no_query_once_cached(
    client, pages, django_assert_max_num_queries
):
    client.get("/collectifs/")
    assert cache.get(MENU_CACHE_KEY)["nav"]
    with django_assert_max_num_queries(3):  # session-less: only the page's own
        response = client.get("/recherche/")
    assertContains(response, 'href="/producteurs/"', count=2)


def test_the_language_menu_names_each_language_in_itself(client):
    response = client.get("/recherche/", HTTP_ACCEPT_LANGUAGE="fr")
    html = response.content.decode()
    assert 'lang="en">English</option>' in html
    assert 'lang="fr">Français</option>' in html
