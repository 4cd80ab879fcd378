"""One login page for everything: private pages and the editors' admin send
people to the site's own login page, in the site's layout, without loops."""

import pytest
from django.urls import reverse
from wagtail.models import PageViewRestriction

from cms.models import ContentPage, HomePage
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

LOGIN = reverse("account_login")


@pytest.fixture
def private_page(django_capture_on_commit_callbacks):
    home = HomePage.objects.get()
    page = ContentPage(title="Adhérer", slug="adherer", show_in_menus=True)
    with django_capture_on_commit_callbacks(execute=True):
        home.add_child(instance=page)
        page.save_revision().publish()
        PageViewRestriction.objects.create(
            page=page, restriction_type=PageViewRestriction.LOGIN
        )
    return page


def test_a_private_page_asks_visitors_to_log_in_on_the_sites_login_page(
    client, private_page
):
    response = client.get("/adherer/")
    assert response.url == f"{LOGIN}?next=/adherer/"
    assert 'class="site-header"' in client.get(response.url).content.decode()


def test_a_private_page_leaves_the_menu(client, private_page):
    assert 'href="/adherer/"' not in client.get("/collectifs/").content.decode()


def test_a_member_sent_to_the_login_page_by_the_admin_is_not_bounced(as_user, member):
    response = as_user(member).get("/cms/", follow=True)
    assert response.redirect_chain == [(f"{LOGIN}?next=/cms/", 302)]
    assert 'name="password"' in response.content.decode()


def test_an_editor_logs_in_to_the_admin_through_the_sites_login_page(client):
    UserFactory(email="redac@example.org", is_staff=True, is_superuser=True)

    response = client.post(
        f"{LOGIN}?next=/cms/",
        {"login": "redac@example.org", "password": "secret-pass-123"},
    )

    assert response.url == "/cms/"
    assert client.get("/cms/").status_code == 200
