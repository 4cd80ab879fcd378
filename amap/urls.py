from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.utils.module_loading import module_has_submodule
from django.views.generic import TemplateView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from amap.operations.health import health
from amap.views import login_elsewhere
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
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Wagtail serves every other path, starting with the home page at "/".
urlpatterns += [path("", include(wagtail_urls))]
