"""A distribution's sheet and delivery notes for its organisers: the stored
file when it is current, otherwise the document's state, with a button that
asks for a generation in the background (a POST: a GET never writes, so a
link or an `<img>` on another site cannot start PDF jobs)."""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from amap.distribution.models import OrderCycle
from amap.distribution.permissions import access_organised_distribution
from amap.views import CommandView

from .. import sheet_exports
from ..models import StoredDocument
from ..services import documents as services

# The variant in the address: format and orientation.
VARIANTS = {
    "pdf": ("pdf", False),
    "pdf-paysage": ("pdf", True),
    "csv": ("csv", False),
    "xlsx": ("xlsx", False),
}
VARIANT_LABELS = {
    "pdf": gettext_lazy("PDF"),
    "pdf-paysage": gettext_lazy("PDF, landscape"),
    "csv": gettext_lazy("CSV"),
    "xlsx": gettext_lazy("Spreadsheet (XLSX)"),
}
KIND_LABELS = {
    sheet_exports.SHEET: gettext_lazy("Distribution sheet"),
    sheet_exports.DELIVERY_NOTES: gettext_lazy("Delivery notes per producer"),
}
REFRESH_SECONDS = 2


@dataclass
class DocumentRow:
    """One document of the page: what it is, and its stored row if any."""

    kind: str
    variant: str
    document: StoredDocument | None
    current: bool

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def variant_label(self) -> str:
        return VARIANT_LABELS[self.variant]


def _variant(kind: str, variant: str) -> tuple[str, bool]:
    if kind not in sheet_exports.KINDS or variant not in VARIANTS:
        raise Http404
    return VARIANTS[variant]


def _document(distribution, kind, fmt, landscape) -> StoredDocument | None:
    document = StoredDocument.objects.filter(
        distribution=distribution, kind=kind, fmt=fmt, landscape=landscape
    ).first()
    if document is not None:
        document.distribution = distribution
    return document


def _file_response(document: StoredDocument) -> FileResponse:
    return FileResponse(
        document.file.open("rb"),
        as_attachment=document.fmt != "pdf",
        filename=document.filename or document.file.name.rsplit("/", 1)[-1],
        content_type=document.content_type or None,
    )


def _progress_url(distribution, kind, variant) -> str:
    return reverse("orders:document_progress", args=[distribution.pk, kind, variant])


@login_required
def distribution_documents(request, pk):
    distribution = access_organised_distribution(request.user, pk)
    stored = {
        (d.kind, d.fmt, d.landscape): d
        for d in StoredDocument.objects.for_distribution(distribution)
    }
    rows = []
    for kind in sheet_exports.KINDS:
        for variant, (fmt, landscape) in VARIANTS.items():
            document = stored.get((kind, fmt, landscape))
            rows.append(
                DocumentRow(
                    kind=kind,
                    variant=variant,
                    document=document,
                    current=document is not None
                    and services.is_current(document, cycle=distribution.cycle),
                )
            )
    return render(
        request,
        "orders/distribution_documents.html",
        {
            "distribution": distribution,
            "rows": rows,
            "ordering_open": distribution.cycle.status == OrderCycle.Status.OPEN,
        },
    )


@login_required
def document_download(request, pk, kind, variant):
    """The stored file if it is current; otherwise the progress page, where
    a button asks for it. Writes nothing."""
    distribution = access_organised_distribution(request.user, pk)
    fmt, landscape = _variant(kind, variant)
    document = _document(distribution, kind, fmt, landscape)
    if (
        document is not None
        and document.status == StoredDocument.Status.READY
        and services.is_current(document, cycle=distribution.cycle)
    ):
        return _file_response(document)
    return redirect(_progress_url(distribution, kind, variant))


@login_required
def document_progress(request, pk, kind, variant):
    distribution = access_organised_distribution(request.user, pk)
    fmt, landscape = _variant(kind, variant)
    document = _document(distribution, kind, fmt, landscape)
    working = document is not None and document.is_working
    # What was asked for is done when nothing changed since the request; the
    # button then serves this very file (while ordering is open, the download
    # address would build a new one).
    done = document is not None and (
        document.status == StoredDocument.Status.READY and document.is_current
    )
    # A ready file can still be older than the data (ordering is open):
    # offer to build it again.
    current = document is not None and services.is_current(
        document, cycle=distribution.cycle
    )
    # htmx polls the panel alone while the document is being prepared.
    template = (
        "orders/includes/document_progress_panel.html"
        if request.headers.get("HX-Request")
        else "orders/document_progress.html"
    )
    return render(
        request,
        template,
        {
            "distribution": distribution,
            "document": document,
            "kind": kind,
            "variant": variant,
            "label": KIND_LABELS[kind],
            "variant_label": VARIANT_LABELS[variant],
            "working": working,
            "done": done,
            "current": current,
            "refresh_seconds": REFRESH_SECONDS,
        },
    )


class DocumentRetryView(CommandView):
    """The "Generate" / "Regenerate" / "Try again" button: queue a generation
    unless the stored file is current or one is already on its way."""

    def access(self):
        self.distribution = access_organised_distribution(
            self.request.user, self.kwargs["pk"]
        )
        self.fmt, self.landscape = _variant(self.kwargs["kind"], self.kwargs["variant"])

    def perform(self):
        services.request_document(
            distribution=self.distribution,
            kind=self.kwargs["kind"],
            fmt=self.fmt,
            landscape=self.landscape,
            requested_by=self.request.user,
            retry=True,
        )

    def get_success_url(self):
        return _progress_url(
            self.distribution, self.kwargs["kind"], self.kwargs["variant"]
        )


@login_required
def document_stored(request, pk, kind, variant):
    """The file stored last, even out of date: better than nothing on Thursday."""
    distribution = access_organised_distribution(request.user, pk)
    fmt, landscape = _variant(kind, variant)
    document = _document(distribution, kind, fmt, landscape)
    if document is None or not document.file:
        raise Http404(_("This document has not been prepared yet."))
    return _file_response(document)


_prefix = "organisation/distributions/<int:pk>/feuilles/"
_document_prefix = _prefix + "<slug:kind>/<slug:variant>/"

urlpatterns = [
    path(_prefix, distribution_documents, name="distribution_documents"),
    path(_document_prefix, document_download, name="document_download"),
    path(
        _document_prefix + "progression/", document_progress, name="document_progress"
    ),
    path(
        _document_prefix + "relancer/",
        DocumentRetryView.as_view(),
        name="document_retry",
    ),
    path(_document_prefix + "fichier/", document_stored, name="document_stored"),
]
