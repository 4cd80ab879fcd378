from django.core.paginator import Paginator
from django.template.response import TemplateResponse
from wagtail.models import Page

from amap.producers.models import Producer, Product

from .matching import matches, query_words, search_terms
from .models import ProducerDirectoryPage

MAX_QUERY_LENGTH = 100
RESULTS_PER_PAGE = 20
MAX_PRODUCERS = 20
MAX_PRODUCTS = 30


def search(request):
    """Pages through Wagtail search (database backend); farms and products of
    the directory by name, activity, town or description, ignoring accents and
    case (`cms.matching`). Five queries whatever is found."""
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    pages = producers = products = []
    directory = ProducerDirectoryPage.objects.live().first()
    words = query_words(query)
    if words:
        pages = Paginator(
            Page.objects.live().public().specific().search(search_terms(query)),
            RESULTS_PER_PAGE,
        ).get_page(request.GET.get("page"))
        if directory is not None:
            producers = [
                producer
                for producer in Producer.objects.public()
                .only("name", "slug", "activity", "town", "description")
                .order_by("name")
                if matches(
                    words,
                    producer.name,
                    producer.activity,
                    producer.town,
                    producer.description,
                )
            ][:MAX_PRODUCERS]
            products = [
                product
                for product in Product.objects.public()
                .filter(producer__in=Producer.objects.public())
                .select_related("producer")
                .only(
                    "published_name",
                    "published_description",
                    "producer__name",
                    "producer__slug",
                )
                .order_by("published_name", "producer__name")
                if matches(words, product.published_name, product.published_description)
            ][:MAX_PRODUCTS]
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
