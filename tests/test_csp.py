"""Every response carries the site's Content-Security-Policy (issue #15): pages,
error pages, live panels, maps' data, calendars, downloads and static files;
only the editors' admin and the site admin get the few relaxations their
code needs, and nowhere else."""

import pytest
from django.contrib.auth.models import Permission
from django.http import HttpResponse
from django.test import Client
from django.urls import path, reverse
from django.utils import timezone

from amap.csp import CSPMiddleware, path_replacements
from amap.settings import tile_origin
from tests.factories import (
    DistributionFactory,
    GroupPurchaseFactory,
    OfferFactory,
    OrderCycleFactory,
    PickupPointFactory,
    ProductFactory,
    UserFactory,
)
from tests.test_settings import settings_module

pytestmark = pytest.mark.django_db


def directives(response) -> dict[str, list[str]]:
    header = response.get("Content-Security-Policy")
    assert header, f"no Content-Security-Policy on {response.status_code}"
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def assert_strict(response):
    """The site's policy: scripts and styles from the site only, no inline
    code, no plugins, no framing, forms to the site only."""
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert policy["script-src"][0] == "'self'"
    assert policy["script-src-attr"] == ["'none'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["style-src-attr"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert "'self'" in policy["img-src"] and "data:" in policy["img-src"]


def failing_view(request):
    raise RuntimeError("boom")


urlpatterns = [path("boom/", failing_view)]


def test_a_page_has_the_strict_policy(client):
    assert_strict(client.get(reverse("account_login")))


def test_a_missing_page_has_it(client):
    response = client.get("/nexistepas/")
    assert response.status_code == 404
    assert_strict(response)


def test_a_refusal_has_it(member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    response = client.post(reverse("account_logout"))
    assert response.status_code == 403
    assert_strict(response)


def test_a_bad_request_has_it(client):
    response = client.get("/", HTTP_HOST="not a host!")
    assert response.status_code == 400
    assert_strict(response)


def test_a_server_error_page_has_it(settings):
    settings.ROOT_URLCONF = __name__
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    assert_strict(response)


def test_a_live_panel_has_it(as_user, member, collective):
    campaign = GroupPurchaseFactory(collectives=[collective])
    response = as_user(member).get(
        reverse("groupbuy:campaign_panel", args=[campaign.pk]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert_strict(response)


def test_map_data_and_calendars_have_it(client, collective):
    PickupPointFactory(collective=collective)
    geojson = client.get(
        reverse("distribution:collective_pickup_points_geojson", args=[collective.slug])
    )
    calendar = client.get(
        reverse("distribution:collective_feed", args=[collective.slug])
    )
    assert geojson["Content-Type"] == "application/geo+json"
    assert calendar["Content-Type"].startswith("text/calendar")
    assert_strict(geojson)
    assert_strict(calendar)


def test_downloads_have_it(as_user, producer_user, producer, collective):
    cycle = OrderCycleFactory(collective=collective)
    DistributionFactory(cycle=cycle)
    OfferFactory(cycle=cycle, product=ProductFactory(producer=producer))
    client = as_user(producer_user)
    for name in ("producer_bookings_csv", "producer_bookings_pdf"):
        response = client.get(reverse(f"orders:{name}", args=[producer.slug, cycle.pk]))
        assert response.status_code == 200, name
        assert_strict(response)


def test_static_files_have_it(client):
    response = client.get("/static/css/site.css")
    assert response.status_code == 200
    assert_strict(response)


def test_the_nonce_is_in_the_policy_when_a_page_uses_it(rf):
    def view(request):
        return HttpResponse(f'<script nonce="{request.csp_nonce}"></script>')

    request = rf.get("/")
    response = CSPMiddleware(view)(request)
    nonce = response.content.decode().split('"')[1]
    assert f"'nonce-{nonce}'" in directives(response)["script-src"]


# The admins --------------------------------------------------------------------


@pytest.fixture
def editor(db):
    user = UserFactory(email="editeur@example.org", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    return user


def test_the_editors_admin_gets_only_what_wagtail_needs(as_user, editor):
    response = as_user(editor).get("/cms/")
    assert response.status_code == 200
    policy = directives(response)
    # Wagtail's date pickers and inline panels are inline scripts; scripts
    # from other sites, eval and plugins stay refused.
    assert policy["script-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["script-src-attr"] == ["'none'"]
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["connect-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    # Wagtail previews pages in a frame of its own.
    assert policy["frame-ancestors"] == ["'self'"]


def test_the_site_admin_has_the_strict_policy(as_user):
    admin = UserFactory(email="admin@example.org", is_staff=True, is_superuser=True)
    response = as_user(admin).get("/admin/")
    assert response.status_code == 200
    assert_strict(response)


@pytest.mark.parametrize(
    "path", ["/", "/compte/login/", "/cmsx/", "/administration/", "/static/cms/"]
)
def test_the_relaxations_stay_in_the_admins(path):
    assert path_replacements(path) is None


def test_the_tile_server_is_the_only_other_image_origin(client, settings):
    response = client.get(reverse("account_login"))
    tiles = settings.LEAFLET_CONFIG["TILES"][0][1]
    assert directives(response)["img-src"] == [
        "'self'",
        "data:",
        "https://tile.openstreetmap.org",
    ]
    assert tiles.startswith("https://tile.openstreetmap.org/")


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        (
            "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
            "https://tile.openstreetmap.org",
        ),
        ("https://{s}.tile.example.org/{z}/{x}/{y}.png", "https://*.tile.example.org"),
        ("http://tiles.local:8080/{z}/{x}/{y}.png", "http://tiles.local:8080"),
    ],
)
def test_the_tile_origin_is_read_from_the_tile_address(url, origin):
    assert tile_origin(url) == origin


def test_the_deployed_policy_is_the_strict_one():
    loaded = settings_module(
        DEBUG="0", MAP_TILES_URL="https://tiles.example.net/{z}/{x}/{y}.png"
    )
    policy = loaded["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert policy["img-src"] == ["'self'", "data:", "https://tiles.example.net"]
    assert loaded["LEAFLET_CONFIG"]["TILES"][0][1].startswith(
        "https://tiles.example.net/"
    )
    assert set(loaded["CSP_PATH_REPLACEMENTS"]) == {"/cms/"}
    assert loaded["WAGTAIL_GRAVATAR_PROVIDER_URL"] is None
    assert loaded["WAGTAIL_ENABLE_UPDATE_CHECK"] is False


def test_security_txt_says_where_to_report(client, settings):
    settings.SECURITY_CONTACT = "securite@reseau.example"
    response = client.get("/.well-known/security.txt")
    text = response.content.decode()
    assert response["Content-Type"].startswith("text/plain")
    assert "Contact: mailto:securite@reseau.example" in text
    expires = next(line for line in text.splitlines() if line.startswith("Expires: "))
    assert expires.removeprefix("Expires: ") > timezone.now().isoformat()


def test_the_health_check_has_it(client):
    response = client.get("/sante/")
    assert response.status_code in (200, 503)
    assert_strict(response)
