"""Sends whoever must accept a new version of the charter to it, once per visit."""

from contextlib import suppress
from functools import cached_property
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme

from . import services

# Session key: the charter version number the person is known to have accepted.
SESSION_KEY = "charter_accepted"


class CharterMiddleware:
    """Redirect a member or producer who has not accepted the current charter
    version to the page where they read and accept it.

    Every GET is gated, htmx ones included (a header the client sets proves
    nothing): a page visit is redirected; an htmx request gets a 403 with an
    `HX-Redirect` header, so htmx loads the accept page in full instead of
    swapping it into a panel. Static files, the admin, logging out, the accept
    page and the charter page itself stay reachable. Costs no query while no
    version is published or once the session knows the current version is
    accepted. The services that book, pledge or save stock enforce the rule
    whatever this lets through (POSTs are not redirected).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._must_accept(request):
            accept = reverse("members:charter_accept")
            if request.headers.get("HX-Request"):
                # Back to the page the panel is on, not to the panel alone.
                page = _htmx_page(request)
                response = HttpResponse(status=403)
                response["HX-Redirect"] = (
                    f"{accept}?{urlencode({'next': page})}" if page else accept
                )
                return response
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{accept}?{query}")
        return self.get_response(request)

    @cached_property
    def exempt_prefixes(self) -> tuple[str, ...]:
        prefixes = [settings.STATIC_URL, settings.MEDIA_URL]
        for name in (
            "members:charter_accept",
            "account_logout",
            "admin:index",
            "wagtailadmin_home",
            "set_language",
        ):
            with suppress(NoReverseMatch):
                prefixes.append(reverse(name))
        return tuple(p if p.startswith("/") else f"/{p}" for p in prefixes if p)

    def _must_accept(self, request) -> bool:
        user = getattr(request, "user", None)
        if (
            user is None
            or not user.is_authenticated
            or request.method != "GET"
            or request.path.startswith(self.exempt_prefixes)
        ):
            return False
        number = services.current_charter_number()
        if not number or request.session.get(SESSION_KEY, 0) >= number:
            return False
        version, accepted = services.charter_status(user)
        if accepted:
            request.session[SESSION_KEY] = version.number if version else 0
            return False
        if version.page_url not in ("", "/") and request.path.startswith(
            version.page_url
        ):
            return False
        if services.charter_applies_to(user):
            return True
        # Not bound (a visitor with no membership nor farm): do not ask again
        # this session; the services still check if they join meanwhile.
        request.session[SESSION_KEY] = number
        return False


def _htmx_page(request) -> str:
    """The local path of the page an htmx request comes from, or ""."""
    url = request.headers.get("HX-Current-URL", "")
    if not url or not url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return ""
    parts = urlsplit(url)
    return f"{parts.path or '/'}?{parts.query}" if parts.query else parts.path or "/"
