"""A collective's data as a ZIP, for its organisers: a GET, since it writes
nothing; somebody else's collective answers 404."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.cache import never_cache

from amap.views import access_organised_collective

from ..data_export import collective_zip


@never_cache
@login_required
def collective_export_download(request, slug):
    collective = access_organised_collective(request.user, slug)
    document = collective_zip(collective)
    response = HttpResponse(document.content, content_type=document.content_type)
    response["Content-Disposition"] = f'attachment; filename="{document.filename}"'
    return response


urlpatterns = [
    path(
        "organisation/<slug:slug>/export/",
        collective_export_download,
        name="collective_export",
    ),
]
