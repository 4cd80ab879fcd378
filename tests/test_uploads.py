"""Uploads are safe (issue #15, finding 8): images are opened with Pillow,
refused above a size in bytes and in pixels, and re-encoded without their
metadata; a document's content must match its extension. Every upload field
of the project is one of amap/uploads.py's."""

import functools
import importlib
import io
import pkgutil
import zipfile

import pytest
from django import forms as django_forms
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from PIL import ExifTags, Image
from pytest_django.asserts import assertContains
from wagtail.documents import get_document_model
from wagtail.documents.forms import get_document_form
from wagtail.images import get_image_model
from wagtail.images.forms import get_image_form

import amap
import cms
from amap import uploads
from amap.producers.models import Product
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def image_bytes(size=(40, 20), mode="RGB", fmt="PNG", **save) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, "white" if mode != "RGBA" else (0, 0, 0, 0)).save(
        buffer, format=fmt, **save
    )
    return buffer.getvalue()


@functools.cache
def huge_png(size) -> bytes:
    """A PNG of `size` pixels in a few kilobytes (one bit a pixel, all
    white), as an attacker sends it: cheap to send, costly to decode."""
    return image_bytes(size, mode="1")


def upload(data: bytes, name: str, content_type="image/png"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def post_product(client, producer, photo):
    return client.post(
        reverse("producers:product_create", args=[producer.slug]),
        {
            "name": "Poireaux",
            "category": "vegetables",
            "unit": "kg",
            "price": "3.20",
            "vat_rate": "5.50",
            "weight_step": "",
            "usual_quantity": "",
            "description": "",
            "active": "on",
            "photo": photo,
        },
    )


def gps_jpeg(size=(40, 20), orientation=None) -> bytes:
    """A JPEG with a GPS position, a camera and a comment in its metadata."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (47.0, 12.0, 30.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps[ExifTags.GPS.GPSLongitude] = (1.0, 33.0, 10.0)
    data = image_bytes(size, fmt="JPEG", exif=exif, comment=b"chez nous")
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    return data


# Pixels ---------------------------------------------------------------------


def test_a_100_megapixel_png_is_refused_as_a_photo(as_user, producer, producer_user):
    response = post_product(
        as_user(producer_user), producer, upload(huge_png((10_000, 10_000)), "a.png")
    )
    assertContains(
        response,
        'id="id_photo_error">This image has too many pixels: 40 megapixels at most.',
        status_code=400,
    )
    assert not Product.objects.exists()


def test_an_image_over_the_pixel_limit_but_under_pillows_is_refused(settings):
    """48 megapixels: Pillow would decode it without a word; our limit is 40."""
    field = uploads.ImageField()
    with pytest.raises(django_forms.ValidationError) as caught:
        field.clean(upload(huge_png((8000, 6000)), "a.png"))
    assert caught.value.code == "too_many_pixels"


def test_pillows_decompression_bomb_error_is_a_form_error(settings):
    """Far above Pillow's own limit, `Image.open` raises: still a message."""
    settings.UPLOAD_MAX_MEGAPIXELS = 10_000
    field = uploads.ImageField()
    with pytest.raises(django_forms.ValidationError) as caught:
        field.clean(upload(huge_png((15_000, 15_000)), "a.png"))
    assert caught.value.code == "too_many_pixels"


# What is stored ---------------------------------------------------------------


def test_a_jpeg_is_stored_without_its_exif_gps_position(
    as_user, producer, producer_user
):
    response = post_product(
        as_user(producer_user), producer, upload(gps_jpeg(), "photo.jpg", "image/jpeg")
    )
    assert response.status_code == 302
    stored = Image.open(Product.objects.get().photo.path)
    assert stored.format == "JPEG"
    assert dict(stored.getexif()) == {}
    assert "exif" not in stored.info
    assert "comment" not in stored.info
    assert stored.size == (40, 20)


def test_the_exif_orientation_is_applied_then_dropped():
    """A phone's portrait photo is stored upright, not on its side."""
    cleaned = uploads.clean_image(
        upload(gps_jpeg((40, 20), orientation=6), "p.jpg", "image/jpeg")
    )
    stored = Image.open(cleaned)
    assert stored.size == (20, 40)
    assert dict(stored.getexif()) == {}


def test_png_bytes_named_pdf_are_stored_as_a_png_photo(
    as_user, producer, producer_user
):
    """An image is what Pillow finds, whatever its name says."""
    response = post_product(
        as_user(producer_user),
        producer,
        upload(image_bytes(), "fiche.pdf", "application/pdf"),
    )
    assert response.status_code == 302
    name = Product.objects.get().photo.name
    assert name.startswith("products/fiche") and name.endswith(".jpg")


def test_a_large_photo_is_scaled_down(settings):
    settings.UPLOAD_IMAGE_MAX_SIDE = 100
    cleaned = uploads.clean_image(upload(image_bytes((300, 120)), "a.png"))
    assert Image.open(cleaned).size == (100, 40)


def test_a_transparent_image_stays_a_png_an_opaque_one_becomes_a_jpeg():
    transparent = uploads.clean_image(upload(image_bytes(mode="RGBA"), "logo.png"))
    assert transparent.name == "logo.png"
    assert Image.open(transparent).mode == "RGBA"
    opaque = uploads.clean_image(upload(image_bytes(mode="RGB"), "photo.png"))
    assert opaque.name == "photo.jpg"
    assert Image.open(opaque).format == "JPEG"


def test_a_webp_is_accepted():
    cleaned = uploads.clean_image(upload(image_bytes(fmt="WEBP"), "a.webp"))
    assert Image.open(cleaned).format == "JPEG"


# Refusals next to the field -------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"not an image", "photo.jpg"),
        (b"%PDF-1.7\n", "photo.png"),
        (image_bytes(fmt="GIF"), "photo.gif"),
        (image_bytes(fmt="JPEG")[:200], "cut.jpg"),  # truncated
    ],
    ids=["text", "pdf", "gif", "truncated"],
)
def test_what_is_not_a_jpeg_png_or_webp_is_refused(
    as_user, producer, producer_user, data, name
):
    response = post_product(as_user(producer_user), producer, upload(data, name))
    assertContains(
        response,
        'id="id_photo_error">This file is not an image, or a damaged one',
        status_code=400,
    )
    assert not Product.objects.exists()


def test_a_file_too_big_is_refused_with_the_limit_in_mb(
    as_user, producer, producer_user, settings
):
    settings.UPLOAD_MAX_BYTES = 1024
    photo = upload(image_bytes((300, 300), mode="RGB") + b"\0" * 300_000, "big.png")
    response = post_product(as_user(producer_user), producer, photo)
    assertContains(
        response,
        'id="id_photo_error">This file is too big (0.3 MB): 0.1 MB at most.',
        status_code=400,
    )


def test_the_limits_are_written_for_the_locale(settings):
    settings.UPLOAD_MAX_BYTES = 1536 * 1024
    with translation.override("fr"):
        assert uploads.megabytes(300 * 1024) == "0,3"
        assert uploads.max_upload_text() == "1,5"
    settings.UPLOAD_MAX_BYTES = 20 * 1024**2
    assert uploads.max_upload_text() == "20"


def test_the_photo_field_says_its_limit_and_formats():
    field = uploads.ImageField()
    assert str(field.help_text) == "A JPEG, PNG or WebP image, 20 MB at most."
    assert field.widget.attrs["accept"] == uploads.IMAGE_ACCEPT


# Documents ----------------------------------------------------------------------


def zip_bytes(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


DOCUMENTS = {
    "pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n",
    "txt": b"Bonjour, voici la liste.\n",
    "csv": "nom;quantité\ncarottes;3\n".encode(),
    "docx": zip_bytes({"[Content_Types].xml": b"", "word/document.xml": b""}),
    "xlsx": zip_bytes({"[Content_Types].xml": b"", "xl/workbook.xml": b""}),
    "odt": zip_bytes({"mimetype": b"application/vnd.oasis.opendocument.text"}),
    "ods": zip_bytes({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}),
}


@pytest.mark.parametrize("extension", sorted(DOCUMENTS))
def test_a_document_whose_content_matches_its_extension_is_kept_as_sent(extension):
    field = uploads.DocumentField(extensions=list(DOCUMENTS))
    kept = field.clean(upload(DOCUMENTS[extension], f"doc.{extension}"))
    assert kept.name == f"doc.{extension}"
    assert kept.read() == DOCUMENTS[extension]


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (image_bytes(), "tarif.pdf"),
        (DOCUMENTS["pdf"], "tarif.docx"),
        (DOCUMENTS["odt"], "tarif.ods"),
        (zip_bytes({"a.txt": b"x"}), "tarif.xlsx"),
        (image_bytes(), "tarif.txt"),
        (b"a\x00b", "tarif.csv"),
    ],
    ids=["png-as-pdf", "pdf-as-docx", "odt-as-ods", "zip-as-xlsx", "png-as-txt", "nul"],
)
def test_a_document_whose_content_does_not_match_its_extension_is_refused(data, name):
    field = uploads.DocumentField(extensions=list(DOCUMENTS))
    with pytest.raises(django_forms.ValidationError) as caught:
        field.clean(upload(data, name))
    assert caught.value.code == "extension_mismatch"
    extension = name.rsplit(".", 1)[1]
    assert caught.value.messages == [
        f"This file’s name ends in .{extension} but its content is not a "
        f".{extension} file: choose the right file, or save it again in that format."
    ]


def test_an_editor_cannot_store_png_bytes_as_a_pdf_document():
    form_class = get_document_form(get_document_model())
    superuser = UserFactory(is_superuser=True, is_staff=True)
    form = form_class(
        {"title": "Tarifs", "collection": get_root_collection_id()},
        {"file": upload(image_bytes(), "tarifs.pdf", "application/pdf")},
        user=superuser,
    )
    assert not form.is_valid()
    assert "its content is not a .pdf file" in form.errors["file"][0]


def test_an_editor_can_store_a_real_pdf_document():
    form_class = get_document_form(get_document_model())
    superuser = UserFactory(is_superuser=True, is_staff=True)
    form = form_class(
        {"title": "Tarifs", "collection": get_root_collection_id()},
        {"file": upload(DOCUMENTS["pdf"], "tarifs.pdf", "application/pdf")},
        user=superuser,
    )
    assert form.is_valid(), form.errors
    document = form.save()
    assert document.file.name.endswith(".pdf")


def test_an_editors_image_is_stored_without_its_gps_position(client):
    superuser = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(superuser)
    response = client.post(
        reverse("wagtailimages:add"),
        {
            "title": "Le champ",
            "collection": get_root_collection_id(),
            "file": upload(gps_jpeg(), "champ.jpg", "image/jpeg"),
        },
    )
    assert response.status_code == 302, response.content[:2000]
    image = get_image_model().objects.get()
    stored = Image.open(image.file)
    assert dict(stored.getexif()) == {}
    assert (image.width, image.height) == (40, 20)


# Wagtail's field opens the image (and Pillow warns) before refusing it.
@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_an_editors_100_megapixel_image_is_refused():
    form_class = get_image_form(get_image_model())
    superuser = UserFactory(is_superuser=True, is_staff=True)
    form = form_class(
        {"title": "Bombe", "collection": get_root_collection_id()},
        {"file": upload(huge_png((10_000, 10_000)), "bombe.png")},
        user=superuser,
    )
    assert not form.is_valid()
    assert form.errors["file"]


def get_root_collection_id():
    from wagtail.models import Collection

    return Collection.get_first_root_node().pk


# Every upload of the project goes through amap/uploads.py -------------------------


def _our_forms():
    for package in (amap, cms):
        for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if ".migrations" in module.name or ".management" in module.name:
                continue
            if module.name.endswith("settings"):
                continue
            importlib.import_module(module.name)
    found, todo = [], [django_forms.BaseForm]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith(("amap.", "cms.")):
            found.append(cls)
    return found


def _plain_upload_fields(form_class) -> list[str]:
    return [
        name
        for name, field in form_class.base_fields.items()
        if isinstance(field, django_forms.FileField)
        and not isinstance(field, uploads.ImageField | uploads.DocumentField)
    ]


def test_every_upload_field_of_our_forms_is_the_projects():
    forms = _our_forms()
    uploading = [
        form
        for form in forms
        if any(
            isinstance(field, django_forms.FileField)
            for field in form.base_fields.values()
        )
    ]
    assert len(uploading) >= 2  # the farm's page and the product
    wrong = [
        f"{form.__module__}.{form.__name__}.{name}"
        for form in uploading
        for name in _plain_upload_fields(form)
    ]
    assert not wrong, "Use amap.uploads' ImageField or DocumentField: " + ", ".join(
        wrong
    )


def test_every_upload_field_of_our_admin_is_the_projects():
    """The Django admin's forms for our models too (staff upload photos there)."""
    request = RequestFactory().get("/")
    request.user = UserFactory(is_superuser=True, is_staff=True)
    wrong = []
    for model, model_admin in admin.site._registry.items():
        if not model.__module__.startswith(("amap.", "cms.")):
            continue
        form_class = model_admin.get_form(request)
        wrong += [
            f"{model.__name__}.{name}" for name in _plain_upload_fields(form_class)
        ]
    assert not wrong, "Use amap.uploads.UploadAdminMixin: " + ", ".join(wrong)
