"""The Content-Security-Policy on every response (django-csp).

`CONTENT_SECURITY_POLICY` in the settings is the policy of the whole site.
The editors' admin and the site admin run code of Wagtail and Django that
needs a little more (inline styles, Wagtail's editor); `CSP_PATH_REPLACEMENTS`
maps a path prefix to the directives its pages get instead, so the relaxation
never reaches the site's own pages. A view's own `@csp_replace` still wins.
"""

from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from csp.middleware import PolicyParts
from django.conf import settings


def path_replacements(path: str) -> dict | None:
    """The directives replacing the site's policy under `path`, if any."""
    for prefix, directives in getattr(settings, "CSP_PATH_REPLACEMENTS", {}).items():
        if path.startswith(prefix):
            return directives
    return None


class CSPMiddleware(BaseCSPMiddleware):
    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if parts.replace is None and not report_only:
            parts.replace = path_replacements(request.path_info)
        return parts
