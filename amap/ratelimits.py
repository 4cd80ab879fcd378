"""allauth's rate limits (ACCOUNT_RATE_LIMITS) on password forms that are not
allauth's: the passwords Wagtail lets editors put on a page or a collection.

Counted like allauth's own: per client address as set by
ALLAUTH_TRUSTED_PROXY_COUNT / ALLAUTH_TRUSTED_CLIENT_IP_HEADER, and per
restriction (the password guessed) from any address; an answer over the limit
is templates/429.html.
"""

from functools import wraps

from allauth.core import ratelimit


def rate_limited(view, *, action: str, key_kwarg: str):
    """`view`, its POSTs counted under `action`; `key_kwarg` names the URL
    argument identifying what is guessed."""

    @wraps(view)
    def limited(request, *args, **kwargs):
        if request.method == "POST":
            refusal = ratelimit.consume_or_429(
                request, action=action, key=f"{action}:{kwargs[key_kwarg]}"
            )
            if refusal:
                return refusal
        return view(request, *args, **kwargs)

    return limited
