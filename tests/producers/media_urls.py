"""The site's URLs plus MEDIA_ROOT served at MEDIA_URL, as the reverse proxy
does in production (see the README's Production section)."""

from django.conf import settings
from django.urls import re_path
from django.views.static import serve

from amap.urls import urlpatterns as site_urlpatterns


def public_media(request, path):
    return serve(request, path, document_root=settings.MEDIA_ROOT)


urlpatterns = [re_path(r"^media/(?P<path>.*)$", public_media), *site_urlpatterns]
