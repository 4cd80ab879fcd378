"""What the public site adds to the members app (see `amap.hooks`; Wagtail's
own hooks are in `wagtail_hooks.py`): each collective's page on the site."""

from amap import hooks
from amap.members.hooks import PUBLIC_PAGES

from .models import collective_page_urls

hooks.register(PUBLIC_PAGES, collective_page_urls)
