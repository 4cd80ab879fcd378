"""RSS and Atom feeds of a news index, served by the index page's routes."""

from datetime import datetime, time

from django.contrib.syndication.views import Feed
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed


class NewsFeed(Feed):
    def __init__(self, index):
        super().__init__()
        self.index = index

    def get_object(self, request, *args, **kwargs):
        return self.index

    def title(self, index):
        return index.seo_title or index.title

    def link(self, index):
        return index.url

    def description(self, index):
        return index.search_description or index.title

    def items(self, index):
        return index.news()[:20]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.intro or item.search_description

    def item_link(self, item):
        return item.url

    def item_pubdate(self, item):
        return timezone.make_aware(
            datetime.combine(item.date, time(8)), timezone.get_default_timezone()
        )


class NewsAtomFeed(NewsFeed):
    feed_type = Atom1Feed
    subtitle = NewsFeed.description
