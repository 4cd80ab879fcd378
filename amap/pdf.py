"""Rendering printable documents (picking lists, distribution sheets) to PDF.

WeasyPrint lays out an HTML template; `templates/pdf/base.html` sets the A4
page, its margins and the "Page N / M" footer. Stylesheets and images are
read from disk (static and media files), never fetched over the network, so a
PDF renders the same in a web request, in a task, and in a test.
"""

import logging
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

# WeasyPrint reports each layout step at INFO, from import time on.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

from weasyprint import HTML, URLFetcher  # noqa: E402
from weasyprint.urls import path2url  # noqa: E402


def _local_file(url: str) -> Path | None:
    """The file on disk a static or media URL points to, if any."""
    path = unquote(urlsplit(url).path)
    static_url = urlsplit(settings.STATIC_URL).path
    media_url = urlsplit(settings.MEDIA_URL).path
    if path.startswith(static_url):
        relative = path[len(static_url) :]
        found = finders.find(relative)
        if found:
            return Path(found)
        root = settings.STATIC_ROOT
    elif path.startswith(media_url):
        relative = path[len(media_url) :]
        root = settings.MEDIA_ROOT
    else:
        return None
    if not root:
        return None
    root = Path(root).resolve()
    candidate = (root / relative).resolve()
    if root not in candidate.parents or not candidate.is_file():
        return None
    return candidate


class _LocalFilesFetcher(URLFetcher):
    """Serves static and media files from disk; refuses every other URL."""

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        local = _local_file(url)
        if local is None:
            raise ValueError(f"Only static and media files are embedded: {url}")
        return super().fetch(path2url(str(local)), headers)


def render_pdf(template_name: str, context: dict, request=None) -> bytes:
    """Render `template_name` (which should extend "pdf/base.html") to PDF bytes."""
    html = render_to_string(template_name, context, request=request)
    base_url = request.build_absolute_uri("/") if request else settings.SITE_URL + "/"
    return HTML(
        string=html, base_url=base_url, url_fetcher=_LocalFilesFetcher()
    ).write_pdf()
