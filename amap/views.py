"""What every view shares: form pages that call a service, POST-only commands,
and the collectives a view may reach.

A page with a form is a `ServiceFormView`; a button that changes something is
a `CommandView`; an object is looked up through an `access_*` helper (here for
collectives, in each app's `permissions.py` for its own objects), which
answers 404 for somebody else's object as for a missing one. See
docs/architecture.md, "How to write a view".
"""

from datetime import UTC, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView

from amap.forms import add_service_errors
from amap.members.permissions import organised_collectives


def error_text(error: Exception) -> str:
    """A service's refusal as one sentence, for a message."""
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or _("You cannot do this.")


def safe_next(request, default: str) -> str:
    """The `next` the form sent when it is a path on this site, else `default`.

    Only a local path (`/…`, not `//host` nor `/\\host`) without control
    characters is kept: anything else (`abc`, which `redirect()` would try as a
    URL name, a full address, a header break) is ignored. Views read it before
    writing, so that the answer to a write never fails after the write.
    """
    target = request.POST.get("next") or request.GET.get("next") or ""
    if (
        target.startswith("/")
        and not target.startswith(("//", "/\\"))
        and not any(ord(c) < 32 or ord(c) == 127 for c in target)
        and url_has_allowed_host_and_scheme(
            target,
            allowed_hosts={request.get_host()},
            require_https=request.is_secure(),
        )
    ):
        return target
    return default


def login_elsewhere(default_next: str = "", to: str = "account_login"):
    """A view sending another login form (Django admin's, Wagtail's) to the
    site's own, allauth's, with its `next` when it is on this site; with
    `to="account_reset_password"`, another password reset form to allauth's.

    Nothing posted to it is read: email verification and allauth's rate
    limits apply to every login and every reset email.
    """

    def view(request):
        target = safe_next(request, default_next)
        url = reverse(to)
        if target:
            url = f"{url}?{urlencode({'next': target})}"
        return redirect(url)

    return view


def security_txt(request):
    """/.well-known/security.txt (RFC 9116): where to report a vulnerability;
    valid for a year from the day it is read, so it never goes stale."""
    expires = timezone.now().replace(microsecond=0) + timedelta(days=365)
    lines = [
        f"Contact: mailto:{settings.SECURITY_CONTACT}",
        f"Expires: {expires.astimezone(UTC).isoformat()}",
        "Preferred-Languages: fr, en",
        f"Canonical: {settings.SITE_URL}/.well-known/security.txt",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


def access_organised_collective(user, slug):
    """The collective if `user` organises it; 404 otherwise, as for a missing one."""
    return get_object_or_404(organised_collectives(user), slug=slug)


class ServiceFormView(LoginRequiredMixin, FormView):
    """A page whose form's valid data goes to one service.

    Subclasses look up their objects in `access()` (run after the login check)
    and write `perform(form)`, which calls the service and returns what it
    made (kept as `self.result`). A `ValidationError` from the service is
    put on the form (through `service_error_field` when the service's keys are
    not the form's field names) and the page is shown again; an invalid POST
    answers 400. On success, `get_success_message()` becomes a message and
    the browser goes to `get_success_url()`.
    """

    http_method_names = ["get", "post"]
    success_message = ""
    # The name the template knows the form by, besides `form`.
    form_context_name = "form"
    result = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if request.method.lower() not in self.http_method_names:
            return self.http_method_not_allowed(request, *args, **kwargs)
        if (response := self.access()) is not None:
            return response
        return super().dispatch(request, *args, **kwargs)

    def access(self) -> HttpResponse | None:
        """Look up what the page is about (through `access_*`), after login;
        a response returned here (a redirect) answers instead of the page."""

    def perform(self, form):
        raise NotImplementedError

    def service_error_field(self, key) -> str | None:
        return key

    def get_success_message(self) -> str:
        return self.success_message

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context[self.form_context_name] = context["form"]
        return context

    def form_valid(self, form):
        try:
            self.result = self.perform(form)
        except ValidationError as error:
            add_service_errors(form, error, self.service_error_field)
            return self.form_invalid(form)
        if message := self.get_success_message():
            messages.success(self.request, message)
        return redirect(self.get_success_url())

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class CommandView(LoginRequiredMixin, View):
    """A POST-only button that calls one service, then goes back.

    Subclasses look up their objects in `access()` and write `perform()`,
    which calls the service and returns what it made. A refusal (a
    `ValidationError`; add `PermissionDenied` to `refusals` when the service's
    own check should read as a message rather than a 403) becomes an error
    message with its text; success becomes `get_success_message(result)`.
    Either way the browser goes to the form's `next` when it is on this site,
    else to `get_success_url()` (or `get_refused_url()` after a refusal).
    """

    http_method_names = ["post"]
    success_message = ""
    refusals: tuple[type[Exception], ...] = (ValidationError,)

    def access(self) -> None:
        """Look up what the command is about (through `access_*`)."""

    def perform(self):
        raise NotImplementedError

    def get_success_message(self, result) -> str:
        return self.success_message

    def get_success_url(self) -> str:
        raise NotImplementedError

    def refused(self, error: Exception):
        messages.error(self.request, error_text(error))

    def done(self, result):
        if message := self.get_success_message(result):
            messages.success(self.request, message)

    def get_refused_url(self) -> str:
        return self.get_success_url()

    def post(self, request, *args, **kwargs):
        self.access()
        # `next` is read before the write, so that its answer cannot fail.
        next_url = safe_next(request, "")
        try:
            result = self.perform()
        except self.refusals as error:
            self.refused(error)
            return redirect(next_url or self.get_refused_url())
        self.done(result)
        return redirect(next_url or self.get_success_url())
