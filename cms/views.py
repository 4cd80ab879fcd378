from django.core.paginator import Paginator
from django.db.models import Q
from django.template.response import TemplateResponse
from wagtail.models import Page

from amap.producers.models import Producer, Product

from .models import ProducerDirectoryPage

MAX_QUERY_LENGTH = 100
RESULTS_PER_PAGE = 20
MAX_PRODUCERS = 20
MAX_PRODUCTS = 30


def search(request):
    """Pages through Wagtail search (database backend); farms and products of
    the directory by name, activity, town or description."""
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    pages = producers = products = []
    directory = ProducerDirectoryPage.objects.live().first()
    if query:
        pages = Paginator(
            Page.objects.live().public().specific().search(query), RESULTS_PER_PAGE
        ).get_page(request.GET.get("page"))
        if directory is not None:
            producers = list(
                Producer.objects.public()
                .filter(
                    Q(name__icontains=query)
                    | Q(activity__icontains=query)
                    | Q(town__icontains=query)
                    | Q(description__icontains=query)
                )
                .order_by("name")[:MAX_PRODUCERS]
            )
            products = list(
                Product.objects.active()
                .filter(producer__in=Producer.objects.public())
                .filter(Q(name__icontains=query) | Q(description__icontains=query))
                .select_related("producer")
                .order_by("name", "producer__name")[:MAX_PRODUCTS]
            )
            for item in producers:
                item.profile_url = directory.profile_url(item)
            for item in products:
                item.profile_url = directory.profile_url(item.producer)
    return TemplateResponse(
        request,
        "cms/search.html",
        {
            "query": query,
            "pages": pages,
            "producers": producers,
            "products": products,
        },
    )
