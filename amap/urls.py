from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path, re_path
from django.utils.module_loading import module_has_submodule
from django.views.generic import TemplateView
from wagtail import urls as wagtail_urls
from wagtail import views as wagtail_views
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls
from wagtail.documents.views import serve as wagtaildocs_serve

from amap.operations.health import health
from amap.ratelimits import rate_limited
from amap.views import login_elsewhere, security_txt
from cms import views as cms_views


def autodiscover_admin() -> None:
    """`admin.autodiscover()` without django-leaflet's admin, which needs GDAL."""
    for app_config in apps.get_app_configs():
        if app_config.name == "leaflet":
            continue
        if module_has_submodule(app_config.module, "admin"):
            import_module(f"{app_config.name}.admin")


autodiscover_admin()

urlpatterns = [
    # Answered by HealthCheckMiddleware first; here for reverse("health").
    path("sante/", health, name="health"),
    # One login path: Django admin's and Wagtail's own login forms (which
    # know nothing of email verification or allauth's rate limits) send
    # people to the site's login page; these come before their apps' URLs.
    path("admin/login/", login_elsewhere("/admin/"), name="admin_login_redirect"),
    path("cms/login/", login_elsewhere("/cms/"), name="cms_login_redirect"),
    path("_util/login/", login_elsewhere(), name="wagtail_login_redirect"),
    # Wagtail's password reset sent emails without a limit: allauth's instead
    # (the confirmation links of Wagtail's emails lead there too).
    re_path(
        r"^cms/password_reset/",
        login_elsewhere(to="account_reset_password"),
        name="cms_password_reset_redirect",
    ),
    # The passwords editors can put on a page or a collection of documents:
    # guesses limited like logins (ACCOUNT_RATE_LIMITS "page_password").
    path(
        "_util/authenticate_with_password/<int:page_view_restriction_id>/<int:page_id>/",
        rate_limited(
            wagtail_views.authenticate_with_password,
            action="page_password",
            key_kwarg="page_view_restriction_id",
        ),
        name="wagtailcore_authenticate_with_password",
    ),
    path(
        "documents/authenticate_with_password/<int:restriction_id>/",
        rate_limited(
            wagtaildocs_serve.authenticate_with_password,
            action="page_password",
            key_kwarg="restriction_id",
        ),
        name="wagtaildocs_authenticate_with_password",
    ),
    path("admin/", admin.site.urls),
    path("cms/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("compte/", include("allauth.urls")),
    path("", include("amap.members.urls")),
    path("", include("amap.distribution.urls")),
    path("", include("amap.producers.urls")),
    path("", include("amap.orders.urls")),
    path("", include("amap.groupbuy.urls")),
    path("recherche/", cms_views.search, name="search"),
    path("sitemap.xml", sitemap),
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain"),
    ),
    path(".well-known/security.txt", security_txt, name="security_txt"),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Wagtail serves every other path, starting with the home page at "/".
urlpatterns += [path("", include(wagtail_urls))]
