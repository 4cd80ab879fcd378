"""Error pages speak the visitor's language, in the site's layout, and say
what to do next; the server error page needs neither a request nor the
database."""

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from django.views.defaults import bad_request, permission_denied, server_error
from pytest_django.asserts import assertContains

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_a_missing_page_is_explained_with_ways_onward(client):
    response = client.get("/nexistepas/")

    assertContains(response, "Page not found", status_code=404)
    assertContains(response, "no longer does", status_code=404)
    assertContains(response, 'href="/recherche/"', status_code=404)
    assertContains(response, 'class="site-header"', status_code=404)


def test_a_missing_page_is_in_french_by_default():
    response = Client().get("/nexistepas/", HTTP_ACCEPT_LANGUAGE="fr")

    assertContains(response, 'lang="fr"', status_code=404)
    assert "Page not found" not in response.content.decode()


def test_a_server_error_page_renders_without_the_database(
    django_assert_num_queries,
):
    with django_assert_num_queries(0):
        response = server_error(RequestFactory().get("/"))

    assert response.status_code == 500
    assert "The site hit a problem" in response.content.decode()
    assert "check afterwards whether it was saved" in response.content.decode()


def test_refusals_and_bad_requests_have_their_own_pages(rf, member):
    request = rf.get("/")
    request.user = member
    assert "Access refused" in permission_denied(request, None).content.decode()
    assert "nothing was saved" in bad_request(request, None).content.decode()


def test_an_expired_form_says_to_reload_and_send_again(member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)

    response = client.post(reverse("account_logout"))

    assertContains(response, "The form has expired", status_code=403)
    assertContains(response, "reload the page", status_code=403)
