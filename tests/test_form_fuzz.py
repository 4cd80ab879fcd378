"""Every form the site shows, sent back with hostile values (issue #15,
acceptance): never a 5xx, nothing written when the answer is a refusal, and
never a redirect off the site.

The forms are found, not listed: each page of the permission matrix
(tests/test_permission_matrix.py) is opened as a person allowed to see it,
and every form on it (POST, and GET filters) is filled as a browser would
(what the page put in it, and a plausible value in each empty field), then
sent once per hostile value. A field's kind comes from the form class when
the view passes its form to the template (by the field's name in the page),
else from the input's type. tests/test_input_ranges.py checks the fields
one by one; this checks that every view uses them.
"""

import datetime as dt
from urllib.parse import urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup
from django import forms
from django.contrib.messages import ERROR, get_messages
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.views.generic.edit import FormMixin

from tests import security_scenario as sc
from tests.test_permission_matrix import CMD, MATRIX, OK, _expected, _url

# Every test is marked, so that the test database is set up even when the
# only test selected does not use it (the module-wide scenario does).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

scenario = sc.scenario_fixture()


@pytest.fixture(autouse=True)
def _media_root(settings, scenario):
    settings.MEDIA_ROOT = scenario.media_root
    settings.PRIVATE_MEDIA_ROOT = scenario.media_root / "private"


HUGE_ID = "99999999999999999999"
HUGE_TEXT = "x" * 100_000
UNSAFE_NEXTS = ["abc", "//evil.example", "https://evil.example", "javascript:alert(1)"]
NUMBERS = [
    "NaN",
    "Infinity",
    "-Infinity",
    "1e400",
    "true",
    "on",
    HUGE_ID,
    "-" + HUGE_ID,
]

# Each hostile input: a name, and the value it puts in each kind of field.
PAYLOADS = [
    ("as the page shows it", {}),
    ("dates too early", {"date": "0001-01-01", "datetime": "0001-01-01T00:00"}),
    ("dates too late", {"date": "9999-12-31", "datetime": "9999-12-31T23:59"}),
    ("times out of range", {"time": "24:61"}),
    ("huge ids", {"choice": HUGE_ID, "multichoice": [HUGE_ID]}),
    *((f"number {n}", {"number": n}) for n in NUMBERS),
    ("huge texts", {"text": HUGE_TEXT}),
    *((f"next={n}", {"next": n}) for n in UNSAFE_NEXTS),
]
# A huge text must be refused: every text field has a maximum length
# (amap/texts.py), in the model and in the form.

# The header's forms (on every page) are tried from one page only.
HEADER_FORMS = {"account_logout", "set_language"}
HEADER_FORMS_PAGE = "members:collective_list"

# Who opens a page to fill its forms: the first of these the matrix lets in.
FILLERS = (
    "member",
    "farmer",
    "organiser",
    "anonymous",
    "other_member",
    "other_organiser",
    "staff",
    # Answers to a proposal are the other farm's (the scenario's proposal).
    "other_farmer",
)

# Every URL somebody may open (its page's forms) or post to (a form view
# shown on another page, e.g. a vote on the wish's page).
PAGES = sorted(name for name in MATRIX if {OK, CMD} & set(_expected(name).values()))


# Kinds of field ------------------------------------------------------------------


def _kind_of_field(field: forms.Field) -> str:
    if isinstance(field, forms.DateTimeField | forms.SplitDateTimeField):
        return "datetime"
    if isinstance(field, forms.DateField):
        return "date"
    if isinstance(field, forms.TimeField):
        return "time"
    if isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
        return "multichoice"
    if isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
        return "choice"
    if isinstance(field, forms.DecimalField | forms.FloatField | forms.IntegerField):
        return "number"
    if isinstance(field, forms.FileField):
        return "file"
    if isinstance(field, forms.BooleanField):
        return "bool"
    if isinstance(field, forms.CharField):
        return "text"
    return "other"


def _forms_in(context) -> list[forms.BaseForm]:
    """The forms a page's templates were given: alone, in formsets, in lists."""
    found = []

    def add(value, depth=0):
        if isinstance(value, forms.BaseForm):
            found.append(value)
        elif isinstance(value, forms.BaseFormSet):
            found.append(value.management_form)
            found.extend(value.forms)
            found.append(value.empty_form)
        elif isinstance(value, list | tuple) and depth < 2:
            for item in value[:50]:
                add(item, depth + 1)
        elif isinstance(value, dict) and depth < 2:
            for item in list(value.values())[:50]:
                add(item, depth + 1)

    for subcontext in context or []:
        # A ContextList holds Contexts; a lone Context yields its dicts.
        for layer in getattr(subcontext, "dicts", [subcontext]):
            for value in layer.values():
                add(value)
    return found


def _field_kinds(response) -> dict[str, str]:
    """The kind of each field the page's forms declare, by its name in HTML."""
    kinds = {}
    for form in _forms_in(response.context):
        for name, field in form.fields.items():
            kinds[form.add_prefix(name)] = _kind_of_field(field)
    return kinds


def _kind_of_input(tag) -> str:
    if tag.name == "textarea":
        return "text"
    if tag.name == "select":
        return "multichoice" if tag.has_attr("multiple") else "choice"
    kind = (tag.get("type") or "text").lower()
    if kind == "date":
        return "date"
    if kind == "datetime-local":
        return "datetime"
    if kind == "time":
        return "time"
    if kind == "number" or tag.get("inputmode") in ("decimal", "numeric"):
        return "number"
    if kind in ("text", "search", "email", "url", "tel"):
        return "text"
    if kind == "checkbox":
        return "bool"
    if kind == "file":
        return "file"
    return "other"  # hidden, submit, radio, password…


# What a browser would send ---------------------------------------------------


def _plausible(kind: str, tag) -> str | None:
    """A value for an empty field, so that the rest of the form is accepted
    and the hostile value reaches the service."""
    if (tag.get("type") or "").lower() == "email":
        return "essai@example.org"
    return {
        "time": "18:00",
        "date": (timezone.localdate() + dt.timedelta(days=10)).isoformat(),
        "datetime": (timezone.localtime() + dt.timedelta(days=1)).strftime(
            "%Y-%m-%dT%H:%M"
        ),
        "number": "1",
        "text": "Essai",
    }.get(kind)


class FoundForm:
    """A form of a page: where it goes, what a browser sends, each field's kind."""

    def __init__(self, method: str, address: str):
        self.method = method
        self.action = urlsplit(address)
        self.data: dict[str, list[str]] = {}
        self.kinds: dict[str, str] = {}

    @classmethod
    def from_tag(cls, tag, page_url: str, declared: dict[str, str]) -> "FoundForm":
        """A form of a page, filled as a browser would."""
        form = cls(
            (tag.get("method") or "get").lower(),
            urljoin(page_url, tag.get("action") or page_url),
        )
        for field in tag.find_all(["input", "select", "textarea"]):
            name = field.get("name")
            if not name or field.has_attr("disabled") or name == "csrfmiddlewaretoken":
                continue
            kind = declared.get(name) or _kind_of_input(field)
            form.kinds.setdefault(name, kind)
            for value in form._values(field, kind):
                form.data.setdefault(name, []).append(value)
        return form

    @classmethod
    def from_class(cls, form_class, address: str) -> "FoundForm":
        """A view's form class, its empty fields given plausible values."""
        form = cls("post", address)
        prefix = getattr(form_class, "prefix", None)
        for name, field in form_class.base_fields.items():
            html_name = f"{prefix}-{name}" if prefix else name
            kind = _kind_of_field(field)
            form.kinds[html_name] = kind
            value = _plausible(kind, {})
            if value is not None:
                form.data[html_name] = [value]
        return form

    def _values(self, field, kind) -> list[str]:
        if field.name == "select":
            options = [o.get("value", o.text) for o in field.find_all("option")]
            chosen = [
                o.get("value", o.text)
                for o in field.find_all("option")
                if o.has_attr("selected")
            ]
            return chosen or [o for o in options if o][:1]
        if field.name == "textarea":
            return [field.text or _plausible(kind, field) or ""]
        input_type = (field.get("type") or "text").lower()
        if input_type in ("checkbox", "radio"):
            return [field.get("value", "on")] if field.has_attr("checked") else []
        if input_type in ("submit", "button", "image", "reset", "file"):
            return []
        value = field.get("value", "")
        return [value or _plausible(kind, field) or ""]

    @property
    def url_name(self) -> str | None:
        try:
            return resolve(self.action.path).view_name
        except Resolver404:
            return None

    @property
    def address(self) -> str:
        return self.action.path + (f"?{self.action.query}" if self.action.query else "")

    def key(self):
        """Forms of one view with the same fields are tried once (the buttons
        of a list, one per row)."""
        return (self.method, self.url_name, tuple(sorted(self.kinds)))

    def with_payload(self, values: dict) -> dict[str, list[str]]:
        data = {name: list(v) for name, v in self.data.items()}
        for name, kind in self.kinds.items():
            if kind in values and values.get("field", name) == name:
                value = values[kind]
                data[name] = value if isinstance(value, list) else [value]
        if "next" in values:
            data["next"] = [values["next"]]
        return data


def _page_forms(scenario, name) -> tuple[str, str, list[FoundForm]]:
    """Who fills the forms, the page's address, and the forms worth sending:
    those on the page, and the view's own form class when the page did not
    show it (a form posted from another page, or shown only in some states)."""
    expected = _expected(name)
    role = next(r for r in FILLERS if expected[r] in (OK, CMD))
    url = _url(name, scenario)
    found, seen = [], set()
    if expected[role] == OK:
        response, _ = sc.send(scenario, role, "get", url)
        assert response.status_code == 200, (name, role, response.status_code)
        if "html" in response.get("Content-Type", ""):
            declared = _field_kinds(response)
            soup = BeautifulSoup(response.content, "html.parser")
            for tag in soup.find_all("form"):
                form = FoundForm.from_tag(tag, url, declared)
                if form.action.netloc not in ("", "testserver"):
                    continue
                if form.url_name in HEADER_FORMS and name != HEADER_FORMS_PAGE:
                    continue
                if form.key() not in seen:
                    seen.add(form.key())
                    found.append(form)
    view_class = getattr(resolve(url).func, "view_class", None)
    if (
        view_class is not None
        and issubclass(view_class, FormMixin)
        and view_class.form_class is not None
        and not any(f.method == "post" and f.action.path == url for f in found)
    ):
        found.append(FoundForm.from_class(view_class.form_class, url))
    return role, url, found


# The checks --------------------------------------------------------------------


def _refused(response) -> bool:
    """A 4xx, the form shown again with errors, or an error message."""
    if 400 <= response.status_code < 500:
        return True
    if response.status_code == 200 and any(
        form.is_bound and form.errors for form in _forms_in(response.context)
    ):
        return True
    return any(m.level >= ERROR for m in get_messages(response.wsgi_request))


def _off_site(location: str, address: str) -> bool:
    """Whether a redirect leaves the site (a relative path stays on it)."""
    parts = urlsplit(urljoin(f"http://testserver{address}", location))
    return parts.scheme not in ("http", "https") or parts.netloc != "testserver"


def _payloads(form: FoundForm):
    """PAYLOADS, with a huge text in one field at a time: one text field with
    a maximum length would have the form refused for all."""
    for label, values in PAYLOADS:
        if "text" not in values:
            yield label, values
            continue
        for name, kind in form.kinds.items():
            if kind == "text":
                yield f"{label} in {name}", {**values, "field": name}


@pytest.mark.parametrize("name", PAGES)
def test_every_form_refuses_hostile_input_cleanly(scenario, db, name):
    role, page, found = _page_forms(scenario, name)
    problems = []
    for form in found:
        for label, values in _payloads(form):
            if form.method == "get" and "text" in values:
                continue
            data = form.with_payload(values)
            if values and data == form.data:
                continue  # no field of that kind
            where = (
                f"{form.method.upper()} {form.address} "
                f"({label}, as {role}, form of {page})"
            )
            try:
                response, written = sc.send(
                    scenario, role, form.method, form.address, data
                )
            except Exception as error:  # the test client re-raises a view's error
                problems.append(f"{where}: 500 ({type(error).__name__}: {error})"[:400])
                continue
            if response.status_code >= 500:
                problems.append(f"{where}: {response.status_code}")
                continue
            location = response.get("Location", "")
            if location and _off_site(location, form.address):
                problems.append(f"{where}: redirect off the site to {location}")
            if form.method == "get" and written:
                problems.append(f"{where}: a GET wrote {written}")
            elif written and _refused(response):
                problems.append(f"{where}: refused, yet wrote {written}")
            accepted_text = "text" in values and not _refused(response)
            ours = not (form.url_name or "").startswith("account_")  # allauth's
            if accepted_text and ours:
                problems.append(f"{where}: accepted {len(HUGE_TEXT)} characters")
    assert not problems, "\n".join(problems)


# Query strings the views read themselves (filters, columns, a pre-fill, a
# panel's live total) and the forms' GET fields, all at once.
QUERY_PARAMETERS = [
    "au",
    "contract",
    "cycle",
    "cycles",
    "du",
    "fill",
    "format",
    "from",
    "measure",
    "next",
    "page",
    "q",
    "state",
    "status",
    "weeks",
]
QUERY_VALUES = [HUGE_ID, "0001-01-01", "9999-12-31", "NaN"]


@pytest.mark.parametrize(
    "name", sorted(n for n in MATRIX if OK in _expected(n).values())
)
def test_every_page_answers_hostile_query_strings(scenario, db, name):
    expected = _expected(name)
    role = next(r for r in FILLERS if expected[r] == OK)
    url = _url(name, scenario)
    names = QUERY_PARAMETERS + [
        f"quantity_{scenario.item.pk}",
        f"tolerance_{scenario.item.pk}",
    ]
    problems = []
    for value in QUERY_VALUES:
        query = dict.fromkeys(names, value)
        try:
            response, written = sc.send(scenario, role, "get", url, query)
        except Exception as error:  # the test client re-raises a view's error
            problems.append(f"GET {url}?…={value} as {role}: 500 ({error!r})"[:300])
            continue
        if response.status_code >= 500 or written:
            problems.append(
                f"GET {url}?…={value} as {role}: {response.status_code} {written}"
            )
    assert not problems, "\n".join(problems)
