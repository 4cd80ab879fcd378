"""The editors' upload forms in Wagtail's admin, with the checks every upload
of the site has (amap/uploads.py): a document's content must match its
extension; an image is re-encoded without its metadata (an editor's phone
photo carries where it was taken)."""

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from wagtail.documents.forms import BaseDocumentForm
from wagtail.images.forms import BaseImageForm

from amap.uploads import check_document, clean_image


class DocumentForm(BaseDocumentForm):
    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if isinstance(upload, UploadedFile):
            return check_document(upload, settings.WAGTAILDOCS_EXTENSIONS)
        return upload


class ImageForm(BaseImageForm):
    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if isinstance(upload, UploadedFile):
            return clean_image(upload)
        return upload
