"""amap.pdf.render_pdf: A4 pages numbered "Page N / M", files read from disk."""

import io

import pytest
from django.conf import settings
from pypdf import PdfReader

from amap.pdf import _local_file, _LocalFilesFetcher, render_pdf


def test_render_pdf_gives_a_numbered_a4_document(english):
    content = render_pdf("pdf/base.html", {})
    assert content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(content))
    (page,) = reader.pages
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    assert "Page 1 / 1" in page.extract_text()


def test_render_pdf_with_a_request_uses_its_host(rf, english):
    request = rf.get("/", HTTP_HOST="amap.example.org")
    assert render_pdf("pdf/base.html", {}, request=request).startswith(b"%PDF")


def test_static_and_media_urls_are_read_from_disk(settings, tmp_path):
    found = _local_file("http://testserver/static/css/site.css")
    assert found is not None and found.name == "site.css" and found.is_file()
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "products").mkdir()
    (tmp_path / "products" / "leek.png").write_bytes(b"png")
    assert _local_file("/media/products/leek.png") == tmp_path / "products" / "leek.png"


@pytest.mark.parametrize(
    "url",
    [
        "http://testserver/media/../settings.py",
        "http://testserver/media/%2e%2e/%2e%2e/etc/passwd",
        "http://testserver/static/nothing-here.css",
        "http://testserver/admin/",
    ],
)
def test_other_urls_are_not_files(settings, tmp_path, url):
    settings.MEDIA_ROOT = tmp_path
    assert _local_file(url) is None


def test_the_fetcher_never_goes_to_the_network():
    fetcher = _LocalFilesFetcher()
    response = fetcher.fetch(f"http://testserver{settings.STATIC_URL}favicon.svg")
    assert b"<svg" in response.read()
    with pytest.raises(ValueError):
        fetcher.fetch("http://169.254.169.254/latest/meta-data/")
