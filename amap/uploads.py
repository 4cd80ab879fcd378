"""Every file people upload is checked, and every image cleaned, here.

Images (a farm's or a product's photo, the editors' images in Wagtail) go
through `clean_image`: refused above `UPLOAD_MAX_BYTES` or
`UPLOAD_MAX_MEGAPIXELS` (Pillow's decompression bomb guard included), opened
with Pillow and re-encoded: turned upright by their EXIF orientation, cut
down to `UPLOAD_IMAGE_MAX_SIDE` pixels a side, saved as JPEG (or PNG when they
are transparent) with no EXIF, GPS position, XMP or comment left. The stored
file is an image whose name ends as its content does, whatever was sent.

Documents (Wagtail's documents) keep their bytes and type, but `check_document`
refuses one whose content is not what its extension says (PNG bytes named
`.pdf`).

Forms use `ImageField` and `DocumentField`, never Django's upload fields
(tests/test_uploads.py checks every form of the project).
"""

import io
import math
import warnings
import zipfile
from pathlib import Path

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import models
from django.utils.formats import number_format
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

# What people send from a phone or a computer; anything else is refused as
# "not an image" rather than decoded by a rarely used plugin.
IMAGE_FORMATS = {"JPEG", "PNG", "WEBP"}
IMAGE_ACCEPT = "image/jpeg,image/png,image/webp"
JPEG_QUALITY = 85


def megabytes(size: int) -> str:
    """`size` bytes in MB (of 1024 × 1024 bytes) for the locale, rounded up to
    a tenth and without a useless ",0": "20", "0,3"."""
    tenths = math.ceil(size * 10 / 1024**2) / 10
    return number_format(tenths, 0 if tenths.is_integer() else 1)


def max_upload_text() -> str:
    return megabytes(settings.UPLOAD_MAX_BYTES)


def too_big_error(size: int) -> ValidationError:
    return ValidationError(
        _("This file is too big (%(size)s MB): %(limit)s MB at most.")
        % {"size": megabytes(size), "limit": max_upload_text()},
        code="file_too_big",
    )


def too_many_pixels_error() -> ValidationError:
    return ValidationError(
        _(
            "This image has too many pixels: %(limit)s megapixels at most. "
            "Send a smaller version of it."
        )
        % {"limit": number_format(settings.UPLOAD_MAX_MEGAPIXELS)},
        code="too_many_pixels",
    )


def not_an_image_error() -> ValidationError:
    return ValidationError(
        _(
            "This file is not an image, or a damaged one: choose a JPEG, PNG or "
            "WebP photo."
        ),
        code="invalid_image",
    )


def check_size(upload: UploadedFile) -> None:
    if upload.size is not None and upload.size > settings.UPLOAD_MAX_BYTES:
        raise too_big_error(upload.size)


def upload_errors(field: str, upload) -> dict[str, list[str]]:
    """A service's check of a file it is handed (the form has re-encoded it):
    `{field: [message]}` when it is too big, else `{}`."""
    try:
        check_size(upload)
    except ValidationError as error:
        return {field: error.messages}
    return {}


# Images -----------------------------------------------------------------------


def _open_image(upload: UploadedFile) -> Image.Image:
    """The upload opened (not decoded yet), refused when it is not one of our
    formats or has too many pixels."""
    upload.seek(0)
    # Pillow warns above Image.MAX_IMAGE_PIXELS and raises above twice that,
    # from `open` itself: both are "too many pixels", never a 500.
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(upload)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise too_many_pixels_error() from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            raise not_an_image_error() from None
    if image.format not in IMAGE_FORMATS:
        raise not_an_image_error()
    width, height = image.size
    if width * height > settings.UPLOAD_MAX_MEGAPIXELS * 1_000_000:
        raise too_many_pixels_error()
    return image


def _has_transparency(image: Image.Image) -> bool:
    if image.mode == "P":
        return "transparency" in image.info
    if image.mode not in ("RGBA", "LA", "PA", "RGBa", "La"):
        return False
    extrema = image.getchannel("A").getextrema()
    # One band: (lowest, highest) as numbers.
    low = extrema[0]
    return isinstance(low, int | float) and low < 255


def reencode_image(image: Image.Image, *, max_side: int) -> tuple[bytes, str]:
    """The image upright, at most `max_side` pixels a side, as JPEG (PNG when
    transparent) bytes without metadata; and its extension."""
    if image.format == "JPEG":
        # Decode at 1/2, 1/4 or 1/8 scale when that is still large enough:
        # far less memory for a big photo.
        image.draft("RGB", (max_side, max_side))
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        image = ImageOps.exif_transpose(image)
    image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    # Only the colour profile is kept: Pillow writes what `info` holds (a
    # JPEG's comment, a PNG's text chunks), and it could hold anything.
    icc_profile = image.info.get("icc_profile")
    transparent = _has_transparency(image)
    image = image.convert(
        "RGBA" if transparent else "L" if image.mode == "L" else "RGB"
    )
    image.info = {}
    buffer = io.BytesIO()
    if transparent:
        image.save(buffer, format="PNG", icc_profile=icc_profile)
        return buffer.getvalue(), "png"
    image.save(
        buffer,
        format="JPEG",
        quality=JPEG_QUALITY,
        optimize=True,
        progressive=True,
        icc_profile=icc_profile,
    )
    return buffer.getvalue(), "jpg"


def clean_image(upload: UploadedFile, *, max_side: int | None = None) -> UploadedFile:
    """The upload as a clean image file, or a ValidationError saying why not
    (too big, too many pixels, not an image)."""
    check_size(upload)
    image = _open_image(upload)
    try:
        data, extension = reencode_image(
            image, max_side=max_side or settings.UPLOAD_IMAGE_MAX_SIDE
        )
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_many_pixels_error() from None
    except (OSError, SyntaxError, ValueError, EOFError):
        # Truncated or corrupt data shows only when decoding.
        raise not_an_image_error() from None
    stem = Path(upload.name or "").stem[:100] or "image"
    return SimpleUploadedFile(
        f"{stem}.{extension}",
        data,
        content_type="image/png" if extension == "png" else "image/jpeg",
    )


def _image_help_text() -> str:
    return _("A JPEG, PNG or WebP image, %(limit)s MB at most.") % {
        "limit": max_upload_text()
    }


class ImageField(forms.ImageField):
    """An image upload, checked and re-encoded by `clean_image`: what the form
    hands on is a clean JPEG or PNG file."""

    def __init__(self, *, max_side: int | None = None, **kwargs):
        self.max_side = max_side
        kwargs.setdefault("help_text", lazy(_image_help_text, str)())
        super().__init__(**kwargs)

    def to_python(self, data):
        upload = forms.FileField.to_python(self, data)
        if upload is None:
            return None
        return clean_image(upload, max_side=self.max_side)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        if isinstance(widget, forms.FileInput) and "accept" not in widget.attrs:
            attrs["accept"] = IMAGE_ACCEPT
        return attrs


class UploadAdminMixin:
    """For a ModelAdmin whose model has a photo: the admin's upload goes
    through `ImageField` too."""

    formfield_overrides = {models.ImageField: {"form_class": ImageField}}


# Documents --------------------------------------------------------------------

OPEN_DOCUMENT_TYPES = {
    "odt": b"application/vnd.oasis.opendocument.text",
    "ods": b"application/vnd.oasis.opendocument.spreadsheet",
}
OFFICE_PARTS = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}
# Starts of files that are not text (images, PDF, archives, executables).
BINARY_STARTS = (
    b"%PDF-",
    b"PK\x03\x04",
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
    b"RIFF",
    b"MZ",
    b"\x7fELF",
    b"\x1f\x8b",
)


def _zip_names(upload: UploadedFile) -> zipfile.ZipFile | None:
    upload.seek(0)
    try:
        return zipfile.ZipFile(upload)
    except (zipfile.BadZipFile, OSError, ValueError):
        return None


def content_matches(upload: UploadedFile, extension: str) -> bool:
    """Whether the file's bytes are what `extension` says (its magic bytes,
    or for office files the parts of the archive)."""
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    if extension == "pdf":
        return head.startswith(b"%PDF-")
    if extension in ("csv", "txt"):
        return b"\x00" not in head and not head.startswith(BINARY_STARTS)
    if extension in OFFICE_PARTS or extension in OPEN_DOCUMENT_TYPES:
        if not head.startswith(b"PK\x03\x04"):
            return False
        archive = _zip_names(upload)
        if archive is None:
            return False
        with archive:
            names = set(archive.namelist())
            if extension in OFFICE_PARTS:
                return OFFICE_PARTS[extension] in names
            if "mimetype" not in names:
                return False
            return archive.read("mimetype").strip() == OPEN_DOCUMENT_TYPES[extension]
    return False


def check_document(upload: UploadedFile, extensions: list[str]) -> UploadedFile:
    """The upload, unchanged, when its size, extension and content agree; a
    ValidationError otherwise."""
    check_size(upload)
    extension = Path(upload.name or "").suffix.lower().lstrip(".")
    if extension not in extensions:
        raise ValidationError(
            _("Files ending in .%(extension)s are not accepted; accepted: %(list)s.")
            % {
                "extension": extension,
                "list": ", ".join(f".{known}" for known in extensions),
            },
            code="extension_not_allowed",
        )
    if not content_matches(upload, extension):
        raise ValidationError(
            _(
                "This file’s name ends in .%(extension)s but its content is not a "
                ".%(extension)s file: choose the right file, or save it again in "
                "that format."
            )
            % {"extension": extension},
            code="extension_mismatch",
        )
    upload.seek(0)
    return upload


class DocumentField(forms.FileField):
    """A document upload whose content must match its extension; it keeps
    its bytes and its type."""

    def __init__(self, *, extensions: list[str], **kwargs):
        self.extensions = [extension.lower() for extension in extensions]
        super().__init__(**kwargs)

    def to_python(self, data):
        upload = super().to_python(data)
        if upload is None:
            return None
        return check_document(upload, self.extensions)
