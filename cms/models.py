from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.rich_text import RichTextMaxLengthValidator
from wagtail.search import index

from amap.distribution.geojson import (
    merge_feature_collections,
    pickup_points_feature_collection,
    producers_feature_collection,
)
from amap.distribution.models import PickupPoint
from amap.distribution.selectors.pickup_points import next_distributions_for_member
from amap.members import services as member_services
from amap.members.forms import JoinRequestForm
from amap.members.hooks import with_public_urls
from amap.members.models import Collective, Membership
from amap.producers.models import Partnership, Producer, Product
from amap.producers.selectors.charter import producer_commitments
from amap.texts import LONG_TEXT_MAX_LENGTH, TEXT_MAX_LENGTH
from amap.views import error_text

from .blocks import BodyBlock
from .directory import DirectoryFilterForm, round_km, search_directory
from .feeds import NewsAtomFeed, NewsFeed
from .matching import fold

INTRO_FEATURES = ["bold", "italic", "link"]
MAP_FIELDS = ("id", "name", "street", "postcode", "town", "latitude", "longitude")

# Page types a home page may hold. The charter work adds "cms.CharterPage".
HOME_SUBPAGE_TYPES = [
    "cms.ContentPage",
    "cms.NewsIndexPage",
    "cms.ProducerDirectoryPage",
    "cms.CollectivePage",
    "cms.CharterPage",
]


def network_map(directory) -> dict:
    """Every located pickup point and farm of the network (two queries)."""
    points = (
        PickupPoint.objects.active()
        .located()
        .filter(collective__active=True)
        .values(*MAP_FIELDS, "opening_notes")
    )
    farms = Producer.objects.public().values(*MAP_FIELDS, "activity", "slug")
    farms = [dict(farm, url=_profile_url(directory, farm["slug"])) for farm in farms]
    return merge_feature_collections(
        pickup_points_feature_collection(points), producers_feature_collection(farms)
    )


def _profile_url(directory, slug) -> str:
    if directory is None:
        return ""
    return directory.url + directory.reverse_subpage("producer", args=[slug])


def collective_page_urls(collectives) -> dict[int, str]:
    """The live page of each collective that has one, by collective pk: the
    members app links there (registered in `cms/hooks.py`). One query,
    plus the site's root paths when Wagtail has not cached them."""
    pages = CollectivePage.objects.live().filter(
        collective__in=[collective.pk for collective in collectives]
    )
    return {page.collective_id: page.get_url() for page in pages}


class HomePage(Page):
    """The network's home: an introduction, free content and its collectives."""

    intro = RichTextField(
        gettext_lazy("introduction"),
        blank=True,
        features=INTRO_FEATURES,
        max_length=TEXT_MAX_LENGTH,
        validators=[RichTextMaxLengthValidator(TEXT_MAX_LENGTH)],
    )
    body = StreamField(BodyBlock(), verbose_name=gettext_lazy("body"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    search_fields = Page.search_fields + [
        index.SearchField("intro"),
        index.SearchField("body"),
    ]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = HOME_SUBPAGE_TYPES
    max_count = 1

    class Meta:
        verbose_name = gettext_lazy("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        user = request.user
        context["collectives"] = with_public_urls(
            Collective.objects.active().with_member_counts().with_status_for(user)
        )
        context["next_distributions"] = (
            next_distributions_for_member(user) if user.is_authenticated else []
        )
        directory = ProducerDirectoryPage.objects.live().first()
        context["directory"] = directory
        context["network_map"] = network_map(directory)
        return context


class ContentPage(Page):
    """A page of free content: about, how it works, how to join…"""

    intro = RichTextField(
        gettext_lazy("introduction"),
        blank=True,
        features=INTRO_FEATURES,
        max_length=TEXT_MAX_LENGTH,
        validators=[RichTextMaxLengthValidator(TEXT_MAX_LENGTH)],
    )
    body = StreamField(BodyBlock(), verbose_name=gettext_lazy("body"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    search_fields = Page.search_fields + [
        index.SearchField("intro"),
        index.SearchField("body"),
    ]

    parent_page_types = ["cms.HomePage", "cms.ContentPage"]
    subpage_types = ["cms.ContentPage"]

    class Meta:
        verbose_name = gettext_lazy("content page")


class NewsIndexPage(RoutablePageMixin, Page):
    """The network's news, newest first, with RSS and Atom feeds."""

    intro = RichTextField(
        gettext_lazy("introduction"),
        blank=True,
        features=INTRO_FEATURES,
        max_length=TEXT_MAX_LENGTH,
        validators=[RichTextMaxLengthValidator(TEXT_MAX_LENGTH)],
    )

    content_panels = Page.content_panels + [FieldPanel("intro")]

    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.NewsPage"]

    class Meta:
        verbose_name = gettext_lazy("news index")

    def news(self):
        return NewsPage.objects.live().child_of(self).order_by("-date", "-pk")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["news"] = self.news()
        return context

    @path("flux/", name="rss")
    def rss(self, request):
        return NewsFeed(self)(request)

    @path("flux/atom/", name="atom")
    def atom(self, request):
        return NewsAtomFeed(self)(request)


# A news item's summary is read in the list and in the feeds.
NEWS_SUMMARY_MAX_LENGTH = 400


class NewsPage(Page):
    date = models.DateField(gettext_lazy("date"), default=timezone.localdate)
    intro = models.TextField(
        gettext_lazy("summary"),
        blank=True,
        max_length=NEWS_SUMMARY_MAX_LENGTH,
        validators=[MaxLengthValidator(NEWS_SUMMARY_MAX_LENGTH)],
        help_text=gettext_lazy("Shown in the list of news and in the feed."),
    )
    body = StreamField(BodyBlock(), verbose_name=gettext_lazy("body"), blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("date"),
        FieldPanel("intro"),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("intro"),
        index.SearchField("body"),
        index.FilterField("date"),
    ]

    parent_page_types = ["cms.NewsIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = gettext_lazy("news item")
        verbose_name_plural = gettext_lazy("news")


class CollectivePage(RoutablePageMixin, Page):
    """The public page of one collective: who they are, where, which farms, joining."""

    collective = models.OneToOneField(
        Collective,
        on_delete=models.SET_NULL,
        null=True,
        related_name="page",
        verbose_name=gettext_lazy("collective"),
        error_messages={
            "unique": gettext_lazy(
                "This collective already has its page: edit that one instead."
            )
        },
    )
    presentation = RichTextField(
        gettext_lazy("presentation"),
        blank=True,
        features=INTRO_FEATURES + ["ol", "ul"],
        max_length=LONG_TEXT_MAX_LENGTH,
        validators=[RichTextMaxLengthValidator(LONG_TEXT_MAX_LENGTH)],
    )
    body = StreamField(BodyBlock(), verbose_name=gettext_lazy("body"), blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("collective"),
        FieldPanel("presentation"),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("presentation"),
        index.SearchField("body"),
    ]

    parent_page_types = ["cms.HomePage"]
    subpage_types = []

    class Meta:
        verbose_name = gettext_lazy("collective page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        collective = self.collective
        if collective is None or not collective.active:
            context.update(collective=None, pickup_points=[], producers=[])
            return context
        user = request.user
        pickup_points = list(
            PickupPoint.objects.active()
            .for_collective(collective)
            .values(*MAP_FIELDS, "opening_notes")
        )
        directory = ProducerDirectoryPage.objects.live().first()
        producers = [
            dict(farm, url=_profile_url(directory, farm["slug"]))
            for farm in Producer.objects.public()
            .supplying(collective)
            .values(*MAP_FIELDS, "activity", "slug")
            .order_by("name")
        ]
        context.update(
            collective=collective,
            pickup_points=pickup_points,
            producers=producers,
            map_data=merge_feature_collections(
                pickup_points_feature_collection(pickup_points),
                producers_feature_collection(producers),
            ),
            membership=(
                Membership.objects.filter(user=user, collective=collective).first()
                if user.is_authenticated
                else None
            ),
            join_form=JoinRequestForm(),
        )
        return context

    @path("rejoindre/", name="join")
    def join(self, request):
        """Ask to join the collective, through the members app's service."""
        if request.method != "POST":
            # e.g. back from logging in again after the form's session expired
            return redirect(self.url + "#rejoindre")
        if not request.user.is_authenticated:
            return redirect_to_login(self.url)
        if self.collective is None:
            raise Http404
        form = JoinRequestForm(request.POST)
        if not form.is_valid():
            response = self.render(request, context_overrides={"join_form": form})
            response.status_code = 400
            return response
        try:
            member_services.request_membership(
                user=request.user,
                collective=self.collective,
                message=form.cleaned_data["message"],
            )
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(
                request,
                _(
                    "Your request to join %(collective)s has been sent to its "
                    "organisers."
                )
                % {"collective": self.collective.name},
            )
        return redirect(self.url)


class ProducerDirectoryPage(RoutablePageMixin, Page):
    """Every active producer of the network: a list, a map, filters, profiles."""

    intro = RichTextField(
        gettext_lazy("introduction"),
        blank=True,
        features=INTRO_FEATURES,
        max_length=TEXT_MAX_LENGTH,
        validators=[RichTextMaxLengthValidator(TEXT_MAX_LENGTH)],
    )

    content_panels = Page.content_panels + [FieldPanel("intro")]

    parent_page_types = ["cms.HomePage"]
    subpage_types = []
    max_count = 1

    class Meta:
        verbose_name = gettext_lazy("producer directory")

    def profile_url(self, producer) -> str:
        return _profile_url(self, producer.slug)

    @path("", name="index")
    def index_route(self, request):
        form = DirectoryFilterForm(request.GET or None)
        filters = {}
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            filters = {
                "q": data["q"].strip(),
                "category": data["category"],
                "label": data["label"],
                "origin": data["origin"],
                "distance_km": data["distance"] if data["origin"] else None,
            }
        entries = search_directory(**filters) if not form.errors else []
        for entry in entries:
            entry.url = self.profile_url(entry.producer)
            if entry.distance_km is not None:
                entry.distance = round_km(entry.distance_km)
        rows = [
            {
                **{field: getattr(entry.producer, field) for field in MAP_FIELDS},
                "activity": entry.producer.activity,
                "url": entry.url,
            }
            for entry in entries
        ]
        return self.render(
            request,
            context_overrides={
                "form": form,
                "entries": entries,
                "map_data": producers_feature_collection(rows),
            },
        )

    @path("<slug:slug>/", name="producer")
    def producer(self, request, slug):
        """A producer's public profile, built from the producer's own data."""
        producer = get_object_or_404(
            Producer.objects.public().prefetch_related("labels"), slug=slug
        )
        # Categories in their declared order (vegetables first, baskets and
        # other last), names as a French reader sorts them (accents ignored).
        order = {value: index for index, value in enumerate(Product.Category.values)}
        products = sorted(
            producer.products.active(),
            key=lambda p: (order.get(p.category, len(order)), fold(p.name)),
        )
        category_labels = dict(Product.Category.choices)
        by_category = {}
        for product in products:
            by_category.setdefault(category_labels[product.category], []).append(
                product
            )
        collectives = list(
            Collective.objects.active()
            .filter(
                partnerships__producer=producer,
                partnerships__active=True,
                partnerships__status=Partnership.Status.ACCEPTED,
            )
            .select_related("page")
            .order_by("name")
        )
        return self.render(
            request,
            template="cms/producer_profile.html",
            context_overrides={
                "producer": producer,
                "products_by_category": by_category,
                "collectives": collectives,
                "commitments": producer_commitments(producer),
                "producer_photo_url": (
                    request.build_absolute_uri(producer.photo.url)
                    if producer.photo
                    else ""
                ),
            },
        )

    def get_sitemap_urls(self, request=None):
        urls = super().get_sitemap_urls(request)
        base = self.get_full_url(request)
        for slug in Producer.objects.public().values_list("slug", flat=True):
            urls.append(
                {"location": base + self.reverse_subpage("producer", args=[slug])}
            )
        return urls


# Defined in its own module; imported here so that Django registers the model.
from .charter import CharterPage  # noqa: E402, F401
